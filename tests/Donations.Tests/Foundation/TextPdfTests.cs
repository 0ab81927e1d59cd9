using Donations.Api.Infrastructure.Documents;
using Donations.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Donations.Tests.Foundation;

public sealed class TextPdfTests
{
    private const string Receipt = """
        # Donation receipt

        Receipt number: 2026-000123
        ## Donor
        Zoë O’Brien – “Jo”, 12 Rue de l’Église (Paris) \ € 25,00 • 100 %
        ## Gift
        Amount: $25.00 for each monthly payment
        """;

    [Fact]
    public void Western_text_is_written_in_the_readers_built_in_Helvetica_with_nothing_embedded()
    {
        var pdf = TextPdf.Render(Receipt, "Receipt 2026-000123", "Example Newsroom");

        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPage(1).Letters;
        Assert.Contains(letters, l => l.FontName == "Helvetica-Bold" && l.Value == "D"); // the title
        Assert.Contains(letters, l => l.FontName == "Helvetica" && l.Value == "Z");
        Assert.DoesNotContain("/FontFile", System.Text.Encoding.Latin1.GetString(pdf), StringComparison.Ordinal);
        Assert.InRange(pdf.Length, 500, 4096);
        Assert.Equal("Donation receipt Receipt number: 2026-000123 Donor Zoë O’Brien – “Jo”, 12 Rue de l’Église (Paris) \\ € 25,00 • 100 % "
                     + "Gift Amount: $25.00 for each monthly payment", PdfText.Words(pdf));
        Assert.Equal("Receipt 2026-000123", document.Information.Title);
        Assert.Equal("Example Newsroom", document.Information.Author);
    }

    [Fact]
    public void Text_Helvetica_cannot_show_is_written_in_the_embedded_DejaVu_Sans_instead()
    {
        var pdf = TextPdf.Render(Receipt.Replace("Zoë", "Ζωή Παπαδοπούλου", StringComparison.Ordinal), "Receipt", "Example Newsroom");

        using var document = PdfDocument.Open(pdf);
        Assert.All(document.GetPage(1).Letters, l => Assert.Contains("DejaVu Sans", l.FontName, StringComparison.Ordinal));
        Assert.Contains("/FontFile2", System.Text.Encoding.Latin1.GetString(pdf), StringComparison.Ordinal);
        Assert.Contains("Donor Ζωή Παπαδοπούλου O’Brien", PdfText.Words(pdf), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Zoë")]
    [InlineData("Ζωή")]
    public void Long_lines_wrap_inside_the_margins_and_long_text_goes_on_to_more_pages(string name)
    {
        var paragraph = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"{name}{i}"));
        var text = "# Statement\n" + string.Join("\n\n", Enumerable.Repeat("    " + paragraph, 20));

        var pdf = TextPdf.Render(text, "Statement", "Example Newsroom");

        using var document = PdfDocument.Open(pdf);
        Assert.InRange(document.NumberOfPages, 2, 10);
        foreach (var page in document.GetPages())
        {
            Assert.Equal(612, page.Width);
            Assert.Equal(792, page.Height);
            Assert.All(page.Letters, l => Assert.InRange(l.BoundingBox.Left, 59.9, 552.1));
            Assert.All(page.Letters, l => Assert.InRange(l.BoundingBox.Right, 60.0, 552.1));
            Assert.All(page.Letters, l => Assert.InRange(l.BoundingBox.Bottom, 55.0, 733.0));
        }
        // Every word is there once, in order, over all the pages.
        var words = PdfText.Words(pdf).Split(' ').Where(w => w != "Statement").ToList();
        Assert.Equal(Enumerable.Repeat(paragraph.Split(' '), 20).SelectMany(w => w), words);
    }

    [Fact]
    public void Characters_that_only_look_unusual_keep_the_document_in_Helvetica()
    {
        // A decomposed é (as macOS writes it), a tab, a thin space, a non-breaking hyphen, a soft
        // hyphen, a zero-width space and a lone carriage return.
        var text = "# Receipt\nDonor: Rene\u0301e\tO\u2009Brien\u2011Smith co\u00adop\u200b\rAmount: \u221225";

        var pdf = TextPdf.Render(text, "Receipt", "Example Newsroom");

        using var document = PdfDocument.Open(pdf);
        Assert.All(document.GetPage(1).Letters, l => Assert.StartsWith("Helvetica", l.FontName, StringComparison.Ordinal));
        Assert.Equal("Receipt Donor: Renée O Brien-Smith coop Amount: -25", PdfText.Words(pdf));
    }

    [Theory]
    [InlineData("reader")]
    [InlineData("Ζωή")]
    public void A_word_wider_than_the_line_is_broken_inside_the_margins(string name)
    {
        var address = string.Concat(Enumerable.Repeat(name, 40)) + "@example.org";

        var pdf = TextPdf.Render($"Donor: {address}", "Receipt", "Example Newsroom");

        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPage(1).Letters;
        Assert.All(letters, l => Assert.InRange(l.BoundingBox.Right, 60.0, 552.1));
        Assert.Equal("Donor:" + address, string.Concat(letters.Select(l => l.Value)).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Blank_lines_at_the_end_of_a_full_page_open_no_empty_page()
    {
        // 46 lines of body text fill a page exactly, leaving the next line's top just past the margin.
        var full = string.Join("\n", Enumerable.Range(1, 4 * 46).Select(i => $"Line {i}"));
        var pages = PdfDocument.Open(TextPdf.Render(full, "Statement", "Example Newsroom")).NumberOfPages;

        using var document = PdfDocument.Open(TextPdf.Render(full + "\n\n\n", "Statement", "Example Newsroom"));

        Assert.Equal(4, pages);
        Assert.Equal(pages, document.NumberOfPages);
        Assert.All(document.GetPages(), p => Assert.NotEmpty(p.Letters));
    }
}
