using System.Buffers;
using System.Text;
using Donations.Api.Infrastructure.Email;
using Donations.Tests.Infrastructure;
using MimeKit;
using MimeKit.Encodings;

namespace Donations.Tests.Foundation;

/// <summary>
/// Outbound mail's body is encoded by the service itself (<see cref="EncodedBody"/>), not by
/// MimeKit's parts: these prove it reads back, through MimeKit and over a real SMTP conversation,
/// as the very text, HTML and files it was made from, in 7-bit lines no longer than the standards allow.
/// </summary>
public sealed class EncodedBodyTests
{
    /// <summary>RFC 5322 §2.1.1: lines should be no longer than 78 characters.</summary>
    private const int RfcLineLength = 78;

    private static readonly string[] Pieces =
    [
        "Thank you", " ", "  ", "\t", "=", "==", ".", "..", "From ", "Ada Lovelace", "Zoë", "José Ñúñez", "北京", "😀", "€ 12.00",
        "<p style=\"color: #222;\">", "&amp;", "\r\n", "\n", "\r", "\r\n.\r\n", "\n.\n", "--=-", "=\r\n", " \r\n", "\t\n",
        new('x', 77), new('y', 78), new('z', 79), new('w', 200), "a\0b",
    ];

    [Fact]
    public void Nothing_encodes_to_nothing()
    {
        var output = new ArrayBufferWriter<byte>();
        TransferEncodings.WriteBase64([], output);
        TransferEncodings.WriteQuotedPrintable("", output);
        TransferEncodings.WriteSevenBit("", output);
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(56)]
    [InlineData(57)]
    [InlineData(58)]
    [InlineData(61_440)]
    public void Files_go_as_base64_in_lines_of_76_that_decode_to_the_very_bytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var output = new ArrayBufferWriter<byte>();

        TransferEncodings.WriteBase64(data, output);

