using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Regimen.Runs.Readers;

/// <summary>One line as <see cref="TextLogParser.LineScanner"/> read it: whether it counts, the epoch number on it,
/// its phase words and its key-value pairs (in <see cref="ScannedLines"/>).</summary>
internal struct ScannedLine
{
    /// <summary>A fence, a line outside the fences of a fenced log, an empty line or a "best ..." message.</summary>
    public bool Skip;
    /// <summary>The class count the line gives, on the first line that gives one.</summary>
    public int? Classes;
    /// <summary>The training and validation sizes the line states (Keras 2: "Train on 60000 samples, validate on
    /// 10000 samples"), on the first line that states them.</summary>
    public int? TrainSize, ValidationSize;
    /// <summary>A learning rate a callback announces (Keras' "LearningRateScheduler setting learning rate to X",
    /// "ReduceLROnPlateau reducing learning rate to X", PyTorch's "reducing learning rate of group 0 to X"); from the
    /// next epoch on where <see cref="RateFromNext"/> (a reduction at an epoch's end).</summary>
    public double? Rate;
    public bool RateFromNext;
    public int? Marker, Total;
    public Phase MarkerPhase;
    public bool StepLine, ProgressBar;
    /// <summary>A tqdm bar (█, it/s): its postfix values (loss=0.41) are the last batch's, not the epoch's mean.
    /// </summary>
    public bool Tqdm;
    /// <summary>A message about the best value ("Acc@1 best:  62.88%"): its values fill what the epoch lacks.</summary>
    public bool Best;
    public int PhaseStart, PhaseCount, PairStart, PairCount;
    /// <summary>Where the first key starts (the line's length if none).</summary>
    public int FirstKey;
}

/// <summary>What kind of message a line is, besides its values.</summary>
internal enum Message { None, Best, Checkpoint }

/// <summary>A key-value pair on a line: the key (in <see cref="ScannedLines"/>' text), where it starts on the line,
/// the value.</summary>
internal readonly record struct ScannedPair(int KeyAt, int KeyLength, int KeyStart, double Value, bool RunningAverage,
    bool Percent);

/// <summary>Scanned lines in the order of the file, with their phase words, pairs and keys' text.</summary>
internal sealed class ScannedLines
{
    public readonly List<ScannedLine> Lines = new();
    public readonly List<ScannedPair> Pairs = new();
    public readonly List<(Phase Phase, int At)> PhaseWords = new();
    char[] text = new char[4096];
    int textLength;

    public ReadOnlySpan<char> Key(in ScannedPair pair) => text.AsSpan(pair.KeyAt, pair.KeyLength);

    /// <summary>Keeps a key's text, a run of spaces in it as one ("Training    loss" is "Training loss"); returns
    /// where it starts and how long it is.</summary>
    public (int At, int Length) AddKey(ReadOnlySpan<char> key)
    {
        if (textLength + key.Length > text.Length)
            Array.Resize(ref text, Math.Max(2 * text.Length, textLength + key.Length));
        int at = textLength;
        if (key.IndexOf("  ") < 0)
        {
            key.CopyTo(text.AsSpan(textLength));
            textLength += key.Length;
        }
        else
            for (int i = 0; i < key.Length; i++)
                if (key[i] != ' ' || i == 0 || key[i - 1] != ' ') text[textLength++] = key[i];
        return (at, textLength - at);
    }

    public void Clear()
    {
        Lines.Clear();
        Pairs.Clear();
        PhaseWords.Clear();
        textLength = 0;
    }
}

public sealed partial class TextLogParser
{
    /// <summary>
    /// What a line says by itself, before what came before it is known (the epoch it belongs to, the phase of its
    /// block): cleaned, its epoch number blanked out, its phase words and pairs found. Its only state is whether a
    /// fence is open and whether the class count was found, so it can run on its own thread, ahead of the parser.
    /// </summary>
    /// <remarks>A line shaped like one scanned before (the same text but for digits outside its keys) is read again
    /// from what that scan found (<see cref="LineTemplate"/>): only its numbers are parsed.</remarks>
    internal sealed partial class LineScanner(bool fencedOnly, bool templates = true)
    {
        bool inFence, classesFound, sizesFound;

