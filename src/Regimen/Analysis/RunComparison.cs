using System.Text.Json.Serialization;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>One run in a comparison: its scores, generalization and stability.</summary>
public sealed record ComparedRun
{
    [JsonPropertyName("run")] public required string Run { get; init; }
    [JsonPropertyName("final")] public double? Final { get; init; }
    [JsonPropertyName("best")] public double? Best { get; init; }
    [JsonPropertyName("best_epoch")] public int? BestEpoch { get; init; }
    [JsonPropertyName("final_train_acc")] public double? FinalTrainAccuracy { get; init; }
    /// <summary>Final train accuracy minus final validation accuracy.</summary>
    [JsonPropertyName("final_gap")] public double? FinalGap { get; init; }
    /// <summary>
    /// The standard deviation of epoch-to-epoch changes of the metric over the last third: lower is steadier.
    /// </summary>
    [JsonPropertyName("volatility")] public double? Volatility { get; init; }
    [JsonPropertyName("schedule_changes")] public int ScheduleChanges { get; init; }
    /// <summary>How much the final value is worse than the best.</summary>
    [JsonPropertyName("drop_from_best")] public double? DropFromBest { get; init; }
    /// <summary>A Regimen run's test split, scored once at the end; shown, never a criterion of the verdict.</summary>
    [JsonPropertyName("test")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TestScores? Test { get; init; }
}

/// <summary>A criterion of the verdict, its winner and the margin.</summary>
public sealed record Criterion(
    [property: JsonPropertyName("criterion")] string Name,
    [property: JsonPropertyName("winner")] string Winner,
    [property: JsonPropertyName("margin")] string Margin);

/// <summary>
/// A row of the epoch-by-epoch table: the metric of each run at a milestone epoch, and what happened there.
/// </summary>
public sealed record MilestoneRow(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("values")] List<double?> Values,
    [property: JsonPropertyName("events")] List<string> Events);

/// <summary>
/// Runs compared as seed 002 compares its sessions: configuration diff, milestones, final/best/gap/stability, a
/// verdict.
/// </summary>
public sealed record Comparison
{
    [JsonPropertyName("monitor")] public required string Monitor { get; init; }
    [JsonPropertyName("runs")] public List<ComparedRun> Runs { get; init; } = new();
    /// <summary>Key → value per run, only for keys whose values differ.</summary>
    [JsonPropertyName("config_diff")] public Dictionary<string, List<string?>> ConfigDiff { get; init; } = new();
    [JsonPropertyName("milestones")] public List<MilestoneRow> Milestones { get; init; } = new();
    /// <summary>The criteria that separate the runs; only these count in the verdict.</summary>
    [JsonPropertyName("criteria")] public List<Criterion> Criteria { get; init; } = new();
    /// <summary>Criteria left out because they do not separate these runs, each with the reason.</summary>
    [JsonPropertyName("not_counted")] public List<string> NotCounted { get; init; } = new();
    [JsonPropertyName("verdict")] public string Verdict { get; init; } = "";
}

public static class RunComparison
{
    static readonly string[] BestMark = { "BEST" };

