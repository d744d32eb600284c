using System.Globalization;

namespace Regimen.Analysis.Findings;

/// <summary>What the run's own settings say, checked against published rules of thumb, and weighed by what the curves show.</summary>
internal static class ConfigFindings
{
    /// <summary>
    /// The peak learning rate against the linear scaling rule (Goyal et al. 2017): SGD 0.1 per 256 images a step,
    /// Adam/AdamW 1e-3 per 512. Far above it (HighLrFactor) is reported; the curves' symptoms (oscillation, an
    /// early peak, divergence) raise the severity.
    /// </summary>
    public static IEnumerable<Finding> LearningRateScale(LogView v, AnalysisOptions o, IReadOnlyList<Finding> found)
    {
        var h = v.Log.Hyperparameters;
        double? Num(params string[] keys)
        {
            foreach (var k in keys)
                if (h.TryGetValue(k, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) return x;
            return null;
        }
        var optimizer = (new[] { "optimizer.name", "opt", "optimizer" }.Select(k => h.GetValueOrDefault(k)).FirstOrDefault(s => s is not null) ?? "").ToLowerInvariant();
        if (Num("optimizer.lr", "lr", "learning_rate") is not { } lr || Num("batch_size") is not { } batch || batch <= 0) yield break;
        double accumulation = Num("optimizer.accumulation_steps", "grad_accum_steps", "gradient_accumulation_steps") ?? 1;
        double effective = batch * Math.Max(1, accumulation);
        double reference = optimizer switch
        {
            "sgd" or "momentum" or "nesterov" => 0.1 * effective / 256,
            "adam" or "adamw" => 1e-3 * effective / 512,
            _ => double.NaN,
        };
        if (double.IsNaN(reference) || lr <= o.HighLrFactor * reference) yield break;
        var symptoms = found.Where(f => f.Kind is "oscillation" or "early-peak" or "divergence" or "degradation").Select(f => f.Kind).Distinct().ToList();
        yield return new Finding
        {
            Kind = "high-learning-rate",
            // Twice the threshold is far outside any published recipe: critical even before the curves show it.
            Severity = symptoms.Count > 0 || lr > 2 * o.HighLrFactor * reference ? "critical" : "warning",
            FirstEpoch = v.FirstEpoch, LastEpoch = v.LastEpoch,
            Summary = $"The learning rate {F(lr)} is {lr / reference:0.#}x the linear-scaling reference {F(reference)} for {optimizer.ToUpperInvariant()} at {effective:0} images a step" +
                      (symptoms.Count > 0 ? $", and the curves show it ({string.Join(", ", symptoms)})." : "; the curves show no symptom yet."),
            Evidence = new() { ["lr"] = lr, ["reference_lr"] = reference, ["ratio"] = lr / reference, ["effective_batch"] = effective },
            Confidence = symptoms.Count > 0 ? 0.85 : 0.5,
        };
    }

    static string F(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
