using System.Diagnostics;
using System.Text;
using Regimen.Recipes;
using Regimen.Training;

namespace Regimen.Runs;

/// <summary>
/// Keeps a run's records: metrics.csv, events.jsonl and summary.json, each rewritten atomically after every
/// change (they are small), so a crash never leaves a torn row. On resume the records are reconciled: rows
/// and events from the interrupted epoch on are dropped, and the loop writes them again.
/// </summary>
public sealed class RunRecorder : TrainingCallback
{
    readonly RunDirectory run;
    readonly List<EpochResult> rows;
    readonly List<RunEvent> events;
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly double previousSeconds;
    readonly bool resumed;
    TestScores? test;

    /// <summary>
    /// Keeps the records of the epochs before <paramref name="startEpoch"/>; <paramref name="midEpoch"/>: resumed from
    /// a recovery checkpoint within it.
    /// </summary>
    public RunRecorder(RunDirectory run, Recipe recipe, int startEpoch, bool midEpoch = false)
    {
        this.run = run;
        resumed = startEpoch > 0 || midEpoch;
        rows = MetricsCsv.Read(run.MetricsFile).Where(r => r.Epoch < startEpoch).ToList();
        // Stops and extensions (--extend) are history, not the epoch's work: they stay when the epoch is trained again.
        events = RunEvent.ReadAll(run.EventsFile)
            .Where(e => e.Epoch < startEpoch || (e.Epoch == 0 && e.Kind == "start") || e.Kind == "stopped"
                        || e is { Kind: "schedule", Key: "epochs" }).ToList();
        previousSeconds = resumed ? RunSummary.Read(run.SummaryFile)?.WallSeconds ?? 0 : 0;
        AtomicFile.WriteAllText(run.RecipeFile, RecipeLoader.ToYaml(recipe));
    }

    public IReadOnlyList<EpochResult> Rows => rows;
    public IReadOnlyList<RunEvent> Events => events;

    public void Record(RunEvent e)
    {
        events.Add(e);
        AtomicFile.WriteAllText(run.EventsFile, string.Concat(events.Select(x => x.ToJson() + "\n")));
    }

    public override void OnTrainStart(TrainingContext context)
    {
        context.OnRecord(e => Record(new RunEvent
        {
            Epoch = e.Epoch, Kind = e.Kind, Key = e.Key, From = e.From, To = e.To, Message = e.Message,
            Evidence = e.Evidence is null ? null : new Dictionary<string, double>(e.Evidence),
        }));
        Record(resumed
            ? new RunEvent
            {
                Epoch = context.StartEpoch, Kind = "resume",
                Message = context.ResumeProgress is { } progress
                    ? $"resumed at epoch {context.StartEpoch}, batch {progress.Batch} (a recovery checkpoint)"
                    : $"resumed at epoch {context.StartEpoch}",
            }
            : new RunEvent { Epoch = 0, Kind = "start", Message = StartMessage(context.Setup) });
        if (!resumed && context.Setup.SelectsOnTest)
            Record(new RunEvent { Epoch = 0, Kind = "warning", Message = TrainingSetup.TestSelectionWarning });
        if (!resumed && context.Setup.Precision is not null)
            Record(new RunEvent
            {
                Epoch = 0, Kind = "precision", To = "bf16", Message = Training.MixedPrecision.NativeSupport()
                ? "bfloat16 forward and backward passes, fp32 master weights; this CPU computes bf16 natively"
                : "bfloat16 forward and backward passes, fp32 master weights; this CPU has no native bf16 " +
                    "(avx512_bf16, amx_bf16), so libtorch emulates it: slower than fp32"
            });
        // Also on resume: the layout is chosen for the machine that runs, which may not be the one that started.
        Record(new RunEvent
        {
            Epoch = context.StartEpoch, Kind = "layout", To = context.Setup.Layout.Name,
            Message = context.Setup.Layout.Reason
        });
        if (!resumed && context.Setup.SkippedImages.Count > 0)
            Record(new RunEvent
            {
                Epoch = 0, Kind = "warning",
                Message = $"skipped {context.Setup.SkippedImages.Count} undecodable image(s): " +
                          $"{string.Join("; ", context.Setup.SkippedImages.Take(20))}",
            });
        if (!resumed && context.Setup.Pretrained is { } p)
            Record(new RunEvent { Epoch = 0, Kind = "pretrained", Message = p.Describe() });
    }

