using System.Text.Json.Serialization;

namespace Regimen.Recipes;

/// <summary>
/// A recipe: everything that defines a training, as plain data (YAML). Keys are the snake_case of these
/// property names; docs/recipes.md documents each one. Values that phases may change are nullable there.
/// </summary>
public sealed class Recipe
{
    public string Name { get; set; } = "recipe";
    public string? Description { get; set; }
    public int Epochs { get; set; } = 10;
    public int BatchSize { get; set; } = 128;
    public long Seed { get; set; }
    /// <summary>CPU threads for libtorch; 0 = one per core.</summary>
    public int Threads { get; set; }
    /// <summary>fp32 (the default) or bf16: bfloat16 forward and backward passes with fp32 master weights.</summary>
    public string Precision { get; set; } = "fp32";
    public ModelSection Model { get; set; } = new();
    public DataSection Data { get; set; } = new();
    public OptimizerSection Optimizer { get; set; } = new();
    public LrScheduleSection LrSchedule { get; set; } = new();
    public RegularizationSection Regularization { get; set; } = new();
    public AugmentSection Augment { get; set; } = new();
    public MixupSection Mixup { get; set; } = new();
    public EmaSection Ema { get; set; } = new();
    public EvaluationSection Evaluation { get; set; } = new();
    public CheckpointSection Checkpoint { get; set; } = new();
    public DivergenceSection Divergence { get; set; } = new();
    public EarlyStoppingSection EarlyStopping { get; set; } = new();
    public FinetuneSection Finetune { get; set; } = new();
    public List<Phase> Phases { get; set; } = new();
    /// <summary>
    /// Epochs added to a trained run by <c>train --resume RUN --extend N</c>, in order: each a learning-rate tail
    /// after the schedule as it was. Written by Regimen into the run's recipe.yaml, not by hand.
    /// </summary>
    public List<Extension> Extensions { get; set; } = new();

    /// <summary>
    /// The length the recipe's own schedules (lr_schedule, phases, warmup, milestones) span: the epochs it was
    /// planned with before any extension, else <see cref="Epochs"/>.
    /// </summary>
    public int ScheduledEpochs() => Extensions.Count > 0 ? Extensions[0].PlannedEpochs : Epochs;

    /// <summary>
    /// The resolution a model is evaluated at (validation, evaluate, predict, export): evaluation.resolution, else
    /// data.resolution, else <paramref name="nativeSize"/>, the images' own size.
    /// </summary>
    public int EvaluationResolution(int nativeSize) =>
        Evaluation.Resolution > 0 ? Evaluation.Resolution : Data.Resolution > 0 ? Data.Resolution : nativeSize;
}

public sealed class ModelSection
{
    public string Name { get; set; } = "small_resnet";
    public int? Width { get; set; }
    public int? Depth { get; set; }
    public int? WidenFactor { get; set; }
    public double Dropout { get; set; }
    public double DropPath { get; set; }
    /// <summary>
    /// Start from these weights: a Regimen checkpoint (.ckpt), a PyTorch state dict (.pt, .pth) or safetensors.
    /// </summary>
    public string? Pretrained { get; set; }
    /// <summary>Keep convolution weights and activations in NHWC (channels-last) layout, as timm's --channels-last:
    /// libtorch then runs its NHWC convolution and vectorized BatchNorm kernels and skips layout reorders. Applied
    /// where every convolution has at least 8 channels (MemoryLayout.Choose), NHWC being slower below; the results
    /// differ from NCHW's only by float rounding.</summary>
    public bool ChannelsLast { get; set; } = true;
}

/// <summary>
/// Fine-tuning: a head-only phase with the backbone frozen, then everything with separate rates (seed 004).
/// </summary>
public sealed class FinetuneSection
{
    /// <summary>Epochs at the start that train only the classifier head (fc).</summary>
    public int HeadEpochs { get; set; }
    /// <summary>The backbone's peak rate once unfrozen; default optimizer.lr (which is the head's).</summary>
    public double? BackboneLr { get; set; }
    /// <summary>Keep the backbone's BatchNorm statistics fixed while it is frozen.</summary>
    public bool FreezeBn { get; set; } = true;
}

