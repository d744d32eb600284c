using System.Diagnostics;
using System.Text;
using Regimen.Runs;

namespace Regimen.Tests;

/// <summary>Ctrl-C as a user presses it: a real SIGINT to a training process, then the command it prints.</summary>
public class CtrlCTests
{
    sealed class Child(Process process, StringBuilder output)
    {
        public Process Process { get; } = process;
        public string Output { get { lock (output) return output.ToString(); } }
    }

    static Child Start(params string[] args)
    {
        var start = CliProcess.StartInfo(args);
        var output = new StringBuilder();
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new Child(p, output);
    }

    static void Interrupt(Process p)
    {
        using var kill = Process.Start("kill", ["-INT", p.Id.ToString()]);
        kill.WaitForExit();
    }

    static void WaitFor(Func<bool> condition, Child child, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!condition())
        {
            Assert.False(child.Process.HasExited, $"exited before {what}: {child.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {child.Output}");
            Thread.Sleep(20);
        }
    }

    static (string Data, string Recipe) Setup()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("ctrlc-data"), trainCount: 1024, testCount: 100);
        var recipe = Path.Combine(TestData.TempDir("ctrlc-recipe"), "tiny.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 3));
        return (data, recipe);
    }

    /// <summary>Starts the command, presses Ctrl-C once in (the first) epoch 1, and checks the graceful stop.</summary>
    static Child InterruptedInEpoch1(params string[] args)
    {
        var child = Start(args);
        WaitFor(() => child.Output.Contains("epoch 1 step"), child, "epoch 1");
        Interrupt(child.Process);
        Assert.True(child.Process.WaitForExit(120_000), child.Output);
        child.Process.WaitForExit();
        Assert.True(child.Process.ExitCode == 130, $"exit code {child.Process.ExitCode}: {child.Output}");
        Assert.Contains("Ctrl-C: stopping after the current batch", child.Output);
        return child;
    }

    [Fact]
    public void TheFirstCtrlCStopsAfterTheBatchAndTheResumeCommandItPrintsEndsAsAnUninterruptedRun()
    {
        var (data, recipe) = Setup();
        var whole = Path.Combine(TestData.TempDir("ctrlc-whole"), "run");
        var (code, output) = CliTests.Run("train", recipe, "--data", data, "--out", whole);
        Assert.True(code == 0, output);

        var run = Path.Combine(TestData.TempDir("ctrlc-run"), "run");
        // In epoch 1: the epoch in progress must survive the stop.
        var child = InterruptedInEpoch1("train", recipe, "--data", data, "--out", run);
        Assert.Matches(@"interrupted at (epoch 1, after batch \d+|before epoch 2)", child.Output);

        var summary = RunSummary.Read(Path.Combine(run, "summary.json"))!;
        Assert.Equal("interrupted", summary.Status);
        var events = RunEvent.ReadAll(Path.Combine(run, "events.jsonl"));
        Assert.Contains(events, e => e.Kind == "stopped" && e.Message!.Contains("Ctrl-C"));

        // The exact command printed continues the run.
        var lines = child.Output.Split('\n');
        var command = lines[Array.FindIndex(lines, l => l.StartsWith("continue with:", StringComparison.Ordinal)) +
            1].Trim();
        var words = command.Split(' ');
        Assert.EndsWith("Regimen.Cli.dll", words[1]);
        Assert.Equal(["train", "--resume", run, "--data", data], words[2..]);
        (code, output) = CliTests.Run(words[2..]);
        Assert.True(code == 0, output);
        Assert.Equal("completed", RunSummary.Read(Path.Combine(run, "summary.json"))!.Status);
        Assert.Equal(TestData.MetricsWithoutTiming(new RunDirectory(whole)),
            TestData.MetricsWithoutTiming(new RunDirectory(run)));
    }

    [Fact]
    public void CtrlCDuringCrossValidationStopsTheFoldAndThePrintedCommandFinishesTheExperiment()
    {
        var (data, recipe) = Setup();
        var whole = Path.Combine(TestData.TempDir("ctrlc-folds-whole"), "exp");
        var (code, output) = CliTests.Run("train", recipe, "--folds", "2", "--epochs", "2", "--data", data,
            "--out", whole);
        Assert.True(code == 0, output);

        var experiment = Path.Combine(TestData.TempDir("ctrlc-folds"), "exp");
        var child = InterruptedInEpoch1("train", recipe, "--folds", "2", "--epochs", "2", "--data", data,
            "--out", experiment);
        Assert.Contains("interrupted: fold 1 of 2", child.Output);
        Assert.DoesNotContain("fold 2 of 2", child.Output);
        var fold = Path.Combine(experiment, "fold-1");
        Assert.Equal("interrupted", RunSummary.Read(Path.Combine(fold, "summary.json"))!.Status);
        Assert.Contains(RunEvent.ReadAll(Path.Combine(fold, "events.jsonl")), e => e.Kind == "stopped");
        Assert.False(File.Exists(Path.Combine(experiment, "experiment.json")));

        var lines = child.Output.Split('\n');
        var command = lines[Array.FindIndex(lines, l => l.StartsWith("continue with:", StringComparison.Ordinal)) + 1]
            .Trim().Split(' ');
        Assert.Equal(["train", "--resume", experiment, "--data", data], command[2..]);
        (code, output) = CliTests.Run(command[2..]);
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(experiment, "experiment.json")), output);
        foreach (var f in new[] { "fold-1", "fold-2" })
            Assert.Equal(TestData.MetricsWithoutTiming(new RunDirectory(Path.Combine(whole, f))),
                TestData.MetricsWithoutTiming(new RunDirectory(Path.Combine(experiment, f))));
    }

    /// <summary>
    /// Starts `evolve` on a deliberately flawed tiny recipe, presses Ctrl-C once the baseline is finished and the
    /// child trial t001 is training, and checks the graceful stop: exit 130, the message, no trial process left.
    /// </summary>
    static (Child Child, string Workspace, string Data) EvolveInterruptedInTheChildTrial(string name, int exitWaitMs,
        params string[] launcher)
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir($"{name}-data"), trainCount: 1024, testCount: 100);
        var recipe = Path.Combine(TestData.TempDir($"{name}-recipe"), "flawed.yaml");
        File.WriteAllText(recipe, TestData.TinyRecipe(epochs: 3));
        var workspace = Path.Combine(TestData.TempDir(name), "ws");
        var child = Start(["evolve", recipe, "--workspace", workspace, "--budget", "1", "--seeds", "1", "--data", data,
            .. launcher, "--set", "optimizer.lr=2.0", "--set", "data.validation=holdout", "--set",
            "data.val_fraction=0.25"]);
        var childLog = Path.Combine(workspace, "trials", "t001", "train-1.log");
        WaitFor(() => File.Exists(childLog) && File.ReadAllText(childLog).Contains("epoch 0 step"), child,
            "the child trial's training");
        Interrupt(child.Process);
        Assert.True(child.Process.WaitForExit(exitWaitMs), child.Output);
        child.Process.WaitForExit();
        Assert.True(child.Process.ExitCode == 130, $"exit code {child.Process.ExitCode}: {child.Output}");
        Assert.Contains("Ctrl-C: stopping the running trials after their current batch", child.Output);
        Assert.Empty(EvolveKillTests.TrialProcesses(workspace));
        return (child, workspace, data);
    }

    [Fact]
    public void CtrlCDuringEvolveStopsTheTrialAfterItsBatchAndThePrintedCommandContinuesWithoutRetrainingAny()
    {
        var (child, workspace, data) = EvolveInterruptedInTheChildTrial("ctrlc-evolve", 120_000);
        Assert.Contains("interrupted: t001 stopped after the current batch", child.Output);

        // The trial is interrupted, not failed, and its run holds a recovery checkpoint.
        var ledger = new Regimen.Evolve.Ledger(Path.Combine(workspace, "ledger.jsonl"));
        var entries = ledger.Read();
        Assert.DoesNotContain(entries, e => e.Event == "failed");
        Assert.Single(entries, e => e.Event == "interrupted" && e.Trial == "t001");
        Assert.DoesNotContain(entries, e => e.Event == "decided" && e.Trial == "t001");
        Assert.Contains(entries, e => e.Event == "stopped" && e.Reason!.StartsWith("interrupted (Ctrl-C)",
            StringComparison.Ordinal));
        var state = Regimen.Evolve.LedgerState.Replay(entries);
        Assert.Equal(["finished", "interrupted"], state.Trials.Select(t => t.Status));
        var childRun = Path.Combine(workspace, "trials", "t001", "seed-1");
        Assert.Equal("interrupted", RunSummary.Read(Path.Combine(childRun, "summary.json"))!.Status);
        Assert.Contains(RunEvent.ReadAll(Path.Combine(childRun, "events.jsonl")),
            e => e.Kind == "stopped" && e.Message!.Contains("SIGTERM"));

        // The printed command continues the workspace: the baseline is not trained again, the child is resumed and
        // ends as an uninterrupted training of its recipe.
        var lines = child.Output.Split('\n');
        var command = lines[Array.FindIndex(lines, l => l.StartsWith("continue with:", StringComparison.Ordinal)) + 1]
            .Trim().Split(' ');
        Assert.Equal(["evolve", "--workspace", workspace], command[2..]);
        var baselineSummary = Path.Combine(workspace, "trials", "t000", "seed-1", "summary.json");
        var stamp = File.GetLastWriteTimeUtc(baselineSummary);
        var (code, output) = CliTests.Run(command[2..]);
        Assert.True(code == 0, output);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(baselineSummary));
        entries = ledger.Read();
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t000");
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t001");
        Assert.Single(entries, e => e.Event == "decided" && e.Trial == "t001");
        var whole = Path.Combine(TestData.TempDir("ctrlc-evolve-whole"), "run");
        (code, output) = CliTests.Run("train", Path.Combine(workspace, "trials", "t001", "recipe.yaml"), "--data", data,
            "--out", whole);
        Assert.True(code == 0, output);
        Assert.Equal(TestData.MetricsWithoutTiming(new RunDirectory(whole)),
            TestData.MetricsWithoutTiming(new RunDirectory(childRun)));
    }

    /// <summary>
    /// The same Ctrl-C with the trials running as a Slurm job array: the array is cancelled (Slurm's SIGTERM reaches
    /// the trial, which stops after its batch), the trial is interrupted, not failed, and the printed command
    /// continues it.
    /// </summary>
    [Fact]
    public void CtrlCDuringEvolveOnSlurmCancelsTheArrayAndThePrintedCommandContinues()
    {
        if (!SlurmTests.ClusterRuns()) return;
        var (child, workspace, _) = EvolveInterruptedInTheChildTrial("ctrlc-slurm", 180_000, "--launcher", "slurm",
            "--slurm-poll", "0.5");
        var ledger = new Regimen.Evolve.Ledger(Path.Combine(workspace, "ledger.jsonl"));

        var entries = ledger.Read();
        Assert.DoesNotContain(entries, e => e.Event == "failed");
        Assert.Single(entries, e => e.Event == "interrupted" && e.Trial == "t001");
        var childRun = Path.Combine(workspace, "trials", "t001", "seed-1");
        Assert.Equal("interrupted", RunSummary.Read(Path.Combine(childRun, "summary.json"))!.Status);

        // The printed command keeps the launcher (it is not part of the workspace) and finishes the trial.
        var lines = child.Output.Split('\n');
        var command = lines[Array.FindIndex(lines, l => l.StartsWith("continue with:", StringComparison.Ordinal)) + 1]
            .Trim().Split(' ');
        Assert.Equal(["evolve", "--workspace", workspace, "--launcher", "slurm"], command[2..7]);
        var (code, output) = CliTests.Run(command[2..]);
        Assert.True(code == 0, output);
        entries = ledger.Read();
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t000");
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t001");
        Assert.Equal("completed", RunSummary.Read(Path.Combine(childRun, "summary.json"))!.Status);
    }

    [Fact]
    public void ASecondCtrlCStopsAtOnce()
    {
        var (data, recipe) = Setup();
        var run = Path.Combine(TestData.TempDir("ctrlc-twice"), "run");
        var child = Start("train", recipe, "--data", data, "--out", run);
        WaitFor(() => child.Output.Contains("epoch 0 step"), child, "training");
        Interrupt(child.Process);
        WaitFor(() => child.Output.Contains("Ctrl-C: stopping"), child, "the first Ctrl-C's message");
        Interrupt(child.Process);
        Assert.True(child.Process.WaitForExit(30_000), child.Output);
        child.Process.WaitForExit();
        Assert.Equal(130, child.Process.ExitCode);
    }
}
