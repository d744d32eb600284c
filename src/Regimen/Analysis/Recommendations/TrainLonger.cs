namespace Regimen.Analysis.Recommendations;

/// <summary>More epochs for a run that ended still improving.</summary>
internal sealed class TrainLonger : RecommendationKind
{
    public override string Id => "train-longer";
    public override string PatchDocumentation => "epochs ×1.5";

    public override Recommendation? For(Finding finding, Advice advice)
    {
        // A model stuck at chance needs another step first (escape-chance), not more of the same epochs.
        if (finding.Evidence.ContainsKey("chance")) return null;
        double epochs = advice.Num("epochs");
        if (double.IsNaN(epochs) && advice.Log.PlannedEpochs is { } planned) epochs = planned;
        double longer = Math.Ceiling(epochs * 1.5);
        return new Recommendation
        {
            Id = Id,
            Title = double.IsNaN(epochs) ? "Train longer (1.5x the epochs)"
                : $"Train longer: {epochs} → {longer} epochs",
            Why = "Both training loss and the validation metric were still improving when the run ended.",
            Patch = double.IsNaN(epochs) ? new() : new() { ["epochs"] = Advice.F(longer) },
            Foreign = new()
            {
                ["timm"] = "--epochs 1.5x", ["keras"] = "fit(epochs=1.5x)",
                ["huggingface"] = "num_train_epochs=1.5x"
            },
            Source = "seed 001's 'if still not reaching 75 %' options",
            Confirm = "the validation metric keeps rising in the added epochs",
        };
    }
}
