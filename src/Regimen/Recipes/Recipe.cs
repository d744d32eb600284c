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
    public ModelSection Model { get; set; } = new();
    public DataSection Data { get; set; } = new();
    public OptimizerSection Optimizer { get; set; } = new();
    public LrScheduleSection LrSchedule { get; set; } = new();
    public RegularizationSection Regularization { get; set; } = new();
    public AugmentSection Augment { get; set; } = new();
    public EvaluationSection Evaluation { get; set; } = new();
    public CheckpointSection Checkpoint { get; set; } = new();
    public List<Phase> Phases { get; set; } = new();
}

public sealed class ModelSection
{
    public string Name { get; set; } = "small_resnet";
    public int? Width { get; set; }
    public int? Depth { get; set; }
    public int? WidenFactor { get; set; }
    public double Dropout { get; set; }
    public double DropPath { get; set; }
}

public sealed class DataSection
{
    /// <summary>A built-in data set name (fashion-mnist, mnist).</summary>
    public string Dataset { get; set; } = "fashion-mnist";
    /// <summary>Folder with the data set's files; default: the data set's usual install place.</summary>
    public string? Path { get; set; }
    /// <summary>Where validation comes from: "test" (the data set's test split) or "holdout" (val_fraction of train).</summary>
    public string Validation { get; set; } = "test";
    public double ValFraction { get; set; } = 0.1;
    /// <summary>Train on the first N images only (quick experiments, tests); 0 = all.</summary>
    public int TrainLimit { get; set; }
    /// <summary>Validate on the first N images only; 0 = all.</summary>
    public int ValLimit { get; set; }
    /// <summary>Training resolution in pixels; 0 = the data set's own.</summary>
    public int Resolution { get; set; }
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
    /// <summary>constant, cosine, onecycle, step, multistep, cosine_restarts.</summary>
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
}

public sealed class RegularizationSection
{
    public double LabelSmoothing { get; set; }
}

public sealed class AugmentSection
{
    /// <summary>Whether training augmentations are on (a FixRes phase that turns them off is seed 001's mistake).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Random crop after zero padding by this many pixels; 0 = off.</summary>
    public int CropPadding { get; set; } = 2;
    /// <summary>Probability of a horizontal flip.</summary>
    public double Hflip { get; set; } = 0.5;
}

public sealed class EvaluationSection
{
    /// <summary>Also score the validation set with horizontal-flip TTA (averaged probabilities).</summary>
    public bool TtaFlip { get; set; }
    public int BatchSize { get; set; } = 500;
    /// <summary>Evaluation resolution in pixels; 0 = the data's resolution (data.resolution, else native).</summary>
    public int Resolution { get; set; }
    /// <summary>The metric that picks the best checkpoint: val_acc (max) or val_loss (min).</summary>
    public string Monitor { get; set; } = "val_acc";
}

public sealed class CheckpointSection
{
    public bool SaveBest { get; set; } = true;
    public bool SaveLast { get; set; } = true;
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
    public bool? Augment { get; set; }
    public double? LabelSmoothing { get; set; }
    public double? WeightDecay { get; set; }
    public double? Dropout { get; set; }
    public double? DropPath { get; set; }
}
