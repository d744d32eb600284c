using System.Globalization;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>Experiment trackers' logs: Weights &amp; Biases, MLflow's file store, dvclive, Sacred (formats as the
/// tools write them, numbers made up).</summary>
public class StepLogReaderTests
{
    static readonly double[] ValAcc = { 0.52, 0.61, 0.68, 0.71, 0.73 };
    static readonly double[] TrainLoss = { 1.40, 1.05, 0.83, 0.70, 0.62 };

    static string Dir(string name) => TestData.TempDir(name);

    static string F(double x) => x.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void WandbHistoryRowsAreEpochsAndItsSummaryIsNoHistory()
    {
        var dir = Path.Combine(Dir("wandb"), "run-20240101_000000-abc123", "files");
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "wandb-history.jsonl"), ValAcc.Select((v, i) =>
            $"{{\"_step\": {i}, \"_runtime\": {F(10.5 * (i + 1))}, \"_timestamp\": {1704067200 + 10 * i}, " +
            $"\"epoch\": {i}, \"train/loss\": {F(TrainLoss[i])}, \"val/acc\": {F(v)}}}"));
        File.WriteAllText(Path.Combine(dir, "wandb-summary.json"),
            "{\"_step\": 4, \"val/acc\": 0.73, \"_wandb\": {\"runtime\": 52}}");
        var log = Assert.Single(LogReader.Read(Path.Combine(dir, "wandb-history.jsonl")));
        Assert.Equal((5, 0.73, 0.62), (log.Epochs.Count, log.Epochs[4].ValAccuracy!.Value,
            log.Epochs[4].TrainLoss!.Value));
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(Path.Combine(dir, "wandb-summary.json")));
        Assert.Contains("a Weights & Biases run summary (wandb-summary.json): the final values only", e.Message);
        var folder = RunFolders.Scan(Path.GetDirectoryName(dir)!, new ReadOptions());
        Assert.Equal("files/wandb-history.jsonl", Assert.Single(folder.Runs).Name);
        Assert.Contains(folder.Skipped, s => s.Path == "files/wandb-summary.json" && s.Why.Contains("no history"));
    }

    [Fact]
    public void AWandbChartExportIsOneRunPerRunWithoutItsBounds()
    {
        var path = Path.Combine(Dir("wandb-csv"), "wandb_export_2024-01-01.csv");
        File.WriteAllText(path, "\"Step\",\"cool-run-3 - val_acc\",\"cool-run-3 - val_acc__MIN\"," +
            "\"cool-run-3 - val_acc__MAX\",\"baseline - val_acc\",\"baseline - val_acc__MIN\",\"baseline - " +
            "val_acc__MAX\"\n" + string.Concat(ValAcc.Select((v, i) =>
                $"\"{i}\",\"{F(v)}\",\"{F(v)}\",\"{F(v)}\",\"{F(v - 0.1)}\",\"{F(v - 0.1)}\",\"{F(v - 0.1)}\"\n")));
        var logs = LogReader.Read(path);
        Assert.Equal(new[] { "wandb_export_2024-01-01: cool-run-3", "wandb_export_2024-01-01: baseline" },
            logs.Select(l => l.Name));
        Assert.All(logs, l => Assert.Equal(("csv", "wandb", 5), (l.Reader, l.Format, l.Epochs.Count)));
        Assert.Equal(0.63, logs[1].Epochs[4].ValAccuracy!.Value, 6);
        Assert.Empty(logs[0].OtherSeries);                              // no __MIN / __MAX series
        Assert.Contains(logs[0].Columns, c => c.ToString() == "val_acc ← val_acc");
    }

    static string MlflowRun(string root)
    {
        var run = Path.Combine(root, "mlruns", "0", "4f2c9a1b");
        Directory.CreateDirectory(Path.Combine(run, "metrics", "train"));
        Directory.CreateDirectory(Path.Combine(run, "params"));
        Directory.CreateDirectory(Path.Combine(run, "tags"));
        File.WriteAllLines(Path.Combine(run, "metrics", "val_acc"),
            ValAcc.Select((v, i) => $"{1704067200000 + 1000 * i} {F(v)} {i}"));
        File.WriteAllLines(Path.Combine(run, "metrics", "train", "loss"),
            TrainLoss.Select((v, i) => $"{1704067200000 + 1000 * i} {F(v)} {i}"));
        File.WriteAllText(Path.Combine(run, "params", "epochs"), "20");
        File.WriteAllText(Path.Combine(run, "tags", "mlflow.runName"), "resnet-baseline");
        File.WriteAllText(Path.Combine(run, "meta.yaml"), "run_id: 4f2c9a1b\nstatus: 3\n");
        File.WriteAllText(Path.Combine(root, "mlruns", "0", "meta.yaml"), "experiment_id: '0'\nname: Default\n");
        return run;
    }

    [Fact]
    public void AnMlflowRunFolderIsOneRunOfItsMetricFiles()
    {
        var root = Dir("mlflow");
        var run = MlflowRun(root);
        var log = Assert.Single(LogReader.Read(run));
        Assert.Equal(("mlflow-run", 5, 20), (log.Reader, log.Epochs.Count, log.PlannedEpochs));
        Assert.Equal((0.73, 0.62), (log.Epochs[4].ValAccuracy!.Value, log.Epochs[4].TrainLoss!.Value));
        Assert.Contains(log.Notes, n => n.Contains("MLflow's run name: resnet-baseline"));
        var found = Assert.Single(RunFolders.Scan(Path.Combine(root, "mlruns"), new ReadOptions()).Runs);
        Assert.Equal(("0/4f2c9a1b", "MLflow run"), (found.Name, found.What));
        var metric = Path.Combine(run, "metrics", "val_acc");
        Assert.Equal("mlflow", LogReaders.Detect(metric, LogSample.Of(metric)).Name);
        Assert.Equal(0.52, Assert.Single(LogReader.Read(metric)).Epochs[0].ValAccuracy!.Value, 6);
        File.AppendAllText(metric, "1704067300000 oops 5\n");
        var e = Assert.Throws<RegimenException>(() => LogReader.Read(run));
        Assert.Contains("val_acc:6: not an MLflow metric line", e.Message);
    }

    [Fact]
    public void ADvcliveFolderIsOneRunAndItsSubfoldersThePhases()
    {
        var dir = Path.Combine(Dir("dvclive"), "dvclive");
        foreach (var (phase, metric, values) in new[] { ("train", "loss", TrainLoss), ("val", "acc", ValAcc) })
        {
            Directory.CreateDirectory(Path.Combine(dir, "plots", "metrics", phase));
            File.WriteAllText(Path.Combine(dir, "plots", "metrics", phase, metric + ".tsv"),
                $"timestamp\tstep\t{metric}\n" + string.Concat(values.Select((v, i) =>
                    $"{1704067200000 + i}\t{i}\t{F(v)}\n")));
        }
        File.WriteAllText(Path.Combine(dir, "metrics.json"), "{\"val\": {\"acc\": 0.73}, \"step\": 4}");
        var log = Assert.Single(LogReader.Read(dir));
        Assert.Equal(("dvclive", 5), (log.Reader, log.Epochs.Count));
        Assert.Equal((0.73, 0.62), (log.Epochs[4].ValAccuracy!.Value, log.Epochs[4].TrainLoss!.Value));
        Assert.Contains(log.Columns, c => c.ToString() == "val_acc ← val/acc");
        Assert.Equal("dvclive", Assert.Single(RunFolders.Scan(Path.GetDirectoryName(dir)!, new ReadOptions()).Runs)
            .What);
    }

    [Fact]
    public void SacredsMetricsAreSeriesAlignedByStep()
    {
        var dir = Path.Combine(Dir("sacred"), "my_runs", "3");
        Directory.CreateDirectory(dir);
        static string Series(double[] values) => $"{{\"steps\": [{string.Join(", ", values.Select((_, i) => i))}], " +
            $"\"timestamps\": [{string.Join(", ", values.Select((_, i) => $"\"2024-01-01T00:00:0{i}.000000\""))}], " +
            $"\"values\": [{string.Join(", ", values.Select(F))}]}}";
        var path = Path.Combine(dir, "metrics.json");
        File.WriteAllText(path, $"{{\"train.loss\": {Series(TrainLoss)}, \"val.acc\": {Series(ValAcc)}}}");
        Assert.Equal("sacred", LogReaders.Detect(path, LogSample.Of(path)).Name);
        var log = Assert.Single(LogReader.Read(path));
        Assert.Equal(("3", 5), (log.Name, log.Epochs.Count));
        Assert.Equal((0.73, 0.62), (log.Epochs[4].ValAccuracy!.Value, log.Epochs[4].TrainLoss!.Value));
        File.WriteAllText(path, "{\"val.acc\": {\"steps\": [0], \"values\": [\"high\"]}}");
        Assert.Contains("val.acc.values[0] is not a number",
            Assert.Throws<RegimenException>(() => LogReader.Read(path)).Message);
    }
}
