using System.Text.RegularExpressions;
using Donations.Data.Entities;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Splits a batch of inbox rows into the events that can be applied together, in one transaction,
/// and those left to be applied one at a time, in the batch's order. Events applied together see
/// one another's unsaved changes only where a handler looks in the change tracker first, so they
/// must be about different things: no two of them, and none of them and an earlier event left to
/// go alone, may name the same Stripe object (payment, charge, invoice, subscription, customer,
/// refund, dispute …) or the same email address. Whatever shares nothing with the group keeps its
/// order relative to everything it could affect, whichever path applies it.
/// </summary>
public static partial class EventGroup
{
    /// <param name="Together">Received rows to apply in one transaction, in the batch's order.</param>
    /// <param name="Alone">Ids to apply one at a time afterwards, in the batch's order (rows not found among them).</param>
    public sealed record Split(IReadOnlyList<StripeEvent> Together, IReadOnlyList<string> Alone);

    public static Split Of(IReadOnlyList<string> eventIds, IReadOnlyDictionary<string, StripeEvent> rows, Func<StripeEvent, bool> canJoin)
    {
        var together = new List<StripeEvent>();
        var alone = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in eventIds.Distinct())
        {
            if (!rows.TryGetValue(id, out var row))
            {
                alone.Add(id); // the one-at-a-time path says it is not in the inbox
                continue;
            }
            if (row.Status is StripeEventStatus.Processed or StripeEventStatus.Ignored) continue;
            var keys = KeysOf(row.Payload);
            if (row.Status == StripeEventStatus.Received && canJoin(row) && !keys.Overlaps(taken) && !keys.Overlaps(blocked))
            {
                together.Add(row);
                taken.UnionWith(keys);
            }
            else
            {
                alone.Add(id);
                blocked.UnionWith(keys);
            }
        }
        return new Split(together, alone);
    }

    /// <summary>
    /// The payer-specific Stripe ids and the email addresses an event names anywhere in it. Prices,
    /// products and accounts are left out: many payers share them, and nothing a handler records is
    /// keyed by them alone.
    /// </summary>
    public static HashSet<string> KeysOf(string payload)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in StripeIds().Matches(payload)) keys.Add(m.Groups["id"].Value);
        foreach (Match m in Emails().Matches(payload))
        {
            var email = Regex.Unescape(m.Groups["email"].Value);
            if (!string.IsNullOrWhiteSpace(email)) keys.Add("email:" + Donor.NormalizeEmail(email));
        }
        return keys;
    }

    [GeneratedRegex("\"(?<id>(?:cs|pi|ch|py|in|inpay|il|ii|sub|si|cus|pm|seti|src|card|ba|re|pyr|dp|du|po)_[A-Za-z0-9_]+)\"")]
    private static partial Regex StripeIds();

    [GeneratedRegex("\"(?:email|customer_email|receipt_email|billing_email|customer_email_address)\"\\s*:\\s*\"(?<email>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Emails();
}
