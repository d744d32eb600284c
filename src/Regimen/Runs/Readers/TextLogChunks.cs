using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;

namespace Regimen.Runs.Readers;

/// <summary>
/// Reads a text log's lines through a <see cref="TextLogParser"/> on several threads: one reads the file a megabyte
/// at a time (each chunk ending at a newline), scanners decode and scan the chunks in turn (what each line says by
/// itself: <see cref="TextLogParser.LineScanner"/>), and the calling thread applies the scans in the order of the
/// file. Scanning is most of the work (measured with perf), so on two cores it is split between two scanners, and the
/// result is the parser's line by line (each line scans the same whatever scanner reads it; the class count is taken
/// from the first line in the file that gives one). A fenced log is scanned by one scanner: whether a line counts
/// depends on the fences before it.
/// </summary>
internal static class TextLogChunks
{
    internal const int ChunkBytes = 1 << 20;

    /// <summary>Scanners for a log read on this machine: one per core, at most four (beyond that the thread that
    /// applies the scans is the slower half).</summary>
    internal static int DefaultScanners => Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>A piece of the file that ends at a newline (a longer line grows it), not yet decoded.</summary>
    sealed class Chunk(int size)
    {
        public byte[] Bytes = new byte[size];
        public int Start, Length;
    }

    /// <summary>Each line of the file through the parser, split at \n only (a \r inside a line is a progress update
    /// the parser resolves).</summary>
    // Fully optimized from the first call: a log read once runs for only a few seconds, about the time tiered
    // compilation would spend in unoptimized and instrumented code (a third of the time, measured with perf).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Read(string path, TextLogParser parser, List<TextEpoch> epochs, int? scanners = null,
        int chunkBytes = ChunkBytes)
    {
        int count = parser.FencedOnly ? 1 : Math.Max(1, scanners ?? DefaultScanners);
        var toScan = new BlockingCollection<Chunk>[count];
        var scanned = new BlockingCollection<ScannedLines>[count];
        for (int k = 0; k < count; k++)
        {
            toScan[k] = new BlockingCollection<Chunk>(2);
            scanned[k] = new BlockingCollection<ScannedLines>(2);
        }
        var freeChunks = new ConcurrentQueue<Chunk>();
        var freeLines = new ConcurrentQueue<ScannedLines>();
        using var stop = new CancellationTokenSource();
        var tasks = new List<Task>
        {
            Start(() => Produce(path, chunkBytes, toScan, freeChunks, stop.Token)),
        };
        for (int k = 0; k < count; k++)
        {
            var scanner = k == 0 ? parser.Scanner : new TextLogParser.LineScanner(parser.FencedOnly);
            var (input, output) = (toScan[k], scanned[k]);
            tasks.Add(Start(() => Scan(input, scanner, output, freeChunks, freeLines, stop.Token)));
        }
        try
        {
            // Chunk i is the (i / count)-th of scanner i % count: taking the scanners' results in turn keeps the
            // file's order; a scanner with no more chunks ends the file.
            for (long i = 0; scanned[i % count].TryTake(out var lines, Timeout.Infinite); i++)
            {
                parser.Apply(lines, epochs);
                lines.Clear();
                freeLines.Enqueue(lines);
            }
        }
        finally
        {
            stop.Cancel();
            Exception? failed = null;
            foreach (var task in tasks)
            {
                try { task.Wait(); }
                catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }
                catch (AggregateException e) { failed ??= e.InnerException ?? e; }
            }
            foreach (var collection in toScan) collection.Dispose();
            foreach (var collection in scanned) collection.Dispose();
            // An unreadable file (IOException) is reported as itself, as a single-threaded read would.
            if (failed is not null) ExceptionDispatchInfo.Throw(failed);
        }
    }

    /// <summary>Threads of their own: the three loops block on each other, which the thread pool's few threads (one
    /// per core) would deadlock on or be slow to grow for.</summary>
    static Task Start(Action loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Reads the file in chunks that end at a newline, handed to the scanners in turn.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Produce(string path, int chunkBytes, BlockingCollection<Chunk>[] toScan, ConcurrentQueue<Chunk> free,
        CancellationToken stop)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var chunk = Take(free, chunkBytes);
            int filled = 0;
            long sent = 0;
            bool eof = false;
            while (!eof)
            {
                int read = stream.Read(chunk.Bytes, filled, chunk.Bytes.Length - filled);
                eof = read == 0;
                filled += read;
                int start = sent == 0 && filled >= 3 && chunk.Bytes.AsSpan(0, 3).SequenceEqual("\uFEFF"u8) ? 3 : 0;
                int end = eof ? filled
                    : chunk.Bytes.AsSpan(start, filled - start).LastIndexOf((byte)'\n') is var nl and >= 0
                        ? start + nl + 1 : -1;
                if (end < 0)
                {
                    // a line longer than the chunk
                    if (filled == chunk.Bytes.Length) Array.Resize(ref chunk.Bytes, chunk.Bytes.Length * 2);
                    continue;
                }
                var next = Take(free, Math.Max(chunkBytes, filled - end));
                chunk.Bytes.AsSpan(end, filled - end).CopyTo(next.Bytes);
                (chunk.Start, chunk.Length) = (start, end - start);
                if (chunk.Length > 0) toScan[sent++ % toScan.Length].Add(chunk, stop);
                else free.Enqueue(chunk);
                chunk = next;
                filled -= end;
            }
        }
        finally
        {
            foreach (var collection in toScan) collection.CompleteAdding();
        }
    }

    static Chunk Take(ConcurrentQueue<Chunk> free, int size)
    {
        if (!free.TryDequeue(out var chunk)) return new Chunk(size);
        if (chunk.Bytes.Length < size) chunk.Bytes = new byte[size];
        return chunk;
    }

    /// <summary>Decodes each chunk it is given and scans its lines, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scan(BlockingCollection<Chunk> input, TextLogParser.LineScanner scanner,
        BlockingCollection<ScannedLines> output, ConcurrentQueue<Chunk> freeChunks,
        ConcurrentQueue<ScannedLines> freeLines, CancellationToken stop)
    {
        try
        {
            var chars = Array.Empty<char>();
            foreach (var chunk in input.GetConsumingEnumerable(stop))
            {
                var bytes = chunk.Bytes.AsSpan(chunk.Start, chunk.Length);
                int need = Encoding.UTF8.GetMaxCharCount(bytes.Length);
                if (chars.Length < need) chars = new char[Math.Max(need, 2 * ChunkBytes + 2)];
                int length = Encoding.UTF8.GetChars(bytes, chars);
                freeChunks.Enqueue(chunk);
                if (!freeLines.TryDequeue(out var lines)) lines = new ScannedLines();
                var text = chars.AsSpan(0, length);
                int newline;
                while ((newline = text.IndexOf('\n')) >= 0)
                {
                    scanner.Scan(text[..newline], lines);
                    text = text[(newline + 1)..];
                }
                if (text.Length > 0) scanner.Scan(text, lines);   // the last line, without its newline
                output.Add(lines, stop);
            }
        }
        finally { output.CompleteAdding(); }
    }
}
