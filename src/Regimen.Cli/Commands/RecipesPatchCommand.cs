using System.ComponentModel;
using System.Text.Json;
using Regimen.Analysis;
using Regimen.Recipes;
using Regimen.Sessions;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class RecipesPatchCommand : Command<RecipesPatchCommand.Settings>
{
    public sealed class Settings : OutputSettings
    {
        [CommandArgument(0, "<RECIPE>"), Description("A recipe file or built-in name.")]
        public string Recipe { get; init; } = "";

        [CommandOption("--set <KEY=VALUE>"), Description("A change, list items by index: --set " +
            "phases[2].augment=true (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--analysis <JSON>"), Description("The output of 'regimen analyze --json': apply its " +
            "recommendations' patches.")]
        public string? Analysis { get; init; }

        [CommandOption("--recommendation <ID>"), Description("With --analysis: only this recommendation (repeatable; " +
            "default all).")]
        public string[] Recommendation { get; init; } = Array.Empty<string>();

        [CommandOption("--out <FILE>"), OutputPath,
            Description("Write the patched recipe here instead of printing it.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var recipe = CheckedRecipes.Load(s.Recipe);
        var patch = new Dictionary<string, string>();
        if (s.Analysis != null)
        {
            RunAnalysis analysis;
            try
            {
                analysis = JsonSerializer.Deserialize<RunAnalysis>(File.ReadAllText(s.Analysis)) ??
                    throw new JsonException("empty");
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                throw new RegimenException(
                    $"--analysis {s.Analysis}: not the JSON of 'regimen analyze --json' ({e.Message})");
            }
            var chosen = analysis.Recommendations.Where(r => s.Recommendation.Length == 0 ||
                s.Recommendation.Contains(r.Id)).ToList();
            foreach (var id in s.Recommendation.Where(id => analysis.Recommendations.All(r => r.Id != id)))
                throw new RegimenException($"--recommendation {id}: not in {s.Analysis} (it has: " +
                    $"{string.Join(", ", analysis.Recommendations.Select(r => r.Id))})");
            foreach (var r in chosen) foreach (var (k, v) in r.Patch) patch[k] = v;
        }
        foreach (var assignment in s.Set)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new RegimenException($"--set {assignment}: expected key.path=value");
            patch[assignment[..eq].Trim()] = assignment[(eq + 1)..].Trim();
        }
        if (patch.Count == 0) throw new RegimenException("nothing to patch: give --set KEY=VALUE or --analysis JSON");
        var patched = CheckedRecipes.Patch(recipe, patch, s.Analysis ?? "--set");
        var yaml = RecipeLoader.ToYaml(patched);
        if (s.Out != null)
        {
            AtomicFile.WriteAllText(s.Out, yaml);
            AnsiConsole.MarkupLine($"patched {patch.Count} key(s) → [link]{Markup.Escape(Path.GetFullPath(s.Out))}[/]");
        }
        else Console.Write(yaml);
        return 0;
    }
}
