using System.Globalization;
using Regimen.Analysis;
using Regimen.Analysis.Recommendations;
using Regimen.Recipes;

namespace Regimen.Evolve;

/// <summary>
/// The experiment loop of seed 004, run by Regimen: train the baseline, analyze the best trial, turn its top
/// recommendations into child recipes, train them, promote a child only when its gain over the best exceeds the
/// noise (the standard error of the difference of the mean scores, and at least min_gain), until the budget or the
/// target.
/// Every step is recorded in the ledger before the next one, and the loop's next step is a function of the
/// ledger alone: killed and started again, it continues where it was without retraining finished trials.
/// </summary>
public sealed class EvolveLoop(Workspace workspace, EvolveSettings settings, ITrialLauncher launcher,
    Action<string>? say = null)
{
    readonly Action<string> say = say ?? (_ => { });

    public LedgerState Run(Recipe baseline, CancellationToken cancellation = default)
    {
        using var held = workspace.LockForLoop();
        var state = Replay();
        if (state.Trials.Count == 0)
        {
            Create("t000", baseline, parent: null, null, new(), null);
            state = Replay();
        }
        else Workspace.CheckBaseline(workspace.Path, baseline);

        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var pending = state.Trials.Where(t => !t.Done).ToList();
            if (pending.Count > 0)
            {
                Train(pending, cancellation);
                state = Replay();
                var interrupted = pending.Select(t => state.Find(t.Id)!).Where(t => t.Status == "interrupted").ToList();
                if (interrupted.Count > 0 || cancellation.IsCancellationRequested)
                    return Interrupted(interrupted, cancellation.IsCancellationRequested);
                continue;
            }
            if (Decide(state)) { state = Replay(); continue; }
            var stop = StopReason(state);
            if (stop is null)
            {
                var created = CreateChildren(state);
                if (created > 0) { state = Replay(); continue; }
                stop = $"no untried recommendation is left for the best trial {state.Best!.Id}";
            }
            if (state.Stopped?.Reason != stop) Append(new LedgerEntry { Event = "stopped", Reason = stop });
            say($"stopped: {stop}");
            return Replay();
        }
    }

    LedgerState Replay() => LedgerState.Replay(workspace.Ledger.Read());

    /// <summary>
    /// The loop stops when a trial was interrupted (its own Ctrl-C, or a job stopped from outside): the interrupted
    /// trials stay to be trained, from their recovery checkpoints, when the loop is started again.
    /// </summary>
    LedgerState Interrupted(List<Trial> trials, bool cancelled)
    {
        var which = trials.Count == 0 ? "before its next step"
            : $"{string.Join(", ", trials.Select(t => t.Id))} stopped after the current batch";
        var reason = $"interrupted{(cancelled ? " (Ctrl-C)" : "")}: {which}; started again, the loop continues " +
                     "the interrupted trials from their recovery checkpoints";
        Append(new LedgerEntry { Event = "stopped", Reason = reason });
        say($"stopped: {reason}");
        return Replay();
    }

    void Append(LedgerEntry entry) => workspace.Ledger.Append(entry);

    void Create(string id, Recipe recipe, string? parent, Recommendation? why, List<string> findings,
        List<RecipeChange>? changes)
    {
        // The recipe file first: an entry never names a file that is not there.
        AtomicFile.WriteAllText(workspace.RecipeFile(id), RecipeLoader.ToYaml(recipe));
        Append(new LedgerEntry
        {
            Event = "created", Trial = id, Parent = parent, Recipe = Path.GetRelativePath(workspace.Path,
                workspace.RecipeFile(id)),
            Changes = changes, Recommendation = why?.Id, Title = why?.Title ?? "baseline", Findings = findings,
        });
        say(parent is null ? $"{id}: baseline {recipe.Name}" : $"{id}: child of {parent}: {why?.Title}");
    }

    void Train(List<Trial> trials, CancellationToken cancellation)
    {
        var jobs = trials.SelectMany(t => Enumerable.Range(0, settings.JobsPerTrial)
            .Select(r => new TrialJob(t.Id, r, workspace.LogFile(t.Id, r)))).ToList();
        say($"training {string.Join(", ", trials.Select(t => t.Id))}: {jobs.Count} job(s) through the " +
            $"{launcher.Name} launcher, {settings.Parallel} at once");
        var results = launcher.Run(workspace, jobs, settings.Parallel, cancellation);
        foreach (var trial in trials)
        {
            var mine = results.Where(r => r.Job.Trial == trial.Id).ToList();
            double wall = mine.Sum(r => r.WallSeconds);
            var failure = mine.FirstOrDefault(r => r.ExitCode != 0 && !r.Interrupted);
            if (failure is null && mine.FirstOrDefault(r => r.Interrupted && r.Started) is { } stopped)
            {
                // Not a failure and not a result: the trial stays to be trained, resumed from its checkpoints.
                Append(new LedgerEntry
                {
                    Event = "interrupted", Trial = trial.Id, Reason = $"replica {stopped.Job.Replica + 1}: " +
                        "stopped after its current batch with a recovery checkpoint", WallSeconds = wall,
                });
                say($"{trial.Id}: interrupted (replica {stopped.Job.Replica + 1}); it continues from its recovery " +
                    "checkpoint when the loop is started again");
                continue;
            }
            if (mine.Any(r => r.Interrupted)) continue;   // not started: still "created"
            if (failure is not null)
            {
                Append(new LedgerEntry
                {
                    Event = "failed", Trial = trial.Id,
                    Reason = $"replica {failure.Job.Replica + 1}: {failure.Error}", WallSeconds = wall
                });
                say($"{trial.Id}: failed: {failure.Error}");
                continue;
            }
            try
            {
                var score = TrialScore.Of(workspace.ReplicaLogs(trial.Id, settings), settings);
                Append(new LedgerEntry
                {
                    Event = "finished", Trial = trial.Id, Score = score.Mean, Spread = score.Spread,
                    Scores = score.Values.ToList(),
                    ValidationImages = score.ValidationImages, WallSeconds = wall,
                });
                say($"{trial.Id}: {settings.Monitor} {Format(score.Mean)} ± {Format(score.Spread)} over " +
                    $"{score.Values.Count} replica(s)");
            }
            catch (RegimenException e)
            {
                Append(new LedgerEntry { Event = "failed", Trial = trial.Id, Reason = e.Message, WallSeconds = wall });
            }
        }
    }

    /// <summary>
    /// Decides the finished trials without a decision: the baseline becomes the best; children in order of score.
    /// </summary>
    bool Decide(LedgerState state)
    {
        var undecided = state.Trials.Where(t => t.Done && t.Decision is null).ToList();
        if (undecided.Count == 0) return false;
        if (undecided.FirstOrDefault(t => t.IsBaseline) is { } baseline)
        {
            if (baseline.Status == "failed")
                throw new RegimenException($"{workspace.Path}: the baseline failed ({baseline.FailReason}); fix the " +
                    $"recipe and start a new workspace", ExitCodes.Failure);
            Append(new LedgerEntry
            {
                Event = "decided", Trial = baseline.Id, Promoted = true,
                Reason = "the baseline is the first best"
            });
            return true;
        }
        double sign = settings.HigherIsBetter ? 1 : -1;
        var next = undecided.OrderByDescending(t => t.Status == "finished").ThenByDescending(t => sign * (t.Score ?? 0))
            .First();
        var best = state.Best!;
        if (next.Status == "failed")
        {
            Append(new LedgerEntry
            {
                Event = "decided", Trial = next.Id, Promoted = false, Against = best.Id,
                Reason = $"failed: {next.FailReason}"
            });
            return true;
        }
        double gain = sign * (next.Score!.Value - best.Score!.Value);
        double noise = Noise(best, next, Training.Monitor.Named(settings.Monitor).IsFraction);
        double bar = Math.Max(noise, settings.MinGain);
        bool promoted = gain > bar;
        // A sibling trained in the same batch and promoted first is now the one to beat: say so.
        string rival = best.Parent is not null && best.Parent == next.Parent
            ? $"{best.Id} (its sibling, promoted first)" : best.Id;
        string reason = promoted
            ? $"gain {Signed(gain)} over {rival} exceeds the noise {Format(noise)} (standard error of the " +
                $"difference){(settings.MinGain > noise ? $" and the minimum gain {Format(settings.MinGain)}" : "")}"
            : gain <= 0 ? $"no gain: {Signed(gain)} against {rival}"
            : $"gain {Signed(gain)} over {rival} is within the noise {Format(bar)}";
        Append(new LedgerEntry
        {
            Event = "decided", Trial = next.Id, Promoted = promoted, Against = best.Id,
            Gain = gain, Noise = noise, Reason = reason
        });
        say($"{next.Id}: {(promoted ? "promoted" : "kept out")}: {reason}");
        return true;
    }

    /// <summary>
    /// The standard error of the difference of the two mean scores, sqrt(v_a + v_b), each trial's variance being
    /// the larger of its replicas' s²/n (folds or seeds: the luck of the seeds or the split) and, for an accuracy
    /// whose validation images are known, the binomial p(1-p)/N of the analyst's noise model (NoiseModel): a
    /// single replica, or seeds that agree, still carry the noise of a finite validation set.
    /// </summary>
    public static double Noise(Trial a, Trial b, bool accuracy = true)
    {
        double Part(Trial t)
        {
            double replicas = Math.Pow(t.Spread ?? 0, 2) / Math.Max(1, t.Scores.Count);
            double binomial = accuracy && t.ValidationImages is > 0 && t.Score is { } p
                ? Math.Pow(NoiseModel.Binomial(p, t.ValidationImages.Value), 2) : 0;
            return Math.Max(replicas, binomial);
        }
        return Math.Sqrt(Part(a) + Part(b));
    }

    string? StopReason(LedgerState state)
    {
        var best = state.Best!;
        if (settings.Target is { } target && best.Score is { } score &&
            (settings.HigherIsBetter ? score >= target : score <= target))
            return $"the best trial {best.Id} reached the target {Format(target)} ({Format(score)})";
        if (state.Children >= settings.Budget)
            return $"the budget of {settings.Budget} child trial(s) is spent";
        return null;
    }

    /// <summary>
    /// Creates children of the best trial from the top recommendations not tried yet: first those of the best
    /// trial's own analysis, then those of its finished children's (newest first), which saw the same recipe
    /// with one change and may point at what the best still lacks.
    /// </summary>
    int CreateChildren(LedgerState state)
    {
        var best = state.Best!;
        var bestRecipe = workspace.LoadRecipe(best.Id);
        var sources = new[] { best }.Concat(state.Trials.Where(t => t.Parent == best.Id && t.Status == "finished")
            .Reverse());
        var analyses = sources.Select(Analyze).ToList();
        var analysis = analyses[0] with
        {
            Findings = analyses.SelectMany(a => a.Findings).ToList(),
            Recommendations = analyses.SelectMany(a => a.Recommendations).ToList(),
        };
        var tried = state.Trials.Select(t => RecipeLoader.ToYaml(workspace.LoadRecipe(t.Id))).ToHashSet();
        var parentValues = Runs.Readers.LogReader.FlattenYaml(RecipeLoader.ToYaml(bestRecipe),
            workspace.RecipeFile(best.Id));
        int room = Math.Min(settings.Parallel, settings.Budget - state.Children), created = 0;
        foreach (var recommendation in analysis.Recommendations)
        {
            if (created >= room) break;
            if (recommendation.Patch.Count == 0) continue;
            Recipe child;
            try
            {
                child = RecipePatch.Apply(bestRecipe, recommendation.Patch, recommendation.Id);
            }
            catch (RegimenException e)
            {
                say($"skipped {recommendation.Id}: its patch does not apply ({e.Message})");
                continue;
            }
            if (!tried.Add(RecipeLoader.ToYaml(child))) continue;
            // The diff of the two recipes as written, so that it says exactly what the child's recipe.yaml changes.
            var childValues = Runs.Readers.LogReader.FlattenYaml(RecipeLoader.ToYaml(child), recommendation.Id);
            var changes = childValues.Keys.Union(parentValues.Keys)
                .Where(k => parentValues.GetValueOrDefault(k) != childValues.GetValueOrDefault(k))
                .Select(k => new RecipeChange(k, parentValues.GetValueOrDefault(k), childValues.GetValueOrDefault(k) ??
                    "(removed)")).ToList();
            var findings = analysis.Findings.Where(f => recommendation.Findings.Contains(f.Kind) &&
                f.Recommendations.Contains(recommendation.Id))
                .Select(f =>
                    $"{f.Kind} ({f.Severity}{(f.FirstEpoch is { } a ? $", epochs {a}-{f.LastEpoch ?? a}" : "")}, " +
                    $"{f.Run}): {f.Summary}").ToList();
            Create($"t{state.Trials.Count + created:000}", child, best.Id, recommendation, findings, changes);
            created++;
        }
        return created;
    }

    /// <summary>
    /// Among equally severe findings, optimization is fixed first: while the steps are too large, every other
    /// finding (overfitting, schedule shifts) is measured on a run that does not settle.
    /// </summary>
    static bool OptimizationFirst(Recommendation r) => RecommendationRegistry.Find(r.Id)?.OptimizationFirst == true;

    /// <summary>
    /// The best trial's analysis: its folds together, or each seed run's recommendations merged, the most severe first.
    /// </summary>
    RunAnalysis Analyze(Trial trial)
    {
        var logs = workspace.ReplicaLogs(trial.Id, settings);
        var options = new AnalysisOptions { Monitor = settings.Monitor, Target = settings.Target };
        var analyses = settings.Folds > 1 ? new List<RunAnalysis> { Analyst.AnalyzeFolds(logs, options) }
            : logs.Select(l => Analyst.Analyze(l, options)).ToList();
        var findings = analyses.SelectMany(a => a.Findings).Select(f => f with { Run = $"{trial.Id}/{f.Run}" })
            .ToList();
        int Rank(Recommendation r) => findings.Where(f => r.Findings.Contains(f.Kind))
            .Select(f => Severity.Rank(f.Severity)).DefaultIfEmpty(3).Min();
        var recommendations = analyses.SelectMany(a => a.Recommendations).GroupBy(r => r.Id).Select(g => g.First())
            .Select((r, order) => (r, order)).OrderBy(x => Rank(x.r)).ThenBy(x => OptimizationFirst(x.r) ? 0 : 1)
                .ThenBy(x => x.order)
            .Select(x => x.r).ToList();
        return analyses[0] with { Findings = findings, Recommendations = recommendations };
    }

    string Format(double value) => settings.HigherIsBetter ? $"{value * 100:0.##} %"
        : value.ToString("0.####", CultureInfo.InvariantCulture);
    string Signed(double gain) => settings.HigherIsBetter ? $"{gain * 100:+0.##;-0.##;0} points"
        : gain.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture);
}
