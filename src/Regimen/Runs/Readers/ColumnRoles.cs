namespace Regimen.Runs.Readers;

/// <summary>
/// Which part of training a series was measured on, as far as its name (or its row, or its line) says.
/// </summary>
public enum Phase { None, Train, Val }

/// <summary>What a column name says about its series: its phase and its quantity (loss, acc, top5, error, lr, time,
/// epoch, step; empty for any other series).</summary>
public readonly record struct ColumnName(Phase Phase, string Quantity)
{
    public bool IsOther => Quantity.Length == 0;
}

/// <summary>A role of the analyst's run model filled from a column of the log; <see cref="Complement"/> when the
/// column is an error rate (the role is 1 minus it).</summary>
public sealed record ColumnMapping(string Role, string Column, bool Complement = false, string? Note = null)
{
    public override string ToString() =>
        $"{Role} ← {(Complement ? $"1 - {Column}" : Column)}{(Note is null ? "" : $" ({Note})")}";
}

/// <summary>How to read names a tool writes in its own way.</summary>
public sealed record RoleHints
{
    /// <summary>The phase of names that carry none (a row's "mode": val in mmcv's validation rows).</summary>
    public Phase DefaultPhase { get; init; }
    /// <summary>
    /// fastai's history: its metric columns (accuracy, error_rate) are measured on the validation set.
    /// </summary>
    public bool UnphasedMetricsAreValidation { get; init; }
    /// <summary>One row per epoch: a plain "time" column is the epoch's duration (not a per-step time).</summary>
    public bool RowsAreEpochs { get; init; } = true;
}

/// <summary>The columns a log's roles come from, and every other numeric column by its own name.</summary>
public sealed record RoleMap(IReadOnlyDictionary<string, (int Column, ColumnMapping Mapping)> Roles,
    IReadOnlyList<int> Others)
{
    public int Column(string role) => Roles.TryGetValue(role, out var c) ? c.Column : -1;
}

/// <summary>
/// The one column-role resolver of every tabular and JSON reader (and of the text reader's keys): names are
/// normalized (case; / _ - . @ and spaces as separators; phase words train, val, valid, eval, test, metrics; the
/// synonyms of accuracy, top-5, loss and learning rate), unphased names take the phase their neighbours leave
/// (Keras' "accuracy" is training accuracy beside "val_accuracy"; fastai's is validation accuracy), and --map
/// overrides any of it.
/// </summary>
public static class ColumnRoles
{
    /// <summary>How a mapping says that the name gave no phase (the one taken is a guess).</summary>
    internal const string NoPhase = "no phase in the name";

    public static readonly string[] Roles =
        { "epoch", "step", "train_loss", "val_loss", "train_acc", "val_acc", "val_top5", "lr", "epoch_time" };

    static readonly HashSet<string> TrainWords = new() { "train", "training", "trn" };
    static readonly HashSet<string> ValWords = new() { "val", "valid", "validation", "eval", "evaluation", "test",
        "testing", "dev", "metrics" };
    static readonly HashSet<string> Filler = new() { "avg", "average", "mean", "sparse", "categorical", "binary", "set",
        "epoch", "overall" };
    static readonly HashSet<string> Loss = new() { "loss", "objective", "ce", "celoss", "nll", "nllloss",
        "crossentropy", "xent" };
    static readonly HashSet<string> Acc = new()
    {
        "acc", "accuracy", "top1", "acc1", "accuracytop1", "top1acc", "top1accuracy", "prec1", "accuracy1", "acctop1",
        // A detector's classification accuracy (YOLOv3's val_Class_Accuracy beside its objectness accuracies).
        "classaccuracy", "classacc", "clsacc", "clsaccuracy",
    };
    static readonly HashSet<string> Top5 = new()
    {
        "top5", "acc5", "accuracytop5", "top5acc", "top5accuracy", "prec5", "accuracy5", "acctop5",
        "topkaccuracy", "topk",
    };
    static readonly HashSet<string> Error = new() { "err", "error", "errorrate", "top1err", "top1error",
        "err1", "error1" };
    static readonly HashSet<string> Time = new() { "time", "seconds", "duration", "elapsed", "walltime",
        "secs", "sec" };
    static readonly HashSet<string> Epoch = new() { "epoch", "epochs", "ep" };
    static readonly string[] EpochTime = { "epoch", "time" };
    static readonly HashSet<string> Step = new() { "step", "steps", "iter", "iters", "iteration", "iterations",
        "globalstep" };

