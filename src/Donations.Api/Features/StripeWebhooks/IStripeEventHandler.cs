using Donations.Data.Entities;
using Stripe;

namespace Donations.Api.Features.StripeWebhooks;

public enum StripeEventOutcome { Processed, Ignored }

/// <summary>
/// Applies one kind of Stripe event to the database through the scoped DbContext, without saving:
/// <see cref="ProcessStripeEvent"/> saves the effects together with the inbox row's "processed"
/// marker, and re-runs the handler if it lost a race for a unique key.
/// </summary>
public interface IStripeEventHandler
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct);
}

/// <summary>What a handler touched, for the work that follows the commit.</summary>
public sealed class StripeEventEffects
{
    private readonly HashSet<Donation> _donations = [];
    private readonly HashSet<Donation> _settled = [];
    private readonly HashSet<Membership> _memberships = [];
    private readonly List<(Membership Membership, string InvoiceId)> _failedPayments = [];
    private readonly HashSet<string> _stripeIds = [];

    public IReadOnlyCollection<Donation> Donations => _donations;
    /// <summary>Donations this event created (a payment seen for the first time).</summary>
    public IReadOnlyCollection<Donation> SettledDonations => _settled;
    /// <summary>Memberships whose state an event applied (for lifecycle emails).</summary>
    public IReadOnlyCollection<Membership> Memberships => _memberships;
    /// <summary>Failed renewal payments seen, whether or not they changed the membership.</summary>
    public IReadOnlyList<(Membership Membership, string InvoiceId)> FailedPayments => _failedPayments;
    /// <summary>Stripe ids that now exist here; events waiting for one of them are retried at once.</summary>
    public IReadOnlyCollection<string> StripeIds => _stripeIds;

    /// <summary>Why the event changed nothing, kept on the inbox row for staff (e.g. not one of our payments).</summary>
    public string? IgnoredReason { get; private set; }

    public StripeEventOutcome Ignore(string reason)
    {
        IgnoredReason = reason;
        return StripeEventOutcome.Ignored;
    }

    public void Touched(Donation donation) => _donations.Add(donation);
    public void Touched(Membership membership) => _memberships.Add(membership);
    public void PaymentFailed(Membership membership, string invoiceId) => _failedPayments.Add((membership, invoiceId));

    public void Settled(Donation donation)
    {
        _settled.Add(donation);
        _donations.Add(donation);
    }

    public void Created(params string?[] stripeIds)
    {
        foreach (var id in stripeIds)
            if (!string.IsNullOrEmpty(id)) _stripeIds.Add(id);
    }
}

/// <summary>
/// The event refers to something not recorded yet (a refund before its payment, a subscription
/// before its customer). The job fails and Hangfire retries it; it is also retried as soon as an
/// event creating the missing thing is processed.
/// </summary>
public sealed class StripeEventNotReadyException(string waitingFor)
    : Exception($"{ErrorPrefix} {waitingFor}; retried when it arrives")
{
    public const string ErrorPrefix = "Waiting for";
}
