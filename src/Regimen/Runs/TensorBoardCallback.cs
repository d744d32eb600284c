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

    public override void OnEpochEnd(TrainingContext context, EpochResult result)
    {
        writer.add_scalar("train/loss", (float)result.TrainLoss, result.Epoch);
        writer.add_scalar("train/acc", (float)result.TrainAccuracy, result.Epoch);
        writer.add_scalar("val/loss", (float)result.ValLoss, result.Epoch);
        writer.add_scalar("val/acc", (float)result.ValAccuracy, result.Epoch);
        if (result.ValTop5 is { } top5) writer.add_scalar("val/top5", (float)top5, result.Epoch);
        if (result.ValAccuracyTta is { } tta) writer.add_scalar("val/acc_tta", (float)tta, result.Epoch);
        writer.add_scalar("schedule/lr", (float)result.LearningRate, result.Epoch);
        writer.add_scalar("schedule/resolution", result.Resolution, result.Epoch);
        writer.add_scalar("speed/img_per_s", (float)result.ImagesPerSecond, result.Epoch);
    }
}
