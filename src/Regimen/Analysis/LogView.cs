using System.Runtime.InteropServices;
using Regimen.Runs;
using Regimen.Training;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Analysis;

/// <summary>
/// A log seen through the metric being judged: its series, direction, best and final values, and the gap.
/// </summary>
internal sealed class LogView
{
    /// <summary>
    /// The log through <paramref name="metric"/>; <paramref name="series"/>: its role series an analysis has built
    /// already (of a log with the same epochs), else built here as they are needed.
    /// </summary>
    public LogView(TrainingLog log, string metric, AnalysisOptions? options = null,
        IReadOnlyList<TrainingLog>? noisePool = null, bool running = false, LogSeries? series = null)
    {
        Log = log;
        this.series = series is not null && series.Covers(log) ? series : new LogSeries(log);
        Noise = new NoiseModel(log, options?.ValidationSize, noisePool, this.series, options?.InferredValidationSize);
        var (implied, why) = options?.Classes is null && log.Classes is null ? ClassesAtStart(log, this.series)
            : (null, null);
        Classes = options?.Classes ?? log.Classes ?? implied;
        ClassesInferred = options?.Classes is null && log.Classes is null && Classes is not null;
        ClassesReason = ClassesInferred ? why : null;
        Metric = metric;
        Monitor = Monitor.Named(metric);
        // A role (val_acc, val_loss...) or any other series the log kept by name (--metric eval_macro_f1).
        Values = this.series.Metric(metric) ?? new List<(int Epoch, double Value)>();
        Gap = new List<(int Epoch, double Gap)>(log.Epochs.Count);
        foreach (var e in log.Epochs)
            if (e.TrainAccuracy is { } train && e.ValAccuracy is { } val) Gap.Add((e.Epoch, train - val));
        BeforeDecay = running && IsBeforeDecay(log);
    }

    /// <summary>
    /// The run is still going (the live analyst's view), its learning rate still near its peak and much of its
    /// planned budget ahead: at such a learning rate the weights themselves swing from epoch to epoch (validation
    /// accuracy by many times its binomial error at the peak of a one-cycle schedule), and a fall from the best is
    /// a swing the decay still to come may undo as often as a degradation. Falls and gaps are then judged against
    /// the training's own epoch-to-epoch swings, and not before enough epochs show them. A finished run (what
    /// <c>regimen analyze</c> reads) never is; nor a running one whose planned epochs are unknown.
    /// </summary>
    public bool BeforeDecay { get; }

    /// <summary>The learning rate the run is before its decay at: at least this fraction of its peak so far.</summary>
    public const double PeakFraction = 0.5;
    /// <summary>The share of the planned epochs after which a run is ending, whatever its learning rate.</summary>
    public const double EndingFraction = 0.75;

    static bool IsBeforeDecay(TrainingLog log)
    {
        if (log.PlannedEpochs is not { } planned || log.Epochs.Count == 0) return false;
        int done = log.Epochs[^1].Epoch - log.Epochs[0].Epoch + 1;
        if (done >= EndingFraction * planned) return false;
        var lrs = log.Series(e => e.LearningRate);
        return lrs.Count == 0 || lrs[^1].Value >= PeakFraction * lrs.Max(p => p.Value);
    }

    readonly LogSeries series;
    readonly Dictionary<string, (AnalysisOptions Options, object? Value)> measured = new();

    /// <summary>
    /// What <paramref name="measure"/> gives for this view under <paramref name="options"/>, measured once: several
    /// kinds read the same measure (degradation's, for early-peak and overfitting), each pass over a log of 10^6
    /// epochs counts. The measure must depend on the view and the options only.
    /// </summary>
    public T Once<T>(string name, AnalysisOptions options, Func<T> measure)
    {
        if (measured.TryGetValue(name, out var m) && ReferenceEquals(m.Options, options)) return (T)m.Value!;
        var value = measure();
        measured[name] = (options, value);
        return value;
    }

    public TrainingLog Log { get; }

    /// <summary>A role's series (train_loss, val_loss, lr...), built once per view: read it, never change it.</summary>
    public List<(int Epoch, double Value)> Series(string role) => series[role];
    /// <summary>The noise every effect in this run is judged against.</summary>
    public NoiseModel Noise { get; }
    /// <summary>The number of classes, when the log or the user says.</summary>
    public int? Classes { get; }
    /// <summary>Whether <see cref="Classes"/> was inferred (<see cref="ClassesAtStart"/>), not given.</summary>
    public bool ClassesInferred { get; }
    /// <summary>What implies the inferred class count ("top-5 accuracy is always 100 % and the first loss is
    /// ln 3"), or null.</summary>
    public string? ClassesReason { get; }

