using Regimen.Analysis;
using Regimen.Runs;
using Regimen.Runs.Readers;
using TorchSharp;

namespace Regimen.Tests;

/// <summary>
/// Each reader on a file shaped like the real thing; malformed, truncated and fuzzed input gives a clear error, never a
/// crash.
/// </summary>
public class LogReaderTests
{
    static string Write(string name, string text)
    {
        var dir = TestData.TempDir("logs");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void TimmSummaryWithArgs()
    {
        var path = Write("summary.csv",
            "epoch,train_loss,eval_loss,eval_top1,eval_top5,lr\n0,6.8,6.5,1.2,4.9,0.1\n1,6.0,5.5,8.4,20.1,0.2\n" +
            "2,5.2,4.8,15.0,35.2,0.19\n");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(path)!, "args.yaml"), "model: resnet50\nepochs: 3\nlr: " +
            "0.2\nweight_decay: 0.0001\nmodel_ema: true\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal("timm", log.Format);
        Assert.Equal(0.15, log.Epochs[2].ValAccuracy!.Value, 6);      // percent → fraction
        Assert.Null(log.Epochs[0].TrainAccuracy);
        Assert.Equal(3, log.PlannedEpochs);
        Assert.Contains(log.Notes, n => n.Contains("EMA"));
        var a = Analyst.Analyze(log);
        Assert.Contains(a.Unchecked, u => u.Contains("timm does not record it"));
    }

