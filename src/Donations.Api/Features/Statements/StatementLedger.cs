using Donations.Api.Features.Donations;
using System.Globalization;
using System.Security.Cryptography;
using Donations.Api.Features.Receipts;
using Donations.Data.Entities;

namespace Donations.Api.Features.Statements;

/// <summary>One gift as the statement counts it: what was paid, what was refunded, what remains.</summary>
public sealed record StatementLine(
    DateTime ReceivedAt, string Currency, DonationFrequency Frequency, string? ReceiptNumber,
    long Paid, long Refunded, long Net, long BenefitsValue, string? BenefitsDescription, long Deductible,
    string? BenefitsDisregardedReason = null, bool InOpenDispute = false, long? UsdNet = null, long? UsdDeductible = null)
{
    public bool IsPartiallyRefunded => Refunded > 0;
}

public sealed record StatementTotal(string Currency, int Gifts, long Paid, long Refunded, long Net, long BenefitsValue, long Deductible);

/// <summary>
/// A donor's giving in one tax year, computed from the ledger. Partial refunds are netted (the line
/// shows paid, refunded and net). A gift refunded in full, or reversed by a lost dispute, is left
/// out of the lines and the totals and only counted, so the statement can say so. Totals are per
/// currency; the deductible amount is each gift's net minus the fair market value of its
/// benefits, never below zero (IRS Publication 1771), using the same rules as receipts.
/// </summary>
public sealed class StatementLedger
{
    public required long DonorId { get; init; }
    public required string DonorEmail { get; init; }
    public string? DonorName { get; init; }
    public string? DonorAddress { get; init; }
    public string? DonorCountry { get; init; }
    public required int Year { get; init; }
    public required IReadOnlyList<StatementLine> Lines { get; init; }
    public required IReadOnlyList<StatementTotal> Totals { get; init; }
    public required int RefundedInFull { get; init; }
    /// <summary>Every gift in US dollars (other currencies at Stripe's settlement), for information; see <see cref="UsdUnknown"/>.</summary>
    public long UsdNet { get; init; }
    public long UsdDeductible { get; init; }
    /// <summary>Gifts in other currencies whose settlement is not known yet: left out of the USD totals.</summary>
    public int UsdUnknown { get; init; }
    public bool HasOtherCurrencies => Lines.Any(l => l.Currency != "usd");

    /// <summary>Nothing counts as given: no statement goes out.</summary>
    public bool IsEmpty => Lines.Count == 0;

    /// <summary>
    /// What the statement counts, hashed: each gift's date, currency and amounts, and the gifts
    /// refunded in full. Receipt numbers, dispute marks and exchange rates are left out, so only a
    /// change of what the donor may deduct calls for a corrected statement.
    /// </summary>
    public string Fingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (var l in Lines)
            text.Append(CultureInfo.InvariantCulture, $"{l.ReceivedAt.Ticks}|{l.Currency}|{l.Paid}|{l.Net}|{l.BenefitsValue}|{l.Deductible}\n");
        text.Append(CultureInfo.InvariantCulture, $"refunded-in-full|{RefundedInFull}");
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <param name="settledUsd">What gifts in other currencies settled for in USD cents, where known.</param>
    public static StatementLedger Build(Donor donor, int year, IEnumerable<Donation> donations, IReadOnlyDictionary<long, long>? settledUsd = null)
    {
        var lines = new List<StatementLine>();
        var refundedInFull = 0;
        foreach (var d in donations.OrderBy(d => d.ReceivedAt).ThenBy(d => d.Id))
        {
            var net = GiftAmounts.StatedAmount(d);
            if (net == 0)
            {
                refundedInFull++;
                continue;
            }
            var deductible = GiftAmounts.Deductible(net, d);
            long? usd = d.Currency == "usd" ? d.Amount : settledUsd?.TryGetValue(d.Id, out var s) == true ? s : null;
            lines.Add(new StatementLine(d.ReceivedAt, d.Currency, d.Frequency, ReceiptRules.Standing(d.Receipts)?.Number,
                d.Amount, d.Amount - net, net, GiftAmounts.DeductedBenefits(d), d.BenefitsDescription, deductible,
                ReceiptRules.DisregardedBenefitsReason(d), ReceiptRules.IsOpenDispute(d),
                usd is { } u ? UsdEquivalents.Share(u, d.Amount, net) : null, usd is { } v ? UsdEquivalents.Share(v, d.Amount, deductible) : null));
        }

        var totals = lines
            .GroupBy(l => l.Currency)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StatementTotal(g.Key, g.Count(), g.Sum(l => l.Paid), g.Sum(l => l.Refunded), g.Sum(l => l.Net),
                g.Sum(l => l.BenefitsValue), g.Sum(l => l.Deductible)))
            .ToList();

        return new StatementLedger
        {
            DonorId = donor.Id,
            DonorEmail = donor.Email,
            DonorName = donor.Name,
            DonorAddress = string.IsNullOrWhiteSpace(donor.Address) ? null : donor.Address,
            DonorCountry = donor.Country,
            Year = year,
            Lines = lines,
            Totals = totals,
            RefundedInFull = refundedInFull,
            UsdNet = lines.Sum(l => l.UsdNet ?? 0),
            UsdDeductible = lines.Sum(l => l.UsdDeductible ?? 0),
            UsdUnknown = lines.Count(l => l.UsdNet is null),
        };
    }
}
