using Regimen.Evolve;
using Regimen.Recipes;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using Regimen.Training;

namespace Regimen.Tests;

public class EvolveTests
{
    static readonly Lazy<string> data = new(() => TestData.WriteIdxDataset(TestData.TempDir("evolve-data"),
        trainCount: 320, testCount: 100));
    /// <summary>
    /// A holdout of 320 images: findings on 80 are mostly inside the binomial noise, and no child answers those.
    /// </summary>
    static readonly Lazy<string> largerData = new(() => TestData.WriteIdxDataset(TestData.TempDir("evolve-data-640"),
        trainCount: 640, testCount: 100));

    /// <summary>
    /// Trains the jobs in this process, one after another; can simulate a kill after a number of jobs.
    /// </summary>
    sealed class InProcessLauncher : ITrialLauncher
    {
        public List<(string Trial, int Replica)> Jobs { get; } = new();
        public int? KillAfterJobs { get; init; }
        public string Name => "in-process";

        public IReadOnlyList<JobResult> Run(Workspace workspace, IReadOnlyList<TrialJob> jobs, int parallel,
            CancellationToken cancellation)
        {
            var results = new List<JobResult>();
            foreach (var job in jobs)
            {
                if (Jobs.Count == KillAfterJobs) throw new OperationCanceledException("simulated kill");
                Jobs.Add((job.Trial, job.Replica));
                TrialRunner.RunReplica(workspace, job.Trial, job.Replica, _ => Array.Empty<TrainingCallback>());
                results.Add(new JobResult(job, 0, null, 1));
            }
            return results;
        }
    }

    /// <summary>
    /// A recipe with seed 001's flaw at tiny scale: the last phase switches training augmentations off.
    /// </summary>
    static Recipe FlawedRecipe(double valFraction = 0.25) => RecipeLoader.Parse(TestData.TinyRecipe(4),
        "flawed.yaml", new[]
    {
        "data.validation=holdout", $"data.val_fraction={valFraction}", "optimizer.lr=1.5", "evaluation.tta_flip=false",
        "phases=[{name: main, from_epoch: 0}, {name: fixres, from_epoch: 2, resolution: 32, augment: false}]",
    });

    static EvolveSettings Settings(int budget) => new() { Budget = budget, Seeds = 2, Data = data.Value };

    [Fact]
    public void EvolveTrainsChildrenFromRecommendationsAndPromotesOnlyBeyondTheNoise()
    {
        var settings = Settings(budget: 2) with { Data = largerData.Value };
        var workspace = Workspace.Prepare(TestData.TempDir("evolve"), settings);
        var launcher = new InProcessLauncher();
        var state = new EvolveLoop(workspace, settings, launcher).Run(FlawedRecipe(0.5));

        Assert.Equal("t000", state.Trials[0].Id);
        Assert.True(state.Trials[0].Promoted);
        Assert.Equal(2, state.Children);
        Assert.NotNull(state.Stopped);
        Assert.Contains("budget", state.Stopped!.Reason);
        foreach (var child in state.Trials.Skip(1))
        {
            var parent = state.Find(child.Parent)!;
            Assert.NotEmpty(child.Findings);
            Assert.NotNull(child.Recommendation);
            // The child's recipe is its parent's with exactly the recorded changes.
            var before = LogReader.FlattenYaml(File.ReadAllText(workspace.RecipeFile(parent.Id)), "parent");
            var after = LogReader.FlattenYaml(File.ReadAllText(workspace.RecipeFile(child.Id)), "child");
            var changed = after.Keys.Union(before.Keys)
                .Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order().ToList();
            Assert.Equal(child.Changes.Select(c => c.Key).Order(), changed);
            foreach (var c in child.Changes) Assert.Equal(c.To, after[c.Key]);
            // Promoted exactly when the gain exceeds the standard error of the difference: each trial's variance is the
            // larger of its seeds' s²/2 and the binomial p(1-p)/320 of its 320 holdout images.
            Assert.Equal(2, child.Scores.Count);
            var against = state.Find(child.Decision!.Against)!;
            double gain = child.Score!.Value - against.Score!.Value;
            // The ledger's numbers are measured (7 significant digits, Units.Measured).
            Assert.Equal(gain, child.Decision.Gain!.Value, 1e-6); // a tolerance: rounding both to 6 places splits at .5
            Assert.Equal(320, child.ValidationImages);
            static double Part(Trial t) => Math.Max(t.Spread!.Value * t.Spread.Value / 2,
                t.Score!.Value * (1 - t.Score.Value) / 320);
            double noise = Math.Sqrt(Part(child) + Part(against));
            Assert.Equal(noise, child.Decision.Noise!.Value, 6);
            Assert.Equal(gain > noise, child.Promoted);
        }
        Assert.Equal(6, launcher.Jobs.Count);   // 3 trials x 2 seeds

        // Started again with the same budget it trains nothing; with a larger one it goes on from the ledger.
        var again = new InProcessLauncher();
        new EvolveLoop(workspace, settings, again).Run(FlawedRecipe(0.5));
        Assert.Empty(again.Jobs);
        var more = settings with { Budget = 3 };
        var extended = new EvolveLoop(workspace, more, again).Run(FlawedRecipe(0.5));
        Assert.True(extended.Children == 3, $"{extended.Children} children, stopped: {extended.Stopped?.Reason}");
        Assert.All(again.Jobs, j => Assert.Equal("t003", j.Trial));

        // A target the best already meets stops the loop before any further training.
        var reached = new InProcessLauncher();
        var stopped = new EvolveLoop(workspace, more with { Budget = 10, Target = 0.01 }, reached)
            .Run(FlawedRecipe(0.5));
        Assert.Empty(reached.Jobs);
        Assert.Contains("reached the target", stopped.Stopped!.Reason);
    }

