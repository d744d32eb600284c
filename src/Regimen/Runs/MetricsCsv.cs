using System.Globalization;
using System.Text;
using Regimen.Training;

namespace Regimen.Runs;

/// <summary>
/// metrics.csv: one row per epoch. The columns are fixed and documented; timing columns (epoch_seconds,
/// img_per_s, loader_wait_fraction) are the only ones that differ between two runs with the same seed.
/// </summary>
public static class MetricsCsv
{
    public static readonly string[] Columns =
    {
        "epoch", "phase", "lr", "resolution", "train_loss", "train_acc", "val_loss", "val_acc", "val_top5",
        "val_acc_tta",
        "val_loss_ema", "val_acc_ema", "mixed_fraction", "epoch_seconds", "img_per_s", "loader_wait_fraction",
    };

    public static readonly string[] TimingColumns = { "epoch_seconds", "img_per_s", "loader_wait_fraction" };

    public static string Format(IEnumerable<EpochResult> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Header);
        foreach (var r in rows) sb.AppendLine(Row(r));
        return sb.ToString();
    }

    public static string Header => string.Join(",", Columns);

    /// <summary>
    /// One row, without its line end, for writers that append (regimen watch records a run as it grows).
    /// </summary>
    public static string Row(EpochResult r) => string.Join(",",
        r.Epoch.ToString(CultureInfo.InvariantCulture), r.Phase, F(r.LearningRate),
        r.Resolution.ToString(CultureInfo.InvariantCulture),
        F(r.TrainLoss), F(r.TrainAccuracy), F(r.ValLoss), F(r.ValAccuracy), F(r.ValTop5), F(r.ValAccuracyTta),
        F(r.ValLossEma), F(r.ValAccuracyEma), F(r.MixedFraction, "F4"),
        F(r.EpochSeconds, "F3"), F(r.ImagesPerSecond, "F1"), F(r.LoaderWaitFraction, "F4"));

    public static List<EpochResult> Read(string path)
    {
        var rows = new List<EpochResult>();
        if (!File.Exists(path)) return rows;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return rows;
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split(',');
            if (f.Length != header.Length)
                throw new RegimenException($"{path}:{i + 1}: expected {header.Length} fields, found {f.Length}");
            double D(string name) => P(f, Col(name), path, i) ?? double.NaN;
            rows.Add(new EpochResult
            {
                Epoch = (int)D("epoch"),
                Phase = Col("phase") >= 0 ? f[Col("phase")] : "",
                LearningRate = D("lr"),
                Resolution = (int)(P(f, Col("resolution"), path, i) ?? 0),
                TrainLoss = D("train_loss"),
                TrainAccuracy = D("train_acc"),
                ValLoss = D("val_loss"),
                ValAccuracy = D("val_acc"),
                ValTop5 = P(f, Col("val_top5"), path, i),
                ValAccuracyTta = P(f, Col("val_acc_tta"), path, i),
                ValLossEma = P(f, Col("val_loss_ema"), path, i),
                ValAccuracyEma = P(f, Col("val_acc_ema"), path, i),
                MixedFraction = P(f, Col("mixed_fraction"), path, i) ?? 0,
                EpochSeconds = D("epoch_seconds"),
                ImagesPerSecond = D("img_per_s"),
                LoaderWaitFraction = D("loader_wait_fraction"),
            });
        }
        return rows;
    }

    static double? P(string[] fields, int column, string path, int line)
    {
        if (column < 0 || fields[column].Length == 0) return null;
        if (double.TryParse(fields[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        throw new RegimenException($"{path}:{line + 1}: '{fields[column]}' is not a number");
    }

    static string F(double? value, string format = "R") =>
        value is null || double.IsNaN(value.Value) ? "" : value.Value.ToString(format == "R" ? "G9" : format,
            CultureInfo.InvariantCulture);
}
