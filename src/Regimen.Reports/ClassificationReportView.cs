using Regimen.Analysis;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>
/// Shows a <see cref="ClassificationReport"/> in the terminal: scores, per-class table, confusion matrix, most confused
/// pairs.
/// </summary>
public static class ClassificationReportView
{
    public static void Write(IAnsiConsole console, ClassificationReport r, int mostConfused = 10)
    {
        console.MarkupLine($"[bold]{Markup.Escape(r.Source)}[/]: {r.Images} images");
        var scores = $"accuracy [bold]{r.Accuracy:P2}[/], loss {r.Loss:F4}";
        if (r.Top5 is { } top5) scores += $", top-5 {top5:P2}";
        if (r.AccuracyTta is { } tta) scores += $", with flip TTA [bold]{tta:P2}[/] ({Units.Points(tta - r.Accuracy)})";
        console.MarkupLine(scores);

        var perClass = new Table().Title("Per-class accuracy").AddColumns("class", "images", "correct", "accuracy");
        foreach (var c in r.PerClass)
            perClass.AddRow(Markup.Escape(c.Class), c.Count.ToString(), c.Correct.ToString(), $"{c.Accuracy:P1}");
        console.Write(perClass);

        var matrix = new Table().Title("Confusion matrix (rows: actual, columns: predicted)")
            .AddColumn("actual \\ predicted");
        for (int i = 0; i < r.Classes.Length; i++) matrix.AddColumn(new TableColumn(i.ToString()).RightAligned());
        for (int a = 0; a < r.Classes.Length; a++)
        {
            var cells = new List<string> { $"{a} {Markup.Escape(r.Classes[a])}" };
            for (int p = 0; p < r.Classes.Length; p++)
            {
                int n = r.ConfusionMatrix[a][p];
                cells.Add(a == p ? $"[green]{n}[/]" : n == 0 ? "[grey]0[/]" : n.ToString());
            }
            matrix.AddRow(cells.ToArray());
        }
        console.Write(matrix);

        var confused = new Table().Title("Most confused (actual → predicted)")
            .AddColumns("actual", "predicted", "images");
        foreach (var c in r.MostConfused.Take(mostConfused))
            confused.AddRow(Markup.Escape(c.Actual), Markup.Escape(c.Predicted), c.Count.ToString());
        console.Write(confused);
    }
}
