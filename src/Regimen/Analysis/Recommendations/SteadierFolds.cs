namespace Regimen.Analysis.Recommendations;

/// <summary>Larger batches and a fixed budget for folds that end far apart (seed 004's fix 4).</summary>
internal sealed class SteadierFolds : RecommendationKind
{
    public override string Id => "steadier-folds";
    public override string PatchDocumentation => "batch size ×2 (at least 64), no early stopping";

    public override Recommendation For(Finding finding, Advice advice)
    {
        double batch = advice.Num("batch_size");
        return new Recommendation
        {
            Id = Id,
            Title = "Steadier folds: larger batches (64-128) and a fixed epoch budget without early stopping",
            Why =
                "Folds of the same recipe end far apart: small batches and early stopping at noisy points add " +
                "variance.",
            Patch = new()
            {
                ["batch_size"] = Advice.F(Math.Max(64, (double.IsNaN(batch) ? 32 : batch) * 2)),
                ["early_stopping.enabled"] = "false",
            },
            Foreign = new() { ["keras"] = "fit(batch_size=64..128) without EarlyStopping" },
            Source = "seed 004's fix 4",
            Confirm = "a smaller standard deviation of the final score across folds",
        };
    }
}
