using Regimen.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Regimen.Export;

/// <summary>The file formats <c>regimen export</c> writes.</summary>
public enum ExportFormat { Onnx, Safetensors, PyTorch }

/// <summary>
/// Writes a model's state dict as safetensors or a PyTorch <c>.pt</c> file (torch.save's zip format), with the
/// keys torchvision uses for the ResNets (Regimen's parameter names are torchvision's: docs/models.md), and a JSON
/// sidecar beside it (<c>model.pt</c> → <c>model.json</c>) with the manifest and the PyTorch model that loads it.
/// Both files are written atomically; the tensors are plain (NCHW) whatever layout the model trained in.
/// </summary>
public static class StateDictExport
{
    public static string SidecarPath(string path) => Path.ChangeExtension(path, ".json");

    public static ExportManifest Write(nn.Module model, ExportManifest manifest, string path, ExportFormat format)
    {
        if (format == ExportFormat.Onnx)
            throw new ArgumentException("ONNX files are written by Regimen.Onnx.OnnxExport", nameof(format));
        if (Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
            throw new RegimenException($"{path}: .json is the sidecar's name; give the weights another extension");
        manifest = manifest.Validated($"model '{manifest.Model}'");
        using var plain = MemoryLayout.PlainForSerialization(model);
        var tensors = model.state_dict();
        manifest = manifest with { PyTorch = PyTorchModel(manifest, tensors, format) };
        AtomicFile.Write(path, stream =>
        {
            if (format == ExportFormat.Safetensors) Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
            else PyTorchPickler.PickleStateDict(stream, tensors, leaveOpen: true);
        });
        AtomicFile.WriteAllText(SidecarPath(path), manifest.ToJson() + "\n");
        return manifest;
    }

    /// <summary>The torchvision model that takes the state dict with strict=True, as Python (FILE standing for
    /// the file), or why there is none.</summary>
    public static string PyTorchModel(ExportManifest manifest, IReadOnlyDictionary<string, Tensor> tensors,
        ExportFormat format)
    {
        int classes = manifest.ClassNames.Length, channels = manifest.InputChannels;
        long stemWidth = tensors.TryGetValue("conv1.weight", out var conv1) ? conv1.shape[0] : 0;
        string Stem(string shape) => $"model.conv1 = torch.nn.Conv2d({channels}, 64, {shape}, bias=False); ";
        var load = format == ExportFormat.Safetensors
            ? "model.load_state_dict(safetensors.torch.load_file(FILE))"
            : "model.load_state_dict(torch.load(FILE))";
        return manifest.Model switch
        {
            "resnet18" or "resnet34" or "resnet50" =>
                $"model = torchvision.models.{manifest.Model}(num_classes={classes}); " +
                (channels == 3 ? "" : Stem("7, 2, 3")) + load,
            "cifar_resnet18" when stemWidth == 64 =>
                $"model = torchvision.models.resnet18(num_classes={classes}); " +
                Stem("3, 1, 1") + "model.maxpool = torch.nn.Identity(); " + load,
            _ => $"no torchvision model has this architecture ({manifest.Model}); the keys are Regimen's parameter " +
                "names (docs/models.md)",
        };
    }
}
