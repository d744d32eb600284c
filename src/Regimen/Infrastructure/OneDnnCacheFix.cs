using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Regimen;

/// <summary>
/// oneDNN 3.7, inside libtorch 2.10, sizes the blocking of its convolution kernels from the CPU's cache sizes, which
/// its copy of Xbyak reads on AMD processors from CPUID leaf 0x8000001D. Some hypervisors announce that leaf and
/// return zeros from it (no cache in /sys/devices/system/cpu/cpu0/cache either): Xbyak then records three caches of
/// one byte each, and the kernels oneDNN builds for them compute wrong results (convolution input gradients off by
/// half their size, NaN), write past their buffers (glibc: "corrupted size vs. prev_size") or divide by zero
/// (SIGFPE). PyTorch 1.13's oneDNN 2.6 never read AMD cache sizes and is right on the same machines.
/// <para>
/// Where that is the case, this sets Xbyak's count of known cache levels to zero before the first convolution:
/// oneDNN then takes the defaults it uses on any CPU that reports no caches (32 KB, 512 KB and 1 MB per core), and
/// every kernel is right again (GradientCheckTests compare every model with float64). The Xbyak object is found
/// through libtorch_cpu.so's symbol table, and it is written only after its fields are seen to hold the one-byte
/// caches. <c>REGIMEN_ONEDNN_CACHES=default</c> leaves it alone.
/// </para>
/// </summary>
public static class OneDnnCacheFix
{
    public const string Variable = "REGIMEN_ONEDNN_CACHES";
    const string CpuFunction = "_ZN4dnnl4impl3cpu3x643cpuEv";          // dnnl::impl::cpu::x64::cpu()
    const string CpuObject = "_ZZN4dnnl4impl3cpu3x643cpuEvE4cpu_";     // its static Xbyak::util::Cpu
    const int MaxCacheLevels = 10;                                       // Xbyak's maxNumberCacheLevels

    static readonly object gate = new();
    static string? status;

    /// <summary>
    /// What was found and done, for the run's summary: "not needed", "applied: ..." or "failed: ...".
    /// </summary>
    public static string Status => status ?? "not checked";

    /// <summary>Applies the fix once per process where it is needed; call before the first convolution.</summary>
    public static string Apply()
    {
        lock (gate)
        {
            if (status is not null) return status;
            try { status = Run(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                or DllNotFoundException or EntryPointNotFoundException)
            {
                status = $"failed: {e.Message}";
            }
            if (status.StartsWith("failed", StringComparison.Ordinal))
                Console.Error.WriteLine("warning: this CPU reports no cache sizes and libtorch's oneDNN could not be " +
                    $"told so ({status}); convolutions may compute wrong results (bench/RESULTS.md, \"Wrong " +
                    "gradients\")");
            return status;
        }
    }

    /// <summary>Whether the CPU announces AMD's cache topology leaf and returns nothing from it.</summary>
    public static bool CacheLeafIsEmpty()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var vendor = Encoding.ASCII.GetString(MemoryMarshal.AsBytes(new[] { ebx, edx, ecx }.AsSpan()));
        if (vendor != "AuthenticAMD") return false;
        if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax < 0x8000001D) return false;
        var (eax, ebx1, ecx1, _) = X86Base.CpuId(unchecked((int)0x8000001D), 0);
        return eax == 0 && ebx1 == 0 && ecx1 == 0;
    }

    static unsafe string Run()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) == "default")
            return "not needed (turned off)";
        if (!CacheLeafIsEmpty()) return "not needed";
        _ = TorchSharp.torch.get_num_threads();   // loads libtorch
        var (path, baseAddress) = LoadedLibrary("libtorch_cpu.so");
        var symbols = ElfSymbols.Find(path, CpuFunction, CpuObject);
        if (!symbols.TryGetValue(CpuFunction, out var function) || !symbols.TryGetValue(CpuObject, out var cpu))
            return $"failed: {path} has no symbol {CpuFunction} or {CpuObject}";
        // Calling cpu() constructs the object if oneDNN has not yet: then it holds what oneDNN would see.
        var getCpu = (delegate* unmanaged<IntPtr>)(baseAddress + function.Value);
        IntPtr objectAddress = getCpu();
        if (objectAddress != checked((IntPtr)(baseAddress + cpu.Value)))
            return "failed: cpu() returned another object than its symbol names";
        var words = new Span<uint>((void*)objectAddress, (int)(cpu.Size / 4));
        int levels = FindDegenerateLevels(words);
        if (levels < 0) return "not needed (oneDNN's cache sizes look real)";
        words[levels] = 0;
        return "applied: CPUID 0x8000001D returns no caches, so oneDNN was told of none and uses its defaults";
    }

    /// <summary>
    /// The index of Xbyak's dataCacheLevels_ when it follows dataCacheSize_[10] and coresSharingDataCache_[10] and
    /// every known level is a cache of fewer than 1024 bytes; -1 when no such pattern is there.
    /// </summary>
    internal static int FindDegenerateLevels(ReadOnlySpan<uint> words)
    {
        int found = -1;
        for (int i = 2 * MaxCacheLevels; i < words.Length; i++)
        {
            uint levels = words[i];
            if (levels is 0 or > MaxCacheLevels) continue;
            bool match = true;
            for (int k = 0; k < MaxCacheLevels && match; k++)
            {
                uint size = words[i - 2 * MaxCacheLevels + k], sharing = words[i - MaxCacheLevels + k];
                match = k < levels ? size is > 0 and < 1024 && sharing > 0 : size == 0 && sharing == 0;
            }
            if (!match) continue;
            if (found >= 0) return -1;   // ambiguous: touch nothing
            found = i;
        }
        return found;
    }

    /// <summary>The file and load address of a shared library this process has mapped.</summary>
    static (string Path, long BaseAddress) LoadedLibrary(string fileName)
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[2] != "00000000" ||
                !fields[5].EndsWith("/" + fileName, StringComparison.Ordinal)) continue;
            return (fields[5], Convert.ToInt64(fields[0].Split('-')[0], 16));
        }
        throw new InvalidDataException($"{fileName} is not loaded");
    }
}

