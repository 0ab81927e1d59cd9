using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// Writes a text PDF in Helvetica and Helvetica-Bold, two of the fonts every PDF reader has built
/// in (PDF 1.7, 9.6.2.2), so nothing is embedded: a receipt is ~2 KiB and takes microseconds,
/// where embedding a subset of a TrueType font made it ~60 KiB and a few milliseconds of CPU, at
/// every step after too (stored, read back, base64-encoded into the email, carried over SMTP).
/// Only text every character of which is in the fonts' encoding (WinAnsiEncoding, i.e. Windows-1252)
/// can be written so; <see cref="TextPdf"/> asks <see cref="CanWrite"/> first.
/// </summary>
internal static class StandardFontPdf
{
    public enum Face { Regular, Bold }

    public readonly record struct Line(string Text, Face Face, double Size, double Top);

    /// <summary>Ascender of both faces, in thousandths of the size (Adobe's font metrics).</summary>
    public const double Ascent = 0.718;

    /// <summary>Line height as a share of the size: ascender, descender and the usual gap.</summary>
    public const double LineHeight = 1.15;

    public static bool CanWrite(string text)
    {
        foreach (var c in text)
            if (Code(c) < 0) return false;
        return true;
    }

    /// <summary>Width of <paramref name="text"/> in points; only for text <see cref="CanWrite"/> accepts.</summary>
    public static double Width(string text, Face face, double size)
    {
        var widths = face == Face.Bold ? BoldWidths : RegularWidths;
        var units = 0;
        foreach (var c in text) units += widths[Code(c) - 32];
        return units * size / 1000;
    }

