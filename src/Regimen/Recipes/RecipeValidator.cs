namespace Regimen.Recipes;

/// <summary>
/// Range and consistency checks on a bound recipe; each error names the key path and where it was written. Names
/// that a registry owns (models, data sets, schedules, metrics) are checked by that registry, through the
/// <see cref="RecipeCheck"/> the caller gives the loader (Sessions.CheckedRecipes): recipes import no later stage.
/// </summary>
internal static class RecipeValidator
{
    public static List<string> Validate(Recipe r, Func<string, string> where)
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message)
        {
            if (!ok) errors.Add($"{where(key)}: {key}: {message}");
        }
        void Probability(double p, string key) =>
            Check(p is >= 0 and <= 1, key, $"must be a probability between 0 and 1, got {p}");
        void Fraction(double p, string key) =>
            Check(p is >= 0 and < 1, key, $"must be at least 0 and below 1, got {p}");

        Check(r.Epochs >= 1, "epochs", $"must be at least 1, got {r.Epochs}");
        Check(r.BatchSize >= 1, "batch_size", $"must be at least 1, got {r.BatchSize}");
        Check(r.Precision is "fp32" or "bf16", "precision", $"must be fp32 or bf16, got '{r.Precision}'");
        Check(r.Threads >= 0, "threads", $"must be 0 (one per core) or more, got {r.Threads}");
        Check(r.Divergence.Action is "stop" or "rollback", "divergence.action", $"must be stop or rollback, got " +
            $"'{r.Divergence.Action}'");
        Check(r.Divergence.LrFactor is > 0 and < 1, "divergence.lr_factor", $"must be between 0 and 1, got " +
            $"{r.Divergence.LrFactor}");
        Check(r.Divergence.MaxRollbacks >= 0, "divergence.max_rollbacks", $"must be 0 or more, got " +
            $"{r.Divergence.MaxRollbacks}");
        Check(r.Divergence.MaxGradNorm >= 0, "divergence.max_grad_norm", $"must be 0 (off) or more, got " +
            $"{r.Divergence.MaxGradNorm}");
        Check(r.Checkpoint.EverySteps >= 0, "checkpoint.every_steps", $"must be 0 (epoch ends only) or more, got " +
            $"{r.Checkpoint.EverySteps}");

        Check(r.Model.Width is null or >= 1, "model.width", $"must be at least 1, got {r.Model.Width}");
        Check(r.Model.Depth is null or >= 1, "model.depth", $"must be at least 1, got {r.Model.Depth}");
        Check(r.Model.WidenFactor is null or >= 1, "model.widen_factor",
            $"must be at least 1, got {r.Model.WidenFactor}");
        Fraction(r.Model.Dropout, "model.dropout");
        Fraction(r.Model.DropPath, "model.drop_path");

        Check(r.Data.ImageSize >= 8, "data.image_size", $"must be at least 8 pixels, got {r.Data.ImageSize}");
        Check(r.Data.Validation is "test" or "holdout", "data.validation", $"must be 'test' or 'holdout', got " +
            $"'{r.Data.Validation}'");
        Check(r.Data.ValFraction is > 0 and < 1, "data.val_fraction", $"must be between 0 and 1, got " +
            $"{r.Data.ValFraction}");
        Check(r.Data.Folds == 0 || r.Data.Folds >= 2, "data.folds",
            $"must be 0 (off) or at least 2, got {r.Data.Folds}");
        Check(r.Data.Cache is "auto" or "true" or "false", "data.cache", $"must be auto, true or false, got " +
            $"'{r.Data.Cache}'");
        Check(r.Data.Workers is 0 or 1, "data.workers", $"must be 0 (prepare batches in the loop) or 1 (a worker " +
            $"thread), got {r.Data.Workers}");
        Check(r.Data.Prefetch >= 1, "data.prefetch", $"must be at least 1, got {r.Data.Prefetch}");
        Check(r.Data.TrainLimit >= 0, "data.train_limit", $"must be 0 (all) or more, got {r.Data.TrainLimit}");
        Check(r.Data.ValLimit >= 0, "data.val_limit", $"must be 0 (all) or more, got {r.Data.ValLimit}");
        Check(r.Data.Resolution == 0 || r.Data.Resolution >= 8, "data.resolution", $"must be 0 (native) or at least " +
            $"8 pixels, got {r.Data.Resolution}");

        Check(r.Optimizer.Name is "sgd" or "adamw", "optimizer.name", $"must be 'sgd' or 'adamw', got " +
            $"'{r.Optimizer.Name}'");
        Check(r.Optimizer.Lr > 0, "optimizer.lr", $"must be positive, got {r.Optimizer.Lr}");
        Fraction(r.Optimizer.Momentum, "optimizer.momentum");
        Check(r.Optimizer.WeightDecay >= 0, "optimizer.weight_decay", $"must not be negative, got " +
            $"{r.Optimizer.WeightDecay}");
        Fraction(r.Optimizer.Beta1, "optimizer.beta1");
        Fraction(r.Optimizer.Beta2, "optimizer.beta2");
        Check(r.Optimizer.Eps > 0, "optimizer.eps", $"must be positive, got {r.Optimizer.Eps}");
        Check(r.Optimizer.ClipGradNorm >= 0, "optimizer.clip_grad_norm", $"must be 0 (off) or positive, got " +
            $"{r.Optimizer.ClipGradNorm}");
        Check(r.Optimizer.AccumulationSteps >= 1, "optimizer.accumulation_steps", $"must be at least 1, got " +
            $"{r.Optimizer.AccumulationSteps}");

        var s = r.LrSchedule;
        // The schedules span the epochs the recipe was planned with; an extension (Extensions) only adds a tail.
        int planned = r.ScheduledEpochs();
        Check(s.WarmupEpochs >= 0 && s.WarmupEpochs < planned, "lr_schedule.warmup_epochs",
            $"must be at least 0 and below epochs ({planned}), got {s.WarmupEpochs}");
        Check(s.WarmupStartLr >= 0, "lr_schedule.warmup_start_lr", $"must not be negative, got {s.WarmupStartLr}");
        Check(s.MinLr >= 0 && (r.Optimizer.Lr <= 0 || s.MinLr <= r.Optimizer.Lr), "lr_schedule.min_lr",
            $"must be between 0 and optimizer.lr ({r.Optimizer.Lr}), got {s.MinLr}");
        Check(s.PctStart is > 0 and < 1, "lr_schedule.pct_start", $"must be between 0 and 1, got {s.PctStart}");
        Check(s.DivFactor >= 1, "lr_schedule.div_factor", $"must be at least 1, got {s.DivFactor}");
        Check(s.FinalDivFactor >= 1, "lr_schedule.final_div_factor", $"must be at least 1, got {s.FinalDivFactor}");
        Check(s.StepEpochs >= 1, "lr_schedule.step_epochs", $"must be at least 1, got {s.StepEpochs}");
        Check(s.Gamma is > 0 and <= 1, "lr_schedule.gamma", $"must be in (0, 1], got {s.Gamma}");
        Check(s.T0 >= 1, "lr_schedule.t0", $"must be at least 1, got {s.T0}");
        Check(s.TMult >= 1, "lr_schedule.t_mult", $"must be at least 1, got {s.TMult}");
        Check(s.Patience >= 0, "lr_schedule.patience", $"must not be negative, got {s.Patience}");
        Check(s.Threshold >= 0, "lr_schedule.threshold", $"must not be negative, got {s.Threshold}");
        for (int i = 0; i < s.Milestones.Count; i++)
            Check(s.Milestones[i] > 0 && s.Milestones[i] < planned &&
                (i == 0 || s.Milestones[i] > s.Milestones[i - 1]),
                $"lr_schedule.milestones[{i}]",
                $"must increase and lie inside 1..{planned - 1}, got {s.Milestones[i]}");

        Fraction(r.Regularization.LabelSmoothing, "regularization.label_smoothing");
        var a = r.Augment;
        Check(a.Level is "full" or "reduced" or "minimal", "augment.level", $"must be full, reduced or minimal, got " +
            $"'{a.Level}'");
        Check(a.CropPadding >= 0, "augment.crop_padding", $"must not be negative, got {a.CropPadding}");
        Probability(a.Hflip, "augment.hflip");
        var rrc = a.RandomResizedCrop;
        Check(rrc.MinScale > 0 && rrc.MinScale <= rrc.MaxScale && rrc.MaxScale <= 1,
            "augment.random_resized_crop.min_scale",
            $"need 0 < min_scale <= max_scale <= 1, got {rrc.MinScale} and {rrc.MaxScale}");
        Check(rrc.MinRatio > 0 && rrc.MinRatio <= rrc.MaxRatio, "augment.random_resized_crop.min_ratio",
            $"need 0 < min_ratio <= max_ratio, got {rrc.MinRatio} and {rrc.MaxRatio}");
        Probability(a.ColorJitter.P, "augment.color_jitter.p");
        Check(a.ColorJitter.Brightness is >= 0 and <= 1, "augment.color_jitter.brightness", $"must be between 0 and " +
            $"1, got {a.ColorJitter.Brightness}");
        Check(a.ColorJitter.Contrast is >= 0 and <= 1, "augment.color_jitter.contrast", $"must be between 0 and 1, " +
            $"got {a.ColorJitter.Contrast}");
        Check(a.ColorJitter.Saturation is >= 0 and <= 1, "augment.color_jitter.saturation", $"must be between 0 and " +
            $"1, got {a.ColorJitter.Saturation}");
        Check(a.ColorJitter.Hue is >= 0 and <= 0.5, "augment.color_jitter.hue", $"must be between 0 and 0.5, got " +
            $"{a.ColorJitter.Hue}");
        Probability(a.CoarseDropout.P, "augment.coarse_dropout.p");
        Check(a.CoarseDropout.MinHoles >= 1 && a.CoarseDropout.MinHoles <= a.CoarseDropout.MaxHoles,
            "augment.coarse_dropout.min_holes",
            $"need 1 <= min_holes <= max_holes, got {a.CoarseDropout.MinHoles} and {a.CoarseDropout.MaxHoles}");
        Check(a.CoarseDropout.MaxSize is > 0 and <= 1, "augment.coarse_dropout.max_size", $"must be in (0, 1], got " +
            $"{a.CoarseDropout.MaxSize}");
        Probability(a.RandomErasing.P, "augment.random_erasing.p");
        Check(a.RandomErasing.MinArea > 0 && a.RandomErasing.MinArea <= a.RandomErasing.MaxArea &&
            a.RandomErasing.MaxArea <= 1,
            "augment.random_erasing.min_area",
                $"need 0 < min_area <= max_area <= 1, got {a.RandomErasing.MinArea} and {a.RandomErasing.MaxArea}");
        Check(a.RandomErasing.MinRatio is > 0 and <= 1, "augment.random_erasing.min_ratio", $"must be in (0, 1], got " +
            $"{a.RandomErasing.MinRatio}");
        Probability(a.Blur.P, "augment.blur.p");
        Check(a.Blur.Kind is "gaussian" or "motion", "augment.blur.kind", $"must be gaussian or motion, got " +
            $"'{a.Blur.Kind}'");
        Check(a.Blur.MaxSigma >= 0.1, "augment.blur.max_sigma", $"must be at least 0.1, got {a.Blur.MaxSigma}");
        Check(a.Blur.MotionLength >= 3, "augment.blur.motion_length", $"must be at least 3, got {a.Blur.MotionLength}");
        Check(r.Mixup.MixupAlpha >= 0, "mixup.mixup_alpha", $"must not be negative, got {r.Mixup.MixupAlpha}");
        Check(r.Mixup.CutmixAlpha >= 0, "mixup.cutmix_alpha", $"must not be negative, got {r.Mixup.CutmixAlpha}");
        Probability(r.Mixup.Prob, "mixup.prob");
        Probability(r.Mixup.SwitchProb, "mixup.switch_prob");
        Check(r.Ema.Decay is > 0 and < 1, "ema.decay", $"must be between 0 and 1, got {r.Ema.Decay}");
        Check(r.Evaluation.TtaCrops is 0 or 5, "evaluation.tta_crops", $"must be 0 or 5, got {r.Evaluation.TtaCrops}");
        Check(r.Evaluation.TtaResolution == 0 || r.Evaluation.TtaResolution >= 8, "evaluation.tta_resolution",
            $"must be 0 or at least 8 pixels, got {r.Evaluation.TtaResolution}");
        Check(r.Evaluation.BatchSize >= 1, "evaluation.batch_size",
            $"must be at least 1, got {r.Evaluation.BatchSize}");
        // The names themselves are the monitor registry's to check (Training.Monitor); here: is the metric recorded
        // at all?
        Recorded(r.Evaluation.Monitor, "evaluation.monitor");

        Check(r.Finetune.HeadEpochs >= 0 && r.Finetune.HeadEpochs < planned, "finetune.head_epochs",
            $"must be at least 0 and below epochs ({planned}), got {r.Finetune.HeadEpochs}");
        Check(r.Finetune.BackboneLr is null or > 0, "finetune.backbone_lr",
            $"must be positive, got {r.Finetune.BackboneLr}");
        Check(r.Finetune.HeadEpochs == 0 || r.Model.Pretrained != null, "finetune.head_epochs", "a head-only phase " +
            "needs model.pretrained weights to keep");
        var es = r.EarlyStopping;
        Check(es.Mode is "auto" or "min" or "max", "early_stopping.mode", $"must be auto (the monitor's direction), " +
            $"min or max, got '{es.Mode}'");
        if (es.Enabled) Recorded(es.Monitor, "early_stopping.monitor");
        Check(es.Patience >= 1, "early_stopping.patience", $"must be at least 1, got {es.Patience}");
        Check(es.MinDelta >= 0, "early_stopping.min_delta", $"must not be negative, got {es.MinDelta}");
        Check(es.MinEpochs >= 0, "early_stopping.min_epochs", $"must not be negative, got {es.MinEpochs}");

        for (int i = 0; i < r.Phases.Count; i++)
        {
            var p = r.Phases[i];
            var key = $"phases[{i}]";
            Check(p.FromEpoch >= 0 && p.FromEpoch < planned, $"{key}.from_epoch",
                $"must lie inside the training's epochs 0..{planned - 1}, got {p.FromEpoch}");
            if (i > 0)
                Check(p.FromEpoch > r.Phases[i - 1].FromEpoch, $"{key}.from_epoch",
                    $"phases overlap: {p.FromEpoch} does not come after the previous phase's " +
                        $"{r.Phases[i - 1].FromEpoch}");
            Check(p.Resolution is null or >= 8, $"{key}.resolution", $"must be at least 8 pixels, got {p.Resolution}");
            Check(p.LabelSmoothing is null or (>= 0 and < 1), $"{key}.label_smoothing", $"must be at least 0 and " +
                $"below 1, got {p.LabelSmoothing}");
            Check(p.WeightDecay is null or >= 0, $"{key}.weight_decay", $"must not be negative, got {p.WeightDecay}");
            Check(p.Dropout is null or (>= 0 and < 1), $"{key}.dropout", $"must be at least 0 and below 1, got " +
                $"{p.Dropout}");
            Check(p.DropPath is null or (>= 0 and < 1), $"{key}.drop_path", $"must be at least 0 and below 1, got " +
                $"{p.DropPath}");
            Check(p.AugmentLevel is null or "full" or "reduced" or "minimal", $"{key}.augment_level",
                $"must be full, reduced or minimal, got '{p.AugmentLevel}'");
            Check(p.MixupAlpha is null or >= 0, $"{key}.mixup_alpha", $"must not be negative, got {p.MixupAlpha}");
            Check(p.CutmixAlpha is null or >= 0, $"{key}.cutmix_alpha", $"must not be negative, got {p.CutmixAlpha}");
            Check(p.MixupProb is null or (>= 0 and <= 1), $"{key}.mixup_prob", $"must be a probability between 0 and " +
                $"1, got {p.MixupProb}");
            Check(p.SwitchProb is null or (>= 0 and <= 1), $"{key}.switch_prob", $"must be a probability between 0 " +
                $"and 1, got {p.SwitchProb}");
            Check(p.Lr is null or > 0, $"{key}.lr", $"must be positive, got {p.Lr}");
            Check(p.RampEpochs >= 0 && p.FromEpoch + p.RampEpochs < planned + 1, $"{key}.ramp_epochs",
                $"must be at least 0 and end by the last epoch, got {p.RampEpochs}");
            Check(i + 1 >= r.Phases.Count || p.FromEpoch + p.RampEpochs <= r.Phases[i + 1].FromEpoch,
                $"{key}.ramp_epochs",
                $"the ramp ({p.FromEpoch}..{p.FromEpoch + p.RampEpochs}) runs into the next phase (from epoch " +
                    $"{(i + 1 < r.Phases.Count ? r.Phases[i + 1].FromEpoch : 0)})");
            Check(p.ResolutionStep >= 1, $"{key}.resolution_step", $"must be at least 1, got {p.ResolutionStep}");
        }
        ValidateExtensions(r, Check);
        return errors;

        void Recorded(string metric, string key)
        {
            var why = Unrecorded(r, metric);
            Check(why is null, key, why ?? "");
        }
    }

    /// <summary>
    /// Null when a run of the recipe records the metric, else why not: the EMA and test-time-augmentation metrics
    /// need their technique on (evaluation.monitor, early_stopping.monitor, evolve --monitor).
    /// </summary>
    public static string? Unrecorded(Recipe r, string metric) =>
        metric.EndsWith("_ema", StringComparison.Ordinal) && !r.Ema.Enabled
            ? $"'{metric}' is only recorded with ema.enabled: true"
            : metric == "val_acc_tta" && !r.Evaluation.TtaFlip && r.Evaluation.TtaCrops == 0 &&
              r.Evaluation.TtaResolution == 0
                ? "'val_acc_tta' is only recorded with test-time augmentation (evaluation.tta_flip, tta_crops or " +
                  "tta_resolution)"
                : null;

    /// <summary>Extensions follow one another from a seam inside the planned epochs to the recipe's end.</summary>
    static void ValidateExtensions(Recipe r, Action<bool, string, string> check)
    {
        for (int i = 0; i < r.Extensions.Count; i++)
        {
            var x = r.Extensions[i];
            var key = $"extensions[{i}]";
            int seam = i == 0 ? x.FromEpoch : r.Extensions[i - 1].FromEpoch + r.Extensions[i - 1].Epochs;
            check(x.Epochs >= 1, $"{key}.epochs", $"must be at least 1, got {x.Epochs}");
            check(x.FromEpoch >= 1 && x.FromEpoch == seam && x.FromEpoch <= x.PlannedEpochs, $"{key}.from_epoch",
                i == 0 ? $"must lie inside 1..planned_epochs ({x.PlannedEpochs}), got {x.FromEpoch}"
                    : $"must be where the previous extension ends ({seam}), got {x.FromEpoch}");
            check(i == 0 || x.PlannedEpochs == seam, $"{key}.planned_epochs",
                $"must be the epochs before this extension ({seam}), got {x.PlannedEpochs}");
            check(Extension.Tails.Contains(x.Tail), $"{key}.tail", $"must be cosine or linear, got '{x.Tail}'");
            check(x.FromLr >= 0 && x.ToLr >= 0, $"{key}.from_lr",
                $"rates must not be negative, got {x.FromLr} and {x.ToLr}");
            check(i + 1 < r.Extensions.Count || x.FromEpoch + x.Epochs == r.Epochs, "epochs",
                $"an extended recipe ends where its last extension does ({x.FromEpoch + x.Epochs}), got {r.Epochs}");
        }
    }
}
