namespace Regimen.Training;

/// <summary>
/// Test-time augmentation in each epoch's validation (evaluation.tta_flip, tta_crops, tta_resolution): the
/// accuracy of the averaged views is recorded beside the plain one (val_acc_tta).
/// </summary>
public sealed class TtaEvaluation(Tta views) : TrainingCallback
{
    public override EpochResult AfterEvaluate(TrainingContext context, EpochResult result)
    {
        var setup = context.Setup;
        var tta = Evaluator.Evaluate(setup.Model, setup.Validation, setup.Augment, setup.EvalResolution,
            setup.Recipe.Evaluation.BatchSize, views);
        return result with { ValAccuracyTta = tta.Accuracy };
    }
}
