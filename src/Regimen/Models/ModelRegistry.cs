using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Models;

/// <summary>One named model constructor, with the options it reads documented for <c>regimen models</c>.</summary>
public sealed record ModelEntry(string Name, string Description, string Options,
    Func<ModelOptions, nn.Module<Tensor, Tensor>> Create);

/// <summary>
/// The models Regimen can train, by name, as timm's registry does: each takes the data's channel and class
/// counts plus the recipe's options. Every model ends in a linear classifier named <c>fc</c>.
/// </summary>
public static class ModelRegistry
{
    static readonly Dictionary<string, ModelEntry> entries = new(StringComparer.OrdinalIgnoreCase);

    static ModelRegistry()
    {
        Add("small_resnet", "Small residual CNN for 28x28/32x32 inputs: 3x3 stem, 3 stages of basic blocks at width, " +
            "2x, 4x",
            "width (default 32), depth = blocks per stage (default 1), dropout, drop_path",
            o =>
            {
                int w = o.Width ?? 32, d = o.Depth ?? 1;
                return new ResNet("small_resnet", o, false, false, new[] { d, d, d }, new[] { w, 2 * w, 4 * w });
            });
        Add("cifar_resnet18", "ResNet-18 for small images: 3x3 stem without max-pool, 4 stages of 2 basic blocks " +
            "(64-512)",
            "width (default 64), dropout, drop_path",
            o =>
            {
                int w = o.Width ?? 64;
                return new ResNet("cifar_resnet18", o, false, false, new[] { 2, 2, 2, 2 },
                    new[] { w, 2 * w, 4 * w, 8 * w });
            });
        Add("resnet18", "ResNet-18 (He et al. 2016) with the ImageNet stem", "dropout, drop_path",
            o => new ResNet("resnet18", o, true, false, new[] { 2, 2, 2, 2 }, new[] { 64, 128, 256, 512 }));
        Add("resnet34", "ResNet-34 with the ImageNet stem", "dropout, drop_path",
            o => new ResNet("resnet34", o, true, false, new[] { 3, 4, 6, 3 }, new[] { 64, 128, 256, 512 }));
        Add("resnet50", "ResNet-50 with bottleneck blocks and the ImageNet stem (25.6 M parameters for 1000 classes)",
            "dropout, drop_path",
            o => new ResNet("resnet50", o, true, true, new[] { 3, 4, 6, 3 }, new[] { 64, 128, 256, 512 }));
        Add("wide_resnet", "WideResNet-depth-k with dropout inside the blocks", "depth (6n+4, default 28), " +
            "widen_factor (default 10), dropout, drop_path",
            o => new WideResNet("wide_resnet", o, o.Depth ?? 28, o.WidenFactor ?? 10));
        Add("wrn16_4", "WideResNet-16-4", "dropout, drop_path", o => new WideResNet("wrn16_4", o, 16, 4));
        Add("wrn28_10", "WideResNet-28-10 (36.5 M parameters for 100 classes)", "dropout, drop_path", o =>
            new WideResNet("wrn28_10", o, 28, 10));
    }

    static void Add(string name, string description, string options,
        Func<ModelOptions, nn.Module<Tensor, Tensor>> create) =>
        entries[name] = new ModelEntry(name, description, options, create);

    /// <summary>
    /// Adds a model from outside Regimen, as the built-in ones are added: recipes then name it in
    /// <c>model.name</c>, typos get a "did you mean", and checkpoints rebuild it by name (register it again in any
    /// process that loads them).
    /// </summary>
    /// <param name="name">Letters, digits, <c>_</c>, <c>-</c> or <c>.</c>; names are case-insensitive and
    /// unique.</param>
    /// <param name="description">One line for <c>regimen models</c>.</param>
    /// <param name="options">The <see cref="ModelOptions"/> fields the constructor reads beyond the channel and class
    /// counts, with their defaults (e.g. "width (default 32), dropout"), for <c>regimen models</c>.</param>
    /// <param name="create">Builds the model for the data's channels and classes and the recipe's options. It must
    /// end in a linear classifier named <c>fc</c> (fine-tuning's head-only phase and the head's learning rate find
    /// it by that name).</param>
    public static ModelEntry Register(string name, string description, string options,
        Func<ModelOptions, nn.Module<Tensor, Tensor>> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new RegimenException($"model name '{name}': use letters, digits, '_', '-' or '.'");
        lock (entries)
        {
            if (entries.ContainsKey(name)) throw new RegimenException($"model '{name}' is already registered");
            var entry = new ModelEntry(name, description, options, create);
            entries[name] = entry;
            return entry;
        }
    }

    public static IEnumerable<ModelEntry> All => entries.Values;

    public static bool Contains(string name) => entries.ContainsKey(name);

    /// <summary>Null for a known model, else what is wrong with the name and the closest known one.</summary>
    public static string? CheckName(string name) =>
        Contains(name) ? null : $"unknown model '{name}'" + DidYouMean.Hint(name, entries.Keys);

    public static nn.Module<Tensor, Tensor> Create(string name, ModelOptions options)
    {
        if (!entries.TryGetValue(name, out var entry))
            throw new RegimenException($"model.name: {CheckName(name)}");
        OneDnnCacheFix.Apply();   // before the model's first convolution
        return entry.Create(options);
    }

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
