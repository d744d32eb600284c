using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>TensorBoard's "Download CSV" exports: one file per run and tag, "Wall time,Step,Value".</summary>
public class TensorBoardCsvReaderTests
{
    static string Export(string dir, string name, params double[] values) => ExportAt(dir, name,
        values.Select((v, i) => ((long)i, v)).ToArray());

    static string ExportAt(string dir, string name, params (long Step, double Value)[] rows)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "Wall time,Step,Value\n" + string.Concat(rows.Select(r =>
            FormattableString.Invariant($"{1559699797.5 + 60 * r.Step},{r.Step},{r.Value}\n"))));
        return path;
    }

    static string Mappings(TrainingLog log) => string.Join(", ", log.Columns.Select(c => c.ToString()));

    [Fact]
    public void TheHeaderIsRecognizedWhateverTheFileIsCalled()
    {
        var dir = TestData.TempDir("tbcsv-detect");
        var path = Export(dir, "downloaded.txt", 0.5, 0.6);
        Assert.Equal("tensorboard-csv", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var plain = Path.Combine(dir, "plain.csv");
        File.WriteAllText(plain, "step,value\n0,0.5\n1,0.6\n");
        Assert.Equal(0, new TensorBoardCsvReader().Recognize(LogSample.Of(plain)));
        Assert.True(TensorBoardCsvReader.IsExport(path));
        Assert.False(TensorBoardCsvReader.IsExport(plain));
    }

    [Fact]
    public void OneFileIsOneSeriesNamedByItsTagAndResolvedByTheSharedRoles()
    {
        var dir = TestData.TempDir("tbcsv-one");
        var path = Export(dir, "run-.-tag-epoch_val_accuracy.csv", 0.50, 0.61, 0.66);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal("tensorboard-csv", log.Reader);
        Assert.Equal("val_acc ← epoch_val_accuracy", Mappings(log));
        Assert.Equal(new[] { 0, 1, 2 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal(0.61, log.Epochs[1].ValAccuracy!.Value, 9);
        Assert.Contains(log.Notes, n => n.Contains("epoch_* tags"));
    }

    [Fact]
    public void AFileNameWithoutTheTagNamesTheSeriesAndMapNamesItsRole()
    {
        var dir = TestData.TempDir("tbcsv-notag");
        var path = Export(dir, "accuracy-export.csv", 0.50, 0.61, 0.66);
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains("does not say its tag", e.Message);
        Assert.Contains("--map val_acc=accuracy-export", e.Message);
        var options = new ReadOptions { Map = new Dictionary<string, string> { ["val_acc"] = "accuracy-export" } };
        var log = Assert.Single(LogReader.Read(path, options));
        Assert.Equal("val_acc ← accuracy-export (--map)", Mappings(log));
        Assert.Contains(log.Notes, n => n.Contains("named after the file"));
        // a file renamed after its tag is read by that name
        var renamed = Export(dir, "val_loss.csv", 2.5, 2.1);
        Assert.Equal("val_loss ← val_loss", Mappings(Assert.Single(LogReader.Read(renamed))));
    }

    [Fact]
    public void KerasTrainAndValidationExportsOfAFolderAreOneRunAlignedByStep()
    {
        var dir = TestData.TempDir("tbcsv-keras");
        Export(dir, "run-train-tag-epoch_loss.csv", 1.2, 0.9, 0.7, 0.6);
        Export(dir, "run-train-tag-epoch_accuracy.csv", 0.55, 0.68, 0.75, 0.79);
        Export(dir, "run-validation-tag-epoch_loss.csv", 1.1, 0.95, 0.9, 0.92);
        // the validation accuracy of step 2 was not logged
        ExportAt(dir, "run-validation-tag-epoch_accuracy.csv", (0, 0.58), (1, 0.66), (3, 0.70));
        File.WriteAllText(Path.Combine(dir, "NOTES.md"), "what I changed\n");
        var log = Assert.Single(LogReader.Read(dir));
        Assert.Equal(Path.GetFileName(dir), log.Name);
        Assert.Equal("train_loss ← train/epoch_loss, train_acc ← train/epoch_accuracy, " +
                     "val_loss ← validation/epoch_loss, val_acc ← validation/epoch_accuracy", Mappings(log));
        Assert.Equal(new[] { 0, 1, 2, 3 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal((0.7, 0.75, 0.9), (log.Epochs[2].TrainLoss!.Value, log.Epochs[2].TrainAccuracy!.Value,
            log.Epochs[2].ValLoss!.Value));
        Assert.Null(log.Epochs[2].ValAccuracy);
        Assert.Equal(0.70, log.Epochs[3].ValAccuracy!.Value, 9);
        Assert.Contains(log.Notes, n => n.Contains("4 TensorBoard CSV exports aligned by Step"));
        var found = RunFolders.Scan(dir, new ReadOptions());
        Assert.Equal("tensorboard-csv, 4 exports read as one run", Assert.Single(found.Runs).What);
        Assert.Contains(found.Skipped, s => s.Path.EndsWith("NOTES.md", StringComparison.Ordinal));
    }

    [Fact]
    public void StepsWithGapsAreTrainingStepsAndTheReportSaysSo()
    {
        var dir = TestData.TempDir("tbcsv-steps");
        var path = ExportAt(dir, "run-resnet-tag-train_loss.csv", (100, 2.3), (200, 1.9), (300, 1.7), (400, 1.6));
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(new[] { 100, 200, 300, 400 }, log.Epochs.Select(e => e.Epoch));
        Assert.Contains(log.Notes, n => n.Contains("training step, not an epoch"));
    }

    [Fact]
    public void SeveralRunsInOneFolderAreOneLogEach()
    {
        var dir = TestData.TempDir("tbcsv-runs");
        Export(dir, "run-sgd_train-tag-epoch_loss.csv", 1.2, 0.9, 0.7);
        Export(dir, "run-sgd_validation-tag-epoch_loss.csv", 1.3, 1.0, 0.8);
        Export(dir, "run-adam_train-tag-epoch_loss.csv", 1.1, 0.8, 0.6);
        var logs = LogReader.Read(dir);
        Assert.Equal(new[] { $"{Path.GetFileName(dir)}: adam", $"{Path.GetFileName(dir)}: sgd" },
            logs.Select(l => l.Name));
        Assert.Equal("train_loss ← train/epoch_loss, val_loss ← validation/epoch_loss", Mappings(logs[1]));
    }

    [Fact]
    public void ABadRowIsAnErrorNamingTheFileAndLine()
    {
        var dir = TestData.TempDir("tbcsv-bad");
        var path = Path.Combine(dir, "run-.-tag-loss.csv");
        File.WriteAllText(path, "Wall time,Step,Value\n1559699797.2,0,2.5\n1559699857.2,1,oops\n");
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains($"{path}:3: Value 'oops' is not a number", e.Message);
        File.WriteAllText(path, "Wall time,Step,Value\n1559699797.2,0,2.5\n1559699857.2,1\n");
        e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains($"{path}:3: expected 3 fields", e.Message);
        File.WriteAllText(path, "Wall time,Step,Value\n1559699797.2,0.5,2.5\n");
        e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains($"{path}:2: Step '0.5' is not a whole number", e.Message);
        // in a folder, the bad export is skipped with its message; the folder's error names it
        e = Assert.Throws<RegimenException>(() => LogReader.Read(dir));
        Assert.Contains("Step '0.5' is not a whole number", e.Message);
    }

    [Fact]
    public void TheCorpusExportsReadAsAKerasRunOfTwoOutputs()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Corpus", "tensorboard-csv-imdb-wrn");
        var logs = LogReader.Read(folder);
        Assert.Equal(2, logs.Count);                                     // one per output: pred_age, pred_gender
        var log = logs[1];
        Assert.Equal(30, log.Epochs.Count);
        Assert.Equal("train_loss ← pred_gender_loss, train_acc ← pred_gender_acc, val_loss ← val_pred_gender_loss, " +
            "val_acc ← val_pred_gender_acc, lr ← lr", Mappings(log).Replace(" (output pred_gender)", ""));
        Assert.Contains("val_acc ← val_pred_gender_acc (output pred_gender)", Mappings(log));
        Assert.Equal(0.004000000189989805, log.Epochs[15].LearningRate!.Value, 12);
        Assert.Contains("val_loss", log.OtherSeries.Keys);              // the outputs' losses summed
    }
}
