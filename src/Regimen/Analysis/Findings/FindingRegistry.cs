using System.Text;
using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// Every kind of finding, in the order they are detected (a kind sees the findings of those before it). A new
/// kind is one class and one line here; docs/analysis.md's tables are generated from this registry
/// (<see cref="Documentation"/>) and a test keeps them in step.
/// </summary>
internal static class FindingRegistry
{
    public static IReadOnlyList<FindingKind> All { get; } = new FindingKind[]
    {
        new Divergence(),
        new ScheduleShift(),
        new Overfitting(),
        new TrainValGap(),
        new NegativeGap(),
        new Degradation(),
        new EarlyPeak(),
        new Plateau(),
        new Oscillation(),
        new Underfitting(),
        new PrematureStop(),
        new MilestoneMissed(),
        new TargetGap(),
        new FoldSpread(),
        new HighLearningRate(),
        new Stalled(),
        new Crashed(),
    };

    static readonly Dictionary<string, FindingKind> ByName = All.ToDictionary(k => k.Name);

    /// <summary>The kind of a finding; every finding the analyst makes has a registered kind.</summary>
    public static FindingKind Get(string name) =>
        ByName.TryGetValue(name, out var kind) ? kind
            : throw new KeyNotFoundException($"no finding kind '{name}' is registered");

    public static bool IsRegistered(string name) => ByName.ContainsKey(name);

    /// <summary>
    /// docs/analysis.md's tables of finding kinds and recommendations, as generated from the registries.
    /// </summary>
    public static string Documentation()
    {
        var sb = new StringBuilder();
        var defaults = new AnalysisOptions();
        sb.AppendLine("| kind | when | minimum epochs | answered by |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var kind in All)
        {
            var answers = kind.Answers.Select(r => $"`{r.Id}`").ToList();
            string by = answers.Count == 0 ? "" : (kind.AnsweredSeverity is { } s ? $"({s} only) " : "") +
                string.Join(", ", answers);
            string scope = kind.InRuns ? kind.AcrossFolds ? " (runs and folds)" : "" : " (folds)";
            sb.AppendLine($"| `{kind.Name}` | {kind.Documentation} | {kind.MinimumEpochs(defaults)}{scope} | {by} |");
        }
        sb.AppendLine();
        sb.AppendLine("| id | answers | patch |");
        sb.AppendLine("|---|---|---|");
        foreach (var r in RecommendationRegistry.All)
        {
            var answered = All.Where(k => k.Answers.Contains(r))
                .Select(k => (k.AnsweredSeverity is { } s ? $"a {s} " : "") + $"`{k.Name}`");
            sb.AppendLine($"| `{r.Id}` | {string.Join(", ", answered)} | {r.PatchDocumentation} |");
        }
        return sb.ToString();
    }
}
