using System.Text;
using PdfSharp;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Face = Donations.Api.Infrastructure.Documents.StandardFontPdf.Face;
using Line = Donations.Api.Infrastructure.Documents.StandardFontPdf.Line;
using PdfDocument = PdfSharp.Pdf.PdfDocument;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// Lays out a rendered plain-text template as a Letter-size PDF, so one editable template gives
/// both the text body and the attachment. Lines starting with "# " are titles, "## " bold
/// headings; other lines wrap at the margin; blank lines leave space. Text the PDF's built-in
/// Helvetica can show (Western European letters, the usual punctuation) is written in it
/// (<see cref="StandardFontPdf"/>); anything else, a donor's name in Greek or Cyrillic say, is
/// written with the DejaVu Sans faces embedded.
/// </summary>
public static class TextPdf
{
    internal const double Margin = 60;
    private const double PageWidth = 612, PageHeight = 792; // US Letter, in points

    private readonly record struct Style(double Size, Face Face, double SpaceAfter);

    private static readonly Style Title = new(17, Face.Bold, 6);
    private static readonly Style Heading = new(11, Face.Bold, 2);
    private static readonly Style Body = new(10.5, Face.Regular, 0);

    public static byte[] Render(string text, string title, string author)
    {
        var lines = Clean(text).Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines.All(StandardFontPdf.CanWrite)
            ? StandardFontPdf.Write(Lay(lines, new StandardFonts()), PageWidth, PageHeight, title, author)
            : Embedded.Write(lines, title, author);
    }

    /// <summary>
    /// Line breaks made plain, and the characters that only look like others (a decomposed "é",
    /// a thin space, a non-breaking hyphen, a minus) made the ones Helvetica has, so a name pasted
    /// from another system does not send the whole document to the embedded font; invisible
    /// ones (zero-width spaces, soft hyphens, a byte-order mark) are dropped.
    /// </summary>
    private static string Clean(string text)
    {
        var normal = text.Normalize(NormalizationForm.FormC);
        var clean = new StringBuilder(normal.Length);
        for (var i = 0; i < normal.Length; i++)
        {
            var c = normal[i];
            switch (c)
            {
                case '\r':
                    clean.Append('\n');
                    if (i + 1 < normal.Length && normal[i + 1] == '\n') i++;
                    break;
                case '\t': clean.Append("    "); break;
                case '\u00ad' or '\u200b' or '\u200c' or '\u200d' or '\u2060' or '\ufeff': break;
                case '\u2010' or '\u2011' or '\u2212': clean.Append('-'); break;
                case >= '\u2000' and <= '\u200a' or '\u202f' or '\u205f': clean.Append(' '); break;
                default: clean.Append(c); break;
            }
        }
        return clean.ToString();
    }

    /// <summary>What laying out needs of a set of fonts.</summary>
    private interface IFonts
    {
        double Height(Style style);
        double Width(string text, Style style);
    }

    private sealed class StandardFonts : IFonts
    {
        public double Height(Style style) => style.Size * StandardFontPdf.LineHeight;
        public double Width(string text, Style style) => StandardFontPdf.Width(text, style.Face, style.Size);
    }