    /// <summary>
    /// The class count a log implies without saying it: the first epoch's loss within 5 % of ln C, the
    /// cross-entropy of a classifier that has learned nothing yet (the "loss at init" check), for one C from 2 to 5,
    /// where top-5 accuracy is always 100 % (at most 5 classes) or the first training and validation losses agree on
    /// it (pandas-drowsiness-noepoch: 0.6905 and 0.6899 = ln 2); or a validation accuracy flat at exactly 1/C; else
    /// null.
    /// </summary>
    static (int?, string?) ClassesAtStart(TrainingLog log, LogSeries series)
    {
        if (log.Epochs.Count == 0) return (null, null);
        var first = log.Epochs[0];
        var top5 = series["val_top5"];
        if (top5.Count >= 2 && top5.All(p => p.Value >= 0.9999))
            foreach (var loss in new[] { first.TrainLoss, first.ValLoss })
                if (LnOf(loss) is { } c)
                    return (c, $"top-5 accuracy is always 100 % and the first loss is ln {c}");
        // Both losses of the first epoch at the same ln C: a model that has learned nothing yet, seen twice.
        if (LnOf(first.TrainLoss) is { } both && LnOf(first.ValLoss) == both)
            return (both, $"the first training and validation losses are both ln {both}");
        return FlatAtOneOver(series["val_acc"]) is { } flat
            ? (flat, $"validation accuracy is exactly 1/{flat} in most epochs") : (null, null);
    }

    /// <summary>The C of 2 to 5 whose ln C a finite loss is within 5 % of, else null.</summary>
    static int? LnOf(double? loss)
    {
        if (loss is not { } l || !double.IsFinite(l)) return null;
        for (int c = 2; c <= 5; c++)
            if (Math.Abs(l - Math.Log(c)) < 0.05 * Math.Log(c)) return c;
        return null;
    }

    /// <summary>
    /// The C of 2 to 10 when validation accuracy is exactly 1/C (to 5 decimals) in at least 3 of 4 epochs (of at
    /// least 4): a classifier that gives every image the same class on a balanced set (keras-chance-resumed: 0.2000000
    /// in all 8 epochs), else null.
    /// </summary>
    internal static int? FlatAtOneOver(List<(int Epoch, double Value)> acc)
    {
        if (acc.Count < 4) return null;
        // Counted for every C in one pass (a log of 10^6 epochs), then tried in order as before; a value outside
        // [0.09, 0.51] is 0.01 or more from every 1/C.
        Span<int> at = stackalloc int[11];
        foreach (var p in acc)
        {
            if (!(p.Value >= 0.09 && p.Value <= 0.51)) continue;
            for (int c = 2; c <= 10; c++)
                if (Math.Abs(p.Value - 1.0 / c) < 5e-6) at[c]++;
        }
        for (int c = 2; c <= 10; c++)
            if (at[c] * 4 >= acc.Count * 3) return c;
        return null;
    }
    public string Metric { get; }
    /// <summary>The metric's direction and units: the one place that knows losses fall and accuracies rise.</summary>
    public Monitor Monitor { get; }
    public bool HigherIsBetter => Monitor.HigherIsBetter;
    /// <summary>(epoch, metric) for every epoch that has it.</summary>
    public List<(int Epoch, double Value)> Values { get; }
    /// <summary>(epoch, train accuracy - validation accuracy), where both exist.</summary>
    public List<(int Epoch, double Gap)> Gap { get; }

    public double? Select(LogEpoch e) =>
        TrainingLog.RoleSelector(Metric) is { } role ? role(e)
            : (byEpoch ??= Values.ToDictionary(p => p.Epoch, p => p.Value)).TryGetValue(e.Epoch, out var v) ? v : null;

    Dictionary<int, double>? byEpoch;

    public bool Better(double a, double b) => HigherIsBetter ? a > b : a < b;

    /// <summary>The first epoch at the best value (found once: <see cref="Values"/> never changes).</summary>
    public (int Epoch, double Value)? Best => Values.Count == 0 ? null : best ??= FirstBest();

    (int Epoch, double Value)? best;

    (int Epoch, double Value) FirstBest()
    {
        var top = Values[0];
        bool higher = HigherIsBetter;
        for (int i = 1; i < Values.Count; i++)
            if (higher ? Values[i].Value > top.Value : Values[i].Value < top.Value) top = Values[i];
        return top;
    }
    public (int Epoch, double Value)? Final => Values.Count == 0 ? null : Values[^1];

    /// <summary>
    /// How much worse <paramref name="value"/> is than <paramref name="best"/>: absolute for accuracies, relative for
    /// losses.
    /// </summary>
    public double Worse(double value, double best) => HigherIsBetter ? best - value
        : (value - best) / Math.Max(Math.Abs(best), 1e-12);

    /// <summary>The learning rate ended below 5 % of its peak: the schedule has annealed.</summary>
    public bool Annealed
    {
        get
        {
            var lrs = series["lr"];
            return lrs.Count > 2 && lrs[^1].Value < 0.05 * lrs.Max(p => p.Value);
        }
    }

