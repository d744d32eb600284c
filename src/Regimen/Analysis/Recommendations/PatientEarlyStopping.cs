namespace Regimen.Analysis.Recommendations;

/// <summary>Let the schedule run (seed 004's fix 2).</summary>
internal sealed class PatientEarlyStopping : RecommendationKind
{
    public override string Id => "patient-early-stopping";
    public override string PatchDocumentation =>
        "patience ×2 (at least 6), never before half the epochs; or no early stopping";

    public override Recommendation For(Finding finding, Advice advice)
    {
        double patience = advice.Num("early_stopping.patience");
        double raised = Math.Max(patience * 2, 6);
        return new Recommendation
        {
            Id = Id,
            Title = double.IsNaN(patience)
                ? "Let the schedule run: more patience, or no early stopping"
                : $"Raise early-stopping patience {patience} → {raised}, and never stop in the first half",
            Why = "Runs stopped far before their epoch budget; with a decaying learning rate the later epochs are " +
                  "where the model settles.",
            Patch = double.IsNaN(patience)
                ? new() { ["early_stopping.enabled"] = "false" }
                : new()
                {
                    ["early_stopping.patience"] = Advice.F(raised),
                    ["early_stopping.min_epochs"] = Advice.F(Math.Ceiling((advice.Log.PlannedEpochs ?? 10) / 2.0)),
                },
            Foreign = new()
            {
                ["keras"] = "EarlyStopping(patience=2x, start_from_epoch=epochs/2)",
                ["lightning"] = "EarlyStopping(patience=2x)",
                ["huggingface"] = "EarlyStoppingCallback(early_stopping_patience=2x)",
            },
            Source = "seed 004's fix 2",
            Confirm =
                "runs train (nearly) their full budget and their final scores match or beat the early-stopped ones",
        };
    }
}
