using Regimen.Data;

namespace Regimen.Tests;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsBackWhatWasWritten(bool gzip)
    {
        var dir = TestData.WriteIdxDataset(TestData.TempDir("idx"), trainCount: 30, testCount: 10, gzip: gzip);
        var (train, test) = BuiltinDatasets.Load(BuiltinDatasets.FashionMnist, dir);
        using (train)
        using (test)
        {
            var (images, labels) = TestData.Images(30, 10, new Random(1));
            Assert.Equal(new long[] { 30, 1, 28, 28 }, train.Images.shape);
            Assert.Equal(images, train.Images.data<byte>().ToArray());
            Assert.Equal(labels.Select(l => (long)l).ToArray(), train.LabelArray());
            Assert.Equal(10, test.Count);
            Assert.Equal("Ankle boot", train.ClassNames[9]);
        }
    }

    [Fact]
    public void TruncatedFileIsNamedAndExplained()
    {
        var dir = TestData.WriteIdxDataset(TestData.TempDir("idx"), trainCount: 20, testCount: 5);
        var path = Path.Combine(dir, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<RegimenException>(() => BuiltinDatasets.Load(BuiltinDatasets.FashionMnist, dir));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void WrongMagicIsRejected()
    {
        var path = Path.Combine(TestData.TempDir("idx"), "x-idx1-ubyte");
        File.WriteAllBytes(path, new byte[] { 0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 5 });
        var e = Assert.Throws<RegimenException>(() => IdxReader.Read(path));
        Assert.Contains("not an IDX file", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptGzipIsReported()
    {
        var path = Path.Combine(TestData.TempDir("idx"), "x-idx1-ubyte.gz");
        File.WriteAllBytes(path, new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7 });
        var e = Assert.Throws<RegimenException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MismatchedImageAndLabelCountsAreAnError()
    {
        var dir = TestData.WriteIdxDataset(TestData.TempDir("idx"), trainCount: 20, testCount: 5);
        IdxReader.Write(Path.Combine(dir, "train-labels-idx1-ubyte"), new[] { 19 }, new byte[19]);
        var e = Assert.Throws<RegimenException>(() => BuiltinDatasets.Load(BuiltinDatasets.FashionMnist, dir));
        Assert.Contains("20 images", e.Message);
        Assert.Contains("19 labels", e.Message);
    }

    [Fact]
    public void LabelOutsideTheClassesIsAnError()
    {
        var path = Path.Combine(TestData.TempDir("idx"), "labels-idx1-ubyte");
        IdxReader.Write(path, new[] { 3 }, new byte[] { 1, 12, 3 });
        var e = Assert.Throws<RegimenException>(() => IdxReader.ReadLabels(path, 10));
        Assert.Contains("label 12 at index 1", e.Message);
    }

    [Fact]
    public void MissingDataSetNamesTheInstallCommand()
    {
        var e = Assert.Throws<RegimenException>(() => BuiltinDatasets.Load(BuiltinDatasets.FashionMnist,
            Path.Combine(TestData.TempDir("idx"), "nothing-here")));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Equal(ExitCodes.DataMissing, e.ExitCode);
    }

    [Fact]
    public void FolderWithoutTheFilesNamesTheMissingFile()
    {
        var e = Assert.Throws<RegimenException>(() => BuiltinDatasets.Load(BuiltinDatasets.Mnist,
            TestData.TempDir("idx")));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }
}
