using System.Globalization;
using Regimen.Analysis;
using Regimen.Analysis.Live;
using Regimen.Recipes;
using Regimen.Reports;
using Regimen.Runs;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using Regimen.Sessions.Watch;
using Regimen.Training;

namespace Regimen.Tests;

/// <summary>
/// regimen watch's parts: the live analyst against the final analysis, announcements, following a growing log.
/// </summary>
public class WatchTests
{
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>
    /// Feeds a log epoch by epoch, each epoch's schedule changes before it, as a running training would.
    /// </summary>
    static LiveAnalyst Replay(TrainingLog log, int window = BoundedLogView.DefaultWindow,
        AnalysisOptions? options = null)
    {
        var live = new LiveAnalyst(log with { Epochs = new(), Events = new() }, options, window);
        int next = 0;
        foreach (var e in log.Epochs)
        {
            for (; next < log.Events.Count && log.Events[next].Epoch <= e.Epoch; next++)
                live.AddEvent(log.Events[next]);
            live.AddEpoch(e);
        }
        for (; next < log.Events.Count; next++) live.AddEvent(log.Events[next]);
        return live;
    }

    static string Describe(IEnumerable<Finding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Kind}/{f.Severity}/{f.FirstEpoch}-{f.LastEpoch}")
            .OrderBy(x => x, StringComparer.Ordinal));

    [Theory]
    [InlineData("seed001-fixres-v1")]
    [InlineData("seed002-session02")]
    [InlineData("seed002-session04")]
    public void TheLiveSummaryIsWhatAnalyzeSaysOfTheFinalLog(string fixture)
    {
        var log = LogReader.Read(Fixture(fixture))[0];
        var summary = Replay(log).Finish();
        Assert.Equal(Describe(Analyst.Analyze(log).Findings), Describe(summary.Analysis.Findings));
        // Every finding the run ends with was announced live, except those only the end can judge.
        foreach (var line in summary.Findings)
            Assert.True(line.AtEnd == LiveAnalyst.EndOfRunKinds.Contains(line.Finding.Kind),
                $"{line.Finding.Kind} at end: {line.AtEnd}");
    }

    [Fact]
    public void SeedOnesScheduleShiftIsAnnouncedTheEpochAfterAugmentationsGoOff()
    {
        var log = LogReader.Read(Fixture("seed001-fixres-v1"))[0];
        var live = Replay(log);
        var shift = live.Announced.First(a => a.Finding.Kind == "schedule-shift");
        // Augmentations go off from epoch 50: the gap of epoch 50 is the first that can show it.
        Assert.Equal(50, shift.Finding.FirstEpoch);
        Assert.InRange(shift.Epoch, 50, 51);
        Assert.Equal("critical", live.Announced.Where(a => a.Finding.Kind == "schedule-shift").Last().Finding.Severity);
    }

    /// <summary>
    /// A run of a given length: healthy until <paramref name="gapFrom"/>, then training accuracy climbs away.
    /// </summary>
    static TrainingLog Synthetic(int epochs, int gapFrom, double noise = 0.002)
    {
        var random = new Random(7);
        var log = new TrainingLog { Name = "synthetic", Source = "synthetic", Format = "csv" };
        for (int e = 0; e < epochs; e++)
        {
            double p = (double)e / epochs;
            double val = 0.6 + 0.3 * p + noise * random.NextDouble();
            double train = val + 0.005 + (e >= gapFrom ? 0.02 + 0.01 * (e - gapFrom) : 0);
            log.Epochs.Add(new LogEpoch
            {
                Epoch = e, TrainAccuracy = Math.Min(1, train), ValAccuracy = val,
                TrainLoss = 1.5 - p - (e >= gapFrom ? 0.02 * (e - gapFrom) : 0),
                ValLoss = 1.5 - p + noise * random.NextDouble(), LearningRate = 0.1,
            });
        }
        return log;
    }

    [Fact]
    public void TheBoundedViewStaysSmallAndKeepsWhatTheWholeRunChecksRestOn()
    {
        var log = Synthetic(3000, gapFrom: 2990);
        var view = new BoundedLogView(log with { Epochs = new(), Events = new() }, window: 64);
        foreach (var e in log.Epochs) view.AddEpoch(e);
        var current = view.Current();
        Assert.InRange(current.Epochs.Count, 64, 64 + 6);
        // the first epoch, for the run's span
        Assert.Equal(0, current.Epochs[0].Epoch);
        var bestVal = log.Epochs.MaxBy(e => e.ValAccuracy)!;
        Assert.Contains(current.Epochs, e => e.Epoch == bestVal.Epoch);            // the best epoch, for degradation
        Assert.Equal(log.Epochs[^1], current.Epochs[^1]);
        // The gap opened inside the window: the live view announces it at the epoch it crosses the threshold.
        var live = Replay(log, window: 64);
        var overfitting = live.Announced.First(a => a.Finding.Kind == "overfitting");
        int crossing = log.Epochs.First(e => e.TrainAccuracy - e.ValAccuracy > 0.05).Epoch;
        // A gap shown only by a last epoch whose validation accuracy fell is one low epoch: announced one epoch later.
        bool dip = log.Epochs[crossing].ValAccuracy < log.Epochs[crossing - 1].ValAccuracy;
        Assert.Equal(dip ? crossing + 1 : crossing, overfitting.Epoch);
        Assert.Equal(Describe(Analyst.Analyze(log).Findings), Describe(live.Finish().Analysis.Findings));
    }

    [Fact]
    public void AFindingIsAnnouncedOnceAndAgainOnlyWhenItsSeverityRises()
    {
        var tracker = new FindingTracker();
        Finding F(string severity, double gap) => new()
        {
            Kind = "overfitting", Severity = severity,
            Summary = $"gap {gap}", Evidence = new() { ["final_gap"] = gap }
        };
        Assert.Single(tracker.Update(3, new[] { F("warning", 0.06) }));
        // numbers moved, same severity: no news
        Assert.Empty(tracker.Update(4, new[] { F("warning", 0.08) }));
        var rise = Assert.Single(tracker.Update(5, new[] { F("critical", 0.12) }));
        Assert.Equal("warning", rise.PreviousSeverity);
        Assert.Empty(tracker.Update(6, new[] { F("warning", 0.09) }));           // falling back is not news either
        Assert.Equal(3, tracker.FirstAnnounced(F("info", 0)));
        // Two schedule shifts at different changes are two findings.
        Finding S(int at) => new()
        {
            Kind = "schedule-shift", Severity = "warning", Summary = "",
            Evidence = new() { ["event_epoch"] = at }
        };
        Assert.Single(tracker.Update(7, new[] { S(2) }));
        Assert.Single(tracker.Update(9, new[] { S(6), S(2) }));
    }

    [Fact]
    public void ANanLossIsAnnouncedAtTheEpochItAppears()
    {
        var log = Synthetic(6, gapFrom: 100);
        log.Epochs[2] = log.Epochs[2] with { TrainLoss = double.NaN };
        var live = Replay(log);
        var divergence = Assert.Single(live.Announced, a => a.Finding.Kind == "divergence");
        Assert.Equal(2, divergence.Epoch);
        Assert.Equal("critical", divergence.Finding.Severity);
    }

    sealed class RecordingView : IWatchView
    {
        public readonly List<string> Notes = new();
        public readonly List<LogEpoch> Epochs = new();
        public readonly List<Announcement> Announcements = new();
        public void Note(string text) { lock (this) Notes.Add(text); }
        public void Epoch(TrainingLog log, LogEpoch epoch) { lock (this) Epochs.Add(epoch); }
        public void Announce(Announcement a) { lock (this) Announcements.Add(a); }
    }

    static string KerasRow(int epoch, double trainAcc, double valAcc) => string.Create(CultureInfo.InvariantCulture,
        $"{epoch},{trainAcc:0.0000},{1.2 - 0.05 * epoch:0.0000},{valAcc:0.0000},{1.25 - 0.04 * epoch:0.0000}\n");

    [Fact]
    public async Task FollowsAGrowingCsvThroughPartialLinesAndATruncation()
    {
        var dir = TestData.TempDir("watch-follow");
        // a Keras CSVLogger file under the name the folder is searched for
        var path = Path.Combine(dir, "metrics.csv");
        const string header = "epoch,accuracy,loss,val_accuracy,val_loss\n";
        var view = new RecordingView();
        var options = new WatchOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            UntilIdle = TimeSpan.FromSeconds(2)
        };
        var watching = Task.Run(() => FollowWatch.Run(dir, options, view, alerts: null, CancellationToken.None));
        void Append(string text) { using var w = new StreamWriter(path, append: true); w.Write(text); }
        void Pause() => Thread.Sleep(120);
        Pause();                                                            // the folder has no log yet
        Append(header);
        for (int e = 0; e < 5; e++)
        {
            var row = KerasRow(e, 0.60 + 0.05 * e, 0.59 + 0.05 * e);
            // half a line: must not be read as a short number
            Append(row[..(row.Length / 2)]);
            Pause();
            Append(row[(row.Length / 2)..]);
            Pause();
        }
        // The run restarts: the file is truncated and written again, and this time the gap opens from epoch 3.
        // (A row written and truncated between two polls is never seen: give the poll time to read the last one.)
        Thread.Sleep(1000);
        File.WriteAllText(path, header);
        Pause();
        for (int e = 0; e < 6; e++)
        {
            Append(KerasRow(e, Math.Min(0.99, 0.60 + 0.05 * e + (e >= 3 ? 0.08 * (e - 2) : 0)), 0.59 + 0.05 * e));
            Pause();
        }
        var result = await watching;
        Assert.Equal("idle", result.Status);
        Assert.Contains(view.Notes, n => n.Contains("waiting for a training log", StringComparison.Ordinal));
        Assert.Contains(view.Notes, n => n.Contains("started over", StringComparison.Ordinal) ||
            n.Contains("truncated", StringComparison.Ordinal));
        // Every epoch of both runs, each once, with the values as written (never half a number).
        Assert.True(new[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5 }.SequenceEqual(view.Epochs.Select(e => e.Epoch)),
            string.Join(",", view.Epochs.Select(e => e.Epoch)) + " / " + string.Join(" / ", view.Notes));
        for (int e = 0; e < 5; e++) Assert.Equal(0.59 + 0.05 * e, view.Epochs[e].ValAccuracy!.Value, 6);
        var overfitting = view.Announcements.First(a => a.Finding.Kind == "overfitting");
        Assert.Equal(3, overfitting.Epoch);
        Assert.Equal(Describe(Analyst.Analyze(LogReader.Read(path)[0]).Findings),
            Describe(result.Summary!.Analysis.Findings));
    }
}

