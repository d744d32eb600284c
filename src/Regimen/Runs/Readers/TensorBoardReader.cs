using System.Text;

namespace Regimen.Runs.Readers;

/// <summary>
/// Reads scalars from TensorBoard event files: TFRecord framing (length, masked CRC-32C of the length, data,
/// masked CRC-32C of the data, all checked), Event and Summary protobufs, with scalars as simple_value or as
/// one-element float/double tensors. Tags map to series by name (val/valid/test/eval → validation, train →
/// training; acc/top1 → accuracy, loss, lr); the folder of the file (Keras writes train/ and validation/) counts too.
/// </summary>
public static class TensorBoardReader
{
    public static TrainingLog Read(string path) => Read(new[] { path });

    /// <summary>
    /// The event files of one run as one log: a run that was resumed, or restarted, writes a new file beside the
    /// first, and Keras writes train/ and validation/ files. Files are read in name order (the names begin with the
    /// time they were opened), and a step logged in two files keeps the later file's value.
    /// </summary>
    public static TrainingLog Read(IReadOnlyList<string> paths)
    {
        var scalars = new Dictionary<string, SortedDictionary<long, double>>();
        foreach (var path in paths.Order(StringComparer.Ordinal)) ReadFile(path, scalars);
        return Assemble(paths, scalars);
    }

    static void ReadFile(string path, Dictionary<string, SortedDictionary<long, double>> scalars)
    {
        var bytes = File.ReadAllBytes(path);
        var dir = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "";
        int offset = 0, record = 0;
        while (offset < bytes.Length)
        {
            record++;
            if (bytes.Length - offset < 12)
                throw new RegimenException($"{path}: record {record} is truncated (at byte {offset})");
            ulong length = BitConverter.ToUInt64(bytes, offset);
            if (Masked(Crc32C(bytes, offset, 8)) != BitConverter.ToUInt32(bytes, offset + 8))
                throw new RegimenException($"{path}: record {record} has a bad length checksum (at byte {offset}): " +
                    $"corrupt file");
            if (length > (ulong)(bytes.Length - offset - 16))
                throw new RegimenException($"{path}: record {record} is truncated (needs {length} bytes at byte " +
                    $"{offset + 12})");
            int data = offset + 12, n = (int)length;
            if (Masked(Crc32C(bytes, data, n)) != BitConverter.ToUInt32(bytes, data + n))
                throw new RegimenException($"{path}: record {record} has a bad data checksum (at byte {data}): " +
                    $"corrupt file");
            ParseEvent(bytes.AsSpan(data, n), dir, scalars, path, record);
            offset = data + n + 4;
        }
    }

    static TrainingLog Assemble(IReadOnlyList<string> paths, Dictionary<string, SortedDictionary<long, double>> scalars)
    {
        var path = paths[0];
        // The run's folder: Keras keeps its files in train/ and validation/ below it.
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "";
        if (Path.GetFileName(folder) is "train" or "validation" or "val")
            folder = Path.GetDirectoryName(folder) ?? folder;
        var dir = Path.GetFileName(folder);
        var steps = scalars.Values.SelectMany(s => s.Keys).Distinct().Order().ToList();
        var index = steps.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        string? Find(Func<string, bool> predicate) => scalars.Keys.FirstOrDefault(predicate);
        static bool IsVal(string t) => t.Contains("val") || t.Contains("test") || t.Contains("eval");
        static bool IsAcc(string t) => t.Contains("acc") || t.Contains("top1") || t.Contains("top_1");
        var trainLoss = Find(t => t.Contains("loss") && !IsVal(t));
        var trainAcc = Find(t => IsAcc(t) && !IsVal(t) && !t.Contains("top5"));
        var valLoss = Find(t => t.Contains("loss") && IsVal(t));
        var valAcc = Find(t => IsAcc(t) && IsVal(t) && !t.Contains("top5") && !t.Contains("tta") && !t.Contains("ema"));
        var lr = Find(t => t.Contains("lr") || t.Contains("learning_rate"));
        double? At(string? tag, long step) => tag is not null && scalars[tag].TryGetValue(step, out var v) ? v : null;
        var log = new TrainingLog
        {
            Name = dir, Source = paths.Count == 1 ? path : folder, Format = "tensorboard",
            Epochs = steps.Select(s => new LogEpoch
            {
                Epoch = index[s], TrainLoss = At(trainLoss, s), TrainAccuracy = At(trainAcc, s),
                ValLoss = At(valLoss, s),
                ValAccuracy = At(valAcc, s), LearningRate = At(lr, s),
            }).ToList(),
        };
        log.Notes.Add($"TensorBoard tags used: " +
            $"{string.Join(", ", new[] { trainLoss, trainAcc, valLoss, valAcc, lr }.Where(t => t is not null))}; " +
            $"steps taken as epochs in order");
        if (paths.Count > 1)
            log.Notes.Add($"{paths.Count} event files read as one run (a step in two of them: the later file's value)");
        if (steps.Count == 0)
            throw new RegimenException(paths.Count == 1 ? $"{path}: no scalar summaries in the event file"
                : $"{folder}: no scalar summaries in its {paths.Count} event files");
        return log;
    }

