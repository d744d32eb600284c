using Regimen.Analysis;
using Regimen.Analysis.Live;
using Regimen.Runs;
using Regimen.Sessions.Watch;

namespace Regimen.Tests;

/// <summary>
/// The live analyst knows the run's plan: a fall at the peak of the learning rate, with most of the planned epochs
/// ahead, is judged against the training's own swings (docs/analysis.md, "Live"). The numbers are those of a real
/// default run (the README's first command: 15 epochs, one-cycle peaking at 0.2 at epoch 3, 6000 held-out images).
/// </summary>
public class LiveScheduleTests
{
    static readonly double[] ValAcc =
    {
        0.7775, 0.702166667, 0.874333333, 0.8145, 0.870166667, 0.785, 0.892333333, 0.887, 0.8985, 0.9045, 0.9165,
        0.921833333, 0.926833333, 0.930166667, 0.929833333,
    };
    static readonly double[] TrainAcc =
    {
        0.671875, 0.838015885, 0.864533848, 0.87735674, 0.882738272, 0.888713628, 0.894874555, 0.898957096,
        0.90259427, 0.910351099, 0.914916122, 0.921800772, 0.92838851, 0.936887619, 0.938891776,
    };
    static readonly double[] TrainLoss =
    {
        1.22302223, 0.865409706, 0.804905603, 0.776362694, 0.758979769, 0.744825662, 0.732236231, 0.721913529,
        0.712624463, 0.698570941, 0.684967268, 0.66957778, 0.655457319, 0.639757556, 0.633742611,
    };
    static readonly double[] ValLoss =
    {
        0.661743357, 0.885504222, 0.4026897, 0.561384682, 0.446026731, 0.645683706, 0.383373278, 0.366959796,
        0.347409238, 0.326579865, 0.30374041, 0.2884917, 0.276835321, 0.26951553, 0.266489151,
    };
    static readonly double[] Lr =
    {
        0.008, 0.056, 0.152, 0.2, 0.196592596, 0.186602594, 0.170710795, 0.1500002, 0.125882201, 0.1000004,
        0.074118599, 0.0500006, 0.0292900047, 0.013398206, 0.00340820374,
    };

    static TrainingLog Log(double[] val, double[] train, double[] trainLoss, double[] valLoss, double[] lr,
        int planned) => new()
        {
            Name = "default-run", Source = "training", Format = "regimen", PlannedEpochs = planned,
            ValidationSize = 6000, TrainSize = 54000, Classes = 10,
            Epochs = val.Select((v, e) => new LogEpoch
            {
                Epoch = e, ValAccuracy = v, TrainAccuracy = train[e], TrainLoss = trainLoss[e], ValLoss = valLoss[e],
                LearningRate = lr[e],
            }).ToList(),
        };

    static TrainingLog DefaultRun() => Log(ValAcc, TrainAcc, TrainLoss, ValLoss, Lr, planned: 15);

    /// <summary>Each epoch added as the training adds it; the announcements, epoch by epoch.</summary>
    static List<Announcement> Replay(TrainingLog log)
    {
        var live = new LiveAnalyst(log with { Epochs = new() });
        foreach (var e in log.Epochs) live.AddEpoch(e);
        return live.Announced.ToList();
    }

    static readonly string[] Falls = { "degradation", "early-peak", "overfitting" };

    [Fact]
    public void TheDefaultRunsSwingsAtThePeakLearningRateAreNoDegradationLive()
    {
        var announced = Replay(DefaultRun());
        Assert.DoesNotContain(announced, a => a.Finding.Severity == Severity.Critical);
        Assert.DoesNotContain(announced, a => Falls.Contains(a.Finding.Kind));
        // What it does say: the swings, in points.
        var swings = Assert.Single(announced, a => a.Finding.Kind == "oscillation");
        Assert.Equal(5, swings.Epoch);
        Assert.Contains("by 8.96 pt on average", swings.Finding.Summary);
        // The same first 4 epochs read as a finished run: 6 points under the best, 9 binomial SE, is a degradation.
        var fourEpochs = DefaultRun() with { Epochs = DefaultRun().Epochs.Take(4).ToList() };
        var finished = Analyst.Analyze(fourEpochs);
        Assert.Contains(finished.Findings, f => f is { Kind: "degradation", Severity: Severity.Critical });
        // And what the live analysis says of them instead.
        var running = Analyst.AnalyzeRunning(fourEpochs, null);
        Assert.DoesNotContain(running.Findings, f => Falls.Contains(f.Kind));
        Assert.Contains(running.Unchecked, u => u.StartsWith("degradation for now: the learning rate is near its peak",
            StringComparison.Ordinal));
        // The whole run, judged at its end: nothing to report.
        Assert.DoesNotContain(Analyst.Analyze(DefaultRun()).Findings, f => f.Severity != Severity.Info);
    }

