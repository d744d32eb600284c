using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// One training batch as the hooks see and change it. Tensors live in the batch's dispose scope: a hook that
/// keeps one beyond the batch must DetachFromDisposeScope() it.
/// </summary>
public sealed class TrainingStep
{
    Tensor? logits, loss;

    internal TrainingStep(int epoch, int batch, int batchCount, EpochSettings settings, Tensor input, Tensor labels,
        Func<Tensor, Tensor> forward)
    {
        Epoch = epoch;
        Batch = batch;
        BatchCount = batchCount;
        Settings = settings;
        Input = input;
        Labels = labels;
        Forward = forward;
    }

    public int Epoch { get; }
    /// <summary>The batch's index in its epoch, from 0.</summary>
    public int Batch { get; }
    public int BatchCount { get; }
    public bool IsLastBatch => Batch == BatchCount - 1;
    /// <summary>The epoch's scheduled values (augmentation, mixing, label smoothing...).</summary>
    public EpochSettings Settings { get; }
    /// <summary>The augmented, normalized images the model gets.</summary>
    public Tensor Input { get; set; }
    /// <summary>The batch's own labels: accuracy is measured against them, also for mixed batches.</summary>
    public Tensor Labels { get; }
    /// <summary>
    /// Soft targets (MixUp, CutMix); when set, the loss is the soft-target cross-entropy instead of the labels'.
    /// </summary>
    public Tensor? SoftTarget { get; set; }
    /// <summary>The forward pass: the model's own, or another a hook sets (bf16 computes on its copy).</summary>
    public Func<Tensor, Tensor> Forward { get; set; }
    /// <summary>
    /// The rate the optimizer gets for this batch (the schedule's, times the divergence rollbacks' scale).
    /// </summary>
    public double LearningRate { get; internal set; }
    public Tensor Logits { get => logits ?? throw NotYet(nameof(Logits)); internal set => logits = value; }
    public Tensor Loss { get => loss ?? throw NotYet(nameof(Loss)); set => loss = value; }
    /// <summary>
    /// The loss as recorded in the metrics: read once after <see cref="TrainingCallback.AfterLoss"/>.
    /// </summary>
    public double LossValue { get; internal set; }
    /// <summary>
    /// Set in BeforeStep to take no optimizer step at this batch (the gradients stay for the next one).
    /// </summary>
    public bool SkipStep { get; set; }
    /// <summary>The gradients' global L2 norm before clipping, once a hook measured it this step.</summary>
    public double? GradNorm { get; set; }

    static InvalidOperationException NotYet(string what) => new($"{what} is not known before the forward pass");
}
