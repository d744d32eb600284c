namespace Regimen.Training;

/// <summary>The recipe's training techniques as the loop's hooks, in the order they must act.</summary>
public static class Techniques
{
    public static IReadOnlyList<TrainingCallback> For(TrainingSetup setup)
    {
        var recipe = setup.Recipe;
        var hooks = new List<TrainingCallback>();
        if (recipe.Finetune.HeadEpochs > 0) hooks.Add(new BackboneFreezing(recipe.Finetune.FreezeBn));
        if (UsesMixing(recipe)) hooks.Add(new MixupCutmix());
        if (setup.Precision is { } bf16) hooks.Add(bf16);
        // Before the optimizer step: accumulation decides whether this batch steps, then clipping measures and clips
        // the gradients, then the divergence check reads the norm clipping measured.
        if (recipe.Optimizer.AccumulationSteps is > 1 and var n) hooks.Add(new GradientAccumulation(n));
        if (recipe.Optimizer.ClipGradNorm > 0) hooks.Add(new GradientClipping(recipe.Optimizer.ClipGradNorm));
        hooks.Add(new DivergenceCheck(recipe.Divergence.MaxGradNorm));   // the loss check is always on
        if (setup.Ema is { } ema) hooks.Add(ema);
        if (Tta.From(recipe.Evaluation) is { Any: true } views) hooks.Add(new TtaEvaluation(views));
        return hooks;
    }

    static bool UsesMixing(Recipes.Recipe r) =>
        r.Mixup.MixupAlpha > 0 || r.Mixup.CutmixAlpha > 0 || r.Phases.Any(p => p.MixupAlpha > 0 || p.CutmixAlpha > 0);
}
