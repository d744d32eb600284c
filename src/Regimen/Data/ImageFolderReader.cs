using SkiaSharp;
using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>
/// Reads a folder with one sub-folder per class (torchvision's ImageFolder) of JPEG and PNG files, decoded
/// with SkiaSharp, resized so the shorter side is <c>size</c> and centre-cropped to size x size, into memory.
/// Classes are the sub-folder names in ordinal order. Undecodable files fail the load with their names, or
/// are skipped (and counted) when asked.
/// </summary>
public static class ImageFolderReader
{
    static readonly string[] Extensions = { ".jpg", ".jpeg", ".png" };

    public sealed record Result(ImageDataset Data, IReadOnlyList<string> Skipped);

    public static Result Read(string folder, int size, bool skipBad, IReadOnlyList<string>? classNames = null,
        bool grayscale = false, bool cache = true)
    {
        if (!Directory.Exists(folder))
            throw new RegimenException($"{folder}: image folder not found", ExitCodes.DataMissing);
        var classes = classNames ?? Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (classes.Count == 0)
            throw new RegimenException($"{folder}: no class sub-folders (expected {folder}/<class>/<image>.jpg)");
        var files = new List<(string Path, int Label)>();
        for (int c = 0; c < classes.Count; c++)
        {
            var dir = Path.Combine(folder, classes[c]);
            if (!Directory.Exists(dir)) continue;
            files.AddRange(Directory.GetFiles(dir)
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .OrderBy(f => f, StringComparer.Ordinal).Select(f => (f, c)));
        }
        if (files.Count == 0) throw new RegimenException($"{folder}: no JPEG or PNG images in its class folders");
        var (data, skipped) = cache
            ? DecodeAll(Path.GetFileName(folder.TrimEnd('/')), files, classes, size, skipBad, grayscale, folder,
                "data.skip_bad_images")
            : OnDemand(Path.GetFileName(folder.TrimEnd('/')), files, classes, size, skipBad, grayscale, folder,
                "data.skip_bad_images");
        return new Result(data, skipped);
    }

