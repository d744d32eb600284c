using System.Globalization;
using System.Runtime.CompilerServices;

namespace Regimen.Runs.Readers;

/// <summary>One epoch of a console log: its number as printed, the segment it belongs to (a counter that starts
/// again opens a new segment), and its values by name (train_loss, val_acc, val_top5, lr, or the key as logged,
/// prefixed by its phase: val_macro_f1). Values printed with % are fractions already.</summary>
public sealed record TextEpoch(int Segment, int Epoch, IReadOnlyDictionary<string, double> Values,
    int FirstLine, int LastLine)
{
    /// <summary>The epoch count the log announced ("Epoch 3/50": 50), if it did.</summary>
    public int? Total { get; init; }
}

/// <summary>A learning rate a line announces: the epoch that holds <paramref name="Line"/> trains at it, or the
/// epochs after it where <paramref name="FromNext"/>.</summary>
public readonly record struct AnnouncedRate(int Line, double Rate, bool FromNext);

/// <summary>
/// Reads console output line by line, the way a person reads it: an epoch number ("Epoch 3/50", "epoch: 3",
/// "Train: 3 [", "Epoch(val) [3][79]", "[3,  2000]"), then "key: value", "key=value" and "Key Value" pairs on the
/// lines of that epoch, on training or validation lines as the words on the line ("train", "val", "Test set", "Eval
/// begin") or the key (val_loss) say. Carriage-return updates (tqdm, Keras' progress bar) count by their last state;
/// ANSI colours are removed; with <see cref="FencedOnly"/>, only lines inside Markdown code fences count.
/// Per-step lines are averaged into their epoch (a running average, "Loss: 0.41 (0.45)", or a progress bar counts
/// by its last value); an epoch line without a step counter gives the epoch's value directly.
/// Incremental: <see cref="Feed(ReadOnlySpan{char}, List{TextEpoch})"/> one line at a time, costing the same whatever
/// came before; an epoch comes out
/// when the next one starts (or at <see cref="Complete"/>), so a watcher can follow a growing file or a process.
/// </summary>
public sealed partial class TextLogParser
{
    /// <summary>Only lines inside ``` or ~~~ fences count (a log pasted in Markdown).</summary>
    public bool FencedOnly { get; init; }
    /// <summary>Lines fed so far.</summary>
    public int Line { get; private set; }
    /// <summary>Lines that held an epoch number, and key-value pairs that counted (detection uses them).</summary>
    public int MarkerLines { get; private set; }
    public int Pairs { get; private set; }
    /// <summary>Each series' name → the key it was first read from, as printed ("val_acc" → "Test Acc").</summary>
    public IReadOnlyDictionary<string, string> Keys => keys;
    readonly Dictionary<string, string> keys = new();

    /// <summary>Reports a series under another name (the reader decided what an unphased key is).</summary>
    public void RenameKey(string from, string to)
    {
        if (keys.Remove(from, out var key)) keys[to] = key;
    }

    /// <summary>Names whose phase neither the key nor the line said (an "acc" read as training by default).</summary>
    public IReadOnlySet<string> Unphased => unphased;
    readonly HashSet<string> unphased = new();

    /// <summary>Series whose epoch value was, in some epoch, a tqdm bar's last state ("loss=0.41" in its postfix):
    /// one batch's value, not the epoch's mean, where no summary line gave the epoch's.</summary>
    public IReadOnlySet<string> LastBatch => lastBatch;
    readonly HashSet<string> lastBatch = new(StringComparer.Ordinal);

    /// <summary>The validation and training sizes, when a line states them (Keras 2's "Train on 60000 samples,
    /// validate on 10000 samples"): the binomial noise of the accuracies.</summary>
    public int? ValidationSize { get; private set; }
    public int? TrainSize { get; private set; }

    /// <summary>The learning rates callbacks announced, in the order of the lines (<see cref="ScannedLine.Rate"/>).
    /// </summary>
    public IReadOnlyList<AnnouncedRate> Rates => rates;
    readonly List<AnnouncedRate> rates = new();

    /// <summary>The class count, when a line says ("resnet18 on CIFAR100 (100 classes)", "num_classes: 10").</summary>
    public int? Classes { get; private set; }

    /// <summary>The epoch being read, before it is complete (a live display can show it).</summary>
    public TextEpoch? Current => current?.Snapshot(segment, Line);

    EpochAccumulator? current;
    /// <summary>The accumulator of the last epoch, emptied for the next (one per epoch was most of the garbage).
    /// </summary>
    EpochAccumulator? spare;
    int segment, segmentFirst = int.MinValue, lastEpoch = int.MinValue, implicitEpochs;
    bool sawMarker;
    Phase blockPhase;
    /// <summary>Whether the last line that counted was a phase announced without values ("testing in eval mode").
    /// </summary>
    bool announced;
    readonly Dictionary<string, string?>[] names = { new(), new(), new() };

