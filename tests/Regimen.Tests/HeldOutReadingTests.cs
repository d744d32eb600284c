using System.Globalization;
using Regimen.Analysis;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>
/// Logs that do not say which series is held out: an accuracy printed with no phase word beside a training loss that
/// rules it out as a training accuracy, a Torch7 optim.Logger file, and logs with no validation accuracy or loss
/// (another held-out series, or training metrics only, judged as such and said so).
/// </summary>
public class HeldOutReadingTests
{
    static string Write(string name, string text) => TestData.WriteTemp("held-out", name, text);

    /// <summary>12 epochs of "Epoch N: Loss = L || Accuracy = A%": the loss falls 50x, the accuracy as given.</summary>
    static string Lines(Func<int, double> loss, Func<int, double> accuracy) => string.Concat(Enumerable.Range(1, 12)
        .Select(i => string.Create(CultureInfo.InvariantCulture,
            $"Epoch {i}: Loss = {loss(i):0.0000}  ||  Accuracy = {accuracy(i):0.00}%\n")));

    // A plateau at 27-31 % from epoch 4 while the loss falls from 0.5 to 0.01 (efficientnet-pacs-sketch-txt's shape).
    static double FallingLoss(int epoch) => 0.5 * Math.Pow(0.7, epoch - 1);
    static double FlatAccuracy(int epoch) => epoch < 4 ? 10 + 6 * epoch : 29 + 2 * Math.Sin(epoch);

    [Fact]
    public void AnAccuracyTheTrainingLossRulesOutIsHeldOut()
    {
        var log = Assert.Single(LogReader.Read(Write("training_log.txt", Lines(FallingLoss, FlatAccuracy))));
        Assert.All(log.Epochs, e => Assert.Null(e.TrainAccuracy));
        Assert.Equal(FlatAccuracy(12) / 100, log.Epochs[^1].ValAccuracy!.Value, 4);
        var mapping = Assert.Single(log.Columns, c => c.Role == "val_acc");
        Assert.Equal("Accuracy", mapping.Column);
        Assert.Contains("held out: a cross-entropy loss of", mapping.Note);
        Assert.Contains("train_acc", log.NotFound);
        Assert.Contains(log.Notes, n => n.Contains("read as held out") && n.Contains("--map train_acc="));
        // --map reads it as training again.
        var forced = Assert.Single(LogReader.Read(log.Source,
            new ReadOptions { Map = new Dictionary<string, string> { ["train_acc"] = "Accuracy" } }));
        Assert.NotNull(forced.Epochs[^1].TrainAccuracy);
        Assert.Null(forced.Epochs[^1].ValAccuracy);
    }

    [Fact]
    public void AnAccuracyTheLossAllowsStaysTheTrainingAccuracy()
    {
        // Keras' fit without validation: accuracy 80 -> 99 % as the loss falls; never beyond the bound.
        var consistent = Lines(FallingLoss, e => 80 + 19 * (1 - Math.Pow(0.6, e)));
        Assert.NotNull(Assert.Single(LogReader.Read(Write("keras.txt", consistent))).Epochs[^1].TrainAccuracy);
        // Beyond the bound but the loss never fell after the accuracy stopped (a loss that is no cross-entropy, a
        // mean squared error of 0.02 at 30 %): no evidence it was measured elsewhere.
        var flatLoss = Lines(e => 0.02 + 0.0001 * (e % 2), FlatAccuracy);
        Assert.NotNull(Assert.Single(LogReader.Read(Write("mse.txt", flatLoss))).Epochs[^1].TrainAccuracy);
    }

