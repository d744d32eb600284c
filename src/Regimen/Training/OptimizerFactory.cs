using Regimen.Recipes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// Builds SGD or AdamW over two parameter groups: weights that take weight decay, and (when
/// <c>no_decay_norm_bias</c>) normalization weights and biases that do not, as timm does.
/// </summary>
public static class OptimizerFactory
{
    public static (OptimizerHelper Optimizer, IReadOnlyList<ParamGroup> DecayGroups) Create(nn.Module model, OptimizerSection o)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var (_, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            // 1-D parameters are BatchNorm weights and biases of every layer.
            if (o.NoDecayNormBias && p.dim() <= 1) noDecay.Add(p);
            else decay.Add(p);
        }
        if (o.Name == "adamw")
        {
            var groups = new List<AdamW.ParamGroup> { new(decay, new AdamW.Options { weight_decay = o.WeightDecay }) };
            if (noDecay.Count > 0) groups.Add(new(noDecay, new AdamW.Options { weight_decay = 0 }));
            var adamw = optim.AdamW(groups, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay);
            return (adamw, new ParamGroup[] { (ParamGroup)adamw.ParamGroups.First() });
        }
        else
        {
            var groups = new List<SGD.ParamGroup> { new(decay, new SGD.Options { weight_decay = o.WeightDecay }) };
            if (noDecay.Count > 0) groups.Add(new(noDecay, new SGD.Options { weight_decay = 0 }));
            var sgd = optim.SGD(groups, o.Lr, o.Momentum, 0, o.WeightDecay, o.Nesterov);
            return (sgd, new ParamGroup[] { (ParamGroup)sgd.ParamGroups.First() });
        }
    }

    public static void SetWeightDecay(ParamGroup group, double weightDecay)
    {
        switch (group.Options)
        {
            case SGD.Options s: s.weight_decay = weightDecay; break;
            case AdamW.Options a: a.weight_decay = weightDecay; break;
        }
    }

    public static void SetLearningRate(OptimizerHelper optimizer, double lr)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }
}
