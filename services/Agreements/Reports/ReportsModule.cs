using System.Globalization;
using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Reports;

public static class ReportsModule
{
    public static void MapReports(this IEndpointRouteBuilder app) =>
        // One route for JSON and CSV: "2026-11" or "2026-11.csv".
        app.MapGet("/api/sla/stores/{storeId}/reports/{month}", async Task<IResult> (string storeId, string month, IQuerySession session,
                HttpContext http, CancellationToken ct) =>
            {
                var csv = month.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
                var name = csv ? month[..^4] : month;
                if (!DateOnly.TryParseExact(name + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
                    || !SupportedDates.Contains(first))
                    return Problems.Validation(new Dictionary<string, string[]> { ["month"] = [$"yyyy-MM ({SupportedDates.Span}), or yyyy-MM.csv for CSV."] });

                if (await AnswerVersions.ReadAsync(session, storeId, ct) is not { } versions) return StoresModule.NotOnboarded(storeId);
                var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                if (contract?.TermsForMonth(first) is not { } terms)
                    return Problems.NotFound($"No contract terms of store '{storeId}' were in force in {name}.");
                if (ETags.NotModified(http, versions.Tag(csv ? "report-csv" : "report", name)) is { } notModified) return notModified;

                var days = await ConversationLedger.DailyAsync(session, storeId, first.AddMonths(-3), first.AddMonths(1).AddDays(-1), ct);
                DailyCounts Sum(DateOnly from) =>
                    days.Where(d => d.Key >= from && d.Key < from.AddMonths(1)).Aggregate(default(DailyCounts), (a, d) => a + d.Value);
                var earlier = Enumerable.Range(1, 3).Reverse().Select(n => first.AddMonths(-n))
                    .Select(m => (m.ToString("yyyy-MM"), Sum(m))).ToList();
                var report = MonthlyReports.Build(storeId, name, contract.ContractIdForMonth(first) ?? contract.ContractId, terms, Sum(first), earlier);
                return csv
                    ? TypedResults.Text(MonthlyReports.Csv(report), "text/csv; charset=utf-8")
                    : TypedResults.Ok(report);
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithTags("Reports").WithName("GetMonthlyReport")
            .WithSummary("The month's SLA report with service credits, as JSON or (yyyy-MM.csv) CSV (ops, or the store's key).")
            .WithDescription("月度报告（JSON 与 CSV 的 ETag 不同）；带 If-None-Match 轮询，未变化时返回 304（无正文）。\n\n" +
                             "JSON and CSV carry different ETags; poll with If-None-Match and an unchanged report is a 304 without a body.")
            .Produces<MonthlyReport>(200).Produces(304).ProducesValidationProblem().ProducesProblem(404);
}