public sealed class DataSection
{
    /// <summary>fashion-mnist, mnist, cifar10, cifar100, cifar100-coarse, imagefolder or csv.</summary>
    public string Dataset { get; set; } = "fashion-mnist";
    /// <summary>Folder with the data set's files; default: the data set's usual install place.</summary>
    public string? Path { get; set; }
    /// <summary>
    /// What picks the checkpoint and the early stop: "holdout" (val_fraction of each class of the training images,
    /// seeded; the test split is scored once, at the end) or "test" (the test split itself: its score is then
    /// optimistic, and the run says so).
    /// </summary>
    public string Validation { get; set; } = "holdout";
    public double ValFraction { get; set; } = 0.1;
    /// <summary>
    /// Threads that prepare batches ahead of the training loop: 0 = in the loop, 1 = one worker with bounded prefetch.
    /// </summary>
    public int Workers { get; set; } = 1;
    /// <summary>How many prepared batches the worker may hold ahead.</summary>
    public int Prefetch { get; set; } = 2;
    /// <summary>Stratified k-fold cross-validation over the training images (0 = off): one run per fold.</summary>
    public int Folds { get; set; }
    /// <summary>Train on the first N images only (quick experiments, tests); 0 = all.</summary>
    public int TrainLimit { get; set; }
    /// <summary>Validate on the first N images only; 0 = all.</summary>
    public int ValLimit { get; set; }
    /// <summary>Training resolution in pixels; 0 = the data set's own.</summary>
    public int Resolution { get; set; }
    /// <summary>
    /// imagefolder, csv: keep the decoded images in memory (auto: when they take less than half the memory), or decode
    /// batch by batch.
    /// </summary>
    public string Cache { get; set; } = "auto";
    /// <summary>
    /// imagefolder: images are decoded, resized (shorter side) and centre-cropped to this size once, at load.
    /// </summary>
    public int ImageSize { get; set; } = 64;
    /// <summary>
    /// csv: the training labels, a CSV of image,label (relative to data.path); images relative to images_dir.
    /// </summary>
    public string LabelsCsv { get; set; } = "train.csv";
    /// <summary>csv: an optional labelled test split in the same form.</summary>
    public string? TestCsv { get; set; }
    /// <summary>csv: the folder the image paths are relative to (relative to data.path); default data.path.</summary>
    public string? ImagesDir { get; set; }
    /// <summary>csv: the class names in label order; default the distinct labels of labels_csv, sorted.</summary>
    public List<string> Classes { get; set; } = new();
    /// <summary>imagefolder, csv: skip undecodable images (listed in the run's events) instead of failing.</summary>
    public bool SkipBadImages { get; set; }
}

public sealed class OptimizerSection
{
    /// <summary>sgd or adamw.</summary>
    public string Name { get; set; } = "sgd";
    public double Lr { get; set; } = 0.1;
    public double Momentum { get; set; } = 0.9;
    public bool Nesterov { get; set; } = true;
    public double WeightDecay { get; set; } = 5e-4;
    /// <summary>No weight decay on normalization weights and biases (as timm's filter_bias_and_bn).</summary>
    public bool NoDecayNormBias { get; set; } = true;
    public double Beta1 { get; set; } = 0.9;
    public double Beta2 { get; set; } = 0.999;
    public double Eps { get; set; } = 1e-8;
    /// <summary>Clip the gradient's global L2 norm to this value; 0 = off.</summary>
    public double ClipGradNorm { get; set; }
    /// <summary>Accumulate gradients over this many batches per optimizer step.</summary>
    public int AccumulationSteps { get; set; } = 1;
}

