using Regimen.Recipes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class RecipesListCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("recipe", "description");
        foreach (var r in BuiltinRecipes.All)
            table.AddRow(Markup.Escape(r.Name) + (r.Name == BuiltinRecipes.DefaultName ? " [grey](default)[/]" : ""),
                Markup.Escape(r.Description));
        AnsiConsole.Write(table);
        return 0;
    }
}
