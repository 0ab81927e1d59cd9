using System.Net;
using System.Text.RegularExpressions;
using MimeKit;

namespace Donations.Tests.Receipts;

/// <summary>One received receipt email taken apart: subject, both bodies, and the PDF's words.</summary>
/// <remarks>Text is whitespace-collapsed; Html is the visible text of the HTML body.</remarks>
public sealed record ReceiptEmail(MimeMessage Message, string Text, string Html, string? Pdf)
{
    public string Number => Message.Headers["X-Receipt-Number"] ?? "";

    public static ReceiptEmail From(MimeMessage message)
    {
        var pdf = message.Attachments.OfType<MimePart>().FirstOrDefault(a => a.ContentType.MimeType == "application/pdf");
        return new ReceiptEmail(message, Flat(message.TextBody ?? ""), Flat(HtmlText(message.HtmlBody ?? "")), pdf is null ? null : Infrastructure.PdfText.Words(pdf));
    }

    // What a reader sees, with line breaks and markup out of the way of phrase checks.
    private static string Flat(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    private static string HtmlText(string html) =>
        WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, "<head>.*?</head>", " ", RegexOptions.Singleline), "<[^>]+>", " "));

    /// <summary>Every statement in the text body, the HTML body and the PDF.</summary>
    public void AssertSaysEverywhere(params string[] statements)
    {
        foreach (var s in statements)
        {
            Assert.Contains(s, Text);
            Assert.Contains(s, Html);
            Assert.NotNull(Pdf);
            Assert.Contains(s, Pdf);
        }
    }

    public void AssertSaysNowhere(params string[] statements)
    {
        foreach (var s in statements)
        {
            Assert.DoesNotContain(s, Text);
            Assert.DoesNotContain(s, Html);
            if (Pdf is not null) Assert.DoesNotContain(s, Pdf);
        }
    }
}
