using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// With <c>Email:Delivery=Pickup</c> (the embedded default) the pickup folder is the service's
/// sent mail: every receipt and email to a donor lies there as an <c>.eml</c> file until a relay
/// takes it. Erasure deletes the files addressed to the donor. With SMTP, sent mail is the mail
/// server's and the recipient's, out of reach here.
/// </summary>
public sealed class PickupOutbox(IOptions<EmailOptions> email, IHostEnvironment env, ILogger<PickupOutbox> log)
{
    /// <summary>Deletes the messages with <paramref name="address"/> among their recipients; returns how many.</summary>
    public async Task<int> DeleteMailToAsync(string address, CancellationToken ct)
    {
        if (email.Value.Delivery != EmailDelivery.Pickup) return 0;
        var directory = Path.GetFullPath(email.Value.PickupDirectory, env.ContentRootPath);
        if (!Directory.Exists(directory)) return 0;
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*.eml"))
        {
            try
            {
                if (!await IsAddressedToAsync(file, address, ct)) continue;
                File.Delete(file);
                deleted++;
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                // Taken by the relay meanwhile, or not a message this service wrote.
                log.LogDebug("Pickup file {File} skipped during an erasure: {Error}", Path.GetFileName(file), e.GetType().Name);
            }
        }
        return deleted;
    }

    private static async Task<bool> IsAddressedToAsync(string file, string address, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        var headers = await HeaderList.LoadAsync(stream, ct);
        return new[] { HeaderId.To, HeaderId.Cc, HeaderId.Bcc }
            .Select(id => headers[id])
            .SelectMany(value => value is not null && InternetAddressList.TryParse(value, out var list) ? list.Mailboxes : [])
            .Any(m => string.Equals(m.Address, address, StringComparison.OrdinalIgnoreCase));
    }
}
