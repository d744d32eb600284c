using System.Text;
using System.Text.Json;
using Regimen.Recipes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Models;

/// <summary>
/// An epoch part-way through: batches done and the sums its metrics are made of. With the data order, the
/// augmentation and the schedules functions of (seed, epoch, batch), this is all a resume needs to continue the
/// epoch exactly. <see cref="AtOptimizerStep"/> is false between the batches of an accumulated step.
/// </summary>
public sealed record EpochProgress(int Epoch, int Batch, double LossSum, long Correct, long Seen, int Mixed,
    double FirstLr, bool AtOptimizerStep);

/// <summary>What a checkpoint says about itself: enough to rebuild the model and continue or evaluate.</summary>
public sealed record CheckpointHeader
{
    public int Format { get; init; } = 1;
    /// <summary>
    /// The last epoch the checkpoint has completed (0-based); with <see cref="Progress"/>, the epoch it is in.
    /// </summary>
    public int Epoch { get; init; }
    /// <summary>The learning-rate scale and count of divergence rollbacks so far: a resume keeps them.</summary>
    public double LrScale { get; init; } = 1;
    public int Rollbacks { get; init; }
    /// <summary>Set in a recovery checkpoint saved within an epoch (checkpoint.every_steps).</summary>
    public EpochProgress? Progress { get; init; }
    public string RecipeYaml { get; init; } = "";
    public string ModelName { get; init; } = "";
    public int InputChannels { get; init; }
    public int ClassCount { get; init; }
    public string[] ClassNames { get; init; } = Array.Empty<string>();
    public float[] Mean { get; init; } = Array.Empty<float>();
    public float[] Std { get; init; } = Array.Empty<float>();
    public string Monitor { get; init; } = "val_acc";
    public double? BestValue { get; init; }
    public int? BestEpoch { get; init; }
    public bool HasOptimizer { get; init; }
    public bool HasEma { get; init; }
    /// <summary>
    /// True when the model weights are the exponential moving average's: best.ckpt of a run whose monitor is an
    /// `_ema` metric holds the weights that scored it.
    /// </summary>
    public bool EmaWeights { get; init; }
    /// <summary>
    /// libtorch's generator state at the save, for the record; the loop reseeds per (epoch, step) anyway.
    /// </summary>
    public string RngState { get; init; } = "";
    public DateTime SavedAt { get; init; }
}

/// <summary>
/// One checkpoint file: a magic line, a JSON header, the model's state dict and optionally the optimizer's.
/// Written atomically, so a crash during a save leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("REGIMEN-CHECKPOINT\n");

    public static void Save(string path, CheckpointHeader header, nn.Module model, OptimizerHelper? optimizer,
        nn.Module? ema = null)
    {
        using var rng = get_rng_state();
        header = header with
        {
            HasOptimizer = optimizer != null,
            HasEma = ema != null,
            RngState = Convert.ToBase64String(rng.data<byte>().ToArray()),
            SavedAt = DateTime.UtcNow,
        };
        using var plain = MemoryLayout.PlainForSerialization(model, optimizer, ema);
        Write(path, header, writer =>
        {
            model.save(writer);
            optimizer?.save_state_dict(writer);
            ema?.save(writer);
        });
    }

    /// <summary>
    /// The file layout, atomically: the marker, the JSON header, then the tensors <paramref name="body"/> writes.
    /// </summary>
    static void Write(string path, CheckpointHeader header, Action<BinaryWriter> body) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(header));
            body(writer);
        });

    /// <summary>Changes a checkpoint's header and keeps its tensors, atomically.</summary>
    public static void Rewrite(string path, Func<CheckpointHeader, CheckpointHeader> change)
    {
        CheckpointHeader header;
        byte[] rest;
        using (var reader = Open(path))
        {
            header = ReadHeader(reader, path);
            using var tail = new MemoryStream();
            reader.BaseStream.CopyTo(tail);
            rest = tail.ToArray();
        }
        Write(path, change(header), writer => writer.Write(rest));
    }

    public static CheckpointHeader ReadHeader(string path)
    {
        using var reader = Open(path);
        return ReadHeader(reader, path);
    }

    /// <summary>Rebuilds the model from the header's recipe and loads its weights.</summary>
    public static (CheckpointHeader Header, nn.Module<Tensor, Tensor> Model) LoadModel(string path)
    {
        using var reader = Open(path);
        var header = ReadHeader(reader, path);
        var recipe = RecipeLoader.Parse(header.RecipeYaml, $"{path} (recipe)");
        var model = ModelRegistry.Create(header.ModelName, new ModelOptions(header.InputChannels, header.ClassCount,
            recipe.Model.Width, recipe.Model.Depth, recipe.Model.WidenFactor, recipe.Model.Dropout,
                recipe.Model.DropPath));
        LoadWeights(reader, path, model);
        MemoryLayout.Apply(model, header.InputChannels, recipe.Model.ChannelsLast);
        return (header, model);
    }

    /// <summary>Loads weights (and the optimizer's state, when present) into an existing model, for resume.</summary>
    public static CheckpointHeader LoadInto(string path, nn.Module model, OptimizerHelper? optimizer,
        nn.Module? ema = null)
    {
        using var reader = Open(path);
        var header = ReadHeader(reader, path);
        using var plain = MemoryLayout.PlainForSerialization(model, optimizer, ema);
        LoadWeights(reader, path, model);
        if (optimizer != null && header.HasOptimizer)
        {
            try { optimizer.load_state_dict(reader); }
            catch (Exception e) when (e is not RegimenException)
            {
                throw new RegimenException($"{path}: the optimizer state does not match this recipe's optimizer " +
                    $"({e.Message})");
            }
            if (ema != null && header.HasEma) LoadWeights(reader, path, ema);
        }
        return header;
    }

    static void LoadWeights(BinaryReader reader, string path, nn.Module model)
    {
        try { model.load(reader, strict: true); }
        catch (Exception e) when (e is not RegimenException)
        {
            throw new RegimenException($"{path}: the weights do not fit model '{model.GetName()}' ({e.Message}). Was " +
                $"it saved from another model or recipe?");
        }
    }

    static BinaryReader Open(string path)
    {
        if (!File.Exists(path)) throw new RegimenException($"{path}: checkpoint not found");
        var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            reader.Dispose();
            throw new RegimenException($"{path}: not a Regimen checkpoint (it does not start with the checkpoint " +
                $"marker)");
        }
        return reader;
    }

    static CheckpointHeader ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointHeader>(reader.ReadString())
                ?? throw new RegimenException($"{path}: empty checkpoint header");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new RegimenException($"{path}: truncated or corrupt checkpoint header ({e.Message})");
        }
    }
}
