using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Regimen.Tests;

/// <summary>
/// The README's examples as a new user runs them on a fresh clone: every ```bash block after an
/// <c>&lt;!-- example ... --&gt;</c> line runs in bash from a folder that holds only the clone's files, with
/// <c>$R</c> the built command line. scripts/setup is quiet: one line per step, the tools' output in its log.
/// </summary>
public class ReadmeExampleTests
{
    internal static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Regimen.slnx"))) return dir.FullName;
            throw new InvalidOperationException("no Regimen.slnx above " + AppContext.BaseDirectory);
        }
    }

    static List<string> Examples()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        return Regex.Matches(readme, @"^<!-- example[^\n]*-->\n```bash\n(.*?)^```",
            RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();
    }

    static (int Code, string Output) Bash(string script, string directory,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = directory
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) { p.Kill(true); throw new TimeoutException(script); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void EveryExampleBlockOfTheReadmeRunsOnAFreshClone()
    {
        var examples = Examples();
        Assert.NotEmpty(examples);
        var cli = Path.Combine(AppContext.BaseDirectory, "Regimen.Cli.dll");
        foreach (var block in examples)
        {
            // Only what a clone has: no ../shared (the checkout's parent in CI, absent on a user's machine).
            Assert.DoesNotContain("../shared", block);
            var clone = TestData.TempDir("readme");
            Directory.CreateSymbolicLink(Path.Combine(clone, "tests"), Path.Combine(Root, "tests"));
            var script = "set -euo pipefail\n" + string.Join("\n", block.Split('\n')
                .Select(line => line.StartsWith("R=", StringComparison.Ordinal) ? $"R=\"dotnet {cli}\"" : line));
            if (!script.Contains("R=\"dotnet")) script = $"R=\"dotnet {cli}\"\n" + script;
            var (code, output) = Bash(script, clone);
            Assert.True(code == 0, $"{block}\n---\n{output}");
            Assert.DoesNotContain("   at ", output);
            Assert.DoesNotContain("error:", output);
        }
    }

    [Fact]
    public void SetupIsQuietAndInstallsWithoutRecommendedPackages()
    {
        var setup = File.ReadAllText(Path.Combine(Root, "scripts", "setup"));
        var statements = setup.Replace("\\\n", " ").Split('\n');
        var installs = statements.Where(l => l.Contains("apt-get install", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(installs);
        foreach (var line in installs) Assert.Contains("--no-install-recommends", line);
        foreach (var package in new[] { "dataset-fashion-mnist", "chromium", "python3-torch", "python3-torchvision" })
            Assert.Contains($"missing+=({package})", setup);

        // Run it with stand-ins for apt-get and dotnet: each step is one line, the tools' output goes to the log.
        var bin = TestData.TempDir("setup-bin");
        var calls = Path.Combine(bin, "calls");
        foreach (var tool in new[] { "apt-get", "dotnet" })
        {
            var path = Path.Combine(bin, tool);
            File.WriteAllText(path, $"#!/bin/sh\necho \"{tool} $*\" >> {calls}\nfor i in $(seq 1 200); do echo " +
                $"\"{tool} output line $i\"; done\n");
        }
        Assert.Equal(0, Bash($"chmod +x {bin}/apt-get {bin}/dotnet", bin).Code);
        var log = Path.Combine(TestData.TempDir("setup-log"), "setup.log");
        var (code, output) = Bash(Path.Combine(Root, "scripts", "setup"), Root, new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["SETUP_LOG"] = log,
        });
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 4, output);
        Assert.Contains("building Regimen ... ok", output);
        Assert.DoesNotContain("output line", output);
        Assert.Contains("dotnet output line 200", File.ReadAllText(log));
        foreach (var call in File.ReadAllLines(calls).Where(c => c.Contains(" install ", StringComparison.Ordinal)))
            Assert.Contains("--no-install-recommends", call);
    }
}
