using System.Text.Json;
using Regimen.Analysis;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

public class CompareTests
{
    [Fact]
    public void Seed002VerdictRecommendsTheStableSessionForDeployment()
    {
        var logs = LogReader.Read(AnalystTests.Fixture("seed002-session02"))
            .Concat(LogReader.Read(AnalystTests.Fixture("seed002-session04"))).ToList();
        var c = RunComparison.Compare(logs);
        Assert.Equal("val_acc", c.Monitor);
        Assert.Equal(new[] { "0.1", "0.15" }, c.ConfigDiff["optimizer.lr"]);
        Assert.DoesNotContain("epochs", c.ConfigDiff.Keys);                          // only what differs
        Assert.Equal("seed002-session04", c.Criteria.Single(k => k.Name.StartsWith("best")).Winner);
        Assert.Contains("+1.78 pt", c.Criteria.Single(k => k.Name.StartsWith("best")).Margin);
        Assert.Equal("seed002-session02", c.Criteria.Single(k => k.Name.StartsWith("generalization")).Winner);
        Assert.Equal("seed002-session02", c.Criteria.Single(k => k.Name.StartsWith("stability")).Winner);
        Assert.StartsWith("For deployment: seed002-session02", c.Verdict);
        var row70 = c.Milestones.Single(r => r.Epoch == 70);
        Assert.Contains("mixup_alpha 0.15→0", row70.Events[1]);
        Assert.Contains(c.Milestones, r => r.Epoch == 98 && r.Events[1] == "BEST");
    }

    static void WriteLog(string path, double start)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, new[] { "epoch,train_loss,val_loss,val_acc" }.Concat(Enumerable.Range(0, 6).Select(i =>
            FormattableString.Invariant($"{i},{1 - 0.1 * i:0.00},{0.9 - 0.05 * i:0.00},{start + 0.03 * i:0.00}"))));
    }

    static List<string> RunNames(params string[] runs)
    {
        var (code, output) = CliTests.Run(["compare", .. runs, "--json"]);
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output).RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => r.GetProperty("run").GetString()!).ToList();
    }

    [Fact]
    public void RunsOfTheSameNameAreToldApartByTheShortestEndOfTheirPaths()
    {
        var root = TestData.TempDir("compare-names");
        WriteLog(Path.Combine(root, "x", "history.csv"), 0.4);
        WriteLog(Path.Combine(root, "y", "history.csv"), 0.5);
        WriteLog(Path.Combine(root, "a", "training", "metrics.csv"), 0.4);
        WriteLog(Path.Combine(root, "b", "training", "metrics.csv"), 0.5);
        WriteLog(Path.Combine(root, "exp1", "seed", "training", "metrics.csv"), 0.45);
        Assert.Equal(["x/history.csv", "y/history.csv"],
            RunNames(Path.Combine(root, "x", "history.csv"), Path.Combine(root, "y", "history.csv")));
        Assert.Equal(["a/training", "b/training", "seed/training"], RunNames(Path.Combine(root, "a", "training"),
            Path.Combine(root, "b", "training"), Path.Combine(root, "exp1", "seed", "training")));
        // Names that differ already stay as they are; the same path twice is numbered.
        Assert.Equal(["metrics", "history"],
            RunNames(Path.Combine(root, "a", "training"), Path.Combine(root, "x", "history.csv")));
        Assert.Equal(["history #1", "history #2"],
            RunNames(Path.Combine(root, "x", "history.csv"), Path.Combine(root, "x", "history.csv")));
        // The terminal report's columns carry the same names.
        var (code, output) = CliTests.Run("compare", Path.Combine(root, "x", "history.csv"),
            Path.Combine(root, "y", "history.csv"));
        Assert.True(code == 0, output);
        Assert.Contains("│ x/history.csv │ y/history.csv │", output);
    }

    [Fact]
    public void AnalyzeAndCompareFromTheCommandLineWithStableJson()
    {
        var (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--json",
            "--target", "0.75");
        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(output))
        {
            var finding = json.RootElement.GetProperty("findings").EnumerateArray()
                .First(f => f.GetProperty("kind").GetString() == "schedule-shift");
            foreach (var field in new[] { "kind", "severity", "first_epoch", "last_epoch", "summary", "evidence",
                "confidence", "recommendations" })
                Assert.True(finding.TryGetProperty(field, out _), field);
            var patch = json.RootElement.GetProperty("recommendations").EnumerateArray().First().GetProperty("patch");
            Assert.Equal(JsonValueKind.Object, patch.ValueKind);
        }
        var md = Path.Combine(TestData.TempDir("md"), "report.md");
        (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--markdown", md);
        Assert.True(code == 0, output);
        Assert.Contains("schedule-shift", output);
        var markdown = File.ReadAllText(md);
        Assert.Contains("# Analysis: seed001-fixres-v1", markdown);
        Assert.Contains("phases[2].augment: true", markdown);

        (code, output) = CliTests.Run("compare", AnalystTests.Fixture("seed002-session02"),
            AnalystTests.Fixture("seed002-session04"), "--json");
        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(output))
            Assert.StartsWith("For deployment: seed002-session02", json.RootElement.GetProperty("verdict").GetString());

        var png = Path.Combine(TestData.TempDir("png"), "seed001");
        (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--png", png);
        Assert.True(code == 0, output);
        foreach (var file in new[] { png + "-curves.png", png + "-gap.png" })
        {
            var bytes = File.ReadAllBytes(file);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"{file}: {bytes.Length} bytes");
        }

        // Thresholds are options: a 10-point gap threshold leaves seed 001's 6.7-point gap unreported as overfitting.
        (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--json", "--gap", "0.10",
            "--degradation", "0.5");
        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(output))
            Assert.DoesNotContain(json.RootElement.GetProperty("findings").EnumerateArray(),
                f => f.GetProperty("kind").GetString() == "overfitting" && f.GetProperty("summary")
                    .GetString()!.StartsWith("Training accuracy"));

        (code, output) = CliTests.Run("analyze", Path.Combine(TestData.TempDir("none"), "missing.csv"));
        Assert.Equal(2, code);
        Assert.Contains("no such file or folder", output);
    }
}