    [Fact]
    public void KilledMidwayItContinuesWithoutRetrainingFinishedTrials()
    {
        var settings = Settings(budget: 1);
        var workspace = Workspace.Prepare(TestData.TempDir("evolve-kill"), settings);
        // Killed after the baseline's two jobs and the child's first.
        Assert.Throws<OperationCanceledException>(() =>
            new EvolveLoop(workspace, settings, new InProcessLauncher { KillAfterJobs = 3 }).Run(FlawedRecipe()));
        var interrupted = LedgerState.Replay(workspace.Ledger.Read());
        Assert.Equal("finished", interrupted.Trials[0].Status);
        Assert.Equal("created", interrupted.Trials[1].Status);
        var baselineSummary = Path.Combine(workspace.SeedRunPath("t000", 0), "summary.json");
        var childSummary = Path.Combine(workspace.SeedRunPath("t001", 0), "summary.json");
        var stamps = (File.GetLastWriteTimeUtc(baselineSummary), File.GetLastWriteTimeUtc(childSummary));

        var launcher = new InProcessLauncher();
        var state = new EvolveLoop(workspace, settings, launcher).Run(FlawedRecipe());
        Assert.Equal(new[] { ("t001", 0), ("t001", 1) }, launcher.Jobs);   // the interrupted trial's jobs only
        // its finished replica was not retrained
        Assert.Equal(stamps, (File.GetLastWriteTimeUtc(baselineSummary), File.GetLastWriteTimeUtc(childSummary)));
        Assert.True(state.Trials.All(t => t.Done && t.Decision is not null));
        var entries = workspace.Ledger.Read();
        Assert.Single(entries, e => e.Event == "finished" && e.Trial == "t000");
        Assert.Single(entries, e => e.Event == "created" && e.Trial == "t001");
    }

    [Fact]
    public void WithFoldsEachTrialIsACrossValidationScoredOverItsFolds()
    {
        var settings = new EvolveSettings { Budget = 1, Folds = 2, Seeds = 1, Data = data.Value };
        var workspace = Workspace.Prepare(TestData.TempDir("evolve-folds"), settings);
        var launcher = new InProcessLauncher();
        var state = new EvolveLoop(workspace, settings, launcher).Run(FlawedRecipe());
        Assert.Equal(new[] { ("t000", 0), ("t001", 0) }, launcher.Jobs);   // one job per trial: the folds run inside it
        foreach (var trial in state.Trials)
        {
            Assert.Equal("finished", trial.Status);
            var experiment = Regimen.Runs.ExperimentSummary.Read(Path.Combine(workspace.ExperimentPath(trial.Id),
                "experiment.json"))!;
            Assert.Equal(experiment.FoldResults.Select(f => f.FinalValue!.Value), trial.Scores);
            Assert.Equal(experiment.FinalMean, trial.Score!.Value, 6);
            Assert.Equal(experiment.FinalStd, trial.Spread!.Value, 6);
        }
        Assert.NotNull(state.Trials[1].Decision);
    }

    [Fact]
    public void AWorkspaceRefusesOtherScoringSettingsAndASecondLoop()
    {
        var dir = TestData.TempDir("evolve-settings");
        var workspace = Workspace.Prepare(dir, Settings(1));
        var e = Assert.Throws<RegimenException>(() => Workspace.Prepare(dir, Settings(1) with { Seeds = 3 }));
        Assert.Contains("'seeds' is 2", e.Message);
        Assert.Contains("evolve.json", e.Message);
        Workspace.Prepare(dir, Settings(5));   // a larger budget is fine
        using (workspace.LockForLoop())
            Assert.Contains("another 'regimen evolve'", Assert.Throws<RegimenException>(() => workspace.LockForLoop())
                .Message);
        var other = RecipeLoader.Parse(TestData.TinyRecipe(2), "other.yaml");
        Directory.CreateDirectory(workspace.TrialPath("t000"));
        File.WriteAllText(workspace.RecipeFile("t000"), RecipeLoader.ToYaml(FlawedRecipe()));
        workspace.Ledger.Append(new LedgerEntry
        {
            Event = "created", Trial = "t000",
            Recipe = "trials/t000/recipe.yaml"
        });
        Assert.Contains("another recipe",
            Assert.Throws<RegimenException>(() => new EvolveLoop(workspace, Settings(1), new InProcessLauncher())
            .Run(other)).Message);
    }

    [Fact]
    public void TheSlurmScriptRunsEachJobAsAnArrayTask()
    {
        var workspace = Workspace.Prepare(TestData.TempDir("evolve-slurm"), Settings(1));
        var launcher = new SlurmLauncher(new RegimenCommand("/opt/regimen/regimen", Array.Empty<string>()),
            new[] { "--partition=gpu", "--time=01:00:00" });
        var jobs = new[] { new TrialJob("t001", 0, workspace.LogFile("t001", 0)),
            new TrialJob("t001", 1, workspace.LogFile("t001", 1)) };
        var script = launcher.Script(workspace, jobs, parallel: 2);
        Assert.Contains("#SBATCH --array=0-1%2", script);
        Assert.Contains("#SBATCH --partition=gpu", script);
        Assert.Contains($"1) /opt/regimen/regimen trial {workspace.Path} t001 --replica 1 >> " +
            $"{workspace.LogFile("t001", 1)} 2>&1", script);
        Assert.Contains(SlurmLauncher.ExitFile(jobs[0]), script);
    }
}
