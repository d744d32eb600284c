using System.Globalization;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Turns findings into recommendations: recipe patches computed from the run's own values (for Regimen runs),
/// the other tool's terms for foreign logs, the source of the idea and what would confirm it.
/// </summary>
internal static class Advisor
{
    public static List<Recommendation> Advise(TrainingLog log, List<Finding> findings)
    {
        var h = log.Hyperparameters;
        var byId = new Dictionary<string, Recommendation>();
        void Add(Finding f, Recommendation r)
        {
            if (byId.TryGetValue(r.Id, out var existing)) { if (!existing.Findings.Contains(f.Kind)) existing.Findings.Add(f.Kind); r = existing; }
            else { r.Findings.Add(f.Kind); byId[r.Id] = r; }
            if (!f.Recommendations.Contains(r.Id)) f.Recommendations.Add(r.Id);
        }
        double Num(string key, double fallback) =>
            h.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : fallback;
        static string F(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
        double lr = Num("optimizer.lr", Num("lr", Num("learning_rate", double.NaN)));
        double wd = Num("optimizer.weight_decay", Num("weight_decay", double.NaN));

        foreach (var f in findings)
        {
            switch (f.Kind)
            {
                case "schedule-shift" when f.Severity == "critical":
                {
                    var patch = new Dictionary<string, string>();
                    // The phase that switched augmentations off (seed 001's FixRes phase) keeps them on.
                    string mixup = h.TryGetValue("mixup.mixup_alpha", out var baseMix) ? baseMix : "0";
                    for (int i = 0; h.ContainsKey($"phases[{i}].from_epoch"); i++)
                    {
                        if (h.TryGetValue($"phases[{i}].augment", out var a) && a is "false") patch[$"phases[{i}].augment"] = "true";
                        if (h.TryGetValue($"phases[{i}].augment_level", out var l) && l is "minimal") patch[$"phases[{i}].augment_level"] = "reduced";
                        // MixUp switched off late: keep the strength the phase before had.
                        if (h.TryGetValue($"phases[{i}].mixup_alpha", out var m))
                        {
                            if (m is "0" && mixup != "0") patch[$"phases[{i}].mixup_alpha"] = mixup;
                            else mixup = m;
                        }
                    }
                    Add(f, new Recommendation
                    {
                        Id = "keep-training-augmentations",
                        Title = "Keep training augmentations on in the late phase, also at the higher resolution",
                        Why = "The gap opened where regularization was switched off. FixRes fine-tunes at the test resolution to fix the train-test resolution discrepancy; it does not mean training without augmentation.",
                        Patch = patch,
                        Foreign = new() { ["timm"] = "keep the train transform (and --mixup/--cutmix) for all epochs; change only --img-size", ["keras"] = "keep the augmentation layers active in the last phase" },
                        Source = "Touvron et al. 2019, Fixing the train-test resolution discrepancy (FixRes); seed 001",
                        Confirm = "the train-validation gap stays below 5 points after the phase change and validation accuracy keeps rising in the last phase",
                    });
                    break;
                }
                case "overfitting":
                {
                    double newWd = double.IsNaN(wd) ? 5e-4 : Math.Max(wd * 5, 5e-4);
                    Add(f, new Recommendation
                    {
                        Id = "stronger-regularization",
                        Title = $"Regularize more: weight decay {(double.IsNaN(wd) ? "" : F(wd) + " → ")}{F(newWd)}, MixUp 0.4 with CutMix 1.0",
                        Why = "Training accuracy pulls away from validation: the model memorizes. Weight decay and mixed-sample augmentation make memorizing harder.",
                        Patch = new() { ["optimizer.weight_decay"] = F(newWd), ["mixup.mixup_alpha"] = "0.4", ["mixup.cutmix_alpha"] = "1.0", ["mixup.switch_prob"] = "0.5" },
                        Foreign = new() { ["timm"] = $"--weight-decay {F(newWd)} --mixup 0.4 --cutmix 1.0 --mixup-switch-prob 0.5", ["keras"] = "kernel_regularizer=l2(...) on the layers, or AdamW(weight_decay=...); add MixUp/CutMix layers", ["huggingface"] = $"weight_decay={F(newWd)}" },
                        Source = "Zhang et al. 2018 (mixup), Yun et al. 2019 (CutMix); seed 001's fix 2 and 3",
                        Confirm = "a smaller final train-validation gap with equal or better best validation accuracy",
                    });
                    break;
                }
                case "early-peak" or "degradation" when !double.IsNaN(lr) || log.Format != "regimen":
                {
                    var patch = new Dictionary<string, string>();
                    if (!double.IsNaN(lr)) patch["optimizer.lr"] = F(lr / 5);
                    if (h.TryGetValue("finetune.backbone_lr", out var b) && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var bl)) patch["finetune.backbone_lr"] = F(bl / 5);
                    patch["lr_schedule.name"] = "cosine";
                    patch["lr_schedule.warmup_epochs"] = "2";
                    Add(f, new Recommendation
                    {
                        Id = "lower-learning-rate",
                        Title = double.IsNaN(lr) ? "Lower the learning rate 5x, with warmup and cosine decay" : $"Lower the learning rate 5x ({F(lr)} → {F(lr / 5)}), with a 2-epoch warmup and cosine decay",
                        Why = "The best score came early and later epochs lost it: updates that are too large keep moving the weights away from the good solution.",
                        Patch = patch,
                        Foreign = new() { ["timm"] = "--lr <lr/5> --warmup-epochs 2 --sched cosine", ["keras"] = "optimizer learning_rate / 5 with a CosineDecay schedule", ["huggingface"] = "learning_rate / 5, lr_scheduler_type=\"cosine\", warmup_ratio=0.1" },
                        Source = "seed 004's fix 1 and 3; Goyal et al. 2017 (warmup); Loshchilov and Hutter 2017 (cosine)",
                        Confirm = "the best epoch moves later and the final value ends within the noise of the best",
                    });
                    if (f.Kind == "degradation" && !log.Events.Any(e => e.Kind == "restore_best"))
                        Add(f, new Recommendation
                        {
                            Id = "keep-best-checkpoint",
                            Title = "Use the best epoch's weights, not the last",
                            Why = "The final weights are worse than the best epoch's.",
                            Patch = new() { ["checkpoint.save_best"] = "true", ["early_stopping.restore_best"] = "true" },
                            Foreign = new() { ["keras"] = "ModelCheckpoint(save_best_only=True) or EarlyStopping(restore_best_weights=True)", ["lightning"] = "ModelCheckpoint(monitor=..., save_top_k=1) and trainer.test(ckpt_path=\"best\")", ["huggingface"] = "load_best_model_at_end=True" },
                            Source = "standard practice",
                            Confirm = "the score reported equals the best validation score",
                        });
                    break;
                }
                case "premature-stop":
                {
                    double patience = Num("early_stopping.patience", double.NaN);
                    Add(f, new Recommendation
                    {
                        Id = "patient-early-stopping",
                        Title = double.IsNaN(patience) ? "Let the schedule run: more patience, or no early stopping" : $"Raise early-stopping patience {patience} → {Math.Max(patience * 2, 6)}, and never stop in the first half",
                        Why = "Runs stopped far before their epoch budget; with a decaying learning rate the later epochs are where the model settles.",
                        Patch = double.IsNaN(patience) ? new() { ["early_stopping.enabled"] = "false" }
                            : new() { ["early_stopping.patience"] = F(Math.Max(patience * 2, 6)), ["early_stopping.min_epochs"] = F(Math.Ceiling((log.PlannedEpochs ?? 10) / 2.0)) },
                        Foreign = new() { ["keras"] = "EarlyStopping(patience=2x, start_from_epoch=epochs/2)", ["lightning"] = "EarlyStopping(patience=2x)", ["huggingface"] = "EarlyStoppingCallback(early_stopping_patience=2x)" },
                        Source = "seed 004's fix 2",
                        Confirm = "runs train (nearly) their full budget and their final scores match or beat the early-stopped ones",
                    });
                    break;
                }
                case "high-learning-rate":
                {
                    double target = 2 * f.Evidence["reference_lr"];
                    double warmup = Num("lr_schedule.warmup_epochs", Num("warmup_epochs", 0));
                    var patch = new Dictionary<string, string> { ["optimizer.lr"] = F(target) };
                    if (warmup < 1) patch["lr_schedule.warmup_epochs"] = "1";
                    Add(f, new Recommendation
                    {
                        Id = "scale-learning-rate",
                        Title = $"Scale the learning rate to the batch: {F(lr)} → {F(target)} (2x the linear-scaling reference){(warmup < 1 ? ", with a 1-epoch warmup" : "")}",
                        Why = "Steps far larger than the batch size supports make the weights jump between solutions instead of settling.",
                        Patch = patch,
                        Foreign = new() { ["timm"] = $"--lr {F(target)} --warmup-epochs 1 (or --lr-base 0.1 --lr-base-size 256 and let timm scale it)", ["keras"] = $"optimizer(learning_rate={F(target)}) with a warmup", ["huggingface"] = $"learning_rate={F(target)}, warmup_ratio=0.05" },
                        Source = "Goyal et al. 2017, Accurate, Large Minibatch SGD (linear scaling rule and warmup)",
                        Confirm = "validation swings shrink and the best epoch moves later, with a higher final score",
                    });
                    break;
                }
                case "divergence":
                    Add(f, new Recommendation
                    {
                        Id = "stabilize-optimization",
                        Title = double.IsNaN(lr) ? "Lower the learning rate 10x and clip gradients" : $"Lower the learning rate 10x ({F(lr)} → {F(lr / 10)}), clip the gradient norm at 1, warm up",
                        Why = "The loss blew up: steps far too large for the loss surface.",
                        Patch = double.IsNaN(lr) ? new() { ["optimizer.clip_grad_norm"] = "1.0", ["lr_schedule.warmup_epochs"] = "2" }
                            : new() { ["optimizer.lr"] = F(lr / 10), ["optimizer.clip_grad_norm"] = "1.0", ["lr_schedule.warmup_epochs"] = "2" },
                        Foreign = new() { ["timm"] = "--lr <lr/10> --clip-grad 1.0 --warmup-epochs 2", ["keras"] = "optimizer(learning_rate=lr/10, clipnorm=1.0)", ["lightning"] = "Trainer(gradient_clip_val=1.0)", ["huggingface"] = "max_grad_norm=1.0, learning_rate/10" },
                        Source = "Pascanu et al. 2013 (gradient clipping)",
                        Confirm = "a training loss that falls without spikes",
                    });
                    break;
                case "oscillation":
                    Add(f, new Recommendation
                    {
                        Id = "smooth-updates",
                        Title = "Smooth the updates: a lower learning rate late in training and an EMA of the weights",
                        Why = "Validation swings from epoch to epoch: each epoch's weights are a noisy sample; averaging them (EMA) and smaller late steps settle it.",
                        Patch = double.IsNaN(lr) ? new() { ["ema.enabled"] = "true", ["lr_schedule.name"] = "cosine" }
                            : new() { ["ema.enabled"] = "true", ["lr_schedule.name"] = "cosine", ["optimizer.lr"] = F(lr / 2) },
                        Foreign = new() { ["timm"] = "--model-ema --sched cosine", ["keras"] = "an EMA of the weights (optimizer use_ema=True) and a cosine schedule" },
                        Source = "Polyak and Juditsky 1992 (averaging); timm's ModelEmaV2",
                        Confirm = "a validation curve whose epoch-to-epoch changes shrink, EMA score at or above the raw model's",
                    });
                    break;
                case "underfitting":
                {
                    double epochs = Num("epochs", log.PlannedEpochs ?? double.NaN);
                    Add(f, new Recommendation
                    {
                        Id = "train-longer",
                        Title = double.IsNaN(epochs) ? "Train longer (1.5x the epochs)" : $"Train longer: {epochs} → {Math.Ceiling(epochs * 1.5)} epochs",
                        Why = "Both training loss and the validation metric were still improving when the run ended.",
                        Patch = double.IsNaN(epochs) ? new() : new() { ["epochs"] = F(Math.Ceiling(epochs * 1.5)) },
                        Foreign = new() { ["timm"] = "--epochs 1.5x", ["keras"] = "fit(epochs=1.5x)", ["huggingface"] = "num_train_epochs=1.5x" },
                        Source = "seed 001's 'if still not reaching 75 %' options",
                        Confirm = "the validation metric keeps rising in the added epochs",
                    });
                    break;
                }
                case "plateau" when f.Severity == "warning":
                    Add(f, new Recommendation
                    {
                        Id = "break-plateau",
                        Title = "Break the plateau: a decaying schedule (cosine) if the rate is constant, else more capacity or less regularization",
                        Why = "The metric stopped improving well before the end while the learning rate stayed high, or below the target.",
                        Patch = new() { ["lr_schedule.name"] = "cosine" },
                        Foreign = new() { ["timm"] = "--sched cosine", ["keras"] = "ReduceLROnPlateau or CosineDecay" },
                        Source = "Loshchilov and Hutter 2017 (SGDR)",
                        Confirm = "the metric resumes improving after the change",
                    });
                    break;
                case "fold-spread":
                    Add(f, new Recommendation
                    {
                        Id = "steadier-folds",
                        Title = "Steadier folds: larger batches (64-128) and a fixed epoch budget without early stopping",
                        Why = "Folds of the same recipe end far apart: small batches and early stopping at noisy points add variance.",
                        Patch = new() { ["batch_size"] = F(Math.Max(64, Num("batch_size", 32) * 2)), ["early_stopping.enabled"] = "false" },
                        Foreign = new() { ["keras"] = "fit(batch_size=64..128) without EarlyStopping" },
                        Source = "seed 004's fix 4",
                        Confirm = "a smaller standard deviation of the final score across folds",
                    });
                    break;
            }
        }
        return byId.Values.ToList();
    }
}
