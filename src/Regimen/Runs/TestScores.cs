using System.Text.Json.Serialization;

namespace Regimen.Runs;

/// <summary>
/// summary.json's "test": the test split scored once, when the training ended, for the final weights and for the
/// checkpoint the validation picked. Nothing before the end looks at it (unless validation is the test split, and
/// then <see cref="Optimistic"/> says so).
/// </summary>
public sealed record TestScores
{
    /// <summary>The split's name (fashion-mnist/test) and its images.</summary>
    [JsonPropertyName("split")] public string Split { get; init; } = "";
    [JsonPropertyName("images")] public int Images { get; init; }
    /// <summary>What picked the best checkpoint: "validation" (held out of the training images) or "test".</summary>
    [JsonPropertyName("selected_on")] public string SelectedOn { get; init; } = "validation";
    /// <summary>True when the checkpoint was picked on the test split itself: its test score is then
    /// optimistic.</summary>
    [JsonPropertyName("optimistic")] public bool Optimistic { get; init; }
    /// <summary>The weights the training ended with.</summary>
    [JsonPropertyName("final")] public TestScore? Final { get; init; }
    /// <summary>checkpoints/best.ckpt: the best epoch on the validation split (the monitor).</summary>
    [JsonPropertyName("best")] public TestScore? Best { get; init; }

    /// <summary>"test (10000 images, scored once at the end): final (epoch 14) 93.41 %, best on validation (epoch
    /// 12) 93.30 %".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Final is { } f) parts.Add($"final (epoch {f.Epoch}) {f.Describe()}");
        if (Best is { } b) parts.Add($"best on {SelectedOn} (epoch {b.Epoch}) {b.Describe()}");
        return $"test ({Images} images, scored once at the end): {string.Join(", ", parts)}" +
               (Optimistic ? " -- optimistic: the checkpoint was selected on the test split" : "");
    }
}

/// <summary>One checkpoint's score on the test split.</summary>
public sealed record TestScore
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("acc")] public double Accuracy { get; init; }
    [JsonPropertyName("loss")] public double Loss { get; init; }
    /// <summary>With the recipe's test-time augmentation (evaluation.tta_*), when it has any.</summary>
    [JsonPropertyName("acc_tta")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AccuracyTta { get; init; }
    /// <summary>
    /// The weights' exponential moving average (ema.enabled), scored beside the final weights; for best.ckpt of a
    /// run monitored on an `_ema` metric the checkpoint's weights are the average's, and <see cref="Weights"/>
    /// says so.
    /// </summary>
    [JsonPropertyName("acc_ema")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AccuracyEma { get; init; }
    /// <summary>"ema" when the scored weights are the moving average's; null for the plain weights.</summary>
    [JsonPropertyName("weights")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Weights { get; init; }

    public string Describe() =>
        Units.Percent(Accuracy) + (AccuracyTta is { } t ? $" (TTA {Units.Percent(t)})" : "") +
        (AccuracyEma is { } e ? $" (EMA {Units.Percent(e)})" : "") + (Weights == "ema" ? " (EMA weights)" : "");
}
