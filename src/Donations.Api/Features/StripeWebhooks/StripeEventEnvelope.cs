using System.Text.Json;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// The few fields of a Stripe event the inbox needs, read without binding the whole object so a
/// payload of any API version (or an unknown type) can still be recorded.
/// </summary>
public sealed record StripeEventEnvelope(string Id, string Type, string? ApiVersion, DateTime CreatedAt, bool LiveMode)
{
    public static StripeEventEnvelope? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            // One pass over the top level, everything else skipped (and still checked to be JSON):
            // building a document of the whole event was a twentieth of the webhook's CPU.
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            string? kind = null, id = null, type = null, apiVersion = null;
            long? unix = null;
            var live = false;
            // A field given twice counts as its last, as a document's property lookup takes it; each
            // occurrence must still decode (an escaped lone surrogate refuses the event).
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Field(ref reader);
                reader.Read();
                switch (field)
                {
                    case "object": kind = String(ref reader); break;
                    case "id": id = String(ref reader); break;
                    case "type": type = String(ref reader); break;
                    case "api_version": apiVersion = String(ref reader); break;
                    case "created": unix = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null; break;
                    case "livemode": live = reader.TokenType == JsonTokenType.True; break;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject) return null;
            if (kind is not null && kind != "event") return null;
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type) || id.Length > 255 || type.Length > 100) return null;
            if (unix is not { } created) return null;
            return new StripeEventEnvelope(id, type, apiVersion is { Length: <= 64 } ? apiVersion : null,
                DateTimeOffset.FromUnixTimeSeconds(created).UtcDateTime, live);
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Which of the envelope's fields the property at the reader names (escapes read as JSON reads them), or null.</summary>
    private static string? Field(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("object"u8) ? "object"
        : reader.ValueTextEquals("id"u8) ? "id"
        : reader.ValueTextEquals("type"u8) ? "type"
        : reader.ValueTextEquals("api_version"u8) ? "api_version"
        : reader.ValueTextEquals("created"u8) ? "created"
        : reader.ValueTextEquals("livemode"u8) ? "livemode"
        : null;

    private static string? String(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
}
