using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Regimen.Recipes;

/// <summary>
/// Turns YAML (a file, a built-in recipe, command-line overrides) into a validated <see cref="Recipe"/>, and a
/// recipe back into YAML that loads to the same recipe. All errors of one load are reported together, each
/// with its file, line and key path.
/// </summary>
public static class RecipeLoader
{
    /// <summary>
    /// Loads a recipe by file path or built-in name, then applies <c>key.path=value</c> overrides. Without a
    /// <paramref name="check"/> only the schema and ranges are checked; Sessions.CheckedRecipes adds the registries'
    /// names.
    /// </summary>
    public static Recipe Load(string fileOrName, IEnumerable<string>? overrides = null, RecipeCheck? check = null)
    {
        if (File.Exists(fileOrName)) return Parse(File.ReadAllText(fileOrName), fileOrName, overrides, check);
        var builtin = BuiltinRecipes.Find(fileOrName);
        if (builtin != null) return Parse(builtin.Yaml, $"<built-in {builtin.Name}>", overrides, check);
        var hint = DidYouMean.Closest(fileOrName, BuiltinRecipes.All.Select(r => r.Name));
        throw new RegimenException(
            $"Recipe '{fileOrName}' is neither a file nor a built-in recipe" +
            (hint != null ? $" (did you mean '{hint}'?)" : "") + ". See: regimen recipes list");
    }

    public static Recipe Parse(string yaml, string source, IEnumerable<string>? overrides = null,
        RecipeCheck? check = null)
    {
        var recipe = new Recipe();
        var binder = new YamlBinder(source);
        var root = ParseDocument(yaml, source);
        var all = (overrides ?? Enumerable.Empty<string>()).ToList();
        // A key with a list index (phases[2].augment=true) edits the document itself, as a recipe patch does.
        var indexed = all.Where(a => a.IndexOf('=') is > 0 and var eq && a[..eq].Contains('[')).ToList();
        foreach (var assignment in indexed)
        {
            int eq = assignment.IndexOf('=');
            RecipePatch.Set(root ??= new YamlMappingNode(), assignment[..eq].Trim(), assignment[(eq + 1)..].Trim(),
                $"--set {assignment}");
        }
        if (root != null) binder.BindObject(recipe, root, "");
        foreach (var assignment in all.Except(indexed))
        {
            binder.Source = $"--set {assignment}";
            var overrideRoot = ParseOverride(assignment);
            binder.BindObject(recipe, overrideRoot, "");
        }
        binder.Errors.AddRange(RecipeValidator.Validate(recipe, binder.Where));
        if (check != null)
            binder.Errors.AddRange(check(recipe).Select(p => $"{binder.Where(p.Key)}: {p.Key}: {p.Message}"));
        if (binder.Errors.Count > 0)
            throw new RegimenException($"Invalid recipe ({binder.Errors.Count} " +
                $"problem{(binder.Errors.Count > 1 ? "s" : "")}):\n  " + string.Join("\n  ", binder.Errors));
        return recipe;
    }

    static YamlMappingNode? ParseDocument(string yaml, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e)
        {
            throw new RegimenException($"{source}:{e.Start.Line}:{e.Start.Column}: malformed YAML: " +
                $"{e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode m => m,
            YamlScalarNode { Value: null or "" } => null,
            var other =>
                throw new RegimenException($"{source}:{other.Start.Line}:{other.Start.Column}: a recipe must be a " +
                $"mapping of keys (name:, epochs:, model:, ...)"),
        };
    }

    /// <summary>Turns <c>optimizer.lr=0.05</c> into the mapping {optimizer: {lr: 0.05}}.</summary>
    static YamlMappingNode ParseOverride(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new RegimenException($"--set {assignment}: expected key.path=value, e.g. --set optimizer.lr=0.05");
        var keys = assignment[..eq].Trim().Split('.');
        if (keys.Any(k => k.Length == 0))
            throw new RegimenException($"--set {assignment}: empty key in '{assignment[..eq]}'");
        var valueText = assignment[(eq + 1)..].Trim();
        YamlNode value;
        if (valueText.StartsWith('[') || valueText.StartsWith('{'))
        {
            var doc = new YamlStream();
            try { doc.Load(new StringReader("v: " + valueText)); }
            catch (YamlException e)
            {
                throw new RegimenException($"--set {assignment}: malformed value ({e.Message})");
            }
            value = ((YamlMappingNode)doc.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        }
        else value = new YamlScalarNode(valueText);
        for (int i = keys.Length - 1; i >= 0; i--) value = new YamlMappingNode(new YamlScalarNode(keys[i]), value);
        return (YamlMappingNode)value;
    }

    /// <summary>The recipe as YAML in the key names that <see cref="Parse"/> reads.</summary>
    public static string ToYaml(Recipe recipe)
    {
        var serializer = new SerializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            .WithIndentedSequences()
            .WithTypeConverter(new PlainDecimalConverter())
            .Build();
        return serializer.Serialize(recipe);
    }

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
