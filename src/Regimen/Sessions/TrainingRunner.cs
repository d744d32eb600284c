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

/// <summary>train --resume RUN --extend N: N epochs more, the rate on a <paramref name="Tail"/>.</summary>
public sealed record ExtendRequest(int Epochs, string Tail = "cosine");

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
    /// Continues a run from checkpoints/last.ckpt with the run's own recipe and schedule. The result equals an
    /// uninterrupted run with the same seed: data order, augmentation and the schedules are functions of (seed,
    /// epoch, step). <paramref name="epochs"/>, when given, must be the run's own (the length changes only by
    /// <paramref name="extend"/>, see <see cref="ScheduleExtension"/>).
    /// </summary>
    public static TrainingOutcome Resume(string runPath, string? dataDirectory,
        IReadOnlyList<TrainingCallback> callbacks, int? epochs = null,
        StopRequest? stop = null, bool allowChanges = false, ExtendRequest? extend = null)
    {
        var run = RunDirectory.Open(runPath);
        var changes = RecipeChanges(run);
        if (changes.Count > 0 && !allowChanges)
            throw new RegimenException($"{run.RecipeFile}: differs from the recipe the run's checkpoint was trained " +
                $"with: " +
                                       string.Join("; ", changes) + ". Undo the edit, or pass --allow-changes to " +
                                       "resume with it (the run then mixes two recipes; a resume event lists the " +
                                       "changes)");
        var recipe = CheckedRecipes.Load(run.RecipeFile);
        if (epochs is { } n && n != recipe.Epochs)
            throw new RegimenException($"--epochs {n}: {run.Path} trains {recipe.Epochs} epochs, and a resume " +
                                       "keeps the schedule it started with" + (n > recipe.Epochs
                                           ? $"; --extend {n - recipe.Epochs} trains {n - recipe.Epochs} more " +
                                             "epochs with a new learning-rate tail from the current rate"
                                           : "; --extend N adds epochs, a shorter run is a new training"));
        if (extend is not null) CheckExtend(run, extend);
        using var setup = TrainingSetup.Create(recipe, dataDirectory);
        var notes = new List<RunEvent>();
        if (changes.Count > 0)
            notes.Add(new RunEvent
            {
                Epoch = Checkpoint.ReadHeader(run.LastCheckpoint).Epoch, Kind = "recipe_change",
                Message = "resumed with --allow-changes: " + string.Join("; ", changes),
            });
        if (extend is not null) notes.Add(Extend(run, setup, extend));
        return Continue(run, setup, callbacks, stop, notes);
    }

    static void CheckExtend(RunDirectory run, ExtendRequest extend)
    {
        if (extend.Epochs < 1) throw new RegimenException($"--extend {extend.Epochs}: must be at least 1 epoch");
        if (!Extension.Tails.Contains(extend.Tail))
            throw new RegimenException($"--tail {extend.Tail}: must be cosine or linear" +
                                       DidYouMean.Hint(extend.Tail, Extension.Tails));
        if (!File.Exists(run.LastCheckpoint))
            throw new RegimenException($"--extend: {run.Path} has no checkpoint yet; --resume without --extend " +
                                       "trains it");
    }

    /// <summary>
    /// Adds <paramref name="extend"/>'s epochs to the setup's recipe: after the run's end (where it stopped, when it
    /// completed or stopped early; else the end of its schedule) a tail from the current rate. The event says so.
    /// </summary>
    static RunEvent Extend(RunDirectory run, TrainingSetup setup, ExtendRequest extend)
    {
        var header = Checkpoint.ReadHeader(run.LastCheckpoint);
        int next = header.Progress is null ? header.Epoch + 1 : header.Epoch;
        bool finished = RunSummary.Read(run.SummaryFile) is { Status: "completed" or "stopped" };
        int seam = finished ? next : setup.Recipe.Epochs;
        int before = setup.Recipe.Epochs;
        var x = ScheduleExtension.At(setup, seam, extend.Epochs, extend.Tail, MetricsCsv.Read(run.MetricsFile));
        setup.Extend(x);
        return new RunEvent
        {
            Epoch = seam, Kind = "schedule", Key = "epochs", From = $"{before}", To = $"{setup.Recipe.Epochs}",
            Message = $"--extend {x.Epochs}: epochs {seam}-{seam + x.Epochs - 1} follow a {x.Tail} tail of the " +
                      $"learning rate from {Units.Exact(x.FromLr)} (the last step's) to {Units.Exact(x.ToLr)}; " +
                      $"every other scheduled value stays as in epoch {seam - 1}",
        };
    }


    /// <summary>
    /// The keys whose values differ between recipe.yaml and the recipe in checkpoints/last.ckpt (what the run was
    /// trained with so far), as "key: from → to"; empty without a checkpoint.
    /// </summary>
    public static List<string> RecipeChanges(RunDirectory run)
    {
        if (!File.Exists(run.LastCheckpoint)) return new List<string>();
        var trainedRecipe =
            RecipeLoader.Parse(Checkpoint.ReadHeader(run.LastCheckpoint).RecipeYaml, run.LastCheckpoint);
        var nowRecipe = CheckedRecipes.Load(run.RecipeFile);
        // An --extend is in recipe.yaml before a checkpoint of the extended training carries it.
        if (nowRecipe.Extensions.Count > trainedRecipe.Extensions.Count)
        {
            trainedRecipe.Extensions.AddRange(nowRecipe.Extensions.Skip(trainedRecipe.Extensions.Count));
            trainedRecipe.Epochs = nowRecipe.Epochs;
        }
        var trained = Runs.Readers.LogReader.FlattenYaml(RecipeLoader.ToYaml(trainedRecipe), run.LastCheckpoint);
        var now = Runs.Readers.LogReader.FlattenYaml(RecipeLoader.ToYaml(nowRecipe), run.RecipeFile);
        return trained.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
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
        Continue(run, setup, callbacks, stop, notes: []);

    static TrainingOutcome Continue(RunDirectory run, TrainingSetup setup, IReadOnlyList<TrainingCallback> callbacks,
        StopRequest? stop, IReadOnlyList<RunEvent> notes)
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
            throw new RegimenException($"{run.Path}: already trained all {setup.Recipe.Epochs} epochs " +
                                       "(--extend N trains N more, with a new learning-rate tail)");
        // A run killed after its last checkpoint but before its records said so: the loop runs no epoch and the records
        // are finished.
        return Fit(run, setup, startEpoch, callbacks, stop, progress, notes);
    }

    static TrainingOutcome Fit(RunDirectory run, TrainingSetup setup, int startEpoch,
        IReadOnlyList<TrainingCallback> extra, StopRequest? stop,
        EpochProgress? progress = null, IReadOnlyList<RunEvent>? notes = null)
    {
        // The test split is looked at only when the run's choices are made: once, for the final and best weights.
        var recorder = new RunRecorder(run, setup.Recipe, startEpoch, midEpoch: progress is not null)
        {
            ScoreTest = rows => TestScoring.Score(setup, run, rows),
        };
        var callbacks = new List<TrainingCallback> { recorder, new CheckpointCallback(run, recorder),
            new TensorBoardCallback(run) };
        if (setup.Recipe.EarlyStopping.Enabled) callbacks.Add(new EarlyStopping(setup.Recipe.EarlyStopping));
        callbacks.AddRange(extra);
        var context = new TrainingContext(setup, startEpoch, stop) { ResumeProgress = progress };
        context.History.AddRange(recorder.Rows);
        foreach (var note in notes ?? []) recorder.Record(note);
        try
        {
            new Trainer(setup, callbacks).Fit(context);
        }
        catch (TrainingDivergedException e) when (DivergenceRollback.Applies(setup, run))
        {
            return Continue(run, setup, extra, stop, [DivergenceRollback.Prepare(run, setup.Recipe.Divergence, e)]);
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
