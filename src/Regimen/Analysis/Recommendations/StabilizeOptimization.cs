namespace Regimen.Analysis.Recommendations;

/// <summary>After a blow-up: much smaller steps, clipped gradients, a warmup.</summary>
internal sealed class StabilizeOptimization : RecommendationKind
{
    public override string Id => "stabilize-optimization";
    public override string PatchDocumentation => "learning rate ÷10, gradient clipping at 1, warmup";
    public override bool OptimizationFirst => true;

    public override Recommendation For(Finding finding, Advice advice)
    {
        double lr = advice.LearningRate;
        var patch = new Dictionary<string, string>
        {
            ["optimizer.clip_grad_norm"] = "1.0",
            ["lr_schedule.warmup_epochs"] = "2"
        };
        if (!double.IsNaN(lr)) patch["optimizer.lr"] = Advice.F(lr / 10);
        return new Recommendation
        {
            Id = Id,
            Title = double.IsNaN(lr)
                ? "Lower the learning rate 10x and clip gradients"
                : $"Lower the learning rate 10x ({Advice.F(lr)} → {Advice.F(lr / 10)}), clip the gradient norm at 1, " +
                    $"warm up",
            Why = "The loss blew up: steps far too large for the loss surface.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = "--lr <lr/10> --clip-grad 1.0 --warmup-epochs 2",
                ["keras"] = "optimizer(learning_rate=lr/10, clipnorm=1.0)",
                ["lightning"] = "Trainer(gradient_clip_val=1.0)",
                ["huggingface"] = "max_grad_norm=1.0, learning_rate/10",
            },
            Source = "Pascanu et al. 2013 (gradient clipping)",
            Confirm = "a training loss that falls without spikes",
        };
    }
}
