namespace Regimen.Tests;

public class OneDnnCacheFixTests
{
    // Xbyak's Cpu object as read on a VM whose CPUID leaf 0x8000001D is all zeros: type bits, x2APIC flag, two core
    // counts, dataCacheSize_[10] (three caches of one byte), coresSharingDataCache_[10], dataCacheLevels_ = 3, then
    // avx10 version, model, family, stepping...
    static uint[] Seen(uint[] sizes, uint levels)
    {
        var words = new uint[] { 0x5ef0f7ff, 0xc7fd8f3e, 0x300200e, 0, 1, 1, 1 }.ToList();
        words.AddRange(sizes.Concat(Enumerable.Repeat(0u, 10 - sizes.Length)));
        words.AddRange(Enumerable.Repeat(1u, sizes.Length).Concat(Enumerable.Repeat(0u, 10 - sizes.Length)));
        words.Add(levels);
        words.AddRange(new uint[] { 0, 2, 0xf, 1, 0, 0xb, 0x1a, 2 });
        return words.ToArray();
    }

    [Fact]
    public void FindsTheCacheLevelCountOnlyWhereEveryKnownCacheIsImplausiblySmall()
    {
        Assert.Equal(27, OneDnnCacheFix.FindDegenerateLevels(Seen(new uint[] { 1, 1, 1 }, 3)));
        // Real sizes (48 KB, 1 MB, 32 MB) are left alone, and so is anything that does not have the layout.
        Assert.Equal(-1, OneDnnCacheFix.FindDegenerateLevels(Seen(new uint[] { 48 << 10, 1 << 20, 32 << 20 }, 3)));
        Assert.Equal(-1, OneDnnCacheFix.FindDegenerateLevels(Seen(new uint[] { 1, 1, 1 }, 2)));
        Assert.Equal(-1, OneDnnCacheFix.FindDegenerateLevels(new uint[64]));
    }

    [Fact]
    public void IsAppliedExactlyWhereTheCpuReportsNoCaches()
    {
        using var model = Models.ModelRegistry.Create("small_resnet",
            new Models.ModelOptions(1, 10, 4, null, null, 0, 0));
        var status = OneDnnCacheFix.Status;
        if (OneDnnCacheFix.CacheLeafIsEmpty() &&
            Environment.GetEnvironmentVariable(OneDnnCacheFix.Variable) != "default")
            Assert.StartsWith("applied", status);
        else
            Assert.StartsWith("not needed", status);
    }
}
