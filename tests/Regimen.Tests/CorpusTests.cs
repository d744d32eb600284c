using System.Text.Json;
using Regimen.Analysis;
using Regimen.Runs.Readers;
using Xunit.Abstractions;

namespace Regimen.Tests;

/// <summary>
/// The analyst on the real public training logs of Corpus/README.md against the verdicts written down from their
/// numbers before Regimen ever read them. Prints the agreement per split; a ratchet keeps what once agreed agreeing.
/// </summary>
public class CorpusTests(ITestOutputHelper output)
{
    static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Corpus");

    [Fact]
    public void AgreementWithTheVerdictsReadFromTheNumbersOnlyRatchetsUp()
    {
        var outcomes = CorpusCase.Load(Root).Select(CorpusOutcome.Of).ToList();
        // "new": the fresh held-out set, added after the first held-out third had been looked at (issue 15's "never
        // seen" claim is measured on it): totals only, no per-file detail to tune on, unless REGIMEN_CORPUS_DETAILS=1
        // (for the misses by cause, once a batch's first pass is recorded).
        foreach (var split in new[] { "tuning", "held-out", "new" })
            Print(outcomes.Where(o => o.Case.Split == split).ToList(), split,
                details: split != "new" || Environment.GetEnvironmentVariable("REGIMEN_CORPUS_DETAILS") == "1");

        var ratchet = Ratchet.Load(Path.Combine(Root, "ratchet.json"));
        var byId = outcomes.ToDictionary(o => o.Case.Id);
        Assert.All(ratchet.Read.Concat(ratchet.Found.Select(f => f.Id)).Concat(ratchet.KnownFalseAlarms),
            id => Assert.True(byId.ContainsKey(id), id));
        var found = outcomes.SelectMany(o => o.Found.Select(v => new RatchetEntry(o.Case.Id, v))).ToList();
        Tell("agreeing now, not yet in ratchet.json", found.Where(e => !ratchet.Found.Contains(e)).Select(Quoted));
        Tell("read now, not yet in ratchet.json", outcomes.Where(o => o.Read && !ratchet.Read.Contains(o.Case.Id))
            .Select(o => Quoted(o.Case.Id)));

        if (Environment.GetEnvironmentVariable("REGIMEN_WRITE_RATCHET") == "1")
            ratchet.Grow(outcomes.Where(o => o.Read).Select(o => o.Case.Id), found,
                ratchet.KnownFalseAlarms.Where(id => byId[id].FalseAlarms.Count > 0)).Write(SourceRatchet());

        Empty("no longer read", ratchet.Read.Where(id => !byId[id].Read));
        // Every format in the corpus has a reader now: a file added later must be read too.
        Empty("not read", outcomes.Where(o => !o.Read).Select(o => o.Case.Id));
        Empty("verdicts that agreed and no longer do",
            ratchet.Found.Where(f => !found.Contains(f)).Select(f => $"{f}"));
        // Known false alarms may only go away: a new one fails, and so does a listed one that no longer happens.
        Empty("overfitting/degradation/divergence on a healthy run", outcomes
            .Where(o => o.FalseAlarms.Count > 0 && !ratchet.KnownFalseAlarms.Contains(o.Case.Id))
            .Select(o => $"{o.Case.Id}: {string.Join(" | ", o.FalseAlarms)}"));
        Empty("false alarms gone, remove them from known_false_alarms",
            ratchet.KnownFalseAlarms.Where(id => byId[id].FalseAlarms.Count == 0));
    }

    static string Quoted(object item) => $"\"{item}\"";

    /// <summary>Corpus/ratchet.json in the source tree (the test reads the copy in its output folder).</summary>
    static string SourceRatchet([System.Runtime.CompilerServices.CallerFilePath] string self = "") =>
        Path.Combine(Path.GetDirectoryName(self)!, "Corpus", "ratchet.json");

