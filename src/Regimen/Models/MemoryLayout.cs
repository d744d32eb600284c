using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Models;

/// <summary>
/// Channels-last (NHWC) layout without a memory-format API: TorchSharp 0.107 has none, but a tensor whose strides
/// are NHWC's is channels-last to libtorch, which then picks its NHWC convolution, BatchNorm and pooling kernels
/// and keeps the layout through the network.
/// </summary>
public static class MemoryLayout
{
    /// <summary>
    /// The same values with NHWC strides; a tensor that is not 4-D, or is already NHWC, is returned as it is.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        if (x.dim() != 4 || IsChannelsLast(x)) return x;
        var y = empty_strided(x.shape, ChannelsLastStrides(x.shape), x.dtype, x.device);
        using (no_grad()) y.copy_(x);
        return y;
    }

    /// <summary>Whether the strides are exactly NHWC's, as libtorch's channels-last format computes them (dimensions of
    /// size 1 included: a 1x1 convolution's weight with plain strides is not taken for NHWC).</summary>
    public static bool IsChannelsLast(Tensor x) => x.dim() == 4 &&
        x.stride().SequenceEqual(ChannelsLastStrides(x.shape));

    static long[] ChannelsLastStrides(long[] shape)
    {
        long c = shape[1], h = shape[2], w = shape[3];
        return new[] { h * w * c, 1, w * c, c };
    }

    /// <summary>Moves every 4-D parameter (convolution weights) to NHWC strides in place, as PyTorch's
    /// model.to(memory_format=torch.channels_last) does; call before an optimizer is made.</summary>
    public static void ToChannelsLast(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        foreach (var p in model.parameters())
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var nhwc = ToChannelsLast((Tensor)p);
            p.set_(nhwc);
        }
    }

    /// <summary>
    /// The fewest channels a convolution may have for the model to run in NHWC (see <see cref="Choose"/>).
    /// </summary>
    public const int MinChannelsLast = 8;

    /// <summary>
    /// The layout a model runs in, and why: NHWC where the recipe asks for it (model.channels_last) and every
    /// convolution has at least 8 channels (the image's own channels in the stem exempt); NCHW otherwise, as NHWC
    /// was measured twice as slow at 4 channels and 12 % faster at 8 (bench/RESULTS.md). Both compute the same values
    /// up to float rounding (GradientCheckTests).
    /// </summary>
    public static LayoutChoice Choose(nn.Module model, int imageChannels, bool preferChannelsLast)
    {
        if (!preferChannelsLast) return new LayoutChoice(false, "NCHW, as model.channels_last: false asks");
        foreach (var (name, module) in model.named_modules())
        {
            if (module is not Conv2d conv) continue;
            long outChannels = conv.weight.shape[0], inChannels = conv.weight.shape[1];
            if (outChannels < MinChannelsLast || (inChannels != imageChannels && inChannels < MinChannelsLast))
                return new LayoutChoice(false, $"NCHW: convolution {name} has {inChannels} -> {outChannels} " +
                    $"channels, and below {MinChannelsLast} NHWC is slower");
        }
        return new LayoutChoice(true, "NHWC weights and activations, as model.channels_last asks");
    }

    /// <summary>Chooses the layout and moves the model to it (see <see cref="Choose"/>).</summary>
    public static LayoutChoice Apply(nn.Module model, int imageChannels, bool preferChannelsLast)
    {
        var choice = Choose(model, imageChannels, preferChannelsLast);
        if (choice.ChannelsLast) ToChannelsLast(model);
        return choice;
    }

    /// <summary>Moves every 4-D parameter back to plain (NCHW) strides in place.</summary>
    public static void ToContiguous(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        foreach (var p in model.parameters())
        {
            if (p.dim() != 4 || p.is_contiguous()) continue;
            using var plain = p.contiguous();
            p.set_(plain);
        }
    }

    /// <summary>
    /// Whether any 4-D parameter of the model has NHWC strides (and is not also plain, as a 1x1 weight can be).
    /// </summary>
    public static bool HasChannelsLast(nn.Module model) =>
        model.parameters().Any(p => p.dim() == 4 && !p.is_contiguous() && IsChannelsLast(p));

    /// <summary>
    /// TorchSharp writes and reads tensors as raw contiguous bytes and refuses NHWC strides. Inside this scope a
    /// channels-last model, its moving average and its optimizer's 4-D state tensors (momentum, Adam moments) are
    /// plain; at its end they are channels-last again. For a plain model it does nothing.
    /// </summary>
    public static IDisposable PlainForSerialization(nn.Module model, OptimizerHelper? optimizer = null,
        nn.Module? ema = null)
    {
        if (!HasChannelsLast(model)) return NoScope.Instance;
        ToContiguous(model);
        if (ema != null) ToContiguous(ema);
        if (optimizer != null) ConvertState(optimizer, toChannelsLast: false);
        return new RestoreScope(() =>
        {
            ToChannelsLast(model);
            if (ema != null) ToChannelsLast(ema);
            if (optimizer != null) ConvertState(optimizer, toChannelsLast: true);
        });
    }

    // TorchSharp's optimizer states keep their tensors in public fields (momentum_buffer, exp_avg, ...).
    static void ConvertState(OptimizerHelper optimizer, bool toChannelsLast)
    {
        using var noGrad = torch.no_grad();
        foreach (var state in optimizer.state_dict().State)
        {
            if (state is null) continue;
            foreach (var field in state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (field.FieldType != typeof(Tensor) || field.GetValue(state) is not Tensor t || t.dim() != 4)
                    continue;
                var converted = toChannelsLast ? ToChannelsLast(t) : t.is_contiguous() ? t : t.contiguous();
                if (ReferenceEquals(converted, t)) continue;
                // A save inside a training step's dispose scope must not hand the optimizer a tensor the scope frees.
                field.SetValue(state, converted.DetachFromDisposeScope());
                t.Dispose();
            }
        }
    }

    sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    sealed class RestoreScope(Action restore) : IDisposable
    {
        bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            restore();
        }
    }
}

/// <summary>
/// The memory layout a model runs in (NHWC when <c>ChannelsLast</c>, else NCHW) and the reason for it.
/// </summary>
public sealed record LayoutChoice(bool ChannelsLast, string Reason)
{
    public string Name => ChannelsLast ? "channels_last" : "contiguous";
}
