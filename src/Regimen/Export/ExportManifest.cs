using System.Text.Json;
using System.Text.Json.Serialization;

namespace Regimen.Export;

/// <summary>
/// What a user of an exported model needs beside its weights: the classes in output order and how to make the
/// input (decode to <see cref="ImageSize"/>, resize bilinearly to <see cref="Resolution"/>, scale pixels to
/// [0, 1], subtract <see cref="Mean"/>, divide by <see cref="Std"/>, NCHW). The JSON sidecar of a state-dict export
/// and the metadata of an ONNX file (whose graph does the normalization itself) both hold it.
/// </summary>
public sealed record ExportManifest
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("input_channels")] public int InputChannels { get; init; }
    [JsonPropertyName("class_names")] public string[] ClassNames { get; init; } = Array.Empty<string>();
    [JsonPropertyName("mean")] public float[] Mean { get; init; } = Array.Empty<float>();
    [JsonPropertyName("std")] public float[] Std { get; init; } = Array.Empty<float>();
    /// <summary>The side of the square input the model is evaluated at (the run's evaluation resolution).</summary>
    [JsonPropertyName("resolution")] public int Resolution { get; init; }
    /// <summary>The side images are decoded to before the resize to <see cref="Resolution"/> (the data set's
    /// size).</summary>
    [JsonPropertyName("image_size")] public int ImageSize { get; init; }
    /// <summary>The checkpoint the export was made from.</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    /// <summary>In a state dict's sidecar: the PyTorch model that loads it with strict=True, or why none
    /// does.</summary>
    [JsonPropertyName("pytorch"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PyTorch { get; init; }

    static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ExportManifest FromJson(string json, string where)
    {
        ExportManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<ExportManifest>(json, Options); }
        catch (JsonException e) { throw new RegimenException($"{where}: not an export manifest ({e.Message})"); }
        if (manifest is null) throw new RegimenException($"{where}: empty export manifest");
        return manifest.Validated(where);
    }

    /// <summary>The manifest, or an error naming <paramref name="where"/> and the first field that cannot be
    /// right.</summary>
    public ExportManifest Validated(string where)
    {
        string? problem =
            InputChannels <= 0 ? "input_channels must be positive" :
            ClassNames.Length == 0 ? "class_names is empty" :
            Mean.Length != InputChannels || Std.Length != InputChannels
                ? $"mean and std need {InputChannels} values (one per channel)" :
            Std.Any(s => !(s > 0)) ? "std values must be positive" :
            Resolution <= 0 ? "resolution must be positive" :
            ImageSize <= 0 ? "image_size must be positive" : null;
        return problem is null ? this : throw new RegimenException($"{where}: {problem}");
    }
}
