namespace Regimen.Analysis.Recommendations;

/// <summary>A model stuck at chance: a smaller, warmed-up, clipped step first; then the data.</summary>
internal sealed class EscapeChance : RecommendationKind
{
    public override string Id => "escape-chance";
    public override string PatchDocumentation =>
        "learning rate ÷10 with a 2-epoch warmup and gradient clipping at 1; check that the labels match the images";
    public override bool OptimizationFirst => true;

    public override Recommendation? For(Finding finding, Advice advice)
    {
        if (!finding.Evidence.ContainsKey("chance")) return null;
        double lr = advice.LearningRate;
        var patch = new Dictionary<string, string>
        {
            ["lr_schedule.warmup_epochs"] = "2",
            ["optimizer.clip_grad_norm"] = "1.0"
        };
        if (!double.IsNaN(lr)) patch["optimizer.lr"] = Advice.F(lr / 10);
        return new Recommendation
        {
            Id = Id,
            Title = double.IsNaN(lr)
                ? "Get the model off chance: a 10x smaller, warmed-up learning rate; then check the labels"
                : $"Get the model off chance: learning rate {Advice.F(lr)} → {Advice.F(lr / 10)} with a warmup; then " +
                    $"check the labels",
            Why = "Accuracy at chance with a flat loss is most often steps so large that the units died, or labels " +
                  "that do not belong to their images; a smaller warmed-up step tells the two apart in a few epochs.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = "--lr <lr/10> --warmup-epochs 2 --clip-grad 1.0",
                ["keras"] = "optimizer(learning_rate=lr/10, clipnorm=1.0); check y matches x (e.g. no shuffled labels)",
                ["huggingface"] = "learning_rate/10, warmup_ratio=0.1, max_grad_norm=1.0; check the label column",
            },
            Source = "Karpathy 2019, A Recipe for Training Neural Networks (overfit one batch first)",
            Confirm = "training loss falls within the first epochs and validation accuracy leaves chance",
        };
    }
}
