namespace Donations.Api.Features.DonorPortal;

/// <summary>What the <c>sign-in-link.*.liquid</c> templates see; <c>donor_name</c> is null when unknown.</summary>
public sealed class SignInLinkModel
{
    public required string OrganizationName { get; init; }
    public string? DonorName { get; init; }
    /// <summary>The one-time link into the donor portal.</summary>
    public required string Link { get; init; }
    /// <summary>How long the link works.</summary>
    public required int Minutes { get; init; }
}
