using System.Globalization;
using Regimen.Analysis.Recommendations;

namespace Regimen.Analysis.Findings;

/// <summary>
/// The peak learning rate against the linear scaling rule (Goyal et al. 2017): SGD 0.1 per 256 images a step,
/// Adam/AdamW 1e-3 per 512. Far above it is reported; the curves' symptoms raise the severity.
/// </summary>
internal sealed class HighLearningRate : FindingKind
{
    /// <summary>Where logs of common tools record the optimizer's name.</summary>
    static readonly string[] OptimizerKeys = { "optimizer.name", "opt", "optimizer" };

    public const string Id = "high-learning-rate";
    public override string Name => Id;
    public override string Documentation =>
        "the learning rate is over 10 times the linear-scaling reference for the batch (SGD 0.1 per 256 images, " +
        "Adam 1e-3 per 512); critical at twice that or with the curves' symptoms (oscillation, early peak, " +
        "divergence, degradation)";
    public override IReadOnlyList<RecommendationKind> Answers { get; } =
        new[] { RecommendationRegistry.ScaleLearningRate };

    /// <summary>The kinds that show a rate too high in the curves; registered before this one.</summary>
    static readonly string[] Symptoms = { Oscillation.Id, EarlyPeak.Id, Divergence.Id, Degradation.Id };

    public override IEnumerable<Finding> Detect(RunCheck c)
    {
        var v = c.View;
        var h = c.Log.Hyperparameters;
        double? Num(params string[] keys)
        {
            foreach (var k in keys)
                if (h.TryGetValue(k, out var s) &&
                    double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                    return x;
            return null;
        }
        var optimizer = (OptimizerKeys.Select(k => h.GetValueOrDefault(k))
            .FirstOrDefault(s => s is not null) ?? "").ToLowerInvariant();
        if (Num("optimizer.lr", "lr", "learning_rate") is not { } lr ||
            Num("batch_size") is not { } batch || batch <= 0)
            yield break;
        double accumulation = Num("optimizer.accumulation_steps", "grad_accum_steps", "gradient_accumulation_steps") ??
            1;
        double effective = batch * Math.Max(1, accumulation);
        double reference = optimizer switch
        {
            "sgd" or "momentum" or "nesterov" => 0.1 * effective / 256,
            "adam" or "adamw" => 1e-3 * effective / 512,
            _ => double.NaN,
        };
        double factor = c.Options.HighLrFactor;
        if (double.IsNaN(reference) || lr <= factor * reference) yield break;
        var symptoms = c.Found.Where(f => Symptoms.Contains(f.Kind)).Select(f => f.Kind).Distinct().ToList();
        yield return new Finding
        {
            Kind = Id,
            // Twice the threshold is far outside any published recipe: critical even before the curves show it.
            Severity = symptoms.Count > 0 || lr > 2 * factor * reference ? Severity.Critical : Severity.Warning,
            FirstEpoch = v.FirstEpoch, LastEpoch = v.LastEpoch,
            Summary = $"The learning rate {F(lr)} is {lr / reference:0.#}x the linear-scaling reference " +
                      $"{F(reference)} for {optimizer.ToUpperInvariant()} at {effective:0} images a step" +
                      (symptoms.Count > 0 ? $", and the curves show it ({string.Join(", ", symptoms)})."
                          : "; the curves show no symptom yet."),
            Evidence = new()
            {
                ["lr"] = lr, ["reference_lr"] = reference, ["ratio"] = lr / reference,
                ["effective_batch"] = effective
            },
            Confidence = symptoms.Count > 0 ? 0.85 : 0.5,
        };
    }

    static string F(double x) => Units.Significant(x, 4);
}
