namespace Regimen.Runs;

/// <summary>
/// One epoch of any tool's log, in one shape. Accuracies are fractions (0-1); a value the tool did not
/// record is null, and the analyst then says that it could not check what needs it.
/// </summary>
public sealed record LogEpoch
{
    public int Epoch { get; init; }
    public double? TrainLoss { get; init; }
    public double? TrainAccuracy { get; init; }
    public double? ValLoss { get; init; }
    public double? ValAccuracy { get; init; }
    public double? ValTop5 { get; init; }
    public double? LearningRate { get; init; }
    public double? Resolution { get; init; }
    public string? Phase { get; init; }
}

/// <summary>Something that changed at an epoch: a schedule change, an early stop, a checkpoint.</summary>
public sealed record LogEvent(int Epoch, string Kind, string? Key, string? From, string? To, string? Message);

/// <summary>
/// A training run as the analyst sees it, whichever tool wrote it: per-epoch series, hyperparameters, events
/// and what the format could not record.
/// </summary>
public sealed record TrainingLog
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    /// <summary>regimen, timm, lightning, keras, huggingface, tensorboard, ffcv, csv.</summary>
    public required string Format { get; init; }
    public List<LogEpoch> Epochs { get; init; } = new();
    public Dictionary<string, string> Hyperparameters { get; init; } = new();
    public List<LogEvent> Events { get; init; } = new();
    /// <summary>Epochs the run was meant to train, when the log says (early stopping is judged against it).</summary>
    public int? PlannedEpochs { get; init; }
    /// <summary>Notes on the format: what it lacks, what its columns mean (timm's eval columns are the EMA model's with EMA).</summary>
    public List<string> Notes { get; init; } = new();
    /// <summary>The fold this run is, in a cross-validation experiment.</summary>
    public int? Fold { get; init; }

    public bool Has(Func<LogEpoch, double?> series) => Epochs.Any(e => series(e) is not null);

    public IEnumerable<(int Epoch, double Value)> Series(Func<LogEpoch, double?> series) =>
        Epochs.Where(e => series(e) is { } v && double.IsFinite(v)).Select(e => (e.Epoch, series(e)!.Value));
}
