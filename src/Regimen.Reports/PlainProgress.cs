using System.Globalization;
using Regimen.Training;

namespace Regimen.Reports;

/// <summary>
/// Progress as plain log lines, for output that is not a terminal (CI, pipes, files): a line every tenth of an
/// epoch and a summary line per epoch, schedule changes included.
/// </summary>
public sealed class PlainProgress : TrainingCallback
{
    readonly TextWriter output;
    DateTime started;
    int lastTenth = -1;

    public PlainProgress(TextWriter output) => this.output = output;

    public override void OnTrainStart(TrainingContext context)
    {
        started = DateTime.UtcNow;
        var s = context.Setup;
        output.WriteLine($"training {s.Recipe.Name}: model {s.Recipe.Model.Name}, {s.SplitSizes}, " +
                         $"{s.Recipe.Epochs} epochs of {s.BatchesPerEpoch} batches, from epoch {context.StartEpoch}");
    }

    public override void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    {
        lastTenth = -1;
        foreach (var c in changes) output.WriteLine($"epoch {c.Epoch}: {c.Key} {c.From} -> {c.To}");
    }

    public override void OnBatchEnd(TrainingContext context, BatchResult batch)
    {
        int tenth = batch.Batch * 10 / batch.BatchCount;
        if (tenth == lastTenth || tenth == 10) return;
        lastTenth = tenth;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {batch.Epoch} step " +
            $"{batch.Batch}/{batch.BatchCount} loss {batch.Loss:F4} acc {batch.Accuracy:P1} lr " +
            $"{Units.Significant(batch.LearningRate, 4)} {batch.ImagesPerSecond:F0} img/s eta {Eta(context, batch)}"));
    }

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        var tta = result.ValAccuracyTta is { } t ? Inv($" tta {t:P2}") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {result.Epoch} [{result.Phase}] train " +
            $"loss {result.TrainLoss:F4} acc {result.TrainAccuracy:P2} | val loss {result.ValLoss:F4} acc " +
            $"{result.ValAccuracy:P2}{tta} | {result.EpochSeconds:F1}s {result.ImagesPerSecond:F0} img/s"));
        output.Flush();
    }

    internal static string Eta(TrainingContext context, BatchResult b)
    {
        double doneEpochs = b.Epoch - context.StartEpoch + (double)b.Batch / b.BatchCount;
        double remaining = context.Setup.Recipe.Epochs - context.StartEpoch - doneEpochs;
        var elapsed = context.History.Where(h => h.Epoch >= context.StartEpoch).Sum(h => h.EpochSeconds) +
            (b.Batch * context.Setup.Recipe.BatchSize) / Math.Max(1, b.ImagesPerSecond);
        if (doneEpochs <= 0) return "?";
        var eta = TimeSpan.FromSeconds(elapsed / doneEpochs * remaining);
        return eta.TotalHours >= 1 ? eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
    }

    static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
