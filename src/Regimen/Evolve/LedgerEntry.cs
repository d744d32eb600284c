using System.Text.Json.Serialization;

namespace Regimen.Evolve;

/// <summary>
/// One line of ledger.jsonl: something that happened to a trial (created, interrupted, finished, failed, decided) or
/// to the loop (stopped). The ledger is append-only; a trial's state is the replay of its entries.
/// </summary>
public sealed record LedgerEntry
{
    [JsonPropertyName("time")] public DateTime Time { get; init; } = DateTime.UtcNow;
    /// <summary>created | interrupted | finished | failed | decided | stopped</summary>
    [JsonPropertyName("event")] public string Event { get; init; } = "";
    [JsonPropertyName("trial")] public string? Trial { get; init; }

    // created
    [JsonPropertyName("parent")] public string? Parent { get; init; }
    [JsonPropertyName("recipe")] public string? Recipe { get; init; }
    [JsonPropertyName("changes")] public List<RecipeChange>? Changes { get; init; }
    [JsonPropertyName("recommendation")] public string? Recommendation { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("findings")] public List<string>? Findings { get; init; }

    // finished
    [JsonPropertyName("score")] public double? Score { get; init; }
    [JsonPropertyName("spread")] public double? Spread { get; init; }
    [JsonPropertyName("scores")] public List<double>? Scores { get; init; }
    /// <summary>
    /// Validation images behind the score (the folds' sum, or the holdout's size): its binomial noise.
    /// </summary>
    [JsonPropertyName("validation_images")] public int? ValidationImages { get; init; }
    [JsonPropertyName("wall_seconds")] public double? WallSeconds { get; init; }

    // decided
    [JsonPropertyName("promoted")] public bool? Promoted { get; init; }
    [JsonPropertyName("against")] public string? Against { get; init; }
    [JsonPropertyName("gain")] public double? Gain { get; init; }
    [JsonPropertyName("noise")] public double? Noise { get; init; }

    // interrupted, failed, decided, stopped
    [JsonPropertyName("reason")] public string? Reason { get; init; }
}

/// <summary>
/// One key a child's recipe changes from its parent's: the recommendation's patch with the old value beside it.
/// </summary>
public sealed record RecipeChange(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string To);
