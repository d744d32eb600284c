using System.Globalization;

namespace Regimen.Training;

/// <summary>
/// A monitored metric: its name (a metrics.csv column), whether higher is better, and how to read it from an epoch's
/// record. The one place that knows that losses fall and accuracies rise: checkpoints (evaluation.monitor), early
/// stopping and the plateau schedule (their monitor), the recorder's summary, the analyst, compare and evolve
/// (--monitor) all ask it. Outside Regimen.Training, <c>using Monitor = Regimen.Training.Monitor;</c> tells it from
/// System.Threading.Monitor.
/// </summary>
public sealed class Monitor
{
    readonly Func<EpochResult, double?> read;

    Monitor(string name, bool higherIsBetter, bool isFraction, Func<EpochResult, double?> read)
    {
        Name = name;
        HigherIsBetter = higherIsBetter;
        IsFraction = isFraction;
        this.read = read;
    }

    public static readonly Monitor ValAccuracy = new("val_acc", true, true, r => r.ValAccuracy);
    public static readonly Monitor ValLoss = new("val_loss", false, false, r => r.ValLoss);
    public static readonly Monitor ValAccuracyTta = new("val_acc_tta", true, true, r => r.ValAccuracyTta);
    public static readonly Monitor ValAccuracyEma = new("val_acc_ema", true, true, r => r.ValAccuracyEma);
    public static readonly Monitor ValLossEma = new("val_loss_ema", false, false, r => r.ValLossEma);
    public static readonly Monitor ValTop5 = new("val_top5", true, true, r => r.ValTop5);
    public static readonly Monitor TrainLoss = new("train_loss", false, false, r => r.TrainLoss);
    public static readonly Monitor TrainAccuracy = new("train_acc", true, true, r => r.TrainAccuracy);

    /// <summary>The metrics Regimen records, by their metrics.csv names.</summary>
    public static IReadOnlyList<Monitor> Known { get; } =
        new[] { ValAccuracy, ValLoss, ValAccuracyTta, ValAccuracyEma, ValLossEma, ValTop5, TrainLoss, TrainAccuracy };

    public string Name { get; }
    public bool HigherIsBetter { get; }
    /// <summary>An accuracy (0-1, shown in %), not a loss.</summary>
    public bool IsFraction { get; }
    /// <summary>A score of the weights' exponential moving average (val_acc_ema, val_loss_ema).</summary>
    public bool OfEma => Name.EndsWith("_ema", StringComparison.Ordinal);

    /// <summary>A metric Regimen records; an unknown name is an error with the closest known one.</summary>
    public static Monitor Get(string name) =>
        Known.FirstOrDefault(m => m.Name == name) ?? throw new RegimenException(Check(name)!);

    /// <summary>
    /// Null for a metric Regimen records, else what is wrong with the name (for recipe checks: the caller adds the
    /// key).
    /// </summary>
    public static string? Check(string name) =>
        Known.Any(m => m.Name == name) ? null
            : $"unknown metric '{name}'" + DidYouMean.Hint(name, Known.Select(m => m.Name));

    /// <summary>
    /// A metric of any tool's log: a known one, or by its name (losses, errors, perplexities and the like fall;
    /// anything else, accuracies, F1, AUC, rises). Its reading from an EpochResult is null when Regimen does not record
    /// it.
    /// </summary>
    public static Monitor Named(string name)
    {
        if (Known.FirstOrDefault(m => m.Name == name) is { } known) return known;
        bool falls = Words(name).Any(Falling.Contains);
        return new Monitor(name, !falls, isFraction: !falls, _ => null);
    }

    static readonly HashSet<string> Falling = new()
    {
        "loss", "err", "error", "errors", "ppl", "perplexity", "mae", "mse", "rmse", "nll", "time", "wer", "cer", "fid",
        "eer",
    };

    /// <summary>A name's words, lower case: "val/top1_err" → val, top1, err.</summary>
    static IEnumerable<string> Words(string name) =>
        System.Text.RegularExpressions.Regex.Split(name.ToLowerInvariant(), "[^a-z0-9]+").Where(w => w.Length > 0);

    /// <summary>
    /// The value in an epoch's record; null when the run did not record it (no TTA, no EMA, few classes).
    /// </summary>
    public double? Read(EpochResult r) => read(r);

    public bool IsBetter(double candidate, double? best) =>
        best is null || (HigherIsBetter ? candidate > best : candidate < best);

    /// <summary>The epoch with the best value, the first of equals; null when no epoch has one.</summary>
    public EpochResult? Best(IEnumerable<EpochResult> rows)
    {
        EpochResult? best = null;
        double? bestValue = null;
        foreach (var r in rows)
            if (Read(r) is { } v && IsBetter(v, bestValue)) (best, bestValue) = (r, v);
        return best;
    }

    /// <summary>
    /// How much better <paramref name="a"/> is than <paramref name="b"/>: positive when better, in the metric's units.
    /// </summary>
    public double Gain(double a, double b) => HigherIsBetter ? a - b : b - a;

    /// <summary>An accuracy in percent, a loss as a number.</summary>
    public string Format(double value) =>
        IsFraction ? Units.Percent(value) : value.ToString("0.####", CultureInfo.InvariantCulture);

    public override string ToString() => Name;
}
