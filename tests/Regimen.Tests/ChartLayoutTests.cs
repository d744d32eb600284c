using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Regimen.Evolve;
using Regimen.Reports;
using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>
/// Every chart Regimen writes, at the size it is written, laid out as a browser measures it: the charts are
/// rendered as SVG (the same layout as the PNG), headless Chromium measures every label's box, and no label may
/// overlap another, leave the figure, or lie in a data area (where it would hide the curves).
/// </summary>
public class ChartLayoutTests
{
    const string Measure = """
        const problems = [], labels = [];
        for (const figure of document.querySelectorAll('figure')) {
          const name = figure.dataset.chart, svg = figure.querySelector('svg'), box = svg.getBoundingClientRect();
          const areas = JSON.parse(figure.dataset.areas);
          const texts = [...svg.querySelectorAll('text')].map(t => {
            const r = t.getBoundingClientRect();
            return { chart: name, text: t.textContent.trim(), left: r.left - box.left, top: r.top - box.top,
                     right: r.right - box.left, bottom: r.bottom - box.top };
          }).filter(t => t.text.length > 0 && t.right > t.left);
          const tolerance = 1;
          const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > tolerance &&
                                    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > tolerance;
          for (const t of texts) {
            if (t.left < -tolerance || t.top < -tolerance || t.right > box.width + tolerance ||
                t.bottom > box.height + tolerance)
              problems.push(`${name}: '${t.text}' is cut off by the figure's edge`);
            for (const [left, top, right, bottom] of areas)
              if (overlap(t, { left, top, right, bottom })) problems.push(`${name}: '${t.text}' lies in a data area`);
          }
          for (let i = 0; i < texts.length; i++)
            for (let j = i + 1; j < texts.length; j++)
              if (overlap(texts[i], texts[j]))
                problems.push(`${name}: '${texts[i].text}' overlaps '${texts[j].text}'`);
          labels.push(...texts);
          labels.push(...areas.map(([left, top, right, bottom]) =>
            ({ chart: name, text: '', left, top, right, bottom, area: true })));
        }
        document.getElementById('result').textContent = JSON.stringify({ problems, labels });
        """;

    internal sealed record Label(string Chart, string Text, double Left, double Top, double Right, double Bottom,
        bool Area = false);

    sealed record Measured(List<string> Problems, List<Label> Labels);

    /// <summary>The figures on one page, measured in headless Chromium.</summary>
    static Measured Lay(IEnumerable<(string Name, ChartFigure Figure)> figures)
    {
        var dir = TestData.TempDir("chart-layout");
        var page = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>");
        var all = figures.ToList();
        foreach (var (name, figure) in all)
        {
            var (svg, areas) = figure.RenderSvg();
            var broken = areas.Where(a => !float.IsFinite(a.Left + a.Top + a.Right + a.Bottom)).ToList();
            Assert.True(broken.Count == 0, $"{name}: a data area is not finite (the axes have no range)");
            var json = JsonSerializer.Serialize(areas.Select(a => new[] { a.Left, a.Top, a.Right, a.Bottom }));
            page.Append($"<figure data-chart=\"{name}\" data-areas=\"{WebUtility.HtmlEncode(json)}\" ")
                .Append($"style=\"margin:0;width:{figure.Width}px;height:{figure.Height}px\">")
                .Append(Regex.Replace(svg, @"^<\?xml[^>]*\?>", "")).Append("</figure>");
        }
        page.Append("<pre id=\"result\"></pre><script>").Append(Measure).Append("</script></body></html>");
        var html = Path.Combine(dir, "charts.html");
        File.WriteAllText(html, page.ToString());
        var dom = HtmlReportTests.DumpDom(html);
        var result = Regex.Match(dom, "<pre id=\"result\">(.*?)</pre>", RegexOptions.Singleline);
        Assert.True(result.Success && result.Groups[1].Length > 0, $"the page did not measure: {html}");
        var measured = JsonSerializer.Deserialize<Measured>(WebUtility.HtmlDecode(result.Groups[1].Value),
            CaseInsensitive)!;
        foreach (var (name, figure) in all.Where(f => measured.Problems.Any(p => p.StartsWith(f.Name + ": "))))
            figure.SavePng(Path.Combine(dir, name + ".png"));   // to look at
        return measured;
    }

