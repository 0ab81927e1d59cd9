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
