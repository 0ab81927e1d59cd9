using System.Net;
using System.Text.RegularExpressions;
using Donations.Api.Features.DonorPortal;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using MimeKit;

namespace Donations.Tests.DonorPortal;

/// <summary>What a donor's browser does on the portal, and the data the tests start from.</summary>
internal static partial class Portal
{
    public const string BaseUrl = "https://donate.example.org";

    /// <summary>The antiforgery field (name, value) of the first form on a page.</summary>
    public static async Task<KeyValuePair<string, string>> FormTokenAsync(HttpClient client, string path)
    {
        var page = await client.GetStringAsync(path);
        var match = HiddenField().Match(page);
        Assert.True(match.Success, $"no antiforgery field on {path}");
        return new(WebUtility.HtmlDecode(match.Groups[1].Value), WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, KeyValuePair<string, string> token, params (string Key, string Value)[] fields) =>
        await client.PostAsync(path, new FormUrlEncodedContent(
            fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)).Append(token)));

    public static async Task<HttpResponseMessage> RequestLinkAsync(HttpClient client, string email) =>
        await PostFormAsync(client, "/manage", await FormTokenAsync(client, "/manage"), ("email", email));

    /// <summary>The sign-in path (<c>/manage/{token}</c>) in a sign-in email.</summary>
    public static string LinkPath(MimeMessage message)
    {
        var match = Regex.Match(message.TextBody ?? "", $@"{Regex.Escape(BaseUrl)}(/manage/[A-Za-z0-9_-]{{43}})\b");
        Assert.True(match.Success, "no sign-in link in the email");
        return match.Groups[1].Value;
    }

    public static async Task<Donor> SeedDonorAsync(DonationsApp app, string email, string? name = null, string? customer = null)
    {
        var donor = new Donor { Email = email, Name = name, StripeCustomerId = customer, CreatedAt = DateTime.UtcNow };
        await app.WithDbAsync(async db => { db.Donors.Add(donor); await db.SaveChangesAsync(); });
        return donor;
    }

    /// <summary>Stores a valid link for the donor the way the sign-in job does, and returns its path.</summary>
    public static async Task<string> SeedLinkAsync(DonationsApp app, long donorId, DateTime? createdAt = null)
    {
        var token = SignInTokens.NewToken();
        var at = createdAt ?? DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            db.DonorSignInTokens.Add(new DonorSignInToken
            {
                DonorId = donorId, TokenHash = SignInTokens.Hash(token), CreatedAt = at, ExpiresAt = at + SignInTokens.Lifetime,
            });
            await db.SaveChangesAsync();
        });
        return $"/manage/{token}";
    }

    /// <summary>
    /// What a donor's browser does with a link: opens the page (which spends nothing) and presses
    /// its "Sign in" button. When the page is a refusal, that page is the answer.
    /// </summary>
    public static async Task<HttpResponseMessage> RedeemAsync(HttpClient client, string linkPath)
    {
        var page = await client.GetAsync(linkPath);
        if (page.StatusCode != HttpStatusCode.OK) return page;
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"""<form method="post" action="{linkPath}">""", html);
        var match = HiddenField().Match(html);
        return await PostFormAsync(client, linkPath, new(WebUtility.HtmlDecode(match.Groups[1].Value), WebUtility.HtmlDecode(match.Groups[2].Value)));
    }

    /// <summary>Follows a fresh link for the donor; the client then holds the donor's session cookie.</summary>
    public static async Task SignInAsync(DonationsApp app, HttpClient client, long donorId)
    {
        var response = await RedeemAsync(client, await SeedLinkAsync(app, donorId));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/manage/account", response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("""<input type="hidden" name="([^"]+)" value="([^"]+)">""")]
    private static partial Regex HiddenField();
}