    static readonly JsonSerializerOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    static TrainingLog Log(string name, int epochs, Func<int, LogEpoch> epoch, params LogEvent[] events) => new()
    {
        Name = name, Source = "synthetic", Format = "regimen", PlannedEpochs = epochs,
        Epochs = Enumerable.Range(0, epochs).Select(epoch).ToList(), Events = events.ToList(),
    };

    static LogEpoch Curve(int e, int epochs, double lr = 0.1, double resolution = 224) => new()
    {
        Epoch = e, LearningRate = lr, Resolution = resolution,
        TrainLoss = 2 * Math.Exp(-3.0 * e / epochs), ValLoss = 2.1 * Math.Exp(-2.5 * e / epochs),
        TrainAccuracy = 0.95 - 0.8 * Math.Exp(-3.0 * e / epochs),
        ValAccuracy = 0.9 - 0.75 * Math.Exp(-2.5 * e / epochs),
    };

    static LogEvent Change(int epoch, string key, object from, object to) =>
        new(epoch, "schedule", key, Convert.ToString(from, CultureInfo.InvariantCulture),
            Convert.ToString(to, CultureInfo.InvariantCulture), null);

    /// <summary>3,000 epochs: a step schedule every 300 epochs, progressive resizing in 8 px steps, three changes on
    /// neighbouring epochs, an early stop at the end.</summary>
    static TrainingLog ManyEvents()
    {
        var events = new List<LogEvent>
        {
            Change(10, "resolution", 128, 136), Change(11, "mixup_alpha", 0.2, 0), Change(12, "augment", "on", "off"),
            new(2999, "early_stop", null, null, null, "val_acc did not improve for 50 epochs"),
        };
        for (int e = 300; e < 3000; e += 300)
            events.Add(Change(e, "lr", 0.1 * Math.Pow(0.5, e / 300 - 1), 0.1 * Math.Pow(0.5, e / 300)));
        for (int e = 200; e < 3000; e += 200)
            events.Add(Change(e, "resolution", 128 + 8 * (e / 200), 136 + 8 * (e / 200)));
        return Log("many-events", 3000, e => Curve(e, 3000, 0.1 * Math.Pow(0.5, e / 300), 128 + 8 * (e / 200)),
            events.OrderBy(x => x.Epoch).ToArray());
    }

    /// <summary>Two runs of 3,000 epochs with long names; the second diverges for a while (NaN losses and
    /// accuracies).</summary>
    static TrainingLog[] LongNames() =>
    [
        Log("resnet50-imagenet-baseline-cosine-lr0.4-wd5e-5-bs1024-label-smoothing-0.1-run-2026-12-01T11-43", 3000,
            e => Curve(e, 3000)),
        Log("resnet50-imagenet-progressive-resizing-160-to-224-fixres-test-at-256-ema-0.9999-run-2026-12-01", 3000,
            e => e is >= 1000 and < 1100
                ? new LogEpoch { Epoch = e, TrainLoss = double.NaN, ValLoss = double.NaN, TrainAccuracy = double.NaN,
                    ValAccuracy = double.NaN, LearningRate = 0.1 }
                : Curve(e, 3000, resolution: e < 1500 ? 160 : 224)),
    ];

    static TrainingLog OneEpoch() => Log("one-epoch", 1, e => Curve(e, 1), Change(0, "augment", "off", "on"));

    static TrainingLog Constant() => Log("constant", 20, e => new LogEpoch
    {
        Epoch = e, LearningRate = 0.1, Resolution = 224, TrainLoss = 0.5, ValLoss = 0.5, TrainAccuracy = 0.8,
        ValAccuracy = 0.8,
    });

