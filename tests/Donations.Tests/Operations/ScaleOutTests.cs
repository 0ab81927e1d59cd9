using System.Net;
using Donations.Api.Features.Staff;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Donations.Tests.Operations;

/// <summary>
/// Hangfire's scale-out model with two real service processes on one PostgreSQL database: a
/// web-only node (<c>Hangfire:ServerEnabled=false</c>) and a full node that also runs the jobs.
/// Stripe delivers every event to both at once, as a retry landing on the other node would.
/// </summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Two_nodes_on_one_database_record_every_gift_once_and_accept_each_others_staff_cookies()
    {
        await using var stripe = await StripeStandIn.StartAsync();
        await using var smtp = await SmtpSink.StartAsync();
        var connectionString = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var work = Directory.CreateTempSubdirectory("donations-scale-").FullName;
        try
        {
            await using var web = await ServiceProcess.StartAsync(NodeSettings(stripe, smtp, connectionString, work, worker: false), work);
            var staffEmail = $"finance-{Guid.NewGuid():N}@example.org";
            var startWorker = ServiceProcess.StartAsync(NodeSettings(stripe, smtp, connectionString, work, worker: true), work);
            await AddStaffAsync(stripe, smtp, connectionString, work, staffEmail);
            await using var worker = await startWorker;
            var nodes = new[] { web, worker };

            var oneTime = Enumerable.Range(1, 6).Select(i => new OneTimeGift(Amount: 1000 + i, Email: $"reader{i}@example.org", Name: $"Reader {i}")).ToList();
            var monthly = Enumerable.Range(1, 3).Select(i => new MonthlyGift(Amount: 1500 + i, Email: $"member{i}@example.org", Name: $"Member {i}")).ToList();
            var events = oneTime.Select(g => g.CheckoutCompleted())
                .Concat(monthly.SelectMany(g => new[] { g.CheckoutCompleted(), g.InvoicePaid(1), g.SubscriptionCreated(), g.InvoicePaid(2) }))
                .ToList();

            // Every event reaches both nodes at the same moment; which one is asked first alternates.
            using var http = new HttpClient();
            for (var i = 0; i < events.Count; i++)
            {
                var (first, second) = (nodes[i % 2], nodes[(i + 1) % 2]);
                var answers = await Task.WhenAll(PostWebhookAsync(http, first, events[i]), PostWebhookAsync(http, second, events[i]));
                Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
            }

            var expected = oneTime.Select(g => "pi:" + g.PaymentIntentId)
                .Concat(monthly.SelectMany(g => new[] { "in:" + g.Month(1).InvoiceId, "in:" + g.Month(2).InvoiceId }))
                .Order().ToList();
            var ids = events.Select(StripeEventFactory.IdOf).ToList();
            await using (var db = Db(connectionString))
            {
                await Wait.UntilAsync(async () => await db.StripeEvents.CountAsync(e => ids.Contains(e.Id)
                        && (e.Status == StripeEventStatus.Processed || e.Status == StripeEventStatus.Ignored)) == ids.Count,
                    TimeSpan.FromSeconds(30), "both nodes' events to be processed by the worker");

                Assert.Equal(ids.Count, await db.StripeEvents.CountAsync());
                Assert.Equal(expected, (await db.Donations.Select(d => d.SettlementKey).ToListAsync()).Order().ToList());
                Assert.Equal(monthly.Count, await db.Memberships.CountAsync());

                // One receipt per gift, numbered without gaps, each emailed once by whichever worker took it.
                await Wait.UntilAsync(async () => await db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent) == expected.Count,
                    TimeSpan.FromSeconds(30), "every receipt to be sent");
                await JobsWait.WaitForIdleJobsAsync(connectionString, retriesExpected: true);
                var receipts = await db.Receipts.ToListAsync();
                Assert.Equal(expected.Count, receipts.Count);
                Assert.Equal(expected.Count, receipts.Select(r => r.DonationId).Distinct().Count());
                GaplessNumbers.AssertPerYear(receipts.Select(r => (r.Year, r.Sequence)), expected.Count);
                // Each receipt's message arrived exactly once (members also get a welcome email, not counted here).
                var receiptMail = receipts.Select(r => smtp.Messages.Where(m => m.MessageId == r.MessageId).ToList()).ToList();
                Assert.All(receiptMail, mails => Assert.Single(mails));
                Assert.All(oneTime, g => Assert.Single(receiptMail, mails => mails[0].To.Mailboxes.Single().Address == g.Email));
                Assert.All(monthly, g => Assert.Equal(2, receiptMail.Count(mails => mails[0].To.Mailboxes.Single().Address == g.Email)));
            }

            // Staff sign in on one node; the other node reads the same cookie with keys from the database.
            var cookies = new LoopbackCookies(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
            using (var onWeb = new HttpClient(cookies, disposeHandler: false) { BaseAddress = web.BaseAddress })
                Assert.Equal(HttpStatusCode.SeeOther, (await StaffTestSupport.SignInAsync(onWeb, staffEmail, StaffTestSupport.Password)).StatusCode);
            var cookie = cookies.HeaderFor(StaffAuthentication.HomePath);
            using var onWorker = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = worker.BaseAddress };
            var home = new HttpRequestMessage(HttpMethod.Get, StaffAuthentication.HomePath);
            home.Headers.Add("Cookie", cookie);
            var anonymous = await onWorker.GetAsync(StaffAuthentication.HomePath);

            var signedIn = await onWorker.SendAsync(home);

            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(work, recursive: true);
        }
    }

    private static Dictionary<string, string?> NodeSettings(StripeStandIn stripe, SmtpSink smtp, string connectionString, string work, bool worker)
    {
        var options = new DonationsAppOptions { Provider = DatabaseProvider.Postgres, UseSmtp = true, Stripe = stripe, Smtp = smtp, HangfireServer = worker };
        var settings = DonationsApp.DefaultSettings(options, work, connectionString);
        // The web-only node migrates on start; the worker starts after it and finds nothing to do.
        settings["Database:MigrateOnStart"] = worker ? "false" : "true";
        return settings;
    }

    private static async Task AddStaffAsync(StripeStandIn stripe, SmtpSink smtp, string connectionString, string work, string email)
    {
        var settings = NodeSettings(stripe, smtp, connectionString, work, worker: false);
        settings[StaffCommand.PasswordVariable] = StaffTestSupport.Password;
        await using var command = await ServiceProcess.StartAsync(settings, work, args: ["staff", "add", email, "--role", "Finance"], waitUntilLive: false);
        Assert.True(await command.WaitForExitAsync() == 0, command.Output);
    }

    private static Task<HttpStatusCode> PostWebhookAsync(HttpClient http, ServiceProcess node, string json) =>
        http.PostEventAsync(json, new Uri(node.BaseAddress, "/stripe/webhook"));

    private static DonationsDbContext Db(string connectionString) =>
        new(new DbContextOptionsBuilder<DonationsDbContext>().UseNpgsql(connectionString).Options);
}
