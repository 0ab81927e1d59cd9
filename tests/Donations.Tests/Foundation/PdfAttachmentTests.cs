using System.Text;
using Donations.Api.Infrastructure.Email;
using Donations.Tests.Infrastructure;
using MimeKit;

namespace Donations.Tests.Foundation;

public sealed class PdfAttachmentTests
{
    [Fact]
    public void Nothing_encodes_to_nothing() => Assert.Empty(PdfAttachment.Base64Lines([]));

    [Theory]
    [InlineData(1)]
    [InlineData(56)]
    [InlineData(57)]
    [InlineData(58)]
    [InlineData(61_440)]
    public void The_body_is_base64_in_lines_of_76_that_decode_to_the_very_bytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);

        var encoded = Encoding.ASCII.GetString(PdfAttachment.Base64Lines(data));

        Assert.EndsWith("\r\n", encoded, StringComparison.Ordinal);
        var lines = encoded.Split("\r\n")[..^1];
        Assert.All(lines, l => Assert.InRange(l.Length, 1, 76));
        Assert.All(lines[..^1], l => Assert.Equal(76, l.Length));
        Assert.Equal(data, Convert.FromBase64String(string.Concat(lines)));
    }

    [Fact]
    public async Task A_message_carrying_it_goes_through_SMTP_and_arrives_as_the_same_PDF()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var pdf = new byte[50_000];
        new Random(7).NextBytes(pdf);
        var message = new MimeMessage { Subject = "Your receipt" };
        message.From.Add(MailboxAddress.Parse("donations@example.org"));
        message.To.Add(MailboxAddress.Parse("reader@example.com"));
        message.Body = new BodyBuilder { TextBody = "Attached.", Attachments = { PdfAttachment.Create("receipt-2026-000001.pdf", pdf) } }.ToMessageBody();

        using (var client = new MailKit.Net.Smtp.SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", smtp.Port, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var part = Assert.IsType<MimePart>(Assert.Single(Assert.Single(smtp.Messages).Attachments));
        Assert.Equal("application/pdf", part.ContentType.MimeType);
        Assert.Equal("receipt-2026-000001.pdf", part.FileName);
        Assert.Equal(ContentEncoding.Base64, part.ContentTransferEncoding);
        using var decoded = new MemoryStream();
        await part.Content!.DecodeToAsync(decoded);
        Assert.Equal(pdf, decoded.ToArray());
    }
}
