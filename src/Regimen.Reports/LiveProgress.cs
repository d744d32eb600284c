using System.Globalization;
using Regimen.Training;
using Spectre.Console;

namespace Regimen.Reports;

/// <summary>
/// The live terminal display while training: a progress bar per epoch with loss, accuracy, learning rate,
/// throughput and ETA, and a table row per finished epoch. Needs an interactive terminal.
/// </summary>
public sealed class LiveProgress : TrainingCallback
{
    readonly ProgressContext progress;
    ProgressTask? task;

    public LiveProgress(ProgressContext progress) => this.progress = progress;

    /// <summary>Runs <paramref name="body"/> with a live display attached to the console.</summary>
    public static T Run<T>(IAnsiConsole console, Func<LiveProgress, T> body)
    {
        T result = default!;
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => result = body(new LiveProgress(ctx)));
        return result;
    }

    public override void OnEpochStart(TrainingContext context, EpochSettings settings, IReadOnlyList<ScheduleChange> changes)
    {
        foreach (var c in changes)
            AnsiConsole.MarkupLine($"[yellow]epoch {c.Epoch}[/]: {Markup.Escape(c.Key)} {Markup.Escape(c.From)} → [bold]{Markup.Escape(c.To)}[/]");
        task = progress.AddTask($"epoch {settings.Epoch}", maxValue: context.Setup.BatchesPerEpoch);
    }

    public override void OnBatchEnd(TrainingContext context, BatchResult b)
    {
        if (task is null) return;
        task.Value = b.Batch;
        task.Description = Inv($"epoch {b.Epoch} step {b.Batch}/{b.BatchCount} loss {b.Loss:F3} acc {b.Accuracy:P0} lr {b.LearningRate:G3} {b.ImagesPerSecond:F0} img/s ETA {PlainProgress.Eta(context, b)}");
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult r)
    {
        if (task is null) return;
        var tta = r.ValAccuracyTta is { } t ? Inv($" tta {t:P2}") : "";
        task.Description = Inv($"epoch {r.Epoch} [[{Markup.Escape(r.Phase)}]] train {r.TrainLoss:F3}/{r.TrainAccuracy:P1}  val {r.ValLoss:F3}/[bold]{r.ValAccuracy:P2}[/]{tta}  {r.EpochSeconds:F0}s");
        task.StopTask();
    }

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
