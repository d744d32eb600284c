using System.Buffers;
using System.Numerics;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// A standard error and what it rests on: the binomial error of an accuracy on a known number of validation images,
/// or a series' own epoch-to-epoch spread. An effect is judged by how many of them it is.
/// </summary>
public readonly record struct Noise(double Se, string Basis)
{
    public bool Known => double.IsFinite(Se) && Se > 0;

    /// <summary>
    /// How many standard errors <paramref name="effect"/> is (infinite where the noise is unknown or zero).
    /// </summary>
    public double Sigmas(double effect) => Known ? effect / Se : double.PositiveInfinity;

    public static Noise Unknown(string why) => new(double.NaN, why);

    /// <summary>The noise of a difference of two independent measurements.</summary>
    public static Noise Difference(Noise a, Noise b) => new(Math.Sqrt(a.Se * a.Se + b.Se * b.Se), a.Basis);

    public Noise Times(double factor) => this with { Se = Se * factor };
}

/// <summary>
/// The noise model every finding is judged against (docs/analysis.md, "Noise"): an accuracy measured on n validation
/// images has the binomial standard error sqrt(p(1-p)/n), when n is known (Regimen records it; <c>--val-size</c> gives
/// it for a foreign log); otherwise, and for losses, the series' own epoch-to-epoch spread: the robust standard
/// deviation of each epoch's value around the line through its neighbours, within the stretches between schedule
/// changes. The evolve loop judges its promotions with the same model.
/// </summary>
public sealed class NoiseModel
{
    /// <summary>
    /// The least standard error of an accuracy (a tenth of a point at most 250 000 images): logs round.
    /// </summary>
    public const double AccuracyFloor = 0.0005;
    /// <summary>The least standard error of a loss, relative to its level (logs round to 4 digits).</summary>
    public const double LossFloor = 0.001;

    readonly IReadOnlyList<TrainingLog> pool;
    readonly Dictionary<string, double> spreads = new();
    readonly LogSeries series;

    /// <param name="log">The run.</param>
    /// <param name="validationSize">Validation images per accuracy where the log does not say.</param>
    /// <param name="pool">
    /// Runs of the same recipe whose spreads are measured together with this one's (an experiment's folds): a
    /// few epochs each give few residuals, and the folds share their noise.
    /// </param>
    public NoiseModel(TrainingLog log, int? validationSize = null, IReadOnlyList<TrainingLog>? pool = null)
        : this(log, validationSize, pool, new LogSeries(log))
    {
    }

    /// <summary>The noise model of a log whose role series an analysis has built (<paramref name="series"/>), with
    /// the validation size inferred already from the whole run, if it was (<paramref name="inferred"/>).</summary>
    internal NoiseModel(TrainingLog log, int? validationSize, IReadOnlyList<TrainingLog>? pool, LogSeries series,
        InferredSize? inferred = null)
    {
        this.pool = pool is { Count: > 0 } ? pool : new[] { log };
        this.series = series;
        ValidationSize = validationSize ?? log.ValidationSize;
        if (ValidationSize is null && (inferred is { } known ? known.Size
                : InferValidationSize(series["val_acc"].Select(p => p.Value))) is { } n)
        {
            ValidationSize = n;
            Inferred = true;
        }
        TrainSize = log.TrainSize;
    }

    /// <summary>Whether the validation size was inferred from the accuracies' steps
    /// (<see cref="InferValidationSize(IEnumerable{double})"/>).</summary>
    public bool Inferred { get; }

    string Images => Inferred
        ? $"~{ValidationSize} validation images, inferred from the accuracies' steps of 1/{ValidationSize}"
        : $"{ValidationSize} validation images";

    /// <summary>
    /// The smallest n for which every logged accuracy is a whole number of images out of n, within the precision it
    /// was printed with, when the fit is unlikely to be a coincidence: a value printed with d decimals lands within
    /// its rounding of a multiple of 1/n by chance with probability min(1, n·10^-d) (widened by the float32 rounding
    /// below), and the product over the values
    /// must be under 10^-4 (round values such as 0.64 prove nothing). A true size is a multiple of one that fits,
    /// so the inferred n is at most the true one: the noise it gives errs large. Trainers compute in single
    /// precision: a value is allowed one float32 rounding besides its printing, and a float32 printed in full
    /// (Keras' 0.469490110874176) is precise to that rounding alone, as is a double printed in full. A size that
    /// fits must also be fitted rarely by coincidence on the grid the values were printed on
    /// (<see cref="GridChance"/>): percentages with 2 decimals
    /// fit 8000 as they fit 10,000 and say nothing of the size.
    /// </summary>
    public static int? InferValidationSize(IEnumerable<double> accuracies) => InferValidationSize(accuracies, out _);