    /// <summary>Pages of placed lines: the same layout whichever fonts write it.</summary>
    private static List<List<Line>> Lay(IEnumerable<string> lines, IFonts fonts)
    {
        var pages = new List<List<Line>>();
        List<Line>? page = null;
        var y = 0.0;
        const double bottom = PageHeight - Margin, width = PageWidth - 2 * Margin;

        void EnsureRoom(double needed)
        {
            if (page is not null && y + needed <= bottom) return;
            pages.Add(page = []);
            y = Margin;
        }

        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                // Space only: the next line of text opens a page if it needs one.
                if (page is null) EnsureRoom(0);
                y += fonts.Height(Body) * 0.6;
                continue;
            }
            var (content, style) = line.StartsWith("# ", StringComparison.Ordinal) ? (line[2..], Title)
                : line.StartsWith("## ", StringComparison.Ordinal) ? (line[3..], Heading)
                : (line, Body);
            var height = fonts.Height(style);
            foreach (var wrapped in Wrap(content, style, width, fonts))
            {
                EnsureRoom(height);
                page!.Add(new Line(wrapped, style.Face, style.Size, y));
                y += height * 1.2;
            }
            y += style.SpaceAfter;
        }
        if (pages.Count == 0) pages.Add([]);
        return pages;
    }

    /// <summary>
    /// Words onto lines no wider than <paramref name="width"/>; a line's indent is kept on every line
    /// it wraps to, and a word wider than a line (a long address or link) is broken where it must be.
    /// </summary>
    private static IEnumerable<string> Wrap(string text, Style style, double width, IFonts fonts)
    {
        var indent = new string(' ', text.Length - text.TrimStart().Length);
        var line = indent;
        var words = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(w => fonts.Width(indent + w, style) <= width ? [w] : Pieces(w, indent, style, width, fonts));
        foreach (var word in words)
        {
            var candidate = line.Length == indent.Length ? line + word : line + " " + word;
            if (line.Length > indent.Length && fonts.Width(candidate, style) > width)
            {
                yield return line;
                line = indent + word;
            }
            else line = candidate;
        }
        yield return line;
    }

    private static IEnumerable<string> Pieces(string word, string indent, Style style, double width, IFonts fonts)
    {
        for (var start = 0; start < word.Length;)
        {
            var end = start + 1;
            while (end < word.Length && fonts.Width(indent + word[start..(end + 1)], style) <= width) end++;
            if (end < word.Length && char.IsHighSurrogate(word[end - 1])) end++; // never half a character
            yield return word[start..end];
            start = end;
        }
    }

    /// <summary>The same layout in the DejaVu Sans faces, embedded (subsets), for text Helvetica cannot show.</summary>
    private static class Embedded
    {
        private static readonly Dictionary<(Face, double), XFont> Fonts = new[] { Title, Heading, Body }.ToDictionary(s => (s.Face, s.Size), Font);

        public static byte[] Write(IEnumerable<string> lines, string title, string author)
        {
            using var document = new PdfDocument();
            // Deflating the embedded font subsets at the default level was most of a document's cost;
            // the fastest zlib level is several times quicker for ~20% more bytes.
            document.Options.FlateEncodeMode = PdfFlateEncodeMode.BestSpeed;
            document.Info.Title = title;
            document.Info.Author = author;
            List<List<Line>> pages;
            using (var measure = XGraphics.CreateMeasureContext(new XSize(PageWidth, PageHeight), XGraphicsUnit.Point, XPageDirection.Downwards))
                pages = Lay(lines, new Measured(measure));
            foreach (var placed in pages)
            {
                var page = document.AddPage();
                page.Size = PageSize.Letter;
                using var gfx = XGraphics.FromPdfPage(page);
                foreach (var line in placed)
                {
                    var font = Fonts[(line.Face, line.Size)];
                    gfx.DrawString(line.Text, font, XBrushes.Black, new XRect(Margin, line.Top, PageWidth - 2 * Margin, font.Height), XStringFormats.TopLeft);
                }
            }
            using var output = new MemoryStream(80 * 1024);
            document.Save(output, closeStream: false);
            return output.ToArray();
        }

        private static XFont Font(Style style)
        {
            PdfFonts.EnsureInstalled();
            return new XFont(PdfFonts.Family, style.Size, style.Face == Face.Bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
        }

        private sealed class Measured(XGraphics measure) : IFonts
        {
            public double Height(Style style) => Fonts[(style.Face, style.Size)].Height;
            public double Width(string text, Style style) => measure.MeasureString(text, Fonts[(style.Face, style.Size)]).Width;
        }
    }
}
