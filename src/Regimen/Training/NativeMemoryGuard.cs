namespace Regimen.Training;

/// <summary>
/// Keeps a training's resident memory within 5 % of what it settled at, once an epoch. With malloc's trim threshold
/// raised (TorchRuntime), freed activation buffers stay in the heap for the next step, which is what makes steps fast;
/// but the free space between live blocks grows as a run goes on: over 16 epochs of cifar_resnet18 w8 the heap's
/// blocks in use stayed at 65-72 MB while its free part grew from 154 to 183 MB (mallinfo2), and RSS by 7.5 %. When
/// RSS at an epoch's end exceeds the settled level by 5 %, the free memory is handed back (malloc_trim) and the next
/// epoch faults its buffers in again (0.2 s for that model). If RSS is still above the mark after that epoch, the
/// growth was real (a higher resolution, a larger phase) and becomes the new level, so a run trims at most once for
/// each 5 % its heap fragments.
/// </summary>
public sealed class NativeMemoryGuard
{
    public const double Tolerance = 0.05;
    long settled;
    int epochs;
    bool trimmedLastEpoch;

    /// <summary>How many times this training handed memory back.</summary>
    public int Trims { get; private set; }

    /// <summary>Call at each epoch's end, after the epoch's garbage collection; returns whether it trimmed.</summary>
    public bool AtEpochEnd(long residentBytes)
    {
        if (!TorchRuntime.NativeMemoryTuned) return false;
        // The first epoch's end is too early: the evaluation's buffers and the loader's queue are still filling up.
        if (++epochs <= 2) { settled = residentBytes; return false; }
        if (residentBytes <= settled * (1 + Tolerance)) { trimmedLastEpoch = false; return false; }
        if (trimmedLastEpoch)
        {
            settled = residentBytes;
            trimmedLastEpoch = false;
            return false;
        }
        trimmedLastEpoch = TorchRuntime.TrimNativeHeap();
        if (trimmedLastEpoch) Trims++;
        return trimmedLastEpoch;
    }
}
