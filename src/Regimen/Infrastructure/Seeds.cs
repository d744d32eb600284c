namespace Regimen;

/// <summary>
/// Derives independent seeds from a run's seed and counters (epoch, step) with SplitMix64, which, unlike
/// <see cref="HashCode"/>, gives the same value in every process: the basis of reproducible and resumable runs.
/// </summary>
public static class Seeds
{
    public static long Derive(long seed, params long[] counters)
    {
        ulong x = (ulong)seed;
        foreach (var c in counters) x = Mix(x ^ Mix((ulong)c + 0x9E3779B97F4A7C15UL));
        return (long)(Mix(x) & 0x7FFF_FFFF_FFFF_FFFFUL);
    }

    public static int DeriveInt(long seed, params long[] counters) => (int)(Derive(seed, counters) & 0x7FFF_FFFF);

    static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
