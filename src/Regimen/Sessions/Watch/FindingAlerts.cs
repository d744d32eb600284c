using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Regimen.Analysis;
using Regimen.Analysis.Live;

namespace Regimen.Sessions.Watch;

/// <summary>
/// What an announcement sets off beyond the display: the user's own command (Slack, a webhook, mail) with the
/// finding as JSON on its standard input, and the terminal's bell or desktop notification.
/// </summary>
public sealed class FindingAlerts
{
    readonly string? command;
    readonly TextWriter? terminal;
    readonly IReadOnlyDictionary<string, string?> environment;
    Task queue = Task.CompletedTask;   // one command at a time, in the order of the announcements
    readonly Action<string> warn;

    // terminal: Where notifications go: the terminal, or null when output is not one (a bell in a log file is noise).
    public FindingAlerts(string? command, TextWriter? terminal, Action<string> warn, IReadOnlyDictionary<string,
        string?>? environment = null)
    {
        this.command = command;
        this.terminal = terminal;
        this.warn = warn;
        this.environment = environment
            ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
    }

    public void Raise(Announcement a, string run)
    {
        if (command is not null) queue = queue.ContinueWith(_ => RunCommand(a, run), TaskScheduler.Default);
        if (terminal is not null && FindingTracker.AtLeast(a.Finding.Severity, Severity.Warning))
        {
            terminal.Write(TerminalNotification.Sequence(environment,
                $"regimen: {a.Finding.Severity} {a.Finding.Kind} at epoch {a.Epoch}"));
            terminal.Flush();
        }
    }

    /// <summary>The JSON the --on-finding command reads: the finding's stable fields, the epoch it was announced at and
    /// the run.</summary>
    public static string Json(Announcement a, string run) => JsonSerializer.Serialize(new Payload
    {
        Run = run, Epoch = a.Epoch, Kind = a.Finding.Kind, Severity = a.Finding.Severity,
        PreviousSeverity = a.PreviousSeverity,
        FirstEpoch = a.Finding.FirstEpoch, LastEpoch = a.Finding.LastEpoch, Summary = a.Finding.Summary,
        Evidence = a.Finding.Evidence,
        Confidence = a.Finding.Confidence, Recommendations = a.Finding.Recommendations,
    }, Options);

    static readonly JsonSerializerOptions Options = MeasuredDoubleConverter.Record();

    sealed record Payload
    {
        [JsonPropertyName("run")] public string Run { get; init; } = "";
        [JsonPropertyName("epoch")] public int Epoch { get; init; }
        [JsonPropertyName("kind")] public string Kind { get; init; } = "";
        [JsonPropertyName("severity")] public string Severity { get; init; } = "";
        [JsonPropertyName("previous_severity")] public string? PreviousSeverity { get; init; }
        [JsonPropertyName("first_epoch")] public int? FirstEpoch { get; init; }
        [JsonPropertyName("last_epoch")] public int? LastEpoch { get; init; }
        [JsonPropertyName("summary")] public string Summary { get; init; } = "";
        [JsonPropertyName("evidence")] public Dictionary<string, double> Evidence { get; init; } = new();
        [JsonPropertyName("confidence")] public double Confidence { get; init; }
        [JsonPropertyName("recommendations")] public List<string> Recommendations { get; init; } = new();
    }

    void RunCommand(Announcement a, string run)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command!);
        start.Environment["REGIMEN_FINDING_KIND"] = a.Finding.Kind;
        start.Environment["REGIMEN_FINDING_SEVERITY"] = a.Finding.Severity;
        start.Environment["REGIMEN_FINDING_EPOCH"] =
            a.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var p = Process.Start(start)!;
            p.StandardInput.Write(Json(a, run));
            p.StandardInput.Close();
            if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                p.Kill(entireProcessTree: true);
                warn($"--on-finding: '{command}' ran over a minute for {a.Finding.Kind}: killed");
            }
            else if (p.ExitCode != 0) warn($"--on-finding: '{command}' exited with {p.ExitCode} for {a.Finding.Kind}");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            warn($"--on-finding: cannot run '{command}' ({e.Message})");
        }
    }

    /// <summary>Waits for the commands still to run (each has at most a minute).</summary>
    public void Drain() => queue.Wait();
}

/// <summary>
/// The terminal's attention sequences: the bell everywhere, and a desktop notification where the terminal is
/// known to show one (OSC 9: iTerm2, WezTerm, Windows Terminal, ghostty, kitty; OSC 777: VTE terminals such as GNOME
/// Terminal, foot, urxvt). Inside tmux or screen only the bell passes.
/// </summary>
public static class TerminalNotification
{
    public static string Sequence(IReadOnlyDictionary<string, string?> env, string message)
    {
        string? Get(string k) => env.TryGetValue(k, out var v) ? v : null;
        var text = new string(message.Where(c => !char.IsControl(c) && c != ';').ToArray());
        var term = Get("TERM") ?? "";
        if (Get("TMUX") is not null || term.StartsWith("screen", StringComparison.Ordinal) || term.StartsWith("tmux",
            StringComparison.Ordinal)) return "\a";
        var program = Get("TERM_PROGRAM") ?? "";
        if (program is "iTerm.app" or "WezTerm" or "ghostty" || Get("WT_SESSION") is not null
            || Get("KITTY_WINDOW_ID") is not null || term == "xterm-kitty")
            return $"\u001b]9;{text}\a\a";
        if (Get("VTE_VERSION") is not null || term.StartsWith("foot", StringComparison.Ordinal)
            || term.StartsWith("rxvt", StringComparison.Ordinal))
            return $"\u001b]777;notify;regimen;{text}\a\a";
        return "\a";
    }
}
