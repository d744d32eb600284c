namespace Regimen.Analysis.Recommendations;

/// <summary>Every kind of recommendation, one instance each; finding kinds name the ones that answer them.</summary>
internal static class RecommendationRegistry
{
    public static readonly RecommendationKind KeepTrainingAugmentations = new KeepTrainingAugmentations();
    public static readonly RecommendationKind StrongerRegularization = new StrongerRegularization();
    public static readonly RecommendationKind LowerLearningRate = new LowerLearningRate();
    public static readonly RecommendationKind KeepBestCheckpoint = new KeepBestCheckpoint();
    public static readonly RecommendationKind PatientEarlyStopping = new PatientEarlyStopping();
    public static readonly RecommendationKind ScaleLearningRate = new ScaleLearningRate();
    public static readonly RecommendationKind StabilizeOptimization = new StabilizeOptimization();
    public static readonly RecommendationKind SmoothUpdates = new SmoothUpdates();
    public static readonly RecommendationKind TrainLonger = new TrainLonger();
    public static readonly RecommendationKind BreakPlateau = new BreakPlateau();
    public static readonly RecommendationKind SteadierFolds = new SteadierFolds();
    public static readonly RecommendationKind EscapeChance = new EscapeChance();

    public static IReadOnlyList<RecommendationKind> All { get; } = new[]
    {
        KeepTrainingAugmentations, StrongerRegularization, LowerLearningRate, KeepBestCheckpoint, PatientEarlyStopping,
        ScaleLearningRate, StabilizeOptimization, SmoothUpdates, TrainLonger, BreakPlateau, SteadierFolds,
        EscapeChance,
    };

    /// <summary>The kind with this id, or null for an id no registered recommendation has (an old ledger's).</summary>
    public static RecommendationKind? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
