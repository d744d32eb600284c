using Regimen.Recipes;

namespace Regimen.Training;

/// <summary>The values a recipe's phases can change, as they stand during one epoch.</summary>
public sealed record EpochSettings(
    int Epoch,
    string Phase,
    int Resolution,
    bool Augment,
    string AugmentLevel,
    double MixupAlpha,
    double CutmixAlpha,
    double MixupProb,
    double SwitchProb,
    double LabelSmoothing,
    double WeightDecay,
    double Dropout,
    double DropPath,
    LrSchedule Schedule,
    bool BackboneFrozen);

/// <summary>One scheduled value that changes at the start of an epoch: the run records these as events.</summary>
public sealed record ScheduleChange(int Epoch, string Key, string From, string To);

/// <summary>
/// Resolves a recipe's phases into the settings of any epoch, as a pure function of the epoch: training,
/// resume and <c>regimen recipes simulate</c> all ask it the same question and get the same answer.
/// </summary>
public sealed class PhasePlan
{
    readonly Recipe recipe;
    readonly int nativeResolution;
    readonly List<LrSchedule> schedules = new();
    readonly List<LrSchedule> tails;

    public PhasePlan(Recipe recipe, int nativeResolution)
    {
        this.recipe = recipe;
        this.nativeResolution = nativeResolution;
        // The recipe's own schedules span the epochs it was planned with; extensions add tails after them.
        int planned = recipe.ScheduledEpochs();
        schedules.Add(new LrSchedule(recipe.LrSchedule, recipe.Optimizer.Lr, planned));
        foreach (var p in recipe.Phases.Where(p => p.LrSchedule != null || p.Lr != null))
            schedules.Add(new LrSchedule(p.LrSchedule ?? recipe.LrSchedule, p.Lr ?? recipe.Optimizer.Lr, planned,
                p.FromEpoch));
        tails = recipe.Extensions.Select(LrSchedule.Tail).ToList();
    }

    public Recipe Recipe => recipe;

    /// <summary>
    /// The settings of <paramref name="epoch"/>. In an extension's tail only the learning rate moves on: every
    /// other value stays as it was in the last epoch before the first seam.
    /// </summary>
    public EpochSettings At(int epoch)
    {
        if (tails.Count > 0 && epoch >= tails[0].Start)
            return Planned(tails[0].Start - 1) with { Epoch = epoch, Schedule = tails.Last(t => t.Start <= epoch) };
        return Planned(epoch);
    }

