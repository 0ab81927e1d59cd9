using System.Text.RegularExpressions;

namespace Donations.Api.Infrastructure.Logging;

/// <summary>
/// Redacted forms of donors' personal data for logs. Code logs ids; these are for the rare line
/// that needs a hint of who it was about, and for <see cref="RedactingLoggerFactory"/>, which runs
/// <see cref="Text"/> over everything logged so that an address inside a framework message, a
/// mail server's refusal or a Stripe error never reaches a log sink.
/// </summary>
public static partial class Redact
{
    public const string Marker = "[redacted]";

    /// <summary><c>ada.lovelace@example.org</c> → <c>a***@example.org</c>: the domain helps spot card-testing bursts.</summary>
    public static string Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return "";
        var at = email.LastIndexOf('@');
        if (at < 0) return Marker;
        var local = email[..at].Trim();
        return ((local.Length > 0 ? local[0] + "***" : "***") + email[at..].Trim()).ToLowerInvariant();
    }

    /// <summary><c>Ada Lovelace</c> → <c>A***</c>.</summary>
    public static string Name(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "" : name.Trim()[0] + "***";

    /// <summary>True when <paramref name="text"/> may hold an email address or a sign-in token.</summary>
    public static bool MayHoldPersonalData(string? text) =>
        text is not null && (text.Contains('@') || text.Contains("%40") || text.Contains("/manage/", StringComparison.OrdinalIgnoreCase)
            || text.Contains("token=", StringComparison.OrdinalIgnoreCase) || text.Contains("code=", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Free text with every email address (plain or URL-encoded) redacted, the donor sign-in token
    /// of a <c>/manage/{token}</c> path replaced, and <c>token=</c> / <c>email=</c> query values removed.
    /// </summary>
    public static string Text(string text)
    {
        if (!MayHoldPersonalData(text)) return text;
        text = EmailPattern().Replace(text, m => Email(Uri.UnescapeDataString(m.Value)));
        text = SignInTokenPath().Replace(text, "/manage/" + Marker);
        return SensitiveQueryValue().Replace(text, m => m.Groups[1].Value + Marker);
    }

    /// <summary>
    /// Free text with every email address replaced whole by <see cref="Marker"/>: for text kept where
    /// no erasure reaches (Hangfire's job state), where even a hint of the address is too much.
    /// </summary>
    public static string Addresses(string text) => MayHoldPersonalData(text) ? EmailPattern().Replace(text, Marker) : text;

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // Sign-in tokens are 43 base64url characters; the portal's own pages (account, sign-out, ...) are short words.
    [GeneratedRegex(@"/manage/[A-Za-z0-9_\-]{20,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SignInTokenPath();

    [GeneratedRegex(@"([?&](?:token|email|code)=)[^&\s""']*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SensitiveQueryValue();
}
