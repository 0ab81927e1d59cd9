namespace Donations.Api.Features.Finance;

/// <summary>One line of a double-entry journal: exactly one of debit and credit is non-zero.</summary>
public sealed record JournalLine(string Account, long Debit, long Credit, string Memo);

/// <summary>
/// The journal entry of one payout. The bank gets what reached it; donations revenue the gross of
/// the gifts; Stripe's fees, refunds and disputes are booked as themselves; money that belongs to
/// no gift (other sales, adjustments, and any part of the deposit not yet explained by recorded
/// transactions) goes to the unmatched account. Debits equal credits by construction:
/// bank = gifts + other − refunds − disputes − fees.
/// </summary>
public static class PayoutJournal
{
    public static IReadOnlyList<JournalLine> For(PayoutTotals p, FinanceAccounts accounts)
    {
        var unexplained = p.BankAmount - p.Net;
        var lines = new List<JournalLine>();
        void Book(string account, long debit, string what)
        {
            if (debit != 0)
                lines.Add(new JournalLine(account, Math.Max(debit, 0), Math.Max(-debit, 0), $"Stripe payout {p.PayoutId}: {what}"));
        }
        Book(accounts.Bank, p.BankAmount, "bank deposit");
        Book(accounts.StripeFees, p.Fees, "Stripe fees");
        Book(accounts.Refunds, p.GiftRefunds, "refunded gifts");
        Book(accounts.Disputes, p.GiftDisputes, "disputed gifts");
        Book(accounts.DonationsRevenue, -p.GiftCharges, "gifts");
        Book(accounts.Unmatched, -(p.OtherAmount + unexplained), "not from gifts");
        return lines;
    }
}