    /// <summary>How many distinct accuracies the inference reads: the first this many in (0, 1).</summary>
    internal const int InferenceValues = 200;

    /// <summary>Whether the inference reads an accuracy at all (it reads the first
    /// <see cref="InferenceValues"/> distinct ones that pass).</summary>
    internal static bool IsInferenceValue(double v) => v > 0 && v < 1;

    /// <summary>
    /// <see cref="InferValidationSize(IEnumerable{double})"/>, counting its work: <paramref name="work"/> is the
    /// number of (size, value) terms evaluated, of the chance and of the fits. The chance a size fits by
    /// coincidence never falls as the size grows, so the sizes worth trying end where it first passes 10^-4,
    /// found by bisection instead of a product over every value at every size; and each size is tested against the
    /// most precise values first, which reject a wrong size at once. About one term per size, not one per size and
    /// value: 10^6 sizes times 200 values made every analysis of a log of unrounded floats take a second.
    /// </summary>
    internal static int? InferValidationSize(IEnumerable<double> accuracies, out long work)
    {
        long terms = 0;
        // Each value with the precision it was printed with (d decimals: half a unit of the last one), plus one
        // float32 rounding; a float32 printed in full is precise to that rounding alone (counted as 8 decimals).
        var values = new List<(double Value, int Decimals, double Tolerance)>();
        foreach (var v in accuracies.Where(IsInferenceValue).Distinct().Take(InferenceValues))
        {
            int decimals = Enumerable.Range(1, 8).FirstOrDefault(d => Math.Abs(v - Math.Round(v, d)) < 1e-9);
            double single = v * SingleRounding;
            if (decimals > 0) values.Add((v, decimals, 0.5 * Math.Pow(10, -decimals) + single));
            else if ((double)(float)v == v) values.Add((v, 8, single));
            // A double printed in full (numpy's 62/84 = 0.7380952380952381, Hugging Face's eval_accuracy; a float32
            // percentage divided by 100) is a count divided, precise to one float32 rounding as any other value.
            else values.Add((v, 16, single));
        }
        work = 0;
        if (values.Count < 2) return null;
        int limit = (int)Math.Min(1_000_000, Math.Pow(10, values.Max(v => v.Decimals)));
        // The chance of a coincidental fit, in the values' own order (the same product whatever the search).
        var widths = values.Select(v => 2 * v.Tolerance).ToArray();
        double Chance(int n)
        {
            double chance = 1;
            foreach (var width in widths) chance *= Math.Min(1, n * width);
            terms += widths.Length;
            return chance;
        }
        // The chance never falls as n grows: the first size past 10^-4 ends the search.
        int end = limit + 1;
        if (Chance(limit) > 1e-4)
        {
            int lo = 10, hi = limit;  // the first n in [lo, hi] with Chance(n) > 1e-4
            while (lo < hi)
            {
                int mid = lo + (hi - lo) / 2;
                if (Chance(mid) > 1e-4) hi = mid;
                else lo = mid + 1;
            }
            end = lo;
        }
        var tests = values.OrderBy(v => v.Tolerance).Select(v => (v.Value, v.Tolerance)).ToArray();
        bool Fits(int n)
        {
            foreach (var (v, tolerance) in tests)
            {
                terms++;
                if (Math.Abs(v * n - Math.Round(v * n)) > tolerance * n + 1e-9) return false;
            }
            // A size that fits is a finding only if printed values fit it rarely by coincidence.
            terms += values.Count;
            return GridChance(values, n) <= 1e-4;
        }
        int next = 10;
        // The most precise value rejects nearly every size: tested on several sizes at once (the same arithmetic),
        // and only a block where some size passes it is tested size by size.
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<double>.Count;
            Span<double> lanes = stackalloc double[width];
            for (int i = 0; i < width; i++) lanes[i] = i;
            var offsets = new Vector<double>(lanes);
            var (first, firstTolerance) = tests[0];
            for (; next + width <= end; next += width)
            {
                var n = new Vector<double>(next) + offsets;
                var x = new Vector<double>(first) * n;
                terms += width;
                if (Vector.GreaterThanAll(Vector.Abs(x - Vector.Round(x)), new Vector<double>(firstTolerance) * n
                    + new Vector<double>(1e-9))) continue;
                for (int m = next; m < next + width; m++)
                    if (Fits(m)) { work = terms; return m; }
            }
        }
        for (; next < end; next++)
            if (Fits(next)) { work = terms; return next; }
        work = terms;
        return null;
    }

    /// <summary>
    /// The chance that values printed with their decimals fit the size <paramref name="n"/> by coincidence, counted
    /// on the grid they were printed on: of the values m/10^d, those within the tolerance t of a multiple of 1/n are
    /// 1 + 2·floor(t·n·q) in every q of them, q = 10^d / gcd(n, 10^d). It is about n times the tolerance's width (the
    /// first factor of the search) except where n shares the grid's factors: every 4-decimal value fits n = 8000
    /// within half a unit (k/8000 is a multiple of 1/10000 or half-way between two), as it fits 10,000, so such values
    /// say nothing of either size.
    /// </summary>
    internal static double GridChance(IReadOnlyList<(double Value, int Decimals, double Tolerance)> values, int n)
    {
        double chance = 1;
        foreach (var (_, decimals, tolerance) in values)
        {
            long unit = (long)Math.Round(Math.Pow(10, decimals));
            long q = unit / (long)BigInteger.GreatestCommonDivisor(n, unit);
            chance *= Math.Min(1, (1 + 2 * Math.Floor((tolerance * n + 1e-9) * q)) / q);
        }
        return chance;
    }

    /// <summary>One float32 rounding, relative: 2^-23 (a unit in the last place, generously).</summary>
    const double SingleRounding = 1.0 / (1 << 23);

    /// <summary>
    /// The least validation size the logged accuracies allow where it is not known: accuracies that are whole numbers
    /// of images out of n differ by multiples of 1/n, so two printed d-decimal values that differ by s (each off by
    /// half a unit of the last decimal) mean n >= 1 / (s + 10^-d). The binomial error on that many images is the most
    /// the evaluation noise can be: swings beyond it are beyond the evaluation noise whatever the true size. Null
    /// where the size is known, or fewer than 3 distinct accuracies are logged. Read from the first 200 distinct
    /// accuracies, as the inference reads them: a subset's smallest step is no smaller, the bound still holds.
    /// </summary>
    public int? ValidationSizeAtLeast
    {
        get
        {
            if (ValidationSize is not null) return null;
            if (!atLeastKnown) (atLeast, atLeastKnown) = (SmallestStep(), true);
            return atLeast;
        }
    }

    int? atLeast;
    bool atLeastKnown;

    int? SmallestStep()
    {
        // The values the inference reads (a subset's smallest step is no smaller: the bound it gives still holds).
        var values = series["val_acc"].Select(p => p.Value).Where(IsInferenceValue).Distinct().Take(InferenceValues)
            .Order().ToList();
        if (values.Count < 3) return null;
        int decimals = values.Max(v => Enumerable.Range(1, 8).FirstOrDefault(d => Math.Abs(v - Math.Round(v, d)) < 1e-9)
            is var d and > 0 ? d : 8);
        double step = double.MaxValue;
        for (int i = 1; i < values.Count; i++) step = Math.Min(step, values[i] - values[i - 1]);
        return (int)Math.Floor(1 / (step + Math.Pow(10, -decimals)));
    }

    /// <summary>The most the evaluation noise of one validation accuracy near <paramref name="p"/> can be where the
    /// validation size is unknown (<see cref="ValidationSizeAtLeast"/>), or unknown.</summary>
    public Noise ValAccuracyAtMost(double p) => ValidationSizeAtLeast is { } n && n > 1
        ? new(Math.Max(Binomial(p, n), AccuracyFloor),
            $"binomial on at least {n} validation images, the least size the accuracies' smallest step allows: " +
            "the most the evaluation noise can be")
        : Noise.Unknown("validation size unknown (--val-size N): judged by the size threshold alone");

    /// <summary>Validation images behind each validation accuracy, when known.</summary>
    public int? ValidationSize { get; }
    /// <summary>Training images behind each training accuracy, when known.</summary>
    public int? TrainSize { get; }

    /// <summary>The standard error of one validation accuracy near <paramref name="p"/>.</summary>
    public Noise ValAccuracy(double p) => ValidationSize is { } n && n > 0
        ? new(Math.Max(Binomial(p, n), AccuracyFloor), $"binomial on {Images}")
        : Spread("val_acc", AccuracyFloor);

    /// <summary>
    /// The standard error of the difference of two validation accuracies (two epochs, or a value and a target).
    /// </summary>
    public Noise ValAccuracyDifference(double p1, double p2) => Noise.Difference(ValAccuracy(p1), ValAccuracy(p2));

    /// <summary>The standard error of one training accuracy near <paramref name="p"/>.</summary>
    public Noise TrainAccuracy(double p) => TrainSize is { } n && n > 0
        ? new(Math.Max(Binomial(p, n), AccuracyFloor), $"binomial on {n} training images")
        : Spread("train_acc", AccuracyFloor);

    /// <summary>The standard error of a train-validation accuracy gap.</summary>
    public Noise Gap(double train, double val) => WithTrainAccuracy(ValAccuracy(val), train);

    /// <summary>A validation accuracy's noise with the training accuracy's added in quadrature: a gap's.</summary>
    Noise WithTrainAccuracy(Noise val, double train)
    {
        var t = TrainAccuracy(train);
        return new(Math.Sqrt(val.Se * val.Se + (t.Known ? t.Se * t.Se : 0)), val.Basis);
    }

    /// <summary>The noise of the training in a train-validation gap: <see cref="Gap"/> with the validation
    /// accuracy's epoch-to-epoch spread where it is larger (<see cref="Process"/>).</summary>
    public Noise ProcessGap(double train, double val) => WithTrainAccuracy(Process("val_acc", val), train);

    /// <summary>
    /// The standard error of one value of the metric <paramref name="metric"/> near <paramref name="at"/>.
    /// </summary>
    public Noise Metric(string metric, double at) => metric switch
    {
        // The validation accuracies (plain, TTA, EMA, top-5) are counts of images out of the validation size.
        "val_acc" or "val_acc_tta" or "val_acc_ema" or "val_top5" when ValidationSize is not null => ValAccuracy(at),
        "val_acc" => ValAccuracy(at),
        "val_loss" => Spread("val_loss", LossFloor * Math.Abs(at)),
        "train_loss" => Spread("train_loss", LossFloor * Math.Abs(at)),
        // Any other series the log kept (eval_macro_f1...): its own spread, floored like a loss.
        _ => Spread(metric, LossFloor * Math.Abs(at)),
    };

    /// <summary>
    /// The noise of the training, not only of the measurement: the larger of <see cref="Metric"/> and the series' own
    /// epoch-to-epoch spread. At a high learning rate the weights, not only the images, differ from epoch to epoch:
    /// validation accuracy can swing by far more than its binomial error, and a fall that such swings explain is no
    /// trend. The overfitting gap is judged against it; oscillation, which is that swing, is not.
    /// </summary>
    public Noise Process(string metric, double at)
    {
        var measured = Metric(metric, at);
        var spread = Spread(metric, 0);
        return spread.Known && (!measured.Known || spread.Se > measured.Se) ? spread : measured;
    }

    /// <summary>Whether the series' epoch-to-epoch spread can be measured yet (at least 3 epochs between two
    /// others in one stretch), the part of <see cref="Process"/> that the training's swings add; a smooth series'
    /// spread of 0 is measured too.</summary>
    public bool SpreadKnown(string metric) =>
        !double.IsNaN(Spread(metric, 0).Se);

    /// <summary>The standard error of the difference of two values of the metric.</summary>
    public Noise MetricDifference(string metric, double a, double b) =>
        Noise.Difference(Metric(metric, a), Metric(metric, b));

    /// <summary>sqrt(p(1-p)/n), p kept half an image away from 0 and 1.</summary>
    public static double Binomial(double p, int n)
    {
        double q = Math.Clamp(p, 0.5 / n, 1 - 0.5 / n);
        return Math.Sqrt(q * (1 - q) / n);
    }

    /// <summary>A series' spread: a role's, or one the log keeps under that name, in each run of the pool.</summary>
    Noise Spread(string name, double floor)
    {
        IReadOnlyList<(int Epoch, double Value)> Of(TrainingLog l) =>
            (series.Covers(l) ? series.Metric(name) : l.MetricSeries(name)) ?? new List<(int Epoch, double Value)>();
        if (!spreads.TryGetValue(name, out var s))
            spreads[name] = s = EpochSpread(pool.Select(l => (Of(l), (IReadOnlySet<int>)Breaks(l))));
        return double.IsNaN(s)
            ? Noise.Unknown($"too few epochs to measure the epoch-to-epoch spread of {name}")
            : new(Math.Max(s, floor), $"the epoch-to-epoch spread of {name}");
    }

    /// <summary>
    /// The robust standard deviation of a series around its local trend: for each epoch with both neighbours in the
    /// same stretch (no schedule change between), r = x - (prev + next) / 2, whose variance is 1.5 sigma^2 for white
    /// noise; sigma = 1.4826 median|r| / sqrt(1.5). NaN with fewer than 3 such epochs.
    /// </summary>
    public static double EpochSpread(IReadOnlyList<(int Epoch, double Value)> series,
        IReadOnlySet<int>? breaks = null) =>
        EpochSpread(new[] { (series, breaks ?? new HashSet<int>()) });

    /// <summary>The spread of several series measured together: their residuals pooled before the median.</summary>
    public static double EpochSpread(IEnumerable<(IReadOnlyList<(int Epoch, double Value)> Series,
        IReadOnlySet<int> Breaks)> runs)
    {
        var all = runs.ToList();
        // Sized once and no set looked up where there are no breaks: a log of 10^6 epochs has 10^6 residuals, in a
        // pooled buffer (an analysis measures several spreads; fresh memory costs a page fault per page).
        var residuals = ArrayPool<double>.Shared.Rent(all.Sum(r => Math.Max(0, r.Series.Count - 2)));
        try
        {
            int count = 0;
            foreach (var (series, breaks) in all)
                for (int i = 1; i + 1 < series.Count; i++)
                {
                    if (breaks.Count > 0 && (breaks.Contains(series[i].Epoch) || breaks.Contains(series[i + 1].Epoch)))
                        continue;
                    residuals[count++] = Math.Abs(series[i].Value - (series[i - 1].Value + series[i + 1].Value) / 2);
                }
            if (count < 3) return double.NaN;
            return 1.4826 * Median(residuals.AsSpan(0, count)) / Math.Sqrt(1.5);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(residuals);
        }
    }

    /// <summary>
    /// The median as the sorted values give it (the mean of the middle two of an even count; NaN sorts first, as
    /// <see cref="double.CompareTo(double)"/> orders), found by selection in linear time instead of a sort: a
    /// 10^6-epoch log has four such series. Reorders <paramref name="values"/>.
    /// </summary>
    internal static double Median(Span<double> values)
    {
        int k = values.Length / 2;
        Select(values, k);
        if (values.Length % 2 == 1) return values[k];
        double below = values[0];   // the largest of the k values before position k: the (k-1)-th in order
        for (int i = 1; i < k; i++) if (values[i].CompareTo(below) > 0) below = values[i];
        return (below + values[k]) / 2;
    }

    /// <summary>Moves the k-th smallest value to position k, the smaller ones before it, the larger after
    /// (Hoare's selection with a median-of-three pivot).</summary>
    static void Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi > lo)
        {
            int mid = lo + (hi - lo) / 2;
            if (a[mid].CompareTo(a[lo]) < 0) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi].CompareTo(a[lo]) < 0) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi].CompareTo(a[mid]) < 0) (a[hi], a[mid]) = (a[mid], a[hi]);
            double pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i].CompareTo(pivot) < 0) i++;
                while (a[j].CompareTo(pivot) > 0) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    /// <summary>The epochs where a schedule change starts a new stretch (the curve may jump there).</summary>
    static HashSet<int> Breaks(TrainingLog log) => log.Events.Where(e => e.Kind == "schedule")
        .Select(e => e.Epoch).ToHashSet();

    /// <summary>The noise of several runs' spreads pooled (the folds of one recipe): the root mean square.</summary>
    public static double Pool(IEnumerable<double> sigmas)
    {
        var known = sigmas.Where(double.IsFinite).ToList();
        return known.Count == 0 ? double.NaN : Math.Sqrt(known.Average(s => s * s));
    }
}
