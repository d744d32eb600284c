using Regimen.Runs;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>
/// Shows a cross-validation experiment: one row per fold, then mean ± spread and the ensemble scores.
/// </summary>
public static class ExperimentView
{
    public static void Write(IAnsiConsole console, ExperimentSummary e)
    {
        var table = new Table().Title($"{Markup.Escape(e.Recipe)}: {e.Folds}-fold cross-validation ({e.Monitor})")
            .AddColumns("fold", "status", "best", "best epoch", "final", "epochs", "oof accuracy", "oof log loss",
                "test accuracy");
        foreach (var f in e.FoldResults)
            table.AddRow(f.Fold.ToString(), Markup.Escape(f.Status), $"{f.BestValue:0.####}", $"{f.BestEpoch}",
                $"{f.FinalValue:0.####}",
                $"{f.EpochsCompleted}/{f.EpochsPlanned}", $"{f.OofAccuracy:P2}", $"{f.OofLogLoss:0.####}",
                f.TestAccuracy is { } t ? $"{t:P2}" : "-");
        console.Write(table);
        console.MarkupLine($"best {e.BestMean:0.####} ± {e.BestStd:0.####}, final {e.FinalMean:0.####} ± " +
            $"{e.FinalStd:0.####} (mean ± std over folds)");
        console.MarkupLine($"out-of-fold: accuracy [bold]{e.OofAccuracy:P2}[/], log loss {e.OofLogLoss:0.####}");
        if (e.TestEnsembleAccuracy is { } acc)
            console.MarkupLine($"fold ensemble on the test split: accuracy [bold]{acc:P2}[/], log loss " +
                $"{e.TestEnsembleLogLoss:0.####}" + (e.TestFoldMeanAccuracy is { } mean
                    ? $" (one fold alone: {mean:P2} ± {e.TestFoldStdAccuracy:P2}, mean ± std)" : ""));
    }
}
