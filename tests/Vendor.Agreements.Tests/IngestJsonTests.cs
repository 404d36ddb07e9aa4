using System.Globalization;
using System.Text;
using System.Text.Json;
using Vendor.Agreements.Ingestion;

namespace Vendor.Agreements.Tests;

/// <summary>The ingestion request's hand-written reader and the timestamps' fast path agree with the general ones they replace.</summary>
public class IngestJsonTests
{
    private static IngestRequest? General(string json) => JsonSerializer.Deserialize<IngestRequest>(json, ConversationLedger.Json);
    private static IngestRequest? ByHand(string json) => JsonSerializer.Deserialize<IngestRequest>(Encoding.UTF8.GetBytes(json), IngestJson.Options);

    // Records holding lists compare by reference: compare what they read as written back by the general serializer.
    private static string Shape(IngestRequest? request) => JsonSerializer.Serialize(request, ConversationLedger.Json);

    [Theory]
    [InlineData("""{"conversations":[{"conversationId":"c1","channel":"chat","kind":"presales","messages":[{"at":"2026-11-02T09:00:05+08:00","from":"customer","text":"在吗？"},{"at":"2026-11-02T09:00:50+08:00","from":"agent","agentId":"a-1","text":"亲，在的"}],"resolved":true,"rating":"satisfied","orderPaidAt":"2026-11-03T20:15:00+08:00"}]}""")]
    [InlineData("""{"CONVERSATIONS":[{"ConversationID":"c1","Channel":"chat","KIND":"aftersales","Messages":[{"AT":"2026-11-02T09:00:05Z","From":"bot","AgentId":"x","Text":null}],"Resolved":false,"Rating":null}]}""")]
    [InlineData("""{"conversations":[{"conversationId":"c1","extra":{"nested":[1,2,{"a":[]}]},"messages":[{"at":"x","unknown":[true],"from":"agent"}],"more":null}],"other":1}""")]
    [InlineData("""{"conversations":[{"conversationId":null,"messages":null,"resolved":null},{"messages":[null,{"from":"system"}]},null,{}]}""")]
    [InlineData("""{"conversations":[{"\u0063onversationId":"escaped-name","messages":[{"\u0061t":"2026-11-02T09:00:05+08:00","text":"\u5728\u5417"}]}]}""")]
    [InlineData("""{"conversations":[{"conversationId":"twice","conversationId":"last wins","messages":[]}]}""")]
    [InlineData("""{"conversations":[]}""")]
    [InlineData("""{"conversations":null}""")]
    [InlineData("""{}""")]
    public void Reads_a_request_as_the_serializer_does(string json) =>
        Assert.Equal(Shape(General(json)), Shape(ByHand(json)));

    [Theory]
    [InlineData("""{"conversations":[{"messages":{}}]}""")]
    [InlineData("""{"conversations":[{"messages":[1]}]}""")]
    [InlineData("""{"conversations":[{"messages":["text"]}]}""")]
    [InlineData("""{"conversations":[{"messages":[{"at":5}]}]}""")]
    [InlineData("""{"conversations":[{"messages":[{"from":["agent"]}]}]}""")]
    [InlineData("""{"conversations":[{"resolved":"yes"}]}""")]
    [InlineData("""{"conversations":[{"resolved":1}]}""")]
    [InlineData("""{"conversations":[{"conversationId":7}]}""")]
    [InlineData("""{"conversations":[{"rating":{}}]}""")]
    [InlineData("""{"conversations":[1]}""")]
    [InlineData("""{"conversations":[{"conversationId":"c1"}""")]
    [InlineData("""{"conversations":[{"conversationId":"c1",}]}""")]
    [InlineData("""{"conversations":[{"messages":[{"at":"2026-11-02T09:00:05+08:00",}]}]}""")]
    [InlineData("""{"conversations":[{"messages":[{"at":"2026-11-02T09:00:05+08:00" /* a comment */}]}]}""")]
    [InlineData("""{"conversations":[{"extra":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}""")]
    [InlineData("""{"conversations":[{"conversationId":"c1"}]} trailing""")]
    public void Rejects_what_the_serializer_rejects(string json)
    {
        Assert.ThrowsAny<JsonException>(() => General(json));
        var e = Assert.ThrowsAny<JsonException>(() => ByHand(json));
        Assert.NotNull(e.Path);
    }

