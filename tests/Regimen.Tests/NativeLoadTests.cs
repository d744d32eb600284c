using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class NativeLoadTests
{
    [Fact]
    public void LibTorchLoadsAndRunsForwardAndBackward()
    {
        // Fails with a load error if the GLIBCXX patch of libLibTorchSharp.so did not happen where it is needed.
        var w = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var x = tensor(new float[] { 4, 5, 6 });
        var y = (w * x).sum();
        y.backward();
        Assert.Equal(32f, y.item<float>());
        Assert.Equal(new float[] { 4, 5, 6 }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void BuildPatchedOnlyTheOutputCopy()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(output));
        var cache = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ??
                                 Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                                     ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(cache)) return; // another package layout: nothing to compare with
        // The NuGet cache keeps the original: its GLIBCXX_3.4.32 requirement is not weak (flag bit 0x2 clear).
        Assert.False(WeakFlag(cache), "the build must not patch the NuGet cache copy");
    }

    static bool WeakFlag(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var name = System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0");
        int nameAt = bytes.AsSpan().IndexOf(name);
        Assert.True(nameAt > 0);
        // Find the .gnu.version_r entry naming it: scan section headers for SHT_GNU_verneed.
        long shoff = BitConverter.ToInt64(bytes, 0x28);
        int shentsize = BitConverter.ToUInt16(bytes, 0x3A), shnum = BitConverter.ToUInt16(bytes, 0x3C);
        for (int s = 0; s < shnum; s++)
        {
            int sh = (int)(shoff + s * shentsize);
            if (BitConverter.ToUInt32(bytes, sh + 4) != 0x6ffffffe) continue;
            long offset = BitConverter.ToInt64(bytes, sh + 0x18);
            int link = (int)BitConverter.ToUInt32(bytes, sh + 0x28),
                count = (int)BitConverter.ToUInt32(bytes, sh + 0x2C);
            long strings = BitConverter.ToInt64(bytes, (int)(shoff + link * shentsize) + 0x18);
            long vn = offset;
            for (int n = 0; n < count; n++)
            {
                long aux = vn + BitConverter.ToUInt32(bytes, (int)vn + 8);
                for (int a = 0; a < BitConverter.ToUInt16(bytes, (int)vn + 2); a++)
                {
                    long at = strings + BitConverter.ToUInt32(bytes, (int)aux + 8);
                    if (bytes.AsSpan((int)at, name.Length).SequenceEqual(name))
                        return (BitConverter.ToUInt16(bytes, (int)aux + 4) & 2) != 0;
                    aux += BitConverter.ToUInt32(bytes, (int)aux + 12);
                }
                vn += BitConverter.ToUInt32(bytes, (int)vn + 12);
            }
        }
        throw new InvalidOperationException("GLIBCXX_3.4.32 not found in .gnu.version_r");
    }
}
