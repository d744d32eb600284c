using Regimen.Models;

namespace Regimen.Training;

/// <summary>
/// Asks a training to stop gracefully, from any thread (a Ctrl-C handler, a watcher, a callback): the loop
/// finishes the current batch (and, while gradients accumulate, the optimizer step it belongs to), lets the
/// callbacks save a recovery checkpoint, records why, and returns with <see cref="TrainingContext.Interruption"/>
/// set. <c>regimen train --resume</c> then continues exactly where it stopped. The first reason given wins.
/// </summary>
public sealed class StopRequest
{
    string? reason;

    /// <summary>Requests the stop; later requests keep the first reason.</summary>
    public void Request(string reason) => Interlocked.CompareExchange(ref this.reason, reason, null);

    public bool IsRequested => Volatile.Read(ref reason) is not null;

    /// <summary>Why the stop was requested, when it was.</summary>
    public string? Reason => Volatile.Read(ref reason);
}

/// <summary>
/// Where a training stopped on a <see cref="StopRequest"/>: within an epoch (<see cref="Progress"/> set, what the
/// recovery checkpoint holds) or between epochs (the epoch before <see cref="Epoch"/> is the last complete one).
/// </summary>
public sealed record Interruption(string Reason, int Epoch, EpochProgress? Progress)
{
    /// <summary>How the reason of a stop on a finding at --stop-on's severity ends: "(--stop-on critical)".</summary>
    public static string StopOnReason(string severity) => $"{StopOnMarker}{severity})";
    const string StopOnMarker = "(--stop-on ";

    /// <summary>Stopped on a finding at --stop-on's severity (exit code 5), not by Ctrl-C or SIGTERM (130).</summary>
    public bool OnFinding => Reason.Contains(StopOnMarker, StringComparison.Ordinal);

    public int ExitCode => OnFinding ? ExitCodes.StoppedOnFinding : ExitCodes.Interrupted;

    public string Describe(int batchesPerEpoch) => Progress is { } p
        ? $"{Reason}; stopped at epoch {Epoch}, batch {p.Batch} of {batchesPerEpoch}"
        : $"{Reason}; stopped before epoch {Epoch}";
}
