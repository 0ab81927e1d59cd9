using MimeKit;

namespace Donations.Tests.Infrastructure;

/// <summary>The one way the tests read a PDF: its words in reading order.</summary>
public static class PdfText
{
    /// <summary>Words joined by single spaces, so a sentence wrapped over two lines still matches.</summary>
    public static string Words(byte[] pdf)
    {
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }

    /// <summary>The words of an attached PDF (decoded from its transfer encoding).</summary>
    public static string Words(MimePart attachment) => Words(Bytes(attachment));

    /// <summary>An attachment's bytes, decoded from its transfer encoding.</summary>
    public static byte[] Bytes(MimePart attachment)
    {
        using var bytes = new MemoryStream();
        attachment.Content!.DecodeTo(bytes);
        return bytes.ToArray();
    }
}
