using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Regimen.Analysis;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>Numbers as a reader sees them: units that say what they are, no float noise, no verdict on a tie.
/// </summary>
public class UnitsTests
{
    [Fact]
    public void PercentagesHaveFixedDecimalsAndDifferencesArePoints()
    {
        Assert.Equal("93.22 %", Units.Percent(0.93216));
        Assert.Equal("90.00 %", Units.Percent(0.9));
        Assert.Equal("+1.78 pt", Units.Points(0.0178));
        Assert.Equal("-0.50 pt", Units.Points(-0.005));
        Assert.Equal("0.00 pt", Units.Points(-0.00001));
        Assert.Equal("0.00000114", Units.Significant(1.1428e-6));
        Assert.Equal("0.2", Units.Significant(0.2));
        Assert.Equal("0.0005", Units.Significant(0.0005));
        Assert.Equal(0.0085044870, Units.Measured(0.00850448700000006));
        Assert.Equal(-0.0194, Units.Measured(-0.019399999999999973));
        Assert.Equal(0.9321667, Units.Measured(55930.0 / 60000));   // 7 digits: the count survives
        Assert.Equal(55930, Math.Round(Units.Measured(55930.0 / 60000) * 60000));
        Assert.Equal(0.0001234568, Units.Measured(0.000123456789));
        Assert.Equal(123456789012, Units.Measured(123456789012));    // whole numbers stay exact
    }

    const int MeasuredDigits = 7;

    static void AssertMeasured(string json, string what)
    {
        using var document = JsonDocument.Parse(json);
        var noisy = Numbers(document.RootElement).Where(n => SignificantDigits(n) > MeasuredDigits && !IsWhole(n))
            .ToList();
        Assert.True(noisy.Count == 0, $"{what}: {string.Join(", ", noisy.Take(5))}");
    }

    static bool IsWhole(string number) => !number.Contains('.') && !number.Contains('e') && !number.Contains('E');