    static void ParseEvent(ReadOnlySpan<byte> e, string dir, Dictionary<string, SortedDictionary<long, double>> scalars,
        string path, int record)
    {
        long step = 0;
        var summaries = new List<(int, int)>();
        int at = 0;
        while (at < e.Length)
        {
            var (field, wire) = Key(e, ref at, path, record);
            if (field == 2 && wire == 0) step = (long)Varint(e, ref at, path, record);
            else if (field == 5 && wire == 2)
            {
                int len = (int)Varint(e, ref at, path, record);
                Check(at + len <= e.Length, path, record);
                summaries.Add((at, len));
                at += len;
            }
            else Skip(e, ref at, wire, path, record);
        }
        foreach (var (start, len) in summaries)
        {
            var s = e.Slice(start, len);
            int p = 0;
            while (p < s.Length)
            {
                var (field, wire) = Key(s, ref p, path, record);
                if (field == 1 && wire == 2)
                {
                    int vlen = (int)Varint(s, ref p, path, record);
                    Check(p + vlen <= s.Length, path, record);
                    var (tag, value) = ParseValue(s.Slice(p, vlen), path, record);
                    p += vlen;
                    if (tag is null || value is null) continue;
                    var name = (dir is "train" or "validation" or "val" ? dir + "/" : "") + tag.ToLowerInvariant();
                    if (!scalars.TryGetValue(name, out var series))
                        scalars[name] = series = new SortedDictionary<long, double>();
                    series[step] = value.Value;
                }
                else Skip(s, ref p, wire, path, record);
            }
        }
    }

    static (string? Tag, double? Value) ParseValue(ReadOnlySpan<byte> v, string path, int record)
    {
        string? tag = null;
        double? value = null;
        int p = 0;
        while (p < v.Length)
        {
            var (field, wire) = Key(v, ref p, path, record);
            if (field == 1 && wire == 2)
            {
                int len = (int)Varint(v, ref p, path, record);
                Check(p + len <= v.Length, path, record);
                tag = Encoding.UTF8.GetString(v.Slice(p, len));
                p += len;
            }
            else if (field == 2 && wire == 5)
            {
                Check(p + 4 <= v.Length, path, record);
                value = BitConverter.ToSingle(v.Slice(p, 4));
                p += 4;
            }
            else if (field == 8 && wire == 2)
            {
                int len = (int)Varint(v, ref p, path, record);
                Check(p + len <= v.Length, path, record);
                value ??= ParseTensor(v.Slice(p, len), path, record);
                p += len;
            }
            else Skip(v, ref p, wire, path, record);
        }
        return (tag, value);
    }

    /// <summary>
    /// A scalar TensorProto: float_val (5), double_val (6) or 4/8 bytes of tensor_content (4) by dtype (1: float, 2:
    /// double).
    /// </summary>
    static double? ParseTensor(ReadOnlySpan<byte> t, string path, int record)
    {
        int dtype = 0, p = 0;
        double? value = null;
        ReadOnlySpan<byte> content = default;
        while (p < t.Length)
        {
            var (field, wire) = Key(t, ref p, path, record);
            if (field == 1 && wire == 0) dtype = (int)Varint(t, ref p, path, record);
            else if (field == 4 && wire == 2)
            {
                int len = (int)Varint(t, ref p, path, record);
                Check(p + len <= t.Length, path, record);
                content = t.Slice(p, len);
                p += len;
            }
            else if (field == 5 && wire == 5)
            {
                Check(p + 4 <= t.Length, path, record);
                value = BitConverter.ToSingle(t.Slice(p, 4));
                p += 4;
            }
            else if (field == 5 && wire == 2)
            {
                int len = (int)Varint(t, ref p, path, record);
                Check(p + len <= t.Length && len >= 4, path, record);
                value = BitConverter.ToSingle(t.Slice(p, 4));
                p += len;
            }
            else if (field == 6 && wire == 1)
            {
                Check(p + 8 <= t.Length, path, record);
                value = BitConverter.ToDouble(t.Slice(p, 8));
                p += 8;
            }
            else if (field == 6 && wire == 2)
            {
                int len = (int)Varint(t, ref p, path, record);
                Check(p + len <= t.Length && len >= 8, path, record);
                value = BitConverter.ToDouble(t.Slice(p, 8));
                p += len;
            }
            else Skip(t, ref p, wire, path, record);
        }
        if (value is null && content.Length == 4 && dtype == 1) value = BitConverter.ToSingle(content);
        if (value is null && content.Length == 8 && dtype == 2) value = BitConverter.ToDouble(content);
        return value;
    }

    static (int Field, int Wire) Key(ReadOnlySpan<byte> b, ref int p, string path, int record)
    {
        ulong key = Varint(b, ref p, path, record);
        return ((int)(key >> 3), (int)(key & 7));
    }

    static ulong Varint(ReadOnlySpan<byte> b, ref int p, string path, int record)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            Check(p < b.Length, path, record);
            byte x = b[p++];
            result |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return result;
        }
        throw new RegimenException($"{path}: record {record}: malformed protobuf varint");
    }

    static void Skip(ReadOnlySpan<byte> b, ref int p, int wire, string path, int record)
    {
        switch (wire)
        {
            case 0: Varint(b, ref p, path, record); break;
            case 1: p += 8; break;
            case 2: int len = (int)Varint(b, ref p, path, record); p += len; break;
            case 5: p += 4; break;
            default: throw new RegimenException($"{path}: record {record}: unsupported protobuf wire type {wire}");
        }
        Check(p <= b.Length, path, record);
    }

    static void Check(bool ok, string path, int record)
    {
        if (!ok) throw new RegimenException($"{path}: record {record}: truncated or malformed protobuf");
    }

    static readonly uint[] Table = BuildTable();

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>CRC-32C (Castagnoli), as TFRecord uses.</summary>
    public static uint Crc32C(byte[] data, int offset, int count)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = offset; i < offset + count; i++) crc = Table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFF;
    }

    public static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8;
}