    /// <summary>The points of a series with <paramref name="from"/> &lt;= epoch &lt; <paramref name="to"/>, in
    /// order: one plain pass (a log of 10^6 epochs).</summary>
    public static List<(int Epoch, double Value)> Within(List<(int Epoch, double Value)> points, int from, int to)
    {
        var within = new List<(int Epoch, double Value)>();
        foreach (var p in points)
            if (p.Epoch >= from && p.Epoch < to) within.Add(p);
        return within;
    }

    /// <summary>The first epoch of the log numbered <paramref name="epoch"/>; there must be one.</summary>
    public static LogEpoch FirstAt(TrainingLog log, int epoch)
    {
        foreach (var e in log.Epochs)
            if (e.Epoch == epoch) return e;
        throw new InvalidOperationException($"the log has no epoch {epoch}");
    }

    public int FirstEpoch => Log.Epochs.Count == 0 ? 0 : Log.Epochs[0].Epoch;
    public int LastEpoch => Log.Epochs.Count == 0 ? 0 : Log.Epochs[^1].Epoch;

    /// <summary>The noise of one value of the metric near <paramref name="at"/>.</summary>
    public Noise MetricNoise(double at) => Noise.Metric(Metric, at);

    /// <summary>
    /// The noise of a difference between two values of the metric, in the units of <see cref="Worse"/>.
    /// </summary>
    public Noise DifferenceNoise(double a, double b)
    {
        var n = Noise.MetricDifference(Metric, a, b);
        return HigherIsBetter ? n : n with { Se = n.Se / Math.Max(Math.Abs(b), 1e-12) };
    }

    /// <summary>Epochs a stretch between schedule changes needs for its own spread.</summary>
    const int StretchEpochs = 10;

    /// <summary>
    /// The noise of one value of <paramref name="series"/> (a loss) near <paramref name="at"/>, measured within the
    /// stretch between schedule changes that holds <paramref name="epoch"/>, where it has at least 10 epochs: an
    /// effect inside one stretch is judged against that stretch's swings, not those of a phase at ten times its
    /// learning rate; else the whole run's (<see cref="NoiseModel.Metric"/>).
    /// </summary>
    public Noise StretchNoise(string metric, IReadOnlyList<(int Epoch, double Value)> series, int epoch, double at)
    {
        var whole = Noise.Metric(metric, at);
        int from = int.MinValue, to = int.MaxValue;
        foreach (var e in Log.Events)
        {
            if (e.Kind != "schedule") continue;
            if (e.Epoch <= epoch) from = Math.Max(from, e.Epoch);
            else to = Math.Min(to, e.Epoch);
        }
        if (from == int.MinValue && to == int.MaxValue) return whole;
        var stretch = series.Where(p => p.Epoch >= from && p.Epoch < to).ToList();
        double spread = stretch.Count >= StretchEpochs ? NoiseModel.EpochSpread(stretch) : double.NaN;
        return double.IsNaN(spread) ? whole
            : new(Math.Max(spread, NoiseModel.LossFloor * Math.Abs(at)),
                $"the epoch-to-epoch spread of {metric} from epoch {Math.Max(from, stretch[0].Epoch)}, its stretch");
    }

    public string Format(double v) => Monitor.Format(v);
    /// <summary>A difference of accuracies in percentage points, "+1.78 pt" (<see cref="Units.Points"/>).</summary>
    public static string Points(double gap) => Units.Points(gap);

    /// <summary>The least-squares slope of a series per epoch.</summary>
    public static double Slope(IReadOnlyList<(int Epoch, double Value)> points) =>
        Slope(points is List<(int Epoch, double Value)> list ? CollectionsMarshal.AsSpan(list) : points.ToArray());

    /// <summary>The least-squares slope per epoch, summed in order as Enumerable.Average and Sum add.</summary>
    public static double Slope(ReadOnlySpan<(int Epoch, double Value)> points)
    {
        if (points.Length < 2) return 0;
        var (mx, my) = Means(points);
        double num = 0, den = 0;
        foreach (var p in points) num += (p.Epoch - mx) * (p.Value - my);
        foreach (var p in points) den += (p.Epoch - mx) * (p.Epoch - mx);
        return den == 0 ? 0 : num / den;
    }

    /// <summary>
    /// The mean epoch and value of a non-empty series, as Enumerable.Average computes them (epochs summed as longs,
    /// values in order from the first).
    /// </summary>
    public static (double Epoch, double Value) Means(ReadOnlySpan<(int Epoch, double Value)> points)
    {
        long epochs = 0;
        double values = points[0].Value;
        foreach (var p in points) epochs += p.Epoch;
        for (int i = 1; i < points.Length; i++) values += points[i].Value;
        return ((double)epochs / points.Length, values / points.Length);
    }
}
