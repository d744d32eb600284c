using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

/// <summary>
/// The seeds' recipes, built in: they load, their schedules fire at the seeds' epochs, and each trains at a tiny size.
/// </summary>
public class BuiltinRecipeTests
{
    static List<ScheduleChange> Changes(string name) =>
        ScheduleSimulation.Run(RecipeLoader.Load(name), 10,
            ScheduleSimulation.NativeResolution(RecipeLoader.Load(name)))
            .SelectMany(e => e.Changes).Where(c => c.Key != "phase").ToList();

    [Fact]
    public void FixResV1TurnsAugmentationsOffAt256PixelsFromEpoch50()
    {
        var changes = Changes("imagenet-resnet50-fixres-v1");
        Assert.Equal(new[] { (10, "resolution", "128", "224"), (50, "resolution", "224", "256"),
            (50, "augment", "on", "off") },
            changes.Select(c => (c.Epoch, c.Key, c.From, c.To)));
        var r = RecipeLoader.Load("imagenet-resnet50-fixres-v1");
        Assert.Equal(1e-4, r.Optimizer.WeightDecay);
        Assert.Equal(0.2, r.Mixup.MixupAlpha);
        Assert.Equal(0, r.Mixup.CutmixAlpha);
    }

    [Fact]
    public void FixResV2KeepsTrainingAugmentationsAndStrongerRegularization()
    {
        var changes = Changes("imagenet-resnet50-fixres-v2");
        Assert.Equal(new[] { (15, "resolution", "160", "224"), (45, "resolution", "224", "256") },
            changes.Select(c => (c.Epoch, c.Key, c.From, c.To)));
        var r = RecipeLoader.Load("imagenet-resnet50-fixres-v2");
        var plan = new PhasePlan(r, 288);
        Assert.All(Enumerable.Range(0, r.Epochs), e => Assert.True(plan.At(e).Augment));
        Assert.Equal(5e-4, r.Optimizer.WeightDecay);
        Assert.Equal((0.4, 1.0, 0.5), (r.Mixup.MixupAlpha, r.Mixup.CutmixAlpha, r.Mixup.SwitchProb));
        Assert.Equal(0.7, r.Augment.ColorJitter.P);
        Assert.Equal((1, 3, 0.3, 0.7), (r.Augment.CoarseDropout.MinHoles, r.Augment.CoarseDropout.MaxHoles,
            r.Augment.CoarseDropout.MaxSize, r.Augment.CoarseDropout.P));
        Assert.Equal(0.2, r.Augment.Blur.P);
    }

    [Fact]
    public void ProgressiveCifarSessionChangesAtTheSeedsEpochs()
    {
        // Seed 002 counts epochs from 1: its transitions at 41, 51, 61, 71 and 81 are 0-based 40, 50, 60, 70, 80.
        var changes = Changes("cifar100-wrn28-10-progressive");
        Assert.Equal(new[] { 40, 50, 60, 70, 80 }, changes.Select(c => c.Epoch).Distinct());
        Assert.Contains(changes, c => c is { Epoch: 40, Key: "augment_level", From: "full", To: "reduced" });
        Assert.Contains(changes, c => c is { Epoch: 40, Key: "mixup_alpha", From: "0.2", To: "0.15" });
        Assert.Contains(changes, c => c is { Epoch: 50, Key: "dropout", From: "0.3", To: "0.2" });
        Assert.Contains(changes, c => c is { Epoch: 50, Key: "label_smoothing", From: "0.1", To: "0.05" });
        Assert.Contains(changes, c => c is { Epoch: 60, Key: "lr_schedule", From: "cosine_restarts", To: "cosine" });
        Assert.Contains(changes, c => c is { Epoch: 70, Key: "augment_level", To: "minimal" });
        Assert.Contains(changes, c => c is { Epoch: 70, Key: "mixup_alpha", To: "0" });
        Assert.Contains(changes, c => c is { Epoch: 80, Key: "dropout", From: "0.2", To: "0.1" });
        Assert.Empty(Changes("cifar100-wrn28-10-stable"));
        // Warm restarts with T_0 = 20 after a 5-epoch warmup: peaks at epochs 5, 25, 45; cosine restarts at 60.
        var r = RecipeLoader.Load("cifar100-wrn28-10-progressive");
        var plan = new PhasePlan(r, 32);
        double Lr(int e) => plan.At(e).Schedule.At(e, 0, 100);
        Assert.Equal(0.15, Lr(5), 9);
        Assert.Equal(0.15, Lr(25), 9);
        Assert.True(Lr(24) < 0.01);
        Assert.Equal(0.15, Lr(60), 9);
        Assert.True(Lr(99) < 0.001);
    }

