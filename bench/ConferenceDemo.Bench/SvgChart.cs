using System.Globalization;
using System.Security;
using System.Text;

namespace ConferenceDemo.Bench;

/// <summary>A small SVG of a few series against one log-scaled x axis: one panel per series, each with its own y scale.</summary>
internal static class SvgChart
{
    private const int PanelWidth = 300;
    private const int PanelHeight = 190;
    private const int Left = 48;
    private const int Bottom = 34;
    private const int Top = 28;
    private const int Right = 14;

    public static string Render(string xTitle, IReadOnlyList<(string Title, (double X, double Y)[] Points)> series)
    {
        var columns = Math.Min(2, series.Count);
        var rows = (series.Count + columns - 1) / columns;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{columns * PanelWidth}" height="{rows * PanelHeight + 24}" font-family="sans-serif" font-size="11">""").AppendLine();
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        for (var s = 0; s < series.Count; s++)
        {
            Panel(svg, (s % columns) * PanelWidth, (s / columns) * PanelHeight, series[s].Title, series[s].Points);
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{columns * PanelWidth / 2}" y="{rows * PanelHeight + 16}" text-anchor="middle">{SecurityElement.Escape(xTitle)}</text>""").AppendLine();
        return svg.AppendLine("</svg>").ToString();
    }

    private static void Panel(StringBuilder svg, int ox, int oy, string title, (double X, double Y)[] points)
    {
        var width = PanelWidth - Left - Right;
        var height = PanelHeight - Top - Bottom;
        var minX = Math.Log10(points.Min(p => p.X));
        var maxX = Math.Max(minX + 1, Math.Log10(points.Max(p => p.X)));
        var maxY = points.Max(p => p.Y) is > 0 and var m ? m * 1.15 : 1;
        double Px(double x) => ox + Left + ((Math.Log10(x) - minX) / (maxX - minX) * width);
        double Py(double y) => oy + Top + height - (Math.Max(0, y) / maxY * height);

        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{ox + Left}" y="{oy + 16}" font-weight="bold">{SecurityElement.Escape(title)}</text>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{ox + Left}" y1="{oy + Top + height}" x2="{ox + Left + width}" y2="{oy + Top + height}" stroke="black"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{ox + Left}" y1="{oy + Top}" x2="{ox + Left}" y2="{oy + Top + height}" stroke="black"/>""").AppendLine();
        foreach (var tick in new[] { 0.0, maxY / 2, maxY })
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{ox + Left - 4}" y="{F(Py(tick) + 4)}" text-anchor="end">{tick:0.#}</text>""").AppendLine();
        }

        foreach (var (x, _) in points)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(Px(x))}" y="{oy + Top + height + 14}" text-anchor="middle">{x:N0}</text>""").AppendLine();
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{string.Join(' ', points.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}"/>""").AppendLine();
        foreach (var (x, y) in points)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(Px(x))}" cy="{F(Py(y))}" r="3" fill="#1f77b4"/>""").AppendLine();
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(Px(x))}" y="{F(Py(y) - 6)}" text-anchor="middle" fill="#444">{y:0.#}</text>""").AppendLine();
        }
    }
}
