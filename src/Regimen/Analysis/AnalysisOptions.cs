namespace Regimen.Analysis;

/// <summary>
/// The analyst's thresholds, documented in docs/analysis.md; every one can be set on the command line.
/// </summary>
/// <summary>What <see cref="NoiseModel.InferValidationSize(IEnumerable{double})"/> gave (Size null: no size
/// fits).</summary>
internal readonly record struct InferredSize(int? Size);

public sealed record AnalysisOptions
{
    /// <summary>val_acc or val_loss; default: val_acc when the log has it, else val_loss.</summary>
    public string? Monitor { get; init; }
    /// <summary>
    /// A train-validation accuracy gap above this is overfitting (warning); above GapCritical, critical.
    /// </summary>
    public double GapWarning { get; init; } = 0.05;
    public double GapCritical { get; init; } = 0.10;
    /// <summary>Validation above training by more than this (mean over the last third) is a negative gap.</summary>
    public double NegativeGap { get; init; } = 0.01;
    /// <summary>
    /// Plateau: the best value improves by less than PlateauDelta (absolute; relative for losses) over PlateauEpochs.
    /// </summary>
    public int PlateauEpochs { get; init; } = 5;
    public double PlateauDelta { get; init; } = 0.002;
    /// <summary>
    /// Degradation: the final value is worse than the best by more than this (absolute for accuracy, relative for
    /// loss).
    /// </summary>
    public double DegradationDelta { get; init; } = 0.01;
    /// <summary>
    /// An early peak: the best epoch lies in this first fraction of the run, followed by degradation.
    /// </summary>
    public double EarlyPeakFraction { get; init; } = 0.5;
    /// <summary>A schedule change shifts the gap when it moves by more than this within ShiftWindow epochs.</summary>
    public double ShiftGap { get; init; } = 0.03;
    public int ShiftWindow { get; init; } = 3;
    /// <summary>A training loss above this multiple of its running minimum is a divergence.</summary>
    public double DivergenceFactor { get; init; } = 3.0;
    /// <summary>
    /// A peak learning rate above this multiple of the linear-scaling reference (SGD 0.1 per 256, Adam 1e-3 per 512) is
    /// reported.
    /// </summary>
    public double HighLrFactor { get; init; } = 10;
    /// <summary>Folds whose best values spread (std) more than this are reported.</summary>
    public double FoldSpread { get; init; } = 0.01;
    /// <summary>A target score for the metric (seed 004's gold, seed 000's 75 %).</summary>
    public double? Target { get; init; }
    /// <summary>Milestones to hit: epoch → minimum value of the metric (seed 000's checkpoints).</summary>
    public Dictionary<int, double> Milestones { get; init; } = new();
    /// <summary>
    /// An effect must be this many standard errors of its noise for a warning (docs/analysis.md, "Noise").
    /// </summary>
    public double WarningSe { get; init; } = 2.5;
    /// <summary>An effect must be this many standard errors of its noise for a critical finding.</summary>
    public double CriticalSe { get; init; } = 4;
    /// <summary>
    /// Validation images per accuracy, for a log that does not say (<c>--val-size</c>): the binomial noise.
    /// </summary>
    public int? ValidationSize { get; init; }
    /// <summary>
    /// The validation size inferred already from the whole run's accuracies, where the log judged is part of the
    /// run (the live analyst's bounded view): used instead of inferring it again from that part. Null: infer.
    /// </summary>
    internal InferredSize? InferredValidationSize { get; init; }
    /// <summary>The number of classes, for a log that does not say (<c>--classes</c>): chance is 1/classes.</summary>
    public int? Classes { get; init; }
}
