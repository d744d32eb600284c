namespace Regimen.Tests.Architecture;

public class ImportOrderTests
{
    static string Root => Repository.Root;

    [Fact]
    public void EverySourceFileImportsOnlyItsOwnAndEarlierStages()
    {
        var sources = ImportOrder.Read(Root, "src");
        Assert.True(sources.Count > 100, $"only {sources.Count} source files found under {Root}/src");
        var backward = ImportOrder.Check(sources);
        Assert.True(backward.Count == 0, "imports against the stage order (docs/architecture.md):\n" +
            string.Join("\n", backward));
    }

    [Fact]
    public void ABackwardImportFailsTheCheck()
    {
        const string runs =
            "namespace Regimen.Runs;\npublic static class RunRecorder { public static double Value() => 1; }\n";
        const string readers = "namespace Regimen.Runs.Readers;\npublic static class LogReader { }\n";
        const string trainer = """
            using Regimen.Models;
            using Regimen.Runs;
            using static Regimen.Analysis.Analyst;

            namespace Regimen.Training;

            // Regimen.Reports.Nothing in a comment is not an import, nor "Regimen.Sessions.X" in a string.
            public sealed class Trainer
            {
                double Monitor() => Runs.RunRecorder.Value() + Regimen.Evolve.Ledger.Count + Runs.Readers.Count;
                int Width(Setup setup) => setup.Runs.Count;
            }
            """;
        const string analyst = "namespace Regimen.Analysis;\npublic static class Analyst { }\n";
        const string ledger = "namespace Regimen.Evolve;\npublic static class Ledger { }\n";
        const string models = "namespace Regimen.Models;\nusing Regimen.Recipes;\npublic sealed class Net { }\n";
        var found = ImportOrder.Check(new[]
        {
            ("Runs.cs", runs), ("Readers.cs", readers), ("Trainer.cs", trainer), ("Analyst.cs", analyst),
            ("Ledger.cs", ledger), ("Net.cs", models),
        });
        Assert.Equal(new[]
        {
            "Trainer.cs:2: Training imports the later stage Runs (using Regimen.Runs)",
            "Trainer.cs:3: Training imports the later stage Analysis (using Regimen.Analysis.Analyst)",
            "Trainer.cs:10: Training imports the later stage Evolve (Regimen.Evolve)",
            "Trainer.cs:10: Training imports the later stage Runs (Runs.RunRecorder)",
            "Trainer.cs:10: Training imports the later stage Runs (Runs.Readers)",
        }, found.Select(f => f.ToString()).ToArray());
    }

    [Fact]
    public void TheCoreLibraryTakesNoTerminalOrChartLibrary()
    {
        var core = typeof(Regimen.Recipes.Recipe).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("TorchSharp", core);
        Assert.DoesNotContain(core, n => n.StartsWith("Spectre", StringComparison.Ordinal) ||
                                         n.StartsWith("ScottPlot", StringComparison.Ordinal) ||
                                         n.StartsWith("Regimen.Reports", StringComparison.Ordinal));
        Assert.Equal("Regimen.Reports", typeof(Regimen.Reports.HtmlReport).Assembly.GetName().Name);
    }

    [Fact]
    public void ANamespaceOutsideTheStagesIsReported()
    {
        var found = ImportOrder.Check(new[] { ("Plugins/X.cs", "namespace Regimen.Plugins;\nclass X { }\n") });
        Assert.Contains("no stage", Assert.Single(found).ToString());
    }

    [Fact]
    public void TheArchitectureDocumentListsTheStagesInTheCheckersOrder()
    {
        var doc = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        const string start = "Stages, earliest first:";
        int at = doc.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/architecture.md has no line starting '{start}'");
        var paragraph = doc[(at + start.Length)..].Split("\n\n")[0];
        var listed = paragraph.Split('→', '.').Select(s => s.Trim(' ', '`', '\n'))
            .Where(s => s.Length > 0).ToArray();
        Assert.Equal(ImportOrder.Stages, listed);
    }
}
