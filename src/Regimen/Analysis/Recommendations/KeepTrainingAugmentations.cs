namespace Regimen.Analysis.Recommendations;

/// <summary>The phase that switched augmentations off (seed 001's FixRes phase) keeps them on.</summary>
internal sealed class KeepTrainingAugmentations : RecommendationKind
{
    public override string Id => "keep-training-augmentations";
    public override string PatchDocumentation =>
        "the phase that switched augmentations off keeps them (`phases[i].augment: true`, `augment_level: reduced`, " +
        "the previous MixUp)";

    public override Recommendation For(Finding finding, Advice advice)
    {
        var h = advice.Hyperparameters;
        var patch = new Dictionary<string, string>();
        string mixup = h.TryGetValue("mixup.mixup_alpha", out var baseMix) ? baseMix : "0";
        for (int i = 0; h.ContainsKey($"phases[{i}].from_epoch"); i++)
        {
            if (h.TryGetValue($"phases[{i}].augment", out var a) && a is "false")
                patch[$"phases[{i}].augment"] = "true";
            if (h.TryGetValue($"phases[{i}].augment_level", out var l) && l is "minimal")
                patch[$"phases[{i}].augment_level"] = "reduced";
            // MixUp switched off late: keep the strength the phase before had.
            if (h.TryGetValue($"phases[{i}].mixup_alpha", out var m))
            {
                if (m is "0" && mixup != "0") patch[$"phases[{i}].mixup_alpha"] = mixup;
                else mixup = m;
            }
        }
        return new Recommendation
        {
            Id = Id,
            Title = "Keep training augmentations on in the late phase, also at the higher resolution",
            Why = "The gap opened where regularization was switched off. FixRes fine-tunes at the test resolution to " +
                  "fix the train-test resolution discrepancy; it does not mean training without augmentation.",
            Patch = patch,
            Foreign = new()
            {
                ["timm"] = "keep the train transform (and --mixup/--cutmix) for all epochs; change only --img-size",
                ["keras"] = "keep the augmentation layers active in the last phase",
            },
            Source = "Touvron et al. 2019, Fixing the train-test resolution discrepancy (FixRes); seed 001",
            Confirm = "the train-validation gap stays below 5 points after the phase change and validation accuracy " +
                      "keeps rising in the last phase",
        };
    }
}
