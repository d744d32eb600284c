using Regimen.Analysis;
using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>The text (console) log reader on output shaped like the real tools' (formats copied from their print
/// statements), and the incremental parser that `regimen watch` feeds line by line.</summary>
public class TextLogTests
{
    static TrainingLog ReadOne(string name, string text)
    {
        var path = Path.Combine(TestData.TempDir("text-logs"), name);
        File.WriteAllText(path, text);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal("text", log.Reader);
        return log;
    }

    static void Near(double expected, double? actual) => Assert.Equal(expected, actual!.Value, 6);

    [Fact]
    public void KerasFitVerboseWithProgressBarUpdates()
    {
        var log = ReadOne("keras.out",
            "Epoch 1/3\n   1/1875 [..............................] - ETA: 10:43 - loss: 2.4053 - accuracy: 0.0625\r " +
            "900/1875 [=============>................] - ETA: 2s - loss: 0.6112 - accuracy: 0.7801\r1875/1875 " +
            "[==============================] - 5s 2ms/step - loss: 0.4987 - accuracy: 0.8245 - val_loss: 0.4237 - " +
            "val_accuracy: 0.8490\nEpoch 2/3\n1875/1875 [==============================] - 4s 2ms/step - loss: " +
            "0.3741 - accuracy: 0.8650 - val_loss: 0.3953 - val_accuracy: 0.8581\nEpoch 3/3\n1875/1875 " +
            "[==============================] - 4s 2ms/step - loss: 0.3358 - accuracy: 0.8771 - val_loss: 0.3664 - " +
            "val_accuracy: 0.8676\n");
        Assert.Equal(new[] { 1, 2, 3 }, log.Epochs.Select(e => e.Epoch));
        Near(0.4987, log.Epochs[0].TrainLoss);
        Near(0.8245, log.Epochs[0].TrainAccuracy);
        Near(0.8490, log.Epochs[0].ValAccuracy);
        Near(0.3664, log.Epochs[2].ValLoss);
        Assert.Equal(3, log.PlannedEpochs);
        Assert.Contains(log.Columns, c => c.Role == "val_acc");
    }

    /// <summary>Keras' bar as a console captured it (script, tee): each redraw erases the last with backspaces, and
    /// a redraw's line may end in backspaces with no carriage return after them.</summary>
    [Fact]
    public void KerasBarsErasedWithBackspacesAreReadAsTheirLastState()
    {
        const string First =
            "  32/1875 [..............................] - ETA: 1:02 - loss: 2.3100 - accuracy: 0.1000";
        static string Last(double loss, double valAcc) => "1875/1875 [" + new string('=', 30) + "] - 4s 2ms/step - " +
            $"loss: {loss:F4} - accuracy: 0.8200 - val_loss: 0.4500 - val_accuracy: {valAcc:F4}";
        var erase = new string('\b', First.Length);
        var path = Path.Combine(TestData.TempDir("text-logs"), "keras_console.txt");
        File.WriteAllText(path, "Epoch 1/2\n" + First + erase + "\r" + Last(0.5, 0.84) + "\n" +
            "Epoch 2/2\n" + First + erase + Last(0.4, 0.85) + "\n");
        Assert.False(LogSample.Of(path).Binary);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(new[] { 0.5, 0.4 }, log.Epochs.Select(e => e.TrainLoss!.Value));
        Near(0.85, log.Epochs[1].ValAccuracy);
    }

    [Fact]
    public void TorchvisionTutorialPrints()
    {
        var text = string.Concat(Enumerable.Range(0, 4).Select(e =>
            $"Epoch {e}/24\n----------\ntrain Loss: {0.6 - e * 0.05:0.0000} Acc: {0.70 + e * 0.03:0.0000}\n" +
            $"val Loss: {0.5 - e * 0.04:0.0000} Acc: {0.80 + e * 0.02:0.0000}\n\n")) +
            "Training complete in 1m 30s\nBest val Acc: 0.860000\n";
        var log = ReadOne("tutorial.txt", text);
        Assert.Equal(4, log.Epochs.Count);
        Assert.Equal(0, log.Epochs[0].Epoch);
        Near(0.45, log.Epochs[3].TrainLoss);
        Near(0.79, log.Epochs[3].TrainAccuracy);
        Near(0.86, log.Epochs[3].ValAccuracy);   // not the "Best val Acc" line
        Near(0.38, log.Epochs[3].ValLoss);
        Assert.Equal(25, log.PlannedEpochs);     // "Epoch 0/24" counts from 0
    }

