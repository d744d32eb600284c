using System.Text.Json;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using Regimen.Training;
using TorchSharp;

namespace Regimen.Tests;

/// <summary>
/// <c>regimen analyze</c> on a folder of runs (issue 21 item 9): each run analyzed once, named after its run, the
/// TensorBoard files of one run together, a resumed run once; it says which runs it found and what it skipped.
/// </summary>
public class RunFolderAnalysisTests
{
    static readonly Lazy<string> data = new(() =>
        TestData.WriteIdxDataset(TestData.TempDir("runfolder-data"), trainCount: 64, testCount: 20));

    /// <summary>Asks for a stop, as Ctrl-C would, after the first batch of an epoch.</summary>
    sealed class StopAt(StopRequest stop, int epoch) : TrainingCallback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Batch == 1) stop.Request("interrupted by the test");
        }
    }

    static TrainingOutcome Train(string dir, int epochs, StopRequest? stop = null, int stopAt = 0) =>
        TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs), "tiny.yaml"), OutputDirectory = dir,
            DataDirectory = data.Value, Stop = stop,
            Callbacks = stop is null ? Array.Empty<TrainingCallback>() : new[] { new StopAt(stop, stopAt) },
        });

    [Fact]
    public void AFolderOfRegimenRunsIsAnalyzedRunByRunAndAResumedRunOnce()
    {
        var runs = TestData.TempDir("runfolder-regimen");
        Train(Path.Combine(runs, "short"), epochs: 2);
        var stop = new StopRequest();
        Assert.True(Train(Path.Combine(runs, "resumed"), epochs: 3, stop, stopAt: 1).Interrupted);
        var resumed = TrainingRunner.Resume(Path.Combine(runs, "resumed"), data.Value, Array.Empty<TrainingCallback>());
        Assert.Equal("completed", resumed.Summary.Status);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(runs, "resumed", "tensorboard"), "*tfevents*"));

        var (code, output) = CliTests.Run("analyze", runs);
        Assert.True(code == 0, output);
        Assert.Contains("a folder of runs, 2 runs found, 2 paths skipped", output);
        Assert.Contains("resumed: Regimen run, resumed once, 3 epochs", output);
        Assert.Contains("short: Regimen run, 2 epochs", output);
        Assert.Contains("skipped resumed/tensorboard: the run's TensorBoard copy of its metrics.csv", output);
        // One section per run, titled by the run; none titled "tensorboard", the resumed run not twice.
        Assert.Single(Sections(output, "resumed (regimen, 3 epochs)"));
        Assert.Single(Sections(output, "short (regimen, 2 epochs)"));
        Assert.DoesNotContain("tensorboard (", output);

        (code, output) = CliTests.Run("analyze", runs, "--json");
        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(output[output.IndexOf('[')..(output.LastIndexOf(']') + 1)]);
        var found = json.RootElement.EnumerateArray()
            .Select(a => (a.GetProperty("run").GetString() ?? "", a.GetProperty("epochs").GetInt32())).ToList();
        Assert.Equal(new[] { ("resumed", 3), ("short", 2) }, found);
    }

    static IEnumerable<string> Sections(string output, string title) =>
        output.Split('\n').Where(l => l.Contains(title, StringComparison.Ordinal) && l.Contains('─'));

    /// <summary>TensorBoard scalars as TorchSharp's SummaryWriter writes them, one file per writer, renamed so that
    /// two writers of one run have the distinct names two real ones get.</summary>
    static void WriteEvents(string dir, string name, IEnumerable<int> steps,
        params (string Tag, Func<int, float> Value)[] tags)
    {
        var scratch = TestData.TempDir("runfolder-tb-scratch");
        var writer = torch.utils.tensorboard.SummaryWriter(scratch, createRunName: false);
        foreach (int step in steps)
            foreach (var (tag, value) in tags) writer.add_scalar(tag, value(step), step);
        Directory.CreateDirectory(dir);
        File.Copy(Directory.GetFiles(scratch, "*tfevents*").Single(), Path.Combine(dir, name));
    }

    static readonly (string, Func<int, float>)[] Scalars =
    {
        ("train/loss", e => 2.0f - 0.2f * e), ("train/acc", e => 0.3f + 0.08f * e),
        ("val/loss", e => 2.1f - 0.15f * e), ("val/acc", e => 0.28f + 0.07f * e),
    };

    static string TensorBoardRuns(string root)
    {
        // A run resumed once: a second event file beside the first, which repeats the step it resumed at.
        var resnet = Path.Combine(root, "resnet");
        WriteEvents(resnet, "events.out.tfevents.1700000000.host.1", Enumerable.Range(0, 4), Scalars);
        WriteEvents(resnet, "events.out.tfevents.1700003600.host.1", Enumerable.Range(3, 3), Scalars);
        // Keras: train/ and validation/ files of one run, the same tags in each.
        WriteEvents(Path.Combine(root, "keras", "train"), "events.out.tfevents.1700000000.host.2",
            Enumerable.Range(0, 5), ("epoch_loss", e => 1.5f - 0.2f * e), ("epoch_accuracy", e => 0.5f + 0.09f * e));
        WriteEvents(Path.Combine(root, "keras", "validation"), "events.out.tfevents.1700000001.host.2",
            Enumerable.Range(0, 5), ("epoch_loss", e => 1.6f - 0.1f * e), ("epoch_accuracy", e => 0.48f + 0.05f * e));
        return root;
    }

    [Fact]
    public void TheTensorBoardFilesOfOneRunAreReadTogether()
    {
        var root = TensorBoardRuns(TestData.TempDir("runfolder-tb"));
        var folder = RunFolders.Scan(root, new ReadOptions());
        Assert.Equal(new[] { "keras", "resnet" }, folder.Runs.Select(r => r.Name));
        Assert.Empty(folder.Skipped);
        var resnet = Assert.Single(folder.Runs[1].Logs);
        Assert.Equal("TensorBoard, 2 event files read as one run", folder.Runs[1].What);
        Assert.Equal(6, resnet.Epochs.Count);   // steps 0-5, step 3 once
        Assert.Equal(0.28f + 0.07f * 5, (float)resnet.Epochs[5].ValAccuracy!.Value, 5);
        // Training and validation series in one log: no section says the run lacks what another section has.
        var keras = Assert.Single(folder.Runs[0].Logs);
        Assert.All(keras.Epochs, e => Assert.True(e.TrainAccuracy is not null && e.ValAccuracy is not null));
        Assert.Equal(0.48f + 0.05f * 4, (float)keras.Epochs[4].ValAccuracy!.Value, 5);
        Assert.Equal(0.5f + 0.09f * 4, (float)keras.Epochs[4].TrainAccuracy!.Value, 5);
        // LogReader reads the folder the same way: two logs, not four.
        Assert.Equal(new[] { "keras", "resnet" }, LogReader.Read(root).Select(l => l.Name));
    }

    [Fact]
    public void AMixedFolderNamesEachRunAndSaysWhatItSkippedAndWhy()
    {
        var root = TestData.TempDir("runfolder-mixed");
        var regimen = Path.Combine(root, "regimen", "seed001");
        Directory.CreateDirectory(regimen);
        foreach (var file in Directory.GetFiles(AnalystTests.Fixture("seed001-fixres-v1")))
            File.Copy(file, Path.Combine(regimen, Path.GetFileName(file)));
        TensorBoardRuns(Path.Combine(root, "tb"));
        var yolo = Path.Combine(root, "yolo", "train");
        Directory.CreateDirectory(Path.Combine(yolo, "weights"));
        File.WriteAllText(Path.Combine(yolo, "results.csv"), "epoch,train/loss,metrics/accuracy_top1,val/loss\n" +
            string.Concat(Enumerable.Range(0, 6).Select(e => FormattableString.Invariant(
                $"{e},{1.2 - 0.1 * e:0.000},{0.5 + 0.05 * e:0.000},{1.3 - 0.08 * e:0.000}\n"))));
        File.WriteAllText(Path.Combine(yolo, "weights", "best.pt"), "not read: the run's results.csv is");
        File.WriteAllText(Path.Combine(root, "keras.csv"), "epoch,accuracy,loss,val_accuracy,val_loss\n" +
            string.Concat(Enumerable.Range(0, 6).Select(e => FormattableString.Invariant(
                $"{e},{0.5 + 0.06 * e:0.00},{1.2 - 0.1 * e:0.00},{0.48 + 0.05 * e:0.00},{1.25 - 0.08 * e:0.00}\n"))));
        File.WriteAllText(Path.Combine(root, "NOTES.md"), "Runs of last week.\n\nNothing to read here.\n");
        File.WriteAllText(Path.Combine(root, "empty.log"), "");
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, ".git", "HEAD"), "ref: refs/heads/main\n");

        var folder = RunFolders.Scan(root, new ReadOptions());
        Assert.Equal(new[] { "keras.csv", "regimen/seed001", "tb/keras", "tb/resnet", "yolo/train" },
            folder.Runs.Select(r => r.Name));
        Assert.Equal("Regimen run", folder.Runs[1].What);
        Assert.Equal("results.csv (csv)", folder.Runs[4].What);
        Assert.Equal(new[] { ("NOTES.md", "no reader recognizes it as a training log"), ("empty.log", "empty") },
            folder.Skipped.Select(s => (s.Path, s.Why)));
        Assert.Equal(folder.Runs.Select(r => r.Name), folder.Runs.SelectMany(r => r.Logs).Select(l => l.Name));

        var markdown = Path.Combine(TestData.TempDir("runfolder-md"), "report.md");
        var (code, output) = CliTests.Run("analyze", root, "--markdown", markdown);
        Assert.True(code == 0, output);
        Assert.Contains("a folder of runs, 5 runs found, 2 paths skipped", output);
        Assert.Contains("skipped NOTES.md: no reader recognizes it as a training log", output);
        var report = File.ReadAllText(markdown);
        Assert.Contains("- yolo/train: results.csv (csv), 6 epochs", report);
        foreach (var run in folder.Runs) Assert.Single(report.Split('\n'), l => l == $"# Analysis: {run.Name}");
    }
}
