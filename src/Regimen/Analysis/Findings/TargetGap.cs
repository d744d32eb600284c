namespace Regimen.Analysis.Findings;

/// <summary>The score is short of the user's target (seed 004's gap to gold).</summary>
internal sealed class TargetGap : FindingKind
{
    public const string Id = "target-gap";
    public override string Name => Id;
    public override bool JudgedAtEnd => true;
    public override string Documentation =>
        "the best value (across folds: the mean final value) is short of `--target` (seed 004's gap to gold)";
    public override bool ListedPerFold => false;

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        if (c.Options.Target is not { } target || v.Best is not { } best || !v.Better(target, best.Value)) yield break;
        double gap = Math.Abs(target - best.Value);
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, FirstEpoch = best.Epoch, LastEpoch = v.LastEpoch,
            Summary = $"The best {v.Metric} ({v.Format(best.Value)} at epoch {best.Epoch}) is " +
                      $"{(v.HigherIsBetter ? LogView.Points(gap).TrimStart('+') : v.Format(gap))} from the target {v.Format(target)}" +
                      (v.HigherIsBetter ? "." : $": {gap / best.Value * 100:0.#} % lower is needed."),
            Evidence = new() { ["target"] = target, ["best"] = best.Value, ["gap"] = gap },
            Confidence = 0.95,
        };
    }

    public override IEnumerable<Finding> DetectAcrossFolds(FoldsCheck c)
    {
        var views = c.Folds.Where(x => x.Final is not null).ToList();
        if (c.Options.Target is not { } target || views.Count == 0) yield break;
        var v = views[0];
        double mean = views.Average(x => x.Final!.Value.Value);
        if (!v.Better(target, mean)) yield break;
        yield return new Finding
        {
            Kind = Id, Severity = Severity.Warning, Run = "all folds",
            Summary = $"The mean final {v.Metric} over folds ({v.Format(mean)}) is {v.Format(Math.Abs(target - mean))} from " +
                      $"the target {v.Format(target)}" +
                      (v.HigherIsBetter ? "." : $": {Math.Abs(mean - target) / mean * 100:0.#} % lower is needed."),
            Evidence = new() { ["target"] = target, ["mean_final"] = mean, ["gap"] = Math.Abs(target - mean) },
            Confidence = 0.95,
        };
    }
}