    [Fact]
    public void RunRecordsCarryMeasuredNumbersAndMetricsCsvEveryDigit()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("units-data"), trainCount: 128, testCount: 50);
        var outcome = Sessions.TrainingRunner.Start(new Sessions.TrainingRequest
        {
            Recipe = Recipes.RecipeLoader.Parse(TestData.TinyRecipe(1), "tiny.yaml"),
            OutputDirectory = TestData.TempDir("units-run"), DataDirectory = data,
        });
        AssertMeasured(File.ReadAllText(outcome.Run.SummaryFile), "summary.json");
        foreach (var line in File.ReadAllLines(outcome.Run.EventsFile)) AssertMeasured(line, "events.jsonl");
        // The records are rounded, the values a computation reads back are not: metrics.csv keeps a float32's 9.
        var loss = outcome.Metrics[0].TrainLoss.ToString("G9", CultureInfo.InvariantCulture);
        Assert.Contains($",{loss},", File.ReadAllText(outcome.Run.MetricsFile));
        Assert.Equal(Units.Measured(outcome.Summary.WallSeconds), outcome.Summary.WallSeconds);
    }

    [Fact]
    public void TheLedgerAndTheExperimentSummaryCarryMeasuredNumbers()
    {
        var path = Path.Combine(TestData.TempDir("units-ledger"), "ledger.jsonl");
        var ledger = new Evolve.Ledger(path);
        ledger.Append(new Evolve.LedgerEntry
        {
            Event = "finished", Trial = "t1", Score = 0.00850448700000006, Scores = [0.1 + 0.2, 0.9321666666666667],
            WallSeconds = 12.3456789012, Gain = double.NaN,
        });
        var line = File.ReadAllLines(path).Single();
        AssertMeasured(line, "ledger.jsonl");
        Assert.Contains("\"score\":0.008504487,", line);
        Assert.Contains("\"scores\":[0.3,0.9321667]", line);
        Assert.Contains("\"gain\":\"NaN\"", line);
        var entry = ledger.Read().Single();
        Assert.Equal((0.008504487, 12.34568), (entry.Score, entry.WallSeconds));
        Assert.True(double.IsNaN(entry.Gain!.Value));

        var experiment = new Runs.ExperimentSummary
        {
            BestMean = 0.1 + 0.2, BestStd = 0.00850448700000006, OofAccuracy = 2.0 / 3, WallSeconds = 1234.56789,
        };
        AssertMeasured(experiment.ToJson(), "experiment summary.json");
    }

    static int SignificantDigits(string number)
    {
        var mantissa = number.Split('e', 'E')[0].TrimStart('-').Replace(".", "").TrimStart('0');
        return mantissa.Length;
    }

    static IEnumerable<string> Numbers(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => [e.GetRawText()],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Numbers(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Numbers),
        _ => [],
    };

    [Fact]
    public void JsonOutputCarriesNoFloatNoise()
    {
        var runs = new[] { AnalystTests.Fixture("seed002-session02"), AnalystTests.Fixture("seed002-session04") };
        foreach (var args in new[] { (string[])["compare", .. runs, "--json"], ["analyze", runs[0], "--json"] })
        {
            var (code, output) = CliTests.Run(args);
            Assert.True(code == 0, output);
            AssertMeasured(output, args[0]);
        }
    }

    [Fact]
    public void RecipesSimulateShowsPlainDecimals()
    {
        foreach (var recipe in Recipes.BuiltinRecipes.All)
        {
            var (code, output) = CliTests.Run("recipes", "simulate", recipe.Name, "--all");
            Assert.True(code == 0, output);
            Assert.DoesNotMatch(@"\d[eE][-+]?\d", output);
        }
    }

    [Fact]
    public void RecipesSimulatePrintsValuesThatPasteBackIntoARecipe()
    {
        var path = Path.Combine(TestData.TempDir("units-simulate"), "small.yaml");
        var recipe = TestData.TinyRecipe(4).Replace("weight_decay: 0.0005", "weight_decay: 0.000123456");
        File.WriteAllText(path, recipe + """

            phases:
              - name: late
                from_epoch: 2
                weight_decay: 0.00000114
                label_smoothing: 0.3
                ramp_epochs: 2
            """);
        var (code, output) = CliTests.Run("recipes", "simulate", path, "--all");
        Assert.True(code == 0, output);
        Assert.DoesNotMatch(@"\d[eE][-+]?\d", output);
        Assert.Contains("│ 0.000123456 │", output);   // a recipe's value, every digit
        Assert.Contains("weight_decay 0.000123456→0.000062298", output);   // half-way through the ramp
        Assert.DoesNotContain("resolution", output);   // a ramp without a resolution keeps the native one
    }

    [Fact]
    public void CompareShowsDifferencesInPointsAndTheHtmlReportHasEveryMarkdownTable()
    {
        var root = TestData.TempDir("units-compare");
        string md = Path.Combine(root, "c.md"), html = Path.Combine(root, "c.html");
        var (code, output) = CliTests.Run("compare", AnalystTests.Fixture("seed002-session02"),
            AnalystTests.Fixture("seed002-session04"), "--markdown", md, "--html", html);
        Assert.True(code == 0, output);
        Assert.Contains("difference (pt)", output);
        Assert.Contains("+1.78 pt", output);
        Assert.DoesNotMatch(@"[+-]\d+\.\d+ %", output);  // a signed percentage would be a difference in the wrong unit
        var markdown = File.ReadAllText(md);
        var page = File.ReadAllText(html);
        var mdTitles = Regex.Matches(markdown, "^## (.+)$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        var htmlTitles = Regex.Matches(page, "<h2>(.+?)</h2>")
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Contains("Final performance", mdTitles);
        Assert.Equal(mdTitles, htmlTitles);
        // Same columns, table by table.
        var mdHeaders = Regex.Matches(markdown, @"^## .+\n\n(\|.+\|)$", RegexOptions.Multiline)
            .Select(m => string.Join("/", m.Groups[1].Value.Trim('|').Split('|').Select(h => h.Trim()))).ToList();
        var htmlHeaders = Regex.Matches(page, "<table[^>]*><tr>(.*?)</tr>")
            .Select(m => string.Join("/", Regex.Matches(m.Groups[1].Value, "<th>(.*?)</th>")
                .Select(h => System.Net.WebUtility.HtmlDecode(h.Groups[1].Value)))).ToList();
        Assert.Equal(mdHeaders, htmlHeaders);
        // And the same rows: a Markdown table's rows after its header and separator, an HTML table's after its own.
        var mdRows = markdown.Split("\n## ").Skip(1).Select(t => t.Split('\n').Count(l => l.StartsWith('|')) - 2);
        var htmlRows = Regex.Matches(page, "<table[^>]*>(.*?)</table>")
            .Select(m => Regex.Count(m.Groups[1].Value, "<tr>") - 1);
        Assert.Equal(mdRows, htmlRows);
    }

    static string Log(string name, int epochs, Func<int, double> val, Func<int, double> train)
    {
        var path = Path.Combine(TestData.TempDir("units-logs"), name + ".csv");
        File.WriteAllLines(path, new[] { "epoch,train_acc,val_acc" }.Concat(Enumerable.Range(0, epochs)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e},{train(e)},{val(e)}"))));
        return path;
    }

    [Fact]
    public void VerdictCriteriaCountOnlyWhenTheySeparateTheRuns()
    {
        // A 2-epoch run against a 20-epoch one: stability cannot judge, and neither run changes its schedule.
        var shortRun = Log("short", 2, e => 0.5 + 0.1 * e, e => 0.55 + 0.1 * e);
        var longRun = Log("long", 20, e => 0.5 + 0.02 * e, e => 0.52 + 0.025 * e);
        var c = RunComparison.Compare(LogReader.Read(shortRun).Concat(LogReader.Read(longRun)).ToList());
        Assert.DoesNotContain(c.Criteria, k => k.Name.StartsWith("stability", StringComparison.Ordinal));
        Assert.Contains("stability: runs of 2 and 20 epochs are not of comparable length", c.NotCounted);

        var same = Log("same", 20, e => 0.5 + 0.02 * e, e => 0.52 + 0.025 * e);
        c = RunComparison.Compare(LogReader.Read(longRun).Concat(LogReader.Read(same)).ToList());
        Assert.Empty(c.Criteria);
        Assert.Contains(c.NotCounted,
            n => n.StartsWith("best val_acc: ", StringComparison.Ordinal) && n.Contains("tie at 88.00 %"));
        Assert.Contains(c.NotCounted, n => n.StartsWith("generalization: ", StringComparison.Ordinal));
        Assert.Contains("stability: no run changes its schedule", c.NotCounted);
        Assert.StartsWith("No run scores better", c.Verdict);
    }
}
