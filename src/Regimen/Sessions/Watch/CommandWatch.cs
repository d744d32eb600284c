using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Regimen.Analysis.Live;
using Regimen.Runs;

namespace Regimen.Sessions.Watch;

/// <summary>
/// <c>regimen watch -- COMMAND [ARGS...]</c>: runs a training command, passes its standard output and error through
/// byte for byte as they come (colours and progress bars included), reads its epochs from the output, judges each,
/// and records the run in a Regimen run folder. At --stop-on's severity the command gets SIGINT (a Regimen
/// training stops through its own stop path, a Python one raises KeyboardInterrupt), SIGTERM after the grace
/// period and SIGKILL after as long again.
/// </summary>
public sealed partial class CommandWatch
{
    public sealed record Result(LiveSummary Summary, string Status, int ExitCode, int CommandExitCode);

    const int KeptLines = 10;
    readonly IReadOnlyList<string> command;
    readonly WatchOptions options;
    readonly IOutputReader reader;
    readonly IWatchView view;
    readonly object gate;
    readonly Queue<string> lastLines = new();

    // gate: Held while writing to the terminal, shared with the view.
    public CommandWatch(IReadOnlyList<string> command, WatchOptions options, IOutputReader reader, IWatchView view,
        object gate)
    {
        if (command.Count == 0)
            throw new RegimenException("watch --: no command given (e.g. regimen watch -- python train.py)");
        this.command = command;
        this.options = options;
        this.reader = reader;
        this.view = view;
        this.gate = gate;
    }

    public Result Run(WatchedRunRecorder? recorder, FindingAlerts? alerts, Stream stdout, Stream stderr)
    {
        var name = recorder?.Run.Name ?? Path.GetFileName(command[0]);
        var header = new TrainingLog { Name = name, Source = string.Join(" ", command), Format = reader.Format };
        var session = new WatchSession(header, options, view, recorder is null ? null : recorder.Event, alerts,
            recorder is null ? null : recorder.Epoch);
        using var process = Start();
        var lines = new BlockingCollection<(string Text, DateTime At)>();
        int open = 2;
        void Done() { if (Interlocked.Decrement(ref open) == 0) lines.CompleteAdding(); }
        var pumps = new[]
        {
            Task.Run(() => Pump(process.StandardOutput.BaseStream, stdout, lines, Done)),
            Task.Run(() => Pump(process.StandardError.BaseStream, stderr, lines, Done)),
        };
        // SIGTERM to watch goes on to the command; Ctrl-C reaches it from the terminal already (one process group), so
        // watch only waits for it to end.
        bool interrupted = false;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM,
            c => { c.Cancel = true; interrupted = true; Signals.Send(process, Signals.Terminate); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT,
            c => { c.Cancel = true; interrupted = true; });
        DateTime? stopAt = null;
        bool monitorNoted = false;
        int stage = 0;
        bool described = false;
        while (!lines.IsCompleted)
        {
            // Epoch times as the output came (the line's arrival), not as this loop got to it.
            if (lines.TryTake(out var line, 200))
                foreach (var epoch in reader.Feed(line.Text)) Add(epoch, line.At);
            session.CheckStall(DateTime.UtcNow);
            if (session.StopReason is { } reason && !process.HasExited)
            {
                var now = DateTime.UtcNow;
                if (stage == 0)
                {
                    view.Note($"stopping the command: {reason}; SIGINT sent");
                    Signals.Send(process, Signals.Interrupt);
                    (stopAt, stage) = (now, 1);
                }
                else if (stage == 1 && now - stopAt > options.Grace)
                {
                    view.Note($"the command is still running {options.Grace.TotalSeconds:0} s after SIGINT: " +
                        $"SIGTERM sent");
                    Signals.Send(process, Signals.Terminate);
                    (stopAt, stage) = (now, 2);
                }
                else if (stage == 2 && now - stopAt > options.Grace)
                {
                    view.Note("the command is still running after SIGTERM: killed");
                    process.Kill(entireProcessTree: true);
                    stage = 3;
                }
            }
        }
        foreach (var epoch in reader.Complete()) Add(epoch, DateTime.UtcNow);
        NoteMissingMonitor(ended: true);
        Task.WaitAll(pumps);
        process.WaitForExit();
        int code = process.ExitCode;
        bool stopped = session.StopReason is not null;
        string status = stopped ? "stopped" : interrupted ? "interrupted" : code == 0 ? "completed" : "crashed";
        if (status == "crashed") session.Crashed(code, lastLines.ToList());
        if (stopped) recorder?.Event(new RunEvent
        {
            Epoch = session.Log.Epochs.Count > 0
            ? session.Log.Epochs[^1].Epoch : 0, Kind = "stopped", Message = session.StopReason
        });
        var summary = session.Finish();
        recorder?.Describe(reader.Format, reader.PlannedEpochs, summary.Analysis.Monitor);
        recorder?.Finish(status, code, session.StopReason);
        return new Result(summary, status, stopped ? ExitCodes.StoppedOnFinding : code, code);

        void Add(LogEpoch epoch, DateTime at)
        {
            if (!described || session.Log.PlannedEpochs != reader.PlannedEpochs || session.Log.Format != reader.Format)
            {
                session.Describe(header with { Format = reader.Format, PlannedEpochs = reader.PlannedEpochs });
                described = true;
            }
            if (session.Log.Epochs.Count > 0 && epoch.Epoch <= session.Log.Epochs[^1].Epoch)
            {
                session.Restart(header with { Format = reader.Format, PlannedEpochs = reader.PlannedEpochs },
                    $"the epoch counter restarted ({session.Log.Epochs[^1].Epoch} → {epoch.Epoch}): a new run in the " +
                        $"same output, judged anew");
                recorder?.Restart($"the epoch counter restarted at {epoch.Epoch}");
            }
            recorder?.Describe(reader.Format, reader.PlannedEpochs, options.Analysis.Monitor
                ?? (epoch.ValAccuracy is null && session.Log.Epochs.All(e => e.ValAccuracy is null) ? "val_loss"
                : "val_acc"));
            session.AddEpoch(epoch, at);
            NoteMissingMonitor(ended: false);
        }

        // The command runs on: say once that --monitor's series is not in its output (and what is).
        void NoteMissingMonitor(bool ended)
        {
            if (monitorNoted || options.MissingMonitor(session.Log, ended, "the command's output") is not { } missing)
                return;
            monitorNoted = true;
            view.Note(missing + "; nothing is judged on it");
        }
    }

