using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>A batch ready for the model: normalized, augmented inputs and labels, owned by whoever takes it.</summary>
public sealed record PreparedBatch(int Index, Tensor Input, Tensor Labels, int Size) : IDisposable
{
    public void Dispose()
    {
        Input.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Prepares batches on a worker thread, at most <c>capacity</c> ahead of the training loop (bounded prefetch).
/// Each batch's randomness comes from its own generator, so the batches are the same as those prepared in the
/// loop itself. Disposing stops the worker and frees what it prepared but nobody took.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    readonly BlockingCollection<PreparedBatch> queue;
    readonly CancellationTokenSource cancel = new();
    readonly Task worker;
    Exception? failure;

    /// <summary>
    /// Runs <paramref name="prepare"/> in a dispose scope of its own and hands over only the input and the labels.
    /// </summary>
    public static PreparedBatch Prepare(Batch batch, int index, Func<Batch, int, Tensor> prepare)
    {
        using var scope = NewDisposeScope();
        var input = prepare(batch, index).DetachFromDisposeScope();
        batch.Images.Dispose();
        return new PreparedBatch(index, input, batch.Labels, batch.Size);
    }

    public BatchPrefetcher(IEnumerable<Batch> batches, Func<Batch, int, Tensor> prepare, int capacity,
        int firstIndex = 0)
    {
        queue = new BlockingCollection<PreparedBatch>(Math.Max(1, capacity));
        worker = LoaderThread.Run(() =>
        {
            try
            {
                int index = firstIndex;
                foreach (var batch in batches)
                {
                    if (cancel.IsCancellationRequested) break;
                    var prepared = Prepare(batch, index++, prepare);
                    try { queue.Add(prepared, cancel.Token); }
                    catch (OperationCanceledException) { prepared.Dispose(); break; }
                }
            }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        });
    }

    /// <summary>The prepared batches in order; rethrows what failed on the worker.</summary>
    public IEnumerable<PreparedBatch> Batches()
    {
        foreach (var batch in queue.GetConsumingEnumerable()) yield return batch;
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }

    public void Dispose()
    {
        cancel.Cancel();
        try { worker.Wait(); } catch (AggregateException) { }
        while (queue.TryTake(out var left)) left.Dispose();
        queue.Dispose();
        cancel.Dispose();
    }
}

/// <summary>
/// The one thread that prepares batches, for the whole process: libtorch's per-thread state (OpenMP teams, kernel
/// caches) is set up once instead of for every epoch's new thread, which made RSS creep up epoch after epoch.
/// Jobs run one after another.
/// </summary>
internal static class LoaderThread
{
    static readonly BlockingCollection<(Action Job, TaskCompletionSource Done)> jobs = new();

    static LoaderThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var (job, done) in jobs.GetConsumingEnumerable())
            {
                try { job(); done.SetResult(); }
                catch (Exception e) { done.SetException(e); }
            }
        })
        { IsBackground = true, Name = "regimen-loader" };
        thread.Start();
    }

    public static Task Run(Action job)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        jobs.Add((job, done));
        return done.Task;
    }
}
