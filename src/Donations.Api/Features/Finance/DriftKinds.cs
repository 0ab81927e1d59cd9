namespace Donations.Api.Features.Finance;

/// <summary>The disagreements the drift report names (the <c>kind</c> column of drift.csv).</summary>
public static class DriftKinds
{
    /// <summary>A paid charge or invoice of the donate flow with no gift in the books. Admin can replay it.</summary>
    public const string MissingGift = "missing_gift";
    /// <summary>A gift whose charge, payment intent or invoice Stripe does not list as paid.</summary>
    public const string GiftWithoutPayment = "gift_without_payment";
    public const string AmountMismatch = "amount_mismatch";
    public const string RefundMismatch = "refund_mismatch";
    public const string DisputeMismatch = "dispute_mismatch";
    /// <summary>A payout whose amount its recorded transactions do not add up to.</summary>
    public const string PayoutMismatch = "payout_mismatch";

    public static readonly string[] All = [MissingGift, GiftWithoutPayment, AmountMismatch, RefundMismatch, DisputeMismatch, PayoutMismatch];
}
