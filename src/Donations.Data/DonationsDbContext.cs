using Donations.Data.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Donations.Data;

public sealed class DonationsDbContext : DbContext, IDataProtectionKeyContext
{
    public DonationsDbContext(DbContextOptions<DonationsDbContext> options) : base(options) =>
        SavingChanges += (_, _) => RaiseDonationVersions();

    public DbSet<Donor> Donors => Set<Donor>();
    public DbSet<Donation> Donations => Set<Donation>();
    public DbSet<DelayedCheckout> DelayedCheckouts => Set<DelayedCheckout>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Receipt> Receipts => Set<Receipt>();
    public DbSet<ReceiptCounter> ReceiptCounters => Set<ReceiptCounter>();
    public DbSet<ReceiptDocument> ReceiptDocuments => Set<ReceiptDocument>();
    public DbSet<StatementRun> StatementRuns => Set<StatementRun>();
    public DbSet<Statement> Statements => Set<Statement>();
    public DbSet<StatementDocument> StatementDocuments => Set<StatementDocument>();
    public DbSet<StripeEvent> StripeEvents => Set<StripeEvent>();
    public DbSet<StaffUser> StaffUsers => Set<StaffUser>();
    public DbSet<DonorSignInToken> DonorSignInTokens => Set<DonorSignInToken>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<GiftChange> GiftChanges => Set<GiftChange>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<StripeBalanceTransaction> StripeBalanceTransactions => Set<StripeBalanceTransaction>();
    public DbSet<StripePayout> StripePayouts => Set<StripePayout>();
    public DbSet<GiftSettlement> GiftSettlements => Set<GiftSettlement>();
    public DbSet<DriftReport> DriftReports => Set<DriftReport>();
    public DbSet<DriftItem> DriftItems => Set<DriftItem>();
    public DbSet<RevenueDay> RevenueDays => Set<RevenueDay>();
    public DbSet<RevenueDayToRecount> RevenueDaysToRecount => Set<RevenueDayToRecount>();
    public DbSet<MembershipAmountChange> MembershipAmountChanges => Set<MembershipAmountChange>();
    public DbSet<MembershipStatusChange> MembershipStatusChanges => Set<MembershipStatusChange>();
    public DbSet<MembershipPaymentFailure> MembershipPaymentFailures => Set<MembershipPaymentFailure>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // Every timestamp is UTC. SQLite hands DateTime back as Unspecified; say what it is.
        builder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        builder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        builder.Properties<DonationFrequency>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<DonationStatus>().HaveConversion<string>().HaveMaxLength(24);
        builder.Properties<BenefitsTreatment>().HaveConversion<string>().HaveMaxLength(24);
        builder.Properties<ReceiptKind>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<ReceiptStatus>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<StatementRunStatus>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<StatementStatus>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<StatementDocumentStatus>().HaveConversion<string>().HaveMaxLength(16);
        builder.Properties<StripeEventStatus>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Donor>(e =>
        {
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Address).HasMaxLength(500);
            e.Property(x => x.StripeCustomerId).HasMaxLength(255);
            e.HasIndex(x => x.Email).IsUnique();
            e.Property(x => x.Country).HasMaxLength(2);
            e.HasIndex(x => x.StripeCustomerId);
            e.Property(x => x.ErasedEmailHash).HasMaxLength(64);
            e.HasIndex(x => x.ErasedEmailHash);
        });

        b.Entity<Donation>(e =>
        {
            e.Property(x => x.SettlementKey).HasMaxLength(300);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.BenefitsDescription).HasMaxLength(500);
            e.Property(x => x.Campaign).HasMaxLength(100);
            e.Property(x => x.Source).HasMaxLength(100);
            e.Property(x => x.UtmMedium).HasMaxLength(100);
            e.Property(x => x.UtmContent).HasMaxLength(100);
            e.Property(x => x.UtmTerm).HasMaxLength(100);
            foreach (var p in new[] { nameof(Donation.StripeCheckoutSessionId), nameof(Donation.StripePaymentIntentId),
                         nameof(Donation.StripeChargeId), nameof(Donation.StripeInvoiceId),
                         nameof(Donation.StripeSubscriptionId), nameof(Donation.StripeDisputeId) })
                e.Property(p).HasMaxLength(255);
            e.Property(x => x.DisputeStatus).HasMaxLength(32);
            e.Ignore(x => x.NetAmount);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.SettlementKey).IsUnique();
            e.HasIndex(x => x.ReceivedAt);
            // The revenue rollup's look back at gifts recorded or changed lately.
            e.HasIndex(x => x.CreatedAt);
            e.HasIndex(x => x.UpdatedAt);
            e.HasIndex(x => x.StripePaymentIntentId);
            e.HasIndex(x => x.StripeChargeId);
            e.HasIndex(x => x.StripeInvoiceId);
            e.HasIndex(x => x.StripeSubscriptionId);
            // Also the donor foreign key's index: a donor's first and last gift are read from it alone (lapsed donors).
            e.HasIndex(x => new { x.DonorId, x.ReceivedAt });
            e.HasOne(x => x.Donor).WithMany(x => x.Donations).HasForeignKey(x => x.DonorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(x => x.Membership).WithMany().HasForeignKey(x => x.MembershipId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Membership>(e =>
        {
            e.Property(x => x.StripeSubscriptionId).HasMaxLength(255);
            e.Property(x => x.StripeCustomerId).HasMaxLength(255);
            e.Property(x => x.Status).HasMaxLength(32);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Tier).HasMaxLength(100);
            e.Property(x => x.StripeCancellationReason).HasMaxLength(64);
            e.Property(x => x.Interval).HasMaxLength(8).HasDefaultValue("month");
            e.Property(x => x.CancellationReason).HasMaxLength(500);
            // Every event applied moves it: two jobs applying one subscription's events at once
            // cannot both commit on the state they read (the later would be overwritten by the
            // older, and both would compute its history from the same last row); the loser runs again.
            e.Property(x => x.LastEventAt).IsConcurrencyToken();
            e.HasIndex(x => x.StripeSubscriptionId).IsUnique();
            e.HasOne(x => x.Donor).WithMany(x => x.Memberships).HasForeignKey(x => x.DonorId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Receipt>(e =>
        {
            e.Property(x => x.Number).HasMaxLength(32);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.MessageId).HasMaxLength(255);
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => new { x.Year, x.Sequence }).IsUnique();
            e.HasIndex(x => new { x.DonationId, x.Kind });
            // Pending (and failed) receipts by id, each index holding only its own: claims read
            // pending receipts in id order, and marks and leases name their rows by id and status
            // together. An index on Status took those marks during a burst (the statistics saying
            // pending receipts are rare) through every pending row to find their own few; here
            // either index the planner picks finds them by id. Statements name the status as a
            // literal, as the filter does, or the planner cannot use these indexes.
            e.HasIndex(x => x.Id, "IX_Receipts_Pending").HasFilter(Receipt.StatusIs(ReceiptStatus.Pending));
            e.HasIndex(x => x.Id, "IX_Receipts_Failed").HasFilter(Receipt.StatusIs(ReceiptStatus.Failed));
            e.HasOne(x => x.Donation).WithMany(x => x.Receipts).HasForeignKey(x => x.DonationId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<DelayedCheckout>(e =>
        {
            e.HasKey(x => x.CheckoutSessionId);
            e.Property(x => x.CheckoutSessionId).HasMaxLength(255);
        });

        b.Entity<ReceiptDocument>(e =>
        {
            e.HasKey(x => x.ReceiptId);
            e.Property(x => x.ReceiptId).ValueGeneratedNever();
            e.HasOne<Receipt>().WithOne().HasForeignKey<ReceiptDocument>(x => x.ReceiptId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<ReceiptCounter>(e =>
        {
            e.HasKey(x => x.Year);
            e.Property(x => x.Year).ValueGeneratedNever();
        });

        b.Entity<StatementRun>(e =>
        {
            e.Property(x => x.RequestedBy).HasMaxLength(320);
            e.HasIndex(x => x.Year);
        });

        b.Entity<Statement>(e =>
        {
            e.Property(x => x.MessageId).HasMaxLength(255);
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.HasIndex(x => new { x.DonorId, x.Year }).IsUnique();
            e.HasIndex(x => x.RunId);
            e.HasOne(x => x.Donor).WithMany().HasForeignKey(x => x.DonorId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<StatementDocument>(e =>
        {
            e.Property(x => x.Number).HasMaxLength(32);
            e.Property(x => x.Fingerprint).HasMaxLength(64);
            e.Property(x => x.MessageId).HasMaxLength(255);
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.HasIndex(x => new { x.StatementId, x.Revision }).IsUnique();
            e.HasIndex(x => x.Number).IsUnique();
            e.HasOne(x => x.Statement).WithMany().HasForeignKey(x => x.StatementId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<StripeEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(255);
            e.Property(x => x.Type).HasMaxLength(100);
            e.Property(x => x.ApiVersion).HasMaxLength(64);
            e.Property(x => x.Source).HasMaxLength(16);
            e.Property(x => x.Error).HasMaxLength(4000);
            // Each index holds only the rows one reader looks for. The dispatcher's claim reads the
            // oldest waiting rows of its own index in arrival order: through an index on
            // (Status, EnqueuedAt) it read every waiting row and sorted them, or scanned the table
            // once most rows were waiting, so a dispatcher that fell behind (a restart, an outage of
            // Hangfire's storage, a burst) caught up more slowly the further behind it was: 96 ms
            // a claim of 200 with 100,000 waiting, 5 ms here. An event enters one of these indexes
            // when it arrives and another when it is claimed, as it did that one, and none when it
            // is processed; the failed and ignored ones are what staff list.
            e.HasIndex(x => x.ReceivedAt, "IX_StripeEvents_WaitingToBeEnqueued").HasFilter(StripeEvent.WaitingToBeEnqueued);
            e.HasIndex(x => x.EnqueuedAt, "IX_StripeEvents_HandedOver").HasFilter(StripeEvent.HandedOver);
            e.HasIndex(x => x.ReceivedAt, "IX_StripeEvents_Failed").HasFilter(StripeEvent.StatusIs(StripeEventStatus.Failed));
            e.HasIndex(x => x.ReceivedAt, "IX_StripeEvents_Ignored").HasFilter(StripeEvent.StatusIs(StripeEventStatus.Ignored));
            e.HasIndex(x => x.CreatedAt);
        });

        b.Entity<StaffUser>(e =>
        {
            e.Property(x => x.Email).HasMaxLength(320);
            e.Property(x => x.PasswordHash).HasMaxLength(500);
            e.Property(x => x.Role).HasMaxLength(16);
            e.HasIndex(x => x.Email).IsUnique();
        });

        b.Entity<DonorSignInToken>(e =>
        {
            e.Property(x => x.TokenHash).HasMaxLength(64);
            e.Property(x => x.Purpose).HasMaxLength(32).HasDefaultValue(DonorSignInToken.SignInPurpose);
            e.Property(x => x.StripeCustomerId).HasMaxLength(255);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.DonorId);
            e.HasOne(x => x.Donor).WithMany().HasForeignKey(x => x.DonorId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<GiftChange>(e =>
        {
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.Summary).HasMaxLength(500);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.Property(x => x.RequestKey).HasMaxLength(255);
            e.Property(x => x.MessageId).HasMaxLength(255);
            e.HasIndex(x => x.RequestKey).IsUnique();
            e.HasIndex(x => x.MembershipId);
            e.HasOne(x => x.Membership).WithMany().HasForeignKey(x => x.MembershipId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Notification>(e =>
        {
            e.Property(x => x.Key).HasMaxLength(300);
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.MessageId).HasMaxLength(255);
            e.Property(x => x.LastError).HasMaxLength(2000);
            e.HasIndex(x => x.Key).IsUnique();
        });

        ConfigureFinance(b);
    }

    private static void ConfigureFinance(ModelBuilder b)
    {
        b.Entity<StripeBalanceTransaction>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(255);
            e.Property(x => x.Type).HasMaxLength(64);
            e.Property(x => x.ReportingCategory).HasMaxLength(64);
            e.Property(x => x.SourceId).HasMaxLength(255);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.ExchangeRate).HasPrecision(18, 9);
            e.Property(x => x.PayoutId).HasMaxLength(255);
            e.HasIndex(x => x.DonationId);
            e.HasIndex(x => x.PayoutId);
            e.HasIndex(x => x.SourceId);
            e.HasOne<Donation>().WithMany().HasForeignKey(x => x.DonationId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<StripePayout>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(255);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Status).HasMaxLength(32);
            e.HasIndex(x => x.ArrivalDate);
        });

        b.Entity<GiftSettlement>(e =>
        {
            e.HasKey(x => x.DonationId);
            e.Property(x => x.DonationId).ValueGeneratedNever();
            e.Property(x => x.CheckedDisputeStatus).HasMaxLength(32);
            e.Property(x => x.Error).HasMaxLength(2000);
            e.HasIndex(x => x.NextAttemptAt);
            e.HasOne<Donation>().WithOne().HasForeignKey<GiftSettlement>(x => x.DonationId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<DriftReport>(e =>
        {
            e.Property(x => x.RequestedBy).HasMaxLength(320);
            e.Property(x => x.Error).HasMaxLength(2000);
            e.HasIndex(x => x.StartedAt);
            e.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.ReportId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<DriftItem>(e =>
        {
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.StripeObject).HasMaxLength(255);
            e.Property(x => x.Detail).HasMaxLength(1000);
        });

        b.Entity<RevenueDay>(e =>
        {
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Campaign).HasMaxLength(100);
            e.Property(x => x.Source).HasMaxLength(100);
            e.HasIndex(x => new { x.Day, x.Currency, x.Campaign, x.Source }).IsUnique();
        });

        b.Entity<RevenueDayToRecount>(e => e.HasIndex(x => x.Day));

        b.Entity<MembershipAmountChange>(e =>
        {
            e.Property(x => x.Interval).HasMaxLength(8);
            e.HasIndex(x => new { x.MembershipId, x.Id });
            e.HasIndex(x => x.ChangedAt);
            e.HasOne(x => x.Membership).WithMany().HasForeignKey(x => x.MembershipId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<MembershipStatusChange>(e =>
        {
            e.Property(x => x.Status).HasMaxLength(32);
            e.HasIndex(x => new { x.MembershipId, x.ChangedAt });
            e.HasOne(x => x.Membership).WithMany().HasForeignKey(x => x.MembershipId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<MembershipPaymentFailure>(e =>
        {
            e.Property(x => x.StripeInvoiceId).HasMaxLength(255);
            e.HasIndex(x => x.FailedAt);
            e.HasIndex(x => new { x.MembershipId, x.StripeInvoiceId });
            e.HasOne<Membership>().WithMany().HasForeignKey(x => x.MembershipId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>Every changed donation gets a new version, checked against the one read (optimistic concurrency).</summary>
    private void RaiseDonationVersions()
    {
        foreach (var entry in ChangeTracker.Entries<Donation>())
            if (entry.State == EntityState.Modified) entry.Entity.Version++;
    }

    internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
