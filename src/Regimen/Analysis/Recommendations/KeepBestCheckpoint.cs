namespace Regimen.Analysis.Recommendations;

/// <summary>Deliver the best epoch's weights when the final ones are worse.</summary>
internal sealed class KeepBestCheckpoint : RecommendationKind
{
    public override string Id => "keep-best-checkpoint";
    public override string PatchDocumentation => "keep and restore the best epoch's weights";

    public override Recommendation? For(Finding finding, Advice advice)
    {
        // Already restored at the end: nothing to change.
        if (advice.Log.Events.Any(e => e.Kind == "restore_best")) return null;
        return new Recommendation
        {
            Id = Id,
            Title = "Use the best epoch's weights, not the last",
            Why = "The final weights are worse than the best epoch's.",
            Patch = new() { ["checkpoint.save_best"] = "true", ["early_stopping.restore_best"] = "true" },
            Foreign = new()
            {
                ["keras"] = "ModelCheckpoint(save_best_only=True) or EarlyStopping(restore_best_weights=True)",
                ["lightning"] = "ModelCheckpoint(monitor=..., save_top_k=1) and trainer.test(ckpt_path=\"best\")",
                ["huggingface"] = "load_best_model_at_end=True",
            },
            Source = "standard practice",
            Confirm = "the score reported equals the best validation score",
        };
    }
}
