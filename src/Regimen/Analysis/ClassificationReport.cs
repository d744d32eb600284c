using System.Text.Json.Serialization;
using Regimen.Training;

namespace Regimen.Analysis;

/// <summary>One class's accuracy (recall) on the evaluated set.</summary>
public sealed record ClassScore(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("correct")] int Correct,
    [property: JsonPropertyName("accuracy")] double Accuracy);

/// <summary>
/// A pair of classes the model mixes up: how many images of <c>Actual</c> it called <c>Predicted</c>.
/// </summary>
public sealed record ConfusedPair(
    [property: JsonPropertyName("actual")] string Actual,
    [property: JsonPropertyName("predicted")] string Predicted,
    [property: JsonPropertyName("count")] int Count);

/// <summary>
/// The scores of an evaluation, in the manner of fastai's ClassificationInterpretation: accuracy (with and
/// without TTA), per-class accuracy, the confusion matrix (rows actual, columns predicted) and the most confused pairs.
/// </summary>
public sealed record ClassificationReport
{
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    [JsonPropertyName("images")] public int Images { get; init; }
    [JsonPropertyName("accuracy")] public double Accuracy { get; init; }
    [JsonPropertyName("loss")] public double Loss { get; init; }
    [JsonPropertyName("top5")] public double? Top5 { get; init; }
    [JsonPropertyName("accuracy_tta")] public double? AccuracyTta { get; init; }
    [JsonPropertyName("classes")] public string[] Classes { get; init; } = Array.Empty<string>();
    [JsonPropertyName("per_class")] public List<ClassScore> PerClass { get; init; } = new();
    [JsonPropertyName("confusion_matrix")] public int[][] ConfusionMatrix { get; init; } = Array.Empty<int[]>();
    [JsonPropertyName("most_confused")] public List<ConfusedPair> MostConfused { get; init; } = new();

    public static ClassificationReport From(string source, Evaluation evaluation, IReadOnlyList<string> classes,
        Evaluation? withTta = null, int minConfused = 1)
    {
        int k = classes.Count;
        var matrix = new int[k][];
        for (int i = 0; i < k; i++) matrix[i] = new int[k];
        for (int i = 0; i < evaluation.Count; i++) matrix[evaluation.Labels[i]][evaluation.Predicted(i)]++;
        var perClass = Enumerable.Range(0, k).Select(c =>
        {
            int count = matrix[c].Sum();
            return new ClassScore(classes[c], count, matrix[c][c], count == 0 ? 0 : (double)matrix[c][c] / count);
        }).ToList();
        var confused = new List<ConfusedPair>();
        for (int a = 0; a < k; a++)
            for (int p = 0; p < k; p++)
                if (a != p && matrix[a][p] >= minConfused)
                    confused.Add(new ConfusedPair(classes[a], classes[p], matrix[a][p]));
        return new ClassificationReport
        {
            Source = source,
            Images = evaluation.Count,
            Accuracy = evaluation.Accuracy,
            Loss = evaluation.Loss,
            Top5 = evaluation.Top5,
            AccuracyTta = withTta?.Accuracy,
            Classes = classes.ToArray(),
            PerClass = perClass,
            ConfusionMatrix = matrix,
            MostConfused = confused.OrderByDescending(c => c.Count).ThenBy(c => c.Actual, StringComparer.Ordinal)
                .ToList(),
        };
    }
}
