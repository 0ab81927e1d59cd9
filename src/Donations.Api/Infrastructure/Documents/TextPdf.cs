using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfDocument = PdfSharp.Pdf.PdfDocument;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// Lays out a rendered plain-text template as a Letter-size PDF, so one editable template gives
/// both the text body and the attachment. Lines starting with "# " are titles, "## " bold
/// headings; other lines wrap at the margin; blank lines leave space.
/// </summary>
public static class TextPdf
{
    private const double Margin = 60;
    private static readonly XFont TitleFont = Font(17, bold: true);
    private static readonly XFont HeadingFont = Font(11, bold: true);
    private static readonly XFont BodyFont = Font(10.5, bold: false);

    public static byte[] Render(string text, string title, string author)
    {
        using var document = new PdfDocument();
        // Deflating the embedded font subsets at the default level was most of a document's cost
        // (a fifth of a receipt's CPU, most of a statement run's); the fastest zlib level is several
        // times quicker for ~20% more bytes (~60 KiB instead of ~50 KiB for a receipt).
        document.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
        document.Info.Title = title;
        document.Info.Author = author;
        var writer = new PageWriter(document);
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("# ", StringComparison.Ordinal)) writer.Paragraph(line[2..], TitleFont, spaceAfter: 6);
            else if (line.StartsWith("## ", StringComparison.Ordinal)) writer.Paragraph(line[3..], HeadingFont, spaceAfter: 2);
            else if (line.Length == 0) writer.Space(BodyFont.Height * 0.6);
            else writer.Paragraph(line, BodyFont, spaceAfter: 0);
        }
        writer.Dispose();
        // Sized for a receipt up front: growing by doubling would end in a 128 KiB buffer on the
        // large object heap for every document.
        using var output = new MemoryStream(80 * 1024);
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static XFont Font(double size, bool bold)
    {
        PdfFonts.EnsureInstalled();
        return new XFont(PdfFonts.Family, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
    }

    private sealed class PageWriter(PdfDocument document) : IDisposable
    {
        private XGraphics? _gfx;
        private double _y;
        private double _width;
        private double _bottom;

        public void Space(double height)
        {
            EnsurePage(0);
            _y += height;
        }

        public void Paragraph(string text, XFont font, double spaceAfter)
        {
            foreach (var line in Wrap(text, font))
            {
                EnsurePage(font.Height);
                _gfx!.DrawString(line, font, XBrushes.Black, new XRect(Margin, _y, _width, font.Height), XStringFormats.TopLeft);
                _y += font.Height * 1.2;
            }
            _y += spaceAfter;
        }

        private IEnumerable<string> Wrap(string text, XFont font)
        {
            EnsurePage(0);
            var indent = text.Length - text.TrimStart().Length;
            var words = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var line = new string(' ', indent);
            foreach (var word in words)
            {
                var candidate = line.Trim().Length == 0 ? line + word : line + " " + word;
                if (line.Trim().Length > 0 && _gfx!.MeasureString(candidate, font).Width > _width)
                {
                    yield return line;
                    line = new string(' ', indent) + word;
                }
                else line = candidate;
            }
            yield return line;
        }

        private void EnsurePage(double needed)
        {
            if (_gfx is not null && _y + needed <= _bottom) return;
            _gfx?.Dispose();
            var page = document.AddPage();
            page.Size = PageSize.Letter;
            _gfx = XGraphics.FromPdfPage(page);
            _width = page.Width.Point - 2 * Margin;
            _bottom = page.Height.Point - Margin;
            _y = Margin;
        }

        public void Dispose() => _gfx?.Dispose();
    }
}
