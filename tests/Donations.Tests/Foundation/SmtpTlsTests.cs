using Donations.Api.Infrastructure.Email;
using Donations.Tests.Infrastructure;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Donations.Tests.Foundation;

/// <summary>
/// <c>Email:Smtp:Security</c> against a real SMTP conversation that offers STARTTLS or not, or
/// speaks TLS from the first byte. The sink's certificate is self-signed and the service trusts
/// the machine's authorities only, so a handshake ends in a certificate refusal that names the
/// sink's certificate: proof that TLS was attempted with that server, and nothing went in clear.
/// </summary>
public sealed class SmtpTlsTests
{
    [Fact]
    public async Task StartTls_refuses_to_send_to_a_server_that_does_not_offer_STARTTLS()
    {
        await using var sink = await SmtpSink.StartAsync(SmtpSinkTls.None);

        var error = await SendAsync(sink, "StartTls");

        Assert.IsType<NotSupportedException>(error);
        Assert.Contains("STARTTLS", error.Message);
        Assert.Empty(sink.Messages);
    }

    [Theory]
    [InlineData("StartTls", SmtpSinkTls.StartTls)]
    [InlineData("StartTlsWhenAvailable", SmtpSinkTls.StartTls)]
    [InlineData("SslOnConnect", SmtpSinkTls.OnConnect)]
    [InlineData("Auto", SmtpSinkTls.StartTls)]
    public async Task A_mode_that_uses_TLS_upgrades_with_the_server_and_refuses_a_certificate_it_cannot_trust(string security, SmtpSinkTls server)
    {
        await using var sink = await SmtpSink.StartAsync(server);

        var error = Assert.IsType<SslHandshakeException>(await SendAsync(sink, security));

        Assert.Equal(SmtpSink.Certificate.Thumbprint, error.ServerCertificate?.GetCertHashString());
        Assert.Empty(sink.Messages);
    }

    [Theory]
    [InlineData("StartTlsWhenAvailable", SmtpSinkTls.None)]
    [InlineData("None", SmtpSinkTls.StartTls)]
    [InlineData("Auto", SmtpSinkTls.None)]
    public async Task A_mode_that_allows_plain_text_sends_in_plain_text_when_it_must_or_is_told_to(string security, SmtpSinkTls server)
    {
        await using var sink = await SmtpSink.StartAsync(server);

        Assert.Null(await SendAsync(sink, security));

        Assert.Equal("Hello", Assert.Single(sink.Messages).Subject);
        Assert.Equal(0, sink.MessagesOverTls);
    }

    [Fact]
    public async Task SslOnConnect_speaks_TLS_from_the_first_byte_and_sends_nothing_to_a_plain_text_server()
    {
        await using var sink = await SmtpSink.StartAsync(SmtpSinkTls.None);

        var error = Assert.IsType<SslHandshakeException>(await SendAsync(sink, "SslOnConnect"));

        Assert.Null(error.ServerCertificate);
        Assert.Empty(sink.Messages);
    }

    /// <summary>One message through the service's own SMTP sender with this security; the error, or null when sent.</summary>
    private static async Task<Exception?> SendAsync(SmtpSink sink, string security)
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.Smtp = sink;
            o.HangfireServer = false;
            o.Settings["Email:Smtp:Security"] = security;
        });
        var message = new MimeMessage(
            [MailboxAddress.Parse("Example Journal <donations@example.org>")], [MailboxAddress.Parse("reader@example.com")],
            "Hello", new TextPart("plain") { Text = "Thank you." });
        try
        {
            await app.Services.GetRequiredService<IEmailSender>().SendAsync(message, CancellationToken.None);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
