namespace Regimen.Analysis.Recommendations;

/// <summary>An EMA of the weights and smaller late steps against epoch-to-epoch swings.</summary>
internal sealed class SmoothUpdates : RecommendationKind
{
    public override string Id => "smooth-updates";
    public override string PatchDocumentation => "EMA of the weights, cosine decay, learning rate ÷2";

    public override Recommendation For(Finding finding, Advice advice)
    {
        double lr = advice.LearningRate;
        var patch = new Dictionary<string, string> { ["ema.enabled"] = "true", ["lr_schedule.name"] = "cosine" };
        if (!double.IsNaN(lr)) patch["optimizer.lr"] = Advice.F(lr / 2);
        return new Recommendation
        {
            Id = Id,
            Title = "Smooth the updates: a lower learning rate late in training and an EMA of the weights",
            Why = "Validation swings from epoch to epoch: each epoch's weights are a noisy sample; averaging them " +
                  "(EMA) and smaller late steps settle it.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = "--model-ema --sched cosine",
                ["keras"] = "an EMA of the weights (optimizer use_ema=True) and a cosine schedule",
            },
            Source = "Polyak and Juditsky 1992 (averaging); timm's ModelEmaV2",
            Confirm = "a validation curve whose epoch-to-epoch changes shrink, EMA score at or above the raw model's",
        };
    }
}
