using System.Globalization;

namespace Regimen.Analysis.Recommendations;

/// <summary>Smaller steps after an early best (seed 004's fixes 1 and 3).</summary>
internal sealed class LowerLearningRate : RecommendationKind
{
    public override string Id => "lower-learning-rate";
    public override string PatchDocumentation =>
        "`optimizer.lr` and `finetune.backbone_lr` ÷5, cosine with a 2-epoch warmup";
    public override bool OptimizationFirst => true;

    public override Recommendation? For(Finding finding, Advice advice)
    {
        double lr = advice.LearningRate;
        // A Regimen run always records its rate; without one there is nothing to patch.
        if (double.IsNaN(lr) && advice.Log.Format == "regimen") return null;
        var patch = new Dictionary<string, string>();
        if (!double.IsNaN(lr)) patch["optimizer.lr"] = Advice.F(lr / 5);
        if (advice.Hyperparameters.TryGetValue("finetune.backbone_lr", out var b)
            && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var backbone))
            patch["finetune.backbone_lr"] = Advice.F(backbone / 5);
        patch["lr_schedule.name"] = "cosine";
        patch["lr_schedule.warmup_epochs"] = "2";
        return new Recommendation
        {
            Id = Id,
            Title = double.IsNaN(lr)
                ? "Lower the learning rate 5x, with warmup and cosine decay"
                : $"Lower the learning rate 5x ({Advice.F(lr)} → {Advice.F(lr / 5)}), with a 2-epoch warmup and " +
                    $"cosine decay",
            Why = "The best score came early and later epochs lost it: updates that are too large keep moving the " +
                  "weights away from the good solution.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = "--lr <lr/5> --warmup-epochs 2 --sched cosine",
                ["keras"] = "optimizer learning_rate / 5 with a CosineDecay schedule",
                ["huggingface"] = "learning_rate / 5, lr_scheduler_type=\"cosine\", warmup_ratio=0.1",
            },
            Source = "seed 004's fix 1 and 3; Goyal et al. 2017 (warmup); Loshchilov and Hutter 2017 (cosine)",
            Confirm = "the best epoch moves later and the final value ends within the noise of the best",
        };
    }
}
