using System.Text.Json.Serialization;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Something the analyst found in a run, backed by the numbers it rests on. Its kind is the stable name of one of
/// the classes in <see cref="Findings.FindingRegistry"/> (docs/analysis.md lists them).
/// </summary>
public sealed record Finding
{
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    /// <summary>info, warning or critical.</summary>
    [JsonPropertyName("severity")] public required string Severity { get; init; }
    [JsonPropertyName("run")] public string Run { get; init; } = "";
    [JsonPropertyName("first_epoch")] public int? FirstEpoch { get; init; }
    [JsonPropertyName("last_epoch")] public int? LastEpoch { get; init; }
    [JsonPropertyName("summary")] public required string Summary { get; init; }
    /// <summary>The numbers the finding rests on, by name (accuracies as fractions).</summary>
    [JsonPropertyName("evidence")] public Dictionary<string, double> Evidence { get; init; } = new();
    /// <summary>
    /// The noise the effect was judged against and how many standard errors it is, e.g. "3.2 points = 1.2 SE of
    /// 2.7 points (binomial on 500 validation images)"; null for findings that are not a measured effect.
    /// </summary>
    [JsonPropertyName("noise")] public string? Noise { get; init; }
    /// <summary>
    /// 0-1: how sure the analyst is (longer and larger effects, and more series available, raise it).
    /// </summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
    /// <summary>The ids of the recommendations that answer it.</summary>
    [JsonPropertyName("recommendations")] public List<string> Recommendations { get; init; } = new();
}

/// <summary>
/// A concrete change to try, tied to the findings it answers: a recipe patch for Regimen runs
/// (<c>regimen recipes patch</c> applies it), the other tool's own terms for foreign logs, where the idea comes
/// from, and what evidence would confirm it. It never promises a gain.
/// </summary>
public sealed record Recommendation
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("why")] public required string Why { get; init; }
    [JsonPropertyName("findings")] public List<string> Findings { get; init; } = new();
    /// <summary>Recipe key path → new value (YAML scalar), for Regimen recipes.</summary>
    [JsonPropertyName("patch")] public Dictionary<string, string> Patch { get; init; } = new();
    /// <summary>The same advice for timm, Keras, Lightning or Hugging Face users.</summary>
    [JsonPropertyName("foreign")] public Dictionary<string, string> Foreign { get; init; } = new();
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    [JsonPropertyName("confirm")] public string Confirm { get; init; } = "";
}

/// <summary>The analysis of one run (or of an experiment's folds together).</summary>
public sealed record RunAnalysis
{
    [JsonPropertyName("run")] public required string Run { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("format")] public required string Format { get; init; }
    /// <summary>The reader that read the log, where each role came from ("val_acc ← metrics/accuracy_top1") and the
    /// roles the log does not have.</summary>
    [JsonPropertyName("reader")] public string Reader { get; init; } = "";
    [JsonPropertyName("columns")] public List<string> Columns { get; init; } = new();
    [JsonPropertyName("not_found")] public List<string> NotFound { get; init; } = new();
    [JsonPropertyName("epochs")] public int Epochs { get; init; }
    [JsonPropertyName("monitor")] public string Monitor { get; init; } = "val_acc";
    [JsonPropertyName("best_epoch")] public int? BestEpoch { get; init; }
    [JsonPropertyName("best_value")] public double? BestValue { get; init; }
    [JsonPropertyName("final_value")] public double? FinalValue { get; init; }
    [JsonPropertyName("final_gap")] public double? FinalGap { get; init; }
    /// <summary>A Regimen run's test split, scored once at the end: final and best-on-validation weights.</summary>
    [JsonPropertyName("test")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TestScores? Test { get; init; }
    [JsonPropertyName("findings")] public List<Finding> Findings { get; init; } = new();
    [JsonPropertyName("recommendations")] public List<Recommendation> Recommendations { get; init; } = new();
    /// <summary>Checks that could not run because the format lacks a series; said instead of guessed.</summary>
    [JsonPropertyName("unchecked")] public List<string> Unchecked { get; init; } = new();
    [JsonPropertyName("notes")] public List<string> Notes { get; init; } = new();
    [JsonPropertyName("healthy")] public bool Healthy => Findings.All(f => f.Severity == Analysis.Severity.Info);
}
