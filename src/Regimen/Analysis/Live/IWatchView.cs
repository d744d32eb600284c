using Regimen.Runs;

namespace Regimen.Analysis.Live;

/// <summary>
/// Whatever shows a watched run as it goes (regimen watch's live display or plain lines, train's finding lines):
/// notes, each epoch, each announcement. The displays live in Regimen.Reports; the sessions only talk to this.
/// </summary>
public interface IWatchView
{
    void Note(string text);
    void Epoch(TrainingLog log, LogEpoch epoch);
    void Announce(Announcement a);
}
