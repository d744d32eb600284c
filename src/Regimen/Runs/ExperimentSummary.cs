using System.Text.Json;
using System.Text.Json.Serialization;
using Regimen.Recipes;

namespace Regimen.Runs;

/// <summary>One fold of a cross-validation experiment, as the experiment summary lists it.</summary>
public sealed record FoldResult(
    [property: JsonPropertyName("fold")] int Fold,
    [property: JsonPropertyName("run")] string Run,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("best_epoch")] int? BestEpoch,
    [property: JsonPropertyName("best_value")] double? BestValue,
    [property: JsonPropertyName("final_value")] double? FinalValue,
    [property: JsonPropertyName("epochs_completed")] int EpochsCompleted,
    [property: JsonPropertyName("epochs_planned")] int EpochsPlanned,
    [property: JsonPropertyName("stop_reason")] string? StopReason,
    [property: JsonPropertyName("oof_accuracy")] double OofAccuracy,
    [property: JsonPropertyName("oof_log_loss")] double OofLogLoss,
    // The fold's best weights alone on the test split: what the ensemble is measured against.
    [property: JsonPropertyName("test_accuracy")] double? TestAccuracy = null,
    [property: JsonPropertyName("test_log_loss")] double? TestLogLoss = null);

/// <summary>
/// experiment.json: per-fold results, their mean and spread, the out-of-fold and fold-ensemble scores.
/// </summary>
public sealed record ExperimentSummary
{
    [JsonPropertyName("recipe")] public string Recipe { get; init; } = "";
    [JsonPropertyName("folds")] public int Folds { get; init; }
    [JsonPropertyName("monitor")] public string Monitor { get; init; } = "";
    [JsonPropertyName("fold_results")] public List<FoldResult> FoldResults { get; init; } = new();
    [JsonPropertyName("best_mean")] public double BestMean { get; init; }
    [JsonPropertyName("best_std")] public double BestStd { get; init; }
    [JsonPropertyName("final_mean")] public double FinalMean { get; init; }
    [JsonPropertyName("final_std")] public double FinalStd { get; init; }
    [JsonPropertyName("oof_accuracy")] public double OofAccuracy { get; init; }
    [JsonPropertyName("oof_log_loss")] public double OofLogLoss { get; init; }
    [JsonPropertyName("test_ensemble_accuracy")] public double? TestEnsembleAccuracy { get; init; }
    [JsonPropertyName("test_ensemble_log_loss")] public double? TestEnsembleLogLoss { get; init; }
    /// <summary>The folds' own test accuracies, their mean and spread: what averaging the folds adds to one.</summary>
    [JsonPropertyName("test_fold_mean_accuracy")] public double? TestFoldMeanAccuracy { get; init; }
    [JsonPropertyName("test_fold_std_accuracy")] public double? TestFoldStdAccuracy { get; init; }
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }

    public static ExperimentSummary From(Recipe recipe, List<FoldResult> folds, double oofAccuracy, double oofLoss,
        double? testAccuracy, double? testLoss, double wallSeconds)
    {
        var best = folds.Select(f => f.BestValue ?? double.NaN).ToArray();
        var final = folds.Select(f => f.FinalValue ?? double.NaN).ToArray();
        var tested = folds.Where(f => f.TestAccuracy is not null).Select(f => f.TestAccuracy!.Value).ToArray();
        bool allTested = folds.Count > 0 && tested.Length == folds.Count;
        return new ExperimentSummary
        {
            Recipe = recipe.Name,
            Folds = folds.Count,
            Monitor = recipe.Evaluation.Monitor,
            FoldResults = folds,
            BestMean = best.Average(),
            BestStd = Std(best),
            FinalMean = final.Average(),
            FinalStd = Std(final),
            OofAccuracy = oofAccuracy,
            OofLogLoss = oofLoss,
            TestEnsembleAccuracy = testAccuracy,
            TestEnsembleLogLoss = testLoss,
            TestFoldMeanAccuracy = allTested ? tested.Average() : null,
            TestFoldStdAccuracy = allTested ? Std(tested) : null,
            WallSeconds = wallSeconds,
        };
    }

    /// <summary>The sample standard deviation (n-1), as pandas reports it in seed 004.</summary>
    public static double Std(double[] values)
    {
        if (values.Length < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    static readonly JsonSerializerOptions Options = MeasuredDoubleConverter.Record(indented: true);
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ExperimentSummary? Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<ExperimentSummary>(File.ReadAllText(path)) : null;
}
