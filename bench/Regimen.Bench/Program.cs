using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Regimen.Analysis;
using Regimen.Data;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using Regimen.Training;
using TorchSharp;
using static TorchSharp.torch;

// Benchmarks measured in bench/RESULTS.md. Each mode prints one line of key=value pairs.
return args.FirstOrDefault() switch
{
    "train" => Train(args[1..]),
    "loader" => Loader(args[1..]),
    "analyze" => Analyze(args[1..]),
    "textlog" => TextLog(args[1..]),
    "compare" => Compare(args[1..]),
    "decode" => Decode(args[1..]),
    "fit" => Fit(args[1..]),
    "ops" => Ops(args[1..]),
    "loops" => Loops(args[1..]),
    "layout" => Layout(args[1..]),
    "convcheck" => ConvCheck(args[1..]),
    "evalparts" => EvalParts(args[1..]),
    "live" => Live(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Regimen.Bench train MODEL [--width W] [--size S] [--channels C] [--batch B] [--images N] [--epochs E]
                          [--threads T]
               Regimen.Bench loader [--size S] [--batch B] [--images N]
               Regimen.Bench analyze [--rows N] [--parts]
                          (read and analyze a CSV of N epochs; --parts: the seconds of each stage and check)
               Regimen.Bench textlog [--lines N]
                          (read and analyze a console log of N lines: epochs, step lines, validation lines)
               Regimen.Bench compare [--runs N] [--fixture DIR]
                          (read N run folders, compare them, write the Markdown report)
               Regimen.Bench decode [--size S] [--images N]
               Regimen.Bench fit RECIPE [key=value...]
               Regimen.Bench loops MODEL [--width W] [--size S] [--channels C] [--batch B] [--images N] [--rounds R]
                          (Trainer vs a bare loop, alternated in one process)
               Regimen.Bench ops MODEL [--width W] [--size S] [--channels C] [--batch B] [--threads T]
                          (time per piece of a step, ms)
               Regimen.Bench layout MODEL [--width W] [--size S] [--channels C] [--batch B] [--reps N] [--rounds R]
                          (NCHW against NHWC, step and evaluation, ms)
               Regimen.Bench convcheck [--channels 1,3,8,...] [--size S] [--batch B] [--case nchw,3,1,8,8]
                          (single convolutions against float64)
               Regimen.Bench live [--epochs N] [--timed T]
                          (regimen watch's per-epoch analysis after N epochs, against the whole-log analyst)
               Regimen.Bench evalparts MODEL [--width W] [--size S] [--channels C] [--batch B] [--images N]
                          [--rounds R] [--train-epochs E]   (the Evaluator stage by stage)
        """);
    return 2;
}

static string Option(string[] a, string name, string fallback)
{
    int i = Array.IndexOf(a, name);
    return i >= 0 && i + 1 < a.Length ? a[i + 1] : fallback;
}

// Evaluation img/s (Regimen's Evaluator over the training images) and the forward pass alone (eval and inference
// mode, over batches normalized beforehand: how much of evaluation is the model itself). One pass of a small model
// takes a quarter of a second, which this machine's noise moves by 10 %, so the two are alternated three times
// after a warm-up of each and the medians reported; bench/torch_peer.py does the same.
static (double Evaluation, double Forward) EvaluationRates(TrainingSetup setup, int size, int batch)
{
    var ready = PreparedBatches(setup, size, batch);
    double EvaluationPass()
    {
        var clock = Stopwatch.StartNew();
        Evaluator.Evaluate(setup.Model, setup.Train, setup.Augment, size, batch, flipTta: false);
        return setup.Train.Count / clock.Elapsed.TotalSeconds;
    }
    EvaluationPass(); ForwardRate(setup.Model, ready, setup.Train.Count);
    var evaluations = new List<double>(); var forwards = new List<double>();
    for (int i = 0; i < 3; i++)
    {
        evaluations.Add(EvaluationPass());
        forwards.Add(ForwardRate(setup.Model, ready, setup.Train.Count));
    }
    foreach (var x in ready) x.Dispose();
    return (Median(evaluations), Median(forwards));
}

// The training images in batches, loaded and normalized as the Evaluator does, kept to time the forward pass alone.
static List<Tensor> PreparedBatches(TrainingSetup setup, int size, int batch)
{
    var ready = new List<Tensor>();
    foreach (var b in BatchLoader.Batches(setup.Train, batch, null, false))
        using (var scope = NewDisposeScope()) ready.Add(setup.Augment.Eval(b.Images, size).MoveToOuterDisposeScope());
    return ready;
}

// img/s of the model's forward pass alone (eval and inference mode) over prepared batches.
static double ForwardRate(nn.Module<Tensor, Tensor> model, List<Tensor> ready, int images)
{
    model.eval();
    var clock = Stopwatch.StartNew();
    using var mode = inference_mode();
    foreach (var x in ready) { using var scope = NewDisposeScope(); model.forward(x); }
    return images / clock.Elapsed.TotalSeconds;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

// Training img/s through Regimen's own loop (TrainingSetup + Trainer), on random images in memory, with the
// training augmentations off so that both sides time the model step alone; epochs after the first are reported.
static int Train(string[] a)
{
    string model = a[0];
    int width = int.Parse(Option(a, "--width", "0")), size = int.Parse(Option(a, "--size", "32")),
        channels = int.Parse(Option(a, "--channels", "3"));
    int batch = int.Parse(Option(a, "--batch", "128")), images = int.Parse(Option(a, "--images", "2560")),
        epochs = int.Parse(Option(a, "--epochs", "3"));
    int threads = int.Parse(Option(a, "--threads", "2")), workers = int.Parse(Option(a, "--workers", "1"));
    var (recipe, train, val) = RandomImageTraining(model, width, size, channels, batch, images, epochs,
        threads, workers);
    if (a.Contains("--plain-layout")) recipe.Model.ChannelsLast = false;
    using var setup = TrainingSetup.CreateForSplit(recipe, train, val);
    if (a.Contains("--force-nhwc")) Regimen.Models.MemoryLayout.ToChannelsLast(setup.Model);
    var rss = new List<double>();
    var context = new Trainer(setup, new[] { new RssProbe(rss) }).Fit();
    // Throughput over every epoch after the first (the first warms up): images over training time, so that an
    // epoch that pays for something (NativeMemoryGuard's trim) counts as much as it costs, no more, no less.
    var timed = context.History.Skip(context.History.Count > 1 ? 1 : 0).ToList();
    double trainRate = timed.Count / timed.Sum(e => 1 / e.ImagesPerSecond);
    var (evalRate, forwardRate) = EvaluationRates(setup, size, batch);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"side=regimen model={model} width={width} size={size} batch={batch} img_per_s={trainRate:F1} " +
            $"eval_img_per_s={evalRate:F1} forward_img_per_s={forwardRate:F1} " +
            $"peak_rss_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} rss_growth_pct={RssGrowth(rss):F1} " +
            $"rss_mb_by_epoch={string.Join(";", rss.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}"));
    return 0;
}

// RSS growth from epoch 2 to the last (epoch 10 in a 10-epoch run), in percent; 0 when there are fewer than 3 epochs.
static double RssGrowth(List<double> rss) => rss.Count < 3 ? 0 : 100 * (rss[^1] - rss[1]) / rss[1];

// Decode-free loader throughput: batches drawn, scaled, cropped, flipped and normalized per second on the CPU threads.
static int Loader(string[] a)
{
    int size = int.Parse(Option(a, "--size", "32")), batch = int.Parse(Option(a, "--batch", "128")),
        images = int.Parse(Option(a, "--images", "5120"));
    TorchRuntime.Configure(0);
    manual_seed(0);
    using var data = new ImageDataset("random", randint(0, 256, new long[] { images, 3, size, size },
        dtype: ScalarType.Byte),
        randint(0, 10, new long[] { images }, dtype: ScalarType.Int64), Enumerable.Range(0, 10)
            .Select(i => i.ToString()).ToArray());
    var augment = new Regimen.Augment.BatchAugment(mean: [0.5f, 0.5f, 0.5f], std: [0.25f, 0.25f, 0.25f]);
    var section = new AugmentSection { CropPadding = size / 8, Hflip = 0.5 };
    section.ColorJitter.P = 0.5;
    var clock = Stopwatch.StartNew();
    int seen = 0;
    foreach (var b in BatchLoader.Batches(data, batch, BatchLoader.Order(images, 0, 0), dropLast: true))
    {
        using var scope = NewDisposeScope();
        var x = augment.Train(b.Images, size, true, "full", section);
        seen += b.Size;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"side=regimen loader size={size} batch={batch} " +
        $"img_per_s={seen / clock.Elapsed.TotalSeconds:F0}"));
    return 0;
}

// JPEG decoding into memory (ImageFolderReader: decode, resize the shorter side, centre crop, on all cores).
static int Decode(string[] a)
{
    int size = int.Parse(Option(a, "--size", "32")), images = int.Parse(Option(a, "--images", "2000"));
    var root = Path.Combine(Path.GetTempPath(), $"regimen-bench-jpeg-{size}-{images}");
    if (!Directory.Exists(root))
    {
        var random = new Random(3);
        for (int i = 0; i < images; i++)
        {
            var dir = Path.Combine(root, $"class_{i % 10}");
            Directory.CreateDirectory(dir);
            using var bitmap = new SkiaSharp.SKBitmap(size, size);
            var pixels = new byte[size * size * 4];
            random.NextBytes(pixels);
            for (int p = 3; p < pixels.Length; p += 4) pixels[p] = 255;
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
            using var jpeg = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(dir, $"{i}.jpg"), jpeg.ToArray());
        }
    }
    var clock = Stopwatch.StartNew();
    using var data = ImageFolderReader.Read(root, size, skipBad: false).Data;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"side=regimen decode size={size} " +
        $"images={data.Count} img_per_s={data.Count / clock.Elapsed.TotalSeconds:F0}"));
    return 0;
}

// What the runtime spent besides the code: garbage collections, their pauses, JIT compilation, and the CPU seconds.
static string Runtime() => string.Create(CultureInfo.InvariantCulture,
    $"gc={GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} " +
        $"gc_pause_s={GC.GetTotalPauseDuration().TotalSeconds:F2} alloc_mb={GC.GetTotalAllocatedBytes() >> 20} " +
        $"jit_s={System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:F2} " +
        $"jit_methods={System.Runtime.JitInfo.GetCompiledMethodCount()} " +
        $"cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}");

// Reading and analyzing a log of N rows (a generic CSV with epoch, losses and accuracies).
static int Analyze(string[] a)
{
    int rows = int.Parse(Option(a, "--rows", "1000000"));
    var path = Path.Combine(Path.GetTempPath(), $"regimen-bench-{rows}.csv");
    if (!File.Exists(path))
    {
        using var w = new StreamWriter(path);
        w.WriteLine("epoch,train_loss,train_acc,val_loss,val_acc,lr");
        var r = new Random(1);
        for (int e = 0; e < rows; e++)
        {
            double p = (double)e / rows;
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e},{2.3 * Math.Exp(-3 * p) + r.NextDouble() * 0.01:F5},{0.1 + 0.85 * p:F5}," +
                $"{2.3 * Math.Exp(-2.5 * p) + r.NextDouble() * 0.01:F5},{0.1 + 0.8 * p + r.NextDouble() * 0.005:F5}," +
                $"{0.1 * (1 - p):F6}"));
        }
    }
    if (a.Contains("--parts")) return AnalyzeParts(path);
    var clock = Stopwatch.StartNew();
    var logs = LogReader.Read(path);
    double read = clock.Elapsed.TotalSeconds;
    var analysis = Analyst.Analyze(logs[0]);
    double total = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"side=regimen analyze rows={rows} " +
        $"read_s={read:F2} total_s={total:F2} findings={analysis.Findings.Count} {Runtime()}"));
    return 0;
}

// Where an analysis' time goes, in seconds: the read, the derived schedule events, the view (noise model, classes),
// then each kind's detection in the analyst's order, each stage timed once in a fresh process (JIT included).
static int AnalyzeParts(string path)
{
    var clock = Stopwatch.StartNew();
    var parts = new List<string>();
    void Lap(string what)
    {
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{what}={clock.Elapsed.TotalSeconds:F3}"));
        clock.Restart();
    }
    var log = LogReader.Read(path)[0];
    Lap("read");
    var o = new AnalysisOptions();
    var series = new LogSeries(log);
    var derived = UnloggedChanges.WithJumps(LearningRateSteps.WithSteps(log, series), series);
    Lap("derived");
    var v = new LogView(derived, Analyst.DefaultMetric(derived).Metric, o, null, false, series);
    Lap("view");
    var findings = new List<Regimen.Analysis.Finding>();
    foreach (var kind in Regimen.Analysis.Findings.FindingRegistry.All.Where(k => k.InRuns))
    {
        _ = kind.Lacks(derived).ToList();
        if (derived.Epochs.Count >= kind.MinimumEpochs(o))
            findings.AddRange(kind.Detect(new Regimen.Analysis.Findings.RunCheck(v, o, findings, new())).ToList());
        Lap(kind.Name);
    }
    Console.WriteLine(string.Join(" ", parts) + " " + Runtime());
    return 0;
}

// regimen watch's live analysis: the cost of judging one more epoch of a run that already has N, for the bounded view
// the watcher uses and for the whole log (what analyzing the log again at every epoch would cost). The run is primed
// with N - T epochs, then T epochs are added and each timed; medians in microseconds.
static int Live(string[] a)
{
    int epochs = int.Parse(Option(a, "--epochs", "1000")),
        timed = Math.Min(epochs, int.Parse(Option(a, "--timed", "50")));
    var r = new Random(1);
    var log = new TrainingLog { Name = "bench", Source = "bench", Format = "csv" };
    for (int e = 0; e < epochs; e++)
    {
        double p = (double)e / epochs;
        log.Epochs.Add(new LogEpoch
        {
            Epoch = e, TrainLoss = 2.3 * Math.Exp(-3 * p) + r.NextDouble() * 0.01, TrainAccuracy = 0.1 + 0.85 * p,
            ValLoss = 2.3 * Math.Exp(-2.5 * p) + r.NextDouble() * 0.01, ValAccuracy = 0.1 + 0.8 * p +
                r.NextDouble() * 0.005, LearningRate = 0.1 * (1 - p),
        });
    }
    var header = log with { Epochs = new(), Events = new() };
    // Warm-up (JIT) on a run of its own, so that the short runs are not timed compiling.
    var warm = new Regimen.Analysis.Live.LiveAnalyst(header);
    for (int i = 0; i < 300; i++) warm.AddEpoch(log.Epochs[i % epochs] with { Epoch = i });
    var live = new Regimen.Analysis.Live.LiveAnalyst(header);
    live.Prime(log.Epochs.Take(epochs - timed));
    var bounded = new List<double>();
    var whole = new List<double>();
    for (int i = epochs - timed; i < epochs; i++)
    {
        var clock = Stopwatch.StartNew();
        live.AddEpoch(log.Epochs[i]);
        bounded.Add(clock.Elapsed.TotalMilliseconds * 1000);
        clock.Restart();
        Analyst.Analyze(live.Log);
        whole.Add(clock.Elapsed.TotalMilliseconds * 1000);
    }
    static double Median(List<double> x) { var s = x.Order().ToList(); return s[s.Count / 2]; }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"side=regimen live epochs={epochs} timed={timed} " +
            $"window={Regimen.Analysis.Live.BoundedLogView.DefaultWindow} per_epoch_us={Median(bounded):F0} " +
            $"whole_log_us={Median(whole):F0}"));
    return 0;
}

// Reading and analyzing a console log of N lines (timm-style step lines with running averages, a validation line and
// an epoch line per epoch, ANSI colours on one line in ten): the text reader's parser line by line.
static int TextLog(string[] a)
{
    int lines = int.Parse(Option(a, "--lines", "1000000"));
    var path = Path.Combine(Path.GetTempPath(), $"regimen-bench-{lines}.log");
    const int StepsPerEpoch = 8;
    if (!File.Exists(path))
    {
        using var w = new StreamWriter(path);
        var r = new Random(1);
        int epochs = lines / (StepsPerEpoch + 2);
        for (int e = 0; e < epochs; e++)
        {
            double p = (double)e / epochs;
            for (int s = 0; s < StepsPerEpoch; s++)
            {
                double loss = 2.3 * Math.Exp(-3 * p) + r.NextDouble() * 0.05;
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(s == 0 ? "\u001b[32m" : "")}Train: {e} [{s * 125,4}/1000 ({s * 12.5,3:F0}%)]  Loss: " +
                        $"{loss:F4} ({loss:F3})  Time: 0.213s, 1200.05/s  LR: {0.1 * (1 - p):E3}  Data: 0.001 " +
                        $"(0.006){(s == 0 ? "\u001b[0m" : "")}"));
            }
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Test: [  48/48]  Time: 0.104 (0.207)  Loss:  {2.3 * Math.Exp(-2.5 * p) + r.NextDouble() * 0.01:F4} " +
                    $"({2.3 * Math.Exp(-2.5 * p):F4})  Acc@1: {10 + 80 * p:F4} " +
                    $"({10 + 80 * p + r.NextDouble() * 0.5:F4})"));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {e} done: train_acc={0.1 + 0.85 * p:F4}"));
        }
    }
    if (a.Contains("--parts"))
    {
        path = Option(a, "--file", path);
        // Where the time goes: the lines alone, then the parser on them (user CPU seconds beside wall).
        var sw = Stopwatch.StartNew();
        long chars = 0;
        foreach (var line in File.ReadLines(path)) chars += line.Length;
        double linesOnly = sw.Elapsed.TotalSeconds;
        var parser = new TextLogParser();
        var done = new List<TextEpoch>();
        sw.Restart();
        foreach (var line in File.ReadLines(path)) parser.Feed(line.AsSpan(), done);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"lines_only_s={linesOnly:F2} lines_and_parser_s={sw.Elapsed.TotalSeconds:F2} epochs={done.Count} " +
                $"cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F2}"));
        return 0;
    }
    var clock = Stopwatch.StartNew();
    var logs = LogReader.Read(path);
    double read = clock.Elapsed.TotalSeconds;
    long readAlloc = GC.GetTotalAllocatedBytes() >> 20;
    var analysis = Analyst.Analyze(logs[0]);
    double total = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"side=regimen textlog lines={lines} epochs={logs[0].Epochs.Count} read_s={read:F2} total_s={total:F2} " +
            $"read_alloc_mb={readAlloc} " +
            $"findings={analysis.Findings.Count} reader={logs[0].Reader} {Runtime()}"));
    return 0;
}

// Comparing N run folders: each a copy of a seed fixture (100 epochs of CIFAR-100 WRN-28-10) with its own learning
// rate and seeded noise on the validation accuracy; timed from reading the folders to the Markdown report.
static int Compare(string[] a)
{
    int runs = int.Parse(Option(a, "--runs", "100"));
    string fixture = Option(a, "--fixture", "tests/Regimen.Tests/Fixtures/seed002-session02");
    var root = Path.Combine(Path.GetTempPath(), $"regimen-bench-compare-{runs}");
    if (!Directory.Exists(root))
    {
        var random = new Random(5);
        var metrics = File.ReadAllLines(Path.Combine(fixture, "metrics.csv"));
        int valAcc = Array.IndexOf(metrics[0].Split(','), "val_acc");
        for (int r = 0; r < runs; r++)
        {
            var dir = Path.Combine(root, $"run{r:D3}");
            Directory.CreateDirectory(dir);
            foreach (var name in new[] { "events.jsonl", "summary.json" })
                File.Copy(Path.Combine(fixture, name), Path.Combine(dir, name));
            File.WriteAllText(Path.Combine(dir, "recipe.yaml"), File.ReadAllText(Path.Combine(fixture, "recipe.yaml"))
                .Replace("lr: 0.1", string.Create(CultureInfo.InvariantCulture, $"lr: {0.05 + 0.001 * r}")));
            File.WriteAllLines(Path.Combine(dir, "metrics.csv"), metrics.Select((line, i) =>
            {
                if (i == 0) return line;
                var fields = line.Split(',');
                fields[valAcc] = (double.Parse(fields[valAcc], CultureInfo.InvariantCulture) +
                    0.01 * (random.NextDouble() - 0.5)).ToString("F5", CultureInfo.InvariantCulture);
                return string.Join(",", fields);
            }));
        }
    }
    var clock = Stopwatch.StartNew();
    var logs = Directory.GetDirectories(root).Order(StringComparer.Ordinal).SelectMany(LogReader.Read).ToList();
    double read = clock.Elapsed.TotalSeconds;
    var comparison = RunComparison.Compare(logs);
    var markdown = Regimen.Reports.ComparisonReport.Markdown(comparison);
    double total = clock.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"side=regimen compare runs={logs.Count} read_s={read:F2} total_s={total:F2} " +
            $"markdown_chars={markdown.Length} verdict_chars={comparison.Verdict.Length}"));
    return 0;
}

static int Fit(string[] a)
{
    var recipe = CheckedRecipes.Load(a[0], a.Skip(1));
    using var setup = TrainingSetup.Create(recipe);
    new Trainer(setup, new[] { new Regimen.Reports.PlainProgress(Console.Out) }).Fit();
    return 0;
}

// A recipe without augmentations and random uint8 images in memory: both sides of a comparison time the model step.
static (Recipe Recipe, ImageDataset Train, ImageDataset Validation) RandomImageTraining(string model, int width,
    int size, int channels,
    int batch, int images, int epochs, int threads, int workers)
{
    var yaml = $"""
        name: bench
        epochs: {epochs}
        batch_size: {batch}
        threads: {threads}
        model:
          name: {model}
        {(width > 0 ? $"  width: {width}" : "")}
        data:
          workers: {workers}
        augment:
          enabled: false
        evaluation:
          batch_size: {batch}
        """;
    var recipe = CheckedRecipes.Parse(yaml, "bench");
    manual_seed(0);
    var train = new ImageDataset("random", randint(0, 256, new long[] { images, channels, size, size },
        dtype: ScalarType.Byte),
        randint(0, 10, new long[] { images }, dtype: ScalarType.Int64), Enumerable.Range(0, 10)
            .Select(i => i.ToString()).ToArray());
    return (recipe, train, train.Select(Enumerable.Range(0, batch).Select(i => (long)i).ToArray()));
}

// Regimen's Trainer against the barest loop over the same model, optimizer and data, alternated epoch by epoch
// in one process, so that the machine's noise hits both alike: what the Trainer adds around the model step.
static int Loops(string[] a)
{
    string model = a[0];
    int width = int.Parse(Option(a, "--width", "0")), size = int.Parse(Option(a, "--size", "32")),
        channels = int.Parse(Option(a, "--channels", "3"));
    int batch = int.Parse(Option(a, "--batch", "128")), images = int.Parse(Option(a, "--images", "2560")),
        rounds = int.Parse(Option(a, "--rounds", "4"));
    int workers = int.Parse(Option(a, "--workers", "1"));
    var (recipe, train, val) = RandomImageTraining(model, width, size, channels, batch, images, epochs: 1000,
        threads: 2, workers);
    using var setup = TrainingSetup.CreateForSplit(recipe, train, val);
    var trainer = new Trainer(setup, Array.Empty<TrainingCallback>());
    var mean = full(new long[] { 1, channels, 1, 1 }, 0.5f);
    var std = full(new long[] { 1, channels, 1, 1 }, 0.25f);
    double Bare(int epoch)
    {
        setup.Model.train();
        var order = BatchLoader.Order(images, 0, epoch);
        var clock = Stopwatch.StartNew();
        int seen = 0;
        for (int b = 0; b < images / batch; b++)
        {
            using var scope = NewDisposeScope();
            using var index = tensor(order.AsSpan(b * batch, batch).ToArray(), ScalarType.Int64);
            var x = (train.Images.index_select(0, index).to_type(ScalarType.Float32) / 255 - mean) / std;
            var loss = nn.functional.cross_entropy(setup.Model.forward(x), train.Labels.index_select(0, index),
                label_smoothing: 0.1);
            setup.Optimizer.zero_grad();
            loss.backward();
            setup.Optimizer.step();
            seen += batch;
        }
        return seen / clock.Elapsed.TotalSeconds;
    }
    var trainerRates = new List<double>();
    var bareRates = new List<double>();
    Bare(0);
    for (int r = 0; r < rounds; r++)
    {
        var context = trainer.Fit(startEpoch: 2 * r, stopEpoch: 2 * r + 1);
        trainerRates.Add(context.History[^1].ImagesPerSecond);
        bareRates.Add(Bare(2 * r + 1));
    }
    static string Join(List<double> v) =>
        string.Join(";", v.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"model={model} width={width} trainer_img_per_s={Join(trainerRates)} bare_img_per_s={Join(bareRates)} " +
            $"ratio={Median(trainerRates) / Median(bareRates):F2}"));
    return 0;
}

// Where a training step's time goes, piece by piece, for comparison with bench/torch_ops.py (the same pieces in
// PyTorch).
static int Ops(string[] a)
{
    string name = a[0];
    int width = int.Parse(Option(a, "--width", "0")), size = int.Parse(Option(a, "--size", "32")),
        channels = int.Parse(Option(a, "--channels", "3"));
    int batch = int.Parse(Option(a, "--batch", "128")), threads = int.Parse(Option(a, "--threads", "2")),
        reps = int.Parse(Option(a, "--reps", "20"));
    TorchRuntime.Configure(threads);
    manual_seed(0);
    int c = width > 0 ? width : 16;
    double Time(Action step)
    {
        for (int i = 0; i < 3; i++) { using var s = NewDisposeScope(); step(); }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) { using var s = NewDisposeScope(); step(); }
        return clock.Elapsed.TotalMilliseconds / reps;
    }
    var conv = nn.Conv2d(c, c, 3, padding: 1, bias: false);
    var bn = nn.BatchNorm2d(c);
    var xc = randn(batch, c, size, size);
    var results = new List<(string, double)>
    {
        ("conv3x3_fwd", Time(() => conv.forward(xc))),
        ("conv3x3_fwd_bwd",
            Time(() => { using var x = xc.detach().requires_grad_(); conv.forward(x).sum().backward(); })),
        ("bn_fwd_bwd", Time(() => { using var x = xc.detach().requires_grad_(); bn.forward(x).sum().backward(); })),
        ("relu_fwd_bwd",
            Time(() => { using var x = xc.detach().requires_grad_(); nn.functional.relu(x).sum().backward(); })),
        ("bn_fwd_x10", Time(() => { for (int i = 0; i < 10; i++) bn.forward(xc); })),
        ("conv_bn_relu_fwd_x10", Time(() => { for (int i = 0; i < 10; i++) bn.forward(conv.forward(xc)).relu_(); })),
    };
    var model = Regimen.Models.ModelRegistry.Create(name, new Regimen.Models.ModelOptions(channels, 10,
        width > 0 ? width : null, null, null, 0, 0));
    model.train();
    var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9, nesterov: true, weight_decay: 5e-4);
    var x0 = randn(batch, channels, size, size);
    var y0 = randint(0, 10, new long[] { batch }, dtype: ScalarType.Int64);
    results.Add(("model_fwd", Time(() => model.forward(x0))));
    var deep = nn.Conv2d(8 * c, 8 * c, 3, padding: 1, bias: false);
    var xd = randn(batch, 8 * c, Math.Max(1, size / 8), Math.Max(1, size / 8));
    results.Add(("deep_conv_fwd", Time(() => deep.forward(xd))));
    var s2 = nn.Conv2d(c, 2 * c, 3, stride: 2, padding: 1, bias: false);
    var s2x1 = nn.Conv2d(c, 2 * c, 1, stride: 2, bias: false);
    results.Add(("s2_conv_fwd", Time(() => s2.forward(xc))));
    results.Add(("s2_1x1_fwd", Time(() => s2x1.forward(xc))));
    results.Add(("s2_conv_fwd_bwd",
        Time(() => { using var x = xc.detach().requires_grad_(); s2.forward(x).sum().backward(); })));
    var deepBn = nn.BatchNorm2d(8 * c);
    results.Add(("deep_bn_fwd_x10", Time(() => { for (int i = 0; i < 10; i++) deepBn.forward(xd); })));
    results.Add(("deep_relu_add_x10", Time(() => { for (int i = 0; i < 10; i++) nn.functional.relu(xd + xd); })));
    model.eval();
    results.Add(("model_fwd_eval_nograd", Time(() => { using var g = no_grad(); model.forward(x0); })));
    model.train();
    results.Add(("model_fwd_bwd",
        Time(() => { nn.functional.cross_entropy(model.forward(x0), y0, label_smoothing: 0.1).backward(); })));
    nn.functional.cross_entropy(model.forward(x0), y0).backward();
    results.Add(("opt_step", Time(() => optimizer.step())));
    var labels = y0;
    results.Add(("accuracy_item",
        Time(() => { using var l = model.forward(x0); l.argmax(1).eq(labels).sum().item<long>(); })));
    results.Add(("model_step",
        Time(() =>
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(x0), y0, label_smoothing: 0.1).backward();
            optimizer.step();
        })));
    Console.WriteLine("side=regimen " +
        string.Join(" ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Item1}={r.Item2:F2}"))));
    return 0;
}

// One model step and one no-grad evaluation forward, contiguous (NCHW) against channels-last (NHWC), alternated
// in one process on two copies of the same model (ms per step).
static int Layout(string[] a)
{
    string name = a[0];
    int width = int.Parse(Option(a, "--width", "0")), size = int.Parse(Option(a, "--size", "32")),
        channels = int.Parse(Option(a, "--channels", "3"));
    int batch = int.Parse(Option(a, "--batch", "128")), reps = int.Parse(Option(a, "--reps", "10")),
        rounds = int.Parse(Option(a, "--rounds", "3"));
    TorchRuntime.Configure(2);
    var x0 = randn(batch, channels, size, size);
    var y0 = randint(0, 10, new long[] { batch }, dtype: ScalarType.Int64);
    (nn.Module<Tensor, Tensor> Model, optim.Optimizer Opt, Tensor X) Make(int layout)
    {
        manual_seed(0);
        var m = Regimen.Models.ModelRegistry.Create(name, new Regimen.Models.ModelOptions(channels, 10,
            width > 0 ? width : null, null, null, 0, 0));
        if (layout == 2) Regimen.Models.MemoryLayout.ToChannelsLast(m);
        return (m, optim.SGD(m.parameters(), 0.01, momentum: 0.9, nesterov: true, weight_decay: 5e-4),
            layout > 0 ? Regimen.Models.MemoryLayout.ToChannelsLast(x0) : x0);
    }
    var sides = new[] { Make(0), Make(1), Make(2) };
    double Time(Action step)
    {
        for (int i = 0; i < 2; i++) { using var s = NewDisposeScope(); step(); }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) { using var s = NewDisposeScope(); step(); }
        return clock.Elapsed.TotalMilliseconds / reps;
    }
    var steps = new List<double>[] { new(), new(), new() };
    var evals = new List<double>[] { new(), new(), new() };
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++)
        {
            var (m, opt, x) = sides[k];
            m.train();
            steps[k].Add(Time(() =>
                {
                    opt.zero_grad();
                    nn.functional.cross_entropy(m.forward(x), y0, label_smoothing: 0.1).backward();
                    opt.step();
                }));
            m.eval();
            evals[k].Add(Time(() => { using var g = no_grad(); m.forward(x); }));
        }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"model={name} width={width} size={size} step_nchw_ms={Median(steps[0]):F1} " +
            $"step_nhwc_input_ms={Median(steps[1]):F1} step_nhwc_ms={Median(steps[2]):F1} " +
            $"eval_nchw_ms={Median(evals[0]):F1} eval_nhwc_input_ms={Median(evals[1]):F1} " +
            $"eval_nhwc_ms={Median(evals[2]):F1}"));
    return 0;
}

// Single convolutions across channel counts, kernel sizes, strides and layouts against the same convolution in
// float64 (libtorch's im2col path, not oneDNN): prints every case whose output, input gradient or weight gradient is
// off, then "convcheck done". Run one case per process (--case) where a fault may corrupt the heap.
static int ConvCheck(string[] a)
{
    TorchRuntime.Configure(int.Parse(Option(a, "--threads", "1")));
    int size = int.Parse(Option(a, "--size", "14")), batch = int.Parse(Option(a, "--batch", "8"));
    int[] channels = Option(a, "--channels", "1,3,4,8,12,16,24,32,48,64").Split(',').Select(int.Parse).ToArray();
    string? only = Option(a, "--case", "") is { Length: > 0 } c ? c : null;
    manual_seed(0);
    static double Relative(Tensor f, Tensor d) =>
        ((f.to_type(ScalarType.Float64) - d).abs().max() / (d.abs().max() + 1e-12)).item<double>();
    foreach (var layout in new[] { "nchw", "nhwc" })
        foreach (int k in new[] { 1, 3, 7 })
            foreach (int stride in new[] { 1, 2 })
                foreach (int cin in channels)
                    foreach (int cout in channels)
                    {
                        if (only is not null && only != $"{layout},{k},{stride},{cin},{cout}") continue;
                        using var scope = NewDisposeScope();
                        var w = randn(cout, cin, k, k) * 0.2;
                        var x0 = randn(batch, cin, size, size);
                        bool nhwc = layout == "nhwc";
                        var x = (nhwc ? Regimen.Models.MemoryLayout.ToChannelsLast(x0) : x0).detach().requires_grad_();
                        var wf = (nhwc ? Regimen.Models.MemoryLayout.ToChannelsLast(w) : w).detach().requires_grad_();
                        var strides = new long[] { stride, stride };
                        var padding = new long[] { k / 2, k / 2 };
                        var y = nn.functional.conv2d(x, wf, strides: strides, padding: padding);
                        (y * y).sum().backward();
                        var xd = x0.to_type(ScalarType.Float64).detach().requires_grad_();
                        var wd = w.to_type(ScalarType.Float64).detach().requires_grad_();
                        var yd = nn.functional.conv2d(xd, wd, strides: strides, padding: padding);
                        (yd * yd).sum().backward();
                        double output = Relative(y, yd), inputGradient = Relative(x.grad!, xd.grad!),
                            weightGradient = Relative(wf.grad!, wd.grad!);
                        if (!(output < 1e-4 && inputGradient < 1e-4 && weightGradient < 1e-4))
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"{layout} k{k} s{stride} {cin}->{cout}: output {output:G3} input_grad " +
                                    $"{inputGradient:G3} weight_grad {weightGradient:G3}"));
                    }
    Console.WriteLine($"convcheck done (oneDNN caches: {Regimen.OneDnnCacheFix.Status})");
    return 0;
}

static int EvalParts(string[] a)
{
    string model = a[0];
    int width = int.Parse(Option(a, "--width", "0")), size = int.Parse(Option(a, "--size", "32")),
        channels = int.Parse(Option(a, "--channels", "3"));
    int batch = int.Parse(Option(a, "--batch", "128")), images = int.Parse(Option(a, "--images", "1280")),
        rounds = int.Parse(Option(a, "--rounds", "5"));
    // --train-epochs N: train first, as Regimen.Bench train does before it times evaluation.
    int trainEpochs = int.Parse(Option(a, "--train-epochs", "0")), workers = int.Parse(Option(a, "--workers", "0"));
    var (recipe, train, val) = RandomImageTraining(model, width, size, channels, batch, images,
        Math.Max(1, trainEpochs), 2, workers);
    using var setup = TrainingSetup.CreateForSplit(recipe, train, val);
    if (trainEpochs > 0) new Trainer(setup, Array.Empty<TrainingCallback>()).Fit();
    var m = setup.Model; m.eval();
    // Regimen's evaluation loop rebuilt stage by stage (inference mode, as the Evaluator): 0 loads and normalizes,
    // 1 adds the forward pass, 2 the softmax, 3 the summed loss, 4 the copy of the probabilities out.
    double Stages(int upTo)
    {
        var clock = Stopwatch.StartNew();
        using var g = inference_mode();
        foreach (var b in BatchLoader.Batches(setup.Train, batch, null, false))
        {
            using var scope = NewDisposeScope();
            scope.Attach(new IDisposable[] { b.Images, b.Labels });
            var x = setup.Augment.Eval(b.Images, size);
            if (upTo < 1) continue;
            var logits = m.forward(x);
            if (upTo < 2) continue;
            var p = nn.functional.softmax(logits, 1);
            if (upTo < 3) continue;
            nn.functional.nll_loss(p.clamp_min(1e-12f).log(), b.Labels, reduction: nn.Reduction.Sum).item<float>();
            if (upTo < 4) continue;
            p.contiguous().data<float>().ToArray();
        }
        return images / clock.Elapsed.TotalSeconds;
    }
    double Full()
    {
        var clock = Stopwatch.StartNew();
        Evaluator.Evaluate(m, setup.Train, setup.Augment, size, batch, flipTta: false);
        return images / clock.Elapsed.TotalSeconds;
    }
    var ready = PreparedBatches(setup, size, batch);
    double ForwardOnly() => ForwardRate(m, ready, images);
    var measures = new (string Name, Func<double> Run)[]
    {
        ("evaluator", Full), ("forward_only", ForwardOnly), ("load_normalize", () => Stages(0)),
        ("with_forward", () => Stages(1)),
        ("with_softmax", () => Stages(2)), ("with_loss", () => Stages(3)), ("with_copy_out", () => Stages(4)),
    };
    foreach (var (_, run) in measures) run();
    var r = measures.Select(_ => new List<double>()).ToArray();
    for (int i = 0; i < rounds; i++)
        for (int k = 0; k < measures.Length; k++) r[k].Add(measures[k].Run());
    Console.WriteLine(string.Join(" ",
        measures.Select((x, k) => string.Create(CultureInfo.InvariantCulture, $"{x.Name}={Median(r[k]):F0}"))));
    return 0;
}

sealed class RssProbe(List<double> rss) : TrainingCallback
{
    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        if (Environment.GetEnvironmentVariable("REGIMEN_BENCH_GC") == "1")
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        rss.Add(Process.GetCurrentProcess().WorkingSet64 / 1e6);
        if (Environment.GetEnvironmentVariable("REGIMEN_BENCH_MALLINFO") == "1")
        {
            var m = MallInfo2();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {result.Epoch}: rss {rss[^1]:F0} MB, malloc arena {m.Arena / 1e6:F0} MB (in use " +
                    $"{m.Uordblks / 1e6:F0}, free {m.Fordblks / 1e6:F0}, top {m.Keepcost / 1e6:F0}), mmapped " +
                    $"{m.Hblkhd / 1e6:F0} MB in {m.Hblks}, managed {GC.GetTotalMemory(false) / 1e6:F0} MB"));
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo MallInfo2();
}