    [Fact]
    public void TheSeed004RecipeFineTunesFiveFoldsAndRunsTwoStepsPerPhase()
    {
        var r = RecipeLoader.Load("finetune-resnet50-kfold");
        Assert.Equal((5, 3, 1e-3, 1e-4, 32, 0.1), (r.Data.Folds, r.Finetune.HeadEpochs, r.Optimizer.Lr,
            r.Finetune.BackboneLr!.Value, r.BatchSize, r.Regularization.LabelSmoothing));
        Assert.Equal(("plateau", 3), (r.LrSchedule.Name, r.EarlyStopping.Patience));
        Assert.Contains(Changes("finetune-resnet50-kfold"), c => c is
        {
            Epoch: 3, Key: "backbone", From: "frozen",
            To: "trainable"
        });

        var root = TestData.TempDir("seed004");
        ColourTestData.WriteImageFolder(root, classes: 3, perClass: 2, size: 30, format: "jpg");
        var weights = Path.Combine(root, "resnet50.safetensors");
        using (var source = ModelRegistry.Create("resnet50", new ModelOptions(3, 1000)))
            TorchSharp.PyBridge.PyBridgeModuleExtensions.save_safetensors(source, weights);
        var tiny = Tiny("finetune-resnet50-kfold", root);
        tiny.Model.Pretrained = weights;
        using var setup = TrainingSetup.Create(tiny);
        Assert.Equal(new[] { "fc.bias", "fc.weight" }, setup.Pretrained!.ReplacedHead.Order());
        var trainer = new Trainer(setup, Array.Empty<TrainingCallback>());
        Assert.Single(trainer.Fit(2, 3).History);                  // a head-only epoch
        Assert.Single(trainer.Fit(3, 4).History);                  // a fine-tuning epoch
    }

    [Fact]
    public void ModelsHaveTheSeedsParameterCounts()
    {
        using var wrn = ModelRegistry.Create("wrn28_10", new ModelOptions(3, 100));
        Assert.InRange(ModelRegistry.ParameterCount(wrn) / 1e6, 36.4, 36.6);
        using var resnet50 = ModelRegistry.Create("resnet50", new ModelOptions(3, 1000));
        Assert.InRange(ModelRegistry.ParameterCount(resnet50) / 1e6, 25.5, 25.6);
        using var resnet18 = ModelRegistry.Create("resnet18", new ModelOptions(3, 1000));
        Assert.InRange(ModelRegistry.ParameterCount(resnet18) / 1e6, 11.6, 11.8);
    }

    /// <summary>
    /// Shrinks a recipe to run in seconds: tiny batches and resolutions, the same phases and mechanisms.
    /// </summary>
    static Recipe Tiny(string name, string dataPath)
    {
        var r = RecipeLoader.Load(name, new[] { $"data.path={dataPath}", "batch_size=2", "data.train_limit=4",
            "data.val_limit=4", "threads=2", "evaluation.batch_size=4" });
        if (r.Data.Dataset == "imagefolder") r.Data.ImageSize = 24;
        if (r.Evaluation.Resolution > 0) r.Evaluation.Resolution = 24;
        foreach (var p in r.Phases.Where(p => p.Resolution != null)) p.Resolution = p.Resolution / 8;
        return r;
    }

    [Theory]
    [InlineData("imagenet-resnet50-fixres-v1")]
    [InlineData("imagenet-resnet50-fixres-v2")]
    [InlineData("cifar100-wrn28-10-stable")]
    [InlineData("cifar100-wrn28-10-progressive")]
    public void SeedRecipesRunTwoStepsAtATinySize(string name)
    {
        var root = TestData.TempDir(name);
        if (name.StartsWith("imagenet"))
            ColourTestData.WriteImageFolder(root, classes: 3, perClass: 2, size: 30, format: "jpg");
        else ColourTestData.WriteCifar100(root, trainCount: 8, testCount: 4);
        var recipe = Tiny(name, root);
        using var setup = TrainingSetup.Create(recipe);
        Assert.Equal(2, setup.BatchesPerEpoch);
        // The last epoch: past every phase change (the FixRes phase, minimal augmentation...).
        int last = recipe.Epochs - 1;
        var context = new Trainer(setup, Array.Empty<TrainingCallback>()).Fit(last, last + 1);
        var result = Assert.Single(context.History);
        Assert.Equal(last, result.Epoch);
        Assert.True(double.IsFinite(result.TrainLoss) && result.TrainLoss > 0);
        Assert.Equal(new PhasePlan(recipe, 32).At(last).Phase, result.Phase);
    }

    [Fact]
    public void APhasedRecipeTrainsForRealAndRecordsItsChanges()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("progressive-data"), trainCount: 128, testCount: 64);
        var recipe = RecipeLoader.Load("fashion-mnist-progressive", new[] { "model.width=4", "batch_size=32",
            "threads=2", "seed=3" });
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe,
            OutputDirectory = TestData.TempDir("progressive-run"), DataDirectory = data
        });
        var rows = outcome.Metrics;
        Assert.Equal(new[] { 20, 20, 20, 28, 28, 28, 28, 28 }, rows.Select(r => r.Resolution));
        Assert.All(rows.Take(6), r => Assert.True(r.MixedFraction > 0.5, $"epoch {r.Epoch} mixed {r.MixedFraction}"));
        Assert.All(rows.Skip(6), r => Assert.Equal(0, r.MixedFraction));
        Assert.All(rows, r => Assert.NotNull(r.ValAccuracyEma));
        var events = RunEvent.ReadAll(outcome.Run.EventsFile).Where(e => e.Kind == "schedule").ToList();
        Assert.Contains(events, e => e is { Epoch: 3, Key: "resolution", From: "20", To: "28" });
        Assert.Contains(events, e => e is { Epoch: 6, Key: "mixup_alpha", From: "0.2", To: "0" });
        Assert.Contains(events, e => e is { Epoch: 6, Key: "cutmix_alpha", From: "1", To: "0" });
        Assert.Contains(events, e => e is { Epoch: 6, Key: "augment_level", From: "full", To: "reduced" });
        Assert.DoesNotContain(events, e => e.Epoch is not (3 or 6));
    }
}
