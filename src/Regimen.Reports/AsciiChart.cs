using System.Text;

namespace Regimen.Reports;

/// <summary>
/// A line chart in text (as seed 000 draws by hand): one character per epoch, a glyph per series, event
/// markers on the epoch axis. Works in any terminal and in Markdown code blocks.
/// </summary>
public static class AsciiChart
{
    public sealed record Series(string Name, char Glyph, IReadOnlyList<(int Epoch, double Value)> Points);

    public static string Render(IReadOnlyList<Series> series, IReadOnlyList<(int Epoch, string Label)> events,
        int height = 12, string format = "0.00")
    {
        var all = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Value)).ToList();
        if (all.Count == 0) return "(no data)\n";
        int first = all.Min(p => p.Epoch), last = all.Max(p => p.Epoch);
        int width = last - first + 1;
        int step = Math.Max(1, (width + 99) / 100);   // at most 100 columns
        int columns = (width + step - 1) / step;
        double min = all.Min(p => p.Value), max = all.Max(p => p.Value);
        if (max - min < 1e-12)
        {
            // A constant series keeps its scale: a flat 80 % accuracy is drawn between 76 % and 84 %, not 30-130 %.
            double pad = min == 0 ? 0.5 : Math.Abs(min) * 0.05;
            max += pad;
            min -= pad;
        }
        var grid = new char[height, columns];
        for (int r = 0; r < height; r++) for (int c = 0; c < columns; c++) grid[r, c] = ' ';
        foreach (var s in series)
            foreach (var (epoch, value) in s.Points.Where(p => double.IsFinite(p.Value)))
            {
                int c = (epoch - first) / step;
                int r = (int)Math.Round((max - value) / (max - min) * (height - 1));
                grid[r, c] = grid[r, c] == ' ' || grid[r, c] == s.Glyph ? s.Glyph : '*';
            }
        var sb = new StringBuilder();
        var labels = Enumerable.Range(0, height)
            .Select(r => (max - (max - min) * r / (height - 1)).ToString(format)).ToList();
        int labelWidth = Math.Max(8, labels.Max(l => l.Length));   // a loss of 12345.678 keeps the axis straight
        var indent = new string(' ', labelWidth + 2);
        for (int r = 0; r < height; r++)
        {
            sb.Append(labels[r].PadLeft(labelWidth)).Append(r == height - 1 ? " └" : " │");
            for (int c = 0; c < columns; c++) sb.Append(grid[r, c]);
            sb.AppendLine();
        }
        var axis = new char[columns];
        Array.Fill(axis, '─');
        foreach (var (epoch, _) in events)
            if (epoch >= first && epoch <= last) axis[(epoch - first) / step] = '↑';
        sb.Append(indent).Append(axis).AppendLine();
        string from = $"epoch {first}", to = $"{last}";
        sb.Append(indent).Append(from);
        if (last > first) sb.Append(new string(' ', Math.Max(1, columns - from.Length - to.Length))).Append(to);
        sb.AppendLine();
        sb.Append(indent).AppendLine(string.Join("   ", series.Select(s => $"{s.Glyph} {s.Name}")) +
            (step > 1 ? $"   (1 column = {step} epochs)" : ""));
        foreach (var (epoch, label) in events) sb.AppendLine($"{indent}↑ epoch {epoch}: {label}");
        return sb.ToString();
    }
}
