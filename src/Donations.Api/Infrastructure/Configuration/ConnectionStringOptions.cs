namespace Donations.Api.Infrastructure.Configuration;

/// <summary>The connection string, checked on start like every other setting.</summary>
public sealed class ConnectionStringOptions
{
    public string? Donations { get; set; }
}
