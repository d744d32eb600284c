namespace Regimen.Analysis.Findings;

/// <summary>The score is short of the user's target by more than the noise (seed 004's gap to gold).</summary>
internal sealed class TargetGap : FindingKind
{
    public const string Id = "target-gap";
    public override string Name => Id;
    public override bool JudgedAtEnd => true;
    public override string Documentation =>
        "the best value (across folds: the mean final value) is short of `--target` by the warning number of " +
        "standard errors of the value (seed 004's gap to gold); within them the target counts as reached";
    public override bool ListedPerFold => false;
    public override bool AcrossFolds => true;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        if (c.Options.Target is not { } target || v.Best is not { } best || !v.Better(target, best.Value)) yield break;
        double gap = Math.Abs(target - best.Value);
        var judgement = Judge(v, gap, v.MetricNoise(best.Value), best.Value);
        if (!judgement.Beyond(c.Options.WarningSe)) yield break;
        var evidence = new Dictionary<string, double> { ["target"] = target, ["best"] = best.Value, ["gap"] = gap };
        judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = best.Epoch, LastEpoch = v.LastEpoch,
            Summary = $"The best {v.Metric} ({v.Format(best.Value)} at epoch {best.Epoch}) is " +
                      $"{(v.HigherIsBetter ? LogView.Points(gap).TrimStart('+') : v.Format(gap))} from the target " +
                      $"{v.Format(target)}" +
                      (v.HigherIsBetter ? "" : $": {gap / best.Value * 100:0.#} % lower is needed") +
                          $" ({judgement.Text}).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.95,
        };
    }

    /// <summary>The shortfall against the noise of the value (relative for losses).</summary>
    static Judgement Judge(LogView v, double gap, Noise noise, double at) => v.HigherIsBetter
        ? Judgement.Points(gap, noise)
        : Judgement.Of(v, gap / Math.Max(Math.Abs(at), 1e-12), noise.Times(1 / Math.Max(Math.Abs(at), 1e-12)));

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var views = c.Folds.Where(x => x.Final is not null).ToList();
        if (c.Options.Target is not { } target || views.Count == 0) yield break;
        var v = views[0];
        double mean = views.Average(x => x.Final!.Value.Value);
        if (!v.Better(target, mean)) yield break;
        // The mean over folds: the folds' noise pooled, over sqrt(folds).
        var sigmas = views.Select(x => x.MetricNoise(x.Final!.Value.Value)).Select(n => n.Known ? n.Se : double.NaN);
        double pooled = NoiseModel.Pool(sigmas) / Math.Sqrt(views.Count);
        var noise = double.IsNaN(pooled) ? Noise.Unknown("too few epochs per fold")
            : new Noise(pooled, $"the folds' noise / sqrt({views.Count})");
        var judgement = Judge(v, Math.Abs(target - mean), noise, mean);
        if (!judgement.Beyond(c.Options.WarningSe)) yield break;
        var evidence = new Dictionary<string, double>
        {
            ["target"] = target, ["mean_final"] = mean,
            ["gap"] = Math.Abs(target - mean)
        };
        judgement.AddTo(evidence);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"The mean final {v.Metric} over folds ({v.Format(mean)}) is " +
                      $"{v.Format(Math.Abs(target - mean))} from the target {v.Format(target)}" +
                      (v.HigherIsBetter ? "" : $": {Math.Abs(mean - target) / mean * 100:0.#} % lower is needed") +
                      $" ({judgement.Text}).",
            Evidence = evidence,
            Noise = judgement.Text,
            Confidence = 0.95,
        };
    }
}
