using Regimen.Evolve;
using Regimen.Runs;
using Regimen.Training;

namespace Regimen.Sessions;

/// <summary>
/// Trains one replica of a trial in this process: what a launcher's job runs (<c>regimen trial</c>). Started
/// again after a kill, it resumes the replica from its last checkpoint, and does nothing for a finished one.
/// </summary>
public static class TrialRunner
{
    /// <summary>
    /// Trains the replica; a <paramref name="stop"/> request ends it after the current batch with a recovery
    /// checkpoint, and the interruption is returned (a trial with folds throws, as cross-validation does, with exit
    /// code 130). Null when the replica is done.
    /// </summary>
    public static Interruption? RunReplica(Workspace workspace, string trial, int replica,
        Func<int, IReadOnlyList<TrainingCallback>> callbacks, StopRequest? stop = null)
    {
        var settings = workspace.Settings;
        if (!File.Exists(workspace.RecipeFile(trial)))
            throw new RegimenException($"{workspace.Path}: no trial '{trial}' (no {workspace.RecipeFile(trial)})");
        var recipe = workspace.LoadRecipe(trial);
        if (settings.Folds > 1)
        {
            if (replica != 0)
                throw new RegimenException($"--replica {replica}: a trial with folds is one job (replica 0)");
            recipe.Data.Folds = settings.Folds;
            CrossValidation.Run(recipe, workspace.ExperimentPath(trial), settings.Data, force: false, callbacks, stop);
            return null;
        }
        if (replica < 0 || replica >= settings.Seeds)
            throw new RegimenException($"--replica {replica}: the workspace trains {settings.Seeds} seeds " +
                $"(0..{settings.Seeds - 1})");
        recipe.Seed += replica;
        var path = workspace.SeedRunPath(trial, replica);
        var run = new RunDirectory(path);
        if (RunSummary.Read(run.SummaryFile) is { Status: "completed" or "stopped" }) return null;
        if (File.Exists(run.RecipeFile))
            return TrainingRunner.Resume(path, settings.Data, callbacks(replica), stop: stop).Interruption;
        return TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = path, DataDirectory = settings.Data, Force = true,
            Callbacks = callbacks(replica), Stop = stop,
        }).Interruption;
    }
}
