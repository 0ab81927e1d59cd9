namespace Donations.Data.Entities;

public enum StatementRunStatus { Running, Completed }

/// <summary>A year-end statement run: one per request (schedule, staff, command line).</summary>
public sealed class StatementRun
{
    public long Id { get; set; }
    public int Year { get; set; }
    public bool Resend { get; set; }
    public StatementRunStatus Status { get; set; }
    public string? RequestedBy { get; set; }
    public int DonorsTotal { get; set; }
    public int Sent { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public enum StatementStatus { Pending, Sent, Failed, Empty }

/// <summary>One donor's statement for one year; unique per (donor, year).</summary>
public sealed class Statement
{
    public long Id { get; set; }
    public long DonorId { get; set; }
    public Donor? Donor { get; set; }
    public int Year { get; set; }
    public long? RunId { get; set; }
    public StatementStatus Status { get; set; }
    public required string MessageId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>
    /// While a sender holds the statement, no other sender (another batch or an overlapping run)
    /// takes it. A sender that dies leaves the lease to run out; the statement then goes out again
    /// with the same <see cref="MessageId"/>.
    /// </summary>
    public DateTime? ClaimedUntil { get; set; }
}

public enum StatementDocumentStatus { Pending, Sent, Failed }

/// <summary>
/// A statement as issued: the PDF, its number and issue date, kept so that every download and
/// every resend shows what the donor was sent, whatever templates or data do later. Revision 1
/// is the statement a run sends (its sending is the <see cref="Statement"/> row's); a gift that
/// changes after that adds a corrected statement (revision 2, 3, ...) with its own number,
/// referencing the first, and its own send state, claimed like receipts are.
/// </summary>
public sealed class StatementDocument
{
    public long Id { get; set; }
    public long StatementId { get; set; }
    public Statement? Statement { get; set; }
    public int Revision { get; set; }
    /// <summary>"2025-S000123" for the first, "2025-S000123-2" for its first correction.</summary>
    public required string Number { get; set; }
    public DateTime IssuedAt { get; set; }
    public required byte[] Pdf { get; set; }
    /// <summary>
    /// SHA-256 of what the statement counts (dates, amounts, deductible values), so a later look
    /// can tell whether the gifts changed since it was issued.
    /// </summary>
    public required string Fingerprint { get; set; }
    /// <summary>Corrections only; revision 1 is sent with its statement row.</summary>
    public StatementDocumentStatus Status { get; set; }
    public string? MessageId { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    public string? LastError { get; set; }
}