    [Fact]
    public void LightningSparseRowsAreMergedPerEpoch()
    {
        var path = Write("metrics.csv",
            "epoch,step,train_loss_step,train_loss_epoch,train_acc_epoch,val_loss,val_acc,lr-SGD\n" +
            "0,49,2.1,,,,,0.1\n0,99,1.9,,,,,0.1\n0,99,,,,1.8,0.40,\n0,99,,2.0,0.35,,,\n" +
            "1,149,1.5,,,,,0.05\n1,199,,,,1.4,0.55,\n1,199,,1.6,0.52,,,\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal("lightning", log.Format);
        Assert.Equal(2, log.Epochs.Count);
        Assert.Equal((2.0, 0.35, 1.8, 0.40), (log.Epochs[0].TrainLoss!.Value, log.Epochs[0].TrainAccuracy!.Value,
            log.Epochs[0].ValLoss!.Value, log.Epochs[0].ValAccuracy!.Value));
        Assert.Equal(0.05, log.Epochs[1].LearningRate);
    }

    [Fact]
    public void LightningsValidateAfterFitIsNoEpochOfTheRun()
    {
        // trainer.validate() after fit logs at epoch max_epochs, one step on, with no training before it.
        var path = Write("metrics.csv",
            "epoch,step,test_loss,train_loss,val_accuracy,val_loss\n0,49,,0.30,,\n0,99,,0.20,,\n0,99,,,0.90,0.25\n" +
            "1,149,,0.15,,\n1,199,,0.10,,\n1,199,,,0.92,0.20\n2,200,,,0.996,0.014\n2,200,0.03,,,\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(new[] { 0, 1 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.92, log.Epochs[^1].ValAccuracy);
        Assert.Contains(log.Notes, n => n.StartsWith("epoch 2 logs evaluation without training",
            StringComparison.Ordinal));
        // A log of validation alone keeps every epoch.
        var valOnly = Assert.Single(LogReader.Read(Write("metrics.csv",
            "epoch,step,lr,val_loss\n0,99,0.1,\n0,99,,2.2\n1,199,,2.1\n2,299,,2.0\n")));
        Assert.Equal(("lightning", 3), (valOnly.Format, valOnly.Epochs.Count));
    }

    [Fact]
    public void KerasCsvLogger()
    {
        var log =
            Assert.Single(LogReader.Read(Write("training.log.csv", "epoch,accuracy,loss,lr,val_accuracy,val_loss\n" +
            "0,0.5,1.2,0.001,0.55,1.1\n1,0.7,0.8,0.001,0.62,0.95\n")));
        Assert.Equal("keras", log.Format);
        Assert.Equal(0.7, log.Epochs[1].TrainAccuracy);
        Assert.Equal(0.62, log.Epochs[1].ValAccuracy);
    }

    [Fact]
    public void HuggingFaceTrainerState()
    {
        var json = """
            {"best_metric": 0.8, "num_train_epochs": 3, "log_history": [
              {"epoch": 0.5, "loss": 1.2, "learning_rate": 5e-05, "step": 10},
              {"epoch": 1.0, "loss": 0.9, "learning_rate": 4e-05, "step": 20},
              {"epoch": 1.0, "eval_loss": 0.85, "eval_accuracy": 0.71, "step": 20},
              {"epoch": 2.0, "loss": 0.6, "learning_rate": 2e-05, "step": 40},
              {"epoch": 2.0, "eval_loss": 0.7, "eval_accuracy": 0.78, "step": 40},
              {"epoch": 2.0, "train_runtime": 12.3, "step": 40}]}
            """;
        var log = Assert.Single(LogReader.Read(Write("trainer_state.json", json)));
        Assert.Equal("huggingface", log.Format);
        Assert.Equal(2, log.Epochs.Count);
        Assert.Equal(new[] { 1, 2 }, log.Epochs.Select(e => e.Epoch));   // the entries up to epoch 1.0 are epoch 1
        // Training entries are averages over logging steps: the epoch's loss is their mean.
        Assert.Equal((1.05, 0.85, 0.71), (log.Epochs[0].TrainLoss!.Value, log.Epochs[0].ValLoss!.Value,
            log.Epochs[0].ValAccuracy!.Value));
        Assert.Equal(5e-05, log.Epochs[0].LearningRate);
        Assert.Equal(3, log.PlannedEpochs);
    }

    [Fact]
    public void DeitStyleJsonLines()
    {
        var log = Assert.Single(LogReader.Read(Write("log.txt",
            "{\"train_lr\": 0.001, \"train_loss\": 6.9, \"test_loss\": 6.5, \"test_acc1\": 1.5, \"test_acc5\": 5.0, " +
            "\"epoch\": 0}\n{\"train_lr\": 0.002, \"train_loss\": 6.1, \"test_loss\": 5.6, \"test_acc1\": 9.5, " +
            "\"test_acc5\": 22.0, \"epoch\": 1}\n")));
        Assert.Equal(0.095, log.Epochs[1].ValAccuracy!.Value, 6);
        Assert.Equal(0.22, log.Epochs[1].ValTop5!.Value, 6);
    }

    [Fact]
    public void BareNanAndInfinityOfPythonsJsonDumpsAreRead()
    {
        // BEiT/ConvNeXt-style log.txt: train_grad_norm is Infinity when AMP overflows; a string keeps its text.
        var log = Assert.Single(LogReader.Read(Write("log.txt",
            "{\"train_loss\": 4.6, \"train_grad_norm\": 1.2, \"test_acc1\": 16.25, \"epoch\": 0}\n" +
            "{\"train_loss\": 4.5, \"train_grad_norm\": Infinity, \"note\": \"NaN, Infinity\", \"test_acc1\": " +
            "16.38, \"epoch\": 1}\n{\"train_loss\": NaN, \"train_grad_norm\": -Infinity, \"test_acc1\": 24.16, " +
            "\"epoch\": 2}\n")));
        Assert.Equal(3, log.Epochs.Count);
        Assert.Equal(0.1638, log.Epochs[1].ValAccuracy!.Value, 6);
        Assert.True(double.IsNaN(log.Epochs[2].TrainLoss!.Value));
        Assert.Null(JsonLinesReader.QuoteBareSpecials("{\"a\": \"NaN\", \"b\": 1.0}"));
        Assert.Equal("{\"a\": \"-Infinity\", \"b\": \"x Infinity\"}",
            JsonLinesReader.QuoteBareSpecials("{\"a\": -Infinity, \"b\": \"x Infinity\"}"));
        // A misspelt token is still an error that names the line (past the five lines detection looks at).
        var broken = Write("bad.txt", string.Concat(Enumerable.Range(0, 5).Select(e =>
            $"{{\"train_loss\": 4.6, \"epoch\": {e}}}\n")) + "{\"train_loss\": Infinityy, \"epoch\": 5}\n");
        Assert.Contains(":6: not a JSON object", Assert.Throws<RegimenException>(() => LogReader.Read(broken)).Message);
    }

    [Fact]
    public void TensorBoardScalarCsvExportIsNamedAfterItsTag()
    {
        var dir = TestData.TempDir("tb-csv");
        var path = Path.Combine(dir, "run-.-tag-val_accuracy.csv");
        File.WriteAllText(path, "Wall time,Step,Value\n1559699797.28,0,0.455\n1559702341.01,1,0.656\n" +
            "1559704884.90,2,0.695\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(("tensorboard-csv", "tensorboard-csv", "tb-csv"), (log.Reader, log.Format, log.Name[..6]));
        Assert.Equal(new[] { 0, 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.695, log.Epochs[2].ValAccuracy!.Value, 9);
        Assert.Null(log.Epochs[2].EpochSeconds);
        // A file saved under another name keeps the value under the file's own name.
        var other = Path.Combine(dir, "val_loss.csv");
        File.WriteAllText(other, "Wall time,Step,Value\n1.0,0,2.5\n2.0,1,2.1\n");
        Assert.Equal(2.1, Assert.Single(LogReader.Read(other)).Epochs[1].ValLoss!.Value, 9);
    }

    [Fact]
    public void TensorBoardEventsWrittenByTorchSharp()
    {
        var dir = TestData.TempDir("tb");
        var writer = torch.utils.tensorboard.SummaryWriter(dir, createRunName: false);
        for (int e = 0; e < 4; e++)
        {
            writer.add_scalar("train/loss", 2.0f - e * 0.3f, e);
            writer.add_scalar("train/acc", 0.3f + e * 0.1f, e);
            writer.add_scalar("val/loss", 2.1f - e * 0.25f, e);
            writer.add_scalar("val/acc", 0.28f + e * 0.09f, e);
        }
        var file = Directory.GetFiles(dir, "*tfevents*").Single();
        var log = Assert.Single(LogReader.Read(dir));
        Assert.Equal("tensorboard", log.Format);
        Assert.Equal(4, log.Epochs.Count);
        Assert.Equal(0.28f + 3 * 0.09f, (float)log.Epochs[3].ValAccuracy!.Value, 5);
        Assert.Equal(2.0f - 0.3f, (float)log.Epochs[1].TrainLoss!.Value, 5);

        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length - 10] ^= 0xff;
        var corrupt = Path.Combine(TestData.TempDir("tb-bad"), "events.out.tfevents.1");
        File.WriteAllBytes(corrupt, bytes);
        var e1 = Assert.Throws<RegimenException>(() => LogReader.Read(corrupt));
        Assert.Contains("checksum", e1.Message);
        var truncated = Path.Combine(TestData.TempDir("tb-cut"), "events.out.tfevents.2");
        File.WriteAllBytes(truncated, File.ReadAllBytes(file)[..^7]);
        var e2 = Assert.Throws<RegimenException>(() => LogReader.Read(truncated));
        Assert.Contains("truncated", e2.Message);
    }

    [Fact]
    public void MalformedFilesGiveAMessageWithTheLine()
    {
        var e = Assert.Throws<RegimenException>(() =>
            LogReader.Read(Write("m.csv", "epoch,val_acc,train_acc\n0,0.5,0.4\n1,0.6\n")));
        Assert.Contains("m.csv:3", e.Message);
        e = Assert.Throws<RegimenException>(() => LogReader.Read(Write("n.csv", "epoch,val_acc\n0,abc\n")));
        Assert.Contains("n.csv:2: 'abc'", e.Message);
        e = Assert.Throws<RegimenException>(() => LogReader.Read(Write("trainer_state.json", "{\"log_history\": [")));
        Assert.Contains("trainer_state.json", e.Message);
        e = Assert.Throws<RegimenException>(() => LogReader.Read(Write("x.csv", "name,value\na,1\n")));
        Assert.Contains("no column is a loss or an accuracy (columns: name, value)", e.Message);
        Assert.Throws<RegimenException>(() => LogReader.Read(Path.Combine(TestData.TempDir("none"), "absent.csv")));
    }

    /// <summary>
    /// Random bytes, truncations and byte mutations of valid logs, for a bounded time: only RegimenException may come
    /// out.
    /// </summary>
    [Fact]
    public void FuzzedLogsNeverCrashTheReadersOrTheAnalyst()
    {
        var seeds = new List<(string Name, byte[] Bytes)>
        {
            ("summary.csv", ("epoch,train_loss,eval_loss,eval_top1,eval_top5,lr\n0,6.8,6.5,1.2,4.9,0.1\n"u8 +
                "1,6.0,5.5,8.4,20.1,0.2\n"u8).ToArray()),
            ("metrics.csv", ("epoch,step,train_loss,val_loss,val_acc\n0,9,1.0,,\n0,9,,0.9,0.5\n1,19,0.8,,\n"u8 +
                "1,19,,0.85,0.6\n"u8).ToArray()),
            ("trainer_state.json", ("{\"log_history\": [{\"epoch\": 1.0, \"loss\": 0.9}, {\"epoch\": 1.0, "u8 +
                "\"eval_accuracy\": 0.7, \"eval_loss\": 0.8}]}"u8).ToArray()),
            ("log.txt", ("{\"epoch\": 0, \"train_loss\": 1.0, \"test_acc1\": 50.0}\n{\"epoch\": 1, \"train_loss\": "u8 +
                "0.8, \"test_acc1\": 60.0}\n"u8).ToArray()),
            ("agg.csv", File.ReadAllBytes(AnalystTests.Fixture("ffcv-imagenet-rn50-agg.csv"))[..6000]),
            ("console.txt", ("Epoch 1/2\r1/9 [..] - loss: 2.0\r9/9 [==] - loss: 1.0 - accuracy: 0.5 - "u8 +
                "val_loss: 1.1 - val_accuracy: 0.4\nEpoch 2/2\n9/9 [==] - loss: 0.8 - accuracy: 0.6 - "u8 +
                "val_loss: 1.0 - val_accuracy: 0.5\n"u8).ToArray()),
            ("history.json", ("{\"loss\": [1.0, 0.8, 0.7], \"accuracy\": [0.5, 0.6, 0.65], "u8 +
                "\"val_loss\": [1.1, 0.9, 0.85], \"val_accuracy\": [0.45, 0.55, 0.6]}"u8).ToArray()),
            ("scalars.json", ("{\"lr\": 0.1, \"loss\": 2.0, \"epoch\": 1, \"iter\": 10, \"step\": 10}\n"u8 +
                "{\"accuracy/top1\": 30.5, \"step\": 1}\n{\"lr\": 0.1, \"loss\": 1.5, \"epoch\": 2, \"iter\": 20, "u8 +
                "\"step\": 20}\n{\"accuracy/top1\": 40.5, \"step\": 2}\n"u8).ToArray()),
            ("results.tsv", ("Learning Rate\tTrain Loss\tValid Loss\tTrain Acc.\tValid Acc.\t\n"u8 +
                "0.100000\t2.000000\t1.900000\t30.000000\t32.000000\t\n"u8 +
                "0.100000\t1.500000\t1.600000\t45.000000\t42.000000\t\n"u8).ToArray()),
            ("notes.md", "# run\n```\nepoch 1 loss=1.0 val_acc=0.5\nepoch 2 loss=0.9 val_acc=0.6\n```\n"u8.ToArray()),
            ("run-.-tag-val_loss.csv", ("Wall time,Step,Value\n1559699797.2,0,1.1\n1559699857.2,1,0.9\n"u8 +
                "1559699917.2,2,0.85\n"u8).ToArray()),
        };
        var tbDir = TestData.TempDir("fuzz-tb");
        var writer = torch.utils.tensorboard.SummaryWriter(tbDir, createRunName: false);
        for (int i = 0; i < 3; i++) writer.add_scalar("val/acc", 0.5f + i * 0.1f, i);
        seeds.Add(("events.out.tfevents.fuzz", File.ReadAllBytes(Directory.GetFiles(tbDir).Single())));

        var random = new Random(1234);
        var dir = TestData.TempDir("fuzz");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int cases = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(8) && cases < 3000)
        {
            var (name, original) = seeds[random.Next(seeds.Count)];
            var bytes = (byte[])original.Clone();
            switch (random.Next(4))
            {
                case 0: bytes = bytes[..random.Next(bytes.Length + 1)]; break;
                case 1:
                    for (int k = 0; k < 1 + random.Next(5); k++)
                        if (bytes.Length > 0) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 2: bytes = new byte[random.Next(200)]; random.NextBytes(bytes); break;
                default:
                    if (bytes.Length > 2)
                    {
                        int at = random.Next(bytes.Length);
                        bytes = bytes[..at].Concat(bytes[(at + 1)..]).ToArray();
                    }
                    break;
            }
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes);
            cases++;
            try
            {
                foreach (var log in LogReader.Read(path)) Analyst.Analyze(log);
            }
            catch (RegimenException) { }
        }
        Assert.True(cases > 100, $"only {cases} cases ran");
    }

    [Fact]
    public void ARunOfOneEpochBetweenTwoRunsIsARunOfItsOwn()
    {
        // Three trainings appended to one results.csv: epochs 1-3, 1, 1-3 (YOLO's, yolo-stat4012-3runs).
        var rows = new[] { 1, 2, 3, 1, 1, 2, 3 }.Select((e, i) => $"{e},{2.0 - 0.1 * i:0.0},{0.3 + 0.01 * i:0.00}\n");
        var logs = LogReader.Read(Write("results.csv",
            "epoch,train/loss,metrics/accuracy_top1\n" + string.Concat(rows)));
        Assert.Equal(new[] { 3, 1, 3 }, logs.Select(l => l.Epochs.Count));
        Assert.Equal(0.33, logs[1].Epochs[0].ValAccuracy!.Value, 6);
    }
}

/// <summary>The numeric fast paths of the CSV reader give exactly what the general parser gives.</summary>
public class CsvNumberTests
{
    [Fact]
    public void PlainDecimalsParseToTheSameDoubleAsDoubleParse()
    {
        var random = new Random(17);
        var cases = new List<string> { "0", "-0", "0.0", "-0.0", "1", "10", "100", ".5", "-.25", "+3.75", "0.1",
            "0.30000000000000004",
            "123456789012345", "1234567890123456", "0.000001", "2.302585", "99.999", "6.02e23", "1e-5", "1.", ".", "-",
                "+", "1.2.3", "nan", "" };
        for (int i = 0; i < 20000; i++)
        {
            int whole = random.Next(0, 1000), places = random.Next(0, 12);
            long fraction = (long)(random.NextDouble() * Math.Pow(10, places));
            cases.Add((random.Next(2) == 0 ? "-" : "") + whole +
                (places > 0 ? "." + fraction.ToString().PadLeft(places, '0') : ""));
        }
        foreach (var text in cases)
        {
            bool fast = CsvTable.TryParseDecimal(System.Text.Encoding.ASCII.GetBytes(text), out var value);
            bool general = double.TryParse(text, System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var expected);
            if (!fast) continue;   // the reader falls back to double.TryParse
            Assert.True(general, $"'{text}' parsed by the fast path only");
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
        }
        Assert.False(CsvTable.TryParseDecimal("6.02e23"u8, out _));
        Assert.False(CsvTable.TryParseDecimal("1234567890123456"u8, out _));   // 16 digits: no longer exact
    }

