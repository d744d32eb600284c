using System.Runtime.InteropServices;

namespace Regimen;

/// <summary>
/// What the processor offers, as Linux reports it in /proc/cpuinfo (its model name and feature flags).
/// </summary>
public static class Cpu
{
    static readonly Lazy<(string Model, HashSet<string> Flags)> info = new(Read);

    public static string Model => info.Value.Model;

    /// <summary>Whether the kernel lists this feature flag (avx2, avx512f, avx512_bf16, amx_bf16...).</summary>
    public static bool Has(string flag) => info.Value.Flags.Contains(flag);

    static (string, HashSet<string>) Read()
    {
        string? model = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // The first processor's lines say it for all of them.
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length < 2) continue;
                var key = parts[0].Trim();
                if (key == "model name") model ??= parts[1].Trim();
                else if (key == "flags" && flags.Count == 0)
                    flags.UnionWith(parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                if (model is not null && flags.Count > 0) break;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return (model ?? RuntimeInformation.ProcessArchitecture.ToString(), flags);
    }
}