    void Tell(string what, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count > 0) output.WriteLine($"{what}: {string.Join(", ", list)}");
    }

    static void Empty(string what, IEnumerable<string> items)
    {
        var list = items.ToList();
        Assert.True(list.Count == 0, $"{what}: {string.Join("; ", list)}");
    }

    [Fact]
    public void TheReadmeTableSaysWhatExpectedJsonSays()
    {
        var rows = File.ReadAllLines(Path.Combine(Root, "README.md")).Where(l => l.StartsWith("| `")).ToList();
        var cases = CorpusCase.Load(Root);
        Assert.Equal(cases.Count, rows.Count);
        foreach (var (c, row) in cases.Zip(rows))
        {
            // "\|" is a pipe inside a cell.
            var cells = System.Text.RegularExpressions.Regex.Split(row, @"(?<!\\) \| ");
            Assert.Equal($"| `{c.File}`", cells[0]);
            Assert.Equal(c.Split, cells[2]);
            Assert.Equal(string.Join(", ", c.Verdicts), cells[4]);
            Assert.Contains(c.Commit[..7], cells[3]);
            // An entry is a file, or a folder that holds one run's files (TensorBoard's CSV exports, one per tag).
            var path = Path.Combine(Root, c.File);
            Assert.True(File.Exists(path) || Directory.Exists(path), c.File);
            long size = Directory.Exists(path) ? Directory.GetFiles(path).Sum(f => new FileInfo(f).Length)
                : new FileInfo(path).Length;
            Assert.True(size < 200_000, c.File);
        }
        // The fresh split `new` is held out as a whole; the third is of the first two splits.
        int held = cases.Count(c => c.Split == "held-out"), first = cases.Count(c => c.Split != "new");
        Assert.True(Math.Abs(3 * held - first) <= 3, $"held-out {held} of {first}: not about a third");
    }

    void Print(List<CorpusOutcome> outcomes, string split, bool details)
    {
        int expected = outcomes.Sum(o => o.Case.Verdicts.Count), found = outcomes.Sum(o => o.Found.Count);
        var healthy = outcomes.Where(o => o.Case.Verdicts.Contains("healthy")).ToList();
        output.WriteLine($"{split}: read {outcomes.Count(o => o.Read)}/{outcomes.Count}, " +
                         $"verdicts found {found}/{expected} ({100.0 * found / Math.Max(1, expected):0} %), " +
                         $"false alarms on healthy runs {healthy.Count(o => o.FalseAlarms.Count > 0)}/{healthy.Count}");
        if (!details) return;
        foreach (var o in outcomes)
            output.WriteLine($"  {o.Case.Id}: {o.Describe()}");
    }
}

/// <summary>One corpus file and the verdicts read from its numbers (Corpus/expected.json).</summary>
sealed record CorpusCase(string Id, string File, string Split, List<string> Verdicts, string Commit)
{
    public static List<CorpusCase> Load(string root)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(root, "expected.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray().Select(e => new CorpusCase(
            e.GetProperty("id").GetString()!, e.GetProperty("file").GetString()!, e.GetProperty("split").GetString()!,
            e.GetProperty("verdicts").EnumerateArray().Select(v => v.GetString()!).ToList(),
            e.GetProperty("source").GetProperty("commit").GetString()!)).ToList();
    }
}

