using System.Reflection;
using System.Text.RegularExpressions;
using Regimen.Cli;
using Spectre.Console.Cli;

namespace Regimen.Tests;

/// <summary>
/// The command line refuses what it does not understand, before doing anything: unknown options, stray arguments,
/// output paths it could not write. Every command is covered; a new command fails these tests until it is listed.
/// </summary>
public class CommandLineTests
{
    static string Fixture(string name) => AnalystTests.Fixture(name);

    /// <summary>Each command with the arguments it needs, a misspelled option and the option to suggest.</summary>
    static readonly (string Command, string[] Args, string Typo, string Suggestion)[] Misspellings =
    [
        ("train", ["train"], "--epoch", "--epochs"),
        ("evaluate", ["evaluate", "run"], "--jsn", "--json"),
        ("analyze", ["analyze", "log.csv"], "--targte", "--target"),
        ("watch", ["watch", "runs"], "--stop-onn", "--stop-on"),
        ("compare", ["compare", "a", "b"], "--markdwn", "--markdown"),
        ("predict", ["predict", "model", "images"], "--ot", "--out"),
        ("export", ["export", "run"], "--fromat", "--format"),
        ("evolve", ["evolve", "recipe"], "--budjet", "--budget"),
        ("ledger", ["ledger", "workspace"], "--pgn", "--png"),
        ("trial", ["trial", "workspace", "t001"], "--replika", "--replica"),
        ("recipes list", ["recipes", "list"], "--hepl", "--help"),
        ("recipes show", ["recipes", "show", "fashion-mnist"], "--resolve", "--resolved"),
        ("recipes patch", ["recipes", "patch", "fashion-mnist"], "--sett", "--set"),
        ("recipes simulate", ["recipes", "simulate", "fashion-mnist"], "--steps-per-epch", "--steps-per-epoch"),
        ("models", ["models"], "--hlp", "--help"),
    ];