    [Fact]
    public void TrainStopOnCriticalLetsTheDefaultRunTrainToItsEnd()
    {
        var session = new WatchSession(DefaultRun() with { Epochs = new() },
            new WatchOptions { StopOn = Severity.Critical }, new SilentView(), record: null, alerts: null);
        foreach (var e in DefaultRun().Epochs) session.AddEpoch(e);
        Assert.Null(session.StopReason);
    }

    /// <summary>
    /// A fine-tuning whose learning rate stays at its peak: best at epoch 2, then 1.5 points lower each epoch, a
    /// steady fall the training's swings do not explain. Announced live once it has lasted 2 epochs (a finished run's
    /// analysis says it after one), critical the epoch after.
    /// </summary>
    [Fact]
    public void ARunThatReallyDegradesAtItsPeakLearningRateIsStillAnnouncedLive()
    {
        var random = new Random(3);
        var val = Enumerable.Range(0, 20)
            .Select(e => (e <= 2 ? 0.80 + 0.05 * e : 0.90 - 0.015 * (e - 2)) + 0.002 * (random.NextDouble() - 0.5))
            .ToArray();
        var train = val.Select((v, e) => Math.Min(0.99, 0.82 + 0.01 * e)).ToArray();
        var trainLoss = val.Select((v, e) => 0.8 - 0.02 * e).ToArray();
        var valLoss = val.Select(v => 1.5 - v).ToArray();
        var lr = Enumerable.Repeat(0.01, 20).ToArray();
        var log = Log(val, train, trainLoss, valLoss, lr, planned: 20);
        var announced = Replay(log);
        var degradation = announced.First(a => a.Finding.Kind == "degradation");
        Assert.Equal(4, degradation.Epoch);
        var critical = announced.First(a => a.Finding is { Kind: "degradation", Severity: Severity.Critical });
        Assert.Equal(5, critical.Epoch);
        Assert.Contains(announced, a => a.Finding.Kind == "early-peak");
    }

    /// <summary>
    /// After a step decay (0.1 → 0.01 at epoch 6 of 30) the learning rate is no longer near its peak: a fall from the
    /// best is judged as a finished run judges it, against the binomial noise, at the first epoch that shows it.
    /// </summary>
    [Fact]
    public void AFallAfterTheDecayIsJudgedAtOnce()
    {
        var val = new[] { 0.60, 0.70, 0.75, 0.78, 0.79, 0.80, 0.88, 0.89, 0.86, 0.84, 0.83, 0.82 };
        var lr = val.Select((v, e) => e < 6 ? 0.1 : 0.01).ToArray();
        var log = Log(val, val.Select(v => v + 0.01).ToArray(), val.Select(v => 1.6 - v).ToArray(),
            val.Select(v => 1.5 - v).ToArray(), lr, planned: 30);
        var announced = Replay(log);
        Assert.Equal(8, announced.First(a => a.Finding.Kind == "degradation").Epoch);
        Assert.Contains(announced, a => a.Finding is { Kind: "degradation", Severity: Severity.Critical });
    }

    /// <summary>A loss that turns to NaN at the peak of the one-cycle schedule: still critical at once, and
    /// --stop-on critical stops the training at that epoch.</summary>
    [Fact]
    public void StopOnCriticalStillStopsADivergingRunAtThePeakLearningRate()
    {
        var log = DefaultRun();
        log.Epochs[3] = log.Epochs[3] with { TrainLoss = double.NaN, ValLoss = double.NaN, ValAccuracy = 0.1 };
        var session = new WatchSession(log with { Epochs = new() }, new WatchOptions { StopOn = Severity.Critical },
            new SilentView(), record: null, alerts: null);
        foreach (var e in log.Epochs.Take(4)) session.AddEpoch(e);
        Assert.NotNull(session.StopReason);
        Assert.StartsWith("critical divergence at epoch 3", session.StopReason);
    }

    sealed class SilentView : IWatchView
    {
        public void Note(string text) { }
        public void Epoch(TrainingLog log, LogEpoch epoch) { }
        public void Announce(Announcement a) { }
    }
}