    static TrainingLog[] Folds() => Enumerable.Range(0, 5).Select(f => Log($"experiment-with-a-long-name-fold{f}", 30,
        e => Curve(e, 30)) with
    { Fold = f }).ToArray();

    /// <summary>Eight runs compared, with long names: sixteen series a plot.</summary>
    static TrainingLog[] ManyRuns() => Enumerable.Range(0, 8).Select(i => Log(
        $"convnext-tiny-in1k-augmix-variant-{i}-seed{i * 17}-2026-12-01", 100 + 50 * i, e => Curve(e, 100 + 50 * i)))
        .ToArray();

    /// <summary>Logs other tools wrote (tests/Regimen.Tests/Corpus): two runs in one file, a resumed run, a text
    /// log, a saturated YOLO run, a loss-only Hugging Face run, a two-stage Keras run, a step decay.</summary>
    static readonly string[] Real =
    [
        "torchvision-voc-2runs-md", "lightning-mnist", "logging-vgg-resume", "mmengine-textlog", "yolo11-saturated",
        "hf-sentiment", "keras-cat-twostage", "stepdecay-cifar10-md",
    ];

    static LedgerState Ledger(int trials)
    {
        var entries = new List<LedgerEntry>();
        for (int i = 0; i < trials; i++)
        {
            string id = $"t{i:000}";
            entries.Add(new() { Event = "created", Trial = id, Parent = i == 0 ? null : "t000" });
            if (i % 7 == 6) entries.Add(new() { Event = "failed", Trial = id, Reason = "exit code 4" });
            else entries.Add(new() { Event = "finished", Trial = id, Score = 0.8 + 0.004 * i, Spread = 0.01 });
            entries.Add(new() { Event = "decided", Trial = id, Promoted = i % 3 == 0 && i % 7 != 6 });
        }
        return LedgerState.Replay(entries);
    }

    /// <summary>Each chart at the size analyze, compare and ledger write it, for runs that stress the layout.</summary>
    static IEnumerable<(string, ChartFigure)> Figures()
    {
        var seed001 = LogReader.Read(AnalystTests.Fixture("seed001-fixres-v1"));
        var sessions = LogReader.Read(AnalystTests.Fixture("seed002-session02"))
            .Concat(LogReader.Read(AnalystTests.Fixture("seed002-session04"))).ToList();
        var runs = new (string Name, IReadOnlyList<TrainingLog> Logs)[]
        {
            ("seed001", seed001), ("compare", sessions), ("many-events", [ManyEvents()]), ("long-names", LongNames()),
            ("one-epoch", [OneEpoch()]), ("constant", [Constant()]), ("many-runs", ManyRuns()),
            ("ffcv", LogReader.Read(AnalystTests.Fixture("ffcv-imagenet-rn50-agg.csv"))),
        };
        runs = [.. runs, .. Real.Select(r =>
            (r, LogReader.Read(Path.Combine(AppContext.BaseDirectory, "Corpus", r)))),
        ];
        foreach (var (name, logs) in runs)
        {
            yield return ($"{name}-curves", PngCharts.CurvesFigure(logs));
            yield return ($"{name}-gap", PngCharts.GapFigure(logs));
            yield return ($"{name}-schedule", PngCharts.ScheduleFigure(logs));
        }
        yield return ("folds", PngCharts.FoldsFigure(Folds(), "val_acc"));
        var settings = new EvolveSettings { Target = 0.9 };
        yield return ("ledger-3", LineageReport.ScoreFigure(Ledger(3), settings));
        yield return ("ledger-40", LineageReport.ScoreFigure(Ledger(40), settings));
    }

