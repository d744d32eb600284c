using Regimen.Models;
using Regimen.Recipes;
using Regimen.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Regimen.Tests;

public class FinetuneTests
{
    [Fact]
    public void ResNetParameterNamesFollowTorchvision()
    {
        using var model = ModelRegistry.Create("resnet18", new ModelOptions(3, 1000));
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var k in new[] { "conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight",
            "layer2.0.downsample.0.weight", "layer4.1.bn2.bias", "fc.weight", "fc.bias" })
            Assert.Contains(k, keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("stages", StringComparison.Ordinal));
    }

    static (string Dir, string Pth, string Safetensors) Pretrained()
    {
        var dir = TestData.TempDir("pretrained");
        manual_seed(42);
        using var source = ModelRegistry.Create("small_resnet", new ModelOptions(3, 10, Width: 4));
        var pth = Path.Combine(dir, "tiny.pth");
        var safetensors = Path.Combine(dir, "tiny.safetensors");
        source.save_py(pth);
        source.save_safetensors(safetensors);
        return (dir, pth, safetensors);
    }

    [Theory]
    [InlineData(".pth")]
    [InlineData(".safetensors")]
    public void PyTorchWeightsLoadIntoAModelWithAnotherHead(string format)
    {
        var (_, pth, safetensors) = Pretrained();
        var path = format == ".pth" ? pth : safetensors;
        using var model = ModelRegistry.Create("small_resnet", new ModelOptions(3, 3, Width: 4));
        var report = PretrainedWeights.Load(model, path);
        Assert.Equal(new[] { "fc.bias", "fc.weight" }, report.ReplacedHead.Order());
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(model.state_dict().Count - 2, report.Loaded);
        Assert.Contains("new classifier head", report.Describe());
        var reference = ReadBack(pth);
        Assert.True(model.state_dict()["layer1.0.conv1.weight"].equal(reference["layer1.0.conv1.weight"]).all()
            .item<bool>());
    }

    static Dictionary<string, Tensor> ReadBack(string pth)
    {
        manual_seed(42);
        using var source = ModelRegistry.Create("small_resnet", new ModelOptions(3, 10, Width: 4));
        return source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
    }

    [Fact]
    public void WeightsOfAnotherModelAreRefused()
    {
        var (_, pth, _) = Pretrained();
        using var model = ModelRegistry.Create("wrn16_4", new ModelOptions(3, 3));
        var e = Assert.Throws<RegimenException>(() => PretrainedWeights.Load(model, pth));
        Assert.Contains("no tensor name matches", e.Message);
    }

    [Fact]
    public void TheHeadOnlyPhaseLeavesTheBackboneBitIdenticalAndUnfreezingChangesIt()
    {
        var (_, pth, _) = Pretrained();
        var data = ColourTestData.WriteImageFolder(TestData.TempDir("finetune-data"), classes: 3, perClass: 4, size: 20,
            format: "png");
        var recipe = RecipeLoader.Parse($"""
            name: finetune-tiny
            epochs: 2
            batch_size: 4
            threads: 2
            model:
              name: small_resnet
              width: 4
              pretrained: {pth}
            data:
              dataset: imagefolder
              path: {data}
              image_size: 16
            optimizer:
              lr: 0.05
            lr_schedule:
              name: constant
            finetune:
              head_epochs: 1
              backbone_lr: 0.01
              freeze_bn: true
            """, "finetune.yaml");
        using var setup = TrainingSetup.Create(recipe);
        Assert.Equal(3, setup.Train.ClassCount);
        var backbone = setup.Model.state_dict().Where(kv => !kv.Key.StartsWith("fc.")).ToDictionary(kv => kv.Key, kv =>
            kv.Value.clone());
        var head = setup.Model.state_dict()["fc.weight"].clone();
        var trainer = new Trainer(setup, Array.Empty<TrainingCallback>());
        trainer.Fit(0, 1);
        foreach (var (name, before) in backbone)
            Assert.True(setup.Model.state_dict()[name].equal(before).all().item<bool>(),
                $"{name} changed during the head-only phase");
        Assert.False(setup.Model.state_dict()["fc.weight"].equal(head).all().item<bool>());
        trainer.Fit(1, 2);
        Assert.False(setup.Model.state_dict()["layer1.0.conv1.weight"].equal(backbone["layer1.0.conv1.weight"]).all()
            .item<bool>());
        // The backbone's rate is backbone_lr, the head's optimizer.lr.
        Assert.All(setup.Groups, g => Assert.Equal(g.IsHead ? 0.05 : 0.01, g.Group.LearningRate, 9));
        var changes = new PhasePlan(recipe, 16).ChangesAt(1);
        Assert.Contains(changes, c => c is { Key: "backbone", From: "frozen", To: "trainable" });
    }
}
