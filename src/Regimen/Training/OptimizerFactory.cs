using Regimen.Recipes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>A parameter group and how its learning rate relates to the schedule's.</summary>
public sealed record OptimizerGroup(ParamGroup Group, bool IsHead, bool TakesDecay, double LrScale,
    IReadOnlyList<Parameter> Parameters);

/// <summary>
/// Builds SGD or AdamW over up to four parameter groups: the classifier head (fc.*) and the backbone, each
/// split into weights that take weight decay and (with <c>no_decay_norm_bias</c>) normalization weights and
/// biases that do not, as timm does. The backbone's rate is the schedule's times backbone_lr / lr.
/// </summary>
public static class OptimizerFactory
{
    public static (OptimizerHelper Optimizer, IReadOnlyList<OptimizerGroup> Groups) Create(nn.Module model,
        OptimizerSection o, FinetuneSection finetune)
    {
        double backboneScale = finetune.BackboneLr is { } b ? b / o.Lr : 1.0;
        var buckets = new Dictionary<(bool Head, bool Decay), List<Parameter>>();
        foreach (var (name, p) in model.named_parameters())
        {
            bool head = name.StartsWith("fc.", StringComparison.Ordinal);
            // 1-D parameters are the normalization weights and the biases.
            bool decay = !(o.NoDecayNormBias && p.dim() <= 1);
            if (!buckets.TryGetValue((head, decay), out var list))
                buckets[(head, decay)] = list = new List<Parameter>();
            list.Add(p);
        }
        var keys = buckets.Keys.OrderBy(k => k.Head).ThenByDescending(k => k.Decay).ToList();
        OptimizerHelper optimizer;
        IEnumerable<ParamGroup> created;
        if (o.Name == "adamw")
        {
            var groups = keys.Select(k =>
                new AdamW.ParamGroup(buckets[k], new AdamW.Options { weight_decay = k.Decay ? o.WeightDecay : 0 }))
                .ToList();
            var adamw = optim.AdamW(groups, o.Lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay);
            (optimizer, created) = (adamw, adamw.ParamGroups.Cast<ParamGroup>());
        }
        else
        {
            var groups = keys.Select(k =>
                new SGD.ParamGroup(buckets[k], new SGD.Options { weight_decay = k.Decay ? o.WeightDecay : 0 }))
                .ToList();
            var sgd = optim.SGD(groups, o.Lr, o.Momentum, 0, o.WeightDecay, o.Nesterov);
            (optimizer, created) = (sgd, sgd.ParamGroups.Cast<ParamGroup>());
        }
        var result = created.Zip(keys, (g, k) => new OptimizerGroup(g, k.Head, k.Decay, k.Head ? 1.0 : backboneScale,
            buckets[k])).ToList();
        return (optimizer, result);
    }

    public static void SetWeightDecay(ParamGroup group, double weightDecay)
    {
        switch (group.Options)
        {
            case SGD.Options s: s.weight_decay = weightDecay; break;
            case AdamW.Options a: a.weight_decay = weightDecay; break;
        }
    }

    public static void SetLearningRate(IReadOnlyList<OptimizerGroup> groups, double lr)
    {
        foreach (var g in groups) g.Group.LearningRate = lr * g.LrScale;
    }
}