    [Fact]
    public void AMissingValueIsNullAndALoggedNanStaysNan()
    {
        var path = Path.Combine(TestData.TempDir("nan-log"), "log.csv");
        File.WriteAllText(path, "epoch,train_loss,val_loss,val_acc\n0,2.3,2.2,0.1\n1,nan,,0.2\n2,inf,NaN,\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.True(double.IsNaN(log.Epochs[1].TrainLoss!.Value));
        Assert.Null(log.Epochs[1].ValLoss);
        Assert.True(double.IsPositiveInfinity(log.Epochs[2].TrainLoss!.Value));
        Assert.True(double.IsNaN(log.Epochs[2].ValLoss!.Value));
        Assert.Null(log.Epochs[2].ValAccuracy);
        Assert.Contains(Analyst.Analyze(log).Findings, f => f.Kind == "divergence" && f.FirstEpoch == 1);
        // A bad cell is reported at its line, whichever parallel chunk meets it.
        var rows = string.Join("\n", Enumerable.Range(0, 200_000).Select(i => $"{i},{(i == 150_001 ? "x1" : "0.5")}"));
        File.WriteAllText(path, "epoch,train_loss\n" + rows + "\n");
        var error = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains(":150003: 'x1' in column 'train_loss' is not a number", error.Message);
    }
}

/// <summary>The format is told from the content: misnamed files are read by the right reader.</summary>
public class LogDetectionTests
{
    static string Write(string name, string text)
    {
        var path = Path.Combine(TestData.TempDir("detect"), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("state.txt", "{\"log_history\": [{\"epoch\": 1.0, \"loss\": 0.9}, {\"epoch\": 1.0, " +
        "\"eval_accuracy\": 0.7, \"eval_loss\": 0.8}]}", "huggingface")]
    [InlineData("log.json", "{\"epoch\": 0, \"train_loss\": 1.0, \"test_acc1\": 50.0}\n{\"epoch\": 1, " +
        "\"train_loss\": 0.8, \"test_acc1\": 60.0}\n", "json-lines")]
    [InlineData("history.log", "epoch,loss,accuracy,val_loss,val_accuracy\n0,1.0,0.5,1.1,0.45\n1,0.8,0.6,0.9,0.55\n",
        "csv")]
    [InlineData("history.txt", "{\"loss\": [1.0, 0.8], \"val_loss\": [1.1, 0.9], \"val_accuracy\": [0.45, 0.55]}",
        "json-history")]
    [InlineData("results.csv", "Learning Rate\tTrain Loss\tValid Loss\tTrain Acc.\tValid Acc.\t\n" +
        "0.1\t2.0\t1.9\t30.0\t32.0\t\n0.1\t1.5\t1.6\t45.0\t42.0\t\n", "tsv")]
    [InlineData("metrics.json", "Epoch 1/2\nloss: 1.0 - accuracy: 0.5 - val_loss: 1.1 - val_accuracy: 0.45\nEpoch " +
        "2/2\nloss: 0.8 - accuracy: 0.6 - val_loss: 0.9 - val_accuracy: 0.55\n", "text")]
    public void MisnamedFilesAreReadByTheirContent(string name, string text, string reader)
    {
        var log = Assert.Single(LogReader.Read(Write(name, text)));
        Assert.Equal(reader, log.Reader);
        Assert.True(log.Epochs.Count == 2 || log.Epochs.Count == 1, $"{log.Epochs.Count} epochs");
        Assert.True(log.Has(e => e.ValAccuracy), "no val_acc");
    }

    [Fact]
    public void AHistoryJsonIsReadPastTheScriptsMetadataAndItsStageStartsAreScheduleChanges()
    {
        var acc = string.Join(", ", Enumerable.Range(0, 9).Select(i => 40 + 3 * i));
        var loss = string.Join(", ", Enumerable.Range(0, 9).Select(i => (0.9 - 0.05 * i).ToString("0.00",
            System.Globalization.CultureInfo.InvariantCulture)));
        var log = Assert.Single(LogReader.Read(Write("run.log", "{\"timestamp\": \"2026-04-18T17:21:59\", " +
            "\"backbone\": \"B0\", \"img_size\": 112, \"classes\": [\"Happy\", \"Neutral\", \"Sad\"], " +
            "\"phase_starts\": [0, 3, 6], \"phase_labels\": [\"head\", \"unfreeze\", \"all\"], " +
            $"\"train_loss\": [{loss}], \"val_acc\": [{acc}], \"test_acc\": 77.6}}")));
        Assert.Equal("json-history", log.Reader);
        Assert.Equal(9, log.Epochs.Count);
        Assert.Equal(0.64, log.Epochs[^1].ValAccuracy!.Value, 6);
        Assert.Equal(3, log.Classes);
        Assert.Equal("B0", log.Hyperparameters["backbone"]);
        Assert.DoesNotContain("phase_starts", log.OtherSeries.Keys);
        // 0-based starts 3 and 6 are epochs 4 and 7, counted from 1.
        Assert.Equal(new[] { (4, "head", "unfreeze"), (7, "unfreeze", "all") },
            log.Events.Select(e => (e.Epoch, e.From!, e.To!)));
        Assert.All(log.Events, e => Assert.Equal(("schedule", "stage"), (e.Kind, e.Key)));
        Assert.Contains(log.Notes, n => n.Contains("not series: phase_starts"));
    }

    [Fact]
    public void AFitThatGoesOnFromWhereTheLastStoppedIsOneTrainingAndANewModelIsARunOfItsOwn()
    {
        const string Header = "epoch,loss,accuracy,val_loss,val_accuracy\n";
        const string First = "0,1.00,0.50,0.90,0.55\n1,0.60,0.70,0.65,0.68\n2,0.40,0.80,0.50,0.75\n";
        var continued = Assert.Single(LogReader.Read(Write("fits.csv", Header + First +
            "0,0.38,0.81,0.52,0.74\n1,0.30,0.85,0.45,0.78\n2,0.25,0.88,0.44,0.79\n")));
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, continued.Epochs.Select(e => e.Epoch));
        var stage = Assert.Single(continued.Events);
        Assert.Equal((3, "schedule", "stage", "1", "2"), (stage.Epoch, stage.Kind, stage.Key, stage.From, stage.To));
        Assert.Contains(continued.Notes, n => n.Contains("one training in parts"));
        // A second model starts where the first did, not where it stopped.
        var apart = LogReader.Read(Write("models.csv", Header + First +
            "0,1.05,0.48,0.92,0.54\n1,0.62,0.69,0.66,0.67\n2,0.41,0.79,0.52,0.74\n"));
        Assert.Equal(2, apart.Count);
        Assert.All(apart, log => Assert.Equal(new[] { 0, 1, 2 }, log.Epochs.Select(e => e.Epoch)));
        Assert.All(apart, log => Assert.Empty(log.Events));
    }

