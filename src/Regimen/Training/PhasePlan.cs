using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>The values a recipe's phases can change, as they stand during one epoch.</summary>
public sealed record EpochSettings(
    int Epoch,
    string Phase,
    int Resolution,
    bool Augment,
    double LabelSmoothing,
    double WeightDecay,
    double Dropout,
    double DropPath);

/// <summary>One scheduled value that changes at the start of an epoch: the run records these as events.</summary>
public sealed record ScheduleChange(int Epoch, string Key, string From, string To);

/// <summary>
/// Resolves a recipe's phases into the settings of any epoch, as a pure function of the epoch: training,
/// resume and <c>regimen recipes simulate</c> all ask it the same question and get the same answer.
/// </summary>
public sealed class PhasePlan
{
    readonly Recipe recipe;
    readonly int nativeResolution;

    public PhasePlan(Recipe recipe, int nativeResolution)
    {
        this.recipe = recipe;
        this.nativeResolution = nativeResolution;
    }

    public EpochSettings At(int epoch)
    {
        var s = new EpochSettings(epoch, "base",
            recipe.Data.Resolution > 0 ? recipe.Data.Resolution : nativeResolution,
            recipe.Augment.Enabled, recipe.Regularization.LabelSmoothing, recipe.Optimizer.WeightDecay,
            recipe.Model.Dropout, recipe.Model.DropPath);
        for (int i = 0; i < recipe.Phases.Count; i++)
        {
            var p = recipe.Phases[i];
            if (p.FromEpoch > epoch) break;
            s = s with
            {
                Phase = p.Name ?? $"phase{i + 1}",
                Resolution = p.Resolution ?? s.Resolution,
                Augment = p.Augment ?? s.Augment,
                LabelSmoothing = p.LabelSmoothing ?? s.LabelSmoothing,
                WeightDecay = p.WeightDecay ?? s.WeightDecay,
                Dropout = p.Dropout ?? s.Dropout,
                DropPath = p.DropPath ?? s.DropPath,
            };
        }
        return s;
    }

    /// <summary>What changes between the previous epoch and <paramref name="epoch"/> (nothing at epoch 0).</summary>
    public IReadOnlyList<ScheduleChange> ChangesAt(int epoch)
    {
        if (epoch == 0) return Array.Empty<ScheduleChange>();
        var before = At(epoch - 1);
        var now = At(epoch);
        var changes = new List<ScheduleChange>();
        void Compare<T>(string key, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                changes.Add(new ScheduleChange(epoch, key, Text(a), Text(b)));
        }
        Compare("phase", before.Phase, now.Phase);
        Compare("resolution", before.Resolution, now.Resolution);
        Compare("augment", before.Augment, now.Augment);
        Compare("label_smoothing", before.LabelSmoothing, now.LabelSmoothing);
        Compare("weight_decay", before.WeightDecay, now.WeightDecay);
        Compare("dropout", before.Dropout, now.Dropout);
        Compare("drop_path", before.DropPath, now.DropPath);
        return changes;
    }

    static string Text<T>(T value) => value switch
    {
        bool b => b ? "on" : "off",
        double d => RecipeLoader.Format(d),
        _ => value?.ToString() ?? "",
    };
}
