using System.ComponentModel;
using Regimen.Recipes;
using Regimen.Sessions;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class RecipesShowCommand : Command<RecipesShowCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RECIPE>"), Description("A built-in recipe name or a recipe file.")]
        public string Recipe { get; init; } = "";

        [CommandOption("--resolved"), Description("Print every key with its value, defaults included.")]
        public bool Resolved { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var recipe = CheckedRecipes.Load(s.Recipe);
        var builtin = BuiltinRecipes.Find(s.Recipe);
        Console.Write(!s.Resolved && builtin != null && !File.Exists(s.Recipe) ? builtin.Yaml
            : RecipeLoader.ToYaml(recipe));
        return 0;
    }
}
