using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Infrastructure.Email;

/// <summary>Writes each message as one .eml file; a reader never sees a half-written file.</summary>
internal sealed class PickupEmailSender(IOptions<EmailOptions> options, IHostEnvironment env) : IEmailSender, IEmailSession
{
    private readonly string _directory = Path.GetFullPath(options.Value.PickupDirectory, env.ContentRootPath);

    public Task<IEmailSession> OpenSessionAsync(CancellationToken ct) => Task.FromResult<IEmailSession>(this);

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        Directory.CreateDirectory(_directory);
        var name = $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}";
        var temp = Path.Combine(_directory, name + ".tmp");
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await message.WriteToAsync(stream, ct);
            await stream.FlushAsync(ct);
        }
        File.Move(temp, Path.Combine(_directory, name + ".eml"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