        var encoded = Encoding.ASCII.GetString(output.WrittenSpan);
        Assert.EndsWith("\r\n", encoded, StringComparison.Ordinal);
        var lines = encoded.Split("\r\n")[..^1];
        Assert.All(lines, l => Assert.InRange(l.Length, 1, 76));
        Assert.All(lines[..^1], l => Assert.Equal(76, l.Length));
        Assert.Equal(data, Convert.FromBase64String(string.Concat(lines)));
    }

    [Theory]
    [InlineData("Thank you for your gift.\nReceipt 2026-000001\n", true)]
    [InlineData("Windows\r\nand Unix\nline breaks\r\n", true)]
    [InlineData("a lone\rCR", false)]
    [InlineData("a line ending in a space \nthen more", false)]
    [InlineData("a line ending in a tab\t", false)]
    [InlineData("", true)]
    [InlineData("Zoë", false)]
    [InlineData("a\0b", false)]
    public void Text_goes_as_it_is_only_when_ASCII_without_NUL_lone_CR_or_trailing_white_space(string text, bool sevenBit) =>
        Assert.Equal(sevenBit, TransferEncodings.IsSevenBit(text));

    [Fact]
    public void Text_goes_as_it_is_only_in_lines_of_78_or_fewer() =>
        Assert.Equal([true, false, true], new[] { new string('a', 78), new string('a', 79), new string('a', 78) + "\r\n" + new string('b', 78) }
            .Select(t => TransferEncodings.IsSevenBit(t)));

    [Fact]
    public void Quoted_printable_decodes_to_the_very_text_in_short_lines_of_printable_ASCII()
    {
        var random = new Random(20);
        for (var i = 0; i < 2_000; i++)
        {
            var text = RandomText(random);
            var output = new ArrayBufferWriter<byte>();

            TransferEncodings.WriteQuotedPrintable(text, output);

            var encoded = output.WrittenSpan.ToArray();
            // The delimiter after the part ends its last line.
            AssertSevenBitLines([.. encoded, .. "\r\n"u8], 76);
            foreach (var line in Encoding.ASCII.GetString(encoded).Split("\r\n"))
            {
                Assert.False(line.EndsWith(' ') || line.EndsWith('\t'), $"trailing white space in {line}");
                Assert.False(line.StartsWith('.'), $"a line SMTP would dot-stuff: {line}");
            }
            Assert.Equal(WithCrlf(text), Decode(new QuotedPrintableDecoder(), encoded));
        }
    }

    [Fact]
    public void Seven_bit_text_is_the_text_with_CRLF_line_breaks()
    {
        var output = new ArrayBufferWriter<byte>();

        TransferEncodings.WriteSevenBit("one\ntwo\r\nthree", output);
        TransferEncodings.WriteSevenBit("four\n", output);

        Assert.Equal("one\r\ntwo\r\nthreefour\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void A_body_reads_back_as_MimeKit_reads_the_same_body_built_from_its_own_parts()
    {
        var random = new Random(21);
        for (var i = 0; i < 300; i++)
        {
            var (text, html) = (RandomText(random), RandomText(random));
            var pdf = RandomBytes(random, random.Next(0, 5_000));

            var ours = Parse(Message(EncodedBody.Create(text, html, [MailAttachment.Pdf("receipt-2026-000001.pdf", pdf)])), NewLineFormat.Dos);
            var theirs = Parse(Message(new BodyBuilder
            {
                TextBody = text, HtmlBody = html, Attachments = { { "receipt-2026-000001.pdf", pdf, new ContentType("application", "pdf") } },
            }.ToMessageBody()), NewLineFormat.Dos);

            Assert.Equal(theirs.TextBody, ours.TextBody);
            Assert.Equal(theirs.HtmlBody, ours.HtmlBody);
            Assert.Equal(pdf, AttachmentBytes(ours));
        }
    }

    [Fact]
    public void A_body_is_seven_bit_in_lines_of_at_most_78_whatever_its_text()
    {
        var random = new Random(22);
        for (var i = 0; i < 300; i++)
        {
            var body = EncodedBody.Create(RandomText(random), RandomText(random), [MailAttachment.Pdf("receipt-2026-000001.pdf", RandomBytes(random, 3_000))]);
            AssertSevenBitLines(body.Content.ToArray(), RfcLineLength);
        }
    }

    [Fact]
    public void Without_attachments_the_body_is_the_alternatives_alone_and_with_them_mixed()
    {
        var alone = Parse(Message(EncodedBody.Create("Hello", "<p>Hello</p>", [])), NewLineFormat.Dos);
        var mixed = Parse(Message(EncodedBody.Create("Hello", "<p>Hello</p>", [MailAttachment.Pdf("a.pdf", [1, 2, 3])])), NewLineFormat.Dos);

        Assert.Equal("multipart/alternative", alone.Body!.ContentType.MimeType);
        Assert.Equal(["text/plain", "text/html"], Assert.IsAssignableFrom<Multipart>(alone.Body).Select(p => p.ContentType.MimeType));
        Assert.Equal("multipart/mixed", mixed.Body!.ContentType.MimeType);
        Assert.Equal(["multipart/alternative", "application/pdf"], Assert.IsAssignableFrom<Multipart>(mixed.Body).Select(p => p.ContentType.MimeType));
        var pdf = Assert.IsType<MimePart>(Assert.Single(mixed.Attachments));
        Assert.Equal("a.pdf", pdf.FileName);
        Assert.True(pdf.IsAttachment);
        Assert.Equal(ContentEncoding.Base64, pdf.ContentTransferEncoding);
    }

    [Fact]
    public void ASCII_text_goes_as_7bit_and_other_text_as_quoted_printable()
    {
        var message = Parse(Message(EncodedBody.Create("Dear Ada,\nthank you.", "<p>Dear Zoë,</p>", [])), NewLineFormat.Dos);

        var parts = Assert.IsAssignableFrom<Multipart>(message.Body).Cast<TextPart>().ToList();
        Assert.Equal([ContentEncoding.SevenBit, ContentEncoding.QuotedPrintable], parts.Select(p => p.ContentTransferEncoding));
        Assert.Equal(["utf-8", "utf-8"], parts.Select(p => p.ContentType.Charset));
        Assert.Equal("Dear Ada,\nthank you.", message.TextBody?.ReplaceLineEndings("\n"));
        Assert.Equal("<p>Dear Zoë,</p>", message.HtmlBody?.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Written_with_Unix_line_breaks_the_whole_message_has_them_and_reads_the_same(bool async)
    {
        var message = Message(EncodedBody.Create("Dear Zoë,\nthank you.", "<p>Thank you</p>", [MailAttachment.Pdf("a.pdf", RandomBytes(new Random(3), 500))]));
        using var unix = new MemoryStream();
        var options = new FormatOptions { NewLineFormat = NewLineFormat.Unix };

        if (async) await message.WriteToAsync(options, unix);
        else message.WriteTo(options, unix);

        Assert.DoesNotContain((byte)'\r', unix.ToArray());
        unix.Position = 0;
        var back = MimeMessage.Load(unix);
        Assert.Equal("Dear Zoë,\nthank you.", back.TextBody);
        Assert.Equal(RandomBytes(new Random(3), 500), AttachmentBytes(back));
    }

    [Theory]
    [InlineData("")]
    [InlineData("receipt \"2026\".pdf")]
    [InlineData("reçu.pdf")]
    [InlineData("a\r\nBcc: x@example.org")]
    [InlineData("a-name-of-sixty-one-characters-which-is-one-too-many-for.pdf!")]
    public void An_attachment_name_that_is_not_short_plain_ASCII_is_refused(string fileName) =>
        Assert.Throws<ArgumentException>(() => MailAttachment.Pdf(fileName, [1]));

    [Fact]
    public async Task The_whole_message_headers_and_all_is_MIME_1_0_in_7_bit_lines_of_at_most_78()
    {
        var longest = new string('r', MailAttachment.MaxFileName - 4) + ".pdf";
        var message = Message(EncodedBody.Create("Dear Zoë,\n" + new string('x', 300), "<p style=\"a\">" + new string('y', 300),
            [MailAttachment.Pdf(longest, RandomBytes(new Random(4), 2_000)), MailAttachment.Pdf("receipt-2026-000001.pdf", [1, 2])]));
        using var written = new MemoryStream();

        await message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, written);

        AssertSevenBitLines(written.ToArray(), RfcLineLength);
        written.Position = 0;
        var back = await MimeMessage.LoadAsync(written);
        Assert.Equal("1.0", back.Headers[HeaderId.MimeVersion]);
        Assert.Equal([longest, "receipt-2026-000001.pdf"], back.Attachments.Select(a => ((MimePart)a).FileName));
    }

    [Fact]
    public async Task A_message_goes_through_SMTP_and_arrives_with_its_text_dots_and_PDF_intact()
    {
        await using var smtp = await SmtpSink.StartAsync();
        var pdf = RandomBytes(new Random(7), 50_000);
        const string text = "Thank you.\n.\n..leading dots\n.\nZoë gave €12.00 =\n";
        var message = Message(EncodedBody.Create(text, "<p>Thank you</p>\n.\n", [MailAttachment.Pdf("receipt-2026-000001.pdf", pdf)]));

        using (var client = new MailKit.Net.Smtp.SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", smtp.Port, MailKit.Security.SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var received = Assert.Single(smtp.Messages);
        Assert.Equal(text, received.TextBody?.ReplaceLineEndings("\n"));
        Assert.Equal("<p>Thank you</p>\n.\n", received.HtmlBody?.ReplaceLineEndings("\n"));
        var part = Assert.IsType<MimePart>(Assert.Single(received.Attachments));
        Assert.Equal("application/pdf", part.ContentType.MimeType);
        Assert.Equal("receipt-2026-000001.pdf", part.FileName);
        Assert.Equal(pdf, AttachmentBytes(received));
    }

    private static MimeMessage Message(MimeEntity body)
    {
        var message = new MimeMessage { Subject = "Your receipt", Body = body };
        message.From.Add(MailboxAddress.Parse("donations@example.org"));
        message.To.Add(MailboxAddress.Parse("reader@example.com"));
        return message;
    }

    private static MimeMessage Parse(MimeMessage message, NewLineFormat lines)
    {
        using var stream = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = lines }, stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    private static byte[] AttachmentBytes(MimeMessage message)
    {
        using var decoded = new MemoryStream();
        ((MimePart)message.Attachments.Single()).Content!.DecodeTo(decoded);
        return decoded.ToArray();
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 40); i > 0; i--) text.Append(Pieces[random.Next(Pieces.Length)]);
        return text.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>What a reader gets back from quoted-printable: line breaks as CRLF, a CR that ends the text dropped.</summary>
    private static string WithCrlf(string text)
    {
        var lines = text.Replace("\r\n", "\n");
        return (lines.EndsWith('\r') ? lines[..^1] : lines).Replace("\n", "\r\n");
    }

    private static string Decode(IMimeDecoder decoder, byte[] encoded)
    {
        var output = new byte[decoder.EstimateOutputLength(encoded.Length)];
        var length = decoder.Decode(encoded, 0, encoded.Length, output);
        return Encoding.UTF8.GetString(output, 0, length);
    }

    private static void AssertSevenBitLines(byte[] encoded, int maxLine)
    {
        var line = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var b = encoded[i];
            if (b == '\r')
            {
                Assert.True(i + 1 < encoded.Length && encoded[i + 1] == '\n', "a CR without its LF");
                Assert.InRange(line, 0, maxLine);
                line = 0;
                i++;
                continue;
            }
            Assert.True(b is >= 32 and < 127 or (byte)'\t', $"byte {b} at {i}");
            line++;
        }
        Assert.Equal(0, line);
    }
}
