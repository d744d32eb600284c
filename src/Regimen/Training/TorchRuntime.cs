using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Regimen.Training;

/// <summary>Process-wide libtorch settings, applied once before any tensor work.</summary>
public static class TorchRuntime
{
    /// <summary>Set to <c>default</c> to leave glibc's malloc and libtorch's allocator as they come.</summary>
    public const string NativeMemoryVariable = "REGIMEN_NATIVE_MEMORY";

    /// <summary>libtorch 2.x's own switch (read once, at its first allocation): buffers of 2 MB and more are
    /// advised to the kernel as transparent huge pages. Off unless the user sets it.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    /// <summary>Sets libtorch's intra-op threads: <paramref name="threads"/>, or one per core when 0.</summary>
    public static void Configure(int threads)
    {
        TuneNativeMemory();
        OneDnnCacheFix.Apply();
        int n = threads > 0 ? threads : Environment.ProcessorCount;
        if (torch.get_num_threads() != n) torch.set_num_threads(n);
    }

    /// <summary>
    /// Whether this process runs with the tuned native memory settings (recorded in each run's summary).
    /// </summary>
    public static bool NativeMemoryTuned { get; private set; }

    static bool nativeMemoryApplied;

    /// <summary>Whether libtorch was told to use transparent huge pages for large buffers.</summary>
    public static bool HugePages => Marshal.PtrToStringAnsi(GetEnv(HugePagesVariable)) is "1" or "true" or "ON" or "on";

    // Runs when the assembly loads, before the first tensor: malloc's thresholds then hold for every buffer.
    // Library code is not supposed to need a module initializer (CA2255); here nothing else comes early enough.
#pragma warning disable CA2255
    [ModuleInitializer]
    internal static void OnLoad() => TuneNativeMemory();
#pragma warning restore CA2255

    /// <summary>
    /// A training step allocates and frees the same activation buffers again and again. With glibc's defaults,
    /// buffers above the (dynamic) mmap threshold are mapped afresh and freed memory is trimmed back to the kernel,
    /// so every step pays page faults and page zeroing for memory it just gave back: about 15 000 faults a step for
    /// a small ResNet, twice PyTorch 1.13's count. Keeping buffers up to 32 MB in the heap and trimming it only
    /// beyond 1 GB of free top cut the faults by a factor of 10 and made training 25-30 % faster at the same peak RSS
    /// (bench/RESULTS.md). 32 MB is the most glibc lets the mmap threshold be, so larger buffers (a 64-channel
    /// activation of 128 images at 32 px, a batch of 224 px images) are kept in the heap by allowing no mmap at all
    /// (M_MMAP_MAX = 0): cifar_resnet18 at 32 px then trained 29 % faster and the 224 px loader 1.6-3 times faster,
    /// for 17 % more peak RSS. libtorch's own huge-page switch (THP_MEM_ALLOC_ENABLE=1) is left to the user: here it
    /// gained nothing more and raised RSS by a quarter.
    /// Two malloc arenas: tensors made on the loader's worker thread and freed on the training thread would
    /// otherwise fragment one arena per thread and RSS would creep up epoch after epoch.
    /// </summary>
    static void TuneNativeMemory()
    {
        if (nativeMemoryApplied || !OperatingSystem.IsLinux()) return;
        nativeMemoryApplied = true;
        try
        {
            const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3, M_MMAP_MAX = -4, M_ARENA_MAX = -8;
            _ = Mallopt(M_ARENA_MAX, 2);
            if (Environment.GetEnvironmentVariable(NativeMemoryVariable) == "default") return;
            _ = Mallopt(M_MMAP_THRESHOLD, 32 << 20);
            _ = Mallopt(M_TRIM_THRESHOLD, 1 << 30);
            _ = Mallopt(M_MMAP_MAX, 0);
            NativeMemoryTuned = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>
    /// Hands the heap's free memory back to the kernel (malloc_trim); false where that is not possible.
    /// </summary>
    public static bool TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { _ = MallocTrim(0); return true; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPStr)] string name);

    public static string TorchSharpVersion =>
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
}
