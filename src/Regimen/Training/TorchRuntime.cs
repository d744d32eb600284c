using System.Runtime.InteropServices;
using TorchSharp;

namespace Regimen.Training;

/// <summary>Process-wide libtorch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    /// <summary>Sets libtorch's intra-op threads: <paramref name="threads"/>, or one per core when 0.</summary>
    public static void Configure(int threads)
    {
        LimitMallocArenas();
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    static bool arenasLimited;

    /// <summary>
    /// glibc gives every thread that allocates its own malloc arena; tensors made on the loader's worker thread and
    /// freed on the training thread then fragment them and RSS creeps up epoch after epoch. Two arenas keep it flat.
    /// </summary>
    static void LimitMallocArenas()
    {
        if (arenasLimited || !OperatingSystem.IsLinux()) return;
        arenasLimited = true;
        const int M_ARENA_MAX = -8;
        try { Mallopt(M_ARENA_MAX, 2); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
