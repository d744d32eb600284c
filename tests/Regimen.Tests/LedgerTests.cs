using System.Text;
using Regimen.Evolve;

namespace Regimen.Tests;

public class LedgerTests
{
    static Ledger NewLedger() => new(Path.Combine(TestData.TempDir("ledger"), "ledger.jsonl"));

    [Fact]
    public void ConcurrentWritersLoseNoEntryAndTearNone()
    {
        var ledger = NewLedger();
        const int writers = 8, each = 40;
        // Each writer opens the file itself, as separate processes would: the lock is the only coordination.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var mine = new Ledger(ledger.Path);
            for (int i = 0; i < each; i++)
                mine.Append(new LedgerEntry
                {
                    Event = "finished", Trial = $"w{w}-{i}", Score = w + i / 100.0,
                    Reason = new string('x', 500)
                });
        });
        var entries = ledger.Read();
        Assert.Equal(writers * each, entries.Count);
        Assert.Equal(writers * each, entries.Select(e => e.Trial).Distinct().Count());
        // Each writer's entries keep their order.
        for (int w = 0; w < writers; w++)
            Assert.Equal(Enumerable.Range(0, each).Select(i => $"w{w}-{i}"),
                entries.Where(e => e.Trial!.StartsWith($"w{w}-")).Select(e => e.Trial));
    }

    [Fact]
    public void ATornLastLineFromACrashIsIgnoredThenCutOffByTheNextAppend()
    {
        var ledger = NewLedger();
        ledger.Append(new LedgerEntry { Event = "created", Trial = "t000" });
        File.AppendAllText(ledger.Path, "{\"event\":\"finished\",\"trial\":\"t0");   // a writer died mid-line
        Assert.Single(ledger.Read());
        ledger.Append(new LedgerEntry { Event = "finished", Trial = "t000", Score = 0.9 });
        var entries = ledger.Read();
        Assert.Equal(new[] { "created", "finished" }, entries.Select(e => e.Event));
        Assert.Equal(0.9, entries[1].Score);
        Assert.EndsWith("\n", File.ReadAllText(ledger.Path));
        Assert.Equal(2, File.ReadAllLines(ledger.Path).Length);
    }

    [Fact]
    public void ADamagedEntryInsideTheLedgerIsAnErrorNamingItsLine()
    {
        var ledger = NewLedger();
        ledger.Append(new LedgerEntry { Event = "created", Trial = "t000" });
        File.AppendAllText(ledger.Path, "not json\n");
        ledger.Append(new LedgerEntry { Event = "finished", Trial = "t000" });
        var e = Assert.Throws<RegimenException>(() => ledger.Read());
        Assert.Contains("ledger.jsonl:2", e.Message);
    }

    [Fact]
    public void ReplayFollowsPromotionsAndKeepsTheFirstDecision()
    {
        var entries = new List<LedgerEntry>
        {
            new() { Event = "created", Trial = "t000", Recipe = "trials/t000/recipe.yaml" },
            new() { Event = "finished", Trial = "t000", Score = 0.80, Spread = 0.01, Scores = new() { 0.79, 0.81 } },
            new() { Event = "decided", Trial = "t000", Promoted = true },
            new() { Event = "created", Trial = "t001", Parent = "t000",
                Changes = new() { new RecipeChange("optimizer.lr", "1.5", "0.3") } },
            new() { Event = "created", Trial = "t002", Parent = "t000" },
            new() { Event = "finished", Trial = "t001", Score = 0.85, Spread = 0.01 },
            new() { Event = "failed", Trial = "t002", Reason = "exit code 4" },
            new() { Event = "decided", Trial = "t001", Promoted = true, Against = "t000" },
            // a duplicate after a crash: the first stands
            new() { Event = "decided", Trial = "t001", Promoted = false },
            new() { Event = "decided", Trial = "t002", Promoted = false },
            new() { Event = "stopped", Reason = "budget" },
        };
        var state = LedgerState.Replay(entries);
        Assert.Equal("t001", state.Best!.Id);
        Assert.Equal(new[] { "t000", "t001" }, state.BestHistory);
        Assert.Equal(2, state.Children);
        Assert.Equal("failed", state.Find("t002")!.Status);
        Assert.Equal("0.3", state.Find("t001")!.Changes[0].To);
        Assert.Equal("budget", state.Stopped!.Reason);
        Assert.True(state.Trials.All(t => t.Done));
    }

    [Fact]
    public void AnUnwritableLedgerIsAClearError()
    {
        var dir = TestData.TempDir("ledger-ro");
        var ledger = new Ledger(Path.Combine(dir, "missing-folder", "ledger.jsonl"), TimeSpan.FromSeconds(1));
        var e = Assert.Throws<RegimenException>(() =>
            ledger.Append(new LedgerEntry { Event = "created", Trial = "t000" }));
        Assert.Contains("ledger.jsonl", e.Message);
    }
}
