namespace Regimen.Analysis.Recommendations;

/// <summary>The learning rate back to twice the linear-scaling reference for the batch (Goyal et al. 2017).</summary>
internal sealed class ScaleLearningRate : RecommendationKind
{
    public override string Id => "scale-learning-rate";
    public override string PatchDocumentation => "`optimizer.lr` = 2x the linear-scaling reference, a 1-epoch warmup";
    public override bool OptimizationFirst => true;

    public override Recommendation? For(Finding finding, Advice advice)
    {
        if (!finding.Evidence.TryGetValue("reference_lr", out var reference)) return null;
        double target = 2 * reference, lr = advice.LearningRate;
        double warmup = advice.Num("lr_schedule.warmup_epochs", "warmup_epochs");
        bool addWarmup = double.IsNaN(warmup) || warmup < 1;
        var patch = new Dictionary<string, string> { ["optimizer.lr"] = Advice.F(target) };
        if (addWarmup) patch["lr_schedule.warmup_epochs"] = "1";
        return new Recommendation
        {
            Id = Id,
            Title = $"Scale the learning rate to the batch: {Advice.F(lr)} → {Advice.F(target)} " +
                    $"(2x the linear-scaling reference){(addWarmup ? ", with a 1-epoch warmup" : "")}",
            Why = "Steps far larger than the batch size supports make the weights jump between solutions instead of " +
                  "settling.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = $"--lr {Advice.F(target)} --warmup-epochs 1 (or --lr-base 0.1 --lr-base-size 256 and let " +
                           "timm scale it)",
                ["keras"] = $"optimizer(learning_rate={Advice.F(target)}) with a warmup",
                ["huggingface"] = $"learning_rate={Advice.F(target)}, warmup_ratio=0.05",
            },
            Source = "Goyal et al. 2017, Accurate, Large Minibatch SGD (linear scaling rule and warmup)",
            Confirm = "validation swings shrink and the best epoch moves later, with a higher final score",
        };
    }
}
