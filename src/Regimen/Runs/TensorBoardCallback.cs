using Regimen.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace Regimen.Runs;

/// <summary>Writes the epoch metrics as TensorBoard scalars (tensorboard/ in the run folder), step = epoch.</summary>
public sealed class TensorBoardCallback : TrainingCallback
{
    readonly SummaryWriter writer;

    public TensorBoardCallback(RunDirectory run) =>
        writer = torch.utils.tensorboard.SummaryWriter(run.TensorBoardDirectory, createRunName: false);

    public override void OnEpochEnd(TrainingContext context, EpochResult r)
    {
        writer.add_scalar("train/loss", (float)r.TrainLoss, r.Epoch);
        writer.add_scalar("train/acc", (float)r.TrainAccuracy, r.Epoch);
        writer.add_scalar("val/loss", (float)r.ValLoss, r.Epoch);
        writer.add_scalar("val/acc", (float)r.ValAccuracy, r.Epoch);
        if (r.ValTop5 is { } top5) writer.add_scalar("val/top5", (float)top5, r.Epoch);
        if (r.ValAccuracyTta is { } tta) writer.add_scalar("val/acc_tta", (float)tta, r.Epoch);
        writer.add_scalar("schedule/lr", (float)r.LearningRate, r.Epoch);
        writer.add_scalar("schedule/resolution", r.Resolution, r.Epoch);
        writer.add_scalar("speed/img_per_s", (float)r.ImagesPerSecond, r.Epoch);
    }
}
