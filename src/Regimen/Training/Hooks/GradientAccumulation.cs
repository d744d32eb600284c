namespace Regimen.Training;

/// <summary>
/// optimizer.accumulation_steps: the gradients of N batches add up before one optimizer step (each batch's loss
/// divided by N, so the step sees their mean); the epoch's last batch always steps.
/// </summary>
public sealed class GradientAccumulation(int steps) : TrainingCallback
{
    public int Steps { get; } = steps;

    public override void BeforeBackward(TrainingContext context, TrainingStep step) => step.Loss = step.Loss / Steps;

    public override void BeforeStep(TrainingContext context, TrainingStep step) =>
        step.SkipStep = (step.Batch + 1) % Steps != 0 && !step.IsLastBatch;

    /// <summary>
    /// The optimizer step counted over the whole run, a function of (epoch, batch) so that resume continues it.
    /// </summary>
    public static long StepIndex(int epoch, int batch, int batchCount, int steps)
    {
        long perEpoch = (batchCount + steps - 1) / steps;
        return epoch * perEpoch + batch / steps;
    }
}
