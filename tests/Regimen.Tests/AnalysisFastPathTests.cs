using Regimen.Analysis;
using Regimen.Analysis.Findings;
using Regimen.Analysis.Live;
using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>
/// The fast paths of reading and analyzing a long log give what their definitions give (bench/RESULTS.md says why
/// each exists): oscillation's scan over every 10-epoch stretch without copying one, the role series built once per
/// analysis, the text reader's lines scanned on a second thread while the parser applies them in order, and the live
/// analyst's validation size inferred once per new accuracy among the run's first, not at every epoch.
/// </summary>
public class AnalysisFastPathTests
{
    const int Window = 10;

    /// <summary>The oscillation check as first written (LINQ over a copy of each stretch): the reference.</summary>
    static (int First, int Last, int Flips, double Amplitude, double Sigmas)? ByDefinition(LogView v, AnalysisOptions o)
    {
        int count = v.Values.Count;
        if (Swings(v, o, v.Values.Skip(Math.Max(0, count - Window)).ToList()) is { } last) return last;
        if (Evaluation(v) is null) return null;
        return Enumerable.Range(0, Math.Max(0, count - Window))
            .Select(i => Swings(v, o, v.Values.Skip(i).Take(Window).ToList())).Where(s => s is not null)
            .OrderByDescending(s => s!.Value.Sigmas).FirstOrDefault();
    }

    /// <summary>The binomial noise of one accuracy: on the known validation size, else on the least size the
    /// accuracies' smallest step allows (val_acc only); none for a loss.</summary>
    static Func<double, Noise>? Evaluation(LogView v) => !v.HigherIsBetter ? null
        : v.Noise.ValidationSize is not null ? v.MetricNoise
        : v.Metric == "val_acc" && v.Noise.ValidationSizeAtLeast is not null ? v.Noise.ValAccuracyAtMost : null;

    static (int First, int Last, int Flips, double Amplitude, double Sigmas)? Swings(LogView v, AnalysisOptions o,
        List<(int Epoch, double Value)> tail)
    {
        if (tail.Count < 6) return null;
        var diffs = tail.Zip(tail.Skip(1), (a, b) => b.Value - a.Value).ToList();
        int flips = diffs.Zip(diffs.Skip(1), (a, b) => Math.Sign(a) * Math.Sign(b) < 0 ? 1 : 0).Sum();
        double amplitude = diffs.Average(Math.Abs);
        double level = tail.Average(p => p.Value);
        double scale = v.HigherIsBetter ? 1 : Math.Max(Math.Abs(level), 1e-12);
        if (flips < 0.5 * (diffs.Count - 1) || amplitude / scale < 2 * o.PlateauDelta) return null;
        if (TrendSigmas(tail) >= 2) return null;
        Judgement judgement;
        if (Evaluation(v) is { } one)
        {
            var difference = Noise.Difference(one(level), one(level));
            judgement = Judgement.Of(v, amplitude - 0.7979 * difference.Se,
                difference.Times(0.6028 / Math.Sqrt(diffs.Count)));
        }
        else judgement = Judgement.Of(v, amplitude / 0.7979 / scale, Noise.Unknown("unknown"));
        return judgement.Beyond(o.WarningSe)
            ? (tail[0].Epoch, tail[^1].Epoch, flips, amplitude, judgement.Sigmas) : null;
    }

    static double TrendSigmas(List<(int Epoch, double Value)> points)
    {
        double mx = points.Average(p => p.Epoch), my = points.Average(p => p.Value);
        double num = points.Sum(p => (p.Epoch - mx) * (p.Value - my));
        double sxx = points.Sum(p => (p.Epoch - mx) * (p.Epoch - mx));
        double slope = sxx == 0 ? 0 : num / sxx;
        double residual = points.Sum(p => Math.Pow(p.Value - (my + slope * (p.Epoch - mx)), 2));
        double se = Math.Sqrt(residual / Math.Max(1, points.Count - 2) / sxx);
        return se > 0 ? Math.Abs(slope) / se : double.PositiveInfinity;
    }

