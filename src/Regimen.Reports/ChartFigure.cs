using ScottPlot;
using SkiaSharp;

namespace Regimen.Reports;

/// <summary>
/// A chart at the size it is written: one plot, or several side by side. PNG for people; SVG keeps text as text,
/// so that a browser can measure every label (the layout test does, in headless Chromium).
/// </summary>
internal sealed class ChartFigure(int width, int height, params Plot[] plots)
{
    readonly Multiplot multiplot = Layout(plots);

    public int Width => width;
    public int Height => height;
    public IReadOnlyList<Plot> Plots => plots;

    static Multiplot Layout(Plot[] plots)
    {
        var multi = new Multiplot();
        multi.Reset(plots[0]);   // a new multiplot holds a plot of its own
        foreach (var plot in plots.Skip(1)) multi.AddPlot(plot);
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        return multi;
    }

    public void SavePng(string path) => multiplot.SavePng(path, width, height);

    /// <summary>The figure as an SVG document, and each plot's data area as drawn (pixels from the top left).</summary>
    public (string Svg, IReadOnlyList<PixelRect> DataAreas) RenderSvg()
    {
        // A first render settles the axes (ScottPlot renders again when its first pass changed the limits, which
        // an SVG canvas would keep as a second copy of every label).
        multiplot.Render(width, height).Dispose();
        using var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
            multiplot.Render(canvas, new PixelRect(0, width, height, 0));
        var areas = plots.Select(p => p.RenderManager.LastRender.DataRect).ToList();
        return (System.Text.Encoding.UTF8.GetString(stream.ToArray()), areas);
    }
}
