using Donations.Tests.Infrastructure;

namespace Donations.Tests.Receipts;

/// <summary>One app with an SMTP sink shared by tests that only look at what each gift's donor received.</summary>
public sealed class ReceiptsApp : IAsyncLifetime
{
    /// <summary>Settings of a fixture that needs more than the harness defaults.</summary>
    public Action<DonationsAppOptions>? Configure { get; init; }

    public DonationsApp App { get; private set; } = null!;
    public SmtpSink Smtp => App.Smtp!;

    public async Task InitializeAsync() => App = await DonationsApp.StartAsync(o =>
    {
        o.UseSmtp = true;
        Configure?.Invoke(o);
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>Waits for the <paramref name="count"/> emails sent to this address and returns them in order of receipt number.</summary>
    public async Task<List<ReceiptEmail>> MailToAsync(string email, int count = 1)
    {
        await Wait.UntilAsync(() => Task.FromResult(To(email).Count >= count), TimeSpan.FromSeconds(30), $"{count} email(s) to {email}");
        return To(email);
    }

    public List<ReceiptEmail> To(string email) => Smtp.Messages
        .Where(m => m.To.Mailboxes.Any(a => a.Address == email))
        .Select(ReceiptEmail.From)
        .OrderBy(r => r.Number, StringComparer.Ordinal)
        .ToList();
}
