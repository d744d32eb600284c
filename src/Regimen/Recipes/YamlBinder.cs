using System.Collections;
using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization.NamingConventions;

namespace Regimen.Recipes;

/// <summary>
/// Binds a YAML tree onto plain C# objects by reflection, with the key names the serializer writes (snake_case),
/// and remembers where each key path stood so that every later error can name its file, line and key.
/// Unknown keys and wrong types are collected, not thrown one at a time, so one run shows all of them.
/// </summary>
internal sealed class YamlBinder
{
    string source;
    public YamlBinder(string source) => this.source = source;

    /// <summary>What the next bound document is called in messages (a file name, or "--set key=value").</summary>
    public string Source { get => source; set => source = value; }

    public List<string> Errors { get; } = new();
    public Dictionary<string, string> Marks { get; } = new();

    public static string KeyOf(PropertyInfo p) => UnderscoredNamingConvention.Instance.Apply(p.Name);

    public string Where(string keyPath)
    {
        // The closest recorded ancestor gives the line when the key itself was not written (a default value).
        for (var p = keyPath; p.Length > 0; p = p.Contains('.') ? p[..p.LastIndexOf('.')] : "")
            if (Marks.TryGetValue(p, out var where)) return where;
        return source;
    }

    public void BindObject(object target, YamlMappingNode node, string path)
    {
        var properties = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).ToDictionary(KeyOf);
        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            Marks[keyPath] = At(keyNode);
            if (!properties.TryGetValue(key, out var property))
            {
                var hint = DidYouMean.Closest(key, properties.Keys);
                Errors.Add($"{At(keyNode)}: unknown key '{keyPath}'" +
                           (hint != null ? $" (did you mean '{hint}'?)" : $" (known here: " +
                               $"{string.Join(", ", properties.Keys)})"));
                continue;
            }
            if (TryConvert(property.PropertyType, valueNode, keyPath, property.GetValue(target), out var value))
                property.SetValue(target, value);
        }
    }

    bool TryConvert(Type type, YamlNode node, string keyPath, object? existing, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YamlScalarNode scalar && IsNull(scalar))
        {
            if (underlying != null || !type.IsValueType) return true;
            return Fail(node, keyPath, $"a {Describe(type)} is required, not null");
        }
        var t = underlying ?? type;
        if (t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(bool))
        {
            if (node is not YamlScalarNode s)
                return Fail(node, keyPath, $"expected {Describe(t)}, found a {NodeKind(node)}");
            return TryScalar(t, s, keyPath, out value);
        }
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
        {
            if (node is not YamlSequenceNode sequence)
                return Fail(node, keyPath, $"expected a list, found a {NodeKind(node)}");
            var elementType = t.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(t)!;
            int i = 0;
            bool ok = true;
            foreach (var item in sequence.Children)
            {
                var itemPath = $"{keyPath}[{i++}]";
                Marks[itemPath] = At(item);
                if (TryConvert(elementType, item, itemPath, null, out var element)) list.Add(element);
                else ok = false;
            }
            value = list;
            return ok;
        }
        if (t.IsClass)
        {
            if (node is not YamlMappingNode mapping)
                return Fail(node, keyPath, $"expected a mapping of keys, found a {NodeKind(node)}");
            var target = existing ?? Activator.CreateInstance(t)!;
            BindObject(target, mapping, keyPath);
            value = target;
            return true;
        }
        return Fail(node, keyPath, $"unsupported type {t.Name}");
    }

    bool TryScalar(Type t, YamlScalarNode s, string keyPath, out object? value)
    {
        var text = s.Value ?? "";
        value = null;
        if (t == typeof(string)) { value = text; return true; }
        if (t == typeof(bool))
        {
            switch (text.ToLowerInvariant())
            {
                case "true": case "yes": case "on": value = true; return true;
                case "false": case "no": case "off": value = false; return true;
            }
            return Fail(s, keyPath, $"expected true or false, found '{text}'");
        }
        if (t == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
        {
            value = i;
            return true;
        }
        if (t == typeof(long) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            value = l;
            return true;
        }
        if (t == typeof(double) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            value = d;
            return true;
        }
        return Fail(s, keyPath, $"expected {Describe(t)}, found '{text}'");
    }

    bool Fail(YamlNode node, string keyPath, string what)
    {
        Errors.Add($"{At(node)}: {keyPath}: {what}");
        return false;
    }

    string At(YamlNode node) => source.StartsWith("--", StringComparison.Ordinal) ? source
        : $"{source}:{node.Start.Line}:{node.Start.Column}";

    static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    static string NodeKind(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "value",
    };

    static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "a whole number" :
        t == typeof(double) ? "a number" :
        t == typeof(bool) ? "true or false" :
        t == typeof(string) ? "a string" : t.Name;
}
