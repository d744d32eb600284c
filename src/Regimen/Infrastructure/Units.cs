using System.Globalization;

namespace Regimen;

/// <summary>
/// How numbers are shown, the same in the terminal, Markdown, HTML and charts: an accuracy as a percentage with two
/// fixed decimals ("93.22 %"), a difference of accuracies in percentage points ("+1.78 pt", never "%": a 2 % gain
/// of a 50 % model is 1 point), and small rates as plain decimals ("0.00000114", not "1.14E-06").
/// </summary>
public static class Units
{
    /// <summary>A fraction (0-1) as a percentage with two decimals: 0.93216 → "93.22 %".</summary>
    public static string Percent(double fraction) =>
        (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    /// <summary>A difference of fractions in percentage points, signed: 0.0178 → "+1.78 pt", 0 → "0.00 pt".</summary>
    public static string Points(double difference)
    {
        var text = (difference * 100).ToString("0.00", CultureInfo.InvariantCulture);
        if (text is "0.00" or "-0.00") return "0.00 pt";
        return (difference > 0 ? "+" : "") + text + " pt";
    }

    /// <summary>Points without a sign, for "a 2.31 pt smaller gap".</summary>
    public static string PointsMagnitude(double difference) => Points(Math.Abs(difference)).TrimStart('+');

    /// <summary>
    /// A value with <paramref name="significant"/> significant digits in plain decimal notation, trailing zeros
    /// dropped: 1.1428e-6 → "0.00000114", 0.2 → "0.2", 12345.6 → "12346".
    /// </summary>
    public static string Significant(double value, int significant = 3)
    {
        if (value == 0 || !double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        int decimals = Math.Clamp(significant - 1 - magnitude, 0, 15);
        var text = Math.Round(value, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
        return text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary>
    /// A value exactly, in the fewest digits that read back to it, and in plain decimal notation, so that it can be
    /// pasted into a recipe: 1.14e-6 → "0.00000114", 0.1 → "0.1", 2e20 → "200000000000000000000".
    /// </summary>
    public static string Exact(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        int e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0 || !double.IsFinite(value)) return text;
        int exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        var mantissa = text[..e].TrimStart('-');
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        int point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var plain = point <= 0 ? "0." + new string('0', -point) + digits
            : point >= digits.Length ? digits + new string('0', point - digits.Length)
            : digits[..point] + "." + digits[point..];
        return (value < 0 ? "-" : "") + plain;
    }

    /// <summary>
    /// A double as JSON carries it (summary.json, events.jsonl, the evolve ledger, every --json): 7 significant
    /// digits, the precision of a float32, in which every metric is measured (Regimen's and other tools'); an
    /// accuracy keeps its image count (0.9321667 is 55930 of 60000), and arithmetic noise (0.00850448700000006) never
    /// reaches a reader. Whole numbers stay exact. Only records are rounded: what a computation reads back
    /// (metrics.csv, checkpoints, recipe.yaml) keeps every digit.
    /// </summary>
    public static double Measured(double value) =>
        value == 0 || !double.IsFinite(value) || (Math.Abs(value) < 1e15 && value == Math.Floor(value)) ? value
            : double.Parse(value.ToString("G7", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
