using Vendor.ServiceDefaults.OpenApi;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements.Sla;

/// <summary>
/// What every SLA answer of a store (figures, daily series, monthly reports) is made from, as three counters: the store's ledger
/// version (counted up in the same statement as every rollup write: new conversations, re-posts, QC reviews), and the versions of
/// its store stream (calendar) and contract stream (terms). Reading them is one round trip of three primary-key lookups, so a
/// client polling with If-None-Match gets its 304 without a rollup or a document being read.
/// </summary>
public sealed record AnswerVersions(long Ledger, long Store, long Contract)
{
    // A new build may answer differently from the same data (a rounding, a new field): its tags differ too.
    private static readonly string Build = typeof(AnswerVersions).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>The store's versions, or null when the store is not onboarded.</summary>
    public static async Task<AnswerVersions?> ReadAsync(IQuerySession session, string storeId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT (SELECT version FROM {ConversationLedger.Schema}.ledger_versions WHERE store_id = $1),
                   (SELECT version FROM {ConversationLedger.Schema}.mt_streams WHERE id = $2),
                   (SELECT version FROM {ConversationLedger.Schema}.mt_streams WHERE id = $3)
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = Stores.Store.StreamKey(storeId) }, new() { Value = ServiceContract.StreamKey(storeId) } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        await reader.ReadAsync(ct);
        if (reader.IsDBNull(1)) return null;
        return new AnswerVersions(reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? 0 : reader.GetInt64(2));
    }

    /// <summary>
    /// The ETag of one answer: its kind and arguments (JSON and CSV differ) with the versions, hashed. Read the versions before the
    /// data: a write in between then gives newer data an older tag (one extra full answer later), never older data a newer tag.
    /// </summary>
    public string Tag(string answer, params object[] arguments)
    {
        var text = string.Join('|', [answer, .. arguments.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture)),
            Ledger.ToString(), Store.ToString(), Contract.ToString(), Build]);
        return $"{answer}-{Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16])}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public static class AnswerTagEndpoints
{
    /// <summary>Documents a polled answer: its ETag, and the 304 an unchanged one gets for If-None-Match.</summary>
    public static RouteHandlerBuilder PolledWithETag(this RouteHandlerBuilder builder, string exampleTag) =>
        builder.Produces(StatusCodes.Status304NotModified).ResponseHeader(200, "ETag",
            "本答复的版本标签，轮询时放入 If-None-Match。 / This answer's version tag: send it back in If-None-Match when polling.",
            $"\"{exampleTag}\"");
}

