using Regimen.Augment;
using Regimen.Data;
using Regimen.Models;
using Regimen.Recipes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// Everything one training needs, built from a recipe: the data, the model, the optimizer and the schedules.
/// Building it is deterministic for the recipe's seed.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    TrainingSetup(Recipe recipe, ImageDataset train, ImageDataset validation, nn.Module<Tensor, Tensor> model,
        OptimizerHelper optimizer, IReadOnlyList<OptimizerGroup> groups, float[] mean, float[] std, ModelEma? ema,
        PretrainedReport? pretrained,
        MixedPrecision? precision)
    {
        Precision = precision;
        Pretrained = pretrained;
        Ema = ema;
        Recipe = recipe;
        Train = train;
        Validation = validation;
        Model = model;
        Optimizer = optimizer;
        Groups = groups;
        Mean = mean;
        Std = std;
        Augment = new BatchAugment(mean, std);
        Plan = new PhasePlan(recipe, train.Height);
    }

    public Recipe Recipe { get; }
    public ImageDataset Train { get; }
    /// <summary>What each epoch is scored on: what picks the best checkpoint and what early stopping watches.</summary>
    public ImageDataset Validation { get; }
    /// <summary>
    /// The test split, scored once when the training ends (TestScoring); with validation: test it is the
    /// validation split itself, and null when the data set has none or a fold's validation stands in for it.
    /// </summary>
    public ImageDataset? Test { get; private init; }
    /// <summary>Where <see cref="Validation"/> comes from: holdout (held out of the training images), test, or
    /// fold.</summary>
    public string ValidationSource { get; private init; } = "fold";
    /// <summary>Whether the checkpoint and the early stop are chosen on the test split (its score is then
    /// optimistic).</summary>
    public bool SelectsOnTest => ValidationSource == "test";

    /// <summary>What a recipe with validation: test is told, on the terminal and in summary.json.</summary>
    public const string TestSelectionWarning =
        "data.validation: test picks the best checkpoint and the early stop on the test split, so its test score is " +
        "optimistic (model selection on the test set); data.validation: holdout keeps the test split out of it";

    /// <summary>"54000 train / 6000 validation (held out) / 10000 test images": the sizes, named truthfully.</summary>
    public string SplitSizes => ValidationSource switch
    {
        "holdout" => $"{Train.Count} train / {Validation.Count} validation (held out) / " +
                     (Test is null ? "no test images" : $"{Test.Count} test images"),
        "test" => $"{Train.Count} train / {Validation.Count} validation (the test split) images",
        _ => $"{Train.Count} train / {Validation.Count} validation (the fold) images",
    };
    public nn.Module<Tensor, Tensor> Model { get; }
    public OptimizerHelper Optimizer { get; }
    /// <summary>The optimizer's parameter groups: head or backbone, with or without weight decay.</summary>
    public IReadOnlyList<OptimizerGroup> Groups { get; }
    /// <summary>Images the load skipped as undecodable (data.skip_bad_images), by name and reason.</summary>
    public IReadOnlyList<string> SkippedImages { get; private set; } = Array.Empty<string>();
    /// <summary>
    /// The learning rate's scale after divergence rollbacks (divergence.lr_factor each), and their count.
    /// </summary>
    public double LrScale { get; set; } = 1;
    public int Rollbacks { get; set; }
    /// <summary>What loading model.pretrained did, when the recipe fine-tunes.</summary>
    public PretrainedReport? Pretrained { get; }
    public float[] Mean { get; }
    public float[] Std { get; }
    public BatchAugment Augment { get; }
    public PhasePlan Plan { get; private set; }

    /// <summary>Lengthens the training by an extension (train --resume --extend) and plans its epochs again.</summary>
    public void Extend(Extension extension)
    {
        Recipe.Extensions.Add(extension);
        Recipe.Epochs = extension.FromEpoch + extension.Epochs;
        Plan = new PhasePlan(Recipe, Train.Height);
    }
    /// <summary>The bf16 compute copy of the model, when the recipe asks for precision: bf16.</summary>
    public MixedPrecision? Precision { get; }
    /// <summary>
    /// The memory layout the model runs in and why (model.channels_last, where it computes correctly).
    /// </summary>
    public LayoutChoice Layout { get; private init; } = new(false, "NCHW");
    public bool ChannelsLast => Layout.ChannelsLast;
    /// <summary>
    /// The model and the copy that computes for it (bf16): what trains, in train mode, with the epoch's dropout.
    /// </summary>
    public IEnumerable<nn.Module<Tensor, Tensor>> Replicas =>
        Precision is null ? new[] { Model } : new[] { Model, Precision.Compute };
    /// <summary>The moving average of the weights, when the recipe asks for one.</summary>
    public ModelEma? Ema { get; }
    public int BatchesPerEpoch => BatchLoader.BatchCount(Train.Count, Recipe.BatchSize,
        dropLast: Train.Count > Recipe.BatchSize);
    public int EvalResolution => Recipe.EvaluationResolution(Train.Height);
    /// <summary>
    /// evaluation.monitor: what picks the best checkpoint, the summary's best and final values, and what plateau
    /// watches.
    /// </summary>
    public Monitor Monitor => Monitor.Get(Recipe.Evaluation.Monitor);

    /// <summary>
    /// Loads the recipe's data (from <paramref name="dataDirectory"/> when given) and builds the rest.
    /// </summary>
    public static TrainingSetup Create(Recipe recipe, string? dataDirectory = null)
    {
        var loaded = DatasetLoader.Load(recipe.Data, dataDirectory);
        var setup = Create(recipe, loaded.Train, loaded.Test);
        setup.SkippedImages = loaded.Skipped;
        return setup;
    }

    /// <summary>Builds a setup over data already in memory; takes ownership of both data sets.</summary>
    public static TrainingSetup Create(Recipe recipe, ImageDataset train, ImageDataset? test)
    {
        var (trainSplit, validation, kept) = Split(recipe, train, test);
        try
        {
            return Build(recipe, trainSplit, validation, kept, recipe.Data.Validation);
        }
        catch
        {
            if (!ReferenceEquals(kept, validation)) kept?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds a setup over an explicit train/validation split (a cross-validation fold); takes ownership of both.
    /// </summary>
    public static TrainingSetup CreateForSplit(Recipe recipe, ImageDataset train, ImageDataset validation) =>
        Build(recipe, train, validation, test: null, validationSource: "fold");

    static TrainingSetup Build(Recipe recipe, ImageDataset train, ImageDataset validation, ImageDataset? test,
        string validationSource)
    {
        TorchRuntime.Configure(recipe.Threads);
        var (mean, std) = train.ChannelStatistics();
        manual_seed(Seeds.Derive(recipe.Seed, 0x1417));
        var options = new ModelOptions(train.Channels, train.ClassCount, recipe.Model.Width, recipe.Model.Depth,
            recipe.Model.WidenFactor, recipe.Model.Dropout, recipe.Model.DropPath);
        var model = ModelRegistry.Create(recipe.Model.Name, options);
        var pretrained = recipe.Model.Pretrained is { } path ? PretrainedWeights.Load(model, path) : null;
        var layout = MemoryLayout.Apply(model, train.Channels, recipe.Model.ChannelsLast);
        var (optimizer, groups) = OptimizerFactory.Create(model, recipe.Optimizer, recipe.Finetune);
        var ema = recipe.Ema.Enabled
            ? new ModelEma(model, WithLayout(ModelRegistry.Create(recipe.Model.Name, options), layout),
                recipe.Ema.Decay, recipe.Ema.Warmup)
            : null;
        var precision = recipe.Precision == "bf16"
            ? new MixedPrecision(model, ModelRegistry.Create(recipe.Model.Name, options)) : null;
        return new TrainingSetup(recipe, train, validation, model, optimizer, groups, mean, std, ema,
            pretrained, precision)
        {
            Layout = layout, Test = test, ValidationSource = validationSource,
        };
    }

    static nn.Module<Tensor, Tensor> WithLayout(nn.Module<Tensor, Tensor> model, LayoutChoice layout)
    {
        if (layout.ChannelsLast) MemoryLayout.ToChannelsLast(model);
        return model;
    }

    /// <summary>
    /// The training, validation and test splits. holdout: data.val_fraction of each class of the training images,
    /// seeded with the recipe's seed (the same split for every run with that seed), the test split kept apart for
    /// the end; test: the test split validates (and is the test).
    /// </summary>
    static (ImageDataset Train, ImageDataset Validation, ImageDataset? Test) Split(Recipe recipe, ImageDataset train,
        ImageDataset? test)
    {
        if (test is null && recipe.Data.Validation == "test")
        {
            train.Dispose();
            throw new RegimenException("data.validation: the data set has no test split (no val/ or test/ folder); " +
                "use validation: holdout");
        }
        ImageDataset trainSplit = train, validation = test!;
        if (recipe.Data.Validation == "holdout")
        {
            var (kept, heldOut) = Splits.StratifiedHoldout(train.LabelArray(), recipe.Data.ValFraction, recipe.Seed);
            if (kept.Length == 0 || heldOut.Length == 0)
            {
                int count = train.Count;
                train.Dispose();
                test?.Dispose();
                throw new RegimenException($"data.validation: holdout: {count} training image(s) cannot be split " +
                                           "into a training and a validation part");
            }
            validation = train.Select(heldOut, train.Name + "/holdout");
            trainSplit = train.Select(kept, train.Name + "/train");
            train.Dispose();
        }
        if (recipe.Data.TrainLimit > 0 && recipe.Data.TrainLimit < trainSplit.Count)
            trainSplit = trainSplit.TakeFirst(recipe.Data.TrainLimit);
        if (recipe.Data.ValLimit > 0 && recipe.Data.ValLimit < validation.Count)
            validation = validation.TakeFirst(recipe.Data.ValLimit);
        return (trainSplit, validation, recipe.Data.Validation == "holdout" ? test : validation);
    }

    public void Dispose()
    {
        Ema?.Dispose();
        Precision?.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
        Train.Dispose();
        Validation.Dispose();
        if (!ReferenceEquals(Test, Validation)) Test?.Dispose();
    }
}