    /// <summary>
    /// The document: pages of <paramref name="width"/> × <paramref name="height"/> points, each line
    /// placed by the top of its text measured from the page's top edge.
    /// </summary>
    public static byte[] Write(IReadOnlyList<IReadOnlyList<Line>> pages, double width, double height, string title, string author)
    {
        var pdf = new Writer();
        pdf.Raw("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        // Objects: 1 catalog, 2 page tree, 3 and 4 the fonts, 5 the document's information, then a
        // page and its content for each page.
        var kids = string.Join(' ', Enumerable.Range(0, pages.Count).Select(i => $"{6 + 2 * i} 0 R"));
        pdf.Object(1, "<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object(2, $"<< /Type /Pages /Kids [{kids}] /Count {pages.Count} >>");
        pdf.Object(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        pdf.Object(4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
        pdf.Object(5, $"<< /Title {Utf16(title)} /Author {Utf16(author)} /Producer (Donations) >>");
        for (var i = 0; i < pages.Count; i++)
        {
            var page = 6 + 2 * i;
            pdf.Object(page, FormattableString.Invariant(
                $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {page + 1} 0 R >>"));
            pdf.Stream(page + 1, Content(pages[i], height));
        }
        return pdf.Finish(objects: 5 + 2 * pages.Count, root: 1, info: 5);
    }

    private static byte[] Content(IReadOnlyList<Line> lines, double pageHeight)
    {
        using var content = new MemoryStream(64 * lines.Count);
        var ascii = new StringBuilder();
        foreach (var line in lines)
        {
            var baseline = pageHeight - line.Top - Ascent * line.Size;
            ascii.Clear().Append(CultureInfo.InvariantCulture,
                $"BT /{(line.Face == Face.Bold ? "F2" : "F1")} {line.Size:0.##} Tf {TextPdf.Margin:0.##} {baseline:0.##} Td (");
            content.Write(Encoding.ASCII.GetBytes(ascii.ToString()));
            foreach (var c in line.Text)
            {
                var code = (byte)Code(c);
                if (code is (byte)'(' or (byte)')' or (byte)'\\') content.WriteByte((byte)'\\');
                content.WriteByte(code);
            }
            content.Write(") Tj ET\n"u8);
        }
        return content.ToArray();
    }

    /// <summary>A text string in UTF-16BE with its byte-order mark, as hex: any character, no escaping.</summary>
    private static string Utf16(string text) =>
        "<FEFF" + Convert.ToHexString(Encoding.BigEndianUnicode.GetBytes(text)) + ">";

    /// <summary>The character's WinAnsiEncoding code, or -1 if the fonts cannot show it.</summary>
    private static int Code(char c) => c switch
    {
        >= ' ' and <= '~' => c,
        >= '\u00a0' and <= '\u00ff' => c,
        _ => Windows1252.TryGetValue(c, out var code) ? code : -1,
    };

    /// <summary>The codes 128–159 Windows-1252 gives characters (five stay unassigned).</summary>
    private static readonly Dictionary<char, int> Windows1252 = new()
    {
        ['\u20ac'] = 0x80, ['\u201a'] = 0x82, ['\u0192'] = 0x83, ['\u201e'] = 0x84, ['\u2026'] = 0x85,
        ['\u2020'] = 0x86, ['\u2021'] = 0x87, ['\u02c6'] = 0x88, ['\u2030'] = 0x89, ['\u0160'] = 0x8a,
        ['\u2039'] = 0x8b, ['\u0152'] = 0x8c, ['\u017d'] = 0x8e, ['\u2018'] = 0x91, ['\u2019'] = 0x92,
        ['\u201c'] = 0x93, ['\u201d'] = 0x94, ['\u2022'] = 0x95, ['\u2013'] = 0x96, ['\u2014'] = 0x97,
        ['\u02dc'] = 0x98, ['\u2122'] = 0x99, ['\u0161'] = 0x9a, ['\u203a'] = 0x9b, ['\u0153'] = 0x9c,
        ['\u017e'] = 0x9e, ['\u0178'] = 0x9f,
    };

    // Advance widths (thousandths of the size) of codes 32–255 in WinAnsiEncoding, from Adobe's
    // font metrics for the two faces; unassigned codes are never written (see Code).
    private static readonly short[] RegularWidths =
    [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
        556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, 350, 222, 222, 333, 333, 350, 556, 1000,
        333, 1000, 500, 333, 944, 350, 500, 667, 278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
        400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722,
        667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
        556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556, 556, 556, 556, 556, 556, 584,
        611, 556, 556, 556, 556, 500, 556, 500,
    ];

    private static readonly short[] BoldWidths =
    [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
        611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
        556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350, 350, 278, 278, 500, 500, 350, 556, 1000,
        333, 1000, 556, 333, 944, 350, 500, 667, 278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
        400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722,
        667, 667, 667, 667, 278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
        556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611, 611, 611, 611, 611, 611, 584,
        611, 611, 611, 611, 611, 556, 611, 556,
    ];

    /// <summary>Objects written in order, their byte offsets kept for the cross-reference table.</summary>
    private sealed class Writer
    {
        private readonly MemoryStream _out = new(4096);
        private readonly List<long> _offsets = [];

        public void Raw(string latin1)
        {
            foreach (var c in latin1) _out.WriteByte((byte)c);
        }

        public void Object(int number, string body)
        {
            Begin(number);
            Raw(body);
            Raw("\nendobj\n");
        }

        public void Stream(int number, byte[] data)
        {
            Begin(number);
            Raw($"<< /Length {data.Length} >>\nstream\n");
            _out.Write(data);
            Raw("\nendstream\nendobj\n");
        }

        private void Begin(int number)
        {
            if (number != _offsets.Count + 1) throw new InvalidOperationException("PDF objects must be written in order.");
            _offsets.Add(_out.Position);
            Raw($"{number} 0 obj\n");
        }

        public byte[] Finish(int objects, int root, int info)
        {
            var xref = _out.Position;
            Raw($"xref\n0 {objects + 1}\n0000000000 65535 f \n");
            Span<byte> digits = stackalloc byte[10];
            foreach (var offset in _offsets)
            {
                Utf8Formatter.TryFormat(offset, digits, out _, new System.Buffers.StandardFormat('D', 10));
                _out.Write(digits);
                Raw(" 00000 n \n");
            }
            Raw($"trailer\n<< /Size {objects + 1} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n");
            return _out.ToArray();
        }
    }
}
