namespace Regimen.Tests;

/// <summary>
/// The Slurm launcher against a real one-machine cluster (scripts/slurm-local; .ci/run starts it and sets
/// REGIMEN_REQUIRE_SLURM=1, so in CI a missing cluster fails the test instead of skipping it).
/// </summary>
public class SlurmTests
{
    /// <summary>
    /// Whether a cluster answers; where none does, CI (REGIMEN_REQUIRE_SLURM=1) fails, a developer machine without
    /// Slurm skips (CI runs these tests for real).
    /// </summary>
    internal static bool ClusterRuns()
    {
        if (ClusterUp()) return true;
        Assert.True(Environment.GetEnvironmentVariable("REGIMEN_REQUIRE_SLURM") != "1", "no Slurm cluster " +
            "answers sinfo: run scripts/slurm-local");
        return false;
    }

    static bool ClusterUp()
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("sinfo", "-h -o %T")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true
            };
            using var p = System.Diagnostics.Process.Start(start)!;
            var states = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 && (states.Contains("idle") || states.Contains("mixed") || states.Contains("alloc"));
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    [Fact]
    public void EvolveRunsItsTrialsAsASlurmJobArray()
    {
        if (!ClusterRuns()) return;
        var data = TestData.WriteIdxDataset(TestData.TempDir("slurm-data"), trainCount: 256, testCount: 64);
        var recipe = Path.Combine(TestData.TempDir("slurm-recipe"), "flawed.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 2));
        var workspace = Path.Combine(TestData.TempDir("slurm"), "ws");
        var (code, output) = CliTests.Run("evolve", recipe, "--workspace", workspace, "--budget", "1", "--seeds", "2",
            "--parallel", "2",
            "--data", data, "--launcher", "slurm", "--slurm-poll", "0.5", "--set", "optimizer.lr=2.0", "--set",
                "data.validation=holdout");
        Assert.True(code == 0, output);
        var ledger = new Regimen.Evolve.Ledger(Path.Combine(workspace, "ledger.jsonl")).Read();
        Assert.Equal(2, ledger.Count(e => e.Event == "finished"));
        // one array per batch of trials
        Assert.Equal(2, Directory.GetFiles(Path.Combine(workspace, "slurm"), "batch-*.sh").Length);
        // Each array task wrote its exit code and its replica's run.
        foreach (var trial in new[] { "t000", "t001" })
            for (int replica = 1; replica <= 2; replica++)
            {
                Assert.Equal("0", File.ReadAllText(Path.Combine(workspace, "trials", trial, $"train-{replica}.exit"))
                    .Trim());
                Assert.True(File.Exists(Path.Combine(workspace, "trials", trial, $"seed-{replica}", "summary.json")));
            }
    }
}