    public static Comparison Compare(IReadOnlyList<TrainingLog> logs, string? metric = null,
        IReadOnlyList<int>? milestones = null)
    {
        if (logs.Count < 2) throw new RegimenException("compare needs at least two runs");
        metric ??= logs.All(l => l.Has(e => e.ValAccuracy)) ? "val_acc" : "val_loss";
        var views = logs.Select(l => new LogView(l, metric)).ToList();
        var runs = views.Select(Summarize).ToList();

        var keys = logs.SelectMany(l => l.Hyperparameters.Keys).Distinct().Order(StringComparer.Ordinal);
        var diff = new Dictionary<string, List<string?>>();
        foreach (var k in keys)
        {
            var values = logs.Select(l => l.Hyperparameters.TryGetValue(k, out var v) ? v : null).ToList();
            if (values.Distinct().Count() > 1 && k != "name" && k != "description") diff[k] = values;
        }

        int last = views.Max(v => v.LastEpoch);
        var epochs = milestones?.ToList() ?? DefaultMilestones(last);
        epochs.AddRange(logs.SelectMany(l => l.Events.Where(e => e.Kind == "schedule" && e.Key != "phase")
            .Select(e => e.Epoch)));
        epochs.AddRange(runs.Where(r => r.BestEpoch is not null).Select(r => r.BestEpoch!.Value));
        var rows = epochs.Where(e => e >= 0 && e <= last).Distinct().Order().Select(e => new MilestoneRow(e,
                views.Select(v => v.Values.Where(p => p.Epoch == e).Select(p => (double?)p.Value).FirstOrDefault())
                    .ToList(),
                logs.Select((l, i) => string.Join("; ",
                    l.Events.Where(x => x.Epoch == e && x.Kind == "schedule" && x.Key != "phase")
                        .Select(x => $"{x.Key} {x.From}→{x.To}")
                        .Concat(runs[i].BestEpoch == e ? BestMark : Array.Empty<string>()))).ToList()))
            .ToList();

        var criteria = new List<Criterion>();
        var notCounted = new List<string>();
        bool higher = views[0].HigherIsBetter;
        string Fmt(double v) => views[0].Format(v);
        // Two values are apart when they differ as shown (0.01 pt for accuracies, 0.0001 for losses).
        bool Apart(double a, double b) => higher ? Units.Points(a - b) != Units.Points(0) : Fmt(a) != Fmt(b);
        var withBest = runs.Where(r => r.Best is not null).ToList();
        if (withBest.Count >= 2)
        {
            var ordered = (higher ? withBest.OrderByDescending(r => r.Best) : withBest.OrderBy(r => r.Best)).ToList();
            double first = ordered[0].Best!.Value, second = ordered[1].Best!.Value;
            if (Apart(first, second))
                criteria.Add(new Criterion($"best {metric}", ordered[0].Run,
                    higher ? LogView.Points(first - second) : Fmt(Math.Abs(first - second))));
            else notCounted.Add($"best {metric}: {ordered[0].Run} and {ordered[1].Run} tie at {Fmt(first)}");
        }
        var withGap = runs.Where(r => r.FinalGap is not null).ToList();
        if (withGap.Count >= 2)
        {
            var ordered = withGap.OrderBy(r => Math.Max(0, r.FinalGap!.Value)).ThenBy(r => Math.Abs(r.FinalGap!.Value))
                .ToList();
            double first = ordered[0].FinalGap!.Value, second = ordered[1].FinalGap!.Value;
            if (Units.Points(first) != Units.Points(second))
                criteria.Add(new Criterion("generalization (smallest train-validation gap)", ordered[0].Run,
                    $"{Units.PointsMagnitude(second - first)} smaller gap ({Units.Points(first)} vs " +
                        $"{Units.Points(second)})"));
            else notCounted.Add($"generalization: {ordered[0].Run} and {ordered[1].Run} end with the same gap " +
                $"({Units.Points(first)})");
        }
        if (Stability(views, runs, Drop) is { } stability) criteria.Add(stability);
        else notCounted.Add(StabilityNotCounted(views, runs));

        return new Comparison
        {
            Monitor = metric, Runs = runs, ConfigDiff = diff, Milestones = rows, Criteria = criteria,
            NotCounted = notCounted,
            Verdict = Verdict(runs, criteria, higher, Fmt),
        };

        string Drop(ComparedRun r) => r.DropFromBest is { } d
            ? (higher ? LogView.Points(d).TrimStart('+') : $"{d * 100:0.#} %") : "n/a";
    }

    /// <summary>
    /// The shorter run must last at least this share of the longer one for stability to compare them.
    /// </summary>
    public const double ComparableLength = 0.75;

    static int Length(LogView v) => v.Values.Count;

    /// <summary>
    /// Stability counts only where it can say something: runs of comparable length (a 2-epoch run has not had the
    /// time to be unstable), at least one schedule change to be steady through, and a difference between the two.
    /// </summary>
    static Criterion? Stability(List<LogView> views, List<ComparedRun> runs, Func<ComparedRun, string> drop)
    {
        if (StabilityNotCounted(views, runs).Length > 0) return null;
        var steady = runs.OrderBy(r => r.ScheduleChanges).ThenBy(r => r.DropFromBest ?? 0)
            .ThenBy(r => r.Volatility ?? 0).ToList();
        return new Criterion("stability (fewer schedule changes, ends at its best)", steady[0].Run,
            $"{steady[0].ScheduleChanges} vs {steady[1].ScheduleChanges} schedule changes; " +
            $"drop from best {drop(steady[0])} vs {drop(steady[1])}");
    }

