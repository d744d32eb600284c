namespace Regimen.Evolve;

/// <summary>
/// A candidate recipe and what became of it: the baseline or a child of the best trial so far, trained as one or
/// more replicas (folds or seeds), scored, and promoted to best only when its gain exceeds the noise.
/// </summary>
public sealed class Trial
{
    public required string Id { get; init; }
    public string? Parent { get; init; }
    /// <summary>The trial's recipe.yaml, relative to the workspace.</summary>
    public required string Recipe { get; init; }
    public List<RecipeChange> Changes { get; init; } = new();
    public string? Recommendation { get; init; }
    public string? Title { get; init; }
    public List<string> Findings { get; init; } = new();
    public DateTime Created { get; init; }

    /// <summary>created | interrupted (to be continued from its checkpoints) | finished | failed</summary>
    public string Status { get; set; } = "created";
    public double? Score { get; set; }
    public double? Spread { get; set; }
    public List<double> Scores { get; set; } = new();
    /// <summary>Validation images behind the score, when the replicas recorded them.</summary>
    public int? ValidationImages { get; set; }
    public double? WallSeconds { get; set; }
    public string? FailReason { get; set; }
    /// <summary>Why the trial's training stopped before its end, while it is interrupted.</summary>
    public string? InterruptReason { get; set; }

    public LedgerEntry? Decision { get; set; }
    public bool Promoted => Decision?.Promoted == true;
    public bool IsBaseline => Parent is null;
    public bool Done => Status is "finished" or "failed";
}

/// <summary>
/// The ledger replayed: the trials in order of creation, the best (baseline, then each promotion), the last stop.
/// </summary>
public sealed class LedgerState
{
    public List<Trial> Trials { get; } = new();
    public Trial? Best { get; private set; }
    /// <summary>The ids of the best trial over time: the baseline, then each promoted child.</summary>
    public List<string> BestHistory { get; } = new();
    public LedgerEntry? Stopped { get; private set; }

    public Trial? Find(string? id) => Trials.FirstOrDefault(t => t.Id == id);

    public static LedgerState Replay(IEnumerable<LedgerEntry> entries)
    {
        var state = new LedgerState();
        foreach (var e in entries)
        {
            var trial = state.Find(e.Trial);
            switch (e.Event)
            {
                case "created" when trial is null && e.Trial is not null:
                    state.Trials.Add(new Trial
                    {
                        Id = e.Trial, Parent = e.Parent, Recipe = e.Recipe ?? "", Changes = e.Changes ?? new(),
                        Recommendation = e.Recommendation, Title = e.Title, Findings = e.Findings ?? new(),
                        Created = e.Time,
                    });
                    state.Stopped = null;
                    break;
                case "finished" when trial is not null:
                    trial.Status = "finished";
                    trial.Score = e.Score; trial.Spread = e.Spread; trial.Scores = e.Scores ??
                        new(); trial.WallSeconds = e.WallSeconds;
                    trial.ValidationImages = e.ValidationImages;
                    break;
                case "interrupted" when trial is not null && !trial.Done:
                    trial.Status = "interrupted";
                    trial.InterruptReason = e.Reason;
                    break;
                case "failed" when trial is not null:
                    trial.Status = "failed";
                    trial.FailReason = e.Reason; trial.WallSeconds = e.WallSeconds;
                    break;
                case "decided" when trial is not null && trial.Decision is null:
                    trial.Decision = e;
                    if (e.Promoted == true) { state.Best = trial; state.BestHistory.Add(trial.Id); }
                    break;
                case "stopped":
                    state.Stopped = e;
                    break;
            }
        }
        return state;
    }

    /// <summary>Children trained so far or being trained: what the budget counts.</summary>
    public int Children => Trials.Count(t => !t.IsBaseline);
}
