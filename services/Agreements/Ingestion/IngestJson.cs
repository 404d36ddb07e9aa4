using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vendor.Agreements.Ingestion;

/// <summary>
/// How the ingestion request's body is read: its conversations and messages by hand, property by property, into the same records.
/// System.Text.Json reads a record with constructor parameters by buffering every argument before it calls the constructor, and
/// eight messages a conversation make that the largest part of reading a request. Same rules as the serializer's web defaults:
/// property names in any case, unknown properties skipped, a value of the wrong kind a <see cref="JsonException"/> (the 400).
/// Only the request is read this way: the OpenAPI document and everything written keep the serializer's own contract.
/// </summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(ConversationLedger.Json) { Converters = { new ConversationReader() } };

    private sealed class MessageReader : JsonConverter<MessageInput>
    {
        public override MessageInput Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(ref reader, JsonTokenType.StartObject, "Each message: an object.");
            string? at = null, from = null, agentId = null, text = null;
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, "at"u8)) at = ReadString(ref reader, "messages[].at");
                else if (Is(ref reader, "from"u8)) from = ReadString(ref reader, "messages[].from");
                else if (Is(ref reader, "agentId"u8)) agentId = ReadString(ref reader, "messages[].agentId");
                else if (Is(ref reader, "text"u8)) text = ReadString(ref reader, "messages[].text");
                else SkipValue(ref reader);
            }
            return new MessageInput(at, from, agentId, text);
        }

        public override void Write(Utf8JsonWriter writer, MessageInput value, JsonSerializerOptions options) =>
            throw new NotSupportedException("Only requests are read with these options.");
    }

    private static readonly MessageReader Messages = new();

    private sealed class ConversationReader : JsonConverter<ConversationInput>
    {
        public override ConversationInput Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            Expect(ref reader, JsonTokenType.StartObject, "Each conversation: an object.");
            string? id = null, channel = null, kind = null, rating = null, paid = null;
            List<MessageInput>? messages = null;
            bool? resolved = null;
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, "conversationId"u8)) id = ReadString(ref reader, "conversationId");
                else if (Is(ref reader, "channel"u8)) channel = ReadString(ref reader, "channel");
                else if (Is(ref reader, "kind"u8)) kind = ReadString(ref reader, "kind");
                else if (Is(ref reader, "rating"u8)) rating = ReadString(ref reader, "rating");
                else if (Is(ref reader, "orderPaidAt"u8)) paid = ReadString(ref reader, "orderPaidAt");
                else if (Is(ref reader, "resolved"u8))
                {
                    reader.Read();
                    resolved = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        JsonTokenType.Null => null,
                        _ => throw new JsonException("resolved: true, false or null."),
                    };
                }
                else if (Is(ref reader, "messages"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null) { messages = null; continue; }
                    Expect(ref reader, JsonTokenType.StartArray, "messages: a list of message objects.");
                    messages = new List<MessageInput>(8);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        // A null message is kept: validation rejects it by its position.
                        messages.Add(reader.TokenType == JsonTokenType.Null ? null! : Messages.Read(ref reader, typeof(MessageInput), options));
                }
                else SkipValue(ref reader);
            }
            return new ConversationInput(id, channel, kind, messages, resolved, rating, paid);
        }

        public override void Write(Utf8JsonWriter writer, ConversationInput value, JsonSerializerOptions options) =>
            throw new NotSupportedException("Only requests are read with these options.");
    }

    // The serializer sets the exception's Path ($.conversations[i]); the message names the field within it.
    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string rule)
    {
        if (reader.TokenType != token) throw new JsonException(rule);
    }

    /// <summary>Moves onto the next property name of the object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>The current property name, compared as the web defaults do (case-insensitive).</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueIsEscaped || reader.HasValueSequence
            ? string.Equals(reader.GetString(), Encoding.UTF8.GetString(name), StringComparison.OrdinalIgnoreCase)
            : Ascii.EqualsIgnoreCase(reader.ValueSpan, name);

    private static string? ReadString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"{field}: a string or null."),
        };
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }
}
