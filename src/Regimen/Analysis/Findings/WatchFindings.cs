namespace Regimen.Analysis.Findings;

/// <summary>A training that stopped making epochs: found by regimen watch from the clock, not from the log.</summary>
internal sealed class Stalled : FindingKind
{
    public const string Id = "stalled";
    public override string Name => Id;
    public override string Documentation =>
        "(regimen watch) no new epoch within `--stall-factor` (3) times the median epoch time of the last 100 epochs";
}

/// <summary>A watched command that ended in failure: found by regimen watch from its exit code.</summary>
internal sealed class Crashed : FindingKind
{
    public const string Id = "crashed";
    public override string Name => Id;
    public override string Documentation =>
        "(regimen watch -- COMMAND) the command exited with a non-zero code it was not stopped with; the summary has " +
            "its last lines of output";
}
