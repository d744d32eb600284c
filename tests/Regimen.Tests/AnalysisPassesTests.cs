using System.Globalization;
using Regimen.Analysis;
using Regimen.Analysis.Findings;
using Regimen.Runs;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>
/// The analysis' plain passes over a long log give what the LINQ they replaced gives (bench/RESULTS.md, item 7: a
/// delegate per epoch, a copy of a series or a measure taken twice cost a log of 10^6 epochs tenths of a second), and
/// the measures several kinds read are taken once per view.
/// </summary>
public class AnalysisPassesTests
{
    /// <summary>Epochs out of order and repeated, values with ties, NaN and infinities where a log may have
    /// them.</summary>
    static TrainingLog Log(int seed, int epochs)
    {
        var random = new Random(seed);
        var log = new TrainingLog { Name = "p", Source = "p", Format = "csv" };
        double? Maybe(double x) => random.Next(9) switch
        {
            0 => null,
            1 => double.NaN,
            2 => random.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity,
            _ => x,
        };
        for (int i = 0; i < epochs; i++)
        {
            int epoch = random.Next(6) == 0 ? random.Next(epochs) : i;
            double tie = Math.Round(random.NextDouble(), 1);
            log.Epochs.Add(new LogEpoch
            {
                Epoch = epoch, TrainLoss = Maybe(tie + 1), TrainAccuracy = Maybe(tie), ValLoss = Maybe(2 - tie),
                ValAccuracy = Maybe(random.Next(4) == 0 ? 1.0 / random.Next(2, 11) : tie), ValTop5 = Maybe(tie),
                LearningRate = Maybe(0.1 * tie), EpochSeconds = Maybe(30 + tie),
            });
        }
        return log;
    }

