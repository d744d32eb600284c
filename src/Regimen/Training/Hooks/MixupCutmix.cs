using Regimen.Augment;

namespace Regimen.Training;

/// <summary>
/// MixUp and CutMix as timm's Mixup (<see cref="Mixup"/>): while the epoch's augmentation is on and an alpha is
/// set, a batch is mixed with itself reversed with probability mixup.prob, and trains on soft targets. Each batch
/// draws from its own generator seeded by (seed, epoch, batch), so a resume mixes as the uninterrupted run did.
/// </summary>
public sealed class MixupCutmix : TrainingCallback
{
    public override void BeforeBatch(TrainingContext context, TrainingStep step)
    {
        var s = step.Settings;
        if (!s.Augment || (s.MixupAlpha <= 0 && s.CutmixAlpha <= 0)) return;
        var random = new Random(Seeds.DeriveInt(context.Setup.Recipe.Seed, step.Epoch, step.Batch, 0x313));
        var mix = Mixup.Apply(step.Input, step.Labels, context.Setup.Train.ClassCount, s.MixupAlpha, s.CutmixAlpha,
            s.MixupProb, s.SwitchProb, s.LabelSmoothing, random);
        if (mix.Kind == "none") return;
        step.Input = mix.Input;
        step.SoftTarget = mix.Target;
    }
}
