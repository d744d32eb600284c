using System.ComponentModel;
using System.Reflection;
using Spectre.Console.Cli;

namespace Regimen.Cli;

/// <summary>What an output option names: a file, a prefix of several files, or a folder the command creates.</summary>
public enum OutputKind { File, Prefix, Folder }

/// <summary>
/// Marks an option whose value is a path the command writes. <see cref="StrictArguments"/> checks every such path
/// before the command starts (so that an hour of training or analysis is not lost to a typo in the last option):
/// its folder must exist and be writable, and a file must not be a folder. A missing folder is an error unless the
/// user passes <c>--mkdir</c> (<see cref="OutputSettings"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OutputPathAttribute(OutputKind kind = OutputKind.File) : Attribute
{
    public OutputKind Kind { get; } = kind;
}

/// <summary>Settings of a command that writes files: <c>--mkdir</c> lets it create their missing folders.</summary>
public abstract class OutputSettings : CommandSettings
{
    [CommandOption("--mkdir")]
    [Description("Create missing parent folders of the output paths (otherwise a missing folder is an error).")]
    public bool Mkdir { get; init; }
}

public static class OutputPaths
{
    /// <summary>Checks every <see cref="OutputPathAttribute"/> option given; throws naming the option.</summary>
    public static void Check(CommandSettings settings)
    {
        bool mkdir = settings is OutputSettings { Mkdir: true };
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<OutputPathAttribute>() is not { } output) continue;
            if (property.GetValue(settings) is not string path || path.Length == 0) continue;
            var option = property.GetCustomAttribute<CommandOptionAttribute>()?.LongNames is [var name, ..]
                ? "--" + name : property.Name;
            Check(option, path, output.Kind, mkdir);
        }
    }

    public static void Check(string option, string path, OutputKind kind, bool mkdir)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new RegimenException($"{option} {path}: not a valid path ({e.Message})");
        }
        if (kind != OutputKind.Folder && Directory.Exists(full))
            throw new RegimenException($"{option} {path}: is a folder; give a file name");
        if (kind == OutputKind.Folder && File.Exists(full))
            throw new RegimenException($"{option} {path}: is a file; give a folder");
        // A folder the command creates needs a writable parent; a file (or prefix) needs its own folder.
        var folder = Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
        if (kind == OutputKind.Folder && Directory.Exists(full)) folder = full;
        if (string.IsNullOrEmpty(folder)) return;
        if (!Directory.Exists(folder))
        {
            if (!mkdir)
                throw new RegimenException($"{option} {path}: the folder {folder} does not exist " +
                                           "(create it first, or add --mkdir to create it)");
            try { Directory.CreateDirectory(folder); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RegimenException($"{option} {path}: cannot create the folder {folder} ({e.Message})");
            }
        }
        var probe = Path.Combine(folder, $".regimen-write-check-{Environment.ProcessId}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegimenException($"{option} {path}: cannot write in {folder} ({e.Message})");
        }
    }
}