    [Fact]
    public void ALogAfterAPreambleLongerThanTheHeadIsReadAsText()
    {
        var preamble = "---\nlayout: default\n---\n" + string.Concat(Enumerable.Range(1, 250).Select(i =>
            $"Paragraph {i} of the write-up, no numbers that matter.\n"));
        var log = Assert.Single(LogReader.Read(Write("page.md", preamble + "    train Loss: 1.20 Acc: 0.40\n" +
            "    val Loss: 1.16 Acc: 0.19\nEpoch 1/2\n    train Loss: 1.10 Acc: 0.45\n" +
            "    val Loss: 1.10 Acc: 0.30\n")));
        Assert.Equal("text", log.Reader);
        Assert.True(log.Has(e => e.ValAccuracy), "no val_acc");
        // Prose alone is still refused, with the first line it saw.
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(Write("prose.md", preamble)));
        Assert.Contains("The first line is: '---'", e.Message);
    }

    [Fact]
    public void AForcedFormatReadsOrSaysWhy()
    {
        var csv = Write("h.csv", "epoch,loss,val_accuracy\n0,1.0,0.5\n1,0.8,0.6\n");
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(csv, new ReadOptions { Format = "huggingface" }));
        Assert.Contains("h.csv", e.Message);
        e = Assert.Throws<RegimenException>(() => LogReader.Read(csv, new ReadOptions { Format = "jsonlines" }));
        Assert.Contains("did you mean 'json-lines'", e.Message);
        Assert.Equal("csv", Assert.Single(LogReader.Read(csv, new ReadOptions { Format = "csv" })).Reader);
    }

