using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Testing;

namespace Vendor.Dashboard.Tests;

/// <summary>
/// A small, realistic tenant for the page tour and the README screenshots: three stores with contracts, a month of conversations
/// (one store serving well, one near its targets, one breaching today), agents in two teams, a certified agent rostered today,
/// an absence, QC inspectors and an emergency plan. Deterministic (a fixed random seed), relative to today.
/// </summary>
public static class DemoData
{
    public static readonly (string Id, string Name, string Platform, double Quality)[] Stores =
    [
        ("demo-tmall", "演示天猫旗舰店", "tmall", 0.97), ("demo-jd", "演示京东自营店", "jd", 0.9), ("demo-douyin", "演示抖音小店", "douyin", 0.6),
    ];

    public static readonly (string Id, string Name, string Team, string Skill)[] Agents =
    [
        ("a-2001", "王小美", "tmall-presales", "presales"), ("a-2002", "李强", "tmall-presales", "presales"),
        ("a-2003", "张敏", "jd-aftersales", "aftersales"), ("a-2004", "刘洋", "jd-aftersales", "aftersales"),
        ("a-2005", "陈静", "tmall-presales", "presales"), ("a-2006", "赵磊", "jd-aftersales", "aftersales"),
    ];

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);

    public static async Task SeedAsync(DashboardFixture platform)
    {
        var today = Today();
        var from = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        foreach (var (id, name, kind, _) in Stores)
        {
            await platform.Post("/api/sla/stores", new
            {
                storeId = id, name, platform = kind, timeZone = "Asia/Shanghai", serviceHours = new[] { new { start = "08:00", end = "24:00" } },
            });
            await platform.Put($"/api/sla/stores/{id}/contract", new
            {
                monthlyFee = 120_000, currency = "CNY", atRiskPercent = 10, startsOn = from.ToString("yyyy-MM-dd"),
                endsOn = from.AddYears(1).ToString("yyyy-MM-dd"), headcount = new { presales = 3, aftersales = 2, hotline = 0 },
                targets = new object[]
                {
                    new { metric = "threeMinuteResponseRate", target = 0.9, allocationPercent = 30 },
                    new { metric = "missedRate", target = 0.05, allocationPercent = 30 },
                    new { metric = "firstResponseSeconds", target = 60, allocationPercent = 20 },
                    new { metric = "satisfactionRate", target = 0.85, allocationPercent = 20 },
                },
            });
        }
        foreach (var (id, name, team, skill) in Agents)
            await platform.Post("/api/staffing/agents", new { agentId = id, name, team, skills = new[] { skill }, hiredOn = from.AddDays(-60).ToString("yyyy-MM-dd") });
        await platform.Put("/api/quality/inspectors/qc-lin", new { name = "林质检", storeIds = Stores.Select(s => s.Id).ToArray() });
        await platform.Put("/api/quality/inspectors/qc-lead", new { name = "质检主管", senior = true });

        // A month and a bit of conversations, ten a day per store, answered by the store's agents.
        var random = new Random(20261201);
        foreach (var (id, _, _, quality) in Stores)
        {
            var agents = Agents.Where(a => id == "demo-jd" ? a.Skill == "aftersales" : a.Skill == "presales").Select(a => a.Id).ToArray();
            var conversations = new List<object>();
            for (var day = from; day <= today; day = day.AddDays(1))
            {
                // The Douyin store has a bad day today: most customers wait long or get no answer at all.
                var q = id == "demo-douyin" && day == today ? 0.3 : quality;
                for (var i = 0; i < 10; i++)
                {
                    var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(9 + i, random.Next(0, 50))), TimeSpan.FromHours(8));
                    if (start > DateTimeOffset.UtcNow.AddMinutes(-1)) start = DateTimeOffset.UtcNow.AddMinutes(-1 - i);
                    var good = random.NextDouble() < q;
                    var answered = good || random.NextDouble() < 0.5;
                    var reply = good ? random.Next(8, 50) : random.Next(200, 600);
                    var agent = agents[random.Next(agents.Length)];
                    var messages = new List<object> { new { at = start, from = "customer", text = i % 4 == 0 ? "我要退货，东西坏了" : "在吗？这款有货吗" } };
                    if (answered) messages.Add(new { at = start.AddSeconds(reply), from = "agent", agentId = agent, text = "亲，在的，马上为您处理" });
                    conversations.Add(new
                    {
                        conversationId = $"{id}-{day:yyyyMMdd}-{i}", channel = "chat", kind = id == "demo-jd" ? "aftersales" : "presales", messages,
                        rating = answered ? (good ? "satisfied" : random.NextDouble() < 0.5 ? "unsatisfied" : "neutral") : null,
                        resolved = answered && good,
                    });
                }
            }
            foreach (var batch in conversations.Chunk(500))
                await platform.Post($"/api/sla/stores/{id}/conversations", new { conversations = batch });
        }

        // A certified agent can be rostered: certification in Quality reaches Staffing as AgentCertified.
        await platform.Put("/api/quality/certifications/demo-tmall/presales", new { courses = new[] { "platform-rules" }, exam = "onboarding-exam" });
        foreach (var agent in new[] { "a-2001", "a-2002", "a-2005" })
        {
            await Eventually.Until(async () => (await platform.Ops.GetAsync($"/api/quality/agents/{agent}/training")).IsSuccessStatusCode, ok => ok,
                what: $"{agent}'s training plan");
            await platform.Post($"/api/quality/agents/{agent}/training/courses/platform-rules/complete", new { });
            await platform.Post($"/api/quality/agents/{agent}/training/exams/onboarding-exam", new { score = 90 });
        }
        await Eventually.Until(() => platform.Ops.GetFromJsonAsync<JsonElement>("/api/staffing/agents/a-2005"),
            a => a.ToString().Contains("demo-tmall"), what: "certification in Staffing");
        var date = today.ToString("yyyy-MM-dd");
        await platform.Put($"/api/staffing/stores/demo-tmall/roster/{date}", new object[]
        {
            new { agentId = "a-2001", start = "08:00", end = "16:00", skill = "presales" },
            new { agentId = "a-2002", start = "12:00", end = "20:00", skill = "presales" },
            new { agentId = "a-2005", start = "16:00", end = "00:00", skill = "presales" },
        });
        var nine = new DateTimeOffset(today.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8));
        await platform.Post("/api/staffing/absences", new { agentId = "a-2002", kind = "sick", from = nine.AddHours(3), to = nine.AddHours(11), note = "发烧请假" });
        await platform.Post("/api/staffing/emergency-plans", new { date });
    }
}
