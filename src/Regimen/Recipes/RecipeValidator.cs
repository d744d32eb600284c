using Regimen.Data;
using Regimen.Models;
using Regimen.Training;

namespace Regimen.Recipes;

/// <summary>Range and consistency checks on a bound recipe; each error names the key path and where it was written.</summary>
internal static class RecipeValidator
{
    public static List<string> Validate(Recipe r, Func<string, string> where)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message)
        {
            if (!ok) errors.Add($"{where(key)}: {key}: {message}");
        }
        void Probability(double p, string key) => Check(p is >= 0 and <= 1, key, $"must be a probability between 0 and 1, got {p}");
        void Fraction(double p, string key) => Check(p is >= 0 and < 1, key, $"must be at least 0 and below 1, got {p}");

        Check(r.Epochs >= 1, "epochs", $"must be at least 1, got {r.Epochs}");
        Check(r.BatchSize >= 1, "batch_size", $"must be at least 1, got {r.BatchSize}");
        Check(r.Threads >= 0, "threads", $"must be 0 (one per core) or more, got {r.Threads}");

        Check(ModelRegistry.Contains(r.Model.Name), "model.name",
            $"unknown model '{r.Model.Name}'" + Suggest(r.Model.Name, ModelRegistry.All.Select(m => m.Name)));
        Check(r.Model.Width is null or >= 1, "model.width", $"must be at least 1, got {r.Model.Width}");
        Check(r.Model.Depth is null or >= 1, "model.depth", $"must be at least 1, got {r.Model.Depth}");
        Check(r.Model.WidenFactor is null or >= 1, "model.widen_factor", $"must be at least 1, got {r.Model.WidenFactor}");
        Fraction(r.Model.Dropout, "model.dropout");
        Fraction(r.Model.DropPath, "model.drop_path");

        Check(BuiltinDatasets.Find(r.Data.Dataset) != null, "data.dataset",
            $"unknown data set '{r.Data.Dataset}'" + Suggest(r.Data.Dataset, BuiltinDatasets.All.Select(d => d.Name)));
        Check(r.Data.Validation is "test" or "holdout", "data.validation", $"must be 'test' or 'holdout', got '{r.Data.Validation}'");
        Check(r.Data.ValFraction is > 0 and < 1, "data.val_fraction", $"must be between 0 and 1, got {r.Data.ValFraction}");
        Check(r.Data.TrainLimit >= 0, "data.train_limit", $"must be 0 (all) or more, got {r.Data.TrainLimit}");
        Check(r.Data.ValLimit >= 0, "data.val_limit", $"must be 0 (all) or more, got {r.Data.ValLimit}");
        Check(r.Data.Resolution == 0 || r.Data.Resolution >= 8, "data.resolution", $"must be 0 (native) or at least 8 pixels, got {r.Data.Resolution}");

        Check(r.Optimizer.Name is "sgd" or "adamw", "optimizer.name", $"must be 'sgd' or 'adamw', got '{r.Optimizer.Name}'");
        Check(r.Optimizer.Lr > 0, "optimizer.lr", $"must be positive, got {r.Optimizer.Lr}");
        Fraction(r.Optimizer.Momentum, "optimizer.momentum");
        Check(r.Optimizer.WeightDecay >= 0, "optimizer.weight_decay", $"must not be negative, got {r.Optimizer.WeightDecay}");
        Fraction(r.Optimizer.Beta1, "optimizer.beta1");
        Fraction(r.Optimizer.Beta2, "optimizer.beta2");
        Check(r.Optimizer.Eps > 0, "optimizer.eps", $"must be positive, got {r.Optimizer.Eps}");
        Check(r.Optimizer.ClipGradNorm >= 0, "optimizer.clip_grad_norm", $"must be 0 (off) or positive, got {r.Optimizer.ClipGradNorm}");
        Check(r.Optimizer.AccumulationSteps >= 1, "optimizer.accumulation_steps", $"must be at least 1, got {r.Optimizer.AccumulationSteps}");

        var s = r.LrSchedule;
        Check(LrSchedule.Names.Contains(s.Name), "lr_schedule.name", $"unknown schedule '{s.Name}'" + Suggest(s.Name, LrSchedule.Names));
        Check(s.WarmupEpochs >= 0 && s.WarmupEpochs < r.Epochs, "lr_schedule.warmup_epochs", $"must be at least 0 and below epochs ({r.Epochs}), got {s.WarmupEpochs}");
        Check(s.WarmupStartLr >= 0, "lr_schedule.warmup_start_lr", $"must not be negative, got {s.WarmupStartLr}");
        Check(s.MinLr >= 0 && (r.Optimizer.Lr <= 0 || s.MinLr <= r.Optimizer.Lr), "lr_schedule.min_lr", $"must be between 0 and optimizer.lr ({r.Optimizer.Lr}), got {s.MinLr}");
        Check(s.PctStart is > 0 and < 1, "lr_schedule.pct_start", $"must be between 0 and 1, got {s.PctStart}");
        Check(s.DivFactor >= 1, "lr_schedule.div_factor", $"must be at least 1, got {s.DivFactor}");
        Check(s.FinalDivFactor >= 1, "lr_schedule.final_div_factor", $"must be at least 1, got {s.FinalDivFactor}");
        Check(s.StepEpochs >= 1, "lr_schedule.step_epochs", $"must be at least 1, got {s.StepEpochs}");
        Check(s.Gamma is > 0 and <= 1, "lr_schedule.gamma", $"must be in (0, 1], got {s.Gamma}");
        Check(s.T0 >= 1, "lr_schedule.t0", $"must be at least 1, got {s.T0}");
        Check(s.TMult >= 1, "lr_schedule.t_mult", $"must be at least 1, got {s.TMult}");
        for (int i = 0; i < s.Milestones.Count; i++)
            Check(s.Milestones[i] > 0 && s.Milestones[i] < r.Epochs && (i == 0 || s.Milestones[i] > s.Milestones[i - 1]),
                $"lr_schedule.milestones[{i}]", $"must increase and lie inside 1..{r.Epochs - 1}, got {s.Milestones[i]}");

        Fraction(r.Regularization.LabelSmoothing, "regularization.label_smoothing");
        Check(r.Augment.CropPadding >= 0, "augment.crop_padding", $"must not be negative, got {r.Augment.CropPadding}");
        Probability(r.Augment.Hflip, "augment.hflip");
        Check(r.Evaluation.BatchSize >= 1, "evaluation.batch_size", $"must be at least 1, got {r.Evaluation.BatchSize}");
        Check(r.Evaluation.Monitor is "val_acc" or "val_loss", "evaluation.monitor", $"must be 'val_acc' or 'val_loss', got '{r.Evaluation.Monitor}'");

        for (int i = 0; i < r.Phases.Count; i++)
        {
            var p = r.Phases[i];
            var key = $"phases[{i}]";
            Check(p.FromEpoch >= 0 && p.FromEpoch < r.Epochs, $"{key}.from_epoch",
                $"must lie inside the training's epochs 0..{r.Epochs - 1}, got {p.FromEpoch}");
            if (i > 0)
                Check(p.FromEpoch > r.Phases[i - 1].FromEpoch, $"{key}.from_epoch",
                    $"phases overlap: {p.FromEpoch} does not come after the previous phase's {r.Phases[i - 1].FromEpoch}");
            Check(p.Resolution is null or >= 8, $"{key}.resolution", $"must be at least 8 pixels, got {p.Resolution}");
            Check(p.LabelSmoothing is null or (>= 0 and < 1), $"{key}.label_smoothing", $"must be at least 0 and below 1, got {p.LabelSmoothing}");
            Check(p.WeightDecay is null or >= 0, $"{key}.weight_decay", $"must not be negative, got {p.WeightDecay}");
            Check(p.Dropout is null or (>= 0 and < 1), $"{key}.dropout", $"must be at least 0 and below 1, got {p.Dropout}");
            Check(p.DropPath is null or (>= 0 and < 1), $"{key}.drop_path", $"must be at least 0 and below 1, got {p.DropPath}");
        }
        return errors;
    }

    static string Suggest(string value, IEnumerable<string> known)
    {
        var hint = YamlBinder.DidYouMean(value, known);
        return hint != null ? $" (did you mean '{hint}'?)" : $" (known: {string.Join(", ", known)})";
    }
}
