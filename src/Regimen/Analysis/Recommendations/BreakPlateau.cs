namespace Regimen.Analysis.Recommendations;

/// <summary>A decaying schedule for a metric that stopped improving while the rate stayed high.</summary>
internal sealed class BreakPlateau : RecommendationKind
{
    public override string Id => "break-plateau";
    public override string PatchDocumentation => "a decaying (cosine) schedule";

    public override Recommendation For(Finding finding, Advice advice) => new()
    {
        Id = Id,
        Title = "Break the plateau: a decaying schedule (cosine) if the rate is constant, else more capacity or less " +
                "regularization",
        Why =
            "The metric stopped improving well before the end while the learning rate stayed high, or below the " +
            "target.",
        Patch = new() { ["lr_schedule.name"] = "cosine" },
        Foreign = new() { ["timm"] = "--sched cosine", ["keras"] = "ReduceLROnPlateau or CosineDecay" },
        Source = "Loshchilov and Hutter 2017 (SGDR)",
        Confirm = "the metric resumes improving after the change",
    };
}
