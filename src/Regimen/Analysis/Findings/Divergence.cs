using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>The optimization blew up: a NaN or infinite loss, or a training loss far above its running minimum.</summary>
internal sealed class Divergence : FindingKind
{
    public const string Id = "divergence";
    public override string Name => Id;
    public override string Documentation => "a NaN or infinite loss, or a training loss above 3 times its running minimum";
    public override IReadOnlyList<RecommendationKind> Answers { get; } = new[] { RecommendationRegistry.StabilizeOptimization };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var bad = c.Log.Epochs.FirstOrDefault(e => e.TrainLoss is { } l && !double.IsFinite(l)
                                                   || e.ValLoss is { } vl && !double.IsFinite(vl));
        if (bad is not null)
        {
            yield return new Finding
            {
                Kind = Id, Severity = Severity.Critical, FirstEpoch = bad.Epoch, LastEpoch = v.LastEpoch,
                Summary = $"The loss became NaN or infinite at epoch {bad.Epoch}: training diverged.",
                Evidence = new() { ["epoch"] = bad.Epoch }, Confidence = 0.95,
            };
            yield break;
        }
        double min = double.MaxValue;
        foreach (var (epoch, value) in c.Log.Series(e => e.TrainLoss))
        {
            if (min < double.MaxValue && value > c.Options.DivergenceFactor * min && epoch > v.FirstEpoch + 1)
            {
                yield return new Finding
                {
                    Kind = Id, Severity = Severity.Critical, FirstEpoch = epoch, LastEpoch = v.LastEpoch,
                    Summary = $"Training loss jumped to {value:0.####} at epoch {epoch}, {value / min:0.#} times its minimum " +
                              $"so far ({min:0.####}): the optimization blew up.",
                    Evidence = new() { ["loss"] = value, ["running_min"] = min, ["factor"] = value / min }, Confidence = 0.85,
                };
                yield break;
            }
            min = Math.Min(min, value);
        }
    }
}
