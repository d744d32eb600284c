using Regimen.Training;

namespace Regimen.Tests;

public class NativeMemoryGuardTests
{
    [Fact]
    public void TrimsOncePerFivePercentOfGrowthAndTakesGrowthThatStaysAsTheNewLevel()
    {
        if (!TorchRuntime.NativeMemoryTuned) return;   // with glibc's defaults the heap trims itself
        var guard = new NativeMemoryGuard();
        const long M = 1 << 20;
        // Epochs 0 and 1 settle the level (100 MB); 104 is within 5 %; 106 is not: trimmed.
        Assert.False(guard.AtEpochEnd(90 * M));
        Assert.False(guard.AtEpochEnd(100 * M));
        Assert.False(guard.AtEpochEnd(104 * M));
        Assert.True(guard.AtEpochEnd(106 * M));
        // Still above the mark an epoch after the trim: real growth, the new level, no second trim.
        Assert.False(guard.AtEpochEnd(120 * M));
        Assert.False(guard.AtEpochEnd(125 * M));
        Assert.True(guard.AtEpochEnd(127 * M));
        Assert.False(guard.AtEpochEnd(110 * M));
        Assert.Equal(2, guard.Trims);
    }
}
