using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// bfloat16 training with fp32 master weights (TorchSharp has no autocast): a bf16 copy of the model runs the
/// forward and backward passes; before each step it takes the master weights, after it hands its gradients back
/// as fp32 and its BatchNorm statistics too, and the optimizer, the EMA, evaluation and checkpoints all use the
/// fp32 master. On CPUs without native bf16 (avx512_bf16, amx_bf16) libtorch emulates it: correct, but slower.
/// As the loop's hook it pulls the weights and computes the forward pass before each batch and pushes the gradients
/// after backward.
/// </summary>
public sealed class MixedPrecision : TrainingCallback, IDisposable
{
    readonly List<(Tensor Master, Tensor Compute)> parameters = new();
    readonly List<(Tensor Master, Tensor Compute)> buffers = new();

    public MixedPrecision(nn.Module<Tensor, Tensor> master, nn.Module<Tensor, Tensor> compute)
    {
        Compute = compute;
        compute.to(ScalarType.BFloat16);
        // The bf16 copy computes in the master's layout, the one MemoryLayout.Choose found fastest for these channel
        // counts.
        if (Models.MemoryLayout.HasChannelsLast(master)) Models.MemoryLayout.ToChannelsLast(compute);
        var computeParameters = compute.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var (name, p) in master.named_parameters()) parameters.Add((p, computeParameters[name]));
        var computeBuffers = compute.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in master.named_buffers())
            if (b.is_floating_point()) buffers.Add((b, computeBuffers[name]));
    }

    public nn.Module<Tensor, Tensor> Compute { get; }

    /// <summary>Whether this CPU computes bfloat16 natively.</summary>
    public static bool NativeSupport() => Cpu.Has("avx512_bf16") || Cpu.Has("amx_bf16");

    public override void BeforeBatch(TrainingContext context, TrainingStep step)
    {
        PullWeights();
        step.Forward = x => Compute.forward(x.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float32);
    }

    public override void AfterBackward(TrainingContext context, TrainingStep step) => PushGradients();

    /// <summary>Master weights (and BatchNorm statistics) into the bf16 copy, before a forward pass.</summary>
    public void PullWeights()
    {
        using var _ = no_grad();
        foreach (var (m, c) in parameters)
        {
            c.copy_(m);
            c.requires_grad = m.requires_grad;
        }
        foreach (var (m, c) in buffers) c.copy_(m);
    }

    /// <summary>
    /// The bf16 gradients as the master's fp32 gradients, and the statistics the forward pass updated, after backward.
    /// </summary>
    public void PushGradients()
    {
        using var _ = no_grad();
        foreach (var (m, c) in parameters)
        {
            var g = c.grad;
            if (g is null) continue;
            if (m.grad is null) m.grad = g.to_type(ScalarType.Float32);
            else m.grad.add_(g.to_type(ScalarType.Float32));
            c.grad = null;
        }
        foreach (var (m, c) in buffers) m.copy_(c);
    }

    public void Dispose() => Compute.Dispose();
}