/// <summary>regimen train's own live analysis: findings as they become true, in events.jsonl, and --stop-on.</summary>
public class TrainLiveAnalysisTests
{
    /// <summary>Seed 001's shape, tiny: a phase that switches training augmentations (and MixUp) off.</summary>
    internal static string FixresMistakeRecipe(int epochs = 8) => $"""
        name: tiny-fixres-mistake
        epochs: {epochs}
        batch_size: 32
        seed: 11
        threads: 2
        model:
          name: small_resnet
          width: 8
          depth: 1
        data:
          dataset: fashion-mnist
          validation: test
        optimizer:
          name: sgd
          lr: 0.1
          momentum: 0.9
        lr_schedule:
          name: constant
        augment:
          crop_padding: 4
          hflip: 0.5
          random_erasing:
            p: 0.5
        mixup:
          mixup_alpha: 0.4
        evaluation:
          tta_flip: false
        phases:
          - name: main
            from_epoch: 0
          - name: fixres
            from_epoch: 4
            augment: false
            mixup_alpha: 0
        """;

    [Fact]
    public void ASeedOneShapedTrainingAnnouncesTheScheduleShiftAtTheEpochAfterTheChange()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("live-fixres-data"), trainCount: 192, testCount: 192);
        var recipePath = Path.Combine(TestData.TempDir("live-fixres-recipe"), "r.yaml");
        File.WriteAllText(recipePath, FixresMistakeRecipe());
        var view = new StringWriter();
        var analysis = new LiveAnalysisCallback(new WatchOptions(), new FindingLinesView(view));
        var outcome = TrainingRunner.Start(new TrainingRequest
        {
            Recipe = RecipeLoader.Load(recipePath), OutputDirectory = TestData.TempDir("live-fixres-run"),
            DataDirectory = data,
            Callbacks = new TrainingCallback[] { analysis },
        });
        var metrics = string.Join("\n", File.ReadAllLines(outcome.Run.MetricsFile));
        var events = RunEvent.ReadAll(outcome.Run.EventsFile);
        var shift = events.FirstOrDefault(e => e is { Kind: "finding", Key: "schedule-shift" });
        Assert.True(shift is not null, metrics + "\n" + view);
        Assert.Equal(4, (int)shift!.Evidence!["event_epoch"]);
        Assert.InRange(shift.Epoch, 4, 5);       // announced during the run, at the change or the epoch after
        // Augmentations off: critical (seed 001's verdict) by the epoch after the change.
        var critical = events.First(e => e is { Kind: "finding", Key: "schedule-shift", To: "critical" });
        Assert.InRange(critical.Epoch, 4, 5);
        Assert.Contains("schedule-shift", view.ToString());
        // The findings announced live are those analyze gives on the run folder.
        var final = Analyst.Analyze(LogReader.Read(outcome.Run.Path)[0]);
        Assert.Equal(string.Join(";", final.Findings.Select(f => f.Kind + "/" + f.Severity).Order()),
            string.Join(";", analysis.Summary!.Analysis.Findings.Select(f => f.Kind + "/" + f.Severity).Order()));
    }
}

