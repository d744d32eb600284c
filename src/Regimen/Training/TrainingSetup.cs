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
    public ImageDataset Validation { get; }
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
        var (trainSplit, validation) = Split(recipe, train, test);
        return CreateForSplit(recipe, trainSplit, validation);
    }

    /// <summary>
    /// Builds a setup over an explicit train/validation split (a cross-validation fold); takes ownership of both.
    /// </summary>
    public static TrainingSetup CreateForSplit(Recipe recipe, ImageDataset train, ImageDataset validation)
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
            Layout = layout,
        };
    }

    static nn.Module<Tensor, Tensor> WithLayout(nn.Module<Tensor, Tensor> model, LayoutChoice layout)
    {
        if (layout.ChannelsLast) MemoryLayout.ToChannelsLast(model);
        return model;
    }

    static (ImageDataset Train, ImageDataset Validation) Split(Recipe recipe, ImageDataset train, ImageDataset? test)
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
            var order = BatchLoader.Order(train.Count, recipe.Seed, -1);
            int valCount = Math.Max(1, (int)Math.Round(train.Count * recipe.Data.ValFraction));
            validation = train.Select(order[..valCount], train.Name + "/holdout");
            trainSplit = train.Select(order[valCount..].Order().ToArray(), train.Name + "/train");
            train.Dispose();
            test?.Dispose();
        }
        if (recipe.Data.TrainLimit > 0 && recipe.Data.TrainLimit < trainSplit.Count)
            trainSplit = trainSplit.TakeFirst(recipe.Data.TrainLimit);
        if (recipe.Data.ValLimit > 0 && recipe.Data.ValLimit < validation.Count)
            validation = validation.TakeFirst(recipe.Data.ValLimit);
        return (trainSplit, validation);
    }

    public void Dispose()
    {
        Ema?.Dispose();
        Precision?.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
        Train.Dispose();
        Validation.Dispose();
    }
}