public sealed class LrScheduleSection
{
    /// <summary>constant, cosine, onecycle, step, multistep, cosine_restarts, plateau.</summary>
    public string Name { get; set; } = "cosine";
    /// <summary>Update the rate every optimizer step (true) or once per epoch.</summary>
    public bool PerStep { get; set; } = true;
    public double WarmupEpochs { get; set; }
    /// <summary>The rate the linear warmup starts from.</summary>
    public double WarmupStartLr { get; set; }
    /// <summary>The floor of cosine schedules.</summary>
    public double MinLr { get; set; }
    /// <summary>onecycle: the fraction of training spent rising to the peak.</summary>
    public double PctStart { get; set; } = 0.25;
    /// <summary>onecycle: start at lr / div_factor.</summary>
    public double DivFactor { get; set; } = 25;
    /// <summary>onecycle: end at lr / (div_factor * final_div_factor).</summary>
    public double FinalDivFactor { get; set; } = 1e4;
    /// <summary>step: epochs between decays; multistep: the epochs at which it decays.</summary>
    public int StepEpochs { get; set; } = 30;
    public List<int> Milestones { get; set; } = new();
    public double Gamma { get; set; } = 0.1;
    /// <summary>cosine_restarts: length of the first cycle in epochs, and its growth factor.</summary>
    public int T0 { get; set; } = 10;
    public int TMult { get; set; } = 1;
    /// <summary>
    /// plateau: epochs without improvement of evaluation.monitor before the rate is multiplied by gamma.
    /// </summary>
    public int Patience { get; set; } = 10;
    /// <summary>plateau: the relative improvement that counts (PyTorch's threshold, mode 'rel').</summary>
    public double Threshold { get; set; } = 1e-4;
}

public sealed class RegularizationSection
{
    public double LabelSmoothing { get; set; }
}

public sealed class AugmentSection
{
    /// <summary>
    /// Whether training augmentations are on. Off means the evaluation transform and no MixUp/CutMix (a FixRes phase
    /// that turns them off is seed 001's mistake).
    /// </summary>
    public bool Enabled { get; set; } = true;
    /// <summary>
    /// full, reduced (colour, dropout, erasing and blur at half probability) or minimal (crop and flip only), as seed
    /// 002's phases.
    /// </summary>
    public string Level { get; set; } = "full";
    /// <summary>
    /// Random crop after zero padding by this many pixels; 0 = off. Ignored when random_resized_crop is on.
    /// </summary>
    public int CropPadding { get; set; } = 2;
    public RandomResizedCropSection RandomResizedCrop { get; set; } = new();
    /// <summary>Probability of a horizontal flip.</summary>
    public double Hflip { get; set; } = 0.5;
    public ColorJitterSection ColorJitter { get; set; } = new();
    public CoarseDropoutSection CoarseDropout { get; set; } = new();
    public RandomErasingSection RandomErasing { get; set; } = new();
    public BlurSection Blur { get; set; } = new();
}

public sealed class RandomResizedCropSection
{
    public bool Enabled { get; set; }
    public double MinScale { get; set; } = 0.08;
    public double MaxScale { get; set; } = 1.0;
    public double MinRatio { get; set; } = 0.75;
    public double MaxRatio { get; set; } = 4.0 / 3;
}

public sealed class ColorJitterSection
{
    /// <summary>Probability that an image is jittered; 0 = off.</summary>
    public double P { get; set; }
    public double Brightness { get; set; } = 0.2;
    public double Contrast { get; set; } = 0.2;
    public double Saturation { get; set; } = 0.2;
    /// <summary>Hue shift in turns (0..0.5); colour images only.</summary>
    public double Hue { get; set; }
}

public sealed class CoarseDropoutSection
{
    public double P { get; set; }
    public int MinHoles { get; set; } = 1;
    public int MaxHoles { get; set; } = 1;
    /// <summary>The largest hole side as a fraction of the image side.</summary>
    public double MaxSize { get; set; } = 0.25;
}