    Process Start()
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        // Python buffers a pipe by the block; its lines should come as they are printed. Colours stay on when the
        // user sees them (tools that honour FORCE_COLOR or CLICOLOR_FORCE keep them through the pipe).
        start.Environment["PYTHONUNBUFFERED"] = "1";
        if (!Console.IsOutputRedirected)
        {
            start.Environment.TryAdd("FORCE_COLOR", "1");
            start.Environment.TryAdd("CLICOLOR_FORCE", "1");
        }
        try
        {
            return Process.Start(start) ?? throw new RegimenException($"{command[0]}: cannot start it",
            ExitCodes.CommandNotFound);
        }
        catch (Win32Exception e)
        {
            throw new RegimenException($"watch -- {command[0]}: cannot run it ({e.Message})",
                ExitCodes.CommandNotFound);
        }
    }

    /// <summary>Copies a stream through as it comes, and hands its complete lines to the reader's queue.</summary>
    void Pump(Stream from, Stream to, BlockingCollection<(string, DateTime)> lines, Action done)
    {
        var buffer = new byte[16384];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var decoder = Encoding.UTF8.GetDecoder();
        var line = new StringBuilder();
        try
        {
            int n;
            while ((n = from.Read(buffer, 0, buffer.Length)) > 0)
            {
                lock (gate)
                {
                    to.Write(buffer, 0, n);
                    to.Flush();
                }
                int count = decoder.GetChars(buffer, 0, n, chars, 0);
                for (int i = 0; i < count; i++)
                {
                    if (chars[i] != '\n') { line.Append(chars[i]); continue; }
                    Emit(line.ToString(), lines);
                    line.Clear();
                }
            }
            if (line.Length > 0) Emit(line.ToString(), lines);
        }
        catch (IOException) { }   // our own output closed (a pipe whose reader left): the command runs on, unread
        finally { done(); }
    }

    void Emit(string text, BlockingCollection<(string, DateTime)> lines)
    {
        text = text.TrimEnd('\r');
        lines.Add((text, DateTime.UtcNow));
        // What a person would read of the line: the last carriage-return segment, without colours.
        var plain = Ansi().Replace(text[(text.LastIndexOf('\r') + 1)..], "").Trim();
        if (plain.Length == 0) return;
        lock (lastLines)
        {
            lastLines.Enqueue(plain.Length > 200 ? plain[..200] + "…" : plain);
            if (lastLines.Count > KeptLines) lastLines.Dequeue();
        }
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")]
    private static partial Regex Ansi();
}