/// <summary>regimen train --stop-on: the training's own stop path.</summary>
public class TrainStopOnTests
{
    [Fact]
    public void StopOnCriticalStopsTheTrainingThroughItsStopPathAndItResumes()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("stop-on-data"), trainCount: 192, testCount: 192);
        var recipePath = Path.Combine(TestData.TempDir("stop-on-recipe"), "r.yaml");
        File.WriteAllText(recipePath, TrainLiveAnalysisTests.FixresMistakeRecipe());
        var runPath = TestData.TempDir("stop-on-run");
        var (code, output) = CliTests.Run("train", recipePath, "--data", data, "--out", runPath, "--force",
            "--stop-on", "critical");
        Assert.True(code == ExitCodes.StoppedOnFinding, output);
        Assert.Contains("finding: epoch", output);
        Assert.Contains("stopped on a finding", output);
        Assert.Contains("train --resume", output);
        var events = RunEvent.ReadAll(Path.Combine(runPath, "events.jsonl"));
        var critical = events.First(e => e is { Kind: "finding", To: "critical" });
        var stopped = Assert.Single(events, e => e.Kind == "stopped");
        Assert.Contains("--stop-on critical", stopped.Message);
        // Stopped at the end of the epoch the critical finding came at: that epoch is the last row, and checkpointed.
        var rows = MetricsCsv.Read(Path.Combine(runPath, "metrics.csv"));
        Assert.Equal(critical.Epoch, rows[^1].Epoch);
        Assert.True(rows.Count < 8);
        Assert.True(File.Exists(Path.Combine(runPath, "checkpoints", "last.ckpt")));
        Assert.Equal("interrupted", RunSummary.Read(Path.Combine(runPath, "summary.json"))!.Status);
        (code, output) = CliTests.Run("train", "--resume", runPath, "--data", data);
        Assert.True(code == 0, output);
        Assert.Equal(8, MetricsCsv.Read(Path.Combine(runPath, "metrics.csv")).Count);
        // The resumed run does not announce again what it announced before the stop.
        Assert.Single(RunEvent.ReadAll(Path.Combine(runPath, "events.jsonl")), e =>
            e is { Kind: "finding", To: "critical", Key: "schedule-shift" });
    }
}