/// <summary>
/// Reads the values and sizes of named symbols from an ELF64 file's .symtab (local symbols included).
/// </summary>
internal static class ElfSymbols
{
    public readonly record struct Symbol(long Value, long Size);

    public static unsafe Dictionary<string, Symbol> Find(string path, params string[] names)
    {
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            long length = (long)view.SafeMemoryMappedViewHandle.ByteLength;
            if (length < 64 || *(uint*)start != 0x464C457F || start[4] != 2 || start[5] != 1)
                throw new InvalidDataException($"{path} is not a little-endian 64-bit ELF file");
            long sectionHeaders = *(long*)(start + 0x28);
            int entrySize = *(ushort*)(start + 0x3A), count = *(ushort*)(start + 0x3C);
            var found = new Dictionary<string, Symbol>();
            for (int s = 0; s < count; s++)
            {
                byte* header = start + sectionHeaders + (long)s * entrySize;
                if (*(uint*)(header + 4) != 2) continue;   // SHT_SYMTAB
                long symbols = *(long*)(header + 0x18), symbolsSize = *(long*)(header + 0x20);
                byte* strings = start +
                    *(long*)(start + sectionHeaders + (long)*(uint*)(header + 0x28) * entrySize + 0x18);
                long stringsSize = *(long*)(start + sectionHeaders + (long)*(uint*)(header + 0x28) * entrySize + 0x20);
                foreach (var name in names)
                {
                    // The name's offset in the string table first (one vectorized search), then the symbol that has it.
                    long offset = IndexOf(strings, stringsSize, Encoding.ASCII.GetBytes("\0" + name + "\0"));
                    if (offset < 0) continue;
                    for (long e = 0; e + 24 <= symbolsSize; e += 24)
                    {
                        byte* entry = start + symbols + e;
                        if (*(uint*)entry != offset + 1) continue;
                        found[name] = new Symbol(*(long*)(entry + 8), *(long*)(entry + 16));
                        break;
                    }
                }
            }
            return found;
        }
        finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
    }

    static unsafe long IndexOf(byte* data, long length, byte[] needle)
    {
        const int chunk = 1 << 30;
        for (long at = 0; at < length; at += chunk - needle.Length)
        {
            int size = (int)Math.Min(chunk, length - at);
            int i = new ReadOnlySpan<byte>(data + at, size).IndexOf(needle);
            if (i >= 0) return at + i;
            if (at + size >= length) break;
        }
        return -1;
    }
}
