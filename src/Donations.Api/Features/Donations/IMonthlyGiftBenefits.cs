namespace Donations.Api.Features.Donations;

/// <summary>What a monthly gift of some size earns in return, to be deducted on its receipt.</summary>
public sealed record GiftBenefits(string Description, long Value);

/// <summary>
/// Answers which benefits a monthly gift earns. Implemented by the feature that grants them
/// (memberships' tiers), so that donations need not know it.
/// </summary>
public interface IMonthlyGiftBenefits
{
    GiftBenefits? For(long monthlyAmount, string currency);
}