/// <summary>train --folds K --stop-on: a finding inside a fold stops the experiment as it stops a plain run.</summary>
public class FoldStopOnTests
{
    [Fact]
    public void AFindingInsideAFoldExitsWithFiveAndNamesTheFoldAndTheFinding()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("fold-stop-on-data"), trainCount: 192, testCount: 64);
        var recipePath = Path.Combine(TestData.TempDir("fold-stop-on-recipe"), "r.yaml");
        File.WriteAllText(recipePath, TrainLiveAnalysisTests.FixresMistakeRecipe());
        var experiment = Path.Combine(TestData.TempDir("fold-stop-on"), "exp");
        var (code, output) = CliTests.Run("train", recipePath, "--folds", "2", "--data", data, "--out", experiment,
            "--stop-on", "critical");
        Assert.True(code == ExitCodes.StoppedOnFinding, $"exit code {code}: {output}");
        Assert.Matches(@"stopped on a finding in fold 1 of 2: critical [a-z-]+ at epoch \d+ \(--stop-on critical\)",
            output);
        Assert.Contains($"train --resume {experiment}", output);
        var fold = Path.Combine(experiment, "fold-1");
        Assert.Equal("interrupted", RunSummary.Read(Path.Combine(fold, "summary.json"))!.Status);
        Assert.Contains(RunEvent.ReadAll(Path.Combine(fold, "events.jsonl")),
            e => e.Kind == "stopped" && e.Message!.Contains("--stop-on critical"));
        Assert.False(Directory.Exists(Path.Combine(experiment, "fold-2")));
    }
}