    /// <summary>Keys padded for alignment and "key is value" without a colon (a poisoning experiment's prints, with
    /// the target sample's evaluation between the epochs: its "fool  acc" is no training accuracy).</summary>
    [Fact]
    public void PaddedKeysWithIsAndNoColonAreReadAndAnotherEvaluationsKeysKeepTheirOwnNames()
    {
        var log = ReadOne("attack.md", "```\nStarting clean training ...\n" +
            "Epoch: 0  | lr: 0.1000 | Training    loss is  2.0188, train acc:  29.55% | " +
            "Validation   loss is  1.6065, valid acc:  42.46% | \n" +
            "Epoch: 0  | lr: 0.1000 | Target adv. loss is  2.5581, fool  acc:   0.00% | " +
            "Target orig. loss is  1.0427, orig. acc: 100.00% | \n" +
            "Epoch: 1  | lr: 0.0100 | Training    loss is  1.4742, train acc:  46.01% | \n" +
            "Epoch: 2  | lr: 0.0100 | Training    loss is  1.2024, train acc:  56.85% | " +
            "Validation   loss is  1.0010, valid acc:  61.00% | \n" +
            "Epoch: 2  | lr: 0.0100 | Target adv. loss is  5.6567, fool  acc:   0.00% | " +
            "Target orig. loss is  0.1986, orig. acc: 100.00% | \n```\n");
        Assert.Equal(3, log.Epochs.Count);
        Near(0.2955, log.Epochs[0].TrainAccuracy);                      // not the target's "fool  acc: 0.00%"
        Near(2.0188, log.Epochs[0].TrainLoss);
        Near(1.6065, log.Epochs[0].ValLoss);
        Near(0.61, log.Epochs[2].ValAccuracy);
        Near(0.01, log.Epochs[1].LearningRate);
        Assert.Contains(log.Columns, c => c is { Role: "train_loss", Column: "Training loss" });
        Near(1.2024, log.Epochs[2].TrainLoss);                          // nor the target's losses
        Near(1.0010, log.Epochs[2].ValLoss);
        Assert.Equal(new[] { "fool_acc", "orig_acc" }, log.OtherSeries.Keys.Order());
    }

    /// <summary>PaddlePaddle's loop prints training and evaluation alike; the line before says which it is.</summary>
    [Fact]
    public void APhaseAnnouncedOnTheLineBeforeAnEpochLineIsThatLinesPhase()
    {
        var log = ReadOne("paddle.txt", "testing in eval mode……\nepoch: 0,  loss is: 2.5047, acc is: 0.0708\n" +
            "epoch: 0,  loss is: 0.6285, acc is: 0.7797\ntesting in eval mode……\n" +
            "epoch: 0,  loss is: 0.4866, acc is: 0.8352\nNow continue training……\nNew model has been saved!\n\n" +
            "epoch: 1,  loss is: 0.3674, acc is: 0.8732\ntesting in eval mode……\n" +
            "epoch: 1,  loss is: 0.5759, acc is: 0.8035\nNow continue training……\n");
        Assert.Equal(2, log.Epochs.Count);
        Near(0.7797, log.Epochs[0].TrainAccuracy);
        Near(0.8352, log.Epochs[0].ValAccuracy);                       // the evaluation after the epoch, not before
        Near(0.3674, log.Epochs[1].TrainLoss);
        Near(0.5759, log.Epochs[1].ValLoss);
    }

    /// <summary>numpy arrays printed as values, averages beside last-batch values, the rate's long name.</summary>
    [Fact]
    public void BracketedNumbersAveragesAndTheCurrentLearningRateAreRead()
    {
        var log = ReadOne("train.log",
            "2018-01-24 23:55:23,455 INFO    : Epoch: [0][300/320]\t Loss [ 0.69090915] Avg Loss [ 0.6879074] " +
            "Accuracy 0.587\nCurrent learning rate: 0.1\n" +
            "2018-01-24 23:56:05,922 INFO    : Epoch: [1][300/320]\t Loss [ 0.70943892] Avg Loss [ 0.66423595] " +
            "Accuracy 0.63075\nCurrent learning rate: 0.010000000000000002\n");
        Assert.Equal(2, log.Epochs.Count);
        Near(0.66423595, log.Epochs[1].TrainLoss);                      // the average, not the last batch's
        Near(0.01, log.Epochs[1].LearningRate);
        Near(0.587, log.Epochs[0].TrainAccuracy);
    }

