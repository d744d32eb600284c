using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>fastai's console tables (a table printed with spaces), pasted in a Markdown file.</summary>
public class ConsoleTableReaderTests
{
    const string FineTune = "### Training\n\n```txt\nepoch     train_loss  valid_loss  error_rate  time    \n" +
        "0         1.049577    0.328317    0.070312    00:06     \n" +
        "epoch     train_loss  valid_loss  error_rate  time    \n" +
        "0         0.361420    0.241619    0.050781    00:08     \n" +
        "1         0.240842    #na#        0.062500    00:08\n" +
        "2         0.184921    0.221268    0.042969    01:02     \nSaving model\n```\n";

    [Fact]
    public void FastaiFineTuneTablesAreTwoRunsWithValidationAccuracyFromTheErrorRate()
    {
        var dir = TestData.TempDir("console-table");
        var path = Path.Combine(dir, "lesson.md");
        File.WriteAllText(path, FineTune);
        Assert.Equal("console-table", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var logs = LogReader.Read(path);
        Assert.Equal(2, logs.Count);                                     // one run per table: fine_tune's 2 phases
        var run = logs[1];
        Assert.Equal(("fastai", 3), (run.Format, run.Epochs.Count));
        Assert.Equal(1 - 0.042969, run.Epochs[2].ValAccuracy!.Value, 6); // error_rate is the validation error
        Assert.Null(run.Epochs[1].ValLoss);                              // #na#
        Assert.Equal((0.240842, 62.0), (run.Epochs[1].TrainLoss!.Value, run.Epochs[2].EpochSeconds!.Value));
        Assert.Null(run.Epochs[0].TrainAccuracy);
    }

    [Fact]
    public void AHeaderWithoutRowsOfNumbersIsNotATable()
    {
        var dir = TestData.TempDir("console-table");
        var path = Path.Combine(dir, "notes.txt");
        File.WriteAllText(path, "epoch train_loss valid_loss\nthe loss went down, the valid loss too\n");
        Assert.Equal(0, new ConsoleTableReader().Recognize(LogSample.Of(path)));
        var e = Assert.Throws<RegimenException>(() => new ConsoleTableReader().Read(path, new ReadOptions()));
        Assert.Contains("no table printed with spaces", e.Message);
    }

    [Fact]
    public void ANameOfTwoWordsIsOneColumnWhereColumnsAreApartByTwoSpaces()
    {
        var path = TestData.WriteTemp("console-table", "training_log.txt", "Experiment 1\n\n" +
            "Epoch    Loss      Validation Accuracy\n1        0.6359    0.7056\n2        0.5212    0.7498\n\n" +
            "Experiment 2\n\nEpoch    Loss      Validation Accuracy\n1        0.6100    0.7100\n");
        Assert.Equal("console-table", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var logs = LogReader.Read(path);
        Assert.Equal(new[] { 2, 1 }, logs.Select(l => l.Epochs.Count));
        Assert.Equal((0.5212, 0.7498), (logs[0].Epochs[1].TrainLoss!.Value, logs[0].Epochs[1].ValAccuracy!.Value));
    }
}
