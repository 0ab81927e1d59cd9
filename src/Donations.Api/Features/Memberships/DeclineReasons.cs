namespace Donations.Api.Features.Memberships;

/// <summary>
/// A bank's decline code (<c>last_payment_error.decline_code</c>, else its <c>code</c>) in plain
/// words for the donor. Stripe asks that lost, stolen and fraud-suspected cards be reported to the
/// payer as a generic decline, so those share the wording of a decline without a reason.
/// </summary>
public static class DeclineReasons
{
    public const string Unknown = "your bank declined the payment without giving us a reason";

    public static string Describe(string? code) => code switch
    {
        "insufficient_funds" => "your bank said there were not enough funds available",
        "expired_card" => "the card on file has expired",
        "incorrect_cvc" or "invalid_cvc" or "incorrect_number" or "invalid_number" or "invalid_expiry_month"
            or "invalid_expiry_year" or "incorrect_zip" => "the card details we have no longer match the card",
        "card_velocity_exceeded" or "withdrawal_count_limit_exceeded" => "the card has reached its spending limit",
        "authentication_required" or "approve_with_id" => "your bank wants you to confirm the payment",
        "card_not_supported" or "currency_not_supported" or "not_permitted" or "service_not_allowed"
            or "transaction_not_allowed" => "the card does not allow this kind of payment",
        "processing_error" or "issuer_not_available" or "reenter_transaction" or "try_again_later"
            => "your bank had a temporary problem processing it",
        "account_closed" or "new_account_information_available" => "the account behind the card has changed or closed",
        _ => Unknown,
    };
}
