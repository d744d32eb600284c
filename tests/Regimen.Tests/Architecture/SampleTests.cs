using System.Diagnostics;

namespace Regimen.Tests.Architecture;

/// <summary>
/// samples/CustomModel as another project uses Regimen: the library packed into a folder, the sample restored from
/// it (with the native-load fix the package carries), built and run: it registers a model, trains and analyzes.
/// </summary>
public class SampleTests
{
    [Fact]
    public void TheSampleBuildsFromThePackedLibraryAndTrainsARegisteredModel()
    {
        var work = TestData.TempDir("sample");
        var feed = Path.Combine(work, "packages");
        // A version of its own per run: NuGet's cache never serves an earlier build of the same version.
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        try
        {
            PackAndRunTheSample(work, feed, version);
        }
        finally
        {
            RemoveTestVersions(version);
        }
        Assert.False(Directory.Exists(Path.Combine(RestoredVersions(), version)), "left in NuGet's cache");
    }

    static void PackAndRunTheSample(string work, string feed, string version)
    {
        var root = Repository.Root;
        // Built apart from the repository's own outputs, which the test binaries come from.
        Dotnet(root, "pack", Path.Combine(root, "src", "Regimen"), "-c", "Release", "-o", feed, $"-p:Version={version}",
            $"-p:OutputPath={Path.Combine(work, "lib-bin")}/",
                $"-p:IntermediateOutputPath={Path.Combine(work, "lib-obj")}/");
        Assert.Single(Directory.GetFiles(feed, $"Regimen.{version}.nupkg"));

        // The sample folder copied out, so that nothing from the checkout's build settings reaches it.
        var sample = Path.Combine(work, "samples", "CustomModel");
        Directory.CreateDirectory(sample);
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets" })
            File.Copy(Path.Combine(root, "samples", file), Path.Combine(work, "samples", file));
        foreach (var file in Directory.GetFiles(Path.Combine(root, "samples", "CustomModel"), "*.cs*"))
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        var build = Dotnet(sample, "build", "-c", "Release", $"-p:RegimenPackages={feed}",
            $"-p:RegimenVersion={version}",
            "-p:CreateHardLinksForCopyLocalIfPossible=true", "-v:n");
        Assert.Contains("RegimenPatchTorchSharpNative", build);   // the package's buildTransitive targets ran

        var run = Path.Combine(work, "run");
        var output = Dotnet(sample, Path.Combine(sample, "bin", "Release", "net10.0", "CustomModel.dll"), run);
        Assert.Contains("3 epochs, val_acc", output);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        Assert.Contains("name: tiny_mlp", File.ReadAllText(Path.Combine(run, "recipe.yaml")));
        Assert.True(Directory.Exists(Path.Combine(RestoredVersions(), version)), "restored from NuGet's cache");
    }

    /// <summary>
    /// Where NuGet keeps the Regimen versions restored on this machine: each run's own test version would stay there
    /// for good.
    /// </summary>
    static string RestoredVersions()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(cache))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            cache = Path.Combine(home, ".nuget", "packages");
        }
        return Path.Combine(cache, "regimen");
    }

    /// <summary>
    /// Removes this run's version from NuGet's cache, and test versions left over an hour ago by runs that were killed
    /// before their cleanup (a newer one may be another checkout's test in progress).
    /// </summary>
    static void RemoveTestVersions(string mine)
    {
        var folder = RestoredVersions();
        if (!Directory.Exists(folder)) return;
        foreach (var path in Directory.GetDirectories(folder, "0.1.0-test*"))
        {
            var name = Path.GetFileName(path);
            bool old = DateTime.TryParseExact(name["0.1.0-test".Length..], "yyyyMMddHHmmssfff",
                System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal |
                System.Globalization.DateTimeStyles.AdjustToUniversal, out var made) && DateTime.UtcNow - made >
                TimeSpan.FromHours(1);
            if (name != mine && !old) continue;
            try { Directory.Delete(path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    static string Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild settings would point the child build at the wrong SDK pieces.
        foreach (var key in start.Environment.Keys.Where(k =>
            k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        var output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0,
            $"dotnet {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        return output;
    }
}
