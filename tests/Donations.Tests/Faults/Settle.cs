using Donations.Tests.Infrastructure;
using Npgsql;

namespace Donations.Tests.Faults;

public static class Settle
{
    /// <summary>
    /// Waits until nothing is left that could still be sent: every receipt in the database is sent
    /// (or refused for good), and no SMTP session is open on the sink, so no message is in flight.
    /// A sender only sends pending receipts, so from then on no late duplicate can arrive; no fixed
    /// "quiet" window is guessed, however slow the machine or long the claim leases.
    /// </summary>
    public static async Task UntilNothingLeftToSendAsync(string connectionString, SmtpSink sink)
    {
        var quietReadings = 0;
        await Wait.UntilAsync(async () =>
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""SELECT count(*) FROM "Receipts" WHERE "Status" NOT IN ('Sent', 'Failed', 'Voided')""", conn);
            var unsent = (long)(await cmd.ExecuteScalarAsync())!;
            // Twice in a row: a session that opens just after a look is seen at the next.
            quietReadings = unsent == 0 && sink.OpenSessions == 0 ? quietReadings + 1 : 0;
            return quietReadings >= 2;
        }, TimeSpan.FromSeconds(90), "every receipt sent and no SMTP session open");
    }
}