/// <summary>What `regimen analyze FILE` makes of a corpus file, compared with its expected verdicts.</summary>
sealed record CorpusOutcome(CorpusCase Case, bool Read, string ReadError, List<RunAnalysis> Analyses,
    HashSet<string> Found)
{
    /// <summary>Problem kinds whose warning or critical finding means the run is not healthy.</summary>
    static readonly string[] Problems = { "overfitting", "degradation", "divergence", "oscillation", "underfitting" };
    static readonly string[] Alarms = { "overfitting", "degradation", "divergence" };

    public List<string> FalseAlarms => !Case.Verdicts.Contains("healthy") ? new() :
        Analyses.SelectMany(a => a.Findings).Where(f => Alarms.Contains(f.Kind)).Select(f => f.Summary).ToList();

    public static CorpusOutcome Of(CorpusCase c)
    {
        List<RunAnalysis> analyses;
        try
        {
            // The same path as `regimen analyze FILE` (AnalyzeCommand): every run the reader finds, analyzed alone,
            // or the folds of an experiment together.
            var logs = LogReader.Read(Path.Combine(AppContext.BaseDirectory, "Corpus", c.File));
            analyses = logs.Any(l => l.Fold is not null)
                ? new() { Analyst.AnalyzeFolds(logs) } : logs.Select(l => Analyst.Analyze(l)).ToList();
        }
        catch (RegimenException e)
        {
            return new CorpusOutcome(c, false, e.Message, new(), new());
        }
        // A file counts as read when the analyst found its metric in it: a log whose columns were not understood is
        // not read, and not judged healthy for being silent.
        if (!analyses.Any(a => a.BestValue is not null))
            return new CorpusOutcome(c, false, "read as " + string.Join(", ", analyses.Select(a =>
                $"{a.Format} ({a.Epochs} epochs) but no value of {a.Monitor}")), analyses, new());
        var kinds = analyses.SelectMany(a => a.Findings).Select(f => f.Kind).ToHashSet();
        bool healthy = !analyses.SelectMany(a => a.Findings)
            .Any(f => Problems.Contains(f.Kind) && f.Severity is "warning" or "critical");
        var found = c.Verdicts.Where(v => v == "healthy" ? healthy : kinds.Contains(v)).ToHashSet();
        return new CorpusOutcome(c, true, "", analyses, found);
    }

    public string Describe()
    {
        if (!Read) return $"NOT READ ({ReadError.Split('\n')[0]})";
        var missed = Case.Verdicts.Where(v => !Found.Contains(v)).ToList();
        var kinds = Analyses.SelectMany(a => a.Findings).Select(f => $"{f.Kind}/{f.Severity}").Distinct();
        var runs = string.Join(" ", Analyses.Select(a => $"[{a.Format} {a.Monitor} {a.Epochs} ep]"));
        return $"{runs} expected {string.Join(",", Case.Verdicts)}; " +
               (missed.Count == 0 ? "all found" : $"missed {string.Join(",", missed)}") +
               $"; findings {string.Join(",", kinds)}" +
               (FalseAlarms.Count > 0 ? $"; FALSE ALARM {string.Join(" | ", FalseAlarms)}" : "");
    }
}

sealed record RatchetEntry(string Id, string Verdict)
{
    public override string ToString() => $"{Id}:{Verdict}";
}

/// <summary>
/// Corpus/ratchet.json: the files known to be read and the verdicts known to agree (both only grow), and the healthy
/// runs that still get a false alarm (only shrinks; the target is none). REGIMEN_WRITE_RATCHET=1 adds what agrees
/// now and drops fixed false alarms; a new false alarm is never added by it.
/// </summary>
sealed record Ratchet(List<string> Read, List<RatchetEntry> Found, List<string> KnownFalseAlarms)
{
    public static Ratchet Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var read = doc.RootElement.GetProperty("read").EnumerateArray().Select(e => e.GetString()!).ToList();
        var found = doc.RootElement.GetProperty("found").EnumerateArray().Select(e => e.GetString()!.Split(':'))
            .Select(p => new RatchetEntry(p[0], p[1])).ToList();
        var alarms = doc.RootElement.GetProperty("known_false_alarms").EnumerateArray().Select(e => e.GetString()!);
        return new Ratchet(read, found, alarms.ToList());
    }

    /// <summary>What agrees now added to what agreed; known false alarms only kept while they still happen.</summary>
    public Ratchet Grow(IEnumerable<string> read, IEnumerable<RatchetEntry> found, IEnumerable<string> stillAlarming) =>
        new(Read.Union(read).ToList(), Found.Union(found).ToList(), stillAlarming.ToList());

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public void Write(string path)
    {
        var json = new { read = Read, found = Found.Select(f => f.ToString()), known_false_alarms = KnownFalseAlarms };
        File.WriteAllText(path, JsonSerializer.Serialize(json, Indented) + "\n");
    }
}
