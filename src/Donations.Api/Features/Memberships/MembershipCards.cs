using Stripe;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// The card a monthly gift's next payment would use: the subscription's
/// <c>default_payment_method</c>, else the customer's <c>invoice_settings.default_payment_method</c>,
/// asked from Stripe whenever it is needed and never stored or handed to a job: brand, last four
/// digits and expiry are the donor's card details.
/// </summary>
public sealed class MembershipCards(IStripeClient stripe)
{
    public sealed record Card(string PaymentMethodId, string Description, int ExpYear, int ExpMonth)
    {
        /// <summary>A card works through the last day of its expiry month.</summary>
        public bool ExpiresBefore(DateTime paymentUtc) => new DateTime(ExpYear, ExpMonth, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) <= paymentUtc;
    }

    /// <summary>Null when the gift has no card (a bank debit, or none saved); throws when Stripe cannot answer.</summary>
    public async Task<Card?> NextPaymentCardAsync(string subscriptionId, string? customerId, CancellationToken ct)
    {
        var subscription = await new SubscriptionService(stripe).GetAsync(subscriptionId,
            new SubscriptionGetOptions { Expand = ["default_payment_method"] }, cancellationToken: ct);
        var method = subscription.DefaultPaymentMethod;
        if (method is null && (customerId ?? subscription.CustomerId) is { } customer)
            method = (await new CustomerService(stripe).GetAsync(customer,
                new CustomerGetOptions { Expand = ["invoice_settings.default_payment_method"] }, cancellationToken: ct))
                .InvoiceSettings?.DefaultPaymentMethod;
        return method?.Card is { } c
            ? new Card(method.Id, $"{Brand(c.Brand)} ending {c.Last4}", (int)c.ExpYear, (int)c.ExpMonth)
            : null;
    }

    private static string Brand(string? brand) => brand switch
    {
        "amex" => "American Express",
        "diners" => "Diners Club",
        "mastercard" => "Mastercard",
        "unionpay" => "UnionPay",
        "jcb" => "JCB",
        null or "" or "unknown" => "Card",
        _ => char.ToUpperInvariant(brand[0]) + brand[1..],
    };
}
