using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Regimen.Models;

/// <summary>
/// What loading pretrained weights did: which keys it filled, which it could not, and whether the head was replaced.
/// </summary>
public sealed record PretrainedReport(string Source, int Loaded, IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected, IReadOnlyList<string> ReplacedHead)
{
    public string Describe() =>
        $"{Source}: loaded {Loaded} tensors" +
        (ReplacedHead.Count > 0 ? $"; new classifier head ({string.Join(", ", ReplacedHead)}: the class count differs)"
            : "") +
        (Missing.Count > 0 ? $"; {Missing.Count} missing (kept their initialization): " +
            $"{string.Join(", ", Missing.Take(8))}{(Missing.Count > 8 ? ", ..." : "")}" : "") +
        (Unexpected.Count > 0 ? $"; {Unexpected.Count} unexpected (ignored): " +
            $"{string.Join(", ", Unexpected.Take(8))}{(Unexpected.Count > 8 ? ", ..." : "")}" : "");
}

/// <summary>
/// Loads weights for fine-tuning from a Regimen checkpoint (.ckpt), a PyTorch state dict (.pt, .pth; a
/// checkpoint dict with 'state_dict' or 'model' works too) or safetensors, by parameter name, reporting missing
/// and unexpected keys. A classifier (fc.*) of another shape is left to its fresh initialization: the head is
/// replaced when the class count differs.
/// </summary>
public static class PretrainedWeights
{
    public static PretrainedReport Load(nn.Module model, string path)
    {
        if (!File.Exists(path)) throw new RegimenException($"model.pretrained: {path}: file not found");
        Dictionary<string, Tensor> source;
        try { source = Read(path); }
        catch (Exception e) when (e is not RegimenException)
        {
            throw new RegimenException($"model.pretrained: {path}: cannot read weights ({e.Message})");
        }
        var used = new HashSet<string>();
        var missing = new List<string>();
        var replaced = new List<string>();
        int loaded = 0;
        using (no_grad())
        {
            foreach (var (name, target) in model.state_dict())
            {
                var key = source.ContainsKey(name) ? name : source.ContainsKey("module." + name)
                    ? "module." + name : null;
                if (key is null) { missing.Add(name); continue; }
                used.Add(key);
                var value = source[key];
                if (!value.shape.SequenceEqual(target.shape))
                {
                    if (name.StartsWith("fc.", StringComparison.Ordinal)) replaced.Add(name);
                    else missing.Add($"{name} (shape {Shape(value)} in the file, {Shape(target)} in the model)");
                    continue;
                }
                target.copy_(value.to_type(target.dtype));
                loaded++;
            }
        }
        var unexpected = source.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (loaded == 0)
            throw new RegimenException($"model.pretrained: {path}: no tensor name matches the model (its keys start: " +
                $"{string.Join(", ", source.Keys.Take(5))})");
        return new PretrainedReport(path, loaded, missing, unexpected, replaced);
    }

    static Dictionary<string, Tensor> Read(string path)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".safetensors":
                return Safetensors.LoadStateDict(path);
            case ".ckpt":
                var (_, model) = Checkpoint.LoadModel(path);
                return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            default:
                var table = PyTorchUnpickler.UnpickleStateDict(path);
                foreach (var nested in new[] { "state_dict", "model", "model_state_dict" })
                    if (table[nested] is Hashtable inner) table = inner;
                return table.Cast<DictionaryEntry>().Where(e => e.Value is Tensor)
                    .ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!);
        }
    }

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";
}
