using System.Globalization;
using Regimen.Runs;

namespace Regimen.Analysis.Recommendations;

/// <summary>
/// One kind of recommendation: a concrete change computed from the run's own values (a recipe patch for Regimen
/// runs, the other tool's terms for foreign logs). The finding kinds say which recommendations answer them
/// (<see cref="Findings.FindingKind.Answers"/>); docs/analysis.md's table of recommendations is generated from
/// these classes.
/// </summary>
internal abstract class RecommendationKind
{
    /// <summary>The stable id (JSON, ledger).</summary>
    public abstract string Id { get; }
    /// <summary>What the patch changes, for the documentation table.</summary>
    public abstract string PatchDocumentation { get; }
    /// <summary>
    /// Fixed before the others when equally urgent: while the steps are too large, every other finding is measured
    /// on a run that does not settle (the evolve loop's order).
    /// </summary>
    public virtual bool OptimizationFirst => false;

    /// <summary>The recommendation for this finding, or null where it does not apply to this run.</summary>
    public abstract Recommendation? For(Finding finding, Advice advice);
}

/// <summary>The run's own values that recommendations are computed from.</summary>
internal sealed class Advice(TrainingLog log)
{
    public TrainingLog Log { get; } = log;
    public IReadOnlyDictionary<string, string> Hyperparameters => Log.Hyperparameters;

    /// <summary>The first of the keys that holds a number, else NaN.</summary>
    public double Num(params string[] keys)
    {
        foreach (var key in keys)
            if (Log.Hyperparameters.TryGetValue(key, out var s)
                && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) return x;
        return double.NaN;
    }

    public double LearningRate => Num("optimizer.lr", "lr", "learning_rate");
    public double WeightDecay => Num("optimizer.weight_decay", "weight_decay");

    /// <summary>A number as a recipe patch writes it.</summary>
    public static string F(double x) => Units.Significant(x, 4);
}
