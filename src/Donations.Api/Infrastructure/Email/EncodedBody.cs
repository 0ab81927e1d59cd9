using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// A message's body, encoded into its final bytes once, when the message is composed: the text and
/// the HTML as alternatives (<c>multipart/alternative</c>), in <c>multipart/mixed</c> with the
/// attachments when there are any, the shape MimeKit's <c>BodyBuilder</c> gives. Every byte is
/// 7-bit and every line short (<see cref="TransferEncodings"/>), so no transport needs the body
/// prepared again: MailKit writes these bytes, dot-stuffed for SMTP's DATA. MimeKit's own parts
/// for the same body encoded it again on every send, a byte at a time through a chain of filters,
/// the largest part of what sending a receipt cost the service (see the benchmarks' README,
/// seventeenth pass). Its <see cref="MimeMessage.TextBody"/> and attachments read as empty on the
/// composed message; they are there once its bytes are parsed.
/// </summary>
public sealed class EncodedBody : MimeEntity
{
    // An array segment: the streams MailKit writes to copy a span into an array of their own first.
    private readonly ArraySegment<byte> _content;

    private EncodedBody(ContentType type, ArrayBufferWriter<byte> bytes) : base(type) =>
        _content = MemoryMarshal.TryGetArray(bytes.WrittenMemory, out var segment) ? segment : bytes.WrittenSpan.ToArray();

    /// <summary>The body's bytes after its headers, with CRLF line breaks.</summary>
    public ReadOnlyMemory<byte> Content => _content;

    public static EncodedBody Create(string text, string html, IReadOnlyList<MailAttachment> attachments)
    {
        var bytes = new ArrayBufferWriter<byte>(EstimatedText(text) + EstimatedText(html)
            + attachments.Sum(a => Base64Length(a.Content.Length) + 256) + 512);
        var alternative = NewBoundary();
        if (attachments.Count == 0)
        {
            WriteAlternatives(bytes, alternative, text, html);
            return new EncodedBody(Multipart("alternative", alternative), bytes);
        }
        var mixed = NewBoundary();
        Ascii(bytes, $"--{mixed}\r\nContent-Type: multipart/alternative;\r\n\tboundary=\"{alternative}\"\r\n\r\n");
        WriteAlternatives(bytes, alternative, text, html);
        foreach (var attachment in attachments)
        {
            Ascii(bytes, $"\r\n--{mixed}\r\nContent-Type: {attachment.MediaType};\r\n\tname=\"{attachment.FileName}\"\r\n" +
                $"Content-Disposition: attachment;\r\n\tfilename=\"{attachment.FileName}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            TransferEncodings.WriteBase64(attachment.Content, bytes);
        }
        Ascii(bytes, $"\r\n--{mixed}--\r\n");
        return new EncodedBody(Multipart("mixed", mixed), bytes);
    }

    /// <summary>Nothing to prepare: the body is 7-bit in short lines already.</summary>
    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78) { }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        base.WriteTo(options, stream, contentOnly, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var (output, filtered) = Output(options, stream);
        using (filtered)
        {
            output.Write(_content.Array!, _content.Offset, _content.Count);
            filtered?.Flush(cancellationToken);
        }
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
        var (output, filtered) = Output(options, stream);
        using (filtered)
        {
            await output.WriteAsync(_content.Array!, _content.Offset, _content.Count, cancellationToken);
            if (filtered is not null) await filtered.FlushAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The bytes' CRLF as they are (SMTP); for Unix line breaks (a file, its headers written so
    /// too) through a filter. Its other format options do not apply: the body is final.
    /// </summary>
    private static (Stream Output, FilteredStream? Filtered) Output(FormatOptions options, Stream stream)
    {
        if (options.NewLineFormat == NewLineFormat.Dos) return (stream, null);
        var filtered = new FilteredStream(stream);
        filtered.Add(new Dos2UnixFilter());
        return (filtered, filtered);
    }

    private static void WriteAlternatives(ArrayBufferWriter<byte> bytes, string boundary, string text, string html)
    {
        WriteTextPart(bytes, $"--{boundary}", "plain", text);
        WriteTextPart(bytes, $"\r\n--{boundary}", "html", html);
        Ascii(bytes, $"\r\n--{boundary}--\r\n");
    }

    /// <summary>One text part after its delimiter; the next delimiter's CRLF ends its last line.</summary>
    private static void WriteTextPart(ArrayBufferWriter<byte> bytes, string delimiter, string subtype, string text)
    {
        var sevenBit = TransferEncodings.IsSevenBit(text);
        Ascii(bytes, $"{delimiter}\r\nContent-Type: text/{subtype}; charset=utf-8\r\n" +
            $"Content-Transfer-Encoding: {(sevenBit ? "7bit" : "quoted-printable")}\r\n\r\n");
        if (sevenBit) TransferEncodings.WriteSevenBit(text, bytes);
        else TransferEncodings.WriteQuotedPrintable(text, bytes);
    }

    private static ContentType Multipart(string subtype, string boundary) => new("multipart", subtype) { Boundary = boundary };

    /// <summary>
    /// A boundary no encoded line can contain: "=-" never occurs in quoted-printable or base64, and
    /// 7bit text would have to hold these 128 random bits.
    /// </summary>
    private static string NewBoundary() => "=-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>Room for text in 7bit or quoted-printable, mostly ASCII (each '=' of HTML's attributes takes three bytes).</summary>
    private static int EstimatedText(string text) => text.Length + text.Length / 8 + 256;

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4 + (bytes + 56) / 57 * 2;

    private static void Ascii(IBufferWriter<byte> bytes, string value)
    {
        var written = Encoding.ASCII.GetBytes(value, bytes.GetSpan(value.Length));
        bytes.Advance(written);
    }
}
