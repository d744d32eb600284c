using static TorchSharp.torch;

namespace Regimen.Export;

/// <summary>
/// A trained classifier that <c>predict</c> runs on decoded images: a checkpoint's model (TorchSharp) or an
/// exported ONNX file (ONNX Runtime), so that both give their probabilities through the same path.
/// </summary>
public interface IImageClassifier : IDisposable
{
    /// <summary>Classes, channels, the size images are decoded to and the resolution the model sees.</summary>
    ExportManifest Manifest { get; }

    /// <summary>Class probabilities, row-major [n, classes], of images decoded as bytes
    /// [n, C, ImageSize, ImageSize].</summary>
    float[] Probabilities(Tensor images);
}
