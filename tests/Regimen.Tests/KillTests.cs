using System.Diagnostics;
using Regimen.Recipes;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// kill -9 at random points of a training, then --resume: the final metrics equal an uninterrupted run's and every file
/// stays readable.
/// </summary>
public class KillTests
{
    static readonly System.Text.StringBuilder log = new();

    static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Regimen.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static string[] WithoutTiming(string metricsFile)
    {
        var lines = File.ReadAllLines(metricsFile);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !MetricsCsv.TimingColumns.Contains(header[i]))
            .ToArray();
        return lines.Select(l => string.Join(",", keep.Select(i => l.Split(',')[i]))).ToArray();
    }

    [Fact]
    public void KilledAtRandomPointsAndResumedItEndsAsAnUninterruptedRun()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("kill-data"), trainCount: 1024, testCount: 100);
        var recipe = Path.Combine(TestData.TempDir("kill-recipe"), "tiny.yaml");
        // Recovery checkpoints every 3 steps (32 batches an epoch): most kills resume mid-epoch.
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 6) + "\ncheckpoint:\n  every_steps: 3\n");
        var whole = Path.Combine(TestData.TempDir("kill-whole"), "run");
        var (code, output) = CliTests.Run("train", recipe, "--data", data, "--out", whole);
        Assert.True(code == 0, output);

        var run = Path.Combine(TestData.TempDir("kill-run"), "run");
        var random = new Random(17);
        int kills = 0, attempts = 0;
        bool started = false;
        while (attempts++ < 12)
        {
            // A run killed before it wrote its recipe cannot be resumed: it is started again (--force), as a user
            // would.
            var p = started ? Start("train", "--resume", run, "--data", data) : Start("train", recipe, "--data", data,
                "--out", run, "--force");
            started = true;
            // Kill somewhere in the run: early (loading), mid-epoch, or just as a checkpoint is written.
            var checkpoint = Path.Combine(run, "checkpoints", "last.ckpt");
            var before = File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : DateTime.MinValue;
            // Startup (the runtime, libtorch, the data) takes about two seconds: most kills land in training.
            var deadline = DateTime.UtcNow.AddMilliseconds(1500 + random.Next(2500));
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                Thread.Sleep(20);
                // One kill lands right after a new checkpoint appears: during or just after its write.
                if (kills == 1 && File.Exists(checkpoint) && File.GetLastWriteTimeUtc(checkpoint) != before) break;
            }
            if (p.HasExited)
            {
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"exit code {p.ExitCode}: {log}");
                break;
            }
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            kills++;
            // Every file of the run is readable after the kill.
            if (File.Exists(Path.Combine(run, "metrics.csv"))) MetricsCsv.Read(Path.Combine(run, "metrics.csv"));
            RunEvent.ReadAll(Path.Combine(run, "events.jsonl"));
            if (File.Exists(Path.Combine(run, "summary.json")))
                Assert.NotNull(RunSummary.Read(Path.Combine(run, "summary.json")));
            if (File.Exists(checkpoint)) Models.Checkpoint.ReadHeader(checkpoint);
            if (File.Exists(Path.Combine(run, "recipe.yaml"))) RecipeLoader.Load(Path.Combine(run, "recipe.yaml"));
            // killed before the run folder existed
            if (!File.Exists(Path.Combine(run, "recipe.yaml"))) started = false;
            // killed while exiting
            if (RunSummary.Read(Path.Combine(run, "summary.json")) is { Status: "completed" }) break;
        }
        Assert.True(kills >= 2, $"only {kills} kills landed");
        if (RunSummary.Read(Path.Combine(run, "summary.json")) is not { Status: "completed" })
        {
            (code, output) = File.Exists(Path.Combine(run, "recipe.yaml"))
                ? CliTests.Run("train", "--resume", run, "--data", data)
                : CliTests.Run("train", recipe, "--data", data, "--out", run, "--force");
            Assert.True(code == 0, output);
        }
        Assert.Equal(WithoutTiming(Path.Combine(whole, "metrics.csv")),
            WithoutTiming(Path.Combine(run, "metrics.csv")));
        Assert.Equal("completed", RunSummary.Read(Path.Combine(run, "summary.json"))!.Status);
        // resume removes what a kill left half-written
        Assert.Empty(Directory.GetFiles(run, "*.tmp", SearchOption.AllDirectories));
    }
}