    [Fact]
    public void AnUnrecognizedFileNamesWhatWasLookedForAndItsFirstLine()
    {
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(Write("x.bin", "\u0001\u0002garbage\n")));
        Assert.Contains("x.bin: not a training log any reader recognizes", e.Message);
        foreach (var reader in LogReaders.All) Assert.Contains(reader.Name + ": ", e.Message);
        e = Assert.Throws<RegimenException>(() =>
            LogReader.Read(Write("readme.txt", "This folder holds my runs.\nSee below.\n")));
        Assert.Contains("The first line is: 'This folder holds my runs.'", e.Message);
    }
}

public class MarkdownTableTests
{
    [Fact]
    public void AMarkdownTableWithEmphasisAndPercentCells()
    {
        var path = Path.Combine(TestData.TempDir("md-table"), "README-logs.md");
        File.WriteAllText(path, "# Logs\n\n**Final:** 77.45% ✅\n\n| Epoch | Train Loss | Train Acc | Val Loss | Val " +
            "Acc |\n|-------|-----------|-----------|----------|---------|\n| 1 | 6.4731 | 1.74% | 5.9321 | 4.10% " +
            "|\n| 2 | 6.0129 | 4.36% | 5.5839 | 6.11% |\n\nLater:\n\n| Epoch | Train Loss | Train Acc | Val Loss | " +
            "Val Acc |\n|---|---|---|---|---|\n| 3 | 5.7562 | 6.57% | 5.2395 | **8.47%** 🎯 |\n");
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal("markdown-table", log.Reader);
        Assert.Equal(new[] { 1, 2, 3 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.0847, log.Epochs[2].ValAccuracy!.Value, 6);
        Assert.Equal(0.0174, log.Epochs[0].TrainAccuracy!.Value, 6);
    }

    [Fact]
    public void AModelCardsEvaluationsAtFractionsOfAFewEpochsAreItsPoints()
    {
        static string Row(int i, double perEpoch) => FormattableString.Invariant(
            $"| {0.3 / i:0.0000} | {i / perEpoch:0.0000} | {200 * i} | {0.2 / i:0.0000} | {0.9 + 0.001 * i:0.000} |");
        string Rows(int n, double perEpoch) => string.Concat(Enumerable.Range(1, n).Select(i => Row(i, perEpoch) +
            "\n"));
        const string Header = "## Training results\n\n| Training Loss | Epoch | Step | Validation Loss | Accuracy |\n" +
            "|:---:|:---:|:---:|:---:|:---:|\n";
        var path = Path.Combine(TestData.TempDir("md-card"), "README.md");
        File.WriteAllText(path, Header + Rows(10, 5.3));
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(Enumerable.Range(1, 10), log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.02, log.Epochs[9].ValLoss!.Value, 6);
        Assert.Contains(log.Notes, n => n.Contains("10 evaluations within 2 epochs"));
        // Whole epochs, or fractions over many epochs, stay epochs.
        File.WriteAllText(path, Header + Rows(12, 1.5));
        Assert.NotEqual(Enumerable.Range(1, 12), Assert.Single(LogReader.Read(path)).Epochs.Select(e => e.Epoch));
    }
}

/// <summary>
/// The column-role resolver on the names tools write, and the table and JSON-lines readers built on it.
/// </summary>
public class ColumnRoleTests
{
    static Dictionary<string, string> Roles(params string[] columns) =>
        ColumnRoles.Resolve(columns).Roles.ToDictionary(r => r.Key, r => r.Value.Mapping.Column);

