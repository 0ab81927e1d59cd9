using System.Buffers.Text;
using MimeKit;

namespace Donations.Api.Infrastructure.Email;

/// <summary>
/// A PDF attachment whose body is base64-encoded once, here, into its final form (76-column lines,
/// CRLF). MimeKit copies content already in the part's transfer encoding as it is, so neither
/// measuring the message for SMTP's SIZE nor writing it encodes the PDF again, which its own
/// encoder did twice per send, a byte at a time.
/// </summary>
public static class PdfAttachment
{
    private const int BytesPerLine = 57; // 76 base64 characters

    public static MimePart Create(string fileName, byte[] pdf) => new("application", "pdf")
    {
        Content = new MimeContent(new MemoryStream(Base64Lines(pdf), writable: false), ContentEncoding.Base64),
        ContentTransferEncoding = ContentEncoding.Base64,
        ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
        FileName = fileName,
    };

    public static byte[] Base64Lines(ReadOnlySpan<byte> data)
    {
        var lines = (data.Length + BytesPerLine - 1) / BytesPerLine;
        var output = new byte[Base64.GetMaxEncodedToUtf8Length(data.Length) + 2 * lines];
        var written = 0;
        for (var offset = 0; offset < data.Length; offset += BytesPerLine)
        {
            var chunk = data.Slice(offset, Math.Min(BytesPerLine, data.Length - offset));
            Base64.EncodeToUtf8(chunk, output.AsSpan(written), out _, out var encoded);
            written += encoded;
            output[written++] = (byte)'\r';
            output[written++] = (byte)'\n';
        }
        return output;
    }
}
