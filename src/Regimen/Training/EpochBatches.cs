using Regimen.Data;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// An epoch's training batches from a given batch on, augmented, in the epoch's order: prepared on a worker
/// thread (data.workers) or in the loop. Each batch's augmentation draws from its own generator seeded by
/// (seed, epoch, batch), so both ways give the same batches and a resume continues them.
/// </summary>
sealed class EpochBatches : IDisposable
{
    readonly BatchPrefetcher? prefetcher;

    public EpochBatches(TrainingSetup setup, int epoch, EpochSettings settings, int first)
    {
        var recipe = setup.Recipe;
        var order = BatchLoader.Order(setup.Train.Count, recipe.Seed, epoch);
        bool dropLast = setup.Train.Count > recipe.BatchSize;
        var source = BatchLoader.Batches(setup.Train, recipe.BatchSize, order, dropLast, first);
        Tensor Prepare(Batch batch, int index)
        {
            using var generator = new Generator((ulong)Seeds.Derive(recipe.Seed, epoch, index, 0xA06));
            return setup.Augment.Train(batch.Images, settings.Resolution, settings.Augment, settings.AugmentLevel,
                recipe.Augment, generator);
        }
        prefetcher = recipe.Data.Workers > 0 ? new BatchPrefetcher(source, Prepare, recipe.Data.Prefetch, first) : null;
        Batches = prefetcher?.Batches()
            ?? source.Select((batch, index) => BatchPrefetcher.Prepare(batch, first + index, Prepare));
    }

    public IEnumerable<PreparedBatch> Batches { get; }

    public void Dispose() => prefetcher?.Dispose();
}