    [Fact]
    public void NoLabelOverlapsAnotherLeavesTheFigureOrHidesTheData()
    {
        var figures = Figures().ToList();
        var measured = Lay(figures);
        foreach (var (name, _) in figures)   // a title and tick labels: a blank figure has none
            Assert.True(measured.Labels.Count(l => l.Chart == name && !l.Area) >= 5, $"{name}: hardly any text");
        Assert.True(measured.Problems.Count == 0, string.Join("\n", measured.Problems));
    }

    [Fact]
    public void AConstantResolutionGetsOneLabelledTick()
    {
        var labels = Lay([("constant-schedule", PngCharts.ScheduleFigure([Constant()]))]).Labels;
        var area = labels.Single(l => l.Area);
        var right = labels.Where(l => l.Left >= area.Right && l.Bottom > area.Top && l.Top < area.Bottom)
            .Select(l => l.Text).Where(t => double.TryParse(t, CultureInfo.InvariantCulture, out _)).ToList();
        Assert.Equal(["224"], right);
    }

    [Fact]
    public void TextChartsKeepTheirAxisStraightAndAConstantSeriesItsScale()
    {
        var flat = AsciiChart.Render([new("val acc", 'V', Enumerable.Range(0, 20).Select(e => (e, 0.8)).ToList())], [],
            format: "0.0%");
        var rows = flat.Split('\n');
        Assert.Equal("84.0%", rows[0].Split('│')[0].Trim());
        Assert.Equal("76.0%", rows[11].Split('└')[0].Trim());

        var large = AsciiChart.Render([new("val loss", 'v', [(0, 12345.678), (1, 0.5), (2, double.NaN)])],
            [(1, "lr 0.1→0.01")], format: "0.000");
        var axis = large.Split('\n').Take(12).Select(r => r.IndexOfAny(['│', '└'])).Distinct().ToList();
        Assert.Equal(10, Assert.Single(axis));   // "12345.678" and two characters before the axis
        Assert.Contains("↑ epoch 1: lr 0.1→0.01", large);

        var single = AsciiChart.Render([new("val acc", 'V', [(0, 0.5)])], [], format: "0.0%");
        Assert.Contains("epoch 0\n", single.Replace("\r", ""));
    }

    /// <summary>The analysis and comparison pages in a 1,024-pixel window: nothing runs off the page's side (a wide
    /// table scrolls in its own box).</summary>
    [Fact]
    public void TheReportPagesFitTheWindow()
    {
        var dir = TestData.TempDir("report-width");
        string analysis = Path.Combine(dir, "analysis.html"), comparison = Path.Combine(dir, "comparison.html");
        var (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--html", analysis);
        Assert.True(code == 0, output);
        string[] runs = ["lightning-mnist", "logging-vgg-resume", "keras-car", "keras-trafficsign", "yolo-fruits",
            "yolo-weather", "fastai-sportsball", "lightning-eurosat"];
        var paths = runs.Select(r => Path.Combine(AppContext.BaseDirectory, "Corpus", r));
        (code, output) = CliTests.Run(["compare", .. paths, "--html", comparison]);
        Assert.True(code == 0, output);
        foreach (var page in new[] { analysis, comparison })
        {
            var probe = page.Replace(".html", "-probe.html");
            File.WriteAllText(probe, File.ReadAllText(page).Replace("</body>", """
                <pre id="probe"></pre><script>
                const width = document.documentElement.clientWidth, wide = [];
                for (const e of document.querySelectorAll('body > *, section > *')) {
                  const r = e.getBoundingClientRect();
                  if (r.left < -1 || r.right > width + 1) wide.push(`${e.tagName} ${Math.round(r.right)} px`);
                }
                document.getElementById('probe').textContent = `${width}: ${wide.join(', ')}`;
                </script></body>
                """));
            var found = Regex.Match(HtmlReportTests.DumpDom(probe, 1024), "<pre id=\"probe\">(.*?)</pre>");
            Assert.True(found.Success, $"{probe} did not measure");
            Assert.Matches(@"^\d+: $", found.Groups[1].Value);
        }
    }
}
