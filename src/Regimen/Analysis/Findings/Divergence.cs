using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The optimization blew up: a NaN or infinite loss, or a training loss far above its running minimum.
/// </summary>
internal sealed class Divergence : FindingKind
{
    public const string Id = "divergence";
    public override string Name => Id;
    public override string Documentation =>
        "a NaN or infinite loss, or a training loss above 3 times its running minimum, or a validation loss above 3 " +
        "times its running minimum while the training loss is above 1.5 times its own (both losses blew up)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.StabilizeOptimization };

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
        foreach (var (epoch, value) in c.Series("train_loss"))
        {
            if (min < double.MaxValue && value > c.Options.DivergenceFactor * min && epoch > v.FirstEpoch + 1)
            {
                yield return new Finding
                {
                    Kind = Id, Severity = Severity.Critical, FirstEpoch = epoch, LastEpoch = v.LastEpoch,
                    Summary = $"Training loss jumped to {value:0.####} at epoch {epoch}, {value / min:0.#} times its " +
                              $"minimum so far ({min:0.####}): the optimization blew up.",
                    Evidence = new() { ["loss"] = value, ["running_min"] = min, ["factor"] = value / min },
                    Confidence = 0.85,
                };
                yield break;
            }
            min = Math.Min(min, value);
        }
        if (BothLosses(c) is { } both) yield return both;
    }

    /// <summary>
    /// Validation loss far above its running minimum while training loss rose too: not evaluation noise.
    /// </summary>
    static Finding? BothLosses(RunCheck c)
    {
        var f = c.Options.DivergenceFactor;
        double minTrain = double.MaxValue, minVal = double.MaxValue;
        foreach (var e in c.Log.Epochs)
        {
            if (e.TrainLoss is not { } t || e.ValLoss is not { } vl || !double.IsFinite(t) || !double.IsFinite(vl))
                continue;
            if (minVal < double.MaxValue && vl > f * minVal && t > 1.5 * minTrain)
                return new Finding
                {
                    Kind = Id, Severity = Severity.Critical, FirstEpoch = e.Epoch, LastEpoch = c.View.LastEpoch,
                    Summary = $"At epoch {e.Epoch} validation loss jumped to {vl:0.####}, {vl / minVal:0.#} times " +
                              $"its minimum so far ({minVal:0.####}), and training loss to {t:0.####}, " +
                              $"{t / minTrain:0.#} times its own: the optimization blew up.",
                    Evidence = new()
                    {
                        ["val_loss"] = vl, ["val_running_min"] = minVal, ["loss"] = t,
                        ["running_min"] = minTrain
                    },
                    Confidence = 0.8,
                };
            minTrain = Math.Min(minTrain, t);
            minVal = Math.Min(minVal, vl);
        }
        return null;
    }
}
