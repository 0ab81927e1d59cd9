namespace Donations.Tests.Infrastructure;

/// <summary>
/// PostgreSQL SQL that seeds many donors fast (INSERT ... SELECT generate_series): each with one
/// settled one-time gift in <c>year</c> and its sent receipt, so the receipts sweeper finds nothing
/// to do. For statement runs at scale, in tests and benchmarks.
/// </summary>
public static class BulkGivers
{
    /// <param name="recordedAt">When the gifts were recorded, as SQL (their CreatedAt).</param>
    public static string Sql(int donors, int year, string recordedAt = "now()") => $"""
        INSERT INTO "Donors" ("Email", "Name", "CreatedAt")
        SELECT 'reader' || g || '@example.com', 'Reader ' || g, now() FROM generate_series(1, {donors}) g;
        INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
            "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt")
        SELECT 'pi:pi_bulk_' || d."Id", d."Id", 1000 + (d."Id" % 90) * 100, 'usd', 'OneTime', 'Succeeded', 0,
            false, 0, 0, timestamptz '{year}-03-01 12:00:00+00' + (d."Id" % 300) * interval '1 day', {recordedAt}
        FROM "Donors" d;
        INSERT INTO "Receipts" ("Number", "Year", "Sequence", "DonationId", "Kind", "Status", "Amount", "Currency",
            "DeductibleAmount", "IssuedAt", "MessageId", "SentAt", "Attempts")
        SELECT '{year}-' || lpad(d."Id"::text, 6, '0'), {year}, d."Id", d."Id", 'Original', 'Sent', d."Amount", 'usd',
            d."Amount", now(), 'receipt-' || d."Id" || '@example.org', now(), 1
        FROM "Donations" d;
        """;
}
