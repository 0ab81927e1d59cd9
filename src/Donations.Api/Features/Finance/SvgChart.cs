using System.Globalization;
using System.Text;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Finance;

/// <summary>
/// A bar chart drawn on the server as inline SVG: no script, no external file, no style
/// attribute (the page's Content-Security-Policy allows neither), only presentation attributes.
/// Each bar carries a <c>&lt;title&gt;</c>, so a pointer or a screen reader gets its exact value.
/// </summary>
public static class SvgChart
{
    private const int Width = 720, Height = 180, Left = 64, Bottom = 24, Top = 8;

    public static string Bars(string id, string caption, IReadOnlyList<(string Label, long Value)> points, Func<long, string> format)
    {
        var max = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Value));
        var plotWidth = Width - Left - 8;
        var plotHeight = Height - Bottom - Top;
        var slot = points.Count == 0 ? plotWidth : plotWidth / (double)points.Count;
        var svg = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"""<figure id="{E(id)}"><figcaption>{E(caption)}</figcaption>""")
            .Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {Width} {Height}" width="100%" aria-label="{E(caption)}">""")
            .Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top + plotHeight}" x2="{Width - 8}" y2="{Top + plotHeight}" stroke="#888"/>""")
            .Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 4}" y="{Top + 10}" text-anchor="end" font-size="10">{E(format(max))}</text>""")
            .Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 4}" y="{Top + plotHeight}" text-anchor="end" font-size="10">0</text>""");
        var labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count / 12.0));
        for (var i = 0; i < points.Count; i++)
        {
            var (label, value) = points[i];
            var h = value <= 0 ? 0 : Math.Max(1, value * plotHeight / (double)max);
            var x = Left + i * slot + slot * 0.1;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect class="bar" x="{x:0.##}" y="{Top + plotHeight - h:0.##}" width="{slot * 0.8:0.##}" height="{h:0.##}" fill="#2b6cb0" data-value="{value}"><title>{E(label)}: {E(format(value))}</title></rect>""");
            if (i % labelEvery == 0)
                svg.Append(CultureInfo.InvariantCulture,
                    $"""<text x="{x:0.##}" y="{Height - 8}" font-size="10">{E(label)}</text>""");
        }
        return svg.Append("</svg></figure>").ToString();
    }
}
