using System.Net;
using System.Net.Http.Json;
using Donations.Api.Infrastructure.Logging;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Donations.Tests.Operations;

/// <summary>
/// Donors' addresses and names reach the database, Stripe and their mailbox, never a log sink:
/// a whole day's traffic runs through the app with every category at Information, and every
/// captured message, structured value, scope and exception is searched.
/// </summary>
public sealed class LogRedactionTests
{
    private const string CheckoutEmail = "ignatius.farthing@example.org";
    private const string RefusedEmail = "wilhelmina.quartz@example.net";

    [Fact]
    public async Task No_donor_email_or_name_reaches_the_log_at_information_level()
    {
        var capture = new LogCapture();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.ConfigureServices = capture.AddTo;
            o.Settings["Logging:LogLevel:Default"] = "Information";
            o.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Information";
            o.Settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information";
            o.Settings["Logging:LogLevel:Hangfire"] = "Information";
        });
        var oneTime = new OneTimeGift(Amount: 2500, Email: "Philippa.Quenby@Example.org", Name: "Philippa Quenby");
        var monthly = new MonthlyGift(Amount: 2000, Email: "octavia.brightwater@example.com", Name: "Octavia Brightwater");

        // One donor's mail server refuses the receipt (its refusal quotes the address).
        app.Smtp!.Reject(monthly.Email);

        // Readers start Checkout through the JSON API and the form.
        var api = await app.Client.PostAsJsonAsync("/api/checkout", new { amount = 2500, currency = "usd", frequency = "one-time", email = CheckoutEmail });
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        var form = await app.Client.PostAsync("/donate", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["amount"] = "25", ["frequency"] = "monthly", ["email"] = CheckoutEmail,
        }));
        Assert.Equal(HttpStatusCode.SeeOther, form.StatusCode);
        // A newsletter link that pre-fills the address puts it in the request line.
        await app.Client.GetAsync("/donate?email=" + Uri.EscapeDataString(CheckoutEmail));
        // Stripe quoting the address back in a refusal (its messages do).
        app.Stripe.On("POST", "/v1/checkout/sessions", _ =>
            StripeReply.Error(400, "invalid_request_error", $"Invalid email address: {RefusedEmail}", "email_invalid"));
        var refused = await app.Client.PostAsJsonAsync("/api/checkout", new { amount = 2500, currency = "usd", frequency = "one-time", email = RefusedEmail });
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);

        // Stripe reports a one-time gift, a monthly gift's first month (twice over), and a refund.
        await app.DeliverAndProcessAsync(oneTime.CheckoutCompleted(), monthly.CheckoutCompleted(), monthly.InvoicePaid(1));
        await app.DeliverAndProcessAsync(monthly.InvoicePaid(1), oneTime.Refunded(2500));
        Assert.Equal(2, await app.WithDbAsync(db => db.Donations.CountAsync()));
        // Receipts go out (the one-time gift's receipt and its void notice), one is refused.
        await Wait.UntilAsync(() => app.WithDbAsync(async db =>
                await db.Receipts.CountAsync() >= 3 && !await db.Receipts.AnyAsync(r => r.Status == ReceiptStatus.Pending)),
            TimeSpan.FromSeconds(30), "receipts to be sent or refused");
        Assert.Contains(app.Smtp.Messages, m => m.To.Mailboxes.Any(a => string.Equals(a.Address, oneTime.Email, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(ReceiptStatus.Failed, await app.WithDbAsync(db => db.Receipts.Where(r => r.Donation!.Donor!.Email == monthly.Email).Select(r => r.Status).SingleAsync()));

        // Finance staff sign in and export the books (which do hold the addresses).
        using var staff = await StaffTestSupport.SignedInAsync(app, "Finance");
        var export = await staff.GetStringAsync("/api/finance/donations.csv");
        Assert.Contains(monthly.Email, export);

        // The one-time donor asks for a sign-in link by email and follows it to the portal.
        using var donor = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await Portal.RequestLinkAsync(donor, oneTime.Email)).StatusCode);
        MimeMessage? linkMail = null;
        await Wait.UntilAsync(() => Task.FromResult((linkMail = app.Smtp.Messages.FirstOrDefault(m =>
                m.TextBody?.Contains(Portal.BaseUrl + "/manage/") == true)) is not null),
            TimeSpan.FromSeconds(30), "the sign-in link to be emailed");
        var link = Portal.LinkPath(linkMail!);
        Assert.Equal(HttpStatusCode.SeeOther, (await Portal.RedeemAsync(donor, link)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await donor.GetAsync("/manage/account")).StatusCode);

        var signInToken = link["/manage/".Length..];
        var secrets = new[] { oneTime.Email, oneTime.Name!, monthly.Email, monthly.Name!, CheckoutEmail, RefusedEmail, signInToken };
        var entries = capture.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        var leaks = entries
            .SelectMany(e => e.Texts().Select(text => (Entry: e, Text: text)))
            .Where(x => secrets.Any(s => Contains(x.Text, s)))
            .Select(x => $"{x.Entry}  ⇐  {x.Text}")
            .ToList();
        Assert.True(leaks.Count == 0, "Personal data in the log:\n" + string.Join('\n', leaks.Distinct()));

        // The search was over real traffic: requests, SQL, jobs and the service's own lines were all captured,
        // and the places where addresses did turn up hold their redacted form.
        Assert.Contains(entries, e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.Contains(entries, e => e.Category == "Microsoft.EntityFrameworkCore.Database.Command");
        Assert.Contains(entries, e => e.Category.StartsWith("Donations.Api", StringComparison.Ordinal) && e.Message.Contains("refunded"));
        Assert.Contains(entries, e => e.Message.Contains("GET https://localhost/donate?email=" + Redact.Marker));
        Assert.Contains(entries, e => e.Message.Contains("GET https://localhost/manage/" + Redact.Marker));
        // The host's request scope carries the path: read through the redaction like the rest.
        Assert.Contains(entries, e => e.Scopes.Contains("RequestPath=/manage/" + Redact.Marker));
        Assert.Contains(entries, e => e.Texts().Any(t => t.Contains(Redact.Email(RefusedEmail))));
    }

    [Fact]
    public void A_scope_is_redacted_when_read_whether_a_list_a_sequence_or_text()
    {
        const string email = "pat.quill@example.org";
        var capture = new LogCapture();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(capture)));
        var log = factory.CreateLogger("scopes");

        using (log.BeginScope(new List<KeyValuePair<string, object?>> { new("Email", email) }))
        using (log.BeginScope(new SequenceScope($"gift for {email}")))
        using (log.BeginScope($"plain {email}"))
        {
            log.LogInformation("inside");
            log.LogInformation("read twice");
        }

        Assert.Equal(2, capture.Entries.Count);
        Assert.All(capture.Entries, e =>
        {
            Assert.DoesNotContain(e.Scopes, s => s.Contains(email, StringComparison.OrdinalIgnoreCase));
            Assert.Contains("Email=" + Redact.Email(email), e.Scopes);
            Assert.Contains($"gift for {Redact.Email(email)}", e.Scopes);
            Assert.Contains($"plain {Redact.Email(email)}", e.Scopes);
        });
    }

    /// <summary>A scope that is a sequence but not a list, whose values are clean and whose text is not.</summary>
    private sealed class SequenceScope(string text) : IEnumerable<KeyValuePair<string, object?>>
    {
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() { yield return new("Kind", "gift"); }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => text;
    }

    [Fact]
    public async Task EF_Core_never_logs_parameter_values()
    {
        await using var app = await DonationsApp.StartAsync();

        var sensitive = await app.WithDbAsync(db => Task.FromResult(
            db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.IsSensitiveDataLoggingEnabled));

        Assert.False(sensitive ?? false);
    }

    private static bool Contains(string text, string secret) =>
        text.Contains(secret, StringComparison.OrdinalIgnoreCase)
        || text.Contains(Uri.EscapeDataString(secret), StringComparison.OrdinalIgnoreCase)
        || text.Contains(WebUtility.UrlEncode(secret), StringComparison.OrdinalIgnoreCase);
}
