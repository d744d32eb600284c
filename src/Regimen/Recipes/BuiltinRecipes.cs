using System.Reflection;

namespace Regimen.Recipes;

/// <summary>A recipe shipped inside Regimen, runnable by name.</summary>
public sealed record BuiltinRecipe(string Name, string Description, string Yaml);

/// <summary>
/// The built-in recipes: YAML files under Recipes/Builtin embedded in the assembly, so that
/// <c>regimen recipes show NAME</c> prints exactly what <c>regimen train FILE</c> accepts.
/// </summary>
public static class BuiltinRecipes
{
    /// <summary>What <c>regimen train</c> runs with no recipe named.</summary>
    public const string DefaultName = "fashion-mnist";

    static readonly Lazy<IReadOnlyList<BuiltinRecipe>> all = new(LoadAll);

    public static IReadOnlyList<BuiltinRecipe> All => all.Value;

    public static BuiltinRecipe? Find(string name) =>
        All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    static List<BuiltinRecipe> LoadAll()
    {
        var assembly = typeof(BuiltinRecipes).Assembly;
        const string prefix = "Regimen.Recipes.Builtin.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                var yaml = new StreamReader(stream).ReadToEnd();
                var name = n[prefix.Length..^".yaml".Length];
                var description = yaml.Split('\n')
                    .FirstOrDefault(l =>
                    l.StartsWith("description:", StringComparison.Ordinal))?["description:".Length..].Trim() ?? "";
                return new BuiltinRecipe(name, description, yaml);
            })
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
    }
}
