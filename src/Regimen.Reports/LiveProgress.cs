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
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => result = body(new LiveProgress(ctx)));
        return result;
    }

    public override void OnTrainStart(TrainingContext context)
    {
        var s = context.Setup;
        AnsiConsole.MarkupLine(Markup.Escape($"training {s.Recipe.Name}: model {s.Recipe.Model.Name}, {s.SplitSizes}"));
    }

    public override void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    {
        foreach (var c in changes)
            AnsiConsole.MarkupLine($"[yellow]epoch {c.Epoch}[/]: {Markup.Escape(c.Key)} {Markup.Escape(c.From)} → " +
                $"[bold]{Markup.Escape(c.To)}[/]");
        task = progress.AddTask($"epoch {settings.Epoch}", maxValue: context.Setup.BatchesPerEpoch);
    }

    public override void OnBatchEnd(TrainingContext context, BatchResult batch)
    {
        if (task is null) return;
        task.Value = batch.Batch;
        task.Description =
            string.Create(CultureInfo.InvariantCulture, $"epoch {batch.Epoch} step {batch.Batch}/{batch.BatchCount} " +
            $"loss {batch.Loss:F3} acc {batch.Accuracy:P0} lr {Units.Significant(batch.LearningRate, 3)} " +
            $"{batch.ImagesPerSecond:F0} img/s ETA {PlainProgress.Eta(context, batch)}");
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        if (task is null) return;
        var tta = result.ValAccuracyTta is { } t ? Inv($" tta {t:P2}") : "";
        task.Description =
            string.Create(CultureInfo.InvariantCulture, $"epoch {result.Epoch} [[{Markup.Escape(result.Phase)}]] " +
            $"train {result.TrainLoss:F3}/{result.TrainAccuracy:P1}  val " +
            $"{result.ValLoss:F3}/[bold]{result.ValAccuracy:P2}[/]{tta}  {result.EpochSeconds:F0}s");
        task.StopTask();
    }

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
