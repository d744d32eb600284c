namespace Regimen.Training;

/// <summary>
/// Fine-tuning's head-only phase (finetune.head_epochs): the backbone takes no gradients, so the optimizer leaves
/// it untouched, and with finetune.freeze_bn its BatchNorm layers stay in eval mode (their statistics too).
/// </summary>
public sealed class BackboneFreezing(bool freezeBatchNorm) : TrainingCallback
{
    public override void OnEpochStart(TrainingContext context, EpochSettings settings,
        IReadOnlyList<ScheduleChange> changes)
    {
        var setup = context.Setup;
        foreach (var g in setup.Groups.Where(g => !g.IsHead))
            foreach (var p in g.Parameters) p.requires_grad = !settings.BackboneFrozen;
        if (!settings.BackboneFrozen || !freezeBatchNorm) return;
        foreach (var model in setup.Replicas)
            foreach (var (name, module) in model.named_modules())
                if (module is TorchSharp.Modules.BatchNorm2d && !name.StartsWith("fc", StringComparison.Ordinal))
                    module.eval();
    }
}
