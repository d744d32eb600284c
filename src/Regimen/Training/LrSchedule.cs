using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>
/// The learning rate as a pure function of (epoch, step within the epoch): no hidden state, so a resumed run,
/// a simulated run and the real one agree to the last bit. Warmup is linear from <c>warmup_start_lr</c>
/// over <c>warmup_epochs</c> and precedes every schedule except one-cycle, which has its own rise.
/// </summary>
public sealed class LrSchedule
{
    public static readonly string[] Names = { "constant", "cosine", "onecycle", "step", "multistep", "cosine_restarts" };

    readonly LrScheduleSection s;
    readonly double baseLr;
    readonly int epochs;

    public LrSchedule(LrScheduleSection section, double baseLr, int epochs)
    {
        s = section;
        this.baseLr = baseLr;
        this.epochs = epochs;
    }

    /// <summary>The rate for the optimizer step <paramref name="step"/> of <paramref name="epoch"/> (both 0-based).</summary>
    public double At(int epoch, int step, int stepsPerEpoch)
    {
        double t = s.PerStep && stepsPerEpoch > 0 ? epoch + (double)step / stepsPerEpoch : epoch;
        if (s.Name == "onecycle") return OneCycle(t);
        if (t < s.WarmupEpochs) return s.WarmupStartLr + (baseLr - s.WarmupStartLr) * t / s.WarmupEpochs;
        return s.Name switch
        {
            "constant" => baseLr,
            "cosine" => Cosine(t - s.WarmupEpochs, epochs - s.WarmupEpochs),
            "step" => baseLr * Math.Pow(s.Gamma, Math.Floor(t / s.StepEpochs)),
            "multistep" => baseLr * Math.Pow(s.Gamma, s.Milestones.Count(m => t >= m)),
            "cosine_restarts" => CosineRestarts(t - s.WarmupEpochs),
            _ => throw new InvalidOperationException($"unknown schedule {s.Name}"),
        };
    }

    double Cosine(double t, double length) =>
        s.MinLr + (baseLr - s.MinLr) * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(t / length, 0, 1)));

    /// <summary>SGDR (Loshchilov and Hutter): cycles of t0, t0*t_mult, ... epochs, each a cosine from lr to min_lr.</summary>
    double CosineRestarts(double t)
    {
        double length = s.T0;
        while (t >= length) { t -= length; length *= s.TMult; }
        return Cosine(t, length);
    }

    /// <summary>One-cycle (Smith): cosine rise from lr/div_factor to lr over pct_start, then cosine fall to lr/(div*final_div).</summary>
    double OneCycle(double t)
    {
        double peak = s.PctStart * epochs;
        double start = baseLr / s.DivFactor, end = start / s.FinalDivFactor;
        if (t < peak) return start + (baseLr - start) * 0.5 * (1 - Math.Cos(Math.PI * t / peak));
        double progress = Math.Clamp((t - peak) / (epochs - peak), 0, 1);
        return end + (baseLr - end) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
