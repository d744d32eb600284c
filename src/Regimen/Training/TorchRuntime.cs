using TorchSharp;

namespace Regimen.Training;

/// <summary>Process-wide libtorch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    /// <summary>Sets libtorch's intra-op threads: <paramref name="threads"/>, or one per core when 0.</summary>
    public static void Configure(int threads)
    {
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
    }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