    [Fact]
    public void ACsvAccuracyWithNoPhaseIsHeldOutByTheSameRule()
    {
        var csv = "epoch,loss,accuracy\n" + string.Concat(Enumerable.Range(1, 12).Select(i => string.Create(
            CultureInfo.InvariantCulture, $"{i},{FallingLoss(i):0.0000},{FlatAccuracy(i) / 100:0.0000}\n")));
        var log = Assert.Single(LogReader.Read(Write("history.csv", csv)));
        Assert.Null(log.Epochs[^1].TrainAccuracy);
        Assert.Contains(log.Columns, c => c.Role == "val_acc" && c.Column == "accuracy" && c.Note!.Contains("held"));
    }

    [Fact]
    public void Torch7LoggerFilesAreReadAsEpochsInOrder()
    {
        var path = Write("test.log", "% mean class accuracy (test set)\t\n 7.0910e+01\t\n 8.6070e+01\t\n" +
            " 8.9710e+01\t\n 9.2820e+01\t\n");
        Assert.Equal("torch7-logger", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(new[] { 1, 2, 3, 4 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.8607, log.Epochs[1].ValAccuracy!.Value, 6);
        Assert.Contains(log.Columns, c => c.Role == "val_acc" && c.Column == "% mean class accuracy (test set)");
        // Two loggers' names in one file (a tab after each) are two series; a TSV without the trailing tabs is not
        // Torch7's.
        var two = Write("log.txt", "% train error\t% test error\t\n 5.0000e-01\t 5.5000e-01\t\n" +
            " 3.0000e-01\t 4.0000e-01\t\n");
        var both = Assert.Single(LogReader.Read(two));
        Assert.Equal((0.7, 0.6), (both.Epochs[1].TrainAccuracy!.Value, both.Epochs[1].ValAccuracy!.Value));
        var tsv = Write("log.tsv", "Train Loss\tValid Acc.\n0.5\t0.6\n0.4\t0.7\n");
        Assert.Equal("tsv", LogReaders.Detect(tsv, LogSample.Of(tsv)).Name);
    }

    [Fact]
    public void WithoutValidationAccuracyOrLossTheMonitorIsAnotherHeldOutSeriesElseTheTrainingMetric()
    {
        var auc = Write("auc.txt", string.Concat(Enumerable.Range(1, 6).Select(i => string.Create(
            CultureInfo.InvariantCulture, $"Epoch {i} | Batch 100/200 | Loss {0.2 / i:0.0000}\n" +
                $"Epoch {i} complete | Train AUC: {0.75 + 0.02 * i:0.0000} | Val AUC: {0.76 + 0.005 * i:0.0000}\n"))));
        var a = Analyst.Analyze(Assert.Single(LogReader.Read(auc)));
        Assert.Equal("val_auc", a.Monitor);
        Assert.Equal(0.79, a.BestValue!.Value, 6);
        Assert.Contains(a.Notes, n => n.Contains("judged on val_auc"));

        // Printed every 200th of 600 epochs: trained to the end, no premature stop.
        var trainOnly = Write("train.txt", "Epoch 200/600 - Loss: 1.970 - Accuracy: 30.78\n" +
            "Epoch 400/600 - Loss: 1.870 - Accuracy: 34.76\nEpoch 600/600 - Loss: 1.811 - Accuracy: 36.98\n");
        var t = Analyst.Analyze(Assert.Single(LogReader.Read(trainOnly)));
        Assert.Equal("train_acc", t.Monitor);
        Assert.Equal(0.3698, t.BestValue!.Value, 6);
        Assert.Contains(t.Notes, n => n.StartsWith("NO HELD-OUT SERIES", StringComparison.Ordinal));
        Assert.DoesNotContain(t.Findings, f => f.Kind == "premature-stop");
        // A log with a validation loss keeps it.
        var withVal = Write("val.txt", "Epoch 1 - loss: 1.9 - val_loss: 2.0\nEpoch 2 - loss: 1.7 - val_loss: 1.8\n");
        var v = Analyst.Analyze(Assert.Single(LogReader.Read(withVal)));
        Assert.Equal("val_loss", v.Monitor);
        Assert.DoesNotContain(v.Notes, n => n.Contains("HELD-OUT"));
    }
}