    [Fact]
    public void ToolsColumnNamesGetTheirRoles()
    {
        Assert.Equal(new Dictionary<string, string>
        {
            ["epoch"] = "epoch", ["train_loss"] = "train/loss", ["val_acc"] = "metrics/accuracy_top1",
            ["val_top5"] = "metrics/accuracy_top5", ["val_loss"] = "val/loss", ["lr"] = "lr/pg0",
        }, Roles("epoch", "train/loss", "metrics/accuracy_top1", "metrics/accuracy_top5", "val/loss", "lr/pg0",
            "lr/pg1", "lr/pg2"));
        // Keras: the unphased names are training's.
        var keras = Roles("epoch", "loss", "sparse_categorical_accuracy", "val_loss",
            "val_sparse_categorical_accuracy", "lr");
        Assert.Equal(("sparse_categorical_accuracy", "val_sparse_categorical_accuracy", "loss"),
            (keras["train_acc"], keras["val_acc"], keras["train_loss"]));
        // fastai: phased losses, an unphased metric: validation.
        Assert.Equal("accuracy", Roles("epoch", "train_loss", "valid_loss", "accuracy", "time")["val_acc"]);
        var error = ColumnRoles.Resolve(new[] { "epoch", "train_loss", "valid_loss", "error_rate", "time" });
        Assert.True(error.Roles["val_acc"].Mapping.Complement);
        // bearpaw, Lightning, mmcv, hand-written.
        var bearpaw = Roles("Learning Rate", "Train Loss", "Valid Loss", "Train Acc.", "Valid Acc.");
        Assert.Equal(("Learning Rate", "Valid Acc.", "Train Acc."),
            (bearpaw["lr"], bearpaw["val_acc"], bearpaw["train_acc"]));
        var lightning = Roles("epoch", "step", "train_loss_step", "train_loss_epoch", "val_acc", "lr-SGD");
        Assert.Equal(("train_loss_epoch", "lr-SGD"), (lightning["train_loss"], lightning["lr"]));
        Assert.Equal("accuracy_top-1 [val]", Roles("loss [train]", "accuracy_top-1 [val]")["val_acc"]);
        Assert.Equal(("Acc@1 [val]", "top_5"),
            (Roles("Acc@1 [val]")["val_acc"], Roles("epoch", "train_loss", "top_1", "top_5")["val_top5"]));
        Assert.Equal("test_acc", Roles("train_acc", "test_acc")["val_acc"]);
        // A resolution in the name (CF-ViT's test at three input sizes): the first takes the role.
        var sizes = Roles("train_loss", "test_96_acc1", "test_96_acc5", "test_384_acc1", "test_384_acc5", "epoch");
        Assert.Equal(("test_96_acc1", "test_96_acc5"), (sizes["val_acc"], sizes["val_top5"]));
        // A detector's class accuracy beside its objectness accuracies (YOLOv3 in Lightning).
        Assert.Equal("val_Class_Accuracy",
            Roles("epoch", "train_loss", "val_Class_Accuracy", "val_No_Obj_Accuracy", "val_Obj_Accuracy")["val_acc"]);
        Assert.True(ColumnRoles.LowerIsBetter("eval_loss") && !ColumnRoles.LowerIsBetter("eval_macro_f1"));
    }

