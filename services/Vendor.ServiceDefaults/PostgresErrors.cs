using Npgsql;

namespace Vendor.ServiceDefaults;

public static class PostgresErrors
{
    /// <summary>
    /// The PostgreSQL errors behind an exception, outermost first: through the wrappers Marten and Npgsql put around them, and through
    /// each failure an <see cref="AggregateException"/> gathers (Marten's SaveChanges with several).
    /// </summary>
    public static IEnumerable<PostgresException> PostgresErrorsWithin(this Exception? exception) => exception switch
    {
        null => [],
        PostgresException postgres => [postgres],
        AggregateException all => all.InnerExceptions.SelectMany(PostgresErrorsWithin),
        _ => exception.InnerException.PostgresErrorsWithin(),
    };
}
