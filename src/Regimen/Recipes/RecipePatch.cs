using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Regimen.Recipes;

/// <summary>
/// Applies a recommendation's patch (key path → value, list items by index: <c>phases[2].augment=true</c>) to a
/// recipe, through its YAML, and validates the result like any recipe.
/// </summary>
public static partial class RecipePatch
{
    [GeneratedRegex(@"^(?<key>[a-z0-9_]+)(\[(?<index>\d+)\])?$")]
    private static partial Regex Segment();

    public static Recipe Apply(Recipe recipe, IReadOnlyDictionary<string, string> patch, string source = "patch",
        RecipeCheck? check = null)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RecipeLoader.ToYaml(recipe)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var (path, value) in patch) Set(root, path, value, source);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return RecipeLoader.Parse(writer.ToString(), $"{recipe.Name} + {source}", check: check);
    }

    internal static void Set(YamlMappingNode root, string path, string value, string source)
    {
        var parts = path.Split('.');
        YamlNode node = root;
        for (int i = 0; i < parts.Length; i++)
        {
            var m = Segment().Match(parts[i]);
            if (!m.Success)
                throw new RegimenException($"{source}: '{path}': '{parts[i]}' is not a key (letters, digits, _ and " +
                    $"an optional [index])");
            var mapping = node as YamlMappingNode ??
                throw new RegimenException($"{source}: '{path}': '{parts[i]}' is inside a value, not a mapping");
            var key = new YamlScalarNode(m.Groups["key"].Value);
            bool last = i == parts.Length - 1;
            if (m.Groups["index"].Success)
            {
                if (!mapping.Children.TryGetValue(key, out var list) || list is not YamlSequenceNode sequence)
                    throw new RegimenException($"{source}: '{path}': the recipe has no list '{m.Groups["key"].Value}'");
                int index = int.Parse(m.Groups["index"].Value);
                if (index >= sequence.Children.Count)
                    throw new RegimenException($"{source}: '{path}': '{m.Groups["key"].Value}' has " +
                        $"{sequence.Children.Count} items, no item {index}");
                if (last) sequence.Children[index] = new YamlScalarNode(value);
                else node = sequence.Children[index];
            }
            else if (last) mapping.Children[key] = Parse(value);
            else
            {
                if (!mapping.Children.TryGetValue(key, out var child) || child is not YamlMappingNode)
                    mapping.Children[key] = child = new YamlMappingNode();
                node = child;
            }
        }
    }

    static YamlNode Parse(string value)
    {
        if (!value.StartsWith('[') && !value.StartsWith('{')) return new YamlScalarNode(value);
        var doc = new YamlStream();
        doc.Load(new StringReader("v: " + value));
        return ((YamlMappingNode)doc.Documents[0].RootNode).Children[new YamlScalarNode("v")];
    }
}
