using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// Lua Torch7's <c>optim.Logger</c> files (the demos' train.log and test.log): a row of names, each followed by a
/// tab ("% mean class accuracy (test set)\t"), then one row per <c>logger:add{...}</c> call, each number written as
/// <c>%11.4e</c> and a tab (" 9.8560e+01\t"). No epoch column: the demos add one row per epoch, so rows are epochs
/// 1..N. One file is one logger; the demos keep the training and the test accuracy in two files.
/// </summary>
internal sealed class Torch7LoggerReader : ILogReader
{
    public string Name => "torch7-logger";
    public string LooksFor => "a Torch7 optim.Logger file: a row of tab-terminated names ('% mean class accuracy " +
        "(test set)\\t'), then rows of numbers written as %11.4e, each with a tab (' 9.8560e+01\\t')";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || sample.Lines.Count < 2 || !sample.Lines[0].EndsWith('\t')) return 0;
        var header = sample.Lines[0].Split('\t');
        if (header[..^1].Any(h => h.Trim().Length == 0 || Scientific(h))) return 0;
        int rows = 0;
        foreach (var line in sample.Lines.Skip(1).Take(20))
        {
            if (sample.Truncated && ReferenceEquals(line, sample.Lines[^1])) break;
            var fields = line.TrimEnd('\r').Split('\t');
            if (fields.Length != header.Length || fields[^1].Trim().Length > 0 || !fields[..^1].All(Scientific))
                return 0;
            rows++;
        }
        return rows > 0 ? 0.96 : 0;
    }

    /// <summary>A number as Lua's %11.4e writes it: " 9.8560e+01", "-1.2000e-03", "nan", "inf".</summary>
    static bool Scientific(string field)
    {
        var f = field.Trim();
        if (f is "nan" or "-nan" or "inf" or "-inf") return true;
        int e = f.IndexOfAny(['e', 'E']);
        return e > 0 && f[..e].Contains('.') &&
            double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    static readonly string[] Notes = { "a Torch7 optim.Logger file (one row per logger:add call)" };

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var t = CsvTable.Read(path, '\t');
        return LogAssembly.Build(CsvLogReader.Table(t), new LogDescription
        {
            Name = Path.GetFileNameWithoutExtension(path), Source = path, Reader = Name, Format = "torch7",
            Notes = Notes,
        }, options);
    }
}