        /// <summary>Scans one line (without its newline) into <paramref name="into"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Scan(ReadOnlySpan<char> raw, ScannedLines into)
        {
            var line = new ScannedLine
            {
                Skip = true, PhaseStart = into.PhaseWords.Count, PairStart = into.Pairs.Count,
            };
            var work = Clean(raw);
            if (templates && (!fencedOnly || inFence) && Replay(work, into, ref line))
            {
                into.Lines.Add(line);
                return;
            }
            var trimmed = ((ReadOnlySpan<char>)work).Trim();
            LineTemplate? record = null;
            if (trimmed.StartsWith("```") || trimmed.StartsWith("~~~")) inFence = !inFence;
            else if ((!fencedOnly || inFence) && trimmed.Length > 0)
            {
                // A line that names the class count or the data sizes is read in full: whether it gives them
                // depends on its digits.
                record = templates && (classesFound || IndexOfWord(work, "classes") < 0) &&
                    (sizesFound || work.IndexOf("validate on ", StringComparison.Ordinal) < 0) ? Record(work) : null;
                // A rate a callback announces is the line's only value (its "Epoch 00005:" counts the scheduler's
                // steps, not always the loop's epochs); such lines are never templates.
                if (AnnouncedRate(work, out double rate, out line.RateFromNext))
                {
                    line.Rate = rate;
                    line.Skip = false;
                    record = null;
                }
                else if (!sizesFound && Sizes(work) is ({ } train, { } validation))
                {
                    (line.TrainSize, line.ValidationSize) = (train, validation);
                    sizesFound = true;
                }
                if (line.Rate is null && !classesFound && FindClasses(work) is { } classes)
                {
                    line.Classes = classes;
                    classesFound = true;
                }
                // "[Checkpoint] Saved → best.pth (epoch=1, val_acc=60.9415)": a message that repeats a value, in its
                // own format, not an epoch's values. "Best val Acc: 0.94", "*** Best metric: 75.2 (epoch 3)" repeat a
                // value too, but "Acc@1 best:  62.88%" after the validation batches is the only place the epoch's
                // accuracy is printed: a "best" line gives what the epoch's own lines did not (its epoch number is
                // the best epoch's, not the one being read).
                var message = line.Rate is null ? FindPhaseWords(work, into.PhaseWords) : Message.Checkpoint;
                if (message != Message.Checkpoint)
                {
                    line.Skip = false;
                    line.Best = message == Message.Best;
                    if (!line.Best)
                    {
                        line.Marker = FindEpoch(work, out line.MarkerPhase, out line.Total, out var digits);
                        if (record is not null) record.Epoch = digits;
                        line.StepLine = IsStepLine(work, out line.ProgressBar, out line.Tqdm);
                    }
                    line.FirstKey = FindPairs(work, into, line.Best, record);
                }
            }
            if (line.Skip) CollectionsMarshal.SetCount(into.PhaseWords, line.PhaseStart);
            line.PhaseCount = into.PhaseWords.Count - line.PhaseStart;
            line.PairCount = into.Pairs.Count - line.PairStart;
            into.Lines.Add(line);
            if (record is not null) Keep(record, line, into);
        }

        char[] scratch = new char[256];

        /// <summary>
        /// The line's last carriage-return state with ANSI escapes removed, in a buffer this scanner reuses.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        Span<char> Clean(ReadOnlySpan<char> raw)
        {
            var line = raw;
            while (line.Length > 0 && line[^1] is '\r' or '\n') line = line[..^1];
            int cr;
            while ((cr = line.LastIndexOf('\r')) >= 0)
            {
                if (line[(cr + 1)..].Trim().Length > 0) { line = line[(cr + 1)..]; break; }
                line = line[..cr];
            }
            // A run of backspaces erases what is before it (a bar redrawn without a carriage return).
            if (line.IndexOf('\b') >= 0) line = Erase(line);
            if (scratch.Length < line.Length) scratch = new char[Math.Max(line.Length, scratch.Length * 2)];
            if (line.IndexOf('\x1b') < 0)
            {
                line.CopyTo(scratch);
                return Untensor(scratch.AsSpan(0, line.Length));
            }
            int n = 0;
            for (int i = 0; i < line.Length; i++)
            {
                if (line[i] != '\x1b') { scratch[n++] = line[i]; continue; }
                if (i + 1 < line.Length && line[i + 1] == '[')
                {
                    i += 2;
                    while (i < line.Length && !(line[i] >= '@' && line[i] <= '~')) i++;
                }
                else if (i + 1 < line.Length && line[i + 1] == ']')
                {
                    i += 2;
                    while (i < line.Length && line[i] != '\x07' && line[i] != '\x1b') i++;
                }
                else i++;
            }
            return Untensor(scratch.AsSpan(0, n));
        }