    /// <summary>
    /// Reads one line (without its newline); epochs it completes are added to <paramref name="completed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Feed(ReadOnlySpan<char> raw, List<TextEpoch> completed)
    {
        own.Clear();
        Scanner.Scan(raw, own);
        Apply(own, completed);
    }

    readonly ScannedLines own = new();

    /// <summary>
    /// What each line says by itself (<see cref="LineScanner"/>): <see cref="Apply"/> reads the scans in order. The
    /// text reader scans on the thread that reads the file while this one applies; nothing else may use it then.
    /// </summary>
    internal LineScanner Scanner => scanner ??= new LineScanner(FencedOnly);
    LineScanner? scanner;

    /// <summary>Reads scanned lines, in the order of the file: what <see cref="Feed(ReadOnlySpan{char},
    /// List{TextEpoch})"/> does with each line after its scan.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Apply(ScannedLines lines, List<TextEpoch> completed)
    {
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines.Lines);
        for (int i = 0; i < all.Length; i++) ApplyLine(lines, in all[i], completed);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void ApplyLine(ScannedLines lines, in ScannedLine line, List<TextEpoch> completed)
    {
        Line++;
        if (line.Classes is { } classes) Classes ??= classes;
        if (line.ValidationSize is { } validation) (ValidationSize, TrainSize) = (validation, line.TrainSize);
        if (line.Rate is { } rate)
        {
            rates.Add(new AnnouncedRate(Line, rate, line.RateFromNext));
            return;
        }
        if (line.Skip) return;
        if (line.Marker is { } epoch)
        {
            MarkerLines++;
            sawMarker = true;
            StartEpoch(epoch, completed);
            if (line.Total is not null) current!.Total = line.Total;
            // "testing in eval mode……" then "epoch: 3,  loss is: ..": the line before said the phase (PaddlePaddle
            // prints training and evaluation alike).
            if (!announced || line.MarkerPhase != Phase.None) blockPhase = line.MarkerPhase;
        }
        announced = false;
        var phaseWords = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines.PhaseWords)
            .Slice(line.PhaseStart, line.PhaseCount);
        var pairs = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines.Pairs)
            .Slice(line.PairStart, line.PairCount);
        double step = double.NaN;
        bool evaluated = false;
        foreach (ref readonly var pair in pairs)
        {
            var key = lines.Key(pair);
            var phase = line.MarkerPhase;
            foreach (var (p, at) in phaseWords) if (at <= pair.KeyStart + key.Length) phase = p;
            if (phase == Phase.None) phase = blockPhase;
            var name = Name(key, phase);
            if (name is null)
            {
                if (StepKey(key)) step = pair.Value;
                continue;
            }
            // An accuracy is a fraction or a percentage; a bare split name with a whole number ("[Split] Train=3667 |
            // Val=786", "Val=25 batches") counts images or batches.
            double value = pair.Value;
            if (name.EndsWith("_acc", StringComparison.Ordinal) && (value is < 0 or > 100
                || !pair.Percent && value > 1 && value == Math.Floor(value) && PhaseWord(key) != Phase.None))
            {
                // "Train: 6552 images" names no series: the report names train_acc after the key that gave it.
                if (keys.TryGetValue(name, out var shown) && key.SequenceEqual(shown)) keys.Remove(name);
                continue;
            }
            if (line.Best)
            {
                current?.Fill(name, value);
                continue;
            }
            if (current is null)
            {
                // Before any epoch number, only a metric opens an epoch ("Test set: Average loss: .."), not a setting
                // printed in the header ("Classes detected: 102", "Batch: 32").
                if (sawMarker || ColumnRoles.Classify(name).Quantity is not ("loss" or "acc" or "top5" or "error"))
                    continue;
                current = Open(++implicitEpochs, isImplicit: true);
            }
            current.Add(name, value, line.StepLine, pair.RunningAverage || line.ProgressBar,
                line.Tqdm && !pair.RunningAverage);
            Pairs++;
            if (!double.IsNaN(step) && name.StartsWith("val_", StringComparison.Ordinal)) evaluated = true;
        }
        if (evaluated && current is { Implicit: false } && evaluations.Count < MaxEvaluations)
            evaluations.Add(Evaluation(lines, line, pairs, phaseWords, step));
        // Without epoch numbers, each validation result ends an epoch ("Test set: Average loss: ...").
        if (current is { Implicit: true, HasValidation: true })
        {
            completed.Add(current.Snapshot(segment, Line));
            (spare, current) = (current, null);
        }
        // "Eval begin...", "Test: [ 10/50] ...", "val Loss: ...": the lines below belong to that phase too.
        if (phaseWords.Length > 0 && phaseWords[0].At <= line.FirstKey)
        {
            blockPhase = phaseWords[0].Phase;
            announced = pairs.Length == 0 && line.Marker is null;
        }
    }

    /// <summary>An evaluation within an epoch: a line with a step number and a validation value ("epoch=1 step=200
    /// train_loss=0.35 val_loss=0.31"), with the line's values by name.</summary>
    public sealed record StepEvaluation(int Segment, int Epoch, double Step, int Line,
        IReadOnlyDictionary<string, double> Values);

    /// <summary>The evaluations made within epochs, in order (at most <see cref="MaxEvaluations"/>).</summary>
    public IReadOnlyList<StepEvaluation> Evaluations => evaluations;
    readonly List<StepEvaluation> evaluations = new();
    const int MaxEvaluations = 100_000;

    static bool StepKey(ReadOnlySpan<char> key) => key.Trim().Equals("step", StringComparison.OrdinalIgnoreCase) ||
        key.Trim().Equals("global_step", StringComparison.OrdinalIgnoreCase);

    StepEvaluation Evaluation(ScannedLines lines, in ScannedLine line, ReadOnlySpan<ScannedPair> pairs,
        ReadOnlySpan<(Phase Phase, int At)> phaseWords, double step)
    {
        var values = new Dictionary<string, double>();
        foreach (ref readonly var pair in pairs)
        {
            var key = lines.Key(pair);
            var phase = line.MarkerPhase;
            foreach (var (p, at) in phaseWords) if (at <= pair.KeyStart + key.Length) phase = p;
            if (phase == Phase.None) phase = blockPhase;
            if (Name(key, phase) is { } name) values.TryAdd(name, pair.Value);
        }
        return new StepEvaluation(segment, current!.Epoch, step, Line, values);
    }

    /// <summary>
    /// Feeds a line and returns the epochs it completed (a convenience for callers that hold strings).
    /// </summary>
    public IReadOnlyList<TextEpoch> Feed(string line)
    {
        var completed = new List<TextEpoch>();
        Feed(line.AsSpan(), completed);
        return completed;
    }

    /// <summary>The end of the input: the epoch in progress is complete.</summary>
    public void Complete(List<TextEpoch> completed)
    {
        if (current is { HasValues: true }) completed.Add(current.Snapshot(segment, Line));
        (spare, current) = (current ?? spare, null);
    }

    void StartEpoch(int epoch, List<TextEpoch> completed)
    {
        if (current is not null && current.Epoch == epoch && !current.Implicit) return;
        if (current is { HasValues: true })
        {
            completed.Add(current.Snapshot(segment, Line - 1));
            lastEpoch = current.Epoch;
        }
        if (lastEpoch != int.MinValue && epoch < lastEpoch && epoch <= segmentFirst)
        {
            segment++;
            segmentFirst = epoch;
        }
        if (segmentFirst == int.MinValue) segmentFirst = epoch;
        spare = current ?? spare;
        current = Open(epoch, isImplicit: false);
    }

    EpochAccumulator Open(int epoch, bool isImplicit)
    {
        var opened = (spare ?? new EpochAccumulator { LastBatch = lastBatch }).Reset(epoch, Line, isImplicit);
        spare = null;
        return opened;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '@' or '/' or '-' || c > 127 &&
        char.IsLetter(c);

    static bool IsCheckpointWord(ReadOnlySpan<char> w) => w.Equals("checkpoint", StringComparison.OrdinalIgnoreCase)
        || w.Equals("saved", StringComparison.OrdinalIgnoreCase)
        || w.Equals("saving", StringComparison.OrdinalIgnoreCase);

    static bool AllLetters(ReadOnlySpan<char> w)
    {
        foreach (var c in w) if (!char.IsAsciiLetter(c)) return false;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static Phase PhaseWord(ReadOnlySpan<char> w)
    {
        if (w.Length is < 3 or > 10 || (w[0] | 0x20) is not ('t' or 'v' or 'e')) return Phase.None;
        foreach (var t in TrainWords) if (w.Equals(t, StringComparison.OrdinalIgnoreCase)) return Phase.Train;
        foreach (var v in ValWords) if (w.Equals(v, StringComparison.OrdinalIgnoreCase)) return Phase.Val;
        return Phase.None;
    }

    static readonly string[] TrainWords = { "train", "training" };
    static readonly string[] ValWords = { "val", "valid", "validation", "validating", "validate", "eval",
        "evaluation", "evaluating", "test", "testing" };

    /// <summary>The epoch number on the line, blanked out so that it is not read as a value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int? FindEpoch(Span<char> s, out Phase phase, out int? total, out EpochDigits epochDigits)
    {
        phase = Phase.None;
        total = null;
        epochDigits = default;
        // "[3,  2000] loss: 1.2" (the PyTorch tutorial)
        var t = s.TrimStart();
        if (t.Length > 3 && t[0] == '[')
        {
            int k = 1;
            while (k < t.Length && t[k] == ' ') k++;
            int d = k;
            while (k < t.Length && char.IsAsciiDigit(t[k])) k++;
            if (k > d && k < t.Length && t[k] == ',' && Parse(t[d..k]) is { } n)
            {
                int at = s.Length - t.Length + d;
                epochDigits = new EpochDigits(at, k - d, 0, 0, at, k - d);
                t[d..k].Fill(' ');
                return n;
            }
        }
        // "Train: 3 [  100/1251 (  8%)]" (timm)
        if (t.StartsWith("Train:", StringComparison.Ordinal))
        {
            int k = 6;
            while (k < t.Length && t[k] == ' ') k++;
            int d = k;
            while (k < t.Length && char.IsAsciiDigit(t[k])) k++;
            int after = k;
            while (after < t.Length && t[after] == ' ') after++;
            if (k > d && after < t.Length && t[after] == '[' && Parse(t[d..k]) is { } n)
            {
                phase = Phase.Train;
                int at = s.Length - t.Length + d;
                epochDigits = new EpochDigits(at, k - d, 0, 0, at, k - d);
                t[d..k].Fill(' ');
                return n;
            }
        }
        for (int at = 0; at < s.Length;)
        {
            int found = IndexOfWord(s[at..], "epoch");
            if (found < 0) return null;
            int i = at + found, k = i + 5;
            at = k;
            if (i > 0 && (char.IsAsciiLetterOrDigit(s[i - 1]) || s[i - 1] == '_')) continue;
            // "Samples/Epoch: 1000", "steps per epoch: 500": a quantity per epoch, not an epoch's number.
            if (i > 0 && s[i - 1] == '/' || PerBefore(s[..i])) continue;
            if (k < s.Length && (char.IsAsciiLetterOrDigit(s[k]) || s[k] is '_' or '/' or '.')) continue;
            var markerPhase = Phase.None;
            if (k < s.Length && s[k] == '(')
            {
                int close = s[k..].IndexOf(')');
                if (close < 0) continue;
                markerPhase = PhaseWord(s[(k + 1)..(k + close)]);
                k += close + 1;
            }
            while (k < s.Length && s[k] is ' ' or ':' or '=' or '#' or '[' or '\t') k++;
            int digits = k;
            while (k < s.Length && char.IsAsciiDigit(s[k])) k++;
            if (k == digits || (k < s.Length && (char.IsAsciiLetter(s[k]) || s[k] == '.'))) continue;
            var epoch = Parse(s[digits..k]);
            if (epoch is null) continue;
            int end = k, totalAt = 0, totalLength = 0;
            while (end < s.Length && s[end] == ' ') end++;
            if (end < s.Length && s[end] == '/')
            {
                int e2 = end + 1;
                while (e2 < s.Length && s[e2] == ' ') e2++;
                int d2 = e2;
                while (e2 < s.Length && char.IsAsciiDigit(s[e2])) e2++;
                if (e2 > d2) { total = Parse(s[d2..e2]); end = e2; (totalAt, totalLength) = (d2, e2 - d2); }
            }
            if (end < s.Length && s[end] == ']') end++;
            epochDigits = new EpochDigits(digits, k - digits, totalAt, totalLength, i, end - i);
            s[i..end].Fill(' ');
            phase = markerPhase;
            return epoch;
        }
        return null;
    }

    /// <summary>Whether the text before a word ends with the word "per" ("steps per epoch").</summary>
    static bool PerBefore(ReadOnlySpan<char> before)
    {
        var t = before.TrimEnd(' ');
        return t.Length < before.Length && t.EndsWith("per", StringComparison.OrdinalIgnoreCase) &&
            (t.Length == 3 || !char.IsAsciiLetterOrDigit(t[^4]));
    }

    /// <summary>Where a lower-case word occurs in any case ("epoch", "Epoch", "EPOCH"): an ordinal search for its
    /// tail, which is vectorized, where an ignore-case search of the invariant culture is not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int IndexOfWord(ReadOnlySpan<char> s, string word)
    {
        var tail = word.AsSpan(1);
        Span<char> upper = stackalloc char[tail.Length];
        tail.ToUpperInvariant(upper);
        for (int from = 0; from < s.Length;)
        {
            int a = s[from..].IndexOf(tail), b = s[from..].IndexOf(upper);
            int hit = a < 0 ? b : b < 0 ? a : Math.Min(a, b);
            if (hit < 0) return -1;
            int at = from + hit - 1;
            if (at >= 0 && (s[at] | 0x20) == word[0] &&
                s.Slice(at, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)) return at;
            from += hit + 1;
        }
        return -1;
    }

    static int? Parse(ReadOnlySpan<char> digits) =>
        digits.Length is > 0 and <= 9 ? int.Parse(digits, CultureInfo.InvariantCulture) : null;

    /// <summary>Whether the line reports a step within the epoch ("[ 100/1251", "938/938 [", "iter 100"), and
    /// whether it is a progress bar whose values are running averages (Keras, tqdm).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool IsStepLine(ReadOnlySpan<char> s, out bool progressBar, out bool tqdm)
    {
        // Progress bars: Keras' "[====>...]" and "ETA", tqdm's "█" and "it/s", PaddlePaddle's "ms/step".
        tqdm = s.Contains('█');
        progressBar = tqdm || s.Contains("ETA", StringComparison.Ordinal);
        for (int b = s.IndexOf('['); !progressBar && b >= 0 && b + 1 < s.Length; b = s[(b + 1)..].IndexOf('[') is var n
            and >= 0 ? b + 1 + n : -1)
            progressBar = s[b + 1] is '=' or '.';
        bool counter = false;
        for (int i = s.IndexOf('/'); !progressBar && i > 0 && i < s.Length - 1; i = s[(i + 1)..].IndexOf('/') is var n
            and >= 0 ? i + 1 + n : -1)
        {
            if (s[(i - 1)..].StartsWith("t/s") || s[(i - 1)..].StartsWith("s/it") ||
                (i >= 2 && s[(i - 2)..].StartsWith("ms/step")))
            {
                progressBar = true;
                tqdm = s[i - 1] is 't' or 's' && !(i >= 2 && s[(i - 2)..].StartsWith("ms/step"));
                break;
            }
            if (counter || !char.IsAsciiDigit(s[i - 1]) || !char.IsAsciiDigit(s[i + 1])) continue;
            int k = i - 1;
            while (k > 0 && char.IsAsciiDigit(s[k - 1])) k--;
            int p = k - 1;
            while (p >= 0 && s[p] == ' ') p--;
            if (p >= 0 && s[p] is ':' or '=') continue;   // "Accuracy: 9892/10000" is a value
            counter = true;
        }
        if (progressBar || counter) return true;
        foreach (var word in StepWords)
        {
            int i = s.IndexOf(word, StringComparison.Ordinal);
            if (i >= 0 && (i == 0 || !char.IsAsciiLetter(s[i - 1])))
            {
                int k = i + word.Length;
                while (k < s.Length && s[k] is ' ' or '[') k++;
                if (k < s.Length && char.IsAsciiDigit(s[k])) return true;
            }
        }
        return false;
    }

    static readonly string[] StepWords =
    {
        "iter ", "Iter ", "step ", "Step ", "batch ", "Batch ", "iter:", "step:", "batch:", "Iter:", "Step:", "Batch:",
        "batch_id:", "batch_id ", "iteration ",
    };

    static readonly string[] Quantities =
        { "loss", "acc", "accuracy", "lr", "top1", "top5", "acc1", "acc5", "err", "error", "f1", "auc", "ppl",
            "perplexity", "prec" };

    static bool KnownQuantity(ReadOnlySpan<char> key)
    {
        int space = key.LastIndexOf(' ');
        var last = key[(space + 1)..];
        int at = last.IndexOf('@');
        if (at > 0) last = last[..at];
        foreach (var q in Quantities) if (last.Equals(q, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The number after a separator: "0.41", "1.0e-03", "75.2%", "9892/10000", "nan"; a running average in
    /// parentheses after it ("6.944 (6.94)") is taken instead.</summary>
    /// <remarks><paramref name="fraction"/> is set when a "/" and a digit follow the number: whether it is a fraction
    /// then depends on the digits (a zero denominator is none).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool TryValue(ReadOnlySpan<char> s, int start, out double value, out int end, out bool runningAverage,
        out bool percent, ref bool fraction)
    {
        value = 0; end = start; runningAverage = false; percent = false;
        int i = start;
        while (i < s.Length && s[i] is ' ' or '\t') i++;
        // PaddlePaddle prints arrays: "loss is: [2.3026]"; numpy pads them: "Loss [ 0.69090915]"
        bool bracket = i < s.Length && s[i] == '[';
        if (bracket)
        {
            i++;
            while (i < s.Length && s[i] == ' ') i++;
        }
        if (!Number(s, i, out value, out int after)) return false;
        if (bracket)
        {
            while (after < s.Length && s[after] == ' ') after++;
            if (after >= s.Length || s[after] != ']') return false;
            after++;
        }
        bool isFraction = false;
        if (after + 1 < s.Length && s[after] == '/' && char.IsAsciiDigit(s[after + 1]))
        {
            fraction = true;
            if (Number(s, after + 1, out var whole, out int a2) && whole > 0)
            {
                value /= whole; after = a2; isFraction = true;
            }
        }
        if (after < s.Length && s[after] == '%') { value /= 100; percent = true; after++; }
        else if (after + 1 < s.Length && s[after] == 'm' && s[after + 1] == 's' &&
            (after + 2 == s.Length || !char.IsAsciiLetter(s[after + 2])))
        {
            value /= 1000;
            after += 2;
        }
        else if (after < s.Length && s[after] == 's' && (after + 1 == s.Length || !char.IsAsciiLetter(s[after + 1])))
            after++;
        if (after < s.Length && (char.IsAsciiLetterOrDigit(s[after]) || s[after] == '_')) return false;
        end = after;
        if (!isFraction)
        {
            int k = after;
            while (k < s.Length && s[k] == ' ') k++;
            if (k < s.Length && s[k] == '(' && Number(s, k + 1, out var average, out int a3) && a3 < s.Length)
            {
                bool pct = s[a3] == '%';
                if (pct) a3++;
                if (a3 < s.Length && s[a3] == ')')
                {
                    value = pct || percent ? average / 100 : average;
                    runningAverage = true;
                    end = a3 + 1;
                }
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool Number(ReadOnlySpan<char> s, int i, out double value, out int end)
    {
        value = 0; end = i;
        int k = i;
        if (k < s.Length && s[k] is '-' or '+') k++;
        int digits = k;
        while (k < s.Length && char.IsAsciiDigit(s[k])) k++;
        if (k < s.Length && s[k] == '.') { k++; while (k < s.Length && char.IsAsciiDigit(s[k])) k++; }
        if (k == digits || (k == digits + 1 && s[digits] == '.'))
        {
            foreach (var word in new[] { "nan", "inf" })
                if (s.Length - digits >= 3 && s.Slice(digits, 3).Equals(word, StringComparison.OrdinalIgnoreCase) &&
                    (digits + 3 == s.Length || !char.IsAsciiLetter(s[digits + 3])))
                {
                    value = word == "nan" ? double.NaN : s[i] == '-' ? double.NegativeInfinity
                        : double.PositiveInfinity;
                    end = digits + 3;
                    return true;
                }
            return false;
        }
        if (k + 1 < s.Length && s[k] is 'e' or 'E' &&
            (char.IsAsciiDigit(s[k + 1]) || (s[k + 1] is '-' or '+' && k + 2 < s.Length &&
            char.IsAsciiDigit(s[k + 2]))))
        {
            k += 2;
            while (k < s.Length && char.IsAsciiDigit(s[k])) k++;
        }
        end = k;
        return FastDecimal(s[i..k], out value) || double.TryParse(s[i..k], NumberStyles.Float,
            CultureInfo.InvariantCulture, out value);
    }

    static readonly double[] PowersOfTen = Enumerable.Range(0, 16).Select(k => Math.Pow(10, k)).ToArray();

    /// <summary>A plain decimal of at most 15 digits, exactly as double.Parse gives it (digits over a power of ten,
    /// both exact: the CSV reader's fast path, for chars).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool FastDecimal(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        int i = s.Length > 0 && s[0] is '-' or '+' ? 1 : 0;
        long mantissa = 0;
        int digits = 0, scale = -1;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '.' && scale < 0) { scale = 0; continue; }
            if (!char.IsAsciiDigit(c)) return false;
            if (scale >= 0) scale++;
            if (mantissa == 0 && c == '0') continue;
            if (++digits > 15) return false;
            mantissa = mantissa * 10 + (c - '0');
        }
        if (scale == 0 || Math.Max(scale, 0) >= PowersOfTen.Length) return false;
        value = mantissa / PowersOfTen[Math.Max(scale, 0)];
        if (s[0] == '-') value = -value;
        return true;
    }

    /// <summary>The key before a separator: up to four words back ("Average loss", "train Loss", "loss is"),
    /// stopping at punctuation, a double space or a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static ReadOnlySpan<char> KeyBefore(ReadOnlySpan<char> s, int separator, out int keyStart)
    {
        int end = separator;
        while (end > 0 && s[end - 1] is ' ' or '\t') end--;
        int start = end, words = 0;
        while (start > 0 && words < 4)
        {
            int w = start;
            while (w > 0 && IsKeyChar(s[w - 1])) w--;
            if (w == start) break;
            var word = s[w..start];
            // Chinese labels are words too ("整体测试集上的正确率": ColumnRoles reads its known terms).
            bool cjk = word[0] > 127 && char.IsLetter(word[0]);
            if (!cjk && (!char.IsAsciiLetter(word[0]) || word.IndexOfAnyInRange('a', 'z') < 0 &&
                word.IndexOfAnyInRange('A', 'Z') < 0)) break;
            start = w;
            words++;
            if (start >= 2 && s[start - 1] == ' ' && IsKeyChar(s[start - 2])) start--;
            // Words padded apart for alignment ("fool  acc:", "Training    loss is") are still one key, when the word
            // before the spaces is a word (not a unit such as "12 ms  loss").
            else if (PaddedWordBefore(s, start) is var padded and >= 0) start = padded;
            else break;
        }
        while (start < end && s[start] == ' ') start++;
        var key = s[start..end];
        if (key.EndsWith(" is", StringComparison.OrdinalIgnoreCase)) key = key[..^3].TrimEnd();
        keyStart = start;
        return key;
    }

    /// <summary>Where the spaces before <paramref name="at"/> begin, when two or more spaces separate it from a word
    /// of letters that is no unit; else -1.</summary>
    static int PaddedWordBefore(ReadOnlySpan<char> s, int at)
    {
        int spaces = at;
        while (spaces > 0 && s[spaces - 1] == ' ') spaces--;
        if (at - spaces < 2 || spaces == 0) return -1;
        int w = spaces;
        while (w > 0 && char.IsAsciiLetter(s[w - 1])) w--;
        var word = s[w..spaces];
        if (word.Length < 2 || w > 0 && IsKeyChar(s[w - 1])) return -1;
        foreach (var unit in Units) if (word.Equals(unit, StringComparison.OrdinalIgnoreCase)) return -1;
        return spaces;
    }

    static readonly string[] Units = { "s", "ms", "sec", "secs", "min", "mins", "it", "its", "gb", "mb", "kb",
        "gib", "mib", "h", "hrs", "img", "imgs", "samples", "steps", "batches" };

    /// <summary>A key of a "best" message without the word: "Acc@1 best" is "Acc@1", "Best val Acc" "val Acc".
    /// </summary>
    internal static (int Skip, int Length) WithoutBest(ReadOnlySpan<char> key)
    {
        const string Best = "best";
        if (key.StartsWith(Best, StringComparison.OrdinalIgnoreCase) && (key.Length == 4 || key[4] is ' ' or '_'))
            return (Math.Min(key.Length, 5), Math.Max(0, key.Length - 5));
        if (key.EndsWith(Best, StringComparison.OrdinalIgnoreCase) && (key.Length == 4 || key[^5] is ' ' or '_'))
            return (0, Math.Max(0, key.Length - 5));
        return (0, key.Length);
    }

    /// <summary>The series a key names in a phase: a role name, or the key's words with the phase in front; null for
    /// what is not a training metric (times, counters, ETA, memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    string? Name(ReadOnlySpan<char> key, Phase phase)
    {
        // The same few keys come back on every line: a short list compared char by char beats hashing them.
        foreach (var (k, p, n) in recent)
            if (p == phase && key.SequenceEqual(k)) return n;
        var name = Lookup(key, phase);
        if (recent.Count < 32) recent.Add((key.ToString(), phase, name));
        return name;
    }

    readonly List<(string Key, Phase Phase, string? Name)> recent = new();

    string? Lookup(ReadOnlySpan<char> key, Phase phase)
    {
        var lookup = names[(int)phase].GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(key, out var known)) return known;
        var text = key.ToString();
        var name = Resolve(text, phase) is { } resolved ? string.Intern(resolved) : null;   // one instance per name
        if (name is not null && keys.Count < 4096) keys.TryAdd(name, text);
        if (name is not null && phase == Phase.None && ColumnRoles.Classify(text).Phase == Phase.None)
            unphased.Add(name);
        if (names[(int)phase].Count < 4096) names[(int)phase][text] = name;   // keys are few; don't grow on noise
        return name;
    }

    static readonly HashSet<string> Ignored = new()
    {
        "eta", "time", "data", "memory", "mem", "samples", "imgs", "img", "it", "speed", "batch",
        "remaining", "elapsed",
        "v", "num", "dataloader", "iter", "iteration", "step", "epoch", "total", "gpu", "cpu", "max",
        "tokens", "throughput",
        "rate", "wall", "seed", "size", "workers", "secs", "sec", "seconds", "ms", "min", "ram", "mb", "gb", "lrs",
        "set", "images",
        "id", "lines", "version",
    };

    internal static string? Resolve(string key, Phase context)
    {
        var words = ColumnRoles.Words(key);
        if (words.Count == 0) return null;
        var (phase, quantity) = ColumnRoles.Classify(key);
        if (quantity is "epoch" or "step" or "time") return null;
        if (quantity == "lr") return "lr";
        var effective = phase != Phase.None ? phase : context;
        string prefix = effective == Phase.Val ? "val" : "train";
        switch (quantity)
        {
            case "loss": return $"{prefix}_loss";
            case "acc": return $"{prefix}_acc";
            case "top5": return effective == Phase.Val ? "val_top5" : "train_top5";
            case "error": return $"{prefix}_error";
        }
        var core = words.Where(w => PhaseWord(w) == Phase.None).ToList();
        // "Train: 0.93, Val: 0.81, Test: 0.80" (PyG's examples): a bare split name is that split's accuracy; test
        // stays apart from val (the assembler takes it as validation accuracy when there is no other).
        if (core.Count == 0 && words.Count == 1)
            return phase == Phase.Train ? "train_acc" : words[0] is "test" or "testing" ? "test_acc" : "val_acc";
        if (core.Count is 0 or > 2 || core.All(w => Ignored.Contains(w) || w.All(char.IsAsciiDigit))) return null;
        if (core.Any(w => w is "eta" or "memory" or "time" or "best" or "total" or "images")) return null;
        if (phase != Phase.None) return string.Join('_', words);
        return effective == Phase.None ? string.Join('_', words) : $"{prefix}_{string.Join('_', words)}";
    }

    sealed class EpochAccumulator
    {
        public int Epoch { get; private set; }
        public bool Implicit { get; private set; }
        public int? Total { get; set; }
        public bool HasValues => values.Count > 0;
        public bool HasValidation { get; private set; }
        int firstLine;
        // Names come from the parser's own cache, one string object each: compared by reference, not hashed.
        readonly Dictionary<string, Value> values =
            new(ReferenceEqualityComparer.Instance as IEqualityComparer<string>);
        /// <summary>The names of the last snapshot, shared with the next while an epoch's names stay the same.
        /// </summary>
        EpochNames? names;

        /// <summary>Empties this accumulator for another epoch.</summary>
        public EpochAccumulator Reset(int epoch, int firstLine, bool isImplicit)
        {
            (Epoch, this.firstLine, Implicit, Total, HasValidation) = (epoch, firstLine, isImplicit, null, false);
            values.Clear();
            return this;
        }

        /// <summary>Names whose epoch value was a tqdm bar's last state (the parser's <see cref="LastBatch"/>).
        /// </summary>
        public HashSet<string>? LastBatch { get; init; }

        struct Value
        {
            public double Summary, Last, Sum, First;
            public int Count;
            public bool HasSummary, HasLast, FromTqdm;
            public readonly double Result(bool isLr) =>
                HasSummary ? Summary : isLr ? First : HasLast ? Last : Sum / Count;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(string name, double v, bool stepLine, bool runningAverage, bool tqdm = false)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(values, name,
                out bool exists);
            if (!exists) slot.First = v;
            if (!stepLine) { slot.Summary = v; slot.HasSummary = true; }
            else if (runningAverage) { slot.Last = v; slot.HasLast = true; slot.FromTqdm = tqdm; }
            else { slot.Sum += v; slot.Count++; }
            if (name.StartsWith("val_", StringComparison.Ordinal)) HasValidation = true;
        }

        /// <summary>A value for the epoch only where no line of its own gave one (step lines' averages aside).
        /// </summary>
        public void Fill(string name, double v)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(values, name,
                out bool exists);
            if (!exists) slot.First = v;
            if (slot.HasSummary) return;
            slot.Summary = v;
            slot.HasSummary = true;
            if (name.StartsWith("val_", StringComparison.Ordinal)) HasValidation = true;
        }

        /// <summary>The epoch as read so far; its values in the order their names were first read.</summary>
        public TextEpoch Snapshot(int segment, int lastLine)
        {
            var numbers = new double[values.Count];
            bool same = names is not null && names.Names.Length == numbers.Length;
            int i = 0;
            foreach (var (name, value) in values)
            {
                same = same && ReferenceEquals(names!.Names[i], name);
                numbers[i++] = value.Result(name == "lr");
                if (value is { HasSummary: false, HasLast: true, FromTqdm: true }) LastBatch?.Add(name);
            }
            if (!same) names = new EpochNames(values.Keys.ToArray());
            return new(segment, Epoch, new EpochValues(names!, numbers), firstLine, lastLine) { Total = Total };
        }
    }
}