public sealed class RandomErasingSection
{
    public double P { get; set; }
    public double MinArea { get; set; } = 0.02;
    public double MaxArea { get; set; } = 1.0 / 3;
    public double MinRatio { get; set; } = 0.3;
}

public sealed class BlurSection
{
    public double P { get; set; }
    /// <summary>gaussian or motion.</summary>
    public string Kind { get; set; } = "gaussian";
    public double MaxSigma { get; set; } = 1.5;
    public int MotionLength { get; set; } = 5;
}

/// <summary>MixUp and CutMix with timm's semantics.</summary>
public sealed class MixupSection
{
    public double MixupAlpha { get; set; }
    public double CutmixAlpha { get; set; }
    /// <summary>Probability that a batch is mixed at all.</summary>
    public double Prob { get; set; } = 1.0;
    /// <summary>With both alphas set, the probability of CutMix rather than MixUp.</summary>
    public double SwitchProb { get; set; } = 0.5;
}

/// <summary>An exponential moving average of the weights, evaluated beside the raw model.</summary>
public sealed class EmaSection
{
    public bool Enabled { get; set; }
    public double Decay { get; set; } = 0.999;
    /// <summary>
    /// Use min(decay, (1+t)/(10+t)) at optimizer step t, so early averages are not dominated by the random
    /// initialization.
    /// </summary>
    public bool Warmup { get; set; } = true;
}

public sealed class EvaluationSection
{
    /// <summary>Also score the validation set with test-time augmentation (val_acc_tta): horizontal flip...</summary>
    public bool TtaFlip { get; set; }
    /// <summary>... five crops (centre and corners at 87.5 % of the side, resized back) when 5; 0 = off ...</summary>
    public int TtaCrops { get; set; }
    /// <summary>
    /// ... and at this test resolution (FixRes: test higher than train); 0 = the evaluation resolution.
    /// </summary>
    public int TtaResolution { get; set; }
    public int BatchSize { get; set; } = 500;
    /// <summary>Evaluation resolution in pixels; 0 = the data's resolution (data.resolution, else native).</summary>
    public int Resolution { get; set; }
    /// <summary>
    /// The monitor: the metric that picks the best checkpoint, the summary's best value and what the plateau schedule
    /// watches; any recorded metric (val_acc, val_loss, val_acc_tta, val_acc_ema, ...), each with its own direction.
    /// </summary>
    public string Monitor { get; set; } = "val_acc";
}

/// <summary>Stop when a metric stops improving (Keras' EarlyStopping, Lightning's EarlyStopping).</summary>
public sealed class EarlyStoppingSection
{
    public bool Enabled { get; set; }
    /// <summary>val_acc, val_loss, val_acc_tta, val_acc_ema, val_loss_ema, val_top5, train_loss or train_acc.</summary>
    public string Monitor { get; set; } = "val_loss";
    /// <summary>auto: the monitor's own direction (losses fall, accuracies rise); max or min to say it.</summary>
    public string Mode { get; set; } = "auto";
    public int Patience { get; set; } = 5;
    public double MinDelta { get; set; }
    /// <summary>Never stop before this many epochs.</summary>
    public int MinEpochs { get; set; }
    /// <summary>End with the best epoch's weights.</summary>
    public bool RestoreBest { get; set; } = true;
}

/// <summary>What a NaN or infinite loss, or an exploding gradient, does to the run.</summary>
public sealed class DivergenceSection
{
    /// <summary>
    /// stop: end the run (exit code 4), keeping the last good checkpoint; rollback: reload last.ckpt and continue with
    /// a lower learning rate.
    /// </summary>
    public string Action { get; set; } = "stop";
    /// <summary>rollback: the learning rate is multiplied by this at each rollback, for the rest of the run.</summary>
    public double LrFactor { get; set; } = 0.5;
    /// <summary>rollback: after this many rollbacks a further divergence stops the run.</summary>
    public int MaxRollbacks { get; set; } = 3;
    /// <summary>A total gradient norm above this (before clipping) counts as a divergence; 0 = not checked.</summary>
    public double MaxGradNorm { get; set; }
}

