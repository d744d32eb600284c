using System.Diagnostics;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>
/// A full disk and an unwritable output, for real: a small tmpfs filled up, and a folder under /proc.
/// </summary>
public class DiskTests
{
    static bool Sh(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", new[] { "-c", command })
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true
        })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    [Fact]
    public void AFullDiskStopsTheRunWithAClearErrorAndLeavesItsFilesReadable()
    {
        var mount = TestData.TempDir("full-disk");
        // Mounting needs root (CI and this project's machines run as root); elsewhere the test has nothing to do.
        if (!Sh($"mount -t tmpfs -o size=600k tmpfs '{mount}'")) return;
        try
        {
            var data = TestData.WriteIdxDataset(TestData.TempDir("full-disk-data"), trainCount: 128, testCount: 50);
            var recipe = Path.Combine(TestData.TempDir("full-disk-recipe"), "tiny.yaml");
            File.WriteAllText(recipe, TestData.TinyRecipe(4));
            // Leave room for the records but not for many checkpoints.
            Assert.True(Sh($"dd if=/dev/zero of='{mount}/filler' bs=1k count=420 2>/dev/null; true"));
            var run = Path.Combine(mount, "run");
            var (code, output) = CliTests.Run("train", recipe, "--data", data, "--out", run);
            Assert.True(code != 0, output);
            Assert.Contains("No space left on device", output);
            Assert.DoesNotContain("   at ", output);   // a message, not a stack trace
            // What was written is whole: no temporary files, and every record parses.
            Assert.Empty(Directory.GetFiles(run, "*.tmp", SearchOption.AllDirectories));
            if (File.Exists(Path.Combine(run, "metrics.csv"))) MetricsCsv.Read(Path.Combine(run, "metrics.csv"));
            RunEvent.ReadAll(Path.Combine(run, "events.jsonl"));
            if (File.Exists(Path.Combine(run, "checkpoints", "last.ckpt")))
                Models.Checkpoint.ReadHeader(Path.Combine(run, "checkpoints", "last.ckpt"));
        }
        finally
        {
            Sh($"umount '{mount}'");
        }
    }

    [Fact]
    public void AnUnwritableOutputIsRefusedBeforeTraining()
    {
        var (code, output) = CliTests.Run("train", "--out", "/proc/regimen-cannot-write/run", "--epochs", "1");
        Assert.True(code != 0, output);
        Assert.Contains("/proc/regimen-cannot-write/run", output);
        Assert.Contains("the folder /proc/regimen-cannot-write does not exist", output);
    }
}
