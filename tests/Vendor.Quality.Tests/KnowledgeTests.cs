using Vendor.Quality.Knowledge;
using Vendor.Quality.Reviews;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

/// <summary>The knowledge base's pure rules: given events, when a command, then events (or why not).</summary>
public class KnowledgeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static DraftArticle Draft(string? store = "s-1", string kind = ArticleKinds.Policy, string title = "退货政策", string body = "七天无理由退货。",
        bool critical = false, string? shortcut = null, params string[] tags) => new(store, kind, title, body, tags, critical, shortcut);

    private static IReadOnlyList<object> Events(Decision decision) => Assert.IsType<Decision.Append>(decision).Events;

    private static Article Given(params object[] events) => Article.Fold(null, events);

    private static Article Created(DraftArticle command, string id = "kb-1") => Given(Events(ArticleDecisions.Create(id, command, "ops", [], Now)).ToArray());

    private static Article Published(DraftArticle command, string id = "kb-1", DateTimeOffset? at = null)
    {
        var article = Created(command, id);
        return Article.Fold(article, Events(ArticleDecisions.Publish(article, "ops", [], at ?? Now)));
    }

    private static Article Then(Article article, Decision decision) => Article.Fold(article, Events(decision));

    [Fact]
    public void A_new_article_is_a_draft_version_1_and_publishing_makes_it_the_one_in_force()
    {
        var drafted = Assert.IsType<ArticleDrafted>(Assert.Single(Events(ArticleDecisions.Create("kb-1", Draft(tags: ["退货", "退货", " 售后 "]), "ops", [], Now))));
        Assert.Equal((1, "s-1", "policy", false), (drafted.Version, drafted.StoreId, drafted.Kind, drafted.Critical));
        Assert.Equal(["退货", "售后"], drafted.Tags);

        var article = Given(drafted);
        Assert.Equal((ArticleStatus.Draft, (int?)null, 1L), (article.Status, article.PublishedVersion, article.StreamVersion));
        var published = Assert.IsType<ArticlePublished>(Assert.Single(Events(ArticleDecisions.Publish(article, "ops", [], Now))));
        Assert.Equal(1, published.Version);
        article = Article.Fold(article, [published]);
        Assert.Equal((ArticleStatus.Published, (int?)1, VersionStatus.Published, 2L),
            (article.Status, article.PublishedVersion, article.Latest.Status, article.StreamVersion));
        // Publishing again: the latest version is the published one, nothing to do.
        Assert.IsType<Decision.Unchanged>(ArticleDecisions.Publish(article, "ops", [], Now));
    }

    [Fact]
    public void A_change_is_a_new_draft_version_and_the_published_one_stays_as_it_was_until_the_new_one_is_published()
    {
        var article = Published(Draft(body: "七天无理由退货。"));
        var v2 = Then(article, ArticleDecisions.Revise(article, Draft(body: "十五天无理由退货（双11期间）。"), "ops", [], Now.AddHours(1)));

        Assert.Equal((1, 2), (v2.PublishedVersion, v2.Latest.Version));
        Assert.Equal("七天无理由退货。", v2.Published!.Body);
        Assert.Equal(VersionStatus.Draft, v2.Latest.Status);
        // The same content again is no new version.
        Assert.IsType<Decision.Unchanged>(ArticleDecisions.Revise(v2, Draft(body: "十五天无理由退货（双11期间）。"), "ops", [], Now));

        var live = Then(v2, ArticleDecisions.Publish(v2, "ops", [], Now.AddHours(2)));
        Assert.Equal((2, "十五天无理由退货（双11期间）。"), (live.PublishedVersion, live.Published!.Body));
        Assert.Equal([VersionStatus.Superseded, VersionStatus.Published], live.Versions.Select(v => v.Status));
        Assert.Equal("七天无理由退货。", live.Versions[0].Body);
    }

    [Fact]
    public void Store_and_kind_are_fixed_and_bad_input_names_every_field()
    {
        var article = Created(Draft());
        var invalid = Assert.IsType<Decision.Invalid>(ArticleDecisions.Revise(article, new DraftArticle("s-2", "script", " ", null, [""], null, "/x"), "ops", [], Now));
        Assert.Equal(["body", "kind", "shortcut", "storeId", "tags", "title"], invalid.Errors.Keys.Order());

        var noKind = Assert.IsType<Decision.Invalid>(ArticleDecisions.Create("kb-2", Draft(kind: "faq"), "ops", [], Now));
        Assert.Contains("kind", noKind.Errors.Keys);
        var badStore = Assert.IsType<Decision.Invalid>(ArticleDecisions.Create("kb-2", Draft(store: "a b"), "ops", [], Now));
        Assert.Contains("storeId", badStore.Errors.Keys);
    }

    [Fact]
    public void A_retired_article_is_not_changed_or_published_again()
    {
        var article = Published(Draft());
        var retired = Then(article, ArticleDecisions.Retire(article, new RetireArticle("政策取消"), "ops", Now));
        Assert.Equal((ArticleStatus.Retired, false, VersionStatus.Retired), (retired.Status, retired.InForce, retired.Latest.Status));
        Assert.IsType<Decision.Conflict>(ArticleDecisions.Revise(retired, Draft(body: "new"), "ops", [], Now));
        Assert.IsType<Decision.Conflict>(ArticleDecisions.Publish(retired, "ops", [], Now));
        Assert.IsType<Decision.Unchanged>(ArticleDecisions.Retire(retired, new RetireArticle(null), "ops", Now));
    }

    [Fact]
    public void Quick_replies_need_a_shortcut_unique_among_the_replies_a_store_sees()
    {
        Assert.Contains("shortcut", Assert.IsType<Decision.Invalid>(ArticleDecisions.Create("q-1", Draft(kind: ArticleKinds.QuickReply), "ops", [], Now)).Errors.Keys);
        Assert.Contains("shortcut", Assert.IsType<Decision.Invalid>(ArticleDecisions.Create("q-1", Draft(kind: ArticleKinds.QuickReply, shortcut: "发货"), "ops", [], Now)).Errors.Keys);

        var storeReply = Published(Draft(kind: ArticleKinds.QuickReply, shortcut: "/发货", title: "发货时间", body: "亲，48小时内发货哦"), "q-1");
        var inForce = new[] { storeReply };
        // Another store may use the same shortcut; the same store, or a shared reply every store sees, may not.
        Assert.IsType<Decision.Append>(ArticleDecisions.Create("q-2", Draft(store: "s-2", kind: ArticleKinds.QuickReply, shortcut: "/发货"), "ops", inForce, Now));
        Assert.IsType<Decision.Conflict>(ArticleDecisions.Create("q-2", Draft(store: "s-1", kind: ArticleKinds.QuickReply, shortcut: "/发货"), "ops", inForce, Now));
        Assert.IsType<Decision.Conflict>(ArticleDecisions.Create("q-2", Draft(store: null, kind: ArticleKinds.QuickReply, shortcut: "/发货"), "ops", inForce, Now));
        // A reply's own new version keeps its shortcut.
        Assert.IsType<Decision.Append>(ArticleDecisions.Revise(storeReply, Draft(kind: ArticleKinds.QuickReply, shortcut: "/发货", body: "亲，24小时内发货"), "ops", inForce, Now));
        // Only quick replies have one.
        Assert.Contains("shortcut", Assert.IsType<Decision.Invalid>(ArticleDecisions.Create("p-1", Draft(shortcut: "/x"), "ops", [], Now)).Errors.Keys);
    }

    private static Proposal Proposed(ProposeArticle command, Article? target = null, string store = "s-1") =>
        Proposal.Create(Assert.IsType<ProposalSubmitted>(Assert.Single(Events(ProposalDecisions.Submit(store, "kp-1", command, target, "store-key", Now)))));

    [Fact]
    public void Accepting_a_new_article_proposal_publishes_version_1_credited_to_the_proposal()
    {
        var proposal = Proposed(new ProposeArticle(null, ArticleKinds.Product, "尺码表", "S码适合90-110斤", ["尺码"], false, null));
        Assert.Equal(ProposalStatus.Pending, proposal.Status);

        var events = Events(ProposalDecisions.Accept(proposal, null, "kb-new", "ops", [], Now.AddHours(1)));
        Assert.Equal([typeof(ArticleDrafted), typeof(ArticlePublished), typeof(ProposalAccepted)], events.Select(e => e.GetType()));
        var article = Article.Fold(null, events.Where(e => e is not ProposalAccepted));
        Assert.Equal(("s-1", 1, "kp-1", "尺码表"), (article.StoreId, article.PublishedVersion, article.Published!.ProposalId, article.Published.Title));
        var accepted = proposal.Step(events[2]);
        Assert.Equal((ProposalStatus.Accepted, "kb-new", (int?)1), (accepted.Status, accepted.PublishedArticleId, accepted.PublishedVersion));
        Assert.IsType<Decision.Unchanged>(ProposalDecisions.Accept(accepted, article, "kb-x", "ops", [], Now));
        Assert.IsType<Decision.Conflict>(ProposalDecisions.Reject(accepted, new RejectProposal("no"), "ops", Now));
    }

    [Fact]
    public void Accepting_a_change_publishes_a_new_version_of_the_stores_article()
    {
        var article = Published(Draft(body: "七天无理由退货。"));
        var proposal = Proposed(new ProposeArticle("kb-1", null, "退货政策", "七天无理由退货，定制商品除外。", null, true, null), article);
        var events = Events(ProposalDecisions.Accept(proposal, article, "unused", "ops", [article], Now.AddHours(1)));
        var after = Article.Fold(article, events.Where(e => e is not ProposalAccepted));
        Assert.Equal((2, true, "kp-1"), (after.PublishedVersion!.Value, after.Published!.Critical, after.Published.ProposalId));
        Assert.Equal(2, Assert.IsType<ProposalAccepted>(events[^1]).Version);

        // The article was retired meanwhile: nothing to publish into.
        var retired = Then(article, ArticleDecisions.Retire(article, new RetireArticle(null), "ops", Now));
        Assert.IsType<Decision.Conflict>(ProposalDecisions.Accept(proposal, retired, "unused", "ops", [], Now));
    }

    [Fact]
    public void A_store_proposes_for_its_own_articles_only_and_a_rejection_carries_the_reason()
    {
        var shared = Published(Draft(store: null), "kb-shared");
        Assert.Contains("articleId", Assert.IsType<Decision.Invalid>(ProposalDecisions.Submit("s-1", "kp-2",
            new ProposeArticle("kb-shared", null, "t", "b", null, null, null), shared, "k", Now)).Errors.Keys);
        Assert.Contains("kind", Assert.IsType<Decision.Invalid>(ProposalDecisions.Submit("s-1", "kp-2",
            new ProposeArticle(null, ArticleKinds.Case, "t", "b", null, null, null), null, "k", Now)).Errors.Keys);

        var proposal = Proposed(new ProposeArticle(null, ArticleKinds.Script, "催付话术", "亲，您的订单还未付款哦", null, null, null));
        Assert.Contains("reason", Assert.IsType<Decision.Invalid>(ProposalDecisions.Reject(proposal, new RejectProposal(" "), "ops", Now)).Errors.Keys);
        var rejected = proposal.Step(Assert.Single(Events(ProposalDecisions.Reject(proposal, new RejectProposal("与平台规则冲突"), "ops", Now))));
        Assert.Equal((ProposalStatus.Rejected, "与平台规则冲突"), (rejected.Status, rejected.Reason));
        Assert.IsType<Decision.Conflict>(ProposalDecisions.Accept(rejected, null, "kb-x", "ops", [], Now));
    }

    private static AgentCertifications Certified(string agentId, params string[] stores) =>
        AgentCertifications.Fold(null, agentId, stores.Select(s => (object)new CertificationGranted(agentId, s, "presales", Now.AddDays(-30))));

    [Fact]
    public void Must_read_goes_to_agents_certified_for_a_store_the_critical_article_applies_to()
    {
        var storeRule = Published(Draft(store: "s-1", critical: true, title: "双11活动规则"), "kb-11", Now.AddHours(-5));
        var sharedRule = Published(Draft(store: null, critical: true, title: "平台新规"), "kb-shared", Now.AddHours(-3));
        var otherStore = Published(Draft(store: "s-2", critical: true), "kb-s2");
        var notCritical = Published(Draft(store: "s-1"), "kb-plain");
        var draftOnly = Created(Draft(store: "s-1", critical: true), "kb-draft");
        Article[] articles = [storeRule, sharedRule, otherStore, notCritical, draftOnly];

        Assert.Equal(["kb-11", "kb-shared"], MustRead.For(Certified("a-1", "s-1"), articles, null).Select(i => i.ArticleId));
        Assert.Equal(["kb-shared", "kb-s2"], MustRead.For(Certified("a-2", "s-2"), articles, null).Select(i => i.ArticleId));
        // Not certified anywhere (a new hire in onboarding): nothing to read yet.
        Assert.Empty(MustRead.For(Certified("a-3"), articles, null));
        Assert.Empty(MustRead.For(null, articles, null));
    }

    [Fact]
    public void An_acknowledgement_records_the_current_version_and_a_new_version_is_owed_again()
    {
        var rule = Published(Draft(critical: true), "kb-11");
        var agent = Certified("a-1", "s-1");
        var ack = Assert.IsType<MustReadAcknowledged>(Assert.Single(Events(MustRead.Acknowledge("a-1", rule, agent, null, new AcknowledgeMustRead(null), Now))));
        Assert.Equal(1, ack.Version);
        var reading = AgentReading.Create(ack);
        Assert.Empty(MustRead.For(agent, [rule], reading));
        Assert.IsType<Decision.Unchanged>(MustRead.Acknowledge("a-1", rule, agent, reading, new AcknowledgeMustRead(1), Now));

        var v2 = Then(rule, ArticleDecisions.Revise(rule, Draft(critical: true, body: "新规"), "ops", [], Now));
        v2 = Then(v2, ArticleDecisions.Publish(v2, "ops", [], Now.AddHours(1)));
        var owed = Assert.Single(MustRead.For(agent, [v2], reading));
        Assert.Equal((2, (int?)1), (owed.Version, owed.AcknowledgedVersion));
        Assert.IsType<Decision.Conflict>(MustRead.Acknowledge("a-1", v2, agent, reading, new AcknowledgeMustRead(1), Now));
        // Someone not certified for the store has nothing to acknowledge.
        Assert.IsType<Decision.Conflict>(MustRead.Acknowledge("a-9", v2, Certified("a-9", "s-2"), null, new AcknowledgeMustRead(null), Now));
    }

    [Fact]
    public void Compliance_lists_certified_agents_missing_the_current_version_and_since_when()
    {
        var rule = Published(Draft(critical: true), "kb-11", Now.AddHours(-10));
        var late = AgentCertifications.Fold(null, "a-late", [new CertificationGranted("a-late", "s-1", "presales", Now.AddHours(-2))]);
        var agents = new[] { Certified("a-1", "s-1"), Certified("a-2", "s-1"), late, Certified("a-other", "s-2") };
        var readings = new Dictionary<string, AgentReading> { ["a-1"] = AgentReading.Create(new MustReadAcknowledged("a-1", "kb-11", 1, Now)) };

        var compliance = MustRead.Compliance("s-1", agents, [rule, Published(Draft(), "kb-plain")], readings, Now);
        var article = Assert.Single(compliance.Articles);
        Assert.False(compliance.AllAcknowledged);
        Assert.Equal((3, 1), (article.CertifiedAgents, article.Acknowledged));
        Assert.Equal([("a-2", 10.0), ("a-late", 2.0)], article.Missing.Select(m => (m.AgentId, m.HoursOutstanding)));

        readings["a-2"] = AgentReading.Create(new MustReadAcknowledged("a-2", "kb-11", 1, Now));
        readings["a-late"] = AgentReading.Create(new MustReadAcknowledged("a-late", "kb-11", 1, Now));
        Assert.True(MustRead.Compliance("s-1", agents, [rule], readings, Now).AllAcknowledged);
    }

    [Fact]
    public void Real_looking_Chinese_PII_does_not_survive_masking()
    {
        const string transcript = """
            买家：你好，我是张伟，订单号：4021887365029384756 到现在还没发货！
            客服：亲，非常抱歉，请提供一下收件人信息。
            买家：收件人：李秀英，电话 138-1234-5678，备用 139 8765 4321，手机+86 15012345678
            买家：地址是浙江省杭州市西湖区文三路478号华星时代广场A座1203室
            买家：或者寄到上海市浦东新区张江路88弄阳光小区3栋2单元1101室
            买家：座机 021-62345678，公司电话(0755)8765 4321
            买家：身份证 11010519491231002X，邮箱 zhang.wei88@163.com
            客服：好的王女士，已为您备注，京东订单 JD2026112012345 和 320981199203154517 也一并查询。
            客户黄晓明说快递员欧阳先生态度不好，顾客陈静要求退款，另一单 9876543210123。
            买家：姓名 欧阳娜娜，换货寄到广东省深圳市南山区科苑路15号，家里电话 0571 8888 6666，顺丰运单号SF1402938475610。
            """;
        var masked = PiiMasking.Mask(transcript);

        string[] pii =
        [
            "张伟", "4021887365029384756", "李秀英", "138-1234-5678", "13812345678", "139 8765 4321", "15012345678", "浙江省", "杭州市", "西湖区",
            "文三路", "478号", "华星时代", "1203室", "上海市", "浦东新区", "张江路", "88弄", "阳光小区", "3栋", "1101室", "021-62345678",
            "0755", "8765 4321", "11010519491231002X", "zhang.wei88@163.com", "王女士", "JD2026112012345", "320981199203154517", "黄晓明",
            "欧阳先生", "陈静", "9876543210123", "欧阳娜娜", "广东省", "深圳市", "南山区", "科苑路", "15号", "8888 6666",
            "SF1402938475610",
        ];
        Assert.All(pii, p => Assert.DoesNotContain(p, masked));
        // No run of 7+ digits survives at all, whatever the separators.
        Assert.DoesNotMatch(@"\d(?:[\s\-]?\d){6,}", masked);
        // The conversation still reads: the cues and the service language stay.
        Assert.Contains("订单号：[订单号]", masked);
        Assert.Contains("收件人：[姓名]", masked);
        Assert.Contains("[电话]", masked);
        Assert.Contains("[地址]", masked);
        Assert.Contains("[身份证号]", masked);
        Assert.Contains("[邮箱]", masked);
        Assert.True(masked.Contains("亲，非常抱歉，请提供一下收件人信息。"), masked);
        Assert.Contains("态度不好", masked);
    }

    [Theory]
    [InlineData("亲，七天无理由退货，3-5个工作日到账。", "亲，七天无理由退货，3-5个工作日到账。")]
    [InlineData("客户表示不满意，希望尽快处理", "客户表示不满意，希望尽快处理")]
    [InlineData("联系人:赵敏 13700001111", "联系人:[姓名] [电话]")]
    [InlineData("刘先生您好", "[姓名]先生您好")]
    public void Masking_keeps_ordinary_service_language(string text, string expected) => Assert.Equal(expected, PiiMasking.Mask(text));

    [Fact]
    public void A_review_becomes_a_masked_case_draft_of_its_store_linked_to_known_courses()
    {
        var review = new QcReview("review:qc-1", "qc-1", "s-1", "c-1", "a-1", new DateOnly(2026, 11, 2), "i-1", "default", 1, [], ["false-promise"], 0,
            true, ReviewStatus.Completed, 1, null, Now, null);
        var catalogue = Catalogue.Merge([]);
        var command = new PromoteCase("承诺王女士当天发货", "买家 13812345678 催发货，客服承诺当天发货但未兑现。", ["aftersales-refunds"], null);

        var drafted = Assert.IsType<ArticleDrafted>(Assert.Single(Events(CaseDecisions.Promote(review, null, command, catalogue, "ops", [], Now))));
        Assert.Equal(("case-qc-1", "s-1", ArticleKinds.Case, "qc-1"), (drafted.ArticleId, drafted.StoreId, drafted.Kind, drafted.SourceReviewId));
        Assert.Equal(["aftersales-refunds"], drafted.CourseCodes!);
        Assert.DoesNotContain("王女士", drafted.Title);
        Assert.DoesNotContain("13812345678", drafted.Body);
        Assert.Contains("critical-error", drafted.Tags);

        Assert.Contains("courseCodes", Assert.IsType<Decision.Invalid>(CaseDecisions.Promote(review, null, command with { CourseCodes = ["nope"] }, catalogue, "ops", [], Now)).Errors.Keys);
        Assert.IsType<Decision.Conflict>(CaseDecisions.Promote(review, Given(drafted), command, catalogue, "ops", [], Now));
        // A later version of the case is masked as well.
        var revised = Assert.IsType<ArticleDrafted>(Assert.Single(Events(ArticleDecisions.Revise(Given(drafted),
            new DraftArticle(null, null, "案例", "收件人：周杰 电话 13900001111", null, null, null), "ops", [], Now))));
        Assert.Equal("收件人：[姓名] 电话 [电话]", revised.Body);
    }
}