public sealed class CheckpointSection
{
    public bool SaveBest { get; set; } = true;
    public bool SaveLast { get; set; } = true;
    /// <summary>
    /// Also save last.ckpt every N optimizer steps within an epoch (0 = at epoch ends only), so that a resume continues
    /// mid-epoch.
    /// </summary>
    public int EverySteps { get; set; }
}

/// <summary>
/// From <c>from_epoch</c> on (0-based), the values a phase sets replace the recipe's; values it leaves out stay
/// as they were. Phases are applied in order of <c>from_epoch</c>.
/// </summary>
public sealed class Phase
{
    public string? Name { get; set; }
    public int FromEpoch { get; set; }
    public int? Resolution { get; set; }
    /// <summary>Training augmentations on or off (off: evaluation transform, no MixUp/CutMix).</summary>
    public bool? Augment { get; set; }
    public string? AugmentLevel { get; set; }
    public double? MixupAlpha { get; set; }
    public double? CutmixAlpha { get; set; }
    public double? MixupProb { get; set; }
    public double? SwitchProb { get; set; }
    public double? LabelSmoothing { get; set; }
    public double? WeightDecay { get; set; }
    public double? Dropout { get; set; }
    public double? DropPath { get; set; }
    /// <summary>
    /// A new learning-rate schedule from this epoch on; its time starts at the phase (seed 002 switches warm restarts
    /// for cosine at epoch 61).
    /// </summary>
    public LrScheduleSection? LrSchedule { get; set; }
    /// <summary>The peak rate of the phase's schedule; default optimizer.lr.</summary>
    public double? Lr { get; set; }
    /// <summary>
    /// Reach the phase's numeric values linearly over this many epochs from from_epoch (FFCV ramps resolution 160 to
    /// 192 this way) instead of switching at once; 0 = switch.
    /// </summary>
    public int RampEpochs { get; set; }
    /// <summary>While ramping, resolutions are rounded to a multiple of this (FFCV: 32).</summary>
    public int ResolutionStep { get; set; } = 8;
}

/// <summary>
/// Epochs added to a run (<c>train --resume RUN --extend N</c>): from <c>from_epoch</c> (the seam) for
/// <c>epochs</c> epochs the learning rate follows a tail from <c>from_lr</c>, the rate of the last step before the
/// seam, down to <c>to_lr</c>; every other scheduled value stays as it was in the epoch before the first seam.
/// Stored as numbers so that the tail is a pure function of (epoch, step), the same in a resume and a simulation.
/// </summary>
public sealed class Extension
{
    /// <summary>The first epoch of the tail (0-based); the epochs before it keep the schedule they had.</summary>
    [JsonPropertyName("from_epoch")] public int FromEpoch { get; set; }
    [JsonPropertyName("epochs")] public int Epochs { get; set; }
    /// <summary>The recipe's epochs before this extension (what the schedules before the seam were made for).</summary>
    [JsonPropertyName("planned_epochs")] public int PlannedEpochs { get; set; }
    /// <summary>cosine or linear, from from_lr to to_lr over the tail's epochs.</summary>
    [JsonPropertyName("tail")] public string Tail { get; set; } = "cosine";
    [JsonPropertyName("from_lr")] public double FromLr { get; set; }
    [JsonPropertyName("to_lr")] public double ToLr { get; set; }
    /// <summary>Whether the tail's rate changes every step or once per epoch (as the schedule before it did).</summary>
    [JsonPropertyName("per_step")] public bool PerStep { get; set; } = true;

    public static readonly string[] Tails = { "cosine", "linear" };
}
