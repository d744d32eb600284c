using System.Text.Json;
using System.Text.Json.Nodes;
using Regimen.Analysis;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>Jupyter notebooks: the code cells' outputs read as a console, tables and fastai's HTML show them.
/// </summary>
public class NotebookReaderTests
{
    /// <summary>A code cell with the given outputs (stream text as a list of lines, as nbformat stores it).</summary>
    static JsonObject Code(int? count, params JsonObject[] outputs) => new()
    {
        ["cell_type"] = "code", ["execution_count"] = count, ["metadata"] = new JsonObject(),
        ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()), ["source"] = new JsonArray(),
    };

    static JsonObject Markdown(string text) => new()
    {
        ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = new JsonArray(text),
    };

    static JsonArray Lines(string text)
    {
        var lines = text.Split('\n');
        return new(lines.Select((l, i) => i < lines.Length - 1 ? l + "\n" : l).Where(l => l.Length > 0)
            .Select(l => (JsonNode)l).ToArray());
    }

    static JsonObject Stream(string text, string name = "stdout") =>
        new() { ["name"] = name, ["output_type"] = "stream", ["text"] = Lines(text) };

    static JsonObject Display(string type, string? html, string plain) => new()
    {
        ["output_type"] = type, ["metadata"] = new JsonObject(),
        ["data"] = html is null ? new JsonObject { ["text/plain"] = Lines(plain) }
            : new JsonObject { ["text/html"] = Lines(html), ["text/plain"] = Lines(plain) },
    };

    /// <summary>A displayed HTML table as Jupyter saves it: its HTML and a plain-text stand-in.</summary>
    static JsonObject HtmlDisplay(string html) => Display("display_data", html, "<IPython.core.display.HTML object>");

    static string Write(string name, params JsonObject[] cells)
    {
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)c).ToArray()),
            ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(TestData.TempDir("notebooks"), name);
        File.WriteAllText(path, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    // An excerpt of a real notebook: fchollet/deep-learning-with-python-notebooks,
    // first_edition/3.5-classifying-movie-reviews.ipynb (commit 27f60b0, MIT licence): the fit cell's output,
    // Keras 2's verbose=1 as the notebook saved it, and the next cell's result.
    static readonly string[] ImdbEpochs =
    {
        "0.5103 0.7911 0.4016 0.8628", "0.3110 0.9031 0.3085 0.8870", "0.2309 0.9235 0.2803 0.8908",
        "0.1795 0.9428 0.2735 0.8893",
        "0.1475 0.9526 0.2788 0.8890", "0.1185 0.9638 0.3330 0.8764", "0.1005 0.9703 0.3055 0.8838",
        "0.0818 0.9773 0.3344 0.8769",
        "0.0696 0.9814 0.3607 0.8800", "0.0547 0.9873 0.3776 0.8785", "0.0453 0.9895 0.4035 0.8765",
        "0.0353 0.9930 0.4437 0.8766",
        "0.0269 0.9956 0.4637 0.8747", "0.0212 0.9968 0.4877 0.8714", "0.0162 0.9977 0.6080 0.8625",
        "0.0115 0.9993 0.5778 0.8698",
        "0.0116 0.9979 0.5906 0.8702", "0.0054 0.9998 0.6204 0.8639", "0.0083 0.9984 0.6419 0.8676",
        "0.0031 0.9998 0.6796 0.8683",
    };

    static readonly string ImdbFit = "Train on 15000 samples, validate on 10000 samples\n" + string.Concat(
        ImdbEpochs.Select((e, i) => e.Split(' ') is var v ? $"Epoch {i + 1}/20\n15000/15000 [" + new string('=', 30) +
            $"] - 1s - loss: {v[0]} - acc: {v[1]} - val_loss: {v[2]} - val_acc: {v[3]}\n" : ""));

    [Fact]
    public void ARealKerasNotebookIsReadFromItsFitCellAndItsOverfittingFound()
    {
        var path = Write("3.5-classifying-movie-reviews.ipynb", Markdown("# Classifying movie reviews"),
            Code(30), Code(33, Stream(ImdbFit)),
            Code(34, Display("execute_result", null, "dict_keys(['val_acc', 'acc', 'val_loss', 'loss'])")));
        Assert.Equal("notebook", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(("notebook", 20), (log.Reader, log.Epochs.Count));
        Assert.Equal((0.5103, 0.7911), (log.Epochs[0].TrainLoss!.Value, log.Epochs[0].TrainAccuracy!.Value));
        Assert.Equal((0.6796, 0.8683), (log.Epochs[19].ValLoss!.Value, log.Epochs[19].ValAccuracy!.Value));
        Assert.Contains(log.Notes,
            n => n.Contains("outputs of code cell 3 (In [33]) (of 4 cells), by the text reader"));
        Assert.Contains(log.Notes, n => n.Contains("20 epochs on cell 3 (In [33]) line 2 to cell 3 (In [33])"));
        Assert.Contains(Analyst.Analyze(log).Findings, f => f.Kind == "overfitting");
    }

    /// <summary>Keras' verbose=1 bar as the kernel writes it (each redraw erases the last with backspaces and a
    /// carriage return), stream text split mid-line across outputs, two fit calls in two cells, an evaluate cell.
    /// </summary>
    [Fact]
    public void ProgressBarsRedrawnWithBackspacesCountByTheirLastStateAndTwoFitsOfOneModelAreOneTraining()
    {
        static string Bar(int epoch, double loss, double acc, double valLoss, double valAcc)
        {
            var first = $"  32/1875 [..............................] - ETA: 1:02 - loss: 2.3{epoch} - accuracy: 0.10";
            var last = $"1875/1875 [==============================] - 4s 2ms/step - loss: {loss:F4} - accuracy: " +
                $"{acc:F4} - val_loss: {valLoss:F4} - val_accuracy: {valAcc:F4}";
            return $"Epoch {epoch}/3\n" + first + new string('\b', first.Length) + "\r" + last + "\n";
        }
        var fit1 = Bar(1, 0.50, 0.82, 0.45, 0.84) + Bar(2, 0.40, 0.86, 0.41, 0.85) + Bar(3, 0.35, 0.88, 0.40, 0.86);
        var fit2 = Bar(1, 0.30, 0.89, 0.38, 0.87) + Bar(2, 0.28, 0.90, 0.37, 0.875) + Bar(3, 0.26, 0.91, 0.37, 0.88);
        int cut = fit1.IndexOf("val_loss", StringComparison.Ordinal);
        var cells = new[]
        {
            Code(1, Stream("Model: \"sequential\"\nTotal params: 101,770\n")),
            // one string, cut mid-line into two outputs, as a kernel flushing its buffer does
            Code(2, new JsonObject { ["name"] = "stdout", ["output_type"] = "stream", ["text"] = fit1[..cut] },
                new JsonObject { ["name"] = "stdout", ["output_type"] = "stream", ["text"] = fit1[cut..] },
                Display("execute_result", null, "<keras.callbacks.History at 0x7f>")),
            Code(3, Stream(fit2)),
            Code(4, Stream("313/313 [" + new string('=', 30) + "] - 1s 2ms/step - loss: 0.3712 - accuracy: 0.8801\n"),
                Display("execute_result", null, "[0.3712, 0.8801]")),
        };
        // The second fit goes on from where the first stopped (the same model): one training in two parts.
        var log = Assert.Single(LogReader.Read(Write("mnist.ipynb", cells)));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, log.Epochs.Select(e => e.Epoch));
        Assert.Equal((0.50, 0.84), (log.Epochs[0].TrainLoss!.Value, log.Epochs[0].ValAccuracy!.Value));
        Assert.Equal((0.26, 0.88), (log.Epochs[5].TrainLoss!.Value, log.Epochs[5].ValAccuracy!.Value));
        Assert.Equal(4, Assert.Single(log.Events, e => e.Key == "stage").Epoch);
        Assert.Contains(log.Notes, n => n.Contains("code cells 2 (In [2]), 3 (In [3]) (of 4 cells)"));
    }

    [Theory]
    [InlineData("157/157 - 1s - loss: 2.1033 - accuracy: 0.6555 - 1s/epoch - 7ms/step\n", 2.1033, 0.6555)]
    [InlineData("Test loss: 2.1033\nTest accuracy: 65.55\n", 2.1033, 0.6555)]
    public void AnEvaluationAfterAFitWithoutValidationIsItsLastEpochsHeldOutScore(string output, double loss,
        double accuracy)
    {
        var fit = string.Concat(Enumerable.Range(1, 4).Select(e =>
            $"Epoch {e}/4\n782/782 - 22s - loss: {1.5 - 0.3 * e:F4} - accuracy: {0.5 + 0.1 * e:F4}\n"));
        var log = Assert.Single(LogReader.Read(Write("trainonly.ipynb", Code(9, Stream(fit)),
            Code(10, Stream(output)), Code(11, Stream("saved\n")))));
        Assert.Equal(4, log.Epochs.Count);
        Assert.Null(log.Epochs[2].ValAccuracy);
        Assert.Equal((loss, accuracy), (log.Epochs[3].ValLoss!.Value, Math.Round(log.Epochs[3].ValAccuracy!.Value, 6)));
        Assert.Contains(log.Columns, c => c.ToString() == "val_acc ← cell 2 (In [10])'s evaluation");
        Assert.Contains(log.Notes, n => n.Contains("the evaluation printed by cell 2 (In [10]) after it"));
        Assert.DoesNotContain("val_acc", log.NotFound);
    }

    static string FastaiTable(params string[] rows) =>
        "<table border=\"1\" class=\"dataframe\">\n  <thead>\n    <tr style=\"text-align: left;\">\n" +
        "      <th>epoch</th>\n      <th>train_loss</th>\n      <th>valid_loss</th>\n      <th>error_rate</th>\n" +
        "      <th>time</th>\n    </tr>\n  </thead>\n  <tbody>\n" +
        string.Concat(rows.Select(r => "    <tr>\n" + string.Concat(r.Split(' ').Select(c => $"      <td>{c}</td>\n")) +
            "    </tr>\n")) + "  </tbody>\n</table>";

    [Fact]
    public void FastaisHtmlTablesAreItsEpochsAndFineTunesTwoTablesTwoRuns()
    {
        var path = Write("pets.ipynb", Code(5,
            Stream("Downloading: \"https://download.pytorch.org/models/resnet34-333f7ec4.pth\"\n", "stderr"),
            HtmlDisplay(FastaiTable("0 0.169390 0.021388 0.005413 00:14")),
            HtmlDisplay(FastaiTable("0 0.058748 0.011206 0.004060 00:19",
                "1 0.031200 0.009100 0.002706 00:19", "2 0.020100 0.008800 0.002706 01:02"))));
        var logs = LogReader.Read(path);
        Assert.Equal(2, logs.Count);
        var run = logs[1];
        Assert.Equal(("notebook", "fastai", 3), (run.Reader, run.Format, run.Epochs.Count));
        Assert.Equal(1 - 0.002706, run.Epochs[2].ValAccuracy!.Value, 6);
        Assert.Equal((0.0312, 62.0), (run.Epochs[1].TrainLoss!.Value, run.Epochs[2].EpochSeconds!.Value));
        Assert.Contains(run.Notes, n => n.Contains("code cell 1 (In [5]) (of 1 cell), by the console-table reader"));
    }

    [Fact]
    public void AFastaiNotebookExportedToMarkdownIsReadFromItsHtmlTables()
    {
        var path = Path.Combine(TestData.TempDir("notebooks"), "index.md");
        File.WriteAllText(path, "# Tabular\n\n```python\nlearn.fit_one_cycle(3)\n```\n\n\n" +
            FastaiTable("0 0.170135 0.146895 0.763000 00:03", "1 0.137417 0.132686 0.763000 00:03",
                "2 0.135086 0.125255 0.763000 00:03") + "\n\nThe model is saved.\n");
        Assert.Equal("html-table", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(("html-table", "fastai", 3), (log.Reader, log.Format, log.Epochs.Count));
        Assert.Equal(1 - 0.763, log.Epochs[1].ValAccuracy!.Value, 6);
    }

    [Fact]
    public void APandasHistoryTableCountsItsIndexAsTheEpochAndATableOfNamesIsNoLog()
    {
        const string History = "<table border=\"1\" class=\"dataframe\">\n<thead>\n<tr style=\"text-align: right;\">" +
            "<th></th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th></tr>\n</thead>\n<tbody>" +
            "<tr><th>0</th><td>0.61</td><td>0.70</td><td>0.55</td><td>0.74</td></tr>\n" +
            "<tr><th>1</th><td>0.45</td><td>0.80</td><td>0.47</td><td>0.79</td></tr>\n</tbody>\n</table>";
        const string Results = "<table class=\"dataframe\"><thead><tr><th></th><th>model</th><th>accuracy</th>" +
            "</tr></thead><tbody><tr><th>0</th><td>resnet18</td><td>0.91</td></tr>" +
            "<tr><th>1</th><td>vgg16</td><td>0.89</td></tr></tbody></table>";
        var log = Assert.Single(LogReader.Read(Write("history.ipynb",
            Code(3, Display("execute_result", Results, "      model  accuracy\n0  resnet18  0.91")),
            Code(4, Display("execute_result", History, "   loss  accuracy  val_loss  val_accuracy")))));
        Assert.Equal(2, log.Epochs.Count);
        Assert.Equal((0.45, 0.79), (log.Epochs[1].TrainLoss!.Value, log.Epochs[1].ValAccuracy!.Value));
        Assert.Contains(log.Notes, n => n.Contains("code cell 2 (In [4])"));
    }

    [Fact]
    public void HuggingFaceTrainersHtmlTableIsReadWithItsAccuracyAsValidation()
    {
        const string Html = "<div>\n<progress value='939' max='939'></progress>\n [939/939 03:12, Epoch 3/3]\n" +
            "</div>\n<table border=\"1\" class=\"dataframe\">\n  <thead>\n <tr style=\"text-align: left;\">\n" +
            "      <th>Epoch</th>\n      <th>Training Loss</th>\n      <th>Validation Loss</th>\n" +
            "      <th>Accuracy</th>\n    </tr>\n  </thead>\n  <tbody>\n" +
            "    <tr>\n      <td>1</td>\n      <td>No log</td>\n      <td>0.412000</td>\n      <td>0.861000</td>\n" +
            "    </tr>\n    <tr>\n      <td>2</td>\n      <td>0.352100</td>\n      <td>0.398000</td>\n" +
            "      <td>0.874000</td>\n    </tr>\n  </tbody>\n</table><p>";
        var log = Assert.Single(LogReader.Read(Write("hf.ipynb",
            Code(9, HtmlDisplay(Html)))));
        Assert.Equal(2, log.Epochs.Count);
        Assert.Null(log.Epochs[0].TrainLoss);                                 // "No log"
        Assert.Equal((0.3521, 0.874), (log.Epochs[1].TrainLoss!.Value, log.Epochs[1].ValAccuracy!.Value));
        Assert.Equal(0.412, log.Epochs[0].ValLoss!.Value, 6);
    }

    [Fact]
    public void AHuggingFaceTableOfEvaluationStepsIsReadStepByStep()
    {
        const string Html = "<table border=\"1\" class=\"dataframe\">\n<thead>\n<tr style=\"text-align: left;\">" +
            "<th>Step</th><th>Training Loss</th><th>Validation Loss</th><th>Accuracy</th></tr>\n</thead>\n<tbody>" +
            "<tr><td>500</td><td>0.690000</td><td>0.520000</td><td>0.780000</td></tr>\n" +
            "<tr><td>1000</td><td>0.480000</td><td>0.450000</td><td>0.820000</td></tr>\n" +
            "<tr><td>1500</td><td>0.410000</td><td>0.440000</td><td>0.830000</td></tr>\n</tbody>\n</table>";
        var log = Assert.Single(LogReader.Read(Write("steps.ipynb",
            Code(12, HtmlDisplay(Html)))));
        Assert.Equal(3, log.Epochs.Count);
        Assert.Equal((0.41, 0.83), (log.Epochs[2].TrainLoss!.Value, log.Epochs[2].ValAccuracy!.Value));
        Assert.Contains(log.Columns, c => c.Role == "step");
    }

    [Fact]
    public void TqdmBarsOnStandardErrorAndPrintsOnStandardOutputAreOneLog()
    {
        var cells = Code(7,
            Stream("Epoch 1/2\n", "stdout"),
            Stream("100%|\u2588\u2588\u2588\u2588| 50/391 [00:02<00:10]\r100%|\u2588\u2588\u2588\u2588| 391/391 " +
                "[00:12<00:00, 31.2it/s]\n", "stderr"),
            Stream("train loss: 0.912 acc: 0.671\nval loss: 0.801 acc: 0.712\nEpoch 2/2\n", "stdout"),
            Stream("100%|\u2588\u2588\u2588\u2588| 391/391 [00:12<00:00, 31.0it/s]\n", "stderr"),
            Stream("train loss: 0.702 acc: 0.751\nval loss: 0.689 acc: 0.760\n", "stdout"));
        var log = Assert.Single(LogReader.Read(Write("loop.ipynb", cells)));
        Assert.Equal(2, log.Epochs.Count);
        Assert.Equal((0.702, 0.751), (log.Epochs[1].TrainLoss!.Value, log.Epochs[1].TrainAccuracy!.Value));
        Assert.Equal((0.801, 0.712), (log.Epochs[0].ValLoss!.Value, log.Epochs[0].ValAccuracy!.Value));
    }

    [Fact]
    public void ANotebookIsKnownByItsContentAndOneWithoutATrainingLogSaysWhereItLooked()
    {
        var path = Write("analysis.json", Markdown("# Data"), Code(1, Stream("7553 images loaded\n")),
            Code(2, Display("execute_result", null, "(7553, 100, 100, 3)")));
        Assert.Equal("notebook", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(path));
        Assert.Contains("no cell output of this notebook (2 code cells with output, of 3 cells) is a training log",
            e.Message);
        var other = Path.Combine(TestData.TempDir("notebooks"), "cells.json");
        File.WriteAllText(other, "{\"cells\": [1, 2, 3]}");
        Assert.Equal(0, new NotebookReader().Recognize(LogSample.Of(other)));
    }

    [Theory]
    [InlineData("a\rb\n", new[] { "b" })]
    [InlineData("12%\b\b\b100%\nnext", new[] { "100%", "next" })]
    [InlineData("loss: 0.5\r   \n", new[] { "loss: 0.5" })]          // a blank redraw does not erase the line
    [InlineData("done\b\b\b\b\n", new[] { "done" })]                  // erased and never redrawn: its last state
    public void ConsoleLinesKeepEachLinesLastNonBlankState(string text, string[] expected) =>
        Assert.Equal(expected, NotebookReader.ConsoleLines(text));
}
