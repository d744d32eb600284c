using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>
/// The learning rate as a pure function of (epoch, step within the epoch) and, for <c>plateau</c> only, of the
/// monitored metric's history: no hidden state, so a resumed run, a simulated run and the real one agree to
/// the last bit. A schedule covers the epochs from <c>start</c> (a phase may begin a new one) to the end of
/// training. Warmup is linear from <c>warmup_start_lr</c> over <c>warmup_epochs</c> and precedes every
/// schedule except one-cycle, which has its own rise.
/// </summary>
public sealed class LrSchedule
{
    public static readonly string[] Names =
        { "constant", "cosine", "linear", "onecycle", "step", "multistep", "cosine_restarts", "plateau" };

    /// <summary>Null for a known schedule, else what is wrong with the name and the closest known one.</summary>
    public static string? CheckName(string name) =>
        Names.Contains(name) ? null : $"unknown schedule '{name}'" + DidYouMean.Hint(name, Names);

    readonly LrScheduleSection s;
    readonly double baseLr;
    readonly int start;
    readonly int length;

    public LrSchedule(LrScheduleSection section, double baseLr, int epochs, int start = 0)
    {
        s = section;
        this.baseLr = baseLr;
        this.start = start;
        length = epochs - start;
    }

    public LrScheduleSection Section => s;
    public int Start => start;
    /// <summary>The extension this schedule is the tail of (train --resume --extend), else null.</summary>
    public Extension? Extension { get; private init; }

    /// <summary>An extension's tail: from_lr at its seam down to to_lr at its end, as cosine or linear.</summary>
    public static LrSchedule Tail(Extension x) =>
        new(new LrScheduleSection { Name = x.Tail, PerStep = x.PerStep, MinLr = x.ToLr }, x.FromLr,
            x.FromEpoch + x.Epochs, x.FromEpoch)
        { Extension = x };

    /// <summary>
    /// Where the schedule would anneal to if trained on: min_lr for cosine, linear and warm restarts, one-cycle's
    /// last rate; null for schedules that only ever hold or step (constant, step, multistep, plateau).
    /// </summary>
    public double? Floor => s.Name switch
    {
        "cosine" or "linear" or "cosine_restarts" => s.MinLr,
        "onecycle" => baseLr / s.DivFactor / s.FinalDivFactor,
        _ => null,
    };

    /// <summary>
    /// The rate for batch <paramref name="step"/> of <paramref name="epoch"/> (both 0-based).
    /// <paramref name="history"/>
    /// holds the monitored metric of each epoch before this one (used by plateau); <paramref name="higherIsBetter"/>
    /// its direction.
    /// </summary>
    public double At(int epoch, int step, int stepsPerEpoch, IReadOnlyList<double>? history = null,
        bool higherIsBetter = true)
    {
        double t = (s.PerStep && stepsPerEpoch > 0 ? epoch + (double)step / stepsPerEpoch : epoch) - start;
        if (s.Name == "onecycle") return OneCycle(t);
        if (t < s.WarmupEpochs) return s.WarmupStartLr + (baseLr - s.WarmupStartLr) * t / s.WarmupEpochs;
        return s.Name switch
        {
            "constant" => baseLr,
            "cosine" => Cosine(t - s.WarmupEpochs, length - s.WarmupEpochs),
            "linear" => Linear(t - s.WarmupEpochs, length - s.WarmupEpochs),
            "step" => baseLr * Math.Pow(s.Gamma, Math.Floor(t / s.StepEpochs)),
            "multistep" => baseLr * Math.Pow(s.Gamma, s.Milestones.Count(m => t >= m)),
            "cosine_restarts" => CosineRestarts(t - s.WarmupEpochs),
            "plateau" =>
                Math.Max(s.MinLr, baseLr * Math.Pow(s.Gamma, PlateauReductions(epoch, history, higherIsBetter))),
            _ => throw new InvalidOperationException($"unknown schedule {s.Name}"),
        };
    }

    double Linear(double t, double span) => s.MinLr + (baseLr - s.MinLr) * (1 - Math.Clamp(t / span, 0, 1));

    double Cosine(double t, double span) =>
        s.MinLr + (baseLr - s.MinLr) * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(t / span, 0, 1)));

    /// <summary>
    /// SGDR (Loshchilov and Hutter): cycles of t0, t0*t_mult, ... epochs, each a cosine from lr to min_lr.
    /// </summary>
    double CosineRestarts(double t)
    {
        double cycle = s.T0;
        while (t >= cycle) { t -= cycle; cycle *= s.TMult; }
        return Cosine(t, cycle);
    }

    /// <summary>
    /// One-cycle (Smith): cosine rise from lr/div_factor to lr over pct_start, then cosine fall to lr/(div*final_div).
    /// </summary>
    double OneCycle(double t)
    {
        double peak = s.PctStart * length;
        double first = baseLr / s.DivFactor, last = first / s.FinalDivFactor;
        if (t < peak) return first + (baseLr - first) * 0.5 * (1 - Math.Cos(Math.PI * t / peak));
        double progress = Math.Clamp((t - peak) / (length - peak), 0, 1);
        return last + (baseLr - last) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>
    /// ReduceLROnPlateau replayed over the history: the rate drops by gamma each time the metric has not
    /// improved by the relative threshold for more than <c>patience</c> epochs since this schedule began.
    /// </summary>
    int PlateauReductions(int epoch, IReadOnlyList<double>? history, bool higherIsBetter)
    {
        if (history is null) return 0;
        int reductions = 0, bad = 0;
        double best = double.NaN;
        for (int e = start; e < Math.Min(epoch, history.Count); e++)
        {
            double v = history[e];
            bool improved = double.IsNaN(best) ||
                (higherIsBetter ? v > best * (1 + s.Threshold) : v < best * (1 - s.Threshold));
            if (improved) { best = v; bad = 0; }
            else if (++bad > s.Patience) { reductions++; bad = 0; }
        }
        return reductions;
    }
}
