using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Evolve;

/// <summary>
/// A trial's score: the mean of its replicas' scores (folds or seeds), their spread (sample standard deviation), and
/// the validation images behind the mean (the folds' sum, or one holdout's size for seeds), for the binomial noise.
/// </summary>
public sealed record TrialScore(double Mean, double Spread, IReadOnlyList<double> Values, int? ValidationImages = null)
{
    public static TrialScore Of(IReadOnlyList<TrainingLog> replicas, EvolveSettings settings)
    {
        if (replicas.Count == 0) throw new RegimenException("the trial has no replica logs to score");
        var values = replicas.Select(log =>
        {
            var view = new LogView(log, settings.Monitor);
            var point = settings.Score == "best" ? view.Best : view.Final;
            return point?.Value ?? throw new RegimenException($"{log.Source}: no {settings.Monitor} recorded to score");
        }).ToList();
        // Seeds validate on the same holdout: its images count once; folds validate on disjoint ones.
        int? images = replicas.All(r => r.ValidationSize is > 0)
            ? settings.Folds > 1 ? replicas.Sum(r => r.ValidationSize!.Value)
                : replicas.Max(r => r.ValidationSize!.Value)
            : null;
        return new TrialScore(values.Average(), ExperimentSummary.Std(values.ToArray()), values, images);
    }
}