        /// <summary>The line as a terminal shows it after its backspaces: the last non-blank state.</summary>
        static string Erase(ReadOnlySpan<char> line)
        {
            var kept = new System.Text.StringBuilder();
            string last = "";
            for (int i = 0; i < line.Length; i++)
            {
                if (line[i] != '\b') { kept.Append(line[i]); continue; }
                if ((i == 0 || line[i - 1] != '\b') && kept.ToString().Trim().Length > 0) last = kept.ToString();
                if (kept.Length > 0) kept.Length--;
            }
            return kept.ToString().Trim().Length > 0 ? kept.ToString() : last;
        }

        /// <summary>
        /// A PyTorch tensor printed as a value, "acc: tensor(0.8184, device='cuda:0', dtype=torch.float64)", made
        /// the number it holds ("acc: 0.8184"), in place.
        /// </summary>
        static Span<char> Untensor(Span<char> s)
        {
            const string Tensor = "tensor(";
            int at = s.IndexOf(Tensor);
            if (at < 0) return s;
            int n = at;
            for (int i = at; i < s.Length;)
            {
                if (!s[i..].StartsWith(Tensor))
                {
                    s[n++] = s[i++];
                    continue;
                }
                i += Tensor.Length;
                while (i < s.Length && s[i] is not (',' or ')')) s[n++] = s[i++];
                int depth = 1;
                for (; i < s.Length && depth > 0; i++) depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
            }
            return s[..n];
        }

        /// <summary>
        /// "setting learning rate to X" (the epoch's own rate, Keras' LearningRateScheduler at the epoch's start) or
        /// "reducing learning rate [of group N] to X" (Keras' and PyTorch's ReduceLROnPlateau at an epoch's end: the
        /// rate of the epochs after it).
        /// </summary>
        static bool AnnouncedRate(ReadOnlySpan<char> s, out double rate, out bool fromNext)
        {
            (rate, fromNext) = (0, false);
            int at = s.IndexOf("learning rate", StringComparison.Ordinal);
            if (at < 0) return false;
            var before = s[..at].TrimEnd();
            fromNext = before.EndsWith("reducing", StringComparison.Ordinal);
            if (!fromNext && !before.EndsWith("setting", StringComparison.Ordinal)) return false;
            int to = s[at..].IndexOf(" to ", StringComparison.Ordinal);
            return to >= 0 && Number(s, at + to + 4, out rate, out _) && rate >= 0 && double.IsFinite(rate);
        }

        /// <summary>Keras 2's "Train on 60000 samples, validate on 10000 samples": the two sizes, else nulls.
        /// </summary>
        static (int? Train, int? Validation) Sizes(ReadOnlySpan<char> s)
        {
            int at = s.IndexOf("validate on ", StringComparison.Ordinal);
            if (at < 0) return (null, null);
            static int? After(ReadOnlySpan<char> s, int from)
            {
                int k = from;
                while (k < s.Length && char.IsAsciiDigit(s[k])) k++;
                return k > from && s[k..].TrimStart().StartsWith("samples", StringComparison.Ordinal)
                    ? Parse(s[from..k]) : null;
            }
            int train = s.IndexOf("Train on ", StringComparison.Ordinal);
            return (train >= 0 ? After(s, train + 9) : null, After(s, at + 12));
        }

        /// <summary>The class count on a line ("resnet18 on CIFAR100 (100 classes)", "num_classes: 10"), if
        /// any.</summary>
        static int? FindClasses(ReadOnlySpan<char> s)
        {
            int at = IndexOfWord(s, "classes");
            if (at < 0) return null;
            // "100 classes"
            int k = at - 1;
            while (k >= 0 && s[k] == ' ') k--;
            int end = k + 1;
            while (k >= 0 && char.IsAsciiDigit(s[k])) k--;
            if (end > k + 1 && Parse(s[(k + 1)..end]) is > 1 and var n) return n;
            // "num_classes: 10", "classes=10"
            k = at + 7;
            while (k < s.Length && s[k] is ' ' or ':' or '=') k++;
            int d = k;
            while (k < s.Length && char.IsAsciiDigit(s[k])) k++;
            if (k > d && k > at + 7 && (k == s.Length || !char.IsAsciiLetter(s[k])) && Parse(s[d..k]) is > 1 and var m)
                return m;
            return null;
        }

