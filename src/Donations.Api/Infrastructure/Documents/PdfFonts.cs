using System.Reflection;
using PdfSharp.Fonts;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// PDFsharp finds no system fonts on Linux. Every family resolves to the DejaVu Sans faces
/// embedded in this assembly (Bitstream Vera licence, embedding allowed: Fonts/LICENSE.txt).
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly PdfFonts Instance = new();
    private static readonly Lock Gate = new();

    /// <summary>PDFsharp wants its resolver set once, before the first font is used.</summary>
    public static void EnsureInstalled()
    {
        if (GlobalFontSettings.FontResolver == Instance) return;
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver != Instance)
                GlobalFontSettings.FontResolver = Instance;
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        // No italic face is shipped: PDFsharp simulates it from the upright one.
        new(isBold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: isItalic);

    public byte[]? GetFont(string faceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Donations.Fonts.{faceName}.ttf");
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
