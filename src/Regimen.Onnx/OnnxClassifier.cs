using Microsoft.ML.OnnxRuntime;
using Regimen.Augment;
using Regimen.Export;
using static TorchSharp.torch;

namespace Regimen.Onnx;

/// <summary>
/// An ONNX file written by <c>regimen export</c>, run by ONNX Runtime: its metadata gives the classes and the input
/// size, and images go in as evaluation prepares them (decoded, resized, pixels in [0, 1]; the graph normalizes).
/// </summary>
public sealed class OnnxClassifier : IImageClassifier
{
    readonly InferenceSession session;

    OnnxClassifier(InferenceSession session, ExportManifest manifest)
    {
        this.session = session;
        Manifest = manifest;
    }

    public ExportManifest Manifest { get; }

    public static OnnxClassifier Open(string path)
    {
        if (!File.Exists(path)) throw new RegimenException($"{path}: no such ONNX file");
        InferenceSession session;
        try { session = new InferenceSession(path); }
        catch (OnnxRuntimeException e)
        {
            throw new RegimenException($"{path}: ONNX Runtime cannot load it ({e.Message})");
        }
        try
        {
            var manifest = OnnxExport.ManifestFrom(session.ModelMetadata.CustomMetadataMap, path);
            if (!session.InputMetadata.TryGetValue(OnnxExport.Input, out var input) || input.Dimensions.Length != 4
                || input.Dimensions[1] != manifest.InputChannels || input.Dimensions[2] != manifest.Resolution)
                throw new RegimenException($"{path}: its input is not '{OnnxExport.Input}' " +
                    $"[batch, {manifest.InputChannels}, {manifest.Resolution}, {manifest.Resolution}] " +
                    "as its metadata says");
            if (!session.OutputMetadata.ContainsKey(OnnxExport.Probabilities))
                throw new RegimenException($"{path}: it has no '{OnnxExport.Probabilities}' output");
            return new OnnxClassifier(session, manifest);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public float[] Probabilities(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = BatchAugment.UnitRange(images, Manifest.Resolution).contiguous();
        return Run(session, x.data<float>().ToArray(), x.shape, OnnxExport.Probabilities);
    }

    /// <summary>One output of a run on a float32 NCHW batch.</summary>
    internal static float[] Run(InferenceSession session, float[] input, long[] shape, string output)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, new[] { OnnxExport.Input }, new[] { value }, new[] { output });
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => session.Dispose();
}
