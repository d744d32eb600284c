using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// An exponential moving average of a model's weights (as timm's ModelEmaV2): after every optimizer step
/// ema = d·ema + (1-d)·weights, with d = min(decay, (1+t)/(10+t)) during warmup; buffers (BatchNorm
/// statistics) are copied. As the loop's hook it updates after every optimizer step and is evaluated beside the
/// raw model (val_loss_ema, val_acc_ema).
/// </summary>
public sealed class ModelEma : TrainingCallback, IDisposable
{
    readonly nn.Module<Tensor, Tensor> source;
    readonly double decay;
    readonly bool warmup;
    readonly List<(Tensor Ema, Tensor Source)> parameters = new();
    readonly List<(Tensor Ema, Tensor Source)> buffers = new();

    public ModelEma(nn.Module<Tensor, Tensor> source, nn.Module<Tensor, Tensor> copy, double decay, bool warmup)
    {
        this.source = source;
        Model = copy;
        this.decay = decay;
        this.warmup = warmup;
        var sourceParameters = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var (name, p) in copy.named_parameters())
        {
            p.requires_grad = false;
            parameters.Add((p, sourceParameters[name]));
        }
        var sourceBuffers = source.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in copy.named_buffers()) buffers.Add((b, sourceBuffers[name]));
        CopyAll();
        Model.eval();
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>
    /// The decay used at optimizer step <paramref name="step"/> (0-based, counted over the whole run).
    /// </summary>
    public double DecayAt(long step) => warmup ? Math.Min(decay, (1.0 + step) / (10.0 + step)) : decay;

    public override void AfterStep(TrainingContext context, TrainingStep step) =>
        Update(GradientAccumulation.StepIndex(step.Epoch, step.Batch, step.BatchCount,
            context.Setup.Recipe.Optimizer.AccumulationSteps));

    public override EpochResult AfterEvaluate(TrainingContext context, EpochResult result)
    {
        var setup = context.Setup;
        var ema = Evaluator.Evaluate(Model, setup.Validation, setup.Augment, setup.EvalResolution,
            setup.Recipe.Evaluation.BatchSize, flipTta: false);
        return result with { ValLossEma = ema.Loss, ValAccuracyEma = ema.Accuracy };
    }

    public void Update(long step)
    {
        double d = DecayAt(step);
        using var _ = no_grad();
        foreach (var (ema, p) in parameters) ema.mul_(d).add_(p, alpha: 1 - d);
        foreach (var (ema, b) in buffers) ema.copy_(b);
    }

    void CopyAll()
    {
        using var _ = no_grad();
        foreach (var (ema, p) in parameters) ema.copy_(p);
        foreach (var (ema, b) in buffers) ema.copy_(b);
    }

    public void Dispose() => Model.Dispose();
}
