using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Regimen.Training;

namespace Regimen.Runs;

/// <summary>summary.json: how a run ended, its best and final scores, and where it ran.</summary>
public sealed record RunSummary
{
    [JsonPropertyName("recipe")] public string Recipe { get; init; } = "";
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("stop_reason")] public string? StopReason { get; init; }
    [JsonPropertyName("monitor")] public string Monitor { get; init; } = "val_acc";
    [JsonPropertyName("epochs_completed")] public int EpochsCompleted { get; init; }
    [JsonPropertyName("epochs_planned")] public int EpochsPlanned { get; init; }
    [JsonPropertyName("best_epoch")] public int? BestEpoch { get; init; }
    [JsonPropertyName("best_value")] public double? BestValue { get; init; }
    [JsonPropertyName("final_value")] public double? FinalValue { get; init; }
    [JsonPropertyName("final_val_acc")] public double? FinalValAccuracy { get; init; }
    [JsonPropertyName("final_val_acc_tta")] public double? FinalValAccuracyTta { get; init; }
    [JsonPropertyName("final_train_acc")] public double? FinalTrainAccuracy { get; init; }
    /// <summary>
    /// Images in the validation split and in the training split, and classes: the analyst's noise model.
    /// </summary>
    [JsonPropertyName("validation_size")] public int? ValidationSize { get; init; }
    [JsonPropertyName("train_size")] public int? TrainSize { get; init; }
    [JsonPropertyName("classes")] public int? Classes { get; init; }
    /// <summary>Where the validation split came from: holdout (held out of the training images), test, fold.</summary>
    [JsonPropertyName("validation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Validation { get; init; }
    /// <summary>What the user must know to read the numbers (validation: test makes the test score
    /// optimistic).</summary>
    [JsonPropertyName("warnings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Warnings { get; init; }
    /// <summary>The test split scored once at the end, for the final and the best checkpoints (until then
    /// absent).</summary>
    [JsonPropertyName("test")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TestScores? Test { get; init; }
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }
    /// <summary>The epochs train --resume --extend added, with their rate tails (recipe.yaml's extensions).</summary>
    [JsonPropertyName("extensions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Recipes.Extension>? Extensions { get; init; }
    /// <summary>A run regimen watch recorded from another tool's output: the command it ran, its exit code and the
    /// format its log was read as (absent for Regimen's own trainings).</summary>
    [JsonPropertyName("command"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Command { get; init; }
    [JsonPropertyName("exit_code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExitCode { get; init; }
    [JsonPropertyName("source_format"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceFormat { get; init; }
    /// <summary>
    /// Where the run trained: this machine unless set (measured only when asked for, as it loads libtorch).
    /// </summary>
    [JsonPropertyName("environment")]
    public RunEnvironment Environment
    {
        get => environment ??= RunEnvironment.Current();
        init => environment = value;
    }
    RunEnvironment? environment;

    static readonly JsonSerializerOptions Options = MeasuredDoubleConverter.Record(indented: true);
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static RunSummary? Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path)) : null;
}

/// <summary>The software and machine a run used.</summary>
public sealed record RunEnvironment
{
    [JsonPropertyName("regimen")] public string Regimen { get; init; } = "";
    [JsonPropertyName("torchsharp")] public string TorchSharp { get; init; } = "";
    [JsonPropertyName("dotnet")] public string DotNet { get; init; } = "";
    [JsonPropertyName("os")] public string Os { get; init; } = "";
    [JsonPropertyName("cpu")] public string Cpu { get; init; } = "";
    [JsonPropertyName("cores")] public int Cores { get; init; }
    [JsonPropertyName("threads")] public int Threads { get; init; }
    /// <summary>Whether oneDNN had to be told that the CPU reports no cache sizes (OneDnnCacheFix).</summary>
    [JsonPropertyName("onednn_caches")] public string? OneDnnCaches { get; init; }
    [JsonPropertyName("device")] public string Device { get; init; } = "cpu";
    /// <summary>"tuned" (malloc keeps activation buffers in its heap) or "default"; ", huge pages" where the user set
    /// libtorch's THP_MEM_ALLOC_ENABLE.</summary>
    [JsonPropertyName("native_memory")] public string NativeMemory { get; init; } = "";

    public static RunEnvironment Current() => new()
    {
        Regimen = typeof(RunSummary).Assembly.GetName().Version?.ToString() ?? "",
        TorchSharp = TorchRuntime.TorchSharpVersion,
        DotNet = RuntimeInformation.FrameworkDescription,
        Os = RuntimeInformation.OSDescription,
        Cpu = global::Regimen.Cpu.Model,
        Cores = System.Environment.ProcessorCount,
        Threads = global::TorchSharp.torch.get_num_threads(),
        NativeMemory = (TorchRuntime.NativeMemoryTuned ? "tuned" : "default") +
            (TorchRuntime.HugePages ? ", huge pages" : ""),
        OneDnnCaches = OneDnnCacheFix.Status,
    };
}