    static string StabilityNotCounted(List<LogView> views, List<ComparedRun> runs)
    {
        int shortest = views.Min(Length), longest = views.Max(Length);
        if (shortest < ComparableLength * longest)
            return $"stability: runs of {shortest} and {longest} epochs are not of comparable length";
        if (runs.All(r => r.ScheduleChanges == 0)) return "stability: no run changes its schedule";
        var steady = runs.OrderBy(r => r.ScheduleChanges).ThenBy(r => r.DropFromBest ?? 0).ToList();
        if (steady[0].ScheduleChanges == steady[1].ScheduleChanges &&
            Units.Points(steady[0].DropFromBest ?? 0) == Units.Points(steady[1].DropFromBest ?? 0))
            return $"stability: {steady[0].Run} and {steady[1].Run} have as many schedule changes and drops from " +
                $"their best";
        return "";
    }

    static ComparedRun Summarize(LogView v)
    {
        var lastThird = v.Values.Skip(v.Values.Count * 2 / 3).ToList();
        var changes = lastThird.Zip(lastThird.Skip(1), (a, b) => b.Value - a.Value).ToArray();
        var final = v.Log.Epochs.LastOrDefault();
        return new ComparedRun
        {
            Run = v.Log.Name,
            Final = v.Final?.Value,
            Best = v.Best?.Value,
            BestEpoch = v.Best?.Epoch,
            FinalTrainAccuracy = final?.TrainAccuracy,
            FinalGap = v.Gap.Count > 0 ? v.Gap[^1].Gap : null,
            Volatility = changes.Length >= 2 ? ExperimentSummary.Std(changes) : null,
            ScheduleChanges = v.Log.Events.Where(e => e.Kind == "schedule" && e.Key != "phase").Select(e => e.Epoch)
                .Distinct().Count(),
            DropFromBest = v.Best is { } b && v.Final is { } f ? v.Worse(f.Value, b.Value) : null,
            Test = v.Log.Test,
        };
    }

    static List<int> DefaultMilestones(int last)
    {
        var list = new List<int> { 0, 4, 9 };
        for (int e = 19; e <= last; e += 10) list.Add(e);
        list.Add(last);
        return list;
    }

    /// <summary>
    /// Seed 002's reasoning: the most accurate run wins outright when it also generalizes; when it pays for a few
    /// points of accuracy with a much larger gap (over 10 points more), the run that generalizes is the one to deploy.
    /// </summary>
    static string Verdict(List<ComparedRun> runs, List<Criterion> criteria, bool higher, Func<double, string> fmt)
    {
        var bestRun = criteria.FirstOrDefault(c => c.Name.StartsWith("best", StringComparison.Ordinal))?.Winner;
        var general = criteria.FirstOrDefault(c =>
            c.Name.StartsWith("generalization", StringComparison.Ordinal))?.Winner;
        if (bestRun is null)
            return runs.Count(r => r.Best is not null) < 2 ? "no two runs have the metric"
                : "No run scores better at its best" + (general is null ? "." : $"; {general} generalizes best.");
        if (general is null || general == bestRun)
            return $"{bestRun}: it scores best" +
                (general is null ? " (generalization could not be compared: no training accuracy)."
                : " and generalizes best.");
        var b = runs.First(r => r.Run == bestRun);
        var g = runs.First(r => r.Run == general);
        double gapCost = (b.FinalGap ?? 0) - (g.FinalGap ?? 0);
        double lead = b.Best!.Value - g.Best!.Value;
        return gapCost > 0.10
            ? $"For deployment: {general} ({LogView.Points(g.FinalGap ?? 0)} gap), although {bestRun} scores " +
              $"{(higher ? LogView.Points(lead).TrimStart('+') : fmt(Math.Abs(lead)))} better at its best: " +
              $"{bestRun} buys it with a {LogView.Points(gapCost).TrimStart('+')} larger train-validation gap " +
              $"(overfitting risk). For peak accuracy, research and benchmarks: {bestRun}."
            : $"{bestRun}: it scores best; {general} has a slightly smaller gap " +
                $"({LogView.Points(gapCost).TrimStart('+')}), within what the best score is worth.";
    }
}