    static readonly string[] Roles =
        { "val_acc", "val_loss", "train_acc", "train_loss", "val_top5", "lr", "epoch_time" };

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 50)]
    [InlineData(4, 2000)]
    public void EveryRoleSeriesIsWhatItsSelectorBuilds(int seed, int epochs)
    {
        var log = Log(seed, epochs);
        var series = new LogSeries(log);
        foreach (var role in Roles) Assert.Equal(log.Series(TrainingLog.RoleSelector(role)!), series[role]);
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(6, 40)]
    [InlineData(7, 3000)]
    public void TheBestEpochIsTheFirstAtTheBestValue(int seed, int epochs)
    {
        var log = Log(seed, epochs);
        foreach (var metric in new[] { "val_acc", "val_loss" })
        {
            var v = new LogView(log, metric);
            var expected = v.Values.Count == 0 ? ((int, double)?)null
                : v.Values.Aggregate((a, b) => v.Better(b.Value, a.Value) ? b : a);
            Assert.Equal(expected, v.Best);
        }
    }

    [Theory]
    [InlineData(8, 30)]
    [InlineData(9, 500)]
    public void TheSinglePassesAreTheirDefinitions(int seed, int epochs)
    {
        var log = Log(seed, epochs);
        var v = new LogView(log, "val_acc");
        var loss = v.Series("val_loss");
        for (int from = -1; from <= epochs; from += Math.Max(1, epochs / 37))
        {
            var end = v.Values.Where(p => p.Epoch > from).TakeLast(3).ToList();
            Assert.Equal(end, Degradation.LastAfter(v.Values, from));
            Assert.Equal(v.Values.Where(p => p.Epoch >= from - 3 && p.Epoch < from + 2).ToList(),
                LogView.Within(v.Values, from - 3, from + 2));
            if (end.Count == 0) continue;
            var at = loss.Where(p => p.Epoch == from).ToList();
            var later = loss.Where(p => end.Any(e => e.Epoch == p.Epoch)).ToList();
            bool improved = loss.Count > 0 && at.Count == 1 && later.Count == end.Count
                && later.Average(p => p.Value) < at[0].Value;
            Assert.Equal(improved, Degradation.LossImproved(v, from, end));
            if (log.Epochs.Any(e => e.Epoch == from))
                Assert.Same(log.Epochs.First(e => e.Epoch == from), LogView.FirstAt(log, from));
        }
        Assert.Throws<InvalidOperationException>(() => LogView.FirstAt(log, -5));
    }

    [Fact]
    public void AnAccuracyFlatAtOneOverCIsCountedInOnePassAsForEachC()
    {
        var random = new Random(10);
        for (int trial = 0; trial < 200; trial++)
        {
            int c = random.Next(2, 12);
            var acc = Enumerable.Range(0, random.Next(0, 12)).Select(e => (e, random.Next(3) switch
            {
                0 => 1.0 / c,
                1 => 1.0 / c + (random.NextDouble() - 0.5) * 2e-5,
                _ => random.NextDouble(),
            })).ToList();
            int? expected = null;
            if (acc.Count >= 4)
                for (int k = 2; k <= 10 && expected is null; k++)
                    if (acc.Count(p => Math.Abs(p.Item2 - 1.0 / k) < 5e-6) * 4 >= acc.Count * 3) expected = k;
            Assert.Equal(expected, LogView.FlatAtOneOver(acc));
        }
    }

    [Fact]
    public void TheDegradationAndGapMeasuresAreTakenOncePerViewAndOptions()
    {
        var log = new TrainingLog { Name = "d", Source = "d", Format = "csv" };
        for (int e = 1; e <= 30; e++)
            log.Epochs.Add(new LogEpoch
            {
                Epoch = e, ValAccuracy = e <= 10 ? 0.5 + 0.03 * e : 0.8 - 0.01 * (e - 10),
                ValLoss = e <= 10 ? 1.0 / e + 0.5 : 0.6 + 0.02 * (e - 10),
                TrainAccuracy = Math.Min(1, 0.5 + 0.02 * e), TrainLoss = 1.0 / e,
            });
        var o = new AnalysisOptions();
        var v = new LogView(log, "val_acc", o);
        var measured = Degradation.Measure(v, o);
        Assert.NotNull(measured);
        Assert.Same(measured, Degradation.Measure(v, o));
        Assert.Same(Overfitting.MeasureGap(v, o), Overfitting.MeasureGap(v, o));
        // Other options are measured afresh, and a fresh view gives the same measure.
        var other = o with { DegradationDelta = 0.5 };
        Assert.NotSame(measured, Degradation.Measure(v, other));
        Assert.Null(Degradation.Measure(v, other)!.Severity);
        Assert.Equal(measured, Degradation.Measure(new LogView(log, "val_acc", o), o));
    }

    [Theory]
    [InlineData(11, 3)]
    [InlineData(12, 70000)]   // more rows than one parallel chunk
    public void EveryColumnOfACsvParsedInOnePassIsWhatItsCellsAre(int seed, int rows)
    {
        var random = new Random(seed);
        string[] odd = { "", " ", "nan", "NaN", "inf", "Infinity", "1e-3", "-2.5E+2", " 0.125 ", "+7", "00.50" };
        var header = new[] { "epoch", "a", "b", "c", "text" };
        var cells = new List<string[]>();
        for (int i = 0; i < rows; i++)
            cells.Add(new[]
            {
                i.ToString(CultureInfo.InvariantCulture),
                (random.NextDouble() * 10).ToString("F5", CultureInfo.InvariantCulture),
                random.Next(5) == 0 ? odd[random.Next(odd.Length)] : random.NextDouble().ToString("R",
                    CultureInfo.InvariantCulture),
                i == rows - 1 ? "x1" : (i * 0.5).ToString(CultureInfo.InvariantCulture),
                random.Next(3) == 0 ? "train" : "0.5",
            });
        var path = Path.Combine(Path.GetTempPath(), $"regimen-onepass-{seed}-{Environment.ProcessId}.csv");
        File.WriteAllLines(path, cells.Select(r => string.Join(',', r)).Prepend(string.Join(',', header)));
        try
        {
            var table = CsvTable.Read(path);
            for (int c = 0; c < header.Length; c++)
            {
                var expected = new double[rows];
                int bad = -1;
                for (int i = 0; i < rows && bad < 0; i++)
                {
                    var cell = cells[i][c].Trim();
                    if (cell.Length == 0) expected[i] = LogEpoch.Missing;
                    else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                        expected[i] = v;
                    else if (cell is "nan" or "NaN") expected[i] = double.NaN;
                    else if (cell is "inf" or "Infinity") expected[i] = double.PositiveInfinity;
                    else bad = i;
                }
                if (bad >= 0)
                {
                    Assert.Null(table.NumberColumn(c, strict: false));
                    var e = Assert.Throws<RegimenException>(() => table.NumberColumn(c));
                    Assert.Contains($":{bad + 2}: '{cells[bad][c].Trim()}'", e.Message);
                    continue;
                }
                var first = table.NumberColumn(c)!;
                Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits),
                    first.Select(BitConverter.DoubleToInt64Bits));
                // Handed out once; a second caller gets its own copy of the same numbers.
                var second = table.NumberColumn(c)!;
                Assert.NotSame(first, second);
                Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits),
                    second.Select(BitConverter.DoubleToInt64Bits));
            }
            Assert.Null(table.NumberColumn(header.Length));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
