using System.Text.Json;
using Regimen.Runs.Readers;

namespace Regimen.Tests;

/// <summary>regimen analyze's reader options as a user types them: --formats, --format, --map, --metric on any
/// series, the reader and column mapping in the report, and the messages for what cannot be read.</summary>
public class AnalyzeReadersCliTests
{
    const string Yolo =
        "                  epoch,             train/loss,  metrics/accuracy_top1,  metrics/accuracy_top5,            " +
        "   val/loss,                 lr/pg0\n                      1,                 1.2047,                  " +
        "0.768,                      1,                0.74305,              0.0001972\n                      2,     " +
        "            0.6325,                  0.903,                      1,                0.35113,             " +
        "0.00035163\n                      3,                 0.4227,                  0.932,                      " +
        "1,                0.23401,             0.00045066\n";

    static string Write(string name, string text)
    {
        var path = Path.Combine(TestData.TempDir("cli-readers"), name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void FormatsAreListedAndAWrongNameGetsTheClosestOne()
    {
        var (code, output) = CliTests.Run("analyze", "--formats");
        Assert.True(code == 0, output);
        foreach (var reader in LogReaders.All) Assert.Contains(reader.Name, output);
        (code, output) = CliTests.Run("analyze", Write("results.csv", Yolo), "--format", "jsonl");
        Assert.Equal(2, code);
        Assert.Contains("--format jsonl: unknown format (did you mean 'json-lines'?)", output);
        Assert.DoesNotContain("   at ", output);
        (code, output) = CliTests.Run("analyze", Write("results.txt", Yolo), "--format", "huggingface");
        Assert.Equal(2, code);
        Assert.Contains("not a Hugging Face trainer_state.json", output);
    }

    [Fact]
    public void TheReportSaysWhichReaderAndWhichColumnsAndMapOverridesThem()
    {
        var path = Write("results.csv", Yolo);
        var (code, output) = CliTests.Run("analyze", path);
        Assert.True(code == 0, output);
        Assert.Contains("read by csv (yolo)", output);
        Assert.Contains("val_acc ← metrics/accuracy_top1", output);
        Assert.Contains("lr ← lr/pg0", output);
        Assert.Contains("not in the log: train_acc", output);

        (code, output) = CliTests.Run("analyze", path, "--map", "val_acc=metrics/accuracy_top5", "--json");
        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(output))
        {
            var columns = json.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
            Assert.Contains("val_acc ← metrics/accuracy_top5 (--map)", columns);
            Assert.Equal("csv", json.RootElement.GetProperty("reader").GetString());
            Assert.Equal(1.0, json.RootElement.GetProperty("best_value").GetDouble());
        }
        (code, output) = CliTests.Run("analyze", path, "--map", "val_acc=metrics/acc_top1");
        Assert.Equal(2, code);
        Assert.Contains("has no column 'metrics/acc_top1' (did you mean 'metrics/accuracy_top1'?)", output);
        (code, output) = CliTests.Run("analyze", path, "--map", "valacc=metrics/accuracy_top1");
        Assert.Equal(2, code);
        Assert.Contains("unknown role 'valacc' (did you mean 'val_acc'?)", output);
    }

    [Fact]
    public void AnyLoggedSeriesCanBeTheMetricAndAnUnreadableFileSaysWhy()
    {
        var state = Write("trainer_state.json", """
            {"num_train_epochs": 3, "log_history": [
              {"epoch": 1.0, "loss": 0.9, "learning_rate": 4e-05, "step": 20},
              {"epoch": 1.0, "eval_loss": 0.85, "eval_macro_f1": 0.61, "step": 20},
              {"epoch": 2.0, "loss": 0.6, "learning_rate": 2e-05, "step": 40},
              {"epoch": 2.0, "eval_loss": 0.7, "eval_macro_f1": 0.66, "step": 40},
              {"epoch": 3.0, "loss": 0.5, "learning_rate": 1e-05, "step": 60},
              {"epoch": 3.0, "eval_loss": 0.69, "eval_macro_f1": 0.67, "step": 60}]}
            """);
        var (code, output) = CliTests.Run("analyze", state, "--metric", "eval_macro_f1", "--json");
        Assert.True(code == 0, output);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.Equal("eval_macro_f1", json.RootElement.GetProperty("monitor").GetString());
            Assert.Equal(3, json.RootElement.GetProperty("best_epoch").GetInt32());
        }
        (code, output) = CliTests.Run("analyze", state, "--metric", "eval_macro_f2");
        Assert.Equal(2, code);
        Assert.Contains("--monitor eval_macro_f2", output);   // --metric is --monitor's old name
        Assert.Contains("did you mean 'eval_macro_f1'?", output);

        (code, output) = CliTests.Run("analyze", Write("notes.txt", "Things to try next week\n- a bigger batch\n"));
        Assert.Equal(2, code);
        Assert.Contains("not a training log any reader recognizes", output);
        Assert.Contains("'Things to try next week'", output);
    }
}