/// <summary>regimen watch as a user runs it.</summary>
public class WatchCliTests
{
    [Fact]
    public void WatchingAFinishedRunFolderListsItsFindingsWithTheirEpochsAndRunsTheFindingCommand()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "seed001-fixres-v1");
        var alerts = Path.Combine(TestData.TempDir("watch-cli-alerts"), "alerts.jsonl");
        var (code, output) = CliTests.Run("watch", fixture, "--on-finding", $"cat >> '{alerts}'; echo >> '{alerts}'");
        Assert.True(code == 0, output);
        Assert.Contains("watch: epoch 59:", output);                            // plain lines: not a terminal
        Assert.Contains("critical schedule-shift", output);
        Assert.Contains("watch ended (completed) after 60 epochs", output);
        Assert.Contains("(announced at epoch 5", output);
        // One JSON object per announcement on the command's standard input.
        var lines = File.ReadAllLines(alerts).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var kinds = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("kind")
            .GetString()).ToList();
        Assert.Contains("schedule-shift", kinds);
        Assert.Contains("overfitting", kinds);
    }

    [Theory]
    [InlineData("--stop-on", "sometimes", "--stop-on: must be warning or critical")]
    [InlineData("--grace", "0", "--grace: must be between 0 and 3600")]
    [InlineData("--stall-factor", "0.5", "--stall-factor: must be above 1")]
    public void BadOptionsAreRefusedWithTheirName(string option, string value, string message)
    {
        var (code, output) = CliTests.Run("watch", "runs", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);
    }

    /// <summary>A log with an F1 column, best at epoch 5 and falling after it.</summary>
    static string F1Log()
    {
        var path = Path.Combine(TestData.TempDir("watch-monitor"), "log.csv");
        double[] f1 = [0.50, 0.62, 0.70, 0.75, 0.78, 0.80, 0.74, 0.68, 0.62, 0.55];
        File.WriteAllLines(path, new[] { "epoch,train_loss,val_loss,val_f1" }.Concat(f1.Select((v, i) =>
            FormattableString.Invariant($"{i},{1.0 - 0.08 * i:0.000},{0.9 - 0.03 * i:0.000},{v}"))));
        return path;
    }

    [Fact]
    public void MonitorTakesAnySeriesTheWatchedLogHasAndNamesWhatItHasWhenOneIsMissing()
    {
        var log = F1Log();
        var (code, output) = CliTests.Run("watch", log, "--monitor", "val_f1", "--until-idle", "1", "--plain");
        Assert.True(code == 0, output);
        // Judged on val_f1, which only its own column holds: the fall from its best is announced as it happens.
        Assert.Contains("best val_f1 80.00 % at epoch 5, final 55.00 %", output);
        Assert.Matches(@"epoch [6-9]: (warning|critical) degradation since epoch 5: val_f1 was best at epoch 5",
            output);
        // Each epoch's line shows the monitored series, and a file that already had its epochs is no stalled run
        // (read at once, its epochs say nothing of the epoch time).
        Assert.Contains("watch: epoch 5: train loss 0.6 | val loss 0.75 | val_f1 80.00 %", output);
        Assert.DoesNotContain("stalled", output);

        (code, output) = CliTests.Run("watch", log, "--monitor", "val_f2", "--until-idle", "1");
        Assert.Equal(2, code);
        Assert.Contains($"--monitor val_f2: {log} has no such series in its 10 epoch(s) (did you mean 'val_f1'?)",
            output);
        (code, output) = CliTests.Run("watch", log, "--monitor", "bleu", "--until-idle", "1");
        Assert.Equal(2, code);
        Assert.Contains("--monitor bleu: ", output);
        Assert.Contains("(it has: train_loss, val_loss, val_f1)", output);
        Assert.DoesNotContain("   at ", output);

        // A command's output: said once, and the command runs to its end.
        (code, output) = CliTests.Run("watch", "--monitor", "val_f1", "--", "sh", "-c", "for i in 1 2 3 4; do " +
            "echo \"Epoch $i/4\"; echo \"10/10 - 1s - loss: 0.5 - accuracy: 0.8 - val_loss: 0.6 - val_accuracy: " +
            "0.7\"; done");
        Assert.True(code == 0, output);
        Assert.Contains("--monitor val_f1: the command's output has no such series in its 3 epoch(s) (it has: " +
            "train_loss, val_loss, train_acc, val_acc); nothing is judged on it", output);
        Assert.Contains("watch ended (completed) after 4 epochs", output);
    }

    [Fact]
    public void WatchNeedsAPathOrACommandAndStopsOnlyWhatItRuns()
    {
        var (code, output) = CliTests.Run("watch");
        Assert.Equal(2, code);
        Assert.Contains("regimen watch -- python train.py", output);
        (code, output) = CliTests.Run("watch", "/nonexistent-folder/run", "--until-idle", "1");
        Assert.Equal(2, code);
        Assert.Contains("neither it nor the folder", output);
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "seed001-fixres-v1");
        (code, output) = CliTests.Run("watch", fixture, "--stop-on", "critical");
        Assert.Equal(2, code);
        Assert.Contains("regimen train --stop-on", output);
        (code, output) = CliTests.Run("watch", "--", "/nonexistent/train.sh");
        Assert.Equal(127, code);
        Assert.Contains("cannot run it", output);
    }
}

