// Regimen as a library: a model of our own, images we generate, a few steps of training, and the run's analysis.
using Regimen.Analysis;
using Regimen.Data;
using Regimen.Models;
using Regimen.Runs.Readers;
using Regimen.Sessions;
using TorchSharp;
using static TorchSharp.torch;

ModelRegistry.Register("tiny_mlp", "one hidden layer over the flattened image", "width (hidden units, default 32)",
    o => new TinyMlp(o));
var labels = arange(512, int64) % 2;   // dark and light 8x8 images, with noise
var images = (rand(512, 1, 8, 8) * 128 + labels.view(-1, 1, 1, 1) * 127).to(ScalarType.Byte);
var recipe = CheckedRecipes.Parse("""
    name: sample
    epochs: 3
    batch_size: 32
    model: {name: tiny_mlp, width: 16}
    data: {image_size: 8, validation: holdout, val_fraction: 0.25}
    """, "sample recipe");
var outcome = TrainingRunner.Start(new TrainingRequest { Recipe = recipe, OutputDirectory = args[0], Force = true,
    Train = new ImageDataset("generated", images, labels, new[] { "dark", "light" }) });
var analysis = Analyst.Analyze(LogReader.Read(outcome.Run.Path)[0]);
Console.WriteLine($"{outcome.Metrics.Count} epochs, val_acc {outcome.Summary.FinalValAccuracy:F3}, " +
    $"{analysis.Findings.Count} findings");
foreach (var f in analysis.Findings) Console.WriteLine($"{f.Severity} {f.Kind}: {f.Summary}");

sealed class TinyMlp : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> hidden, fc;
    public TinyMlp(ModelOptions o) : base("tiny_mlp")
    {
        hidden = nn.Linear(o.InputChannels * 8 * 8, o.Width ?? 32);
        fc = nn.Linear(o.Width ?? 32, o.ClassCount);
        RegisterComponents();
    }
    public override Tensor forward(Tensor x) => fc.forward(nn.functional.relu(hidden.forward(x.flatten(1))));
}
