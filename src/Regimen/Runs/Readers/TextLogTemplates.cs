using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Regimen.Runs.Readers;

/// <summary>Where <c>FindEpoch</c> found a line's epoch number: its digits, the total's ("Epoch 3/50"), and the part
/// of the line it blanked.</summary>
internal readonly record struct EpochDigits(int At, int Length, int TotalAt, int TotalLength, int BlankAt,
    int BlankLength);

/// <summary>A pair as a template keeps it: where its value's text starts (after the separator) and ends, what was
/// read there (a running average in parentheses, a percent sign), whether the key says "average", and where the key
/// is on the line.</summary>
internal readonly record struct TemplatePair(int ValueStart, int End, bool RunningAverage, bool Percent,
    bool Average, int KeyAt, int KeyLength, int KeyStart);

/// <summary>
/// A scanned line kept to read the lines shaped like it: the same text but for digits that are no part of a key
/// ("Train: 3 [ 250/1000 ( 25%)]  Loss: 0.4123 ..." after "Train: 3 [ 125/1000 ( 12%)]  Loss: 0.4517 ..."). Every
/// decision of a scan looks at what kind of character each one is (digit, letter, separator, space), not at which
/// digit it is, except in three places: the numbers read, the keys' text ("acc1" is not "acc5"), and whether a "/"
/// after a number makes a fraction (a zero denominator does not) or a line names the class count; a line where the
/// last two come up is never kept. So a line of the same shape scans the same, and only its numbers are parsed again
/// (each checked to end where the kept line's did).
/// </summary>
internal sealed class LineTemplate
{
    /// <summary>The cleaned line, before its epoch number was blanked.</summary>
    public char[] Text = new char[128];
    public int Length;
    /// <summary>0xFFFF where a key the scan examined lies: its digits must be the same.</summary>
    public ushort[] KeyMask = new ushort[128];
    public ScannedLine Line;
    public EpochDigits Epoch;
    /// <summary>The scan took a decision that depends on which digits the line has.</summary>
    public bool Impure;
    public readonly List<(Phase Phase, int At)> PhaseWords = new();
    public readonly List<TemplatePair> Pairs = new();
    readonly List<(int At, int Length)> keys = new();

    /// <summary>Starts recording the scan of <paramref name="line"/>.</summary>
    public void Start(ReadOnlySpan<char> line)
    {
        if (Text.Length < line.Length)
        {
            Text = new char[Math.Max(line.Length, 2 * Text.Length)];
            KeyMask = new ushort[Text.Length];
        }
        line.CopyTo(Text);
        Length = line.Length;
        Epoch = default;
        Impure = false;
        PhaseWords.Clear();
        Pairs.Clear();
        keys.Clear();
    }

    /// <summary>A key the scan read (whether or not it kept the pair).</summary>
    public void Examined(int at, int length) => keys.Add((at, length));

    /// <summary>Ends the recording: the line's scan and its phase words.</summary>
    public void Finish(in ScannedLine line, ReadOnlySpan<(Phase Phase, int At)> phaseWords)
    {
        Line = line;
        foreach (var word in phaseWords) PhaseWords.Add(word);
        KeyMask.AsSpan(0, Length).Clear();
        foreach (var (at, length) in keys) KeyMask.AsSpan(at, length).Fill(0xFFFF);
    }

    /// <summary>Where <paramref name="part"/>, a slice of <paramref name="line"/>, starts in it.</summary>
    public static int OffsetIn(ReadOnlySpan<char> line, ReadOnlySpan<char> part) =>
        (int)(Unsafe.ByteOffset(ref MemoryMarshal.GetReference(line), ref MemoryMarshal.GetReference(part)) /
            sizeof(char));

    /// <summary>Whether <paramref name="line"/> has this one's shape: the same length, the same characters but for
    /// digits in both outside the keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Matches(ReadOnlySpan<char> line)
    {
        if (line.Length != Length) return false;
        var text = Text.AsSpan(0, Length);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var a = MemoryMarshal.Cast<char, ushort>(line);
            var b = MemoryMarshal.Cast<char, ushort>(text);
            var zero = Vector128.Create((ushort)'0');
            var nine = Vector128.Create((ushort)9);
            for (; i + Vector128<ushort>.Count <= Length; i += Vector128<ushort>.Count)
            {
                var x = Vector128.Create(a.Slice(i, Vector128<ushort>.Count));
                var y = Vector128.Create(b.Slice(i, Vector128<ushort>.Count));
                var digits = Vector128.LessThanOrEqual(x - zero, nine) & Vector128.LessThanOrEqual(y - zero, nine) &
                    ~Vector128.Create(KeyMask.AsSpan(i, Vector128<ushort>.Count));
                if ((Vector128.Equals(x, y) | digits) != Vector128<ushort>.AllBitsSet) return false;
            }
        }
        for (; i < Length; i++)
            if (line[i] != text[i] && (!char.IsAsciiDigit(line[i]) || !char.IsAsciiDigit(text[i]) || KeyMask[i] != 0))
                return false;
        return true;
    }
}

