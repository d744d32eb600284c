using System.Diagnostics;
using System.Text;
using Regimen.Training;

namespace Regimen.Runs;

/// <summary>
/// Records a run that another tool trains, as regimen watch reads it, in a Regimen run folder: metrics.csv and
/// events.jsonl grow by appended lines (a run of 10^5 epochs is not rewritten at every epoch), summary.json is
/// rewritten atomically. <c>regimen analyze</c>, <c>compare</c> and the reports then read it like any run; its
/// summary names the command, its exit code and the format the output was read as.
/// </summary>
public sealed class WatchedRunRecorder : IDisposable
{
    readonly RunDirectory run;
    readonly IReadOnlyList<string>? command;
    readonly Stopwatch clock = Stopwatch.StartNew();
    StreamWriter metrics, events;
    string format = "text";
    string monitor = "val_acc";
    int? planned;
    int rows;
    (int Epoch, double Value)? best;
    LogEpoch? last;

    public WatchedRunRecorder(RunDirectory run, IReadOnlyList<string>? command)
    {
        this.run = run;
        this.command = command;
        (metrics, events) = Open();
        Event(new RunEvent
        {
            Epoch = 0, Kind = "start",
            Message = command is null ? "recorded by regimen watch" : $"regimen watch -- {string.Join(" ", command)}",
        });
        WriteSummary("running", null);
    }

    public RunDirectory Run => run;

    (StreamWriter, StreamWriter) Open()
    {
        var m = new StreamWriter(new FileStream(run.MetricsFile, FileMode.Create, FileAccess.Write, FileShare.Read),
            new UTF8Encoding(false));
        m.WriteLine(MetricsCsv.Header);
        m.Flush();
        var e = new StreamWriter(new FileStream(run.EventsFile, FileMode.Create, FileAccess.Write, FileShare.Read),
            new UTF8Encoding(false));
        return (m, e);
    }

    /// <summary>The log's format and what it says of the run (planned epochs); the metric judged (val_acc or
    /// val_loss).</summary>
    public void Describe(string sourceFormat, int? plannedEpochs, string metric)
    {
        format = sourceFormat;
        planned = plannedEpochs;
        monitor = metric;
    }

    /// <summary>The output started a new run (its epoch counter restarted): the records start again.</summary>
    public void Restart(string why)
    {
        metrics.Dispose();
        events.Dispose();
        (metrics, events) = Open();
        rows = 0;
        best = null;
        last = null;
        Event(new RunEvent { Epoch = 0, Kind = "start", Message = why });
    }

    public void Epoch(LogEpoch e, double? seconds)
    {
        metrics.WriteLine(MetricsCsv.Row(new EpochResult
        {
            Epoch = e.Epoch, Phase = e.Phase ?? "", LearningRate = e.LearningRate ?? double.NaN,
            Resolution = (int)(e.Resolution ?? 0),
            TrainLoss = e.TrainLoss ?? double.NaN, TrainAccuracy = e.TrainAccuracy ?? double.NaN,
            ValLoss = e.ValLoss ?? double.NaN, ValAccuracy = e.ValAccuracy ?? double.NaN, ValTop5 = e.ValTop5,
            EpochSeconds = seconds ?? double.NaN, ImagesPerSecond = double.NaN, LoaderWaitFraction = double.NaN,
        }));
        metrics.Flush();
        rows++;
        last = e;
        if ((monitor == "val_loss" ? e.ValLoss : e.ValAccuracy) is { } v && double.IsFinite(v)
            && (best is null || (monitor == "val_loss" ? v < best.Value.Value : v > best.Value.Value)))
            best = (e.Epoch, v);
        WriteSummary("running", null);
    }

    public void Event(RunEvent e)
    {
        events.WriteLine(e.ToJson());
        events.Flush();
    }

    /// <summary>status: completed, stopped (by watch), crashed (a non-zero exit), interrupted (Ctrl-C).</summary>
    public void Finish(string status, int? exitCode, string? stopReason)
    {
        Event(new RunEvent
        {
            Epoch = last?.Epoch ?? 0, Kind = "end", Message = exitCode is { } code
            ? $"{status} (exit code {code})" : status
        });
        WriteSummary(status, exitCode, stopReason);
    }

    void WriteSummary(string status, int? exitCode, string? stopReason = null)
    {
        double? Value(LogEpoch? e) => e is null ? null : monitor == "val_loss" ? e.ValLoss : e.ValAccuracy;
        AtomicFile.WriteAllText(run.SummaryFile, new RunSummary
        {
            Recipe = command is null ? "" : Path.GetFileName(command[0]), Status = status, StopReason = stopReason,
            Monitor = monitor,
            EpochsCompleted = rows, EpochsPlanned = planned ?? 0,
            BestEpoch = best?.Epoch, BestValue = best?.Value, FinalValue = Value(last),
            FinalValAccuracy = last?.ValAccuracy, FinalTrainAccuracy = last?.TrainAccuracy,
            WallSeconds = clock.Elapsed.TotalSeconds, Command = command, ExitCode = exitCode, SourceFormat = format,
            // The machine watch ran on; the tool's own device and libraries are its own business.
            Environment = new RunEnvironment
            {
                Regimen = typeof(RunSummary).Assembly.GetName().Version?.ToString() ?? "",
                DotNet = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, Cpu = Cpu.Model,
                Cores = System.Environment.ProcessorCount,
                Device = "unknown (another tool's run)",
            },
        }.ToJson());
    }

    public void Dispose()
    {
        metrics.Dispose();
        events.Dispose();
    }
}