    /// <summary>
    /// Decodes (path, label) pairs on all cores into one in-memory data set; undecodable files fail it unless skipped.
    /// </summary>
    internal static (ImageDataset Data, IReadOnlyList<string> Skipped) DecodeAll(string name,
        List<(string Path, int Label)> files, IReadOnlyList<string> classes,
        int size, bool skipBad, bool grayscale, string where, string skipKey)
    {
        int channels = grayscale ? 1 : 3;
        var decoded = new byte[files.Count][];
        var failures = new string?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try { decoded[i] = Decode(files[i].Path, size, grayscale); }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                failures[i] = $"{files[i].Path} ({e.Message})";
            }
        });
        var bad = Failures(failures, skipBad, where, skipKey);
        var keep = Enumerable.Range(0, files.Count).Where(i => failures[i] is null).ToList();
        if (keep.Count == 0) throw new RegimenException($"{where}: none of the {files.Count} images could be decoded");
        var pixels = new byte[(long)keep.Count * channels * size * size];
        var labels = new long[keep.Count];
        for (int k = 0; k < keep.Count; k++)
        {
            Array.Copy(decoded[keep[k]], 0, pixels, (long)k * channels * size * size, channels * size * size);
            labels[k] = files[keep[k]].Label;
        }
        return (new ImageDataset(name, tensor(pixels, new long[] { keep.Count, channels, size, size }, ScalarType.Byte),
            tensor(labels, ScalarType.Int64), classes), bad);
    }

    /// <summary>
    /// A data set that decodes its files batch by batch. The files' headers are checked at load (cheap), so an
    /// unreadable file fails (or is skipped) before training rather than in the middle of it.
    /// </summary>
    internal static (ImageDataset Data, IReadOnlyList<string> Skipped) OnDemand(string name,
        List<(string Path, int Label)> files, IReadOnlyList<string> classes,
        int size, bool skipBad, bool grayscale, string where, string skipKey)
    {
        var failures = new string?[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            try
            {
                using var codec = SKCodec.Create(files[i].Path);
                if (codec is null) failures[i] = $"{files[i].Path} (not a decodable JPEG or PNG)";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failures[i] = $"{files[i].Path} ({e.Message})";
            }
        });
        var bad = Failures(failures, skipBad, where, skipKey);
        var keep = Enumerable.Range(0, files.Count).Where(i => failures[i] is null).ToList();
        if (keep.Count == 0) throw new RegimenException($"{where}: none of the {files.Count} images could be decoded");
        var labels = tensor(keep.Select(k => (long)files[k].Label).ToArray(), ScalarType.Int64);
        return (new ImageDataset(name, keep.Select(k => files[k].Path).ToList(), labels, classes, grayscale ? 1 : 3,
            size, path => Decode(path, size, grayscale)), bad);
    }

    /// <summary>The files that failed; an error listing them unless they may be skipped.</summary>
    static List<string> Failures(string?[] failures, bool skipBad, string where, string skipKey)
    {
        var bad = failures.OfType<string>().ToList();
        if (bad.Count > 0 && !skipBad)
            throw new RegimenException($"{where}: {bad.Count} image(s) could not be read or decoded (set {skipKey}: " +
                $"true to skip them):\n  " +
                                       string.Join("\n  ", bad.Take(20)) +
                                           (bad.Count > 20 ? $"\n  ... and {bad.Count - 20} more" : ""));
        return bad;
    }

    /// <summary>
    /// Decodes one image to channel-major bytes [C, size, size] (shorter side resized to size, centre crop).
    /// </summary>
    /// <summary>An image file's size and whether it is stored as grayscale, read from its header.</summary>
    public sealed record ImageShape(int Width, int Height, bool Grayscale)
    {
        public int Channels => Grayscale ? 1 : 3;
        public override string ToString() => $"{Width}x{Height} {(Grayscale ? "grayscale" : "RGB")}";
    }

    /// <summary>The shape of an image without decoding its pixels; null when the file is not a JPEG or PNG.</summary>
    public static ImageShape? Inspect(string path)
    {
        using var codec = SKCodec.Create(path);
        if (codec is null) return null;
        return new ImageShape(codec.Info.Width, codec.Info.Height, codec.Info.ColorType == SKColorType.Gray8);
    }

    /// <summary>
    /// The folder name that stands for a class: the name itself, with each character a folder name cannot hold
    /// (<c>/ \ : * ? " &lt; &gt; |</c> and control characters) replaced by <c>_</c>: "T-shirt/top" → "T-shirt_top".
    /// </summary>
    public static string SafeFolderName(string className) =>
        new(className.Select(c => c < ' ' || "/\\:*?\"<>|".Contains(c) ? '_' : c).ToArray());

    public static byte[] Decode(string path, int size, bool grayscale)
    {
        using var original = SKBitmap.Decode(path) ?? throw new InvalidDataException("not a decodable JPEG or PNG");
        double scale = (double)size / Math.Min(original.Width, original.Height);
        int w = Math.Max(size, (int)Math.Round(original.Width * scale)),
            h = Math.Max(size, (int)Math.Round(original.Height * scale));
        using var resized = w == original.Width && h == original.Height
            ? original.Copy(SKColorType.Rgba8888)
            : original.Resize(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        using var rgba = resized.ColorType == SKColorType.Rgba8888 ? resized.Copy()
            : resized.Copy(SKColorType.Rgba8888);
        int x0 = (w - size) / 2, y0 = (h - size) / 2;
        int channels = grayscale ? 1 : 3;
        var output = new byte[channels * size * size];
        var span = rgba.GetPixelSpan();
        int stride = rgba.RowBytes;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int at = (y + y0) * stride + (x + x0) * 4;
                if (grayscale)
                    output[y * size + x] = (byte)Math.Round(0.299 * span[at] + 0.587 * span[at + 1] +
                        0.114 * span[at + 2]);
                else
                    for (int c = 0; c < 3; c++) output[c * size * size + y * size + x] = span[at + c];
            }
        return output;
    }
}