    [Fact]
    public void HeaderLinesWithCountsOpenNoEpochAndNameNoSeries()
    {
        var log = ReadOne("train.log", "INFO - Train: 6552 images\nINFO - Valid: 818 images\n" +
            "INFO - Classes detected: 102\nINFO - Training started | Device: cpu | Batch: 32\n" +
            "INFO - [cnn | Epoch 1/2] Train Loss: 4.3613 | Train Acc: 2.32% | Val Loss: 4.1627 | Val Acc: 5.62%\n" +
            "INFO - [cnn | Epoch 2/2] Train Loss: 3.8980 | Train Acc: 6.41% | Val Loss: 3.5754 | Val Acc: 14.06%\n");
        Assert.Equal(new[] { 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Assert.Contains(log.Columns, c => c.ToString() == "train_acc ← Train Acc");
        Near(0.1406, log.Epochs[1].ValAccuracy);
    }

    [Fact]
    public void AUnitBeforePaddedSpacesIsNoPartOfTheKey()
    {
        var log = ReadOne("units.log", "Epoch 1/2 time 12 ms  loss: 0.90 acc: 0.60\n" +
            "Epoch 2/2 time 11 ms  loss: 0.70 acc: 0.70\n");
        Near(0.70, log.Epochs[1].TrainLoss);
    }

    /// <summary>torchvision-reference-style MetricLogger: one validation batch's running average, then the epoch's
    /// accuracy on a line of its own, "Acc@1 best:" when it is a new best.</summary>
    [Fact]
    public void AnEpochsAccuracyPrintedAsANewBestIsItsValidationAccuracy()
    {
        static string Epoch(int e, double acc1, string best) =>
            $"Epoch: [{e}] [  0/295] eta: 0:34:17 loss: 4.6944 (4.6944) acc1: 10.0000 (10.0000) time: 6.9739\n" +
            $"Epoch: [{e}] [200/295] eta: 0:00:22 loss: 2.3609 (3.2121) acc1: 44.5312 (30.8147) time: 0.2032\n" +
            $"Epoch: [{e}] Total time: 0:01:06\n" +
            "Validate:  [ 0/99]  eta: 0:03:15  loss: 1.5792 (1.5792)  acc1: 59.3750 (59.3750)  time: 1.9725\n" +
            $"Validate: Total time: 0:00:19\nAcc@1 {best}:  {acc1:F2}%\n";
        var log = ReadOne("DDP.md", Epoch(1, 62.88, "best") + Epoch(2, 68.06, "best") + Epoch(3, 67.5, "") +
            Epoch(4, 70.69, "best"));
        // the "Acc@1" lines, "Acc@1 :  67.50%" too; not the first validation batch's 59.375
        Assert.Equal(new[] { 0.6288, 0.6806, 0.675, 0.7069 },
            log.Epochs.Select(e => Math.Round(e.ValAccuracy!.Value, 6)));
        Near(0.308147, log.Epochs[3].TrainAccuracy);
        Near(1.5792, log.Epochs[3].ValLoss);
    }

    [Fact]
    public void ABestLineAfterTheEpochsChangesNoEpoch()
    {
        var log = ReadOne("best.txt", "Epoch 1/2\ntrain loss: 0.90 acc: 0.60\nval loss: 0.80 acc: 0.65\n" +
            "Epoch 2/2\ntrain loss: 0.70 acc: 0.70\nval loss: 0.75 acc: 0.62\n" +
            "*** Best metric: 0.65 (epoch 1)\nBest val Acc: 0.65\n");
        Assert.Equal(2, log.Epochs.Count);
        Near(0.62, log.Epochs[1].ValAccuracy);
    }

    [Fact]
    public void PytorchMnistExampleAveragesStepLinesAndReadsTheTestSet()
    {
        var log = ReadOne("mnist.log",
            "Train Epoch: 1 [0/60000 (0%)]\tLoss: 2.305400\n" +
            "Train Epoch: 1 [640/60000 (1%)]\tLoss: 1.700000\n" +
            "Train Epoch: 1 [1280/60000 (2%)]\tLoss: 0.900000\n" +
            "\nTest set: Average loss: 0.0970, Accuracy: 9692/10000 (97%)\n\n" +
            "Train Epoch: 2 [0/60000 (0%)]\tLoss: 0.400000\n" +
            "Train Epoch: 2 [640/60000 (1%)]\tLoss: 0.200000\n" +
            "\nTest set: Average loss: 0.0500, Accuracy: 9840/10000 (98%)\n");
        Assert.Equal(2, log.Epochs.Count);
        Near((2.3054 + 1.7 + 0.9) / 3, log.Epochs[0].TrainLoss);
        Near(0.9692, log.Epochs[0].ValAccuracy);
        Near(0.05, log.Epochs[1].ValLoss);
        Assert.Null(log.Epochs[1].TrainAccuracy);
    }

    [Fact]
    public void AccAtOnePercentOnATestLine()
    {
        var log = ReadOne("eval.txt",
            "Epoch 1\nTest set: Average loss: 1.2100, Acc@1: 60.5%\nEpoch 2\nTest set: Average loss: 0.9700, Acc@1: " +
                "75.2%\n");
        Near(0.752, log.Epochs[1].ValAccuracy);
        Near(0.97, log.Epochs[1].ValLoss);
    }

    [Fact]
    public void PrecAtOneWithASpaceAfterIt()
    {
        // The ImageNet example's "Prec@1 75.2" (and loggers that copy it): a key and its value with only a space.
        var log = ReadOne("log.txt", "2025-06-26 11:04:13,215 EPOCH: 1 val Results: Prec@1 1.030 Prec@5 4.500\n" +
            "2025-06-26 11:04:27,766 EPOCH: 2 val Results: Prec@1 1.210 Prec@5 4.360\n");
        Assert.Equal(new[] { 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Near(0.0121, log.Epochs[1].ValAccuracy);
        Near(0.0436, log.Epochs[1].ValTop5);
    }

    [Fact]
    public void APrintedTensorIsTheNumberItHolds()
    {
        // The torchvision tutorial's loop printing running_corrects.double() / size: a tensor, not a float.
        var log = ReadOne("log.txt", "Epoch 0/1\n----------\ntrain loss: 1.937, acc: tensor(0.3262, device='cuda:0', " +
            "dtype=torch.float64)\nval loss: 1.126, acc: tensor(0.6223, device='cuda:0', dtype=torch.float64)\n" +
            "Epoch 1/1\n----------\ntrain loss: 1.364, acc: tensor(0.5644)\nval loss: 0.982, acc: tensor(0.7011)\n");
        Assert.Equal(new double?[] { 0.3262, 0.6223, 0.5644, 0.7011, 0.982 }, new[]
        {
            log.Epochs[0].TrainAccuracy, log.Epochs[0].ValAccuracy, log.Epochs[^1].TrainAccuracy,
            log.Epochs[^1].ValAccuracy, log.Epochs[^1].ValLoss,
        });
    }

    [Fact]
    public void PaddlePaddlePrintsBothStyles()
    {
        var old = ReadOne("paddle.txt",
            "epoch: 0, batch_id: 0, loss is: [2.3026], acc is: [0.0938]\nepoch: 0, batch_id: 100, loss is: [0.5210], " +
            "acc is: [0.8438]\nepoch: 1, batch_id: 0, loss is: [0.3101], acc is: [0.9062]\nepoch: 1, batch_id: 100, " +
            "loss is: [0.2900], acc is: [0.9100]\n");
        Assert.Equal(2, old.Epochs.Count);
        Near((2.3026 + 0.5210) / 2, old.Epochs[0].TrainLoss);
        Assert.Empty(old.OtherSeries);   // batch_id is a counter, not a series
        var hapi = ReadOne("hapi.txt",
            "Epoch 1/2\nstep  10/938 - loss: 0.9120 - acc: 0.7000 - 12ms/step\nstep 938/938 - loss: 0.3120 - acc: " +
            "0.8900 - 11ms/step\nEval begin...\nstep 157/157 - loss: 0.1500 - acc: 0.9300 - 10ms/step\nEval samples: " +
            "10000\nEpoch 2/2\nstep 938/938 - loss: 0.2100 - acc: 0.9300 - 11ms/step\nEval begin...\nstep 157/157 - " +
            "loss: 0.1200 - acc: 0.9500 - 10ms/step\n");
        Near(0.3120, hapi.Epochs[0].TrainLoss);   // a progress line's running average: the last one
        Near(0.93, hapi.Epochs[0].ValAccuracy);
        Near(0.95, hapi.Epochs[1].ValAccuracy);
        Near(0.93, hapi.Epochs[1].TrainAccuracy);
    }

    [Fact]
    public void TimmTrainPyConsole()
    {
        string Epoch(int e, double loss, double top1) =>
            $"Train: {e} [   0/1251 (  0%)]  Loss: {loss + 0.3:0.000} ({loss + 0.3:0.00})  Time: 3.161s,   81.00/s  " +
            $"(3.161s,   81.00/s)  LR: 1.000e-03  Data: 2.165 (2.165)\nTrain: {e} [1250/1251 (100%)]  Loss: " +
            $"{loss - 0.1:0.000} ({loss:0.00})  Time: 0.207s, 1234.63/s  (0.215s, 1190.70/s)  LR: 1.000e-03  Data: " +
            "0.000 (0.002)\nTest: [   0/48]  Time: 1.231 (1.231)  Loss:  1.6914 (1.6914)  Acc@1: 61.1719 (61.1719)  " +
            $"Acc@5: 84.6875 (84.6875)\nTest: [  48/48]  Time: 0.104 (0.207)  Loss:  1.6484 ({loss + 0.2:0.0000})  " +
            $"Acc@1: 60.9434 ({top1:0.0000})  Acc@5: 84.9528 (85.0600)\nCurrent checkpoints:\n " +
            "('./output/train/20240101-000000-resnet50-224/checkpoint-0.pth.tar', 1.212)\n\n";
        var log = ReadOne("timm-console.log", Epoch(0, 4.5, 20.0) + Epoch(1, 3.5, 35.5) + Epoch(2, 3.0, 44.0) +
            "*** Best metric: 44.0 (epoch 2)\n");
        Assert.Equal(new[] { 0, 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Near(3.5, log.Epochs[1].TrainLoss);
        Near(0.355, log.Epochs[1].ValAccuracy);
        Near(3.7, log.Epochs[1].ValLoss);
        Near(0.8506, log.Epochs[2].ValTop5);
        Near(0.001, log.Epochs[0].LearningRate);
    }

    [Fact]
    public void LightningProgressBarsWithAnsiColours()
    {
        string Bar(int e, double loss, double acc) =>
            $"\x1b[32mEpoch {e}:  50%|█████     | 469/938 [00:06<00:06, 75.12it/s, v_num=0, " +
            $"train_loss_step=0.900]\x1b[0m\r\x1b[32mEpoch {e}: 100%|██████████| 938/938 [00:12<00:00, 75.12it/s, " +
            $"v_num=0, train_loss_step=0.350, val_loss={loss:0.000}, val_acc={acc:0.000}, " +
            $"train_loss_epoch={loss + 0.05:0.000}]\x1b[0m\n";
        var log = ReadOne("lightning.txt",
            "GPU available: False, used: False\nSanity Checking DataLoader 0: 100%|██████████| 2/2 [00:00<00:00, " +
                "20.0it/s]\n" +
            Bar(0, 0.5, 0.8) + "Validation DataLoader 0: 100%|██████████| 157/157 [00:01<00:00, 120.0it/s]\n" +
                Bar(1, 0.4, 0.85) + Bar(2, 0.35, 0.88));
        Assert.Equal(3, log.Epochs.Count);
        Near(0.85, log.Epochs[1].ValAccuracy);
        Near(0.45, log.Epochs[1].TrainLoss);
        Assert.True(log.OtherSeries.ContainsKey("train_loss_step"));
        Assert.DoesNotContain(log.OtherSeries.Keys, k => k.Contains("dataloader") || k.Contains("v_num") ||
            k.Contains("gpu"));
    }

    [Fact]
    public void MmcvTextLog()
    {
        var log = ReadOne("20220101_120000.log",
            "2022-01-01 12:00:00,000 - mmcls - INFO - Epoch [1][100/391]\tlr: 1.000e-01, eta: 0:10:00, time: 0.050, " +
            "data_time: 0.001, memory: 2034, loss: 2.2000\n2022-01-01 12:00:05,000 - mmcls - INFO - Epoch " +
            "[1][200/391]\tlr: 1.000e-01, eta: 0:09:00, time: 0.050, data_time: 0.001, memory: 2034, loss: " +
            "1.8000\n2022-01-01 12:00:10,000 - mmcls - INFO - Epoch(val) [1][79]\taccuracy_top-1: 40.2000, " +
            "accuracy_top-5: 70.1000\n2022-01-01 12:01:00,000 - mmcls - INFO - Epoch [2][100/391]\tlr: 1.000e-01, " +
            "eta: 0:08:00, time: 0.050, data_time: 0.001, memory: 2034, loss: 1.5000\n2022-01-01 12:01:10,000 - " +
            "mmcls - INFO - Epoch(val) [2][79]\taccuracy_top-1: 52.4000, accuracy_top-5: 80.3000\n");
        Assert.Equal(2, log.Epochs.Count);
        Near(2.0, log.Epochs[0].TrainLoss);
        Near(0.402, log.Epochs[0].ValAccuracy);
        Near(0.803, log.Epochs[1].ValTop5);
        Assert.Empty(log.OtherSeries);
    }

    [Fact]
    public void ANotebookInMarkdownWhoseFencesHoldOnlyCodeIsReadOutsideThem()
    {
        // Colab exported to Markdown: the code cell is fenced, its Keras output (verbose=2) indented in a <div>.
        var md = "``` python\nmodel.fit(X, y, epochs=max_epochs, verbose=2)\n```\n\n" +
                 "<div class=\"output stream stdout\">\n\n    Epoch 1/3\n    207/207 - 226s - loss: 0.5899 - " +
                 "binary_accuracy: 0.6766 - val_loss: 0.5608 - val_binary_accuracy: 0.7034\n    \n    Epoch 00001: " +
                 "val_loss improved from inf to 0.56080, saving model to weights.h5\n    Epoch 2/3\n    207/207 - " +
                 "192s - loss: 0.5275 - binary_accuracy: 0.7446 - val_loss: 0.5115 - val_binary_accuracy: 0.7551\n" +
                 "    Epoch 3/3\n    207/207 - 192s - loss: 0.4856 - binary_accuracy: 0.7662 - val_loss: 0.4999 - " +
                 "val_binary_accuracy: 0.7607\n\n</div>\n";
        var log = ReadOne("index.md", md);
        Assert.Equal(new[] { 1, 2, 3 }, log.Epochs.Select(e => e.Epoch));
        Near(0.7607, log.Epochs[2].ValAccuracy);
        Near(0.5275, log.Epochs[1].TrainLoss);
        Assert.Contains(log.Notes, n => n.Contains("fences hold no epoch", StringComparison.Ordinal));
    }

    [Fact]
    public void MarkdownFencesAndARestartedCounter()
    {
        var md = "# My training\n\nAt epoch 10 the loss was 0.5: see below.\n\n```\nepoch 1 train_loss=1.0 " +
                 "val_loss=1.1 val_acc=0.50\nepoch 2 train_loss=0.8 val_loss=0.9 val_acc=0.60\n```\n\nSecond try " +
                 "with a lower learning rate:\n\n```text\nepoch 1 train_loss=0.9 val_loss=1.0 val_acc=0.55\nepoch 2 " +
                 "train_loss=0.7 val_loss=0.8 val_acc=0.66\nepoch 3 train_loss=0.6 val_loss=0.7 val_acc=0.70\n```\n";
        var path = Path.Combine(TestData.TempDir("text-md"), "NOTES.md");
        File.WriteAllText(path, md);
        var logs = LogReader.Read(path);
        Assert.Equal(2, logs.Count);
        Assert.Equal(new[] { 1, 2 }, logs[0].Epochs.Select(e => e.Epoch));
        Assert.Equal(3, logs[1].Epochs.Count);
        Near(0.70, logs[1].Epochs[2].ValAccuracy);
        Assert.Contains(logs[1].Notes, n => n.Contains("starts again"));
    }

    [Fact]
    public void OtherMetricsAreKeptByName()
    {
        var log = ReadOne("f1.log",
            "Epoch 1 | train loss 0.90 acc 0.60 | val loss 0.95 acc 0.58 macro_f1: 0.41\n" +
            "Epoch 2 | train loss 0.70 acc 0.70 | val loss 0.80 acc 0.66 macro_f1: 0.52\n");
        Near(0.66, log.Epochs[1].ValAccuracy);
        Near(0.70, log.Epochs[1].TrainAccuracy);
        Assert.Equal(new[] { (1, 0.41), (2, 0.52) }, log.OtherSeries["val_macro_f1"]);
        Assert.Equal(2, log.MetricSeries("val_macro_f1")!.Count);
    }

    [Fact]
    public void BareSplitNamesAreAccuraciesAndTestStandsInForValidationOnlyWhenAlone()
    {
        var log = ReadOne("gcn.txt",
            "Epoch: 001, Loss: 1.9490, Train: 0.1786, Val: 0.1140, Test: 0.1120\nEpoch: 002, Loss: 1.9324, Train: " +
                "0.2857, Val: 0.1360, Test: 0.1350\n");
        Near(0.2857, log.Epochs[1].TrainAccuracy);
        Near(0.1360, log.Epochs[1].ValAccuracy);
        Assert.Equal(new[] { (1, 0.1120), (2, 0.1350) }, log.OtherSeries["test_acc"]);
        var testOnly = ReadOne("gcn2.txt",
            "Epoch: 001, Loss: 1.9490, Train: 0.1786, Test: 0.1120\nEpoch: 002, Loss: 1.9324, Train: 0.2857, Test: " +
            "0.1350\n");
        Near(0.1350, testOnly.Epochs[1].ValAccuracy);
    }

    [Fact]
    public void CamelCaseKeysAreReadAndCheckpointMessagesAndSplitSizesAreNotValues()
    {
        // A hand-written loop's logging (logging-vgg-resume in the corpus): camelCase keys, a checkpoint message that
        // repeats the accuracy unrounded and without '%', and a resumed session's header counting images and batches.
        var log = ReadOne("vgg.log",
            "Epoch [001/30] TrainLoss=1.8695 TrainAcc=48.54% | ValLoss=1.3028 ValAcc=60.94% | LR=1.00e-04\n" +
            "[Checkpoint] Saved → best.pth  (epoch=1, val_acc=60.9415)\n" +
            "[Split] Train=3667 | Val=786 | Test=787\n" +
            "[DataLoaders] Train=115 batches | Val=25 batches | Test=25 batches\n" +
            "Epoch [002/30] TrainLoss=1.5289 TrainAcc=54.79% | ValLoss=1.1843 ValAcc=63.10% | LR=1.00e-04\n");
        var read = log.Epochs.Select(e => new[] { e.TrainLoss, e.TrainAccuracy, e.ValLoss, e.ValAccuracy }
            .Select(x => Math.Round(x!.Value, 6)));
        Assert.Equal(new[] { new[] { 1.8695, 0.4854, 1.3028, 0.6094 }, new[] { 1.5289, 0.5479, 1.1843, 0.631 } }, read);
        Assert.Contains(log.Columns, m => m.ToString() == "val_acc ← ValAcc");
        Assert.DoesNotContain("test_acc", log.OtherSeries.Keys);
    }

    [Fact]
    public void AnUnphasedAccuracyEveryFewEpochsIsTheEvaluationAndTheClassCountIsKept()
    {
        var log = ReadOne("noprop.md", "--- resnet18 on CIFAR100 (100 classes) using cuda ---\n" +
            string.Concat(Enumerable.Range(1, 20).Select(e =>
            $"Epoch {e:00} loss {10.0 / e:0.0000} | train 2.1s" +
                (e % 5 == 0 ? $" | Acc {e * 1.5:0.00}% | infer 4.4s" : "") + "\n")));
        Assert.Equal(100, log.Classes);
        Assert.Null(log.Epochs[4].TrainAccuracy);
        Near(0.075, log.Epochs[4].ValAccuracy);
        Assert.Contains(log.Notes, n => n.Contains("read as the validation accuracy"));
    }

    [Fact]
    public void IncrementalParserCompletesAnEpochWhenTheNextStarts()
    {
        var parser = new TextLogParser();
        var done = new List<TextEpoch>();
        parser.Feed("Epoch 1/3", done);
        parser.Feed("100/100 [====] - 1s - loss: 0.9 - accuracy: 0.6 - val_loss: 0.95 - val_accuracy: 0.58", done);
        Assert.Empty(done);
        Assert.Equal(0.58, parser.Current!.Values["val_acc"]);
        parser.Feed("Epoch 2/3", done);
        var first = Assert.Single(done);
        Assert.Equal((0, 1), (first.Segment, first.Epoch));
        Assert.Equal(0.9, first.Values["train_loss"]);
        Assert.Equal(3, first.Total);
        parser.Feed("100/100 [====] - 1s - loss: 0.7 - accuracy: 0.7 - val_loss: 0.85 - val_accuracy: 0.62", done);
        parser.Feed("Epoch 1/3", done);   // a new fit(): the counter starts again
        parser.Feed("100/100 [====] - 1s - loss: 0.8", done);
        parser.Complete(done);
        Assert.Equal(new[] { (0, 1), (0, 2), (1, 1) }, done.Select(e => (e.Segment, e.Epoch)));
        Assert.Equal(6, parser.Line);
    }

    [Fact]
    public void TextWithoutEpochsSaysWhatItLookedFor()
    {
        var path = Path.Combine(TestData.TempDir("text-none"), "notes.txt");
        File.WriteAllText(path, "Shopping list\nmilk: 2\nbread\n");
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains("not a training log any reader recognizes", e.Message);
        Assert.Contains("The first line is: 'Shopping list'", e.Message);
        e = Assert.Throws<RegimenException>(() => LogReader.Read(path, new ReadOptions { Format = "text" }));
        Assert.Contains("no epoch with a loss or an accuracy", e.Message);
    }

    [Fact]
    public void AnalystJudgesAConsoleLog()
    {
        var lines = Enumerable.Range(1, 30).Select(e =>
            $"Epoch {e}/30 - loss: {1.5 * Math.Exp(-e / 6.0):0.0000} - accuracy: " +
            $"{Math.Min(0.999, 0.5 + e * 0.02):0.0000} - val_loss: {0.9 + 0.002 * (e - 15) * (e - 15):0.0000} - " +
            $"val_accuracy: {0.6 + 0.1 * Math.Min(e, 10) / 10.0:0.0000}");
        var log = ReadOne("overfit.txt", string.Join("\n", lines) + "\n");
        var a = Analyst.Analyze(log);
        Assert.Contains(a.Findings, f => f.Kind == "overfitting");
    }

    [Fact]
    public void AQuantityPerEpochInTheHeaderIsNoEpochNumber()
    {
        // "Samples/Epoch: 1000" once opened an epoch 1000, and epoch 1 after it a second run.
        var log = ReadOne("numpy.txt", "Epochs: 2, Learning Rate: 0.005, Samples/Epoch: 1000, steps per epoch: 50\n" +
            "  Epoch 1/2 | Step 100/1000 | Loss: 2.1796 | Accuracy: 21.0%\n  Epoch 1 Complete - Avg Loss: 1.2973\n" +
            "  Epoch 2/2 | Step 100/1000 | Loss: 0.9231 | Accuracy: 67.0%\n  Epoch 2 Complete - Avg Loss: 0.8069\n");
        Assert.Equal(new[] { 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Near(0.8069, log.Epochs[1].TrainLoss);
    }

    [Fact]
    public void ATqdmBarsLossIsMarkedAsOneBatchsUnlessTheEpochPrintsItsMean()
    {
        static string Bar(int epoch, double loss) => FormattableString.Invariant(
            $"epoch={epoch} loss={loss} batch_id=937: 100%|██████████| 938/938 [00:16<00:00, 55.32it/s]\n");
        var bars = ReadOne("tqdm.txt", Bar(1, 0.08) + "Test set: Average loss: 0.05, Accuracy: 9850/10000\n" +
            Bar(2, 0.01) + "Test set: Average loss: 0.04, Accuracy: 9870/10000\n");
        Assert.Contains("one batch's", bars.Columns.Single(c => c.Role == "train_loss").Note);
        Assert.Null(bars.Columns.Single(c => c.Role == "val_loss").Note);
        Near(0.01, bars.Epochs[1].TrainLoss);
        // An epoch summary line gives the epoch's mean: it is taken, and nothing is marked.
        var summary = ReadOne("tqdm2.txt", Bar(1, 0.08) + "Epoch 1 train loss: 0.20\n" + Bar(2, 0.01) +
            "Epoch 2 train loss: 0.12\n");
        Near(0.12, summary.Epochs[1].TrainLoss);
        Assert.Null(summary.Columns.Single(c => c.Role == "train_loss").Note);
    }

    [Fact]
    public void ABestColumnOnAnEpochsLineIsNoBestMessage()
    {
        // "| Best: 48.34% * |" is one column of the epoch's line; "Best val Acc: 0.94" stays a message.
        var log = ReadOne("loop.txt", "Epoch: 001/200 | LR: 0.100000 | Train Loss: 1.7302 | Train Acc: 36.32% | " +
            "Val Loss: 1.5343 | Val Acc: 48.34% | Best: 48.34% * | Patience: 0/25 | Time: 32.2s\n" +
            "Epoch: 002/200 | LR: 0.099994 | Train Loss: 1.3161 | Train Acc: 52.70% | Val Loss: 1.2171 | " +
            "Val Acc: 59.56% | Best: 59.56% * | Patience: 0/25 | Time: 10.1s\nBest val Acc: 0.99\n");
        Assert.Equal(new[] { 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal((0.5956, 1.2171), (Math.Round(log.Epochs[1].ValAccuracy!.Value, 4), log.Epochs[1].ValLoss));
        Assert.DoesNotContain(log.OtherSeries.Keys, k => k.Contains("best", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void KerasStatedSizesAreTheLogsValidationAndTrainingSizes()
    {
        var log = ReadOne("keras.txt", "Train on 60000 samples, validate on 10000 samples\nEpoch 1/2\n" +
            "60000/60000 - 5s - loss: 0.30 - acc: 0.91 - val_loss: 0.10 - val_acc: 0.9700\nEpoch 2/2\n" +
            "60000/60000 - 5s - loss: 0.10 - acc: 0.97 - val_loss: 0.08 - val_acc: 0.9750\n");
        Assert.Equal((10000, 60000), (log.ValidationSize, log.TrainSize));
        Assert.Contains(log.Notes, n => n.Contains("states 10000 validation samples"));
    }

    [Fact]
    public void RatesTheCallbacksAnnounceAreTheEpochsLearningRates()
    {
        static string Epoch(int n, double loss) => $"Epoch {n}/4\n100/100 - 1s - loss: {loss:0.00} - acc: 0.90 - " +
            $"val_loss: {loss + 0.1:0.00} - val_acc: 0.85\n";
        var set = ReadOne("lrs.txt", string.Concat(Enumerable.Range(1, 4).Select(n => Epoch(n, 1.0 - 0.1 * n)
            .Replace("\n100", $"\n\nEpoch 0000{n}: LearningRateScheduler setting learning rate to {0.1 / n}.\n100"))));
        Assert.Equal(new double?[] { 0.1, 0.05, 0.1 / 3, 0.025 }, set.Epochs.Select(e => e.LearningRate));
        Assert.Contains(set.Columns, c => c.Role == "lr" && c.Column == TextLogReader.RatesColumn);
        Assert.Empty(set.Events);
        // Keras 3 prints the reduction inside the epoch it ends (before its last bar), PyTorch after its results:
        // the epochs after it train at the new rate, and the reduction is a schedule event.
        var reduced = ReadOne("rop.txt", Epoch(1, 0.9) + Epoch(2, 0.8).Replace("\n100",
                "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257.\n100") + Epoch(3, 0.7) +
            "Epoch 00003: reducing learning rate of group 0 to 1.0000e-04.\n" + Epoch(4, 0.6));
        Assert.Equal(new double?[] { null, null, 0.0005000000237487257, 1e-4 },
            reduced.Epochs.Select(e => e.LearningRate));
        Assert.Equal(new[] { (3, "(not logged)", "0.0005"), (4, "0.0005", "0.0001") },
            reduced.Events.Select(e => (e.Epoch, e.From!, e.To!)));
        Assert.Equal(4, reduced.Epochs.Count);
        // A log that prints its own rate keeps it.
        var own = ReadOne("own.txt", Epoch(1, 0.9).Replace("val_acc: 0.85", "val_acc: 0.85 - lr: 0.0100") +
            "Epoch 1: ReduceLROnPlateau reducing learning rate to 0.001.\n" + Epoch(2, 0.8).Replace("val_acc: 0.85",
                "val_acc: 0.85 - lr: 0.0010"));
        Assert.Equal(new double?[] { 0.01, 0.001 }, own.Epochs.Select(e => e.LearningRate));
        Assert.Empty(own.Events);
    }

    [Fact]
    public void EvaluationsEveryFewStepsOfAFewEpochsLogAreItsPoints()
    {
        var text = new System.Text.StringBuilder();
        double[] val = { 0.31, 0.15, 0.18, 0.12, 0.27, 0.11, 0.19, 0.13, 0.26 };
        for (int i = 0; i < val.Length; i++)
        {
            text.Append($"epoch={i / 3 + 1} step={200 * (i + 1)} train_loss={0.36 - 0.02 * i:0.00} " +
                $"val_loss={val[i]}\n");
            if (i % 3 == 2) text.Append($"epoch_end={i / 3 + 1} train_loss={0.3 - 0.02 * i:0.00} val_loss=0.15\n");
        }
        var log = ReadOne("train_log.txt", text.ToString());
        Assert.Equal(Enumerable.Range(1, 9), log.Epochs.Select(e => e.Epoch));
        Assert.Equal(val.Select(v => (double?)v), log.Epochs.Select(e => e.ValLoss));
        Assert.Contains(log.Notes, n => n.Contains("numbered 1..9 in order (steps 200 to 1800, every 200"));
        // Six epochs or more are judged by their epochs.
        var epochs = ReadOne("six.txt", string.Concat(Enumerable.Range(1, 6).Select(e =>
            $"epoch={e} step={100 * e} train_loss=0.3 val_loss=0.2\nepoch_end={e} train_loss=0.2 val_loss=0.1\n")));
        Assert.Equal(6, epochs.Epochs.Count);
        Assert.All(epochs.Epochs, e => Assert.Equal(0.1, e.ValLoss));
    }

    [Fact]
    public void ChineseLabelsAreRead()
    {
        var zh = ReadOne("train.out", "Epoch: 001/040 | Batch 0100/0469 | Loss: 0.1032\n当前学习率:  0.01\n" +
            "整体测试集上的Loss: 6.46\n整体测试集上的正确率: 0.9724\nEpoch: 002/040 | Batch 0100/0469 | Loss: 0.05\n" +
            "当前学习率:  0.001\n整体测试集上的Loss: 2.60\n整体测试集上的正确率: 0.9899\n");
        var e2 = zh.Epochs[1];
        Assert.Equal((0.9899, 2.60, 0.001), (e2.ValAccuracy, e2.ValLoss, e2.LearningRate));
    }
}