    /// <summary>
    /// Lower-case alphanumeric words of a name: "metrics/accuracy_top-1" → metrics, accuracy, top, 1; a capital
    /// after a lower-case letter starts a word too (camelCase keys of hand-written loops: "TrainLoss", "ValAcc").
    /// </summary>
    public static List<string> Words(string name)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] > 127 && CjkTerm(name, i) is var (term, length))
            {
                if (start >= 0) { words.Add(name[start..i].ToLowerInvariant()); start = -1; }
                words.Add(term);
                i += length - 1;
                continue;
            }
            bool alnum = i < name.Length && char.IsAsciiLetterOrDigit(name[i]);
            bool hump = alnum && start >= 0 && char.IsAsciiLetterUpper(name[i]) && char.IsAsciiLetterLower(name[i - 1]);
            if ((!alnum || hump) && start >= 0) { words.Add(name[start..i].ToLowerInvariant()); start = -1; }
            if (alnum && start < 0) start = i;
        }
        return words;
    }

    /// <summary>Chinese terms of training logs, as the English word they stand for: "整体测试集上的正确率" (accuracy on the
    /// whole test set) reads as test, acc; "当前学习率" (the current learning rate) as lr.</summary>
    static readonly (string Term, string Word)[] CjkTerms =
    {
        ("学习率", "lr"), ("正确率", "acc"), ("准确率", "acc"), ("精确度", "acc"), ("精度", "acc"), ("损失", "loss"),
        ("训练", "train"), ("验证", "val"), ("测试", "test"),
    };

    static (string Word, int Length)? CjkTerm(string name, int at)
    {
        foreach (var (term, word) in CjkTerms)
            if (string.CompareOrdinal(name, at, term, 0, term.Length) == 0) return (word, term.Length);
        return null;
    }

    /// <summary>The phase and quantity a name states by itself.</summary>
    public static ColumnName Classify(string name)
    {
        var words = Words(name);
        var phase = Phase.None;
        var rest = new List<string>(words.Count);
        foreach (var w in words)
        {
            if (phase == Phase.None && TrainWords.Contains(w)) phase = Phase.Train;
            else if (phase == Phase.None && ValWords.Contains(w)) phase = Phase.Val;
            else rest.Add(w);
        }
        if (rest.Count == 0) return new ColumnName(phase, "");
        string whole = string.Concat(rest);
        if (phase == Phase.None && Epoch.Contains(whole)) return new ColumnName(Phase.None, "epoch");
        if (phase == Phase.None && Step.Contains(whole)) return new ColumnName(Phase.None, "step");
        // Lightning's train_loss_step is the per-step series beside train_loss_epoch: not the epoch's value.
        if (rest.Count > 1 && rest[^1] == "step") return new ColumnName(phase, "");
        // A number of two or more digits is a qualifier (a resolution or crop size: CF-ViT's test_384_acc1), not part
        // of the quantity; one digit is (top_1, acc@5).
        var kept = rest.Where(w => !Filler.Contains(w) && !(w.Length > 1 && w.All(char.IsAsciiDigit))).ToList();
        string core = string.Concat(kept);
        if (core.StartsWith("lr", StringComparison.Ordinal) && (core.Length == 2 || !char.IsAsciiLetter(core[2]) ||
            kept[0] == "lr")
            || core.StartsWith("learningrate", StringComparison.Ordinal) || core is "currentlr" or "baselr"
            || core is "currentlearningrate" or "baselearningrate" or "curlr")
            return new ColumnName(phase, "lr");
        if (Loss.Contains(core)) return new ColumnName(phase, "loss");
        if (Acc.Contains(core)) return new ColumnName(phase, "acc");
        if (Top5.Contains(core)) return new ColumnName(phase, "top5");
        if (Error.Contains(core)) return new ColumnName(phase, "error");
        if (phase == Phase.None && (Time.Contains(core) || rest.SequenceEqual(EpochTime)))
            return new ColumnName(phase, "time");
        return new ColumnName(phase, "");
    }

    /// <summary>The role of each column, honouring <paramref name="map"/> (role → column name) first.</summary>
    public static RoleMap Resolve(IReadOnlyList<string> columns, RoleHints? hints = null,
        IReadOnlyDictionary<string, string>? map = null, string source = "")
    {
        hints ??= new RoleHints();
        var names = columns.Select(c => c.Trim()).ToList();
        var parsed = names.Select(Classify).ToList();
        var roles = new Dictionary<string, (int, ColumnMapping)>();
        var used = new HashSet<int>();
        foreach (var (role, column) in map ?? new Dictionary<string, string>())
        {
            int c = Find(names, column);
            if (c < 0)
            {
                var hint = DidYouMean.Closest(column, names);
                throw new RegimenException($"--map {role}={column}: {source} has no column '{column}'" +
                    (hint is null ? $" (columns: {string.Join(", ", names.Take(30))})" : $" (did you mean '{hint}'?)"));
            }
            roles[role] = (c, new ColumnMapping(role, names[c], Note: "--map"));
            used.Add(c);
        }

        // Whether the log has a series of this phase and quantity, by its name or by --map.
        bool Has(Phase p, string q) => parsed.Any(x => x.Phase == p && x.Quantity == q) || p != Phase.None &&
            roles.ContainsKey(
                $"{(p == Phase.Val ? "val" : "train")}_{(q == "top5" ? "top5" : q is "error" ? "acc" : q)}");
        Phase Unphased(string quantity)
        {
            if (hints.DefaultPhase != Phase.None) return hints.DefaultPhase;
            bool train = Has(Phase.Train, quantity), val = Has(Phase.Val, quantity);
            if (quantity is "top5") return val ? Phase.None : Phase.Val;
            if (quantity is "acc" or "error")
            {
                if (hints.UnphasedMetricsAreValidation) return val ? Phase.None : Phase.Val;
                if (val && !train) return Phase.Train;
                if (train && !val) return Phase.Val;
                if (train && val) return Phase.None;
                // fastai-like: the losses carry their phase and the metric none, so it is measured on validation.
                bool phasedLosses = Has(Phase.Train, "loss") && !Has(Phase.None, "loss");
                return phasedLosses ? Phase.Val : Phase.Train;
            }
            if (quantity is "loss") return train ? Phase.None : Phase.Train;
            return Phase.None;
        }

        void Assign(string role, int column, bool complement = false, string? note = null)
        {
            if (roles.ContainsKey(role)) return;
            roles[role] = (column, new ColumnMapping(role, names[column], complement, note));
            used.Add(column);
        }
        // Columns whose phase is written first, then unphased ones, so that "loss" beside "val_loss" is the training
        // loss.
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < parsed.Count; i++)
            {
                if (used.Contains(i)) continue;
                var (phase, quantity) = parsed[i];
                if ((phase == Phase.None) != (pass == 1)) continue;
                string? note = null;
                if (phase == Phase.None && quantity is "loss" or "acc" or "top5" or "error")
                {
                    phase = Unphased(quantity);
                    if (phase == Phase.None) continue;
                    note = quantity is "acc" or "error" && names.Count > 1
                        ? $"{NoPhase}: read as {(phase == Phase.Val ? "validation" : "training")}" : null;
                }
                string p = phase == Phase.Val ? "val" : "train";
                switch (quantity)
                {
                    case "epoch": Assign("epoch", i); break;
                    case "step": Assign("step", i); break;
                    case "lr": Assign("lr", i); break;
                    case "time" when hints.RowsAreEpochs: Assign("epoch_time", i); break;
                    case "loss": Assign($"{p}_loss", i, note: note); break;
                    case "acc": Assign($"{p}_acc", i, note: note); break;
                    case "top5" when phase == Phase.Val: Assign("val_top5", i, note: note); break;
                    case "error": break;   // below, once the accuracies are known
                }
            }
        // An error rate (fastai's error_rate, top1_err) stands for the accuracy the log does not give.
        for (int i = 0; i < parsed.Count; i++)
            if (!used.Contains(i) && parsed[i].Quantity == "error")
            {
                var phase = parsed[i].Phase == Phase.None ? Unphased("error") : parsed[i].Phase;
                if (phase != Phase.None) Assign(phase == Phase.Val ? "val_acc" : "train_acc", i, complement: true);
            }
        var others = Enumerable.Range(0, names.Count).Where(i => !used.Contains(i) && names[i].Length > 0).ToList();
        return new RoleMap(roles, others);
    }

    /// <summary>A model output's series: its name ("pred_gender"), and the roles its columns stand for.</summary>
    public sealed record Head(string Name, IReadOnlyDictionary<string, string> Roles);

    /// <summary>
    /// The outputs of a multi-output model whose accuracies carry the output's name (Keras: pred_gender_acc,
    /// val_pred_gender_acc; the loss of each output beside them), when the log has no plain accuracy and --map names
    /// none: the words before the quantity that are neither a phase nor a known word name the output. Outputs with a
    /// validation accuracy, in the order of their first column; none when no output has one.
    /// </summary>
    public static List<Head> Heads(IReadOnlyList<string> columns, RoleHints? hints = null,
        IReadOnlyDictionary<string, string>? map = null)
    {
        var result = new List<Head>();
        if (map is not null && map.Keys.Any(r => r is "train_acc" or "val_acc" or "val_top5")) return result;
        var resolved = Resolve(columns, hints);
        if (resolved.Roles.ContainsKey("val_acc") || resolved.Roles.ContainsKey("train_acc")) return result;
        var series = new List<(string Head, Phase Phase, string Quantity, string Column)>();
        foreach (var column in columns)
        {
            var words = Words(column);
            var phase = Phase.None;
            var rest = new List<string>();
            foreach (var w in words)
            {
                if (phase == Phase.None && TrainWords.Contains(w)) phase = Phase.Train;
                else if (phase == Phase.None && ValWords.Contains(w)) phase = Phase.Val;
                else if (!Filler.Contains(w)) rest.Add(w);
            }
            if (rest.Count < 2) continue;
            var quantity = Acc.Contains(rest[^1]) ? "acc" : Loss.Contains(rest[^1]) ? "loss" : null;
            if (quantity is null) continue;
            series.Add((string.Join('_', rest.Take(rest.Count - 1)), phase, quantity, column.Trim()));
        }
        foreach (var name in series.Select(x => x.Head).Distinct())
        {
            string? Find(bool validation, string quantity) => series.FirstOrDefault(x => x.Head == name &&
                x.Quantity == quantity && (x.Phase == Phase.Val) == validation).Column;
            if (Find(true, "acc") is not { } valAcc) continue;
            var roles = new Dictionary<string, string> { ["val_acc"] = valAcc };
            if (Find(false, "acc") is { } trainAcc) roles["train_acc"] = trainAcc;
            if ((Find(false, "loss"), Find(true, "loss")) is ({ } trainLoss, { } valLoss))
            {
                roles["train_loss"] = trainLoss;
                roles["val_loss"] = valLoss;
            }
            result.Add(new Head(name, roles));
        }
        return result;
    }

    /// <summary>A column by its exact name (case and surrounding spaces aside), else by its normalized words.</summary>
    public static int Find(IReadOnlyList<string> names, string column)
    {
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i].Trim(), column.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        var words = string.Join('_', Words(column));
        for (int i = 0; i < names.Count; i++)
            if (string.Join('_', Words(names[i])) == words && words.Length > 0) return i;
        return -1;
    }

    /// <summary>--map ROLE=COLUMN values, checked: the role must be one of <see cref="Roles"/>.</summary>
    public static Dictionary<string, string> ParseMap(IEnumerable<string> values)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            int eq = value.IndexOf('=');
            if (eq <= 0 || eq == value.Length - 1)
                throw new RegimenException($"--map {value}: expected ROLE=COLUMN, e.g. --map " +
                    $"val_acc=metrics/accuracy_top1");
            var role = value[..eq].Trim();
            if (!Roles.Contains(role))
            {
                var hint = DidYouMean.Closest(role, Roles);
                throw new RegimenException($"--map {value}: unknown role '{role}'" +
                    (hint is null ? $" (roles: {string.Join(", ", Roles)})" : $" (did you mean '{hint}'?)"));
            }
            map[role] = value[(eq + 1)..].Trim();
        }
        return map;
    }

    /// <summary>The known name closest to a misspelled one (for did-you-mean messages), or null.</summary>
    public static string? Closest(string name, IEnumerable<string> known) => DidYouMean.Closest(name, known);

    /// <summary>
    /// Whether a smaller value of a series by this name is better (losses, errors, times, perplexities).
    /// </summary>
    public static bool LowerIsBetter(string name) => !Training.Monitor.Named(name).HigherIsBetter;
}
