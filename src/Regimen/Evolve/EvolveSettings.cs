using System.Text.Json;
using System.Text.Json.Serialization;
using Regimen.Recipes;

namespace Regimen.Evolve;

/// <summary>
/// How trials are trained and judged (evolve.json in the workspace). What decides a score (metric, score,
/// folds, seeds, data) is fixed when the workspace is created; budget, target, parallel and min_gain may change
/// when the loop is started again.
/// </summary>
public sealed record EvolveSettings
{
    /// <summary>
    /// The monitored metric trials are scored on: val_acc (higher is better) or val_loss (lower is better).
    /// </summary>
    [JsonPropertyName("monitor")] public string Monitor { get; init; } = "val_acc";
    /// <summary>
    /// What evolve.json called <see cref="Monitor"/> before it had the recipe's name: read, never written.
    /// </summary>
    [JsonPropertyName("metric"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LegacyMetric { get => null; init { if (value is not null) Monitor = value; } }
    /// <summary>final: the metric at the last epoch (what the run delivers); best: its best epoch.</summary>
    [JsonPropertyName("score")] public string Score { get; init; } = "final";
    /// <summary>K &gt; 1: every trial is a K-fold cross-validation and the folds are its replicas.</summary>
    [JsonPropertyName("folds")] public int Folds { get; init; }
    /// <summary>
    /// Without folds: every trial trains this many seeds (recipe seed, +1, ...) and they are its replicas.
    /// </summary>
    [JsonPropertyName("seeds")] public int Seeds { get; init; } = 2;
    [JsonPropertyName("data")] public string? Data { get; init; }
    /// <summary>Child trials to train, the baseline not counted.</summary>
    [JsonPropertyName("budget")] public int Budget { get; init; } = 4;
    [JsonPropertyName("target")] public double? Target { get; init; }
    /// <summary>Trial processes at once.</summary>
    [JsonPropertyName("parallel")] public int Parallel { get; init; } = 1;
    /// <summary>The least gain that can promote, whatever the noise.</summary>
    [JsonPropertyName("min_gain")] public double MinGain { get; init; }

    [JsonIgnore] public bool HigherIsBetter => Training.Monitor.Named(Monitor).HigherIsBetter;
    /// <summary>Launcher jobs a trial takes: one cross-validation, or one run per seed.</summary>
    [JsonIgnore] public int JobsPerTrial => Folds > 1 ? 1 : Seeds;

    /// <summary>
    /// Checks the settings, and that runs of the baseline record the monitored metric (trials are Regimen runs:
    /// any metric metrics.csv records, val_acc, val_loss, val_top5, train_loss... val_acc_ema with EMA on).
    /// </summary>
    public void Validate(Recipe baseline)
    {
        if (Training.Monitor.Check(Monitor) is { } unknown)
            throw new RegimenException($"--monitor {Monitor}: {unknown}");
        if (RecipeValidator.Unrecorded(baseline, Monitor) is { } why)
            throw new RegimenException($"--monitor {Monitor}: {why} in the baseline recipe");
        if (Score is not ("final" or "best")) throw new RegimenException($"--score {Score}: expected final or best");
        if (Folds is 1 or < 0) throw new RegimenException($"--folds {Folds}: expected 2 or more (or none)");
        if (Seeds < 1) throw new RegimenException($"--seeds {Seeds}: expected 1 or more");
        if (Budget < 0) throw new RegimenException($"--budget {Budget}: expected 0 or more");
        if (Parallel < 1) throw new RegimenException($"--parallel {Parallel}: expected 1 or more");
        if (MinGain < 0) throw new RegimenException($"--min-gain {MinGain}: expected 0 or more");
    }

    /// <summary>
    /// Refuses to continue a workspace with settings that would change how its finished trials were scored.
    /// </summary>
    public void CheckCompatible(EvolveSettings saved, string file)
    {
        void Same<T>(string key, T now, T before)
        {
            if (!EqualityComparer<T>.Default.Equals(now, before))
                throw new RegimenException($"{file}: '{key}' is {before} in this workspace, not {now}: its trials " +
                    $"were scored that way. Use another --workspace.");
        }
        Same("monitor", Monitor, saved.Monitor);
        Same("score", Score, saved.Score);
        Same("folds", Folds, saved.Folds);
        Same("seeds", Seeds, saved.Seeds);
    }

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static EvolveSettings Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<EvolveSettings>(File.ReadAllText(path)) ??
                throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new RegimenException($"{path}: not evolve settings ({e.Message})");
        }
    }
}
