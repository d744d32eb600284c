using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>Raised when the loss becomes NaN or infinite: the run stops and keeps its last good checkpoint.</summary>
public sealed class TrainingDivergedException : RegimenException
{
    public TrainingDivergedException(int epoch, int batch, string what)
        : base($"Training diverged: {what} at epoch {epoch}, batch {batch}. The last good checkpoint is kept; " +
               "lower optimizer.lr, set optimizer.clip_grad_norm, or set divergence.action: rollback.",
            ExitCodes.Diverged)
    {
        Epoch = epoch;
        Batch = batch;
        What = what;
    }

    public int Epoch { get; }
    public int Batch { get; }
    /// <summary>What blew up: "loss NaN", "gradient norm 1.2E+07 above divergence.max_grad_norm 1000".</summary>
    public string What { get; }
}

/// <summary>
/// Divergence checks: a NaN or infinite loss (before backward, so that it never reaches the weights) and, with
/// divergence.max_grad_norm, a gradient norm above it (before the step) raise <see cref="TrainingDivergedException"/>;
/// the run then stops, or with divergence.action: rollback goes back to its last good checkpoint (the session's part).
/// </summary>
public sealed class DivergenceCheck(double maxGradNorm) : TrainingCallback
{
    public override void BeforeBackward(TrainingContext context, TrainingStep step)
    {
        if (double.IsNaN(step.LossValue) || double.IsInfinity(step.LossValue))
            throw new TrainingDivergedException(step.Epoch, step.Batch, $"loss {step.LossValue}");
    }

    public override void BeforeStep(TrainingContext context, TrainingStep step)
    {
        if (maxGradNorm <= 0) return;
        // Measured by clipping (when that hook ran first) or here: an infinite max_norm measures without clipping.
        double norm = step.GradNorm ??=
            nn.utils.clip_grad_norm_(context.Setup.Model.parameters(), double.PositiveInfinity);
        if (!(norm <= maxGradNorm))
            throw new TrainingDivergedException(step.Epoch, step.Batch,
                $"gradient norm {norm:G3} above divergence.max_grad_norm {maxGradNorm:G3}");
    }
}
