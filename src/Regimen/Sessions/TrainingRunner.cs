using Regimen.Data;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Training;

namespace Regimen.Sessions;

/// <summary>How to start or continue a training.</summary>
public sealed record TrainingRequest
{
    public required Recipe Recipe { get; init; }
    /// <summary>The run folder; default runs/&lt;time&gt;-&lt;recipe&gt;.</summary>
    public string? OutputDirectory { get; init; }
    public string? DataDirectory { get; init; }
    /// <summary>
    /// Images already in memory, instead of the recipe's data set (which is then only recorded); the validation
    /// split comes from them as <c>data.validation</c> says. The training takes ownership of both.
    /// </summary>
    public ImageDataset? Train { get; init; }
    public ImageDataset? Test { get; init; }
    public bool Force { get; init; }
    /// <summary>Callbacks beyond the records (displays, early stopping).</summary>
    public IReadOnlyList<TrainingCallback> Callbacks { get; init; } = Array.Empty<TrainingCallback>();
    /// <summary>
    /// Requested (from any thread) to stop gracefully after the current batch, with a recovery checkpoint.
    /// </summary>
    public StopRequest? Stop { get; init; }
}

/// <summary>
/// The outcome of a training: its folder and what it recorded; <see cref="Interruption"/> is set when a
/// <see cref="StopRequest"/> stopped it (summary status "interrupted"), and <c>--resume</c> continues it.
/// </summary>
public sealed record TrainingOutcome(RunDirectory Run, IReadOnlyList<EpochResult> Metrics, RunSummary Summary,
    Interruption? Interruption = null)
{
    public bool Interrupted => Interruption is not null;
}

/// <summary>
/// Starts new runs and resumes interrupted ones: the run folder, the records and the loop, wired together.
/// </summary>
public static class TrainingRunner
{
    public static TrainingOutcome Start(TrainingRequest request)
    {
        var recipe = request.Recipe;
        // The folder is made only once training can start: a missing data set or a model that cannot be built
        // leaves nothing behind. An --out that would be refused is refused first, before the data loads.
        if (request.OutputDirectory is { } output) RunDirectory.CheckNew(output, request.Force);
        using var setup = request.Train is { } train
            ? TrainingSetup.Create(recipe, train, request.Test)
            : TrainingSetup.Create(recipe, request.DataDirectory);
        var run = request.OutputDirectory is { } path
            ? RunDirectory.CreateNew(path, request.Force)
            : RunDirectory.CreateDefault(recipe.Name);
        return Fit(run, setup, startEpoch: 0, request.Callbacks, request.Stop);
    }

    /// <summary>
    /// Continues a run from checkpoints/last.ckpt with the run's own recipe. The result equals an uninterrupted
    /// run with the same seed: data order, augmentation and the schedules are functions of (seed, epoch, step).
    /// </summary>
    public static TrainingOutcome Resume(string runPath, string? dataDirectory,
        IReadOnlyList<TrainingCallback> callbacks, int? epochs = null,
        StopRequest? stop = null, bool allowChanges = false)
    {
        var run = RunDirectory.Open(runPath);
        var changes = RecipeChanges(run);
        if (changes.Count > 0 && !allowChanges)
            throw new RegimenException($"{run.RecipeFile}: differs from the recipe the run's checkpoint was trained " +
                $"with: " +
                                       string.Join("; ", changes) + ". Undo the edit, or pass --allow-changes to " +
                                       "resume with it (the run then mixes two recipes; a resume event lists the " +
                                       "changes)");
        var recipe = CheckedRecipes.Load(run.RecipeFile, epochs is null ? null : new[] { $"epochs={epochs}" });
        using var setup = TrainingSetup.Create(recipe, dataDirectory);
        var note = changes.Count == 0 ? null : new RunEvent
        {
            Epoch = Checkpoint.ReadHeader(run.LastCheckpoint).Epoch, Kind = "recipe_change",
            Message = "resumed with --allow-changes: " + string.Join("; ", changes),
        };
        return Continue(run, setup, callbacks, stop, note);
    }

