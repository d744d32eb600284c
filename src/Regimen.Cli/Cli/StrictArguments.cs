using System.Reflection;
using Spectre.Console.Cli;

namespace Regimen.Cli;

/// <summary>
/// Refuses what a command does not understand. Spectre binds the options a command declares and leaves the rest
/// in <see cref="CommandContext.Remaining"/>; any of those before a <c>--</c> is a mistake (a misspelled option must
/// not start a 15-epoch training with the defaults), reported with the closest option the command has.
/// Commands need nothing to take part: every command's settings are checked here, before it runs.
/// A command that takes a command line after <c>--</c> (as <c>watch -- COMMAND</c>) marks its settings
/// <see cref="IAcceptsTrailingArguments"/>; without it, arguments after <c>--</c> are refused too.
/// </summary>
public sealed class StrictArguments(IReadOnlyList<string> args) : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        var command = CommandPath(context.Name);
        int dashDash = IndexOfDashDash(args);
        var before = dashDash < 0 ? args : args.Take(dashDash).ToList();
        var known = OptionNames(settings.GetType());
        foreach (var group in context.Remaining.Parsed)
        {
            var name = group.Key;
            // Spectre also lists the options of a command line after "--" here (watch -- regimen train --out R): one
            // this command knows was given before "--" to it, and is no typo.
            if (known.Contains(name)) continue;
            if (!before.Any(a => a == name || a.StartsWith(name + "=", StringComparison.Ordinal) ||
                                 a.StartsWith(name + ":", StringComparison.Ordinal))) continue;
            var hint = Suggest(name, known);
            throw new RegimenException($"{command}: unknown option '{name}'{hint}" +
                                       $" (see 'regimen {command} --help')");
        }
        if (context.Remaining.Raw.Count > 0 && settings is not IAcceptsTrailingArguments)
            throw new RegimenException($"{command}: unexpected argument '{context.Remaining.Raw[0]}' after '--'" +
                                       $" (see 'regimen {command} --help')");
        OutputPaths.Check(settings);
    }

    /// <summary>"recipes show" rather than "show": the words of the command line up to the command's name.</summary>
    string CommandPath(string name)
    {
        int at = args.ToList().IndexOf(name);
        return at < 0 ? name : string.Join(" ", args.Take(at + 1));
    }

    static int IndexOfDashDash(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++) if (args[i] == "--") return i;
        return -1;
    }

    public static IReadOnlyList<string> OptionNames(Type settings) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(a => a is { IsHidden: false })
            .SelectMany(a => a!.LongNames.Select(n => "--" + n).Concat(a.ShortNames.Select(n => "-" + n)))
            .Append("--help")
            .ToList();

    /// <summary>" (did you mean '--epochs'?)" for a candidate close enough to be a typo, else the list.</summary>
    public static string Suggest(string given, IReadOnlyList<string> candidates)
    {
        // A long option is compared with long ones, "-e" with the short ones: '--set' is no hint for '-e'.
        bool isLong = given.StartsWith("--", StringComparison.Ordinal);
        var alike = candidates.Where(c => c.StartsWith("--", StringComparison.Ordinal) == isLong).ToList();
        var hint = DidYouMean.Closest(given.TrimStart('-'), alike.Select(c => c.TrimStart('-')));
        var longNames = candidates.Where(c => c.StartsWith("--", StringComparison.Ordinal));
        return hint != null
            ? $" (did you mean '{alike.First(c => c.TrimStart('-') == hint)}'?)"
            : $" (its options: {string.Join(", ", longNames)})";
    }
}

/// <summary>Settings of a command that takes another command line after <c>--</c> (left in Remaining.Raw).</summary>
public interface IAcceptsTrailingArguments;
