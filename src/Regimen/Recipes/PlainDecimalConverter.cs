using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Regimen.Recipes;

/// <summary>
/// Writes a recipe's numbers as a person types them: plain decimals with every digit (0.00002, not YamlDotNet's
/// 2E-05), so that a patched or printed recipe can be read and pasted; they read back to the same double.
/// </summary>
sealed class PlainDecimalConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(double) || type == typeof(float);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var text = parser.Consume<Scalar>().Value;
        double value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return type == typeof(float) ? (float)value : value;
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
    {
        double x = value is float f ? double.Parse(f.ToString("R", CultureInfo.InvariantCulture),
            CultureInfo.InvariantCulture) : (double)value!;
        var text = double.IsNaN(x) ? ".nan" : double.IsPositiveInfinity(x) ? ".inf"
            : double.IsNegativeInfinity(x) ? "-.inf" : Units.Exact(x);
        emitter.Emit(new Scalar(text));
    }
}
