using Regimen.Augment;
using Regimen.Recipes;
using Regimen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>
/// Each technique hook on its own, on a real batch of a tiny setup, and what hooks can do to the loop.
/// </summary>
public class HookTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("hook-data"),
        trainCount: 128, testCount: 64));

    static TrainingSetup Setup(params string[] overrides) =>
        TrainingSetup.Create(RecipeLoader.Parse(TestData.TinyRecipe(1), "tiny.yaml", ["data.workers=0", .. overrides]),
            data.Value);

    /// <summary>The first training batch of epoch 0 as the loop hands it to the hooks.</summary>
    static TrainingStep FirstStep(TrainingSetup setup, EpochSettings? settings = null)
    {
        settings ??= setup.Plan.At(0);
        using var batches = new EpochBatches(setup, 0, settings, 0);
        var batch = batches.Batches.First();
        return new TrainingStep(0, 0, setup.BatchesPerEpoch, settings, batch.Input, batch.Labels, setup.Model.forward);
    }

    static Tensor Backward(TrainingSetup setup, TrainingStep step)
    {
        setup.Model.train();
        step.Logits = step.Forward(step.Input);
        step.Loss = nn.functional.cross_entropy(step.Logits, step.Labels);
        step.Loss.backward();
        return step.Loss;
    }

    static double GradNorm(TrainingSetup setup) =>
        Math.Sqrt(setup.Model.parameters().Where(p => p.grad is not null).Sum(p => p.grad!.pow(2).sum().item<float>()));

    [Fact]
    public void MixUpBlendsTheBatchWithItsReverseAndSoftensTheTargets()
    {
        using var setup = Setup("mixup.mixup_alpha=0.4", "mixup.prob=1");
        var step = FirstStep(setup);
        var x = step.Input;
        new MixupCutmix().BeforeBatch(new TrainingContext(setup, 0), step);
        Assert.NotNull(step.SoftTarget);
        // input = lambda x + (1 - lambda) x reversed, and the targets mix the smoothed one-hots with the same lambda.
        var d = x - x.flip(0);
        double lambda = (step.Input - x.flip(0)).mul(d).sum().item<float>() / d.pow(2).sum().item<float>();
        Assert.InRange(lambda, 0.0, 1.0);
        Assert.True(step.Input.allclose(x * lambda + x.flip(0) * (1 - lambda), rtol: 1e-4, atol: 1e-4));
        var t = Mixup.SmoothOneHot(step.Labels, 10, 0.1);
        Assert.True(step.SoftTarget!.allclose(t * lambda + t.flip(0) * (1 - lambda), rtol: 1e-4, atol: 1e-4));
        // accuracy still counts the real labels
        Assert.True(step.Labels.equal(FirstStep(setup).Labels).all().item<bool>());

        // With the epoch's augmentation off (a phase), nothing is mixed.
        var plain = FirstStep(setup, setup.Plan.At(0) with { Augment = false });
        var before = plain.Input;
        new MixupCutmix().BeforeBatch(new TrainingContext(setup, 0), plain);
        Assert.Null(plain.SoftTarget);
        Assert.Same(before, plain.Input);
    }

    [Fact]
    public void CutMixPastesABoxOfTheReversedBatchAndWeighsTheTargetsByItsArea()
    {
        using var setup = Setup("mixup.cutmix_alpha=1.0", "mixup.prob=1");
        var step = FirstStep(setup);
        var x = step.Input;
        new MixupCutmix().BeforeBatch(new TrainingContext(setup, 0), step);
        var changed = step.Input.ne(x).any(1).any(0);   // H x W: where any image changed
        var rows = changed.any(1).nonzero().flatten();
        var cols = changed.any(0).nonzero().flatten();
        Assert.True(rows.numel() > 0, "nothing pasted");
        long y0 = rows.min().item<long>(), y1 = rows.max().item<long>() + 1, x0 = cols.min().item<long>(),
            x1 = cols.max().item<long>() + 1;
        var expected = x.clone();
        expected[.., .., (int)y0..(int)y1, (int)x0..(int)x1] = x.flip(0)[.., .., (int)y0..(int)y1, (int)x0..(int)x1];
        Assert.True(step.Input.equal(expected).all().item<bool>(), "the change is one box of the reversed batch");
        double lambda = 1 - (double)(y1 - y0) * (x1 - x0) / (28 * 28);
        var t = Mixup.SmoothOneHot(step.Labels, 10, 0.1);
        Assert.True(step.SoftTarget!.allclose(t * lambda + t.flip(0) * (1 - lambda), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void MixedPrecisionComputesInBf16AndHandsFp32GradientsToTheMaster()
    {
        using var setup = Setup("precision=bf16");
        var bf16 = setup.Precision!;
        var step = FirstStep(setup);
        bf16.BeforeBatch(new TrainingContext(setup, 0), step);
        var master = setup.Model.parameters().First();
        var compute = bf16.Compute.parameters().First();
        Assert.True(compute.to_type(ScalarType.Float32).equal(master.to_type(ScalarType.BFloat16)
            .to_type(ScalarType.Float32)).all().item<bool>());
        bf16.Compute.train();
        step.Logits = step.Forward(step.Input);
        Assert.Equal(ScalarType.Float32, step.Logits.dtype);
        nn.functional.cross_entropy(step.Logits, step.Labels).backward();
        Assert.Null(master.grad);
        bf16.AfterBackward(new TrainingContext(setup, 0), step);
        Assert.Equal(ScalarType.Float32, master.grad!.dtype);
        Assert.Null(compute.grad);
        Assert.True(master.grad.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void GradientAccumulationStepsEveryNBatchesAndAtTheEpochsEnd()
    {
        var hook = new GradientAccumulation(3);
        using var setup = Setup();
        var settings = setup.Plan.At(0);
        var skipped = Enumerable.Range(0, 8).Select(b =>
        {
            var step = new TrainingStep(0, b, 8, settings, zeros(1), zeros(1), x => x);
            hook.BeforeStep(new TrainingContext(setup, 0), step);
            return step.SkipStep;
        });
        Assert.Equal(new[] { true, true, false, true, true, false, true, false }, skipped);
        var scaled = new TrainingStep(0, 0, 8, settings, zeros(1), zeros(1), x => x) { Loss = tensor(6.0f) };
        hook.BeforeBackward(new TrainingContext(setup, 0), scaled);
        Assert.Equal(2.0f, scaled.Loss.item<float>(), 6);   // the mean over the accumulated batches
        Assert.Equal(1 * 3 + 1, GradientAccumulation.StepIndex(epoch: 1, batch: 4, batchCount: 8, steps: 3));
    }

    [Fact]
    public void GradientClippingBoundsTheNormAndRecordsItBeforeClipping()
    {
        using var setup = Setup();
        var step = FirstStep(setup);
        Backward(setup, step);
        double before = GradNorm(setup);
        new GradientClipping(1e-3).BeforeStep(new TrainingContext(setup, 0), step);
        Assert.Equal(before, step.GradNorm!.Value, before * 1e-4);
        Assert.InRange(GradNorm(setup), 0, 1e-3 * 1.001);
    }

    [Fact]
    public void DivergenceCheckStopsANonFiniteLossAndAGradientAboveTheLimit()
    {
        using var setup = Setup();
        var step = FirstStep(setup);
        var context = new TrainingContext(setup, 0);
        var nan = new TrainingStep(0, 3, 8, step.Settings, step.Input, step.Labels,
            step.Forward)
        { LossValue = double.NaN };
        var e = Assert.Throws<TrainingDivergedException>(() => new DivergenceCheck(0).BeforeBackward(context, nan));
        Assert.Equal(("loss NaN", 3), (e.What, e.Batch));
        Backward(setup, step);
        new DivergenceCheck(1e9).BeforeStep(context, step);            // measures the norm itself when nothing clipped
        Assert.Equal(GradNorm(setup), step.GradNorm!.Value, GradNorm(setup) * 1e-4);
        new DivergenceCheck(0).BeforeStep(context, step);              // no limit: no check
        var high = Assert.Throws<TrainingDivergedException>(() => new DivergenceCheck(1e-9).BeforeStep(context, step));
        Assert.Contains("above divergence.max_grad_norm", high.What);
    }

    [Fact]
    public void EmaUpdatesAfterEachStepAndIsEvaluatedBesideTheModel()
    {
        using var setup = Setup("ema.enabled=true", "ema.decay=0.9", "ema.warmup=false");
        var ema = setup.Ema!;
        var context = new TrainingContext(setup, 0);
        var p = setup.Model.parameters().First();
        var start = p.detach().clone();
        using (no_grad()) p.add_(1.0);
        ema.AfterStep(context, new TrainingStep(0, 0, 4, setup.Plan.At(0), zeros(1), zeros(1), x => x));
        Assert.True(ema.Model.parameters().First().allclose(start + 0.1, atol: 1e-6));   // 0.9 start + 0.1 (start + 1)
        var result = ema.AfterEvaluate(context, new EpochResult { Epoch = 0, ValAccuracy = 0.5 });
        var expected = Evaluator.Evaluate(ema.Model, setup.Validation, setup.Augment, setup.EvalResolution, 256,
            flipTta: false);
        Assert.Equal((expected.Loss, expected.Accuracy, 0.5), (result.ValLossEma!.Value, result.ValAccuracyEma!.Value,
            result.ValAccuracy));
    }

    [Fact]
    public void BackboneFreezingTakesTheBackbonesGradientsAndBatchNormStatisticsAway()
    {
        using var setup = Setup();
        var context = new TrainingContext(setup, 0);
        setup.Model.train();
        var frozen = setup.Plan.At(0) with { BackboneFrozen = true };
        new BackboneFreezing(freezeBatchNorm: true).OnEpochStart(context, frozen, Array.Empty<ScheduleChange>());
        foreach (var (name, parameter) in setup.Model.named_parameters())
            Assert.Equal(name.StartsWith("fc.", StringComparison.Ordinal), parameter.requires_grad);
        var norms = setup.Model.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm2d).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, m => Assert.False(m.module.training, m.name));
        setup.Model.train();
        new BackboneFreezing(freezeBatchNorm: true).OnEpochStart(context, frozen with { BackboneFrozen = false },
            Array.Empty<ScheduleChange>());
        Assert.All(setup.Model.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(norms, m => Assert.True(m.module.training, m.name));
    }

    [Fact]
    public void TtaEvaluationAddsTheAccuracyOfTheAveragedViews()
    {
        using var setup = Setup();
        var views = new Tta(Flip: true, Crops: 5, Resolution: 0);
        var result = new TtaEvaluation(views).AfterEvaluate(new TrainingContext(setup, 0),
            new EpochResult { Epoch = 0, ValAccuracy = 0.25 });
        var expected = Evaluator.Evaluate(setup.Model, setup.Validation, setup.Augment,
            setup.EvalResolution, 256, views);
        Assert.Equal((expected.Accuracy, 0.25), (result.ValAccuracyTta!.Value, result.ValAccuracy));
    }

    [Fact]
    public void TheRecipesTechniquesBecomeHooksInTheOrderTheyMustAct()
    {
        using var setup = Setup("mixup.mixup_alpha=0.2", "precision=bf16", "optimizer.accumulation_steps=2",
            "optimizer.clip_grad_norm=1",
            "ema.enabled=true", "evaluation.tta_flip=true");
        Assert.Equal(new[] { typeof(MixupCutmix), typeof(MixedPrecision), typeof(GradientAccumulation),
            typeof(GradientClipping),
            typeof(DivergenceCheck), typeof(ModelEma), typeof(TtaEvaluation) }, Techniques.For(setup)
                .Select(h => h.GetType()));
        using var plain = Setup("evaluation.tta_flip=false");
        Assert.Equal(new[] { typeof(DivergenceCheck) }, Techniques.For(plain).Select(h => h.GetType()));
    }

    /// <summary>A hook that skips every optimizer step and records each batch's loss.</summary>
    sealed class SkipEveryStep : TrainingCallback
    {
        public override void BeforeStep(TrainingContext context, TrainingStep step) => step.SkipStep = true;
    }

    sealed class ZeroLoss : TrainingCallback
    {
        public override void AfterLoss(TrainingContext context, TrainingStep step) => step.Loss = step.Loss * 0;
    }

    sealed class NanLoss : TrainingCallback
    {
        public override void AfterLoss(TrainingContext context, TrainingStep step) =>
            step.Loss = step.Loss * double.NaN;
    }

    [Fact]
    public void HooksCanSkipTheStepAndReplaceTheLoss()
    {
        using (var setup = Setup())
        {
            var before = setup.Model.parameters().Select(p => p.detach().clone()).ToList();
            var context = Trainer.WithHooks(setup, new TrainingCallback[] { new SkipEveryStep() }).Fit();
            Assert.All(setup.Model.parameters().Zip(before), pair =>
                Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
            Assert.True(context.History[0].TrainLoss > 1);
        }
        using (var setup = Setup())
        {
            var context = new Trainer(setup, new TrainingCallback[] { new ZeroLoss() }).Fit();
            Assert.Equal(0, context.History[0].TrainLoss);   // what a hook put in AfterLoss is what the records get
        }
        using (var setup = Setup())
        {
            var e = Assert.Throws<TrainingDivergedException>(() =>
                new Trainer(setup, new TrainingCallback[] { new NanLoss() }).Fit());
            // the recipe's divergence check sees the replaced loss
            Assert.Equal(("loss NaN", 0, 0), (e.What, e.Epoch, e.Batch));
        }
    }

    /// <summary>The example hook of docs/architecture.md ("Writing a hook"), as it is written there.</summary>
    public sealed class SkipOutlierBatches : TrainingCallback
    {
        double mean = double.NaN;

        public override void BeforeStep(TrainingContext context, TrainingStep step)
        {
            if (!double.IsNaN(mean) && step.LossValue > 10 * mean)
            {
                step.SkipStep = true;
                context.Setup.Optimizer.zero_grad();   // drop this batch's gradient rather than carry it into the next
            }
            mean = double.IsNaN(mean) ? step.LossValue : 0.9 * mean + 0.1 * step.LossValue;
        }
    }

    sealed class OutlierAt(int batch) : TrainingCallback
    {
        public override void AfterLoss(TrainingContext context, TrainingStep step)
        {
            if (step.Batch == batch) step.Loss = step.Loss * 100;
        }
    }

    sealed class WeightsAfterEachBatch(TrainingSetup setup) : TrainingCallback
    {
        public List<Tensor> Weights { get; } = new();
        public override void OnBatchEnd(TrainingContext context, BatchResult batch) =>
            Weights.Add(setup.Model.parameters().First().detach().clone().DetachFromDisposeScope());
    }

    [Fact]
    public void TheDocumentedExampleHookSkipsTheStepOfAnOutlierBatch()
    {
        using var setup = Setup();
        var weights = new WeightsAfterEachBatch(setup);
        new Trainer(setup, new TrainingCallback[] { new OutlierAt(batch: 2), new SkipOutlierBatches(), weights }).Fit();
        Assert.Equal(4, weights.Weights.Count);
        Assert.False(weights.Weights[1].equal(weights.Weights[0]).all().item<bool>(), "batch 1 stepped");
        Assert.True(weights.Weights[2].equal(weights.Weights[1]).all().item<bool>(),
            "batch 2 (loss x100) did not step");
        Assert.False(weights.Weights[3].equal(weights.Weights[2]).all().item<bool>(), "batch 3 stepped");
    }
}
