using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>One epoch of a simulated recipe: its settings and the rates at its first and last step.</summary>
public sealed record SimulatedEpoch(EpochSettings Settings, double LrFirst, double LrLast,
    IReadOnlyList<ScheduleChange> Changes);

/// <summary>
/// Runs a recipe's schedules without training: every schedulable value is a pure function of (epoch, step),
/// so the plan can be printed, checked and compared before an hour of compute is spent. A plateau schedule
/// depends on metrics no simulation has; it is shown as if the metric kept improving.
/// </summary>
public static class ScheduleSimulation
{
    public static IReadOnlyList<SimulatedEpoch> Run(Recipe recipe, int stepsPerEpoch, int nativeResolution)
    {
        var plan = new PhasePlan(recipe, nativeResolution);
        var epochs = new List<SimulatedEpoch>();
        for (int e = 0; e < recipe.Epochs; e++)
        {
            var s = plan.At(e);
            epochs.Add(new SimulatedEpoch(s, s.Schedule.At(e, 0, stepsPerEpoch),
                s.Schedule.At(e, stepsPerEpoch - 1, stepsPerEpoch), plan.ChangesAt(e)));
        }
        return epochs;
    }

    /// <summary>
    /// The native resolution of a recipe's data set, known without loading it (imagefolder: its image_size).
    /// </summary>
    public static int NativeResolution(Recipe recipe) => recipe.Data.Dataset switch
    {
        "fashion-mnist" or "mnist" => 28,
        "cifar10" or "cifar100" or "cifar100-coarse" => 32,
        _ => recipe.Data.ImageSize,
    };
}
