using Regimen.Analysis;

namespace Regimen.Tests;

/// <summary>
/// The analyst's work counted, not timed: the validation-size inference the noise model runs on every analysis
/// (and the live watcher on every epoch) once cost a product over every value at each of 10^6 candidate sizes, a
/// second per analysis of a log of unrounded floats. It must give what its definition gives, at about one term per
/// candidate size.
/// </summary>
public class AnalysisWorkTests
{
    /// <summary>The definition, term by term (NoiseModel.InferValidationSize's documentation): the reference.</summary>
    static int? ByDefinition(IEnumerable<double> accuracies)
    {
        // Half a unit of the last decimal printed plus one float32 rounding; a float32 in full: that rounding alone.
        var values = new List<(double Value, int Decimals, double Tolerance)>();
        foreach (var v in accuracies.Where(v => v > 0 && v < 1).Distinct().Take(200))
        {
            int d = Enumerable.Range(1, 8).FirstOrDefault(d => Math.Abs(v - Math.Round(v, d)) < 1e-9);
            if (d > 0) values.Add((v, d, 0.5 * Math.Pow(10, -d) + v / (1 << 23)));
            else if ((double)(float)v == v) values.Add((v, 8, v / (1 << 23)));
            else values.Add((v, 16, v / (1 << 23)));   // a double in full
        }
        if (values.Count < 2) return null;
        int limit = (int)Math.Min(1_000_000, Math.Pow(10, values.Max(v => v.Decimals)));
        for (int n = 10; n <= limit; n++)
        {
            double chance = 1;
            foreach (var v in values) chance *= Math.Min(1, 2 * n * v.Tolerance);
            if (chance > 1e-4) return null;
            bool Fits((double Value, int Decimals, double Tolerance) v) =>
                Math.Abs(v.Value * n - Math.Round(v.Value * n)) <= v.Tolerance * n + 1e-9;
            // ... and the size must be fitted rarely by coincidence on the grid the values were printed on.
            if (values.All(Fits) && OnTheGrid(values, n) <= 1e-4) return n;
        }
        return null;
    }

    /// <summary>The share of the values m/10^d within their tolerance of a multiple of 1/n, counted one by
    /// one over a period of the grid, multiplied over the values.</summary>
    static double OnTheGrid(List<(double Value, int Decimals, double Tolerance)> values, int n)
    {
        double chance = 1;
        foreach (var (_, d, tolerance) in values)
        {
            long unit = (long)Math.Pow(10, d), period = unit / Gcd(n, unit);
            if (period > 100_000) { chance *= Math.Min(1, 2 * n * tolerance); continue; }  // too long to count
            int fit = 0;
            for (long m = 0; m < period; m++)
            {
                double x = (double)m * n / unit;
                if (Math.Abs(x - Math.Round(x)) <= tolerance * n + 1e-9) fit++;
            }
            chance *= (double)fit / period;
        }
        return chance;
    }

    static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    public static IEnumerable<object[]> Cases()
    {
        var random = new Random(20);
        // Counts out of a true size, printed with a few decimals: the sizes the inference is for.
        foreach (int size in new[] { 12, 37, 120, 500, 1000, 2500, 10000, 50000 })
            foreach (int decimals in new[] { 2, 3, 4, 6 })
                foreach (int count in new[] { 2, 5, 30 })
                    yield return new object[]
                    {
                        $"{count} of n={size} at {decimals} decimals",
                        Enumerable.Range(0, count)
                            .Select(_ => Math.Round(random.Next(1, size) / (double)size, decimals)).ToArray(),
                    };
        // Round values, which prove nothing; a few unrounded floats; values out of (0, 1).
        yield return new object[] { "round", new[] { 0.64, 0.5, 0.75, 0.8 } };
        yield return new object[] { "floats", Enumerable.Range(0, 6).Select(_ => random.NextDouble()).ToArray() };
        yield return new object[] { "8 decimals", Enumerable.Range(0, 4).Select(_ => Math.Round(random.NextDouble(), 8))
            .ToArray() };
        yield return new object[] { "edges", new[] { 0.0, 1.0, 0.25, 1.5 } };
        // Percentages with 2 decimals of 10,000 images (bearpaw's CIFAR-10 Valid Acc.): they fit 8000 as well.
        yield return new object[] { "percent of 10000", Enumerable.Range(0, 40)
            .Select(_ => random.Next(8000, 9500) / 10000.0).ToArray() };
        // Hugging Face's eval_accuracy: counts divided in double precision, printed in full (55/84, 62/84, 60/84).
        yield return new object[] { "double", new[] { 55 / 84.0, 62 / 84.0, 60 / 84.0 } };
        // Keras' float32 accuracies printed in full.
        yield return new object[] { "float32", Enumerable.Range(0, 12)
            .Select(_ => (double)(float)(random.Next(1, 7178) / 7178.0)).ToArray() };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheInferredValidationSizeIsTheOneItsDefinitionGives(string what, double[] accuracies)
    {
        int? inferred = NoiseModel.InferValidationSize(accuracies), expected = ByDefinition(accuracies);
        Assert.True(expected == inferred, $"{what}: {inferred}, by definition {expected}");
    }

    [Fact]
    public void InferringTheValidationSizeOfUnroundedFloatsCostsAboutOneTermPerCandidateSize()
    {
        // 200 accuracies at 8 decimals (a fifth of unrounded doubles look so): 10^6 candidate sizes, none fits.
        var random = new Random(3);
        var accuracies = Enumerable.Range(0, 200).Select(_ => Math.Round(0.5 + 0.4 * random.NextDouble(), 8)).ToList();
        Assert.Null(NoiseModel.InferValidationSize(accuracies, out long work));
        // was 201 per size: 2 * 10^8 (with the float32 rounding allowed, a large size passes the first value's test
        // more often: a few percent more; sizes go four at a time, and a block where one passes tests all four)
        Assert.InRange(work, 999_990, 1_300_000);
        // A true size is found after as many candidates as it is large, whatever the number of values.
        var counts = Enumerable.Range(0, 200).Select(_ => Math.Round(random.Next(1, 7919) / 7919.0, 6)).ToList();
        Assert.Equal(7919, NoiseModel.InferValidationSize(counts, out long found));
        Assert.InRange(found, 7919 - 10, 2 * 7919);
    }

    [Fact]
    public void TheEpochSpreadsMedianIsTheSortedMedianFoundWithoutASort()
    {
        var random = new Random(11);
        for (int n = 1; n < 300; n += 1 + n / 10)
            foreach (int distinct in new[] { 2, 5, 1000 })
            {
                var values = Enumerable.Range(0, n).Select(_ => (double)random.Next(distinct) / 7).ToList();
                if (n % 3 == 0) values[random.Next(n)] = double.NaN;
                if (n % 4 == 0) values[random.Next(n)] = double.PositiveInfinity;
                var sorted = values.Order().ToList();
                double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
                double median = NoiseModel.Median(values.ToArray());
                Assert.True(expected.Equals(median), $"n={n}, {distinct} distinct: {median}, sorted {expected}");
            }
    }
}