public sealed partial class TextLogParser
{
    internal sealed partial class LineScanner
    {
        /// <summary>Lines of these shapes were scanned, the last used first.</summary>
        readonly List<LineTemplate> kept = new();
        LineTemplate? spare;
        double[] values = new double[16];
        char[] blanked = new char[64];
        int scans, replays;
        bool replaying = true;
        const int MaxTemplates = 16;

        /// <summary>Lines replayed from a template (tests count them).</summary>
        internal int Replays => replays;

        LineTemplate Record(ReadOnlySpan<char> line)
        {
            var template = spare ?? new LineTemplate();
            spare = null;
            template.Start(line);
            return template;
        }

        /// <summary>Keeps a recorded scan as a template, unless it depended on digits.</summary>
        void Keep(LineTemplate template, in ScannedLine line, ScannedLines into)
        {
            if (template.Impure || line.Classes is not null || line.ValidationSize is not null)
            {
                spare = template;
                return;
            }
            template.Finish(line, CollectionsMarshal.AsSpan(into.PhaseWords).Slice(line.PhaseStart, line.PhaseCount));
            kept.Insert(0, template);
            if (kept.Count > MaxTemplates)
            {
                spare = kept[^1];
                kept.RemoveAt(kept.Count - 1);
            }
            // A log whose lines seldom repeat a shape (every line different) is read in full, without the cost of
            // keeping templates.
            if (++scans >= 4096 && replays < scans / 4)
            {
                replaying = false;
                kept.Clear();
            }
        }

        /// <summary>Reads a line from the template of its shape, if one is kept: what the scan of
        /// <paramref name="work"/> would give, its numbers parsed from it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        bool Replay(Span<char> work, ScannedLines into, ref ScannedLine line)
        {
            if (!replaying) return false;
            int found = -1;
            for (int k = 0; k < kept.Count; k++)
                if (kept[k].Matches(work)) { found = k; break; }
            if (found < 0) return false;
            var t = kept[found];
            var e = t.Epoch;
            int? marker = t.Line.Marker is null ? null : Parse(work.Slice(e.At, e.Length));
            int? total = t.Line.Total is null ? null : Parse(work.Slice(e.TotalAt, e.TotalLength));
            if (blanked.Length < e.BlankLength) blanked = new char[e.BlankLength];
            work.Slice(e.BlankAt, e.BlankLength).CopyTo(blanked);
            work.Slice(e.BlankAt, e.BlankLength).Fill(' ');
            if (values.Length < t.Pairs.Count) values = new double[2 * t.Pairs.Count];
            for (int i = 0; i < t.Pairs.Count; i++)
            {
                var p = t.Pairs[i];
                bool fraction = false;
                if (!TryValue(work, p.ValueStart, out values[i], out int end, out bool average, out bool percent,
                    ref fraction) || fraction || end != p.End || average != p.RunningAverage || percent != p.Percent)
                {
                    // Not this shape after all (it cannot be, by the argument above): read in full.
                    blanked.AsSpan(0, e.BlankLength).CopyTo(work.Slice(e.BlankAt, e.BlankLength));
                    return false;
                }
            }
            if (found > 0)
            {
                kept.RemoveAt(found);
                kept.Insert(0, t);
            }
            replays++;
            line = t.Line;
            line.Marker = marker;
            line.Total = total;
            line.PhaseStart = into.PhaseWords.Count;
            into.PhaseWords.AddRange(t.PhaseWords);
            line.PairStart = into.Pairs.Count;
            for (int i = 0; i < t.Pairs.Count; i++)
            {
                var p = t.Pairs[i];
                var (at, length) = into.AddKey(work.Slice(p.KeyAt, p.KeyLength));
                into.Pairs.Add(new ScannedPair(at, length, p.KeyStart, values[i], p.RunningAverage || p.Average,
                    p.Percent));
            }
            return true;
        }
    }
}