    /// <summary>Runs that swing, climb, settle and repeat values (equal stretches: the first must win).</summary>
    public static IEnumerable<object?[]> Runs()
    {
        foreach (int epochs in new[] { 6, 9, 10, 11, 17, 40, 300 })
            foreach (string shape in new[] { "noisy", "settling", "quantized", "climbing" })
                foreach (int? size in new int?[] { 500, null })
                    yield return new object?[] { shape, epochs, size };
    }

    static TrainingLog Run(string shape, int epochs, int? size)
    {
        var random = new Random(epochs);
        var log = new TrainingLog { Name = "r", Source = "r", Format = "csv", ValidationSize = size };
        for (int e = 0; e < epochs; e++)
        {
            double swing = shape switch
            {
                "noisy" => 0.04 * (random.NextDouble() - 0.5),
                "settling" => e < epochs / 2 ? (e % 2 == 0 ? 0.03 : -0.03) : 0.0005 * e,
                "quantized" => e % 2 == 0 ? 0.02 : -0.02,
                _ => 0.01 * e + 0.01 * (random.NextDouble() - 0.5),
            };
            log.Epochs.Add(new LogEpoch
            {
                Epoch = e + 1, ValAccuracy = 0.6 + swing, ValLoss = 1 - swing * (1 + random.NextDouble()),
                TrainLoss = 1.2 - 0.001 * e,
            });
        }
        return log;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void OscillationsScanFindsTheStretchItsDefinitionFinds(string shape, int epochs, int? size)
    {
        var log = Run(shape, epochs, size);
        var o = new AnalysisOptions();
        foreach (var metric in new[] { "val_acc", "val_loss" })
        {
            var v = new LogView(log, metric, o);
            var found = FindingRegistry.Get("oscillation").Detect(new RunCheck(v, o, new List<Finding>(),
                new List<string>())).ToList();
            var expected = ByDefinition(v, o);
            Assert.True(found.Count == (expected is null ? 0 : 1), $"{metric}: {found.Count} findings");
            if (expected is not { } x) continue;
            var f = found[0];
            Assert.Equal((x.First, x.Last), (f.FirstEpoch, f.LastEpoch));
            Assert.Equal(x.Flips, f.Evidence["direction_changes"]);
            Assert.Equal(x.Amplitude, f.Evidence["mean_abs_change"]);
            Assert.Equal(double.IsInfinity(x.Sigmas) ? double.NaN : x.Sigmas, f.Evidence["effect_se"]);
        }
    }

    [Fact]
    public void TheRoleSeriesOfAnAnalysisAreTheLogsSeriesBuiltOnce()
    {
        var log = Run("noisy", 40, 500);
        log.OtherSeries["eval_f1"] = new List<(int Epoch, double Value)> { (1, 0.5), (2, 0.6) };
        var series = new LogSeries(log);
        foreach (var role in new[] { "val_acc", "val_loss", "train_acc", "train_loss", "val_top5", "lr", "epoch_time" })
        {
            Assert.Equal(log.Series(TrainingLog.RoleSelector(role)!), series[role]);
            Assert.Same(series[role], series[role]);
            Assert.Same(series[role], series.Metric(role));
        }
        Assert.Same(log.OtherSeries["eval_f1"], series.Metric("EVAL_F1"));
        Assert.Null(series.Metric("no_such_series"));
        Assert.Throws<ArgumentException>(() => series["eval_f1"]);
        // A log derived for the analysis (schedule events added) has the same epochs; a copy of them does not.
        Assert.True(series.Covers(log with { Events = new List<LogEvent>() }));
        Assert.False(series.Covers(log with { Epochs = new List<LogEpoch>(log.Epochs) }));
    }

    [Theory]
    [InlineData(null, TextLogChunks.ChunkBytes)]   // this machine's scanners, chunks of a megabyte
    [InlineData(1, TextLogChunks.ChunkBytes)]
    [InlineData(2, 64 << 10)]                      // chunks taken in turn by two scanners, many lines per chunk
    [InlineData(3, 100)]                           // chunks of one line or two, most lines longer than a chunk
    public void TheTextReadersThreadsParseWhatTheParserParsesLineByLine(int? scanners, int chunkBytes)
    {
        // Over several chunks, a line longer than a chunk, a BOM, carriage-return updates, ANSI colours, the class
        // count (given twice: the first counts), epochs that restart, no newline at the end.
        var random = new Random(4);
        var text = new System.Text.StringBuilder("\uFEFFresnet on CIFAR (10 classes)\n");
        for (int e = 1; e <= 4000; e++)
        {
            if (e == 3000) text.Append("Epoch 1/3\n");
            text.Append(e % 7 == 0 ? "\u001b[32m" : "").Append($"Epoch {(e >= 3000 ? e - 2999 : e)}/3000\n");
            for (int s = 0; s < 4; s++)
                text.Append($" {s}/4 [==>..] - loss: {random.NextDouble():F4}\r{s + 1}/4 [====] - loss: ")
                    .Append($"{random.NextDouble():F4} - accuracy: {random.NextDouble():F3}\n");
            text.Append($"Test set: Average loss: {random.NextDouble():F4}, Accuracy: {random.Next(10000)}/10000 ")
                .Append($"({random.NextDouble() * 100:F0}%)\n");
            if (e == 1000) text.Append("note: ").Append('x', 1_200_000).Append(" lr=0.1\n");
            if (e == 2000) text.Append("a model for 100 classes\n");
        }
        text.Append("Epoch 1002/3000 loss: 0.5");
        var path = Path.Combine(TestData.TempDir("text-threads"), "long.log");
        File.WriteAllText(path, text.ToString());
        Assert.InRange(new FileInfo(path).Length, 2_500_000, 4_000_000);

        var threaded = new TextLogParser();
        var fromThreads = new List<TextEpoch>();
        TextLogChunks.Read(path, threaded, fromThreads, scanners, chunkBytes);
        var single = new TextLogParser();
        var fromLines = new List<TextEpoch>();
        foreach (var line in File.ReadAllText(path).TrimStart('\uFEFF').Split('\n')) single.Feed(line, fromLines);

        Assert.Equal(fromLines.Count, fromThreads.Count);
        Assert.InRange(fromLines.Count, 3990, 4010);
        for (int i = 0; i < fromLines.Count; i++)
        {
            var (a, b) = (fromLines[i], fromThreads[i]);
            Assert.Equal((a.Segment, a.Epoch, a.FirstLine, a.LastLine, a.Total),
                (b.Segment, b.Epoch, b.FirstLine, b.LastLine, b.Total));
            Assert.Equal(a.Values.OrderBy(kv => kv.Key), b.Values.OrderBy(kv => kv.Key));
        }
        Assert.Equal((single.Line, single.MarkerLines, single.Pairs, single.Classes),
            (threaded.Line, threaded.MarkerLines, threaded.Pairs, threaded.Classes));
        Assert.Equal(single.Keys.OrderBy(kv => kv.Key), threaded.Keys.OrderBy(kv => kv.Key));
        Assert.Equal(10, threaded.Classes);
        Assert.Equal(1, fromThreads[^1].Segment);
    }

    /// <summary>Scans the lines with templates and without; every line's scan must be the same.</summary>
    static int ScanBothWays(IEnumerable<string> lines, bool fencedOnly)
    {
        var fast = new TextLogParser.LineScanner(fencedOnly);
        var full = new TextLogParser.LineScanner(fencedOnly, templates: false);
        var (a, b) = (new ScannedLines(), new ScannedLines());
        int n = 0;
        foreach (var line in lines)
        {
            fast.Scan(line, a);
            full.Scan(line, b);
            n++;
            if (a.Lines.Count < 256) continue;
            Same(a, b, n);
        }
        Same(a, b, n);
        return fast.Replays;

        static void Same(ScannedLines a, ScannedLines b, int n)
        {
            Assert.True(b.Lines.SequenceEqual(a.Lines), $"the lines before {n} scan differently");
            Assert.Equal(b.PhaseWords, a.PhaseWords);
            Assert.Equal(b.Pairs, a.Pairs);
            Assert.Equal(b.Pairs.Select(p => b.Key(p).ToString()), a.Pairs.Select(p => a.Key(p).ToString()));
            a.Clear();
            b.Clear();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // only fenced lines count
    public void ALineReadFromTheTemplateOfItsShapeScansAsItsOwnScan(bool fencedOnly)
    {
        var r = new Random(11);
        string D(int digits) => string.Concat(Enumerable.Range(0, digits).Select(_ => (char)('0' + r.Next(10))));
        var lines = new List<string>();
        // Noise of digits, letters, separators and spaces, each line repeated with other digits (or spaces for some):
        // the shapes the templates are keyed on, and what differs between two lines of one shape.
        const string Alphabet = "ab Lossacc:= .0123456789/%[]()-e_@|,best Epoch ";
        for (int i = 0; i < 3000; i++)
        {
            var line = new string(Enumerable.Range(0, r.Next(4, 60)).Select(_ => Alphabet[r.Next(Alphabet.Length)])
                .ToArray());
            if (r.Next(8) == 0) lines.Add(fencedOnly && r.Next(2) == 0 ? "```" : "");
            for (int k = r.Next(1, 5); k > 0; k--)
                lines.Add(new string(line.Select(c => char.IsAsciiDigit(c)
                    ? (r.Next(25) == 0 ? ' ' : (char)('0' + r.Next(10))) : c).ToArray()));
        }
        // The formats the reader knows, with numbers that change: padded counters, fractions (zero denominators
        // among them), keys with digits, class counts, best and checkpoint messages, epochs with and without totals.
        for (int e = 1; e <= 400; e++)
        {
            if (fencedOnly && e % 50 == 1) lines.Add("```");
            lines.Add(e % 97 == 0 ? $"resnet on CIFAR ({r.Next(3)} classes)" : $"Epoch {e}/{(e < 200 ? 400 : 0)}");
            if (e % 89 == 0) lines.Add($"Train on {r.Next(3)}000 samples, validate on {r.Next(10)}0 samples");
            for (int s = 0; s < 4; s++)
            {
                lines.Add($"Train: {e} [{s * 125,4}/1000 ({s * 12.5,3:F0}%)]  Loss: {r.NextDouble():F4} " +
                    $"({r.NextDouble():F3})  LR: {r.NextDouble() / 10:E3}  acc{r.Next(3)}: {r.NextDouble():F3}");
                lines.Add($"[{e}, {s * 2000,5}] loss: {r.NextDouble():F3} top{r.Next(1, 6)} {r.Next(100)}.{D(2)}");
                lines.Add($"{s}/4 [====>.] - ETA: {r.Next(60)}s - loss: {r.NextDouble():F4} - accuracy: " +
                    $"{r.NextDouble():F4}\r{s + 1}/4 [=====] - loss: {r.NextDouble():F4}");
            }
            lines.Add($"Test set: Average loss: {r.NextDouble():F4}, Accuracy: {r.Next(3)}/{r.Next(3)} " +
                $"({r.Next(100)}%)");
            lines.Add($"top: {r.Next(9)}/{r.Next(3)}a lr: 0.{D(3)}");   // a pair only where the denominator is 0
            lines.Add($"epoch: {e}, loss is: [{r.NextDouble():F4}], acc is: [{r.NextDouble():F4}], lr: 1e-{r.Next(9)}");
            lines.Add($"acc: tensor({r.NextDouble():F4}, device='cuda:0') val_loss=nan Training    loss is  " +
                $"-{r.NextDouble():F2}");
            lines.Add(r.Next(2) == 0 ? $"Acc@1 best:  {r.Next(100)}.{D(2)}%" : $"Saved checkpoint (epoch={e}, " +
                $"val_acc={r.NextDouble():F4})");
        }
        Assert.True(ScanBothWays(lines, fencedOnly) > 1000);
    }

    [Fact]
    public void EveryCorpusTextScansTheSameWithTemplatesAsWithout()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "Corpus");
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".txt" or ".log" or ".md" or ".out" or ".ipynb").ToList();
        Assert.True(files.Count >= 40, $"{files.Count} files");
        int replays = 0;
        foreach (var file in files)
            foreach (bool fenced in new[] { false, true })
                replays += ScanBothWays(File.ReadAllText(file).Split('\n'), fenced);
        Assert.True(replays > 1000, $"{replays} lines replayed");
    }

