using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Regimen.Runs.Readers;

/// <summary>
/// One epoch's values by name, in the order they were first read: a read-only dictionary held as two arrays, the
/// names' shared by every epoch that has the same names. A text log of 10^5 epochs keeps one of these per epoch until
/// it is assembled; a dictionary each was most of what reading it allocated, and what the collector had to move.
/// </summary>
internal sealed class EpochValues : IReadOnlyDictionary<string, double>
{
    readonly EpochNames names;
    readonly double[] values;

    public EpochValues(EpochNames names, double[] values)
    {
        if (names.Names.Length != values.Length) throw new ArgumentException("one value per name", nameof(values));
        (this.names, this.values) = (names, values);
    }

    public int Count => values.Length;
    public IEnumerable<string> Keys => names.Names;
    public IEnumerable<double> Values => values;

    public double this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no value named '{key}'");

    public bool ContainsKey(string key) => names.IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out double value)
    {
        int i = names.IndexOf(key);
        value = i >= 0 ? values[i] : 0;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        for (int i = 0; i < values.Length; i++) yield return new(names.Names[i], values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The names of an epoch's values, in order, shared by the epochs that have the same names.</summary>
internal sealed class EpochNames(string[] names)
{
    public string[] Names { get; } = names;
    Dictionary<string, int>? index;

    /// <summary>Where a name is (-1 if absent): a scan of a few names, a hash lookup of many.</summary>
    public int IndexOf(string key)
    {
        var all = Names;
        if (all.Length <= 8)
        {
            for (int i = 0; i < all.Length; i++) if (ReferenceEquals(all[i], key)) return i;
            for (int i = 0; i < all.Length; i++) if (string.Equals(all[i], key, StringComparison.Ordinal)) return i;
            return -1;
        }
        var built = Volatile.Read(ref index);
        if (built is null)
        {
            built = new Dictionary<string, int>(all.Length, StringComparer.Ordinal);
            for (int i = 0; i < all.Length; i++) built.TryAdd(all[i], i);
            Volatile.Write(ref index, built);
        }
        return built.TryGetValue(key, out int at) ? at : -1;
    }
}