    /// <summary>
    /// The keys whose values differ between recipe.yaml and the recipe in checkpoints/last.ckpt (what the run was
    /// trained with so far), as "key: from → to"; empty without a checkpoint.
    /// </summary>
    public static List<string> RecipeChanges(RunDirectory run)
    {
        if (!File.Exists(run.LastCheckpoint)) return new List<string>();
        var trained = Runs.Readers.LogReader.FlattenYaml(
            RecipeLoader.ToYaml(RecipeLoader.Parse(Checkpoint.ReadHeader(run.LastCheckpoint).RecipeYaml,
                run.LastCheckpoint)),
            run.LastCheckpoint);
        var now = Runs.Readers.LogReader.FlattenYaml(RecipeLoader.ToYaml(CheckedRecipes.Load(run.RecipeFile)),
            run.RecipeFile);
        // The length is --epochs' business (it is recorded apart); every other key must be as trained.
        return trained.Keys.Union(now.Keys).Where(k => k != "epochs").Order(StringComparer.Ordinal)
            .Where(k => (trained.TryGetValue(k, out var a) ? a : null) != (now.TryGetValue(k, out var b) ? b : null))
            .Select(k => $"{k}: {(trained.TryGetValue(k, out var a) ? a : "(none)")} → " +
                $"{(now.TryGetValue(k, out var b) ? b : "(none)")}")
            .ToList();
    }

    /// <summary>
    /// Trains <paramref name="setup"/> into <paramref name="run"/>: from its last checkpoint when it has one,
    /// else from the start. Refuses a run that already trained every epoch.
    /// </summary>
    public static TrainingOutcome Continue(RunDirectory run, TrainingSetup setup,
        IReadOnlyList<TrainingCallback> callbacks,
        StopRequest? stop = null) =>
        Continue(run, setup, callbacks, stop, note: null);

    static TrainingOutcome Continue(RunDirectory run, TrainingSetup setup, IReadOnlyList<TrainingCallback> callbacks,
        StopRequest? stop, RunEvent? note)
    {
        int startEpoch = 0;
        EpochProgress? progress = null;
        if (File.Exists(run.LastCheckpoint))
        {
            var header = Checkpoint.LoadInto(run.LastCheckpoint, setup.Model, setup.Optimizer, setup.Ema?.Model);
            progress = header.Progress;
            setup.LrScale = header.LrScale;
            setup.Rollbacks = header.Rollbacks;
            startEpoch = progress is null ? header.Epoch + 1 : header.Epoch;
        }
        if (startEpoch >= setup.Recipe.Epochs &&
            RunSummary.Read(run.SummaryFile) is { Status: "completed" or "stopped" })
            throw new RegimenException($"{run.Path}: already trained all {setup.Recipe.Epochs} epochs (pass --epochs " +
                $"N to train longer)");
        // A run killed after its last checkpoint but before its records said so: the loop runs no epoch and the records
        // are finished.
        return Fit(run, setup, startEpoch, callbacks, stop, progress, note);
    }

    static TrainingOutcome Fit(RunDirectory run, TrainingSetup setup, int startEpoch,
        IReadOnlyList<TrainingCallback> extra, StopRequest? stop,
        EpochProgress? progress = null, RunEvent? note = null)
    {
        var recorder = new RunRecorder(run, setup.Recipe, startEpoch, midEpoch: progress is not null);
        var callbacks = new List<TrainingCallback> { recorder, new CheckpointCallback(run, recorder),
            new TensorBoardCallback(run) };
        if (setup.Recipe.EarlyStopping.Enabled) callbacks.Add(new EarlyStopping(setup.Recipe.EarlyStopping));
        callbacks.AddRange(extra);
        var context = new TrainingContext(setup, startEpoch, stop) { ResumeProgress = progress };
        context.History.AddRange(recorder.Rows);
        if (note is not null) recorder.Record(note);
        try
        {
            new Trainer(setup, callbacks).Fit(context);
        }
        catch (TrainingDivergedException e) when (DivergenceRollback.Applies(setup, run))
        {
            return Continue(run, setup, extra, stop, DivergenceRollback.Prepare(run, setup.Recipe.Divergence, e));
        }
        if (context.StopReason != null && setup.Recipe.EarlyStopping.Enabled &&
            setup.Recipe.EarlyStopping.RestoreBest && File.Exists(run.BestCheckpoint))
        {
            Checkpoint.LoadInto(run.BestCheckpoint, setup.Model, optimizer: null);
            recorder.Record(new RunEvent
            {
                Epoch = context.Epoch, Kind = "restore_best",
                Message = "restored the weights of the best epoch (checkpoints/best.ckpt)",
            });
        }
        return new TrainingOutcome(run, recorder.Rows, RunSummary.Read(run.SummaryFile)!, context.Interruption);
    }
}
