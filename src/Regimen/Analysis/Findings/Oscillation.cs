using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The metric swings up and down from epoch to epoch, by more than its evaluation noise, instead of settling.</summary>
internal sealed class Oscillation : FindingKind
{
    public const string Id = "oscillation";
    public override string Name => Id;
    public override string Documentation =>
        "the metric changes direction in most of the last 10 epochs, by more than twice the plateau delta on average " +
        "and, where the validation size is known, by the warning number of binomial standard errors of an epoch-to-" +
        "epoch difference (swings the evaluation noise does not explain)";
    public override int MinimumEpochs(AnalysisOptions o) => 6;
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.SmoothUpdates };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var tail = v.Values.Skip(Math.Max(0, v.Values.Count - 10)).ToList();
        if (tail.Count < 6) yield break;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double level = tail.Average(p => p.Value);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(level), 1e-12);
        if (flips < 0.6 * (diffs.Count - 1) || amplitude / scale < 2 * c.Options.PlateauDelta) yield break;
        // The swings against the noise of one epoch-to-epoch difference; the run's own spread would measure the
        // swings with themselves, so without a validation size only the size threshold above applies.
        var noise = v.Noise.ValidationSize is not null && v.HigherIsBetter
            ? v.DifferenceNoise(level, level)
            : Noise.Unknown("validation size unknown (--val-size N): judged by the size threshold alone");
        var judgement = Judgement.Of(v, amplitude / scale, noise);
        if (!judgement.Beyond(c.Options.WarningSe)) yield break;
        var evidence = new Dictionary<string, double>
        {
            ["direction_changes"] = flips, ["steps"] = diffs.Count, ["mean_abs_change"] = amplitude,
        };
        judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = tail[0].Epoch, LastEpoch = tail[^1].Epoch,
            Summary = $"{v.Metric} changed direction {flips} times in the last {diffs.Count} epoch steps, by " +
                      $"{v.Format(amplitude)} on average ({judgement.Text}): the updates are too noisy (learning rate or " +
                      "batch size) to settle.",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.6,
        };
    }
}
