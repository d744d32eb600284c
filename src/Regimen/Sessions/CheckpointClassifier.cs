using Regimen.Augment;
using Regimen.Export;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Training;
using static TorchSharp.torch;

namespace Regimen.Sessions;

/// <summary>A checkpoint's model as <c>predict</c> runs it: evaluation's preprocessing, optionally its TTA
/// views.</summary>
public sealed class CheckpointClassifier : IImageClassifier
{
    readonly nn.Module<Tensor, Tensor> model;
    readonly BatchAugment augment;
    readonly Tta views;

    CheckpointClassifier(nn.Module<Tensor, Tensor> model, ExportManifest manifest, Tta views)
    {
        this.model = model;
        this.views = views;
        Manifest = manifest;
        augment = new BatchAugment(manifest.Mean, manifest.Std);
        model.eval();
    }

    public ExportManifest Manifest { get; }

    public static CheckpointClassifier Load(string checkpoint, bool tta)
    {
        var (header, model) = Checkpoint.LoadModel(checkpoint);
        try
        {
            var recipe = RecipeLoader.Parse(header.RecipeYaml, $"{checkpoint} (recipe)");
            var views = tta ? CheckpointEvaluation.Views(recipe) : Tta.None;
            return new CheckpointClassifier(model, CheckpointManifest.From(header, recipe, checkpoint), views);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public float[] Probabilities(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = augment.Eval(images, Manifest.Resolution);
        return views.Probabilities(model, x).data<float>().ToArray();
    }

    public void Dispose() => model.Dispose();
}
