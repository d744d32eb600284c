using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Regimen;

/// <summary>
/// Writes doubles as <see cref="Units.Measured"/> rounds them (float noise removed) and NaN or infinities as the
/// strings System.Text.Json's named literals use; reads both. Nullable doubles use it too.
/// </summary>
public sealed class MeasuredDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(Units.Measured(value));
        else writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Indented JSON options with measured doubles: what every command prints with --json.</summary>
    public static JsonSerializerOptions Indented() => new()
    {
        WriteIndented = true,
        Converters = { new MeasuredDoubleConverter() },
    };

    /// <summary>JSON options for a record file (one line, or indented), its doubles measured.</summary>
    public static JsonSerializerOptions Record(bool indented = false, bool omitNulls = false) => new()
    {
        WriteIndented = indented,
        DefaultIgnoreCondition = omitNulls ? JsonIgnoreCondition.WhenWritingNull : JsonIgnoreCondition.Never,
        Converters = { new MeasuredDoubleConverter() },
    };
}
