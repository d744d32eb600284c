using System.Globalization;
using ScottPlot;
using ScottPlot.Plottables;
using ScottPlot.TickGenerators;

namespace Regimen.Reports;

/// <summary>
/// What keeps the charts' labels readable at any run length: legends below the data (never over the curves),
/// no text inside a data area, labels shortened to the width they have, axes for constant series, whole epochs.
/// </summary>
internal static class ChartLayout
{
    /// <summary>Pixels a legend character takes at most, on average over a label (12 px DejaVu fonts).</summary>
    const double CharWidth = 7.5;

    /// <summary>The legend in a panel below the data area; labels shortened to fit a plot <paramref name="width"/>
    /// wide.</summary>
    public static void LegendBelow(Plot plot, int width)
    {
        int max = LegendChars(width);
        foreach (var item in plot.GetPlottables())
            switch (item)
            {
                case Scatter s when s.LegendText.Length > max: s.LegendText = Shorten(s.LegendText, max); break;
                case AxisLine l when l.LegendText.Length > max: l.LegendText = Shorten(l.LegendText, max); break;
            }
        // A legend panel without items leaves the whole figure blank.
        if (!plot.GetPlottables().SelectMany(p => p.LegendItems).Any(i => !string.IsNullOrEmpty(i.LabelText)))
        {
            plot.HideLegend();
            return;
        }
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
    }

    /// <summary>Characters a legend label may take in a plot <paramref name="width"/> pixels wide.</summary>
    public static int LegendChars(int width) => Math.Max(12, (int)((width - 80) / CharWidth));

    /// <summary>The text with its middle elided to <paramref name="max"/> characters: run names differ at their
    /// ends (a date, a seed, a variant).</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max) return text;
        int head = (max - 1) / 2, tail = max - 1 - head;
        return text[..head] + "…" + text[^tail..];
    }

    /// <summary>Epochs on the bottom axis as whole numbers; a single epoch gets a range around it.</summary>
    public static void WholeEpochs(Plot plot)
    {
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        var xs = plot.GetPlottables().OfType<Scatter>().Select(s => s.Data.GetLimits()).Where(Finite).ToList();
        if (xs.Count == 0) return;
        double first = xs.Min(l => l.Left), last = xs.Max(l => l.Right);
        if (last - first < 1) plot.Axes.SetLimitsX(first - 0.5, last + 0.5);
    }

    /// <summary>
    /// A y axis whose series are all constant gets a padded range with one labelled tick at the value (the default
    /// would zoom into rounding noise and label it). Call after the plottables are added.
    /// </summary>
    public static void ConstantAxis(Plot plot, IYAxis axis)
    {
        var limits = plot.GetPlottables().OfType<Scatter>().Where(s => s.Axes.YAxis == axis)
            .Select(s => s.Data.GetLimits()).Where(Finite).ToList();
        if (limits.Count == 0) return;
        double low = limits.Min(l => l.Bottom), high = limits.Max(l => l.Top);
        if (high - low > 1e-9 * Math.Max(1e-12, Math.Abs(high))) return;
        double pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
        plot.Axes.SetLimitsY(low - pad, high + pad, axis);
        var ticks = new NumericManual();
        ticks.AddMajor(low, Units.Significant(low, 4));
        axis.TickGenerator = ticks;
    }

    /// <summary>Ticks at the given values only (a discrete series: the resolutions a run used), each at least
    /// a twelfth of the range from the last so that their labels keep apart.</summary>
    public static void TicksAt(Plot plot, IYAxis axis, IEnumerable<double> values, string unit = "")
    {
        var distinct = values.Distinct().Order().ToList();
        if (distinct.Count == 0) return;
        double low = distinct[0], high = distinct[^1];
        double pad = high > low ? (high - low) * 0.08 : Math.Max(1, Math.Abs(low) * 0.1);
        plot.Axes.SetLimitsY(low - pad, high + pad, axis);
        var ticks = new NumericManual();
        double spacing = (high - low + 2 * pad) / 12, last = double.NegativeInfinity;
        foreach (var v in distinct)
        {
            if (v - last < spacing) continue;
            ticks.AddMajor(v, v.ToString("0.##", CultureInfo.InvariantCulture) + unit);
            last = v;
        }
        axis.TickGenerator = ticks;
    }

    static bool Finite(AxisLimits l) =>
        double.IsFinite(l.Left) && double.IsFinite(l.Right) && double.IsFinite(l.Bottom) && double.IsFinite(l.Top);
}
