using System.IO.Compression;
using static TorchSharp.torch;

namespace Regimen.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (raw or gzipped), checking the magic number, the element
/// type, the dimensions and the size, so that a truncated or mismatched file is reported by name.
/// </summary>
public static class IdxReader
{
    const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX3 image file into a uint8 tensor [N, 1, H, W].</summary>
    public static Tensor ReadImages(string path)
    {
        var (dims, data) = Read(path);
        if (dims.Length != 3)
            throw new RegimenException($"{path}: expected an image file with 3 dimensions (IDX3), found {dims.Length}");
        return tensor(data, new long[] { dims[0], 1, dims[1], dims[2] }, ScalarType.Byte);
    }

    /// <summary>Reads an IDX1 label file into an int64 tensor [N].</summary>
    public static Tensor ReadLabels(string path, int classCount)
    {
        var (dims, data) = Read(path);
        if (dims.Length != 1)
            throw new RegimenException($"{path}: expected a label file with 1 dimension (IDX1), found {dims.Length}");
        var labels = new long[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] >= classCount)
                throw new RegimenException($"{path}: label {data[i]} at index {i} is outside the {classCount} classes");
            labels[i] = data[i];
        }
        return tensor(labels, ScalarType.Int64);
    }

    /// <summary>Parses the header and returns the dimensions and the raw unsigned bytes.</summary>
    public static (int[] Dims, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new RegimenException($"{path}: file not found", ExitCodes.DataMissing);
        byte[] bytes;
        try { bytes = ReadMaybeGzipped(path); }
        catch (InvalidDataException e) { throw new RegimenException($"{path}: corrupt gzip stream ({e.Message})"); }
        if (bytes.Length < 4) throw new RegimenException($"{path}: too short for an IDX header ({bytes.Length} bytes)");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new RegimenException($"{path}: not an IDX file (magic number starts {bytes[0]:x2} {bytes[1]:x2}, " +
                $"expected 00 00)");
        if (bytes[2] != UnsignedByte)
            throw new RegimenException($"{path}: element type 0x{bytes[2]:x2} is not supported (only unsigned " +
                $"bytes, 0x08)");
        int rank = bytes[3];
        if (rank is < 1 or > 4)
            throw new RegimenException($"{path}: {rank} dimensions is not a valid IDX image or label file");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new RegimenException($"{path}: truncated header ({bytes.Length} bytes, need {headerLength})");
        var dims = new int[rank];
        long expected = 1;
        for (int d = 0; d < rank; d++)
        {
            int at = 4 + 4 * d;
            dims[d] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
            if (dims[d] <= 0) throw new RegimenException($"{path}: dimension {d} is {dims[d]}");
            expected *= dims[d];
        }
        long actual = bytes.Length - headerLength;
        if (actual != expected)
            throw new RegimenException(
                $"{path}: header says {string.Join(" x ", dims)} = {expected} values but the file holds {actual}" +
                (actual < expected ? " (truncated)" : " (trailing bytes)"));
        return (dims, bytes.AsSpan(headerLength).ToArray());
    }

    static byte[] ReadMaybeGzipped(string path)
    {
        using var file = File.OpenRead(path);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        using var output = new MemoryStream();
        if (b0 == 0x1f && b1 == 0x8b)
        {
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            gz.CopyTo(output);
        }
        else file.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Writes an IDX file (raw, or gzipped when the path ends in .gz): used by tests and tools.</summary>
    public static void Write(string path, int[] dims, byte[] data)
    {
        using var file = File.Create(path);
        using Stream output = path.EndsWith(".gz", StringComparison.Ordinal)
            ? new GZipStream(file, CompressionLevel.Fastest) : file;
        output.Write(new byte[] { 0, 0, UnsignedByte, (byte)dims.Length });
        foreach (var d in dims) output.Write(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        output.Write(data);
    }
}
