using Donations.Api.Infrastructure.Events;
using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// A payment seen for the first time became a donation. The donation is the tracked entity the
/// event's handler saved: subscribers read its id, assigned by the commit.
/// </summary>
public sealed record GiftRecorded(Donation Donation) : IDomainEvent;

/// <summary>A donation was recorded or changed (refund, dispute, details filled in); receipts follow its state.</summary>
public sealed record DonationChanged(Donation Donation) : IDomainEvent;
