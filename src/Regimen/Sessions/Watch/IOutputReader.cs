using Regimen.Runs;

namespace Regimen.Sessions.Watch;

/// <summary>Reads a training's epochs from its console output as it comes, line by line (the text-log
/// reader).</summary>
public interface IOutputReader
{
    /// <summary>The format the output was recognized as, once it was (e.g. keras-text); "text" before.</summary>
    string Format { get; }
    /// <summary>The epochs the output says the run will train (Keras' "Epoch 3/50"), when it says.</summary>
    int? PlannedEpochs { get; }
    /// <summary>One line of output (without its line end): the epochs it completed, usually none.</summary>
    IReadOnlyList<LogEpoch> Feed(string line);
    /// <summary>The output ended: the epoch still being assembled, if any.</summary>
    IReadOnlyList<LogEpoch> Complete();
}
