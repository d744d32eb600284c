using System.Diagnostics;

namespace Regimen.Tests;

/// <summary>The HTML report as a person sees it: headless Chromium opens it, and the page shows the findings.</summary>
public class HtmlReportTests
{
    static string Chromium()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("Chromium is not installed: run scripts/setup (apt-get install chromium)");
    }

    /// <summary>The page's DOM after its scripts ran, in a window <paramref name="width"/> pixels wide (0: the
    /// default).</summary>
    internal static string DumpDom(string html, int width = 0)
    {
        var start = new ProcessStartInfo(Chromium())
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={TestData.TempDir("chromium")}",
                         "--dump-dom", new Uri(html).AbsoluteUri })
            start.ArgumentList.Add(a);
        if (width > 0) start.ArgumentList.Insert(0, $"--window-size={width},900");
        using var p = Process.Start(start)!;
        var dom = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("chromium"); }
        return dom.Result;
    }

    [Fact]
    public void TheAnalysisPageShowsFindingsRecommendationsAndEmbeddedCharts()
    {
        var html = Path.Combine(TestData.TempDir("html"), "seed001.html");
        var (code, output) = CliTests.Run("analyze", AnalystTests.Fixture("seed001-fixres-v1"), "--html", html);
        Assert.True(code == 0, output);
        var source = File.ReadAllText(html);
        Assert.DoesNotContain("http://", source);          // self-contained: nothing to fetch
        Assert.DoesNotContain("https://", source);
        var dom = DumpDom(html);
        Assert.Contains("Analysis: seed001-fixres-v1", dom);
        Assert.Contains("schedule-shift", dom);
        Assert.Contains("augment on → off", dom);
        Assert.Contains("id=\"keep-training-augmentations\"", dom);
        Assert.Contains("phases[2].augment: true", dom);
        Assert.True(System.Text.RegularExpressions.Regex.Count(dom, "src=\"data:image/png;base64,") >= 3,
            "three embedded charts");
    }

    [Fact]
    public void TheComparisonPageShowsTheVerdict()
    {
        var html = Path.Combine(TestData.TempDir("html"), "compare.html");
        var (code, output) = CliTests.Run("compare", AnalystTests.Fixture("seed002-session02"),
            AnalystTests.Fixture("seed002-session04"), "--html", html);
        Assert.True(code == 0, output);
        var dom = DumpDom(html);
        Assert.Contains("For deployment: seed002-session02", dom);
        Assert.Contains("id=\"verdict\"", dom);
    }
}
