using System.Net;
using Regimen.Analysis;
using Regimen.Data;
using Regimen.Recipes;
using Regimen.Reports;
using Regimen.Runs;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using Regimen.Training;
using Spectre.Console;

namespace Regimen.Tests;

/// <summary>
/// Honest numbers: the checkpoint and the early stop are chosen on a validation split held out of the training
/// images (stratified, seeded), and the test split is scored once, at the end, for the final and the best weights.
/// </summary>
public class ValidationSplitTests
{
    [Fact]
    public void TheHoldoutIsStratifiedSeededAndDisjointFromTraining()
    {
        // Three classes of 100, 50 and 20 images, interleaved.
        var labels = Enumerable.Range(0, 170).Select(i => (long)(i < 60 ? i % 3 : i < 120 ? i % 2 : 0))
            .ToArray();
        var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var (train, validation) = Splits.StratifiedHoldout(labels, 0.1, seed: 3);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, labels.Length).Select(i => (long)i), train.Concat(validation).Order());
        foreach (var (label, count) in counts)
            Assert.Equal((int)Math.Round(count * 0.1), validation.Count(i => labels[i] == label));
        Assert.Equal(validation, Splits.StratifiedHoldout(labels, 0.1, seed: 3).Validation);
        Assert.NotEqual(validation, Splits.StratifiedHoldout(labels, 0.1, seed: 4).Validation);
    }

    [Fact]
    public void TheDefaultAndBuiltinRecipesValidateOnAHoldout()
    {
        foreach (var builtin in BuiltinRecipes.All)
            Assert.True(Parse(builtin).Data.Validation == "holdout", builtin.Name);
        Assert.Equal("holdout", RecipeLoader.Parse("name: x\n", "x.yaml").Data.Validation);
        Assert.Equal(0.1, Parse(BuiltinRecipes.Find(BuiltinRecipes.DefaultName)!).Data.ValFraction);
    }

    [Fact]
    public void TheTestSplitIsScoredOnlyAtTheEnd()
    {
        // The same training images; two test splits, one with its labels shifted (a test-selected checkpoint
        // would differ). With a holdout the training, the validation and the checkpoint chosen are identical.
        var data = TestData.WriteIdxDataset(TestData.TempDir("honest-data"), trainCount: 200, testCount: 60);
        var shifted = TestData.TempDir("honest-data-shifted");
        foreach (var f in Directory.GetFiles(data)) File.Copy(f, Path.Combine(shifted, Path.GetFileName(f)));
        var labels = File.ReadAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte"))[8..];
        IdxReader.Write(Path.Combine(shifted, "t10k-labels-idx1-ubyte"), [labels.Length],
            labels.Select(l => (byte)((l + 3) % 10)).ToArray());
        var first = Train(data, "honest-a", "data.validation=holdout");
        var second = Train(shifted, "honest-b", "data.validation=holdout");

        Assert.Equal(TestData.MetricsWithoutTiming(first.Run), TestData.MetricsWithoutTiming(second.Run));
        Assert.Equal(first.Summary.BestEpoch, second.Summary.BestEpoch);
        Assert.Equal((180, 20, "holdout"), (first.Summary.TrainSize, first.Summary.ValidationSize,
            first.Summary.Validation));
        Assert.Null(first.Summary.Warnings);
        var (a, b) = (first.Summary.Test!, second.Summary.Test!);
        Assert.Equal((60, "validation", false), (a.Images, a.SelectedOn, a.Optimistic));
        Assert.Equal(first.Summary.EpochsCompleted - 1, a.Final!.Epoch);
        Assert.Equal(first.Summary.BestEpoch, a.Best!.Epoch);
        Assert.NotNull(a.Final.AccuracyTta);                       // the tiny recipe has flip TTA
        Assert.NotEqual(a.Final.Accuracy, b.Final!.Accuracy);     // the test splits differ, and only they

        var events = RunEvent.ReadAll(first.Run.EventsFile);
        Assert.Contains("180 training images, 20 validation images (held out of the training images), 60 test " +
                        "images (scored once, at the end)", events[0].Message);
        var test = Assert.Single(events, e => e.Kind == "test");
        Assert.Contains("test (60 images, scored once at the end): final (epoch 2)", test.Message);
        Assert.Contains($"best on validation (epoch {a.Best.Epoch})", test.Message);
        Assert.Equal("end", events[^1].Kind);

        // The reports carry the test scores with their labels: analyze (terminal, Markdown, HTML) and compare.
        var logs = new[] { first, second }.Select(o => Assert.Single(LogReader.Read(o.Run.Path))).ToList();
        var analysis = Analyst.Analyze(logs[0]);
        Assert.Equal(a, analysis.Test);
        var line = a.Describe();
        Assert.Contains(line, Terminal(console => AnalysisReport.Write(console, analysis, logs[..1])));
        Assert.Contains($"**{line}**", AnalysisReport.Markdown(analysis, logs[..1]));
        Assert.Contains($"<p id=\"test\"><b>{WebUtility.HtmlEncode(line)}</b></p>",
            HtmlReport.Analysis(analysis, logs[..1]));
        var comparison = RunComparison.Compare(logs);
        var table = Assert.Single(ComparisonReport.Tables(comparison), t => t.Id == "test");
        Assert.Equal(new[] { "run", "images", "final (epoch)", "best on validation (epoch)", "selected on" },
            table.Columns);
        Assert.Equal(new[] { logs[0].Name, "60", $"{a.Final.Describe()} ({a.Final.Epoch})",
            $"{a.Best.Describe()} ({a.Best.Epoch})", "validation" }, table.Rows[0]);
        Assert.Contains("Test split (scored once at the end; not part of the verdict)",
            ComparisonReport.Markdown(comparison));
        Assert.Contains("<table id=\"test\">", ComparisonReport.Html(comparison));
        Assert.DoesNotContain(comparison.Criteria, c => c.Name.Contains("test", StringComparison.Ordinal));
    }

    static string Terminal(Action<IAnsiConsole> write)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 300;
        write(console);
        return writer.ToString();
    }

    [Fact]
    public void ValidatingOnTheTestSplitIsSaidToBeOptimistic()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("honest-test-data"), trainCount: 100, testCount: 40);
        var outcome = Train(data, "honest-on-test", "data.validation=test", "epochs=1");
        var summary = RunSummary.Read(outcome.Run.SummaryFile)!;
        Assert.Equal("test", summary.Validation);
        Assert.Equal(TrainingSetup.TestSelectionWarning, Assert.Single(summary.Warnings!));
        Assert.Contains("optimistic", TrainingSetup.TestSelectionWarning);
        Assert.Equal(("test", true), (summary.Test!.SelectedOn, summary.Test.Optimistic));
        Assert.Contains("optimistic", summary.Test.Describe());
        Assert.Contains(RunEvent.ReadAll(outcome.Run.EventsFile),
            e => e.Kind == "warning" && e.Message == TrainingSetup.TestSelectionWarning);
        var analysis = Analyst.Analyze(Assert.Single(LogReader.Read(outcome.Run.Path)));
        Assert.Contains(TrainingSetup.TestSelectionWarning, analysis.Notes);
        Assert.Contains("optimistic", AnalysisReport.Markdown(analysis, Array.Empty<TrainingLog>()));
    }

    static Recipe Parse(BuiltinRecipe builtin) => RecipeLoader.Parse(builtin.Yaml, builtin.Name + ".yaml");

    static TrainingOutcome Train(string data, string name, params string[] overrides)
    {
        var recipe = RecipeLoader.Parse(TestData.TinyRecipe(epochs: 3), "tiny.yaml", overrides);
        return TrainingRunner.Start(new TrainingRequest
        {
            Recipe = recipe, OutputDirectory = TestData.TempDir(name), DataDirectory = data, Force = true,
        });
    }
}