    static string Write(string name, string text)
    {
        var path = Path.Combine(TestData.TempDir("roles"), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void FastaiPandasAndBearpawTables()
    {
        var fastai = Assert.Single(LogReader.Read(Write("history.csv",
            "epoch,train_loss,valid_loss,accuracy,time\n0,0.81,0.40,0.88,00:12\n1,0.50,0.31,0.91,01:02\n")));
        Assert.Equal("fastai", fastai.Format);
        Assert.Equal((0.91, 62.0), (fastai.Epochs[1].ValAccuracy!.Value, fastai.Epochs[1].EpochSeconds!.Value));
        Assert.Null(fastai.Epochs[1].TrainAccuracy);
        var pandas =
            Assert.Single(LogReader.Read(Write("h.csv", ",loss,accuracy,val_loss,val_accuracy\n0,2.1,0.40,2.9,0.20\n" +
            "1,1.9,0.45,2.8,0.24\n")));
        Assert.Equal(new[] { 1, 2 }, pandas.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.45, pandas.Epochs[1].TrainAccuracy);
        var bearpaw = Assert.Single(LogReader.Read(Write("log.txt",
            "Learning Rate\tTrain Loss\tValid Loss\tTrain Acc.\tValid Acc.\t\n" +
                "0.100000\t2.000000\t1.900000\t30.000000\t32.000000\t\n" +
                "0.010000\t1.500000\t1.600000\t45.000000\t42.000000\t\n")));
        Assert.Equal(("tsv", "bearpaw"), (bearpaw.Reader, bearpaw.Format));
        Assert.Equal((0.42, 0.01), (bearpaw.Epochs[1].ValAccuracy!.Value, bearpaw.Epochs[1].LearningRate!.Value));
        Assert.Contains(bearpaw.Notes, n => n.Contains("rows are epochs 1..N"));
    }

    [Fact]
    public void MmcvAndMmengineJsonLines()
    {
        var mmcv = Assert.Single(LogReader.Read(Write("20220101_120000.log.json",
            "{\"env_info\": \"sys.platform: linux\", \"config\": \"model = dict()\", \"seed\": 0}\n{\"mode\": " +
            "\"train\", \"epoch\": 1, \"iter\": 100, \"lr\": 0.1, \"memory\": 2034, \"data_time\": 0.01, \"loss\": " +
            "2.2, \"time\": 0.05}\n{\"mode\": \"train\", \"epoch\": 1, \"iter\": 200, \"lr\": 0.1, \"memory\": 2034, " +
            "\"data_time\": 0.01, \"loss\": 1.8, \"time\": 0.05}\n{\"mode\": \"val\", \"epoch\": 1, \"iter\": 391, " +
            "\"lr\": 0.1, \"accuracy_top-1\": 40.2, \"accuracy_top-5\": 70.1}\n{\"mode\": \"train\", \"epoch\": 2, " +
            "\"iter\": 100, \"lr\": 0.05, \"memory\": 2034, \"data_time\": 0.01, \"loss\": 1.5, \"time\": " +
            "0.05}\n{\"mode\": \"val\", \"epoch\": 2, \"iter\": 391, \"lr\": 0.05, \"accuracy_top-1\": 52.4, " +
            "\"accuracy_top-5\": 80.3}\n")));
        Assert.Equal(("json-lines", "mmcv"), (mmcv.Reader, mmcv.Format));
        Assert.Equal(2, mmcv.Epochs.Count);
        Assert.Equal(2.0, mmcv.Epochs[0].TrainLoss!.Value, 9);
        Assert.Equal(0.402, mmcv.Epochs[0].ValAccuracy!.Value, 9);
        Assert.Equal(0.05, mmcv.Epochs[1].LearningRate);
        var mmengine = Assert.Single(LogReader.Read(Write("scalars.json",
            "{\"lr\": 0.02, \"data_time\": 0.001, \"loss\": 2.2, \"time\": 0.05, \"epoch\": 1, \"iter\": 10, " +
            "\"memory\": 2034, \"step\": 10}\n{\"accuracy/top1\": 35.5, \"accuracy/top5\": 64.1, \"data_time\": " +
            "0.004, \"time\": 0.02, \"step\": 1}\n{\"lr\": 0.002, \"data_time\": 0.001, \"loss\": 1.2, \"time\": " +
            "0.05, \"epoch\": 2, \"iter\": 20, \"memory\": 2034, \"step\": 20}\n{\"accuracy/top1\": 60.2, " +
            "\"accuracy/top5\": 85.1, \"data_time\": 0.004, \"time\": 0.02, \"step\": 2}\n")));
        Assert.Equal("mmengine", mmengine.Format);
        Assert.Equal(new[] { 1, 2 }, mmengine.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.602, mmengine.Epochs[1].ValAccuracy!.Value, 9);
        Assert.Equal(0.851, mmengine.Epochs[1].ValTop5!.Value, 9);
        Assert.Equal(1.2, mmengine.Epochs[1].TrainLoss);
    }

    [Fact]
    public void SeveralRunsInAFileOrAFolder()
    {
        var twoStages = LogReader.Read(Write("training.log",
            "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.2,0.45,1.3\n1,0.6,1.0,0.5,1.1\n0,0.7,0.9,0.6,1.0\n" +
                "1,0.8,0.7,0.65,0.9\n2,0.85,0.6,0.66,0.9\n"));
        Assert.Equal(new[] { 2, 3 }, twoStages.Select(l => l.Epochs.Count));
        Assert.Equal("training#2", twoStages[1].Name);
        // A resumed run logs epochs again from its checkpoint: they replace what followed.
        var resumed = Assert.Single(LogReader.Read(Write("resumed.csv",
            "epoch,loss,val_accuracy\n0,1.0,0.5\n1,0.9,0.55\n2,0.95,0.5\n1,0.85,0.6\n2,0.8,0.62\n")));
        Assert.Equal(new[] { (0, 0.5), (1, 0.6), (2, 0.62) }, resumed.Series(e => e.ValAccuracy));
        var folder = TestData.TempDir("runs-folder");
        File.WriteAllText(Path.Combine(folder, "a.log"), "epoch,loss,val_accuracy\n0,1.0,0.5\n1,0.9,0.55\n");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "Epoch 1/2\nloss: 1.0 - val_accuracy: 0.5\nEpoch 2/2\nloss: " +
            "0.8 - val_accuracy: 0.6\n");
        File.WriteAllText(Path.Combine(folder, "notes.md"), "# What I tried\nA smaller learning rate.\n");
        var logs = LogReader.Read(folder);
        Assert.Equal(new[] { "csv", "text" }, logs.Select(l => l.Reader));
    }

    /// <summary>Keras' CSVLogger of a model with two outputs (keys sorted, as it writes them).</summary>
    [Fact]
    public void EachOutputOfAMultiOutputModelIsARunOfItsOwnUnlessMapChoosesTheAccuracy()
    {
        var csv = Write("heads.csv", "epoch,loss,lr,pred_age_acc,pred_age_loss,pred_gender_acc,pred_gender_loss," +
            "val_loss,val_pred_age_acc,val_pred_age_loss,val_pred_gender_acc,val_pred_gender_loss\n" +
            "0,6.1,0.1,0.03,4.0,0.70,0.60,6.0,0.031,3.9,0.72,0.58\n" +
            "1,5.5,0.1,0.05,3.6,0.80,0.45,5.6,0.052,3.7,0.79,0.47\n");
        var logs = LogReader.Read(csv);
        Assert.Equal(new[] { "heads: head pred_age", "heads: head pred_gender" }, logs.Select(l => l.Name));
        var gender = logs[1];
        Assert.Equal((0.79, 0.80), (gender.Epochs[1].ValAccuracy!.Value, gender.Epochs[1].TrainAccuracy!.Value));
        Assert.Equal((0.45, 0.47), (gender.Epochs[1].TrainLoss!.Value, gender.Epochs[1].ValLoss!.Value));
        Assert.Contains(gender.Columns, c => c.ToString() == "val_acc ← val_pred_gender_acc (output pred_gender)");
        Assert.Contains(gender.Notes, n => n.Contains("2 outputs (pred_age, pred_gender)") &&
            n.Contains("this is pred_gender"));
        Assert.Equal(5.6, gender.OtherSeries["val_loss"][1].Value, 6);  // the sum of the outputs' losses, by name
        var mapped = Assert.Single(LogReader.Read(csv, new ReadOptions
        {
            Map = new Dictionary<string, string> { ["val_acc"] = "val_pred_age_acc" },
        }));
        Assert.Equal(0.052, mapped.Epochs[1].ValAccuracy!.Value, 6);
        Assert.Equal(5.6, mapped.Epochs[1].ValLoss!.Value, 6);
    }

    /// <summary>Lightning's LearningRateMonitor writes its rows with a step and no epoch.</summary>
    [Fact]
    public void LearningRateMonitorRowsWithoutAnEpochGiveTheNextEpochsRate()
    {
        var dir = Path.Combine(TestData.TempDir("lightning-lr"), "version_0");
        Directory.CreateDirectory(dir);
        var rows = Enumerable.Range(0, 4).SelectMany(e => new[]
        {
            $",{(e < 2 ? "0.001" : "0.0001")},{e * 10},,,", $"{e},,{e * 10 + 9},{1.0 - 0.1 * e:F2},,",
            $"{e},,{e * 10 + 9},,{0.5 + 0.05 * e:F2},{0.9 - 0.05 * e:F2}",
        });
        File.WriteAllText(Path.Combine(dir, "metrics.csv"),
            "epoch,lr-AdamW,step,train_loss,val_acc,val_loss\n" + string.Join("\n", rows) + "\n");
        var log = Assert.Single(LogReader.Read(dir));
        Assert.Equal(new double?[] { 0.001, 0.001, 0.0001, 0.0001 }, log.Epochs.Select(e => e.LearningRate));
        Assert.Contains(log.Columns, c => c.ToString() == "lr ← lr-AdamW");
        Assert.Equal(0.65, log.Epochs[3].ValAccuracy!.Value, 6);
    }
}