    /// <summary>The commands `regimen --help` lists, branches expanded ("recipes show").</summary>
    static List<string> ListedCommands(string prefix = "")
    {
        var (code, help) = CliTests.Run([.. prefix.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.True(code == 0, help);
        var section = help[(help.IndexOf("COMMANDS:", StringComparison.Ordinal) + "COMMANDS:".Length)..];
        var names = new List<string>();
        foreach (Match m in Regex.Matches(section, @"^ {4}([a-z][a-z-]*)", RegexOptions.Multiline))
        {
            var name = (prefix + " " + m.Groups[1].Value).Trim();
            var (_, sub) = CliTests.Run([.. name.Split(' '), "--help"]);
            if (sub.Contains("COMMANDS:", StringComparison.Ordinal)) names.AddRange(ListedCommands(name));
            else names.Add(name);
        }
        return names;
    }

    [Fact]
    public void EveryCommandIsCoveredByTheMisspelledOptionTest()
    {
        var listed = ListedCommands().Append("trial").Order().ToList();
        Assert.Equal(listed, Misspellings.Select(m => m.Command).Order().ToList());
        // The did-you-mean for an unknown command knows every command too.
        foreach (var word in listed.Where(c => c != "trial").SelectMany(c => c.Split(' ')))
            Assert.Contains(word, CommandNames.All);
    }

    [Fact]
    public void EveryCommandRefusesAMisspelledOptionAndSuggestsTheRightOne()
    {
        foreach (var (command, args, typo, suggestion) in Misspellings)
        {
            var (code, output) = CliTests.Run([.. args, typo, "3"]);
            Assert.True(code == 2, $"{command}: {output}");
            Assert.Contains($"{command}: unknown option '{typo}' (did you mean '{suggestion}'?)", output);
            Assert.DoesNotContain("   at ", output);
        }
    }

    [Fact]
    public void UnknownOptionsWithoutACloseMatchListTheCommandsOptions()
    {
        var (code, output) = CliTests.Run("compare", "a", "b", "--png", "x.png");
        Assert.Equal(2, code);
        Assert.Contains("compare: unknown option '--png' (its options: --milestones, --json, --markdown, --html",
            output);
        (code, output) = CliTests.Run("train", "-e", "3");
        Assert.Equal(2, code);
        Assert.Contains("train: unknown option '-e' (its options: --data, --epochs", output);
    }

    [Fact]
    public void StrayArgumentsAndUnknownCommandsAreRefused()
    {
        var (code, output) = CliTests.Run("models", "extra");
        Assert.Equal(2, code);
        Assert.Contains("models: unexpected argument 'extra' (it takes none)", output);
        (code, output) = CliTests.Run("evaluate", "run", "extra");
        Assert.Equal(2, code);
        Assert.Contains("unexpected argument 'extra'", output);
        (code, output) = CliTests.Run("analyze", "log.csv", "--", "extra");
        Assert.Equal(2, code);
        Assert.Contains("analyze: unexpected argument 'extra' after '--'", output);
        (code, output) = CliTests.Run("trian");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'trian' (did you mean 'train'?)", output);
        (code, output) = CliTests.Run("recipes", "lst");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'lst' (did you mean 'list'?)", output);
    }

    [Theory]
    [InlineData(new[] { "train", "--epochs", "x" }, "--epochs: expected a whole number, got 'x'")]
    [InlineData(new[] { "train", "--folds=two" }, "--folds: expected a whole number, got 'two'")]
    [InlineData(new[] { "evolve", "fashion-mnist", "--target", "high" }, "--target: expected a number, got 'high'")]
    [InlineData(new[] { "watch", "log.csv", "--grace", "abc" }, "--grace: expected a number, got 'abc'")]
    [InlineData(new[] { "watch", "log.csv", "--monitor" }, "--monitor: needs a value")]
    [InlineData(new[] { "train", "--set" }, "--set: needs a value")]
    public void AValueThatIsNotANumberOrIsMissingIsRefusedNamingTheOption(string[] args, string message)
    {
        var (code, output) = CliTests.Run(args);
        Assert.Equal(2, code);
        Assert.Contains($"error: {message}", output);
        Assert.DoesNotContain("Nullable", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void VersionNamesRegimenTorchSharpAndLibtorch()
    {
        var (code, output) = CliTests.Run("--version");
        Assert.True(code == 0, output);
        Assert.Matches(@"Regimen \d+\.\d+\.\d+", output);
        Assert.Contains($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3)}", output);
        Assert.Contains("libtorch 2.10.0 (libtorch-cpu-linux-x64)", output);
    }

    /// <summary>Each command's output options (by settings type and option), with a command line using it.</summary>
    static readonly Dictionary<(string Command, string Option), Func<string, string[]>> OutputCommandLines = new()
    {
        [("AnalyzeCommand", "--png")] = p => ["analyze", Fixture("seed001-fixres-v1"), "--png", p],
        [("AnalyzeCommand", "--markdown")] = p => ["analyze", Fixture("seed001-fixres-v1"), "--markdown", p],
        [("AnalyzeCommand", "--html")] = p => ["analyze", Fixture("seed001-fixres-v1"), "--html", p],
        [("CompareCommand", "--markdown")] = p =>
            ["compare", Fixture("seed002-session02"), Fixture("seed002-session04"), "--markdown", p],
        [("CompareCommand", "--html")] = p =>
            ["compare", Fixture("seed002-session02"), Fixture("seed002-session04"), "--html", p],
        [("LedgerCommand", "--markdown")] = p => ["ledger", "workspace", "--markdown", p],
        [("LedgerCommand", "--png")] = p => ["ledger", "workspace", "--png", p],
        [("PredictCommand", "--out")] = p => ["predict", "model", "images", "--out", p],
        [("ExportCommand", "--out")] = p => ["export", "run", "--out", p],
        [("RecipesPatchCommand", "--out")] = p =>
            ["recipes", "patch", "fashion-mnist", "--set", "epochs=2", "--out", p],
        [("TrainCommand", "--out")] = p => ["train", "--out", p],
        [("WatchCommand", "--out")] = p => ["watch", "--out", p, "--", "true"],
        [("EvolveCommand", "--workspace")] = p => ["evolve", "fashion-mnist", "--workspace", p],
    };

    static IEnumerable<(string Command, string Option)> DeclaredOutputOptions() =>
        typeof(StrictArguments).Assembly.GetTypes()
            .Where(t => typeof(CommandSettings).IsAssignableFrom(t) && !t.IsAbstract && t.DeclaringType is not null)
            .SelectMany(t => t.GetProperties()
                .Where(p => p.GetCustomAttribute<OutputPathAttribute>() is not null)
                .Select(p => (t.DeclaringType!.Name,
                    "--" + p.GetCustomAttribute<CommandOptionAttribute>()!.LongNames[0])));

    [Fact]
    public void EveryOutputOptionIsCoveredByTheOutputPathTest() =>
        Assert.Equal(DeclaredOutputOptions().Order().ToList(), OutputCommandLines.Keys.Order().ToList());

    [Fact]
    public void EveryCommandRefusesMissingAndUnwritableOutputPathsBeforeWorking()
    {
        foreach (var ((command, option), line) in OutputCommandLines)
        {
            var root = TestData.TempDir("cli-paths");
            var missing = Path.Combine(root, "absent", "report.out");
            var (code, output) = CliTests.Run(line(missing));
            Assert.True(code == 2, $"{command} {option}: {output}");
            Assert.Contains($"{option} {missing}: the folder {Path.Combine(root, "absent")} does not exist", output);
            Assert.False(Directory.Exists(Path.Combine(root, "absent")), $"{command} {option} created the folder");

            (code, output) = CliTests.Run(line("/proc/regimen-report.out"));
            Assert.True(code == 2, $"{command} {option}: {output}");
            Assert.Contains($"{option} /proc/regimen-report.out: cannot write in /proc", output);
            Assert.DoesNotContain("   at ", output);
        }
    }

    [Fact]
    public void MkdirCreatesTheFolderAndEveryWrittenReportIsNamed()
    {
        var root = Path.Combine(TestData.TempDir("cli-mkdir"), "new", "folder");
        var png = Path.Combine(root, "seed001");
        var (code, output) = CliTests.Run("analyze", Fixture("seed001-fixres-v1"), "--mkdir", "--png", png,
            "--markdown", Path.Combine(root, "a.md"), "--html", Path.Combine(root, "a.html"));
        Assert.True(code == 0, output);
        string[] files = [png + "-curves.png", png + "-gap.png", png + "-schedule.png",
            Path.Combine(root, "a.md"), Path.Combine(root, "a.html")];
        foreach (var file in files)
        {
            Assert.True(File.Exists(file), file);
            Assert.Contains($"wrote {file}", output);
        }
        (code, output) = CliTests.Run("compare", Fixture("seed002-session02"), Fixture("seed002-session04"),
            "--markdown", Path.Combine(root, "c.md"), "--html", Path.Combine(root, "c.html"));
        Assert.True(code == 0, output);
        Assert.Contains($"wrote {Path.Combine(root, "c.md")}", output);
        Assert.Contains($"wrote {Path.Combine(root, "c.html")}", output);
    }

    [Fact]
    public void AnUnexpectedExceptionIsOneLineWithItsOwnExitCodeAndTheTraceOnlyWhenAskedFor()
    {
        Exception thrown;
        try { throw new InvalidOperationException("boom\nsecond line"); }
        catch (Exception e) { thrown = e; }
        var previous = Environment.GetEnvironmentVariable(ErrorHandler.DebugVariable);
        try
        {
            Environment.SetEnvironmentVariable(ErrorHandler.DebugVariable, null);
            var error = new StringWriter();
            Assert.Equal(ExitCodes.InternalError, ErrorHandler.Handle(thrown, [], error));
            var lines = error.ToString().TrimEnd().Split('\n');
            Assert.Equal("error: unexpected InvalidOperationException: boom", lines[0]);
            Assert.Contains("REGIMEN_DEBUG=1", lines[1]);
            Assert.Equal(2, lines.Length);

            Environment.SetEnvironmentVariable(ErrorHandler.DebugVariable, "1");
            error = new StringWriter();
            ErrorHandler.Handle(thrown, [], error);
            Assert.Contains("   at ", error.ToString());
        }
        finally { Environment.SetEnvironmentVariable(ErrorHandler.DebugVariable, previous); }

        Assert.Equal(ExitCodes.BadInput, ErrorHandler.Describe(new RegimenException("bad"), []).Code);
        Assert.Equal(ExitCodes.Failure, ErrorHandler.Describe(new IOException("disk full"), []).Code);
        Assert.Equal(ExitCodes.Interrupted, ErrorHandler.Describe(new OperationCanceledException(), []).Code);
    }
}
