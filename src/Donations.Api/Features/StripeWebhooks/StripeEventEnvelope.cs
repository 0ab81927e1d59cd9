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
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.String && obj.GetString() != "event")
                return null;
            var id = String(root, "id");
            var type = String(root, "type");
            if (string.IsNullOrWhiteSpace(id) || string.IsNullOrWhiteSpace(type) || id.Length > 255 || type.Length > 100) return null;
            if (!root.TryGetProperty("created", out var created) || !created.TryGetInt64(out var unix)) return null;
            var apiVersion = String(root, "api_version");
            var live = root.TryGetProperty("livemode", out var lm) && lm.ValueKind == JsonValueKind.True;
            return new StripeEventEnvelope(id, type, apiVersion is { Length: <= 64 } ? apiVersion : null,
                DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime, live);
        }
        catch (Exception e) when (e is JsonException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
