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
            using var json = JsonDocument.Parse(output);
            var noisy = Numbers(json.RootElement).Where(n => SignificantDigits(n) > 10).ToList();
            Assert.True(noisy.Count == 0, $"{args[0]}: {string.Join(", ", noisy.Take(5))}");
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
