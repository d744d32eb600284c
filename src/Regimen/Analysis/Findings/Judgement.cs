namespace Regimen.Analysis.Findings;

/// <summary>
/// An effect set against its noise: how many standard errors it is, the severity that earns (a documented number of
/// standard errors and the kind's own size threshold, both), and the words and evidence every finding gives.
/// </summary>
internal readonly record struct Judgement(double Effect, Noise Noise, string EffectText, string SeText)
{
    public double Sigmas => Noise.Sigmas(Effect);

    /// <summary>
    /// Critical when the effect exceeds <paramref name="critical"/> and CriticalSe standard errors, warning when it
    /// exceeds <paramref name="warning"/> and WarningSe standard errors, else null (no finding: inside the noise).
    /// </summary>
    public string? Grade(AnalysisOptions o, double warning, double critical = double.PositiveInfinity)
    {
        if (Effect > critical && Sigmas >= o.CriticalSe) return Severity.Critical;
        if (Effect > warning && Sigmas >= o.WarningSe) return Severity.Warning;
        return null;
    }

    /// <summary>Whether the effect is beyond <paramref name="se"/> standard errors.</summary>
    public bool Beyond(double se) => Sigmas >= se;

    /// <summary>"3.2 points = 1.2 SE of 2.7 points (binomial on 500 validation images)".</summary>
    public string Text => Noise.Known
        ? $"{EffectText} = {Sigmas:0.#} SE of {SeText} ({Noise.Basis})"
        : $"{EffectText}; {Noise.Basis}";

    /// <summary>The evidence entries every judged finding carries.</summary>
    public void AddTo(Dictionary<string, double> evidence)
    {
        evidence["noise_se"] = Noise.Known ? Noise.Se : double.NaN;
        evidence["effect_se"] = Noise.Known ? Sigmas : double.NaN;
    }

    /// <summary>An accuracy effect (points) or a relative loss effect (%), judged in the view's terms.</summary>
    public static Judgement Of(LogView v, double effect, Noise noise) => v.HigherIsBetter
        ? Points(effect, noise)
        : new(effect, noise, $"{effect * 100:0.#} %", $"{noise.Se * 100:0.#} %");

    /// <summary>An effect in accuracy points whatever the metric (the train-validation gap).</summary>
    public static Judgement Points(double effect, Noise noise) =>
        new(effect, noise, Pt(effect), Pt(noise.Se));

    /// <summary>"3.20 pt", "-0.30 pt": points without a plus sign (Units).</summary>
    static string Pt(double x) => Units.Points(x).TrimStart('+');

    /// <summary>An absolute effect on a loss.</summary>
    public static Judgement Loss(double effect, Noise noise) =>
        new(effect, noise, $"{effect:0.####}", $"{noise.Se:0.####}");
}
