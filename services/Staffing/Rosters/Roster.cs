using JasperFx.Events;

namespace Vendor.Staffing.Rosters;

/// <summary>One shift: store-local wall-clock times ("HH:mm"; an end at or before the start runs past midnight) and the instants they mean.</summary>
public sealed record Shift(string AgentId, string Start, string End, string Skill, DateTimeOffset StartsAt, DateTimeOffset EndsAt)
{
    public TimeSpan Length => EndsAt - StartsAt;
    public bool Covers(DateTimeOffset from, DateTimeOffset to) => StartsAt < to && from < EndsAt;
}

/// <summary>Ops published (or replaced) the roster of a store-local day.</summary>
public sealed record RosterPublished(string StoreId, DateOnly Date, IReadOnlyList<Shift> Shifts, DateTimeOffset At);

/// <summary>An approved emergency plan changed the roster of a store-local day.</summary>
public sealed record RosterChangedByPlan(string StoreId, DateOnly Date, IReadOnlyList<Shift> Shifts, string PlanId, DateTimeOffset At);

/// <summary>The shifts of a store on one store-local day, stream <c>roster:{storeId}:{yyyy-MM-dd}</c>; kept as an inline snapshot.</summary>
public sealed record Roster(string Id, string StoreId, DateOnly Date, IReadOnlyList<Shift> Shifts, long Version)
{
    public static string StreamKey(string storeId, DateOnly date) => $"roster:{storeId}:{date:yyyy-MM-dd}";

    public static Roster Create(IEvent<RosterPublished> e) => new(e.StreamKey!, e.Data.StoreId, e.Data.Date, e.Data.Shifts, e.Version);

    public static Roster Create(IEvent<RosterChangedByPlan> e) => new(e.StreamKey!, e.Data.StoreId, e.Data.Date, e.Data.Shifts, e.Version);

    public Roster Apply(IEvent<RosterPublished> e) => this with { Shifts = e.Data.Shifts, Version = e.Version };

    public Roster Apply(IEvent<RosterChangedByPlan> e) => this with { Shifts = e.Data.Shifts, Version = e.Version };
}