    [Fact]
    public void A_rejection_names_the_field_and_the_conversation()
    {
        var e = Assert.ThrowsAny<JsonException>(() => ByHand("""{"conversations":[{"messages":[]},{"messages":[{"from":"agent"},{"at":5}]}]}"""));
        Assert.Contains("messages[].at", e.Message);
        Assert.Equal("$.conversations[1]", e.Path);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"conversations":[{"conversationId":"c?","messages":[]}]}""");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xFF;
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<IngestRequest>(bytes, IngestJson.Options));
    }

    [Fact]
    public void The_common_timestamp_form_reads_as_the_general_parser_reads_it()
    {
        var random = new Random(20261201);
        var cases = new List<string>
        {
            "2026-11-02T09:00:05+08:00", "2026-11-02T09:00:05-00:00", "2026-11-02T09:00:05+14:00", "2026-11-02T09:00:05-14:00",
            "2026-11-02T09:00:05+14:01", "2026-11-02T09:00:05+15:00", "2026-11-02T09:00:05+08:60", "2026-11-02T24:00:00+08:00",
            "2026-11-02T23:59:60+08:00", "2026-11-02T23:60:00+08:00", "2026-02-29T10:00:00+08:00", "2028-02-29T10:00:00+08:00",
            "2026-02-30T10:00:00+08:00", "2026-13-01T10:00:00+08:00", "2026-00-01T10:00:00+08:00", "2026-01-00T10:00:00+08:00",
            "2000-01-01T00:00:00+08:00", "2000-01-01T07:59:59-08:00", "2000-01-01T00:00:00+00:00", "1999-12-31T23:00:00-02:00",
            "2099-12-31T23:59:59+00:00", "2099-12-31T20:00:00-08:00", "2100-01-01T00:00:00+14:00", "2026-11-02 09:00:05+08:00",
            "2026-11-02T09:00:05+0800", "2026-11-02T09:00:05Z", "2026-11-02T09:00+08:00", "2026-11-02T09:00:05.123+08:00",
            "２０26-11-02T09:00:05+08:00", "2026-11-02T09:00:05 08:00", "2026-11-02T0a:00:05+08:00", "2026-1１-02T09:00:05+08:00",
            "", "2026-11-02T09:00:05+08:00 ",
        };
        for (var i = 0; i < 20_000; i++)
        {
            // Valid and nearly valid fields around every boundary, in the common form.
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{random.Next(1998, 2102):D4}-{random.Next(0, 14):D2}-{random.Next(0, 33):D2}T{random.Next(0, 26):D2}:{random.Next(0, 62):D2}:" +
                $"{random.Next(0, 62):D2}{(random.Next(2) == 0 ? '+' : '-')}{random.Next(0, 16):D2}:{random.Next(0, 62):D2}");
            cases.Add(text);
            // And with one character replaced.
            var chars = text.ToCharArray();
            chars[random.Next(chars.Length)] = "0123456789-:T+Z x."[random.Next(18)];
            cases.Add(new string(chars));
        }
        var accepted = 0;
        foreach (var text in cases)
        {
            var general = ConversationRules.AnyTimestamp(text);
            var common = ConversationRules.Timestamp(text);
            Assert.True(general == common && general?.Offset == common?.Offset, $"{text}: general {general:o}, common {common:o}");
            if (common is not null) accepted++;
        }
        Assert.True(accepted > 5_000, $"only {accepted} of {cases.Count} accepted: the cases miss the valid range");
    }
}