    [Theory]
    [InlineData(3)]    // a few names: scanned
    [InlineData(12)]   // many: looked up in an index
    public void AnEpochsValuesAreTheDictionaryOfWhatWasRead(int count)
    {
        var names = Enumerable.Range(0, count).Select(i => $"metric_{(i * 7) % count}_{i}").ToArray();
        var values = names.Select((_, i) => i * 0.5 - 1).ToArray();
        var expected = names.Zip(values).ToDictionary(p => p.First, p => p.Second);
        var epoch = new EpochValues(new EpochNames(names), values);
        Assert.Equal(expected.ToList(), epoch.ToList());   // same pairs, in the order read
        Assert.Equal(expected.Keys, epoch.Keys);
        Assert.Equal(expected.Values, epoch.Values);
        Assert.Equal(count, epoch.Count);
        foreach (var name in names)
        {
            var copy = new string(name.AsSpan());   // found by value, not only by reference
            Assert.True(epoch.ContainsKey(copy));
            Assert.True(epoch.TryGetValue(copy, out var v));
            Assert.Equal(expected[name], v);
            Assert.Equal(expected[name], epoch[copy]);
        }
        Assert.False(epoch.ContainsKey("missing"));
        Assert.False(epoch.TryGetValue("Metric_0_0", out _));   // ordinal, as the dictionary was
        Assert.Throws<KeyNotFoundException>(() => epoch["missing"]);
        Assert.Throws<ArgumentException>(() => new EpochValues(new EpochNames(names), new double[count + 1]));
    }

