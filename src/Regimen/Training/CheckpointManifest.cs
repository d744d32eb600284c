using Regimen.Export;
using Regimen.Models;
using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>What an export of a checkpoint says about its model: the checkpoint's classes and normalization,
/// the run's evaluation resolution and the size its data set's images are decoded to.</summary>
public static class CheckpointManifest
{
    public static ExportManifest From(CheckpointHeader header, Recipe recipe, string checkpoint) => new ExportManifest
    {
        Model = header.ModelName,
        InputChannels = header.InputChannels,
        ClassNames = header.ClassNames,
        Mean = header.Mean,
        Std = header.Std,
        Resolution = EvaluationResolution(recipe),
        ImageSize = ScheduleSimulation.NativeResolution(recipe),
        Source = Path.GetFullPath(checkpoint),
    }.Validated(checkpoint);

    /// <summary>The resolution evaluation runs at: evaluation.resolution, else data.resolution, else the data's
    /// own size.</summary>
    public static int EvaluationResolution(Recipe recipe) =>
        recipe.EvaluationResolution(ScheduleSimulation.NativeResolution(recipe));
}