/// <summary>regimen watch -- COMMAND around a real child process that prints Keras-style epochs.</summary>
public class WatchCommandTests
{
    /// <summary>Keras' fit output (verbose=1, not a terminal); from <paramref name="gapFrom"/> (as printed, from 1)
    /// training accuracy climbs away from validation. SIGINT is noted in a file, as a training script's handler
    /// would.</summary>
    static string Script(string dir, int epochs, int gapFrom, double pause = 0.15, int exitCode = 0, int stallAt = -1)
    {
        var path = Path.Combine(dir, "train.py");
        File.WriteAllText(path, $$"""
            import signal, sys, time
            stopped = []
            signal.signal(signal.SIGINT, lambda s, f: stopped.append(1))
            for epoch in range(1, {{epochs}} + 1):
                if epoch == {{stallAt}}:
                    time.sleep(3)
                if stopped:
                    open(sys.argv[1], "w").write(f"SIGINT before epoch {epoch}\n")
                    print("interrupted: saving and stopping", flush=True)
                    sys.exit(130)
                print(f"Epoch {epoch}/{{epochs}}")
                time.sleep({{pause.ToString(CultureInfo.InvariantCulture)}})
                val = 0.55 + 0.02 * epoch
                train = val + 0.01 + (0.12 + 0.03 * (epoch - {{gapFrom}}) if epoch >= {{gapFrom}} else 0)
                loss = 1.2 - 0.04 * epoch
                val_loss = 1.25 - 0.03 * epoch + (0.05 * (epoch - {{gapFrom}} + 1) if epoch >= {{gapFrom}} else 0)
                print(f"\x1b[1m50/50\x1b[0m [==============================] - 1s 12ms/step - loss: {loss:.4f}"
                      f" - accuracy: {min(train, 0.99):.4f} - val_loss: {val_loss:.4f} - val_accuracy: {val:.4f}")
            print("training finished", file=sys.stderr)
            sys.exit({{exitCode}})
            """);
        return path;
    }

    static string Kinds(IEnumerable<Finding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Kind}/{f.Severity}").Order(StringComparer.Ordinal));

    [Fact]
    public void AWrappedTrainingIsPassedThroughJudgedPerEpochAndRecordedAsARun()
    {
        var dir = TestData.TempDir("watch-wrap");
        var script = Script(dir, epochs: 14, gapFrom: 8);
        var run = Path.Combine(dir, "run");
        var (code, output) = CliTests.Run("watch", "--out", run, "--", "python3", script,
            Path.Combine(dir, "sigint.txt"));
        Assert.True(code == 0, output);
        // The output passes through unchanged, colours included.
        Assert.Contains("\x1b[1m50/50\x1b[0m [==============================] - 1s 12ms/step - loss: 1.1600", output);
        Assert.Contains("Epoch 14/14", output);
        Assert.Contains("training finished", output);
        // The gap opens at epoch 8: announced there (or at 9), not later.
        var line = output.Split('\n').First(l => l.Contains("overfitting", StringComparison.Ordinal) &&
            l.StartsWith("watch: !! epoch", StringComparison.Ordinal));
        Assert.True(line.StartsWith("watch: !! epoch 8:", StringComparison.Ordinal) ||
            line.StartsWith("watch: !! epoch 9:", StringComparison.Ordinal), line);
        // The run folder: metrics, the findings as events, the command with its exit code and wall time.
        var summary = RunSummary.Read(Path.Combine(run, "summary.json"))!;
        Assert.Equal(new[] { "python3", script, Path.Combine(dir, "sigint.txt") }, summary.Command);
        Assert.Equal(0, summary.ExitCode);
        Assert.Equal("completed", summary.Status);
        Assert.Equal(14, summary.EpochsCompleted);
        Assert.Equal(14, summary.EpochsPlanned);
        Assert.True(summary.WallSeconds > 14 * 0.15, $"{summary.WallSeconds}");
        var events = RunEvent.ReadAll(Path.Combine(run, "events.jsonl"));
        var overfit = events.First(e => e is { Kind: "finding", Key: "overfitting" });
        Assert.InRange(overfit.Epoch, 8, 9);
        Assert.True(overfit.Evidence!.ContainsKey("final_gap"));
        // regimen analyze on the recorded folder finds what the live run said at its end.
        var (analyzeCode, json) = CliTests.Run("analyze", run, "--json");
        Assert.True(analyzeCode == 0, json);
        var analyzed = System.Text.Json.JsonSerializer.Deserialize<RunAnalysis>(json)!;
        // (A stall is watch's own finding, from the clock: not in the log; this machine may pause the script.)
        var live = events.Where(e => e.Kind == "finding" && e.Key is not ("stalled" or "crashed")).GroupBy(e => e.Key)
            .Select(g => g.Last()).ToList();
        Assert.Equal(string.Join("; ", live.Select(e => $"{e.Key}/{e.To}").Order(StringComparer.Ordinal)),
            Kinds(analyzed.Findings.GroupBy(f => f.Kind)
            .Select(g => g.OrderBy(f => Severity.Rank(f.Severity)).First())));
        Assert.Equal("text", analyzed.Format);
    }

