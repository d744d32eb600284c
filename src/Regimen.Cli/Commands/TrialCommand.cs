using System.ComponentModel;
using System.Runtime.InteropServices;
using Regimen.Evolve;
using Regimen.Reports;
using Regimen.Sessions;
using Regimen.Training;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

/// <summary>
/// What a launcher runs: one replica of one trial of an evolve workspace, resumed if it was interrupted. SIGTERM (the
/// evolve loop's Ctrl-C, Slurm's scancel) stops it after the current batch with a recovery checkpoint: exit 130, which
/// the loop records as interrupted, not failed.
/// </summary>
public sealed class TrialCommand : Command<TrialCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<WORKSPACE>")] public string Workspace { get; init; } = "";
        [CommandArgument(1, "<TRIAL>")] public string Trial { get; init; } = "";

        [CommandOption("--replica <K>"), Description("The seed replica, 0-based (a trial with folds is replica 0).")]
        public int Replica { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        WatchParent();
        var workspace = Workspace.Open(s.Workspace);
        var stop = new StopRequest();
        using var ctrlC = CtrlC.ForTrial(stop, Console.Error);
        var interruption = TrialRunner.RunReplica(workspace, s.Trial, s.Replica, _ =>
            new TrainingCallback[] { new PlainProgress(Console.Out) }, stop);
        if (interruption is null) return 0;
        Console.Out.WriteLine($"interrupted: {s.Trial} replica {s.Replica + 1}: {interruption.Reason} " +
            $"(epoch {interruption.Epoch}{(interruption.Progress is { } p ? $", after batch {p.Batch}" : "")}); " +
            "its recovery checkpoint continues it");
        return ExitCodes.Interrupted;
    }

    [DllImport("libc")]
    static extern int getppid();

    /// <summary>
    /// A trial started by the process launcher ends with the evolve loop that started it: otherwise a killed loop
    /// would leave it training while the restarted loop trains the same replica again.
    /// </summary>
    static void WatchParent()
    {
        if (Environment.GetEnvironmentVariable(ProcessLauncher.ParentVariable) is not { } value ||
            !int.TryParse(value, out var parent)) return;
        if (!OperatingSystem.IsLinux()) return;
        new Thread(() =>
        {
            while (true)
            {
                if (getppid() != parent) Environment.Exit(ExitCodes.Interrupted);
                Thread.Sleep(500);
            }
        })
        { IsBackground = true, Name = "parent watch" }.Start();
    }
}
