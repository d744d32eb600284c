using Regimen.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Regimen.Cli.Commands;

public sealed class ModelsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("model", "description", "options", "params (1x28x28, 10 classes)",
            "params (3ch, 1000 classes)");
        foreach (var m in ModelRegistry.All)
        {
            using var small = m.Create(new ModelOptions(1, 10));
            using var large = m.Create(new ModelOptions(3, 1000));
            table.AddRow(m.Name, Markup.Escape(m.Description), Markup.Escape(m.Options),
                $"{ModelRegistry.ParameterCount(small) / 1e6:F2} M",
                    $"{ModelRegistry.ParameterCount(large) / 1e6:F2} M");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