    [Fact]
    public void StopOnCriticalSendsTheCommandSigintAtTheFindingAndExitsWithFive()
    {
        var dir = TestData.TempDir("watch-stop");
        var script = Script(dir, epochs: 30, gapFrom: 8, pause: 0.3);
        var marker = Path.Combine(dir, "sigint.txt");
        var run = Path.Combine(dir, "run");
        var (code, output) = CliTests.Run("watch", "--stop-on", "critical", "--out", run, "--", "python3",
            script, marker);
        Assert.True(code == ExitCodes.StoppedOnFinding, output);
        Assert.Contains("SIGINT sent", output);
        Assert.Contains("exit code 5", output);
        // The child got SIGINT right after the epoch the critical finding came at (8, or 9 at the latest).
        var said = File.ReadAllText(marker);
        int before = int.Parse(said.Split(' ')[^1], CultureInfo.InvariantCulture);
        Assert.InRange(before, 9, 11);
        var summary = RunSummary.Read(Path.Combine(run, "summary.json"))!;
        Assert.Equal("stopped", summary.Status);
        Assert.Equal(130, summary.ExitCode);
        Assert.Contains(RunEvent.ReadAll(Path.Combine(run, "events.jsonl")), e => e.Kind == "stopped" &&
            e.Message!.Contains("--stop-on critical", StringComparison.Ordinal));
    }

    [Fact]
    public void AWrappedRegimenTrainingStopsThroughItsOwnStopPath()
    {
        var data = TestData.WriteIdxDataset(TestData.TempDir("watch-regimen-data"), trainCount: 192, testCount: 192);
        var recipe = Path.Combine(TestData.TempDir("watch-regimen-recipe"), "r.yaml");
        File.WriteAllText(recipe, TrainLiveAnalysisTests.FixresMistakeRecipe(epochs: 12));
        var trainRun = Path.Combine(TestData.TempDir("watch-regimen"), "train");
        var record = Path.Combine(TestData.TempDir("watch-regimen"), "watched");
        var cli = Path.Combine(AppContext.BaseDirectory, "Regimen.Cli.dll");
        // Regimen's plain progress lines are console output like any other: watch reads its epochs and, at the first
        // warning, sends SIGINT, which the training takes as Ctrl-C (a recovery checkpoint, status interrupted).
        var (code, output) = CliTests.Run("watch", "--stop-on", "warning", "--out", record, "--",
            "dotnet", cli, "train", recipe, "--data", data, "--out", trainRun);
        Assert.True(code == ExitCodes.StoppedOnFinding, output);
        Assert.Contains("SIGINT sent", output);
        var summary = RunSummary.Read(Path.Combine(trainRun, "summary.json"))!;
        Assert.Equal("interrupted", summary.Status);
        Assert.True(summary.EpochsCompleted < 12, output);
        Assert.True(File.Exists(Path.Combine(trainRun, "checkpoints", "last.ckpt")));
        Assert.Contains(RunEvent.ReadAll(Path.Combine(trainRun, "events.jsonl")), e => e.Kind == "stopped");
        Assert.Equal(ExitCodes.Interrupted, RunSummary.Read(Path.Combine(record, "summary.json"))!.ExitCode);
    }

    [Fact]
    public void ACommandThatFailsIsACrashWithItsLastLines()
    {
        var dir = TestData.TempDir("watch-crash");
        var script = Script(dir, epochs: 3, gapFrom: 99, pause: 0.05, exitCode: 3);
        var (code, output) = CliTests.Run("watch", "--", "python3", script, Path.Combine(dir, "sigint.txt"));
        Assert.Equal(3, code);
        Assert.Contains("critical crashed", output);
        Assert.Contains("training finished", output.Split('\n')
            .First(l => l.Contains("crashed", StringComparison.Ordinal)));
    }

    [Fact]
    public void NoNewEpochWithinAMultipleOfTheMedianEpochTimeIsAStall()
    {
        var dir = TestData.TempDir("watch-stall");
        var script = Script(dir, epochs: 10, gapFrom: 99, pause: 0.1, stallAt: 8);
        var (code, output) = CliTests.Run("watch", "--stall-factor", "5", "--", "python3", script,
            Path.Combine(dir, "sigint.txt"));
        Assert.True(code == 0, output);
        var stall = output.Split('\n').First(l => l.Contains("warning stalled", StringComparison.Ordinal));
        // Epoch 6 is complete once "Epoch 7/10" is printed; after epoch 7's line the script sleeps 3 s, 30 times an
        // epoch.
        Assert.StartsWith("watch: !! epoch 6:", stall);
        Assert.Contains("median epoch time", stall);
    }
}

