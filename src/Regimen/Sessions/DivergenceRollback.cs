using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Training;

namespace Regimen.Sessions;

/// <summary>
/// divergence.action: rollback, the session's half of the divergence check: the loop's <see cref="DivergenceCheck"/>
/// raises, and the run goes back to its last good checkpoint (weights, optimizer and EMA) with the learning rate
/// times divergence.lr_factor for the rest of the run, at most divergence.max_rollbacks times. It needs the run
/// folder, which the loop does not know.
/// </summary>
static class DivergenceRollback
{
    public static bool Applies(TrainingSetup setup, RunDirectory run) =>
        setup.Recipe.Divergence is { Action: "rollback" } policy && setup.Rollbacks < policy.MaxRollbacks
        && File.Exists(run.LastCheckpoint);

    /// <summary>
    /// Lowers the scale in last.ckpt's header (so that a resume after the rollback keeps it); returns the event to
    /// record.
    /// </summary>
    public static RunEvent Prepare(RunDirectory run, DivergenceSection policy, TrainingDivergedException e)
    {
        var header = Checkpoint.ReadHeader(run.LastCheckpoint);
        double scale = header.LrScale * policy.LrFactor;
        string at = header.Progress is { } p ? $"epoch {header.Epoch}, batch {p.Batch}" : $"epoch {header.Epoch}";
        Checkpoint.Rewrite(run.LastCheckpoint, h => h with { LrScale = scale, Rollbacks = h.Rollbacks + 1 });
        return new RunEvent
        {
            Epoch = e.Epoch, Kind = "rollback", Key = "lr_scale",
            From = RecipeLoader.Format(header.LrScale), To = RecipeLoader.Format(scale),
            Message = $"{e.What} at epoch {e.Epoch}, batch {e.Batch}: rolled back to last.ckpt ({at}) " +
                      $"with the learning rate x{scale:G3} " +
                      $"(rollback {header.Rollbacks + 1} of at most {policy.MaxRollbacks})",
        };
    }
}
