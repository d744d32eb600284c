// Training tests each use libtorch's threads; running them side by side oversubscribes the 2 cores and makes
// every test slower than running them one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
