namespace Regimen.Training;

/// <summary>
/// The value of <c>evaluation.monitor</c> in an epoch's record and which direction is better: what checkpoints,
/// the recorder's summary and the loop's divergence checks compare. It lives with the loop, the earliest stage that
/// reads it, so that later stages (Runs) ask here rather than the loop asking them.
/// </summary>
public static class MonitorValue
{
    public static double Of(EpochResult r, string monitor) => monitor == "val_loss" ? r.ValLoss : r.ValAccuracy;

    public static bool IsBetter(double candidate, double? best, string monitor) =>
        best is null || (monitor == "val_loss" ? candidate < best : candidate > best);

    public static EpochResult? Best(IEnumerable<EpochResult> rows, string monitor)
    {
        EpochResult? best = null;
        foreach (var r in rows)
            if (best is null || IsBetter(Of(r, monitor), Of(best, monitor), monitor)) best = r;
        return best;
    }
}