/// <summary>regimen evolve killed (the loop only: its trial processes must end with it) and started again.</summary>
public class EvolveKillTests
{
    [Fact]
    public void KilledDuringEvolveAndStartedAgainItFinishesWithoutRetrainingFinishedTrials()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("evolve-kill-data"), trainCount: 512, testCount: 100);
        var recipe = Path.Combine(TestData.TempDir("evolve-kill-recipe"), "flawed.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 3));
        var workspace = Path.Combine(TestData.TempDir("evolve-kill"), "ws");
        string[] args = { "evolve", recipe, "--workspace", workspace, "--budget", "1", "--seeds", "1", "--data", data,
                          "--set", "optimizer.lr=2.0", "--set", "data.validation=holdout", "--set",
                              "data.val_fraction=0.25" };
        var ledger = new Regimen.Evolve.Ledger(Path.Combine(workspace, "ledger.jsonl"));
        var output = new System.Text.StringBuilder();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Regimen.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var loop = Process.Start(start)!;
        loop.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        loop.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        loop.BeginOutputReadLine();
        loop.BeginErrorReadLine();
        // Kill the loop once the baseline is finished and the child's training has begun.
        var childLog = Path.Combine(workspace, "trials", "t001", "train-1.log");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(File.Exists(childLog) && File.ReadAllText(childLog).Contains("epoch 0")) &&
            DateTime.UtcNow < deadline && !loop.HasExited) Thread.Sleep(50);
        Assert.False(loop.HasExited, $"evolve ended before it could be killed: {output}");
        loop.Kill(entireProcessTree: false);   // the loop alone, as kill -9 of its pid would
        loop.WaitForExit();

        // Its trial process notices and ends too, so that nothing trains the child twice at once.
        var orphanDeadline = DateTime.UtcNow.AddSeconds(10);
        while (TrialProcesses(workspace).Count > 0 && DateTime.UtcNow < orphanDeadline) Thread.Sleep(100);
        Assert.Empty(TrialProcesses(workspace));

        var baselineSummary = Path.Combine(workspace, "trials", "t000", "seed-1", "summary.json");
        var stamp = File.GetLastWriteTimeUtc(baselineSummary);
        var (code, again) = CliTests.Run("evolve", "--workspace", workspace);
        Assert.True(code == 0, again);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(baselineSummary));
        var entries = ledger.Read();
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t000");
        Assert.Single(entries, e => e.Event == "decided" && e.Trial == "t001");
        Assert.Contains(entries, e => e.Event == "stopped");
        Assert.Contains("★", again);

        var (ledgerCode, table) = CliTests.Run("ledger", workspace, "--markdown", Path.Combine(workspace, "lineage.md"),
            "--png", Path.Combine(workspace, "lineage.png"));
        Assert.True(ledgerCode == 0, table);
        Assert.Contains("t001", table);
        var markdown = File.ReadAllText(Path.Combine(workspace, "lineage.md"));
        Assert.Contains("## t001, child of t000", markdown);
        Assert.Contains("Why: the analysis found", markdown);
        Assert.Contains("![score per trial](lineage.png)", markdown);
        Assert.True(new FileInfo(Path.Combine(workspace, "lineage.png")).Length > 5000);
    }

    internal static List<int> TrialProcesses(string workspace) =>
        Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsDigit))
            .Where(pid =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')
                        .Contains($"trial {Path.GetFullPath(workspace)}");
                }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            }).Select(int.Parse).ToList();
}
