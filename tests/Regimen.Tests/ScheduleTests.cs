using Regimen.Recipes;
using Regimen.Training;

namespace Regimen.Tests;

public class ScheduleTests
{
    static LrSchedule Make(string yaml, double lr = 0.1, int epochs = 10) =>
        new(RecipeLoader.Parse($"epochs: {epochs}\noptimizer:\n  lr: {lr}\nlr_schedule:\n{yaml}", "s.yaml")
            .LrSchedule, lr, epochs);

    [Fact]
    public void LinearWarmupThenCosineToTheFloor()
    {
        var s = Make("  name: cosine\n  warmup_epochs: 2\n  warmup_start_lr: 0.01\n  min_lr: 0.001\n");
        Assert.Equal(0.01, s.At(0, 0, 100), 12);
        Assert.Equal(0.055, s.At(1, 0, 100), 12);          // halfway through warmup
        Assert.Equal(0.1, s.At(2, 0, 100), 12);            // peak right after warmup
        Assert.Equal(0.001 + 0.099 * 0.5, s.At(6, 0, 100), 12); // halfway through the cosine
        Assert.True(s.At(9, 99, 100) < 0.0011);
    }

    [Fact]
    public void OneCycleRisesToThePeakAndFallsToTheEnd()
    {
        var s = Make("  name: onecycle\n  pct_start: 0.3\n  div_factor: 25\n  final_div_factor: 1000\n");
        Assert.Equal(0.1 / 25, s.At(0, 0, 10), 12);
        Assert.Equal(0.1, s.At(3, 0, 10), 12);
        Assert.Equal(0.1 / 25 / 1000, s.At(10, 0, 10), 12);
    }

    [Fact]
    public void StepMultistepAndRestarts()
    {
        Assert.Equal(0.001, Make("  name: step\n  step_epochs: 3\n  gamma: 0.1\n  per_step: false\n").At(6, 5, 10), 12);
        var multi = Make("  name: multistep\n  milestones: [3, 7]\n  gamma: 0.5\n");
        Assert.Equal(0.1, multi.At(2, 0, 10), 12);
        Assert.Equal(0.05, multi.At(3, 0, 10), 12);
        Assert.Equal(0.025, multi.At(8, 0, 10), 12);
        var restarts = Make("  name: cosine_restarts\n  t0: 3\n  t_mult: 2\n  per_step: false\n", epochs: 12);
        Assert.Equal(0.1, restarts.At(0, 0, 1), 12);
        Assert.Equal(0.1, restarts.At(3, 0, 1), 12);   // first restart after 3 epochs
        Assert.Equal(0.1, restarts.At(9, 0, 1), 12);   // second after 3 + 6
        Assert.True(restarts.At(8, 0, 1) < 0.01);
    }

    [Fact]
    public void PhasePlanResolvesSettingsAndReportsChangesAtTheirEpochs()
    {
        var recipe = RecipeLoader.Parse("""
            epochs: 10
            regularization:
              label_smoothing: 0.1
            phases:
              - name: small
                from_epoch: 0
                resolution: 20
              - name: full
                from_epoch: 4
                resolution: 28
              - name: fixres
                from_epoch: 8
                augment: false
                label_smoothing: 0.0
            """, "p.yaml");
        var plan = new PhasePlan(recipe, nativeResolution: 28);
        Assert.Equal(20, plan.At(3).Resolution);
        Assert.Equal(28, plan.At(4).Resolution);
        Assert.True(plan.At(7).Augment);
        Assert.False(plan.At(9).Augment);
        Assert.Equal(0.1, plan.At(7).LabelSmoothing);
        Assert.Empty(plan.ChangesAt(3));
        Assert.Contains(plan.ChangesAt(4), c => c.Key == "resolution" && c.From == "20" && c.To == "28");
        var at8 = plan.ChangesAt(8);
        Assert.Contains(at8, c => c.Key == "augment" && c.From == "on" && c.To == "off");
        Assert.Contains(at8, c => c.Key == "label_smoothing" && c.To == "0");
        Assert.Contains(at8, c => c.Key == "phase" && c.To == "fixres");
    }

    [Fact]
    public void PhasesCanRampLinearlyAsFfcvRampsItsResolution()
    {
        var recipe = RecipeLoader.Parse("""
            epochs: 16
            data:
              resolution: 160
            regularization:
              label_smoothing: 0.1
            phases:
              - name: ramp
                from_epoch: 11
                resolution: 192
                label_smoothing: 0.0
                ramp_epochs: 2
                resolution_step: 32
            """, "ramp.yaml");
        var plan = new PhasePlan(recipe, 28);
        for (int e = 0; e < 16; e++)
            Assert.Equal(Runs.Readers.LogReader.FfcvResolution(e, 11, 13, 160, 192), plan.At(e).Resolution);
        Assert.Equal(0.05, plan.At(12).LabelSmoothing, 9);
        Assert.Equal(0.0, plan.At(13).LabelSmoothing, 9);
        Assert.Contains(plan.ChangesAt(12), c => c is { Key: "resolution", From: "160", To: "192" });
        var e1 = Assert.Throws<RegimenException>(() =>
            RecipeLoader.Parse("epochs: 10\nphases:\n  - from_epoch: 2\n    ramp_epochs: 5\n  - from_epoch: 4\n",
            "r.yaml"));
        Assert.Contains("runs into the next phase", e1.Message);
    }
}
