using System.Diagnostics;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Training;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length > 0 && args[0] == "fit")
{
    var recipe = RecipeLoader.Load(args[1], args.Skip(2));
    using var setup = TrainingSetup.Create(recipe);
    var sw = Stopwatch.StartNew();
    new Trainer(setup, new[] { new PrintCallback(sw) }).Fit();
    return;
}
// Quick probe: training img/s of a registered model on random data.
var model = args.Length > 0 ? args[0] : "small_resnet";
int width = args.Length > 1 ? int.Parse(args[1]) : 32;
int size = args.Length > 2 ? int.Parse(args[2]) : 28;
int channels = args.Length > 3 ? int.Parse(args[3]) : 1;
int batch = args.Length > 4 ? int.Parse(args[4]) : 128, steps = 12;
torch.set_num_threads(Environment.ProcessorCount);
manual_seed(0);
var net = ModelRegistry.Create(model, new ModelOptions(channels, 10, Width: width));
var opt = optim.SGD(net.parameters(), 0.1, momentum: 0.9);
var x = randn(batch, channels, size, size);
var y = randint(0, 10, new long[] { batch });
net.train();
var clock = new Stopwatch();
for (int i = 0; i < steps; i++)
{
    if (i == 2) clock.Start();
    using var scope = NewDisposeScope();
    opt.zero_grad();
    var loss = nn.functional.cross_entropy(net.forward(x), y);
    loss.backward();
    opt.step();
}
Console.WriteLine($"{model} w{width} {size}px: {batch * (steps - 2) / clock.Elapsed.TotalSeconds:F0} img/s, params {ModelRegistry.ParameterCount(net)}");

sealed class PrintCallback(Stopwatch clock) : TrainingCallback
{
    public override void OnEpochEnd(TrainingContext context, EpochResult r) =>
        Console.WriteLine($"epoch {r.Epoch} lr {r.LearningRate:F4} train {r.TrainLoss:F4}/{r.TrainAccuracy:P2} val {r.ValLoss:F4}/{r.ValAccuracy:P2} tta {r.ValAccuracyTta:P2} {r.ImagesPerSecond:F0} img/s wait {r.LoaderWaitFraction:P1} t={clock.Elapsed.TotalSeconds:F0}s");
}
