using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>Early stopping ended the run with much of its budget left (seed 004).</summary>
internal sealed class PrematureStop : FindingKind
{
    public const string Id = "premature-stop";
    public override string Name => Id;
    public override bool JudgedAtEnd => true;
    public override string Documentation =>
        "training stopped with over 10 % of its epoch budget left (early stopping); across folds: how many " +
            "stopped early";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.PatientEarlyStopping };
    public override bool ListedPerFold => false;
    public override bool AcrossFolds => true;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var stop = c.Log.Events.FirstOrDefault(e => e.Kind == "early_stop");
        // A log that prints every Nth epoch ("Epoch 200/2000" ... "Epoch 2000/2000") trained to its last number.
        int trained = c.Log.Epochs.Count == 0 ? 0 : Math.Max(c.Log.Epochs.Count, c.Log.Epochs[^1].Epoch);
        if (c.Log.PlannedEpochs is not { } planned || trained >= planned || v.Best is not { } best) yield break;
        double usedFraction = (double)trained / planned;
        if (usedFraction > 0.9) yield break;
        yield return new Finding
        {
            Kind = Id,
            // Stopped while the best came late: the stop cut an improving run short.
            Severity = best.Epoch >= v.LastEpoch - 1 ? Severity.Warning : Severity.Info,
            FirstEpoch = v.LastEpoch,
            LastEpoch = v.LastEpoch,
            Summary = $"Training stopped after {trained} of {planned} epochs ({usedFraction * 100:0} % of the budget)" +
                      (stop?.Message is { } m ? $" ({m})" : "") +
                      $"; the best epoch was {best.Epoch}. Noisy validation can trip a short patience before the " +
                      "schedule has done its work.",
            Evidence = new()
            {
                ["epochs_trained"] = trained, ["epochs_planned"] = planned,
                ["best_epoch"] = best.Epoch
            },
            Confidence = 0.6,
        };
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var folds = c.Folds;
        if (folds.Count < 2) yield break;
        var stopped = folds.Where(f => f.Log.PlannedEpochs is { } p && f.Log.Epochs.Count < p).ToList();
        if (stopped.Count == 0) yield break;
        double meanEpochs = folds.Average(f => f.Log.Epochs.Count);
        yield return new Finding
        {
            Kind = Id, Severity = stopped.Count * 2 > folds.Count ? Severity.Warning : Severity.Info, Run = "all folds",
            Summary = $"{stopped.Count} of {folds.Count} folds stopped before their " +
                      $"{folds[0].Log.PlannedEpochs}-epoch budget (mean {meanEpochs:0.#} epochs trained): early " +
                      $"stopping cut them short.",
            Evidence = new()
            {
                ["stopped_folds"] = stopped.Count, ["folds"] = folds.Count, ["mean_epochs"] = meanEpochs,
                ["planned_epochs"] = folds[0].Log.PlannedEpochs ?? double.NaN,
            },
            Confidence = 0.75,
        };
    }
}
