using Regimen.Analysis;
using Regimen.Runs;

namespace Regimen.Evolve;

/// <summary>A trial's score: the mean of its replicas' scores (folds or seeds) and their spread (sample standard deviation).</summary>
public sealed record TrialScore(double Mean, double Spread, IReadOnlyList<double> Values)
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
        return new TrialScore(values.Average(), ExperimentSummary.Std(values.ToArray()), values);
    }
}