    EpochSettings Planned(int epoch)
    {
        var m = recipe.Mixup;
        var s = new EpochSettings(epoch, "base",
            recipe.Data.Resolution > 0 ? recipe.Data.Resolution : nativeResolution,
            recipe.Augment.Enabled, recipe.Augment.Level, m.MixupAlpha, m.CutmixAlpha, m.Prob, m.SwitchProb,
            recipe.Regularization.LabelSmoothing, recipe.Optimizer.WeightDecay,
            recipe.Model.Dropout, recipe.Model.DropPath, schedules[0], epoch < recipe.Finetune.HeadEpochs);
        for (int i = 0; i < recipe.Phases.Count; i++)
        {
            var p = recipe.Phases[i];
            if (p.FromEpoch > epoch) break;
            var before = s;
            s = s with
            {
                Phase = p.Name ?? $"phase{i + 1}",
                Resolution = p.Resolution ?? s.Resolution,
                Augment = p.Augment ?? s.Augment,
                AugmentLevel = p.AugmentLevel ?? s.AugmentLevel,
                MixupAlpha = p.MixupAlpha ?? s.MixupAlpha,
                CutmixAlpha = p.CutmixAlpha ?? s.CutmixAlpha,
                MixupProb = p.MixupProb ?? s.MixupProb,
                SwitchProb = p.SwitchProb ?? s.SwitchProb,
                LabelSmoothing = p.LabelSmoothing ?? s.LabelSmoothing,
                WeightDecay = p.WeightDecay ?? s.WeightDecay,
                Dropout = p.Dropout ?? s.Dropout,
                DropPath = p.DropPath ?? s.DropPath,
                Schedule = schedules.Last(x => x.Start <= epoch),
            };
            if (p.RampEpochs > 0 && epoch < p.FromEpoch + p.RampEpochs)
            {
                // Linear from the values before the phase (at from_epoch) to the phase's (at from_epoch + ramp_epochs).
                double t = (double)(epoch - p.FromEpoch) / p.RampEpochs;
                double L(double a, double b) => a + (b - a) * t;
                s = s with
                {
                    // Only a resolution that changes is ramped (and rounded): a native 28 px stays 28, not 32.
                    Resolution = before.Resolution == s.Resolution ? s.Resolution
                        : (int)(Math.Round(L(before.Resolution, s.Resolution) / p.ResolutionStep,
                            MidpointRounding.ToEven) * p.ResolutionStep),
                    MixupAlpha = L(before.MixupAlpha, s.MixupAlpha),
                    CutmixAlpha = L(before.CutmixAlpha, s.CutmixAlpha),
                    MixupProb = L(before.MixupProb, s.MixupProb),
                    LabelSmoothing = L(before.LabelSmoothing, s.LabelSmoothing),
                    WeightDecay = L(before.WeightDecay, s.WeightDecay),
                    Dropout = L(before.Dropout, s.Dropout),
                    DropPath = L(before.DropPath, s.DropPath),
                };
            }
        }
        return s;
    }

    /// <summary>What changes between the previous epoch and <paramref name="epoch"/> (nothing at epoch 0).</summary>
    public IReadOnlyList<ScheduleChange> ChangesAt(int epoch)
    {
        if (epoch == 0) return Array.Empty<ScheduleChange>();
        var before = At(epoch - 1);
        var now = At(epoch);
        var changes = new List<ScheduleChange>();
        void Compare<T>(string key, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                changes.Add(new ScheduleChange(epoch, key, Text(a), Text(b)));
        }
        Compare("phase", before.Phase, now.Phase);
        Compare("resolution", before.Resolution, now.Resolution);
        Compare("augment", before.Augment, now.Augment);
        Compare("augment_level", before.AugmentLevel, now.AugmentLevel);
        Compare("mixup_alpha", before.MixupAlpha, now.MixupAlpha);
        Compare("cutmix_alpha", before.CutmixAlpha, now.CutmixAlpha);
        Compare("mixup_prob", before.MixupProb, now.MixupProb);
        Compare("switch_prob", before.SwitchProb, now.SwitchProb);
        Compare("label_smoothing", before.LabelSmoothing, now.LabelSmoothing);
        Compare("weight_decay", before.WeightDecay, now.WeightDecay);
        Compare("dropout", before.Dropout, now.Dropout);
        Compare("drop_path", before.DropPath, now.DropPath);
        if (before.BackboneFrozen != now.BackboneFrozen)
            changes.Add(new ScheduleChange(epoch, "backbone", before.BackboneFrozen ? "frozen" : "trainable",
                now.BackboneFrozen ? "frozen" : "trainable"));
        if (!ReferenceEquals(before.Schedule, now.Schedule))
            changes.Add(new ScheduleChange(epoch, "lr_schedule", before.Schedule.Section.Name,
                now.Schedule.Extension is { } x
                    ? $"{x.Tail} tail {Units.Exact(x.FromLr)}→{Units.Exact(x.ToLr)} (extended by {x.Epochs})"
                    : now.Schedule.Section.Name));
        return changes;
    }

    static string Text<T>(T value) => value switch
    {
        bool b => b ? "on" : "off",
        double d => Units.Significant(d, 9),   // a ramp's arithmetic noise gone, any value a recipe gives kept
        _ => value?.ToString() ?? "",
    };
}
