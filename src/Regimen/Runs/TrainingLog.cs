namespace Regimen.Runs;

/// <summary>
/// One epoch of any tool's log, in one shape. Accuracies are fractions (0-1); a value the tool did not
/// record is null, and the analyst then says that it could not check what needs it.
/// </summary>
public sealed record LogEpoch
{
    /// <summary>
    /// What the fields hold where the log has no value: a NaN with a payload of its own, never the NaN that a
    /// diverged run logs or that arithmetic makes. Doubles with this marker take half the memory of double? fields,
    /// which a log of 10^6 epochs feels where fresh memory is slow to touch (bench/RESULTS.md, analyst).
    /// </summary>
    public static readonly double Missing = BitConverter.Int64BitsToDouble(MissingBits);

    public static bool IsMissing(double value) => BitConverter.DoubleToInt64Bits(value) == MissingBits;

    /// <summary>The value, or null for <see cref="Missing"/>.</summary>
    public static double? Value(double stored) => IsMissing(stored) ? null : stored;

    const long MissingBits = 0x7FF8_0000_0DEA_D5E7;
    double trainLoss = Missing, trainAccuracy = Missing, valLoss = Missing, valAccuracy = Missing, valTop5 = Missing,
        learningRate = Missing, resolution = Missing;

    public int Epoch { get; init; }
    public double? TrainLoss { get => Value(trainLoss); init => trainLoss = value ?? Missing; }
    public double? TrainAccuracy { get => Value(trainAccuracy); init => trainAccuracy = value ?? Missing; }
    public double? ValLoss { get => Value(valLoss); init => valLoss = value ?? Missing; }
    public double? ValAccuracy { get => Value(valAccuracy); init => valAccuracy = value ?? Missing; }
    public double? ValTop5 { get => Value(valTop5); init => valTop5 = value ?? Missing; }
    public double? LearningRate { get => Value(learningRate); init => learningRate = value ?? Missing; }
    public double? Resolution { get => Value(resolution); init => resolution = value ?? Missing; }
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

    /// <summary>(epoch, value) for every epoch where the series has a finite value; sized once, as analyzing a log of
    /// 10^6 epochs builds several.</summary>
    public List<(int Epoch, double Value)> Series(Func<LogEpoch, double?> series)
    {
        var points = new List<(int Epoch, double Value)>(Epochs.Count);
        foreach (var e in Epochs)
            if (series(e) is { } v && double.IsFinite(v)) points.Add((e.Epoch, v));
        return points;
    }
}
