using Regimen.Analysis;
using Regimen.Analysis.Findings;
using Regimen.Analysis.Recommendations;

namespace Regimen.Tests;

/// <summary>
/// The registry of finding kinds is the one place kinds are spelled: docs, advice and detection follow it.
/// </summary>
public class FindingRegistryTests
{
    const string Begin =
        "<!-- generated from FindingRegistry.Documentation(): edit the kinds' classes, not this table -->";
    const string End = "<!-- end of generated tables -->";

    static string DocsFile => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..",
        "..", "docs", "analysis.md"));

    /// <summary>
    /// docs/analysis.md's tables of kinds and recommendations are the registry's own documentation lines. When a kind
    /// changes, run this test with REGIMEN_WRITE_DOCS=1 to rewrite the tables, and commit the result.
    /// </summary>
    [Fact]
    public void TheDocumentedTablesAreGeneratedFromTheRegistry()
    {
        var text = File.ReadAllText(DocsFile);
        int begin = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{DocsFile}: the markers of the generated tables are missing");
        string current = text[(begin + Begin.Length)..end].Trim();
        string generated = FindingRegistry.Documentation().Trim();
        if (current != generated && Environment.GetEnvironmentVariable("REGIMEN_WRITE_DOCS") == "1")
        {
            File.WriteAllText(DocsFile, text[..(begin + Begin.Length)] + "\n" + generated + "\n" + text[end..]);
            current = generated;
        }
        Assert.True(current == generated,
            $"{DocsFile} differs from the registry; rerun with REGIMEN_WRITE_DOCS=1 to regenerate. Expected:\n" +
                $"{generated}");
    }

    [Fact]
    public void KindsAndRecommendationsHaveUniqueNamesAndEveryRecommendationAnswersSomething()
    {
        Assert.Equal(FindingRegistry.All.Count, FindingRegistry.All.Select(k => k.Name).Distinct().Count());
        Assert.Equal(RecommendationRegistry.All.Count, RecommendationRegistry.All.Select(r => r.Id).Distinct().Count());
        foreach (var r in RecommendationRegistry.All)
            Assert.Contains(FindingRegistry.All, k => k.Answers.Contains(r));
        foreach (var k in FindingRegistry.All)
        {
            Assert.Matches("^[a-z]+(-[a-z]+)*$", k.Name);
            Assert.False(string.IsNullOrWhiteSpace(k.Documentation), k.Name);
        }
    }

    /// <summary>
    /// A kind registered for the test only: detection, severity, evidence and its answer in one class.
    /// </summary>
    sealed class AlwaysLate : FindingKind
    {
        public override string Name => "always-late";
        public override string Documentation => "every run (test only)";
        public override IReadOnlyList<RecommendationKind> Answers { get; } =
            new[] { RecommendationRegistry.TrainLonger };
    }

    [Fact]
    public void TheAdvisorAsksTheFindingsKindForItsAnswers()
    {
        var log = new Regimen.Runs.TrainingLog
        {
            Name = "r", Source = "synthetic", Format = "regimen", Hyperparameters = new() { ["epochs"] = "10" },
        };
        var plateau = new Finding { Kind = Plateau.Id, Severity = Severity.Info, Summary = "converged" };
        var warning = new Finding { Kind = Plateau.Id, Severity = Severity.Warning, Summary = "stuck" };
        // only a warning plateau is answered
        Assert.Empty(Advisor.Advise(log, new() { plateau }));
        var advice = Assert.Single(Advisor.Advise(log, new() { warning }));
        Assert.Equal("break-plateau", advice.Id);
        Assert.Equal(new[] { "break-plateau" }, warning.Recommendations);
        Assert.Equal("15", new AlwaysLate().Answers[0].For(warning, new Advice(log))!.Patch["epochs"]);
        Assert.Throws<KeyNotFoundException>(() => FindingRegistry.Get("no-such-kind"));
    }
}
