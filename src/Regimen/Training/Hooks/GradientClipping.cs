using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// optimizer.clip_grad_norm: the gradients' global L2 norm is clipped to the limit before each optimizer step.
/// </summary>
public sealed class GradientClipping(double maxNorm) : TrainingCallback
{
    public override void BeforeStep(TrainingContext context, TrainingStep step) =>
        // clip_grad_norm_ returns the norm before clipping: the divergence check reads it from the step.
        step.GradNorm = nn.utils.clip_grad_norm_(context.Setup.Model.parameters(), maxNorm);
}
