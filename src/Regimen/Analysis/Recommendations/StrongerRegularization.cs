namespace Regimen.Analysis.Recommendations;

/// <summary>Weight decay and mixed-sample augmentation against memorization (seed 001's fixes 2 and 3).</summary>
internal sealed class StrongerRegularization : RecommendationKind
{
    public override string Id => "stronger-regularization";
    public override string PatchDocumentation => "weight decay ×5 (at least 5e-4), MixUp 0.4 + CutMix 1.0 (switch 0.5)";

    public override Recommendation For(Finding finding, Advice advice)
    {
        double wd = advice.WeightDecay;
        double newWd = double.IsNaN(wd) ? 5e-4 : Math.Max(wd * 5, 5e-4);
        string decay = Advice.F(newWd);
        return new Recommendation
        {
            Id = Id,
            Title = $"Regularize more: weight decay {(double.IsNaN(wd) ? "" : Advice.F(wd) + " → ")}{decay}, " +
                    "MixUp 0.4 with CutMix 1.0",
            Why = "Training accuracy pulls away from validation: the model memorizes. Weight decay and mixed-sample " +
                  "augmentation make memorizing harder.",
            Patch = new()
            {
                ["optimizer.weight_decay"] = decay, ["mixup.mixup_alpha"] = "0.4", ["mixup.cutmix_alpha"] = "1.0",
                ["mixup.switch_prob"] = "0.5",
            },
            Foreign = new()
            {
                ["timm"] = $"--weight-decay {decay} --mixup 0.4 --cutmix 1.0 --mixup-switch-prob 0.5",
                ["keras"] =
                    "kernel_regularizer=l2(...) on the layers, or AdamW(weight_decay=...); add MixUp/CutMix layers",
                ["huggingface"] = $"weight_decay={decay}",
            },
            Source = "Zhang et al. 2018 (mixup), Yun et al. 2019 (CutMix); seed 001's fix 2 and 3",
            Confirm = "a smaller final train-validation gap with equal or better best validation accuracy",
        };
    }
}
