using System.Diagnostics;

namespace Regimen.Tests;

/// <summary>
/// Runs Peers/torchvision_peer.py with Debian's python3-torch and python3-torchvision (installed by scripts/setup
/// and .ci/run; the tests install nothing). Tensors travel as raw little-endian float32 files.
/// </summary>
internal static class TorchPeer
{
    const string Python = "/usr/bin/python3";

    public static void Run(params string[] args)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing: run scripts/setup (python3-torchvision)");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Peers", "torchvision_peer.py"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = "2";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(true);
            throw new TimeoutException("torchvision_peer.py " + string.Join(' ', args));
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"torchvision_peer.py {string.Join(' ', args)} failed " +
                $"({p.ExitCode}): {stdout.Result}{stderr.Result} (scripts/setup installs python3-torchvision)");
    }

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