/// <summary>
/// What watch shows: the live display in a terminal, the terminal's notification sequences, a run folder that grows.
/// </summary>
public class WatchDisplayTests
{
    [Fact]
    public void TheLiveDisplayShowsTheLatestEpochTheCurvesAndTheFindingsSoFar()
    {
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(writer), Interactive = Spectre.Console.InteractionSupport.Yes,
            Ansi = Spectre.Console.AnsiSupport.No,
        });
        console.Profile.Width = 160;
        var log = LogReader.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "seed001-fixres-v1"))[0];
        var summary = LiveWatchView.Run(console, view =>
        {
            var session = new WatchSession(log with { Epochs = new(), Events = new() }, new WatchOptions(), view,
                record: null, alerts: null);
            int next = 0;
            foreach (var e in log.Epochs)
            {
                for (; next < log.Events.Count && log.Events[next].Epoch <= e.Epoch; next++)
                    session.AddEvent(log.Events[next]);
                session.AddEpoch(e);
            }
            return session.Finish();
        });
        var shown = writer.ToString();
        Assert.Contains("epoch 59: train loss", shown);                           // the latest epoch's metrics
        Assert.Contains("T train acc   V val acc", shown);                       // the chart's legend
        Assert.Contains("critical schedule-shift", shown);                       // the findings so far
        Assert.Contains("(regimen, 60 epochs of 60)", shown);
        Assert.Contains(summary.Findings, l => l.Finding.Kind == "schedule-shift");
    }

    [Fact]
    public void NotificationsAreTheBellAndTheSequenceTheTerminalShows()
    {
        string For(params (string Key, string Value)[] env) =>
            TerminalNotification.Sequence(env.ToDictionary(e => e.Key, e => (string?)e.Value),
                "critical overfitting; at epoch 8\n");
        Assert.Equal("\a", For(("TERM", "xterm-256color")));
        Assert.Equal("\u001b]9;critical overfitting at epoch 8\a\a", For(("TERM_PROGRAM", "iTerm.app")));
        Assert.Equal("\u001b]9;critical overfitting at epoch 8\a\a", For(("WT_SESSION", "1")));
        Assert.Equal("\u001b]777;notify;regimen;critical overfitting at epoch 8\a\a", For(("VTE_VERSION", "7200")));
        // tmux passes the bell only
        Assert.Equal("\a", For(("TERM_PROGRAM", "iTerm.app"), ("TMUX", "/tmp/tmux-0/default,1,0")));
    }

    [Fact]
    public async Task FollowsARegimenRunFolderUntilItsSummarySaysItEnded()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "seed001-fixres-v1");
        var run = TestData.TempDir("watch-run-folder");
        var lines = File.ReadAllLines(Path.Combine(fixture, "metrics.csv"));
        File.Copy(Path.Combine(fixture, "recipe.yaml"), Path.Combine(run, "recipe.yaml"));
        var summary = File.ReadAllText(Path.Combine(fixture, "summary.json"));
        File.WriteAllText(Path.Combine(run, "summary.json"), summary.Replace("\"completed\"", "\"running\"",
            StringComparison.Ordinal));
        File.Copy(Path.Combine(fixture, "events.jsonl"), Path.Combine(run, "events.jsonl"));
        var view = new StringWriter();
        var watching = Task.Run(() =>
            FollowWatch.Run(run, new WatchOptions { PollInterval = TimeSpan.FromMilliseconds(20) },
            new PlainWatchView(view), alerts: null, CancellationToken.None));
        // The recorder's way: metrics.csv replaced whole (atomically) after each epoch.
        for (int n = 1; n < lines.Length; n += 10)
        {
            AtomicFile.WriteAllText(Path.Combine(run, "metrics.csv"),
                string.Join("\n", lines.Take(Math.Min(lines.Length, n + 10))) + "\n");
            await Task.Delay(150);
        }
        AtomicFile.WriteAllText(Path.Combine(run, "summary.json"), summary);
        var result = await watching.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("completed", result.Status);
        Assert.Equal(60, result.Summary!.Analysis.Epochs);
        Assert.Contains("critical schedule-shift", view.ToString());
        Assert.Equal(Describe(Analyst.Analyze(LogReader.Read(fixture)[0]).Findings),
            Describe(result.Summary.Analysis.Findings));
    }

    static string Describe(IEnumerable<Finding> findings) =>
        string.Join("; ", findings.Select(f => $"{f.Kind}/{f.Severity}/{f.FirstEpoch}-{f.LastEpoch}")
            .OrderBy(x => x, StringComparer.Ordinal));
}