    /// <summary>"recipe R, 54000 training images, 6000 validation images (held out of the training images), 10000
    /// test images (scored once, at the end)": the sizes the analyst's noise model reads back.</summary>
    static string StartMessage(TrainingSetup s)
    {
        var source = s.ValidationSource switch
        {
            "holdout" => " (held out of the training images)",
            "test" => " (the test split)",
            _ => " (the fold)",
        };
        var test = s.Test is null || s.SelectsOnTest ? "" : $", {s.Test.Count} test images (scored once, at the end)";
        return $"recipe {s.Recipe.Name}, {s.Train.Count} training images, {s.Validation.Count} validation images" +
               source + test;
    }

    /// <summary>
    /// Scores the test split once the training has ended (not when it was interrupted or failed), given the epochs
    /// it recorded: an event and summary.json's "test".
    /// </summary>
    public Func<IReadOnlyList<EpochResult>, TestScores?>? ScoreTest { get; init; }

    public override void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    {
        foreach (var c in changes)
            Record(new RunEvent { Epoch = c.Epoch, Kind = "schedule", Key = c.Key, From = c.From, To = c.To });
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        rows.Add(result);
        AtomicFile.WriteAllText(run.MetricsFile, MetricsCsv.Format(rows));
        WriteSummary(context, "running", null);
    }

    public override void OnTrainEnd(TrainingContext context, Exception? error)
    {
        string status = error switch
        {
            null when context.Interruption is not null => "interrupted",
            null => context.StopReason is null ? "completed" : "stopped",
            TrainingDivergedException => "diverged",
            _ => "failed",
        };
        if (error is TrainingDivergedException d)
            Record(new RunEvent { Epoch = d.Epoch, Kind = "diverged", Message = d.Message });
        else if (error != null)
            Record(new RunEvent
            {
                Epoch = context.Epoch, Kind = "warning",
                Message = $"training failed: {error.Message}"
            });
        if (context.StopReason != null)
            Record(new RunEvent { Epoch = context.Epoch, Kind = "early_stop", Message = context.StopReason });
        if (error is null && context.Interruption is null && ScoreTest?.Invoke(rows) is { } scores)
        {
            test = scores;
            Record(new RunEvent { Epoch = context.Epoch, Kind = "test", Message = scores.Describe() });
        }
        if (error is null && context.Interruption is { } stop)
            Record(new RunEvent
            {
                Epoch = stop.Epoch, Kind = "stopped", Key = stop.Progress is not null ? "batch" : null,
                To = stop.Progress?.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Message = stop.Describe(context.Setup.BatchesPerEpoch)
            });
        Record(new RunEvent { Epoch = context.Epoch, Kind = "end", Message = status });
        WriteSummary(context, status, context.StopReason ?? (error is null ? context.Interruption?.Reason : null));
    }

    void WriteSummary(TrainingContext context, string status, string? stopReason)
    {
        var monitor = context.Setup.Monitor;
        var best = monitor.Best(rows);
        var last = rows.LastOrDefault();
        var summary = new RunSummary
        {
            Recipe = context.Setup.Recipe.Name,
            Status = status,
            StopReason = stopReason,
            Monitor = monitor.Name,
            EpochsCompleted = rows.Count,
            EpochsPlanned = context.Setup.Recipe.Epochs,
            ValidationSize = context.Setup.Validation.Count,
            TrainSize = context.Setup.Train.Count,
            Classes = context.Setup.Train.ClassCount,
            Validation = context.Setup.ValidationSource,
            Warnings = context.Setup.SelectsOnTest ? [TrainingSetup.TestSelectionWarning] : null,
            Test = test,
            BestEpoch = best?.Epoch,
            BestValue = best is null ? null : monitor.Read(best),
            FinalValue = last is null ? null : monitor.Read(last),
            FinalValAccuracy = last?.ValAccuracy,
            FinalValAccuracyTta = last?.ValAccuracyTta,
            FinalTrainAccuracy = last?.TrainAccuracy,
            WallSeconds = previousSeconds + clock.Elapsed.TotalSeconds,
            Extensions = context.Setup.Recipe.Extensions.Count > 0 ? context.Setup.Recipe.Extensions : null,
        };
        AtomicFile.WriteAllText(run.SummaryFile, summary.ToJson());
    }
}