        /// <summary>
        /// Standalone phase words ("train Loss", "Test set:", "Eval begin") with their places, added to
        /// <paramref name="phaseWords"/>; whether the line is a message about the best value ("best") or a
        /// checkpoint ("saved", "saving", "checkpoint").
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static Message FindPhaseWords(Span<char> s, List<(Phase Phase, int At)> phaseWords)
        {
            var message = Message.None;
            for (int i = 0; i < s.Length;)
            {
                if (!char.IsAsciiLetter(s[i])) { i++; continue; }
                int j = i;
                while (j < s.Length && IsKeyChar(s[j])) j++;
                var word = s[i..j];
                if (word.Length is >= 3 and <= 10 && (word[0] | 0x20) is 't' or 'v' or 'e' or 'b' or 's' or 'c'
                    && AllLetters(word))
                {
                    var phase = PhaseWord(word);
                    int next = j;
                    while (next < s.Length && s[next] == ' ') next++;
                    // "train 2.6s | infer 4.4s": a phase's duration, not the phase of the values after it.
                    bool timing = next > j && next < s.Length && char.IsAsciiDigit(s[next]);
                    if (phase != Phase.None && !timing) phaseWords.Add((phase, i));
                    else if (IsCheckpointWord(word)) message = Message.Checkpoint;
                    else if (word.Equals("best", StringComparison.OrdinalIgnoreCase) && message == Message.None &&
                        !OwnKey(s, i, j))
                        message = Message.Best;
                }
                i = j;
            }
            return message;
        }

        /// <summary>
        /// Whether the word at [<paramref name="start"/>, <paramref name="end"/>) is a key by itself, between
        /// punctuation and a ':' or '=' ("| Best: 48.34% * | Patience: 0/25": one column of an epoch's line, which the
        /// key's resolution leaves out), not a message about the best value ("Best val Acc: 0.94", "Acc@1 best:").
        /// </summary>
        static bool OwnKey(ReadOnlySpan<char> s, int start, int end)
        {
            int before = start - 1;
            while (before >= 0 && s[before] == ' ') before--;
            int after = end;
            while (after < s.Length && s[after] == ' ') after++;
            return (before < 0 || !IsKeyChar(s[before])) && after < s.Length && s[after] is ':' or '=';
        }

        /// <summary>
        /// The line's key-value pairs, added to <paramref name="into"/>; returns where the first key starts (the
        /// line's length if none).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static int FindPairs(Span<char> s, ScannedLines into, bool best, LineTemplate? record)
        {
            int firstKey = s.Length;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                bool separator = c is ':' or '=';
                // "Prec@1 1.030", "Training    loss is  0.4331": a key and its number apart by spaces only.
                int next = i + 1;
                if (!separator && c == ' ') while (next < s.Length && s[next] == ' ') next++;
                bool spaced = !separator && c == ' ' && i > 0 && char.IsAsciiLetterOrDigit(s[i - 1]) &&
                              next < s.Length && (char.IsAsciiDigit(s[next]) || s[next] is '-' or '.' ||
                                  s[next] == '[' && next + 1 < s.Length && (s[next + 1] == ' ' ||
                                      char.IsAsciiDigit(s[next + 1])));
                if (!separator && !spaced) continue;
                bool fraction = false;
                if (!TryValue(s, i + 1, out var value, out int end, out bool runningAverage, out bool percent,
                    ref fraction))
                {
                    if (fraction && record is not null) record.Impure = true;
                    continue;
                }
                if (fraction && record is not null) record.Impure = true;
                if (percent && end + 1 < s.Length && s[end] == '|') continue;   // a tqdm bar's "100%|"
                var key = KeyBefore(s, i, out int keyStart);
                record?.Examined(keyStart, key.Length);
                if (best)
                {
                    var (skip, kept) = WithoutBest(key);
                    key = key.Slice(skip, kept).Trim();
                    keyStart += skip;
                }
                if (key.Length == 0) continue;
                if (spaced && !KnownQuantity(key)) continue;
                firstKey = Math.Min(firstKey, keyStart);
                // "Avg Loss [ 0.57]" beside "Loss [ 0.56]": an average is the epoch's so far, not one batch's.
                bool average = key.StartsWith("avg", StringComparison.OrdinalIgnoreCase) ||
                    key.StartsWith("average", StringComparison.OrdinalIgnoreCase);
                record?.Pairs.Add(new TemplatePair(i + 1, end, runningAverage, percent, average,
                    LineTemplate.OffsetIn(s, key), key.Length, keyStart));
                runningAverage |= average;
                var (at, length) = into.AddKey(key);
                into.Pairs.Add(new ScannedPair(at, length, keyStart, value, runningAverage, percent));
                i = end - 1;
            }
            return firstKey;
        }
    }
}
