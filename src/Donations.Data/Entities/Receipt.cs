namespace Donations.Data.Entities;

/// <summary>
/// <see cref="Reinstatement"/>: the gift was taken back (a lost dispute) and then returned (the
/// dispute won on appeal); it replaces the receipt that had been voided.
/// </summary>
public enum ReceiptKind { Original, Correction, VoidNotice, Reinstatement }

public enum ReceiptStatus { Pending, Sent, Failed, Voided }

/// <summary>
/// A tax receipt for one donation. Numbers are allocated from <see cref="ReceiptCounter"/> in the
/// same transaction that inserts the receipt, so they are sequential per year with no gaps.
/// </summary>
public sealed class Receipt
{
    public long Id { get; set; }
    /// <summary>"2026-000123".</summary>
    public required string Number { get; set; }
    public int Year { get; set; }
    public int Sequence { get; set; }
    public long DonationId { get; set; }
    public Donation? Donation { get; set; }
    public ReceiptKind Kind { get; set; }
    public ReceiptStatus Status { get; set; }
    /// <summary>The receipt this one corrects, voids or reinstates.</summary>
    public long? ReplacesReceiptId { get; set; }

    /// <summary>Snapshot of what the receipt states, so a re-send shows the same figures.</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public long DeductibleAmount { get; set; }

    public DateTime IssuedAt { get; set; }
    /// <summary>Stable Message-Id, chosen before the first attempt so a resend threads with it.</summary>
    public required string MessageId { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime? VoidedAt { get; set; }
    /// <summary>
    /// While a sender holds a pending receipt, no other sender takes it. A sender that dies leaves
    /// the lease to run out; the receipt is then sent again with the same <see cref="MessageId"/>.
    /// </summary>
    public DateTime? ClaimedUntil { get; set; }

    /// <summary>
    /// SQL naming receipts of one status with the status as a literal, the way the partial indexes'
    /// filters name it: the planner uses such an index only for a statement whose condition matches
    /// its filter (the same text in every provider's SQL).
    /// </summary>
    public static string StatusIs(ReceiptStatus status) => $"\"Status\" = '{status}'";
}

/// <summary>
/// A receipt's PDF as issued. It is rendered once, when the receipt is issued; every send and
/// every download from the donor portal uses these bytes, so what the donor keeps never changes
/// when templates or settings do.
/// </summary>
public sealed class ReceiptDocument
{
    public long ReceiptId { get; set; }
    public required byte[] Pdf { get; set; }
    public DateTime RenderedAt { get; set; }
    /// <summary>
    /// What the receipt stated when its PDF was rendered (the printed facts, as JSON), so its email
    /// and any later copy say exactly what the PDF says. Null for receipts stored before it was kept.
    /// </summary>
    public string? Facts { get; set; }
}

/// <summary>Last receipt sequence allocated per year.</summary>
public sealed class ReceiptCounter
{
    public int Year { get; set; }
    public int LastSequence { get; set; }
}
