namespace Donations.Api.Infrastructure.Configuration;

/// <summary>Checked on start by <see cref="OptionsSetup"/>, which names the key of any bad value.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>Messages sent over one connection before it is recycled.</summary>
    public int BatchSize { get; set; } = 100;
    /// <summary>
    /// How long a sender holds the receipts of its batch without renewing. It renews every third of
    /// it while sending; if it dies, they go out again once this has passed. It must cover one
    /// message on a slow server plus the clock difference between nodes.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Receipt senders at most at once on each node, each on its own connection. Two to four keep a
    /// local relay busy; a provider that limits connections per client may need fewer.
    /// </summary>
    public int Connections { get; set; } = 4;
}
