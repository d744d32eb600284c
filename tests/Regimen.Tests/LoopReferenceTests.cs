using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Sessions;
using Regimen.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Regimen.Tests;

/// <summary>
/// The training loop's results pinned down: each technique's tiny training gives the metrics.csv recorded in
/// Fixtures/loop-reference before the loop became hooks (timing columns left out). On the CPU the files were
/// recorded on (cpu.txt) they must be identical; another CPU's kernels round differently, so there they must agree
/// to 1e-3. REGIMEN_WRITE_LOOP_REFERENCE=DIR records them anew into DIR (only when a change of results is intended).
/// </summary>
public class LoopReferenceTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("loop-ref-data"),
        trainCount: 256, testCount: 100));
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "loop-reference");

    public static IEnumerable<object[]> Scenarios() => new[]
    {
        "baseline", "mixup", "cutmix", "ema", "accumulation", "clipping", "grad_limit", "bf16", "freeze", "rollback",
        "tta", "recovery", "plateau_val_loss",
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void TheLoopGivesTheRecordedMetrics(string scenario)
    {
        var metrics = Run(scenario);
        if (Environment.GetEnvironmentVariable("REGIMEN_WRITE_LOOP_REFERENCE") is { Length: > 0 } target)
        {
            Directory.CreateDirectory(target);
            File.WriteAllLines(Path.Combine(target, scenario + ".csv"), metrics);
            File.WriteAllText(Path.Combine(target, "cpu.txt"), CpuSignature() + "\n");
            return;
        }
        var expected = File.ReadAllLines(Path.Combine(Folder, scenario + ".csv"));
        if (File.ReadAllText(Path.Combine(Folder, "cpu.txt")).Trim() == CpuSignature())
        {
            Assert.Equal(expected, metrics);
            return;
        }
        Assert.Equal(expected.Length, metrics.Length);
        Assert.Equal(expected[0], metrics[0]);
        for (int i = 1; i < expected.Length; i++)
            foreach (var (e, a) in expected[i].Split(',').Zip(metrics[i].Split(',')))
                if (double.TryParse(e, System.Globalization.CultureInfo.InvariantCulture, out var x)
                    && double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var y))
                    Assert.True(Math.Abs(x - y) <= 1e-3 * Math.Max(1, Math.Abs(x)), $"{scenario} row {i}: {e} vs {a}");
                else Assert.Equal(e, a);
    }

    /// <summary>The CPU's model and the instruction sets libtorch's kernels choose between.</summary>
    static string CpuSignature()
    {
        var flags = new[] { "avx2", "avx512f", "avx512_bf16", "amx_bf16", "avx512_vnni" }.Where(Cpu.Has);
        return $"{Cpu.Model} [{string.Join(" ", flags)}]";
    }

    static string[] Run(string scenario)
    {
        var dir = TestData.TempDir("loop-ref-" + scenario);
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(Epochs(scenario)), scenario + ".yaml", Overrides(scenario));
        var callbacks = new List<TrainingCallback>();
        if (scenario == "rollback") callbacks.Add(new BlowUpOnce(epoch: 1));
        if (scenario == "recovery") callbacks.Add(new KillAtBatch(epoch: 1, batch: 7));
        TrainingOutcome Start() => TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = dir, DataDirectory = data.Value, Callbacks = callbacks,
        });
        TrainingOutcome outcome;
        if (scenario == "recovery")
        {
            Assert.Throws<OperationCanceledException>(() => Start());
            Assert.NotNull(Checkpoint.ReadHeader(Path.Combine(dir, "checkpoints", "last.ckpt")).Progress);
            outcome = TrainingRunner.Resume(dir, data.Value, Array.Empty<TrainingCallback>());
        }
        else outcome = Start();
        if (scenario == "rollback")
            Assert.Contains(RunEvent.ReadAll(outcome.Run.EventsFile), e => e.Kind == "rollback");
        return TestData.MetricsWithoutTiming(outcome.Run);
    }

    static int Epochs(string scenario) => scenario is "rollback" or "recovery" or "plateau_val_loss" ? 3 : 2;

    static string[] Overrides(string scenario) => scenario switch
    {
        "baseline" => [],
        "mixup" => ["mixup.mixup_alpha=0.4", "mixup.prob=0.8"],
        "cutmix" => ["mixup.cutmix_alpha=1.0", "mixup.mixup_alpha=0.2", "mixup.switch_prob=0.5"],
        "ema" => ["ema.enabled=true", "ema.decay=0.9"],
        "accumulation" => ["optimizer.accumulation_steps=3"],
        "clipping" => ["optimizer.clip_grad_norm=0.5"],
        "grad_limit" => ["divergence.max_grad_norm=1000"],
        "bf16" => ["precision=bf16"],
        "freeze" => [$"model.pretrained={PretrainedWeights()}", "finetune.head_epochs=1", "finetune.backbone_lr=0.05",
            "finetune.freeze_bn=true"],
        "rollback" => ["divergence.action=rollback", "divergence.lr_factor=0.5"],
        "tta" => ["evaluation.tta_flip=true", "evaluation.tta_crops=5", "evaluation.tta_resolution=32"],
        "recovery" => ["checkpoint.every_steps=3", "ema.enabled=true", "mixup.mixup_alpha=0.2"],
        "plateau_val_loss" => ["lr_schedule.name=plateau", "lr_schedule.patience=0", "lr_schedule.gamma=0.5",
            "evaluation.monitor=val_loss",
            "early_stopping.enabled=true", "early_stopping.monitor=val_loss", "early_stopping.mode=min",
            "early_stopping.patience=5"],
        _ => throw new ArgumentException(scenario),
    };

    /// <summary>Weights for the fine-tuning scenario, the same every time (seeded, 10 classes as the data).</summary>
    static string PretrainedWeights()
    {
        var path = Path.Combine(TestData.TempDir("loop-ref-pretrained"), "tiny.safetensors");
        manual_seed(42);
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(1, 10, Width: 8, Depth: 1));
        model.save_safetensors(path);
        return path;
    }

    sealed class BlowUpOnce(int epoch) : TrainingCallback
    {
        bool done;
        public override void OnEpochStart(TrainingContext context, EpochSettings settings,
            IReadOnlyList<ScheduleChange> changes)
        {
            if (context.Epoch != epoch || done) return;
            done = true;
            context.Setup.LrScale *= 1e30;
        }
    }

    sealed class KillAtBatch(int epoch, int batch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Batch == batch) throw new OperationCanceledException("simulated kill");
        }
    }
}
