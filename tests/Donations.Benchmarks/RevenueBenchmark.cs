using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Donations.Tests.Infrastructure;
using Npgsql;

namespace Donations.Benchmarks;

/// <summary>
/// The revenue page (<c>GET /staff/revenue</c>) over a year of N gifts on PostgreSQL, as finance staff
/// see it: signed in, over HTTP, from the service in its own process. Gifts are spread over the 365
/// days before now in two currencies, 20 campaigns and 200 sources, from N/4 donors. Reports the
/// first view (which recounts every day of the rollup, as after an upgrade or a bulk load), the
/// median of the next views and their <c>Server-Timing</c> parts, and — for comparison on the same
/// data — the same figures read straight from the donations through the <c>ReceivedAt</c> index, as
/// the page did before the rollup.
/// </summary>
public static partial class RevenueBenchmark
{
    private const string Email = "finance@example.org", Password = "correct horse battery staple";

    public sealed record Result(int Gifts, TimeSpan Seed, TimeSpan First, TimeSpan WarmMedian, string ServerTiming, TimeSpan Direct)
    {
        public override string ToString() =>
            $"revenue: {Gifts} gifts (seeded in {Seed.TotalSeconds:F0} s); first view {First.TotalMilliseconds:F0} ms (every day recounted), " +
            $"then median {WarmMedian.TotalMilliseconds:F0} ms [{ServerTiming}]; " +
            $"the same gift figures straight from the donations: {Direct.TotalMilliseconds:F0} ms";
    }

    public static async Task<Result> RunAsync(int gifts, int views = 5)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        using var scratch = new ScratchDirectory();
        var dir = scratch.Path;
        var settings = BenchmarkEnvironment.ServiceSettings(cs, dir);
        await using var service = await ServiceProcess.StartAsync(settings, dir);
        var (exit, output) = await ServiceProcess.RunAsync(new ServiceProcess.Launch(settings, dir)
            { Args = ["staff", "add", Email, "--role", "Finance"], StandardInput = Password + "\n" });
        if (exit != 0) throw new InvalidOperationException(output);

        var clock = Stopwatch.StartNew();
        await ExecuteAsync(cs, SeedSql(gifts));
        var seed = clock.Elapsed;

        using var client = new HttpClient(new LoopbackCookies(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }))
            { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        await SignInAsync(client);
        var (first, _) = await ViewAsync(client);
        var warm = new List<(TimeSpan Elapsed, string Timing)>();
        for (var i = 0; i < views; i++) warm.Add(await ViewAsync(client));
        var median = warm.OrderBy(w => w.Elapsed).ElementAt(warm.Count / 2);

        clock.Restart();
        await ExecuteAsync(cs, DirectSql());
        var direct = clock.Elapsed;
        Directory.Delete(dir, recursive: true);
        return new Result(gifts, seed, first, median.Elapsed, median.Timing, direct);
    }

    private static async Task<(TimeSpan, string)> ViewAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        using var page = await client.GetAsync("/staff/revenue");
        var html = await page.Content.ReadAsStringAsync();
        clock.Stop();
        if (page.StatusCode != HttpStatusCode.OK || !html.Contains("id=\"monthly-amount-usd\""))
            throw new InvalidOperationException($"The revenue page answered {(int)page.StatusCode} without its charts.");
        return (clock.Elapsed, page.Headers.TryGetValues("Server-Timing", out var t) ? string.Join(", ", t) : "");
    }

    private static async Task SignInAsync(HttpClient client)
    {
        var form = await client.GetStringAsync("/staff/login");
        var token = TokenField().Match(form).Groups[1].Value;
        using var answer = await client.PostAsync("/staff/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["returnUrl"] = "/staff/revenue", ["email"] = Email, ["password"] = Password,
        }));
        if (answer.StatusCode != HttpStatusCode.SeeOther) throw new InvalidOperationException($"Staff sign-in answered {(int)answer.StatusCode}.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var db = new NpgsqlConnection(cs);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db) { CommandTimeout = 3600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The gifts, then a mark asking the rollup to recount every day — what anyone loading gifts in
    /// bulk, outside the webhook path, does (the service's own recurring recount may run before the load).
    /// </summary>
    private static string SeedSql(int gifts) => $"""
        INSERT INTO "Donors" ("Email", "Name", "CreatedAt")
        SELECT 'reader' || g || '@example.com', 'Reader ' || g, now() FROM generate_series(1, {Math.Max(1, gifts / 4)}) g;
        INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
            "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt", "Campaign", "Source", "ChargeRefundedAmount",
            "LostDisputeAmount", "BenefitsTreatment", "Version")
        SELECT 'pi:pi_rev_' || g, 1 + g % {Math.Max(1, gifts / 4)}, 500 + (g % 50) * 250, CASE WHEN g % 7 = 0 THEN 'eur' ELSE 'usd' END,
            'OneTime', 'Succeeded', CASE WHEN g % 40 = 0 THEN 500 ELSE 0 END, false, 0, CASE WHEN g % 9 = 0 THEN 1000 ELSE 0 END,
            now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second', now(),
            'campaign-' || (g % 20), 'article-' || (g % 200), CASE WHEN g % 40 = 0 THEN 500 ELSE 0 END, 0, 'Deducted', 0
        FROM generate_series(1, {gifts}) g;
        INSERT INTO "RevenueDaysToRecount" ("Day") VALUES (date '0001-01-01');
        ANALYZE;
        """;

    /// <summary>The page's gift figures as it read them before the rollup: one indexed range per day (90), month (24) and the year, plus campaigns, sources and the quid-pro-quo count.</summary>
    private static string DirectSql()
    {
        var today = DateTime.UtcNow.Date;
        var ranges = Enumerable.Range(-89, 90).Select(i => (today.AddDays(i), today.AddDays(i + 1)))
            .Concat(Enumerable.Range(-23, 24).Select(i => (new DateTime(today.Year, today.Month, 1).AddMonths(i), new DateTime(today.Year, today.Month, 1).AddMonths(i + 1))))
            .Append((new DateTime(today.Year, 1, 1), today.AddDays(1)));
        var year = $"""'{today.Year}-01-01' AND "ReceivedAt" < now() + interval '1 day'""";
        return string.Concat(ranges.Select(r => $"""
                SELECT "Currency", count(*), sum("Amount" - "RefundedAmount") FROM "Donations"
                WHERE "ReceivedAt" >= '{r.Item1:yyyy-MM-dd}' AND "ReceivedAt" < '{r.Item2:yyyy-MM-dd}' GROUP BY "Currency";
                """))
            + $"""
                SELECT "Campaign", "Currency", count(*), sum("Amount" - "RefundedAmount") FROM "Donations" WHERE "ReceivedAt" >= {year}
                GROUP BY "Campaign", "Currency" ORDER BY 4 DESC LIMIT 50;
                SELECT "Source", "Currency", count(*), sum("Amount" - "RefundedAmount") FROM "Donations" WHERE "ReceivedAt" >= {year}
                GROUP BY "Source", "Currency" ORDER BY 4 DESC LIMIT 50;
                SELECT count(*) FROM "Donations" WHERE "ReceivedAt" >= {year} AND "BenefitsValue" > 0 AND "Currency" = 'usd' AND "Amount" > 7500;
                """;
    }
}