    [Fact]
    public void EpochsWithTheSameNamesShareThem()
    {
        var parser = new TextLogParser();
        var epochs = new List<TextEpoch>();
        for (int e = 1; e <= 5; e++)
        {
            parser.Feed($"Epoch {e}/5 loss: 0.{e} acc: 0.{e}".AsSpan(), epochs);
            if (e == 3) parser.Feed("lr: 0.01".AsSpan(), epochs);   // epoch 3 has one name more
        }
        parser.Complete(epochs);
        Assert.Equal(5, epochs.Count);
        Assert.Same(epochs[0].Values.Keys, epochs[1].Values.Keys);
        Assert.NotSame(epochs[1].Values.Keys, epochs[2].Values.Keys);
        Assert.Equal(new[] { "train_loss", "train_acc", "lr" }, epochs[2].Values.Keys);
        Assert.Same(epochs[3].Values.Keys, epochs[4].Values.Keys);
        Assert.Equal(new[] { "train_loss", "train_acc" }, epochs[4].Values.Keys);
        Assert.Equal(0.5, epochs[4].Values["train_acc"]);
        // The accumulator is reused: an epoch's values stay what they were when it was complete.
        Assert.Equal(new[] { 0.1, 0.1 }, epochs[0].Values.Values);
    }

    [Theory]
    [InlineData(4, 500)]    // accuracies of 500 images at 4 decimals: the size is found
    [InlineData(0, 0)]      // unrounded floats: no size fits (each inference scans 10^6 candidate sizes)
    public void TheLiveAnalystInfersTheValidationSizeOncePerNewAccuracyAsTheWholeLogDoes(int decimals, int size)
    {
        var random = new Random(9);
        var header = new TrainingLog { Name = "live", Source = "live", Format = "csv" };
        var live = new LiveAnalyst(header);
        for (int e = 0; e < 400; e++)
        {
            double p = size > 0 ? Math.Round(random.Next(size / 2, size) / (double)size, decimals)
                : 0.5 + 0.4 * random.NextDouble();
            live.AddEpoch(new LogEpoch { Epoch = e, ValAccuracy = p, TrainLoss = 1 - 0.001 * e, ValLoss = 1.1 });
        }
        // At most one inference per new value among the first 200 distinct ones, where it was one per epoch.
        int distinct = live.Log.Epochs.Select(e => e.ValAccuracy!.Value).Distinct().Take(200).Count();
        Assert.InRange(live.Inferences, 1, distinct);
        Assert.True(live.Inferences <= 200);
        // What the live analysis judges with is what the whole log gives (a 400-epoch run's view is its last 256).
        var whole = new LogView(live.Log, "val_acc").Noise;
        Assert.Equal(size > 0 ? size : null, whole.ValidationSize);
        var options = new AnalysisOptions { InferredValidationSize = new InferredSize(whole.ValidationSize) };
        var fromLive = Analyst.AnalyzeRunning(live.Log, options);
        var inferring = Analyst.AnalyzeRunning(live.Log, new AnalysisOptions());
        Assert.Equal(inferring.Findings.Select(f => f.Summary), fromLive.Findings.Select(f => f.Summary));
    }
}
