using System.Globalization;
using System.Text;
using Regimen.Data;
using Regimen.Recipes;
using Regimen.Runs;
using Regimen.Training;

namespace Regimen.Sessions;

/// <summary>
/// Stratified k-fold cross-validation (seed 004's 5 folds): one run per fold in an experiment folder, then
/// out-of-fold predictions, a fold ensemble on the test split, and the experiment summary. Started again on
/// the same folder, it skips finished folds and resumes an interrupted one.
/// </summary>
public static class CrossValidation
{
    public static ExperimentSummary Run(Recipe recipe, string experimentPath, string? dataDirectory, bool force,
        Func<int, IReadOnlyList<TrainingCallback>> callbacksForFold, StopRequest? stop = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var experiment = ExperimentDirectory.Prepare(experimentPath, recipe, force);
        var loaded = DatasetLoader.Load(recipe.Data, dataDirectory);
        using var train = recipe.Data.TrainLimit > 0 && recipe.Data.TrainLimit < loaded.Train.Count
            ? loaded.Train.TakeFirst(recipe.Data.TrainLimit) : loaded.Train;
        using var test = loaded.Test is not null && recipe.Data.ValLimit > 0 && recipe.Data.ValLimit < loaded.Test.Count
            ? loaded.Test.TakeFirst(recipe.Data.ValLimit) : loaded.Test;
        var labels = train.LabelArray();
        var folds = Splits.StratifiedKFold(labels, recipe.Data.Folds, recipe.Seed);
        int classes = train.ClassCount;
        var oof = new float[train.Count, classes];
        var oofFold = new int[train.Count];
        var ensemble = test is null ? null : new float[test.Count, classes];
        var results = new List<FoldResult>();

        for (int f = 0; f < folds.Length; f++)
        {
            var run = new RunDirectory(experiment.FoldPath(f));
            var summary = RunSummary.Read(run.SummaryFile);
            bool finished = summary is { Status: "completed" or "stopped" };
            if (!finished)
            {
                if (!Directory.Exists(run.Path)) RunDirectory.CreateNew(run.Path, force: false);
                Directory.CreateDirectory(run.CheckpointDirectory);
                using var setup = TrainingSetup.CreateForSplit(recipe,
                    train.Select(Splits.Complement(train.Count, folds[f]), $"{train.Name}/fold-{f + 1}-train"),
                    train.Select(folds[f], $"{train.Name}/fold-{f + 1}-val"));
                var outcome = TrainingRunner.Continue(run, setup, callbacksForFold(f), stop);
                if (outcome.Interruption is { } interruption)
                    throw new RegimenException($"fold {f + 1} of {folds.Length}: " +
                        $"{interruption.Describe(setup.BatchesPerEpoch)}; 'regimen train --resume {experimentPath}' " +
                        $"continues the experiment", interruption.ExitCode);
                summary = outcome.Summary;
            }
            // Score the fold's best weights on its held-out images and on the test split.
            var checkpoint = File.Exists(run.BestCheckpoint) ? run.BestCheckpoint : run.LastCheckpoint;
            Evaluation? onTest = null;
            if (test is not null && ensemble is not null)
            {
                onTest = CheckpointEvaluation.EvaluateOn(checkpoint, test, tta: recipe.Evaluation.TtaFlip);
                for (int i = 0; i < test.Count; i++)
                    for (int c = 0; c < classes; c++) ensemble[i, c] += onTest.Probabilities[i, c] / folds.Length;
            }
            using (var validation = train.Select(folds[f]))
            {
                var evaluation = CheckpointEvaluation.EvaluateOn(checkpoint, validation,
                    tta: recipe.Evaluation.TtaFlip);
                for (int i = 0; i < folds[f].Length; i++)
                {
                    long index = folds[f][i];
                    oofFold[index] = f + 1;
                    for (int c = 0; c < classes; c++) oof[index, c] = evaluation.Probabilities[i, c];
                }
                results.Add(new FoldResult(f + 1, run.Path, summary!.Status, summary.BestEpoch, summary.BestValue,
                    summary.FinalValue,
                    summary.EpochsCompleted, summary.EpochsPlanned, summary.StopReason, evaluation.Accuracy,
                        evaluation.Loss, onTest?.Accuracy, onTest?.Loss));
            }
        }

        AtomicFile.WriteAllText(experiment.OofPredictionsFile, PredictionsCsv(oof, labels, oofFold, train.ClassNames));
        double? testAccuracy = null, testLoss = null;
        if (test is not null && ensemble is not null)
        {
            var testLabels = test.LabelArray();
            AtomicFile.WriteAllText(experiment.TestPredictionsFile, PredictionsCsv(ensemble, testLabels, null,
                test.ClassNames));
            (testAccuracy, testLoss) = Score(ensemble, testLabels);
        }
        var (oofAccuracy, oofLoss) = Score(oof, labels);
        var result = ExperimentSummary.From(recipe, results, oofAccuracy, oofLoss, testAccuracy, testLoss,
            clock.Elapsed.TotalSeconds + (ExperimentSummary.Read(experiment.SummaryFile)?.WallSeconds ?? 0));
        AtomicFile.WriteAllText(experiment.SummaryFile, result.ToJson());
        return result;
    }

    internal static (double Accuracy, double LogLoss) Score(float[,] probabilities, long[] labels)
    {
        int correct = 0, k = probabilities.GetLength(1);
        double loss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (probabilities[i, c] > probabilities[i, best]) best = c;
            if (best == labels[i]) correct++;
            loss -= Math.Log(Math.Max(probabilities[i, labels[i]], 1e-15));
        }
        return ((double)correct / labels.Length, loss / labels.Length);
    }

    /// <summary>
    /// index,label,[fold,]predicted,then one probability column per class (Kaggle's submission shape).
    /// </summary>
    internal static string PredictionsCsv(float[,] probabilities, long[] labels, int[]? fold,
        IReadOnlyList<string> classes)
    {
        var sb = new StringBuilder();
        sb.Append("index,label").Append(fold is null ? "" : ",fold").Append(",predicted");
        foreach (var c in classes) sb.Append(',').Append(Csv(c));
        sb.AppendLine();
        int k = probabilities.GetLength(1);
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (probabilities[i, c] > probabilities[i, best]) best = c;
            sb.Append(i).Append(',').Append(Csv(classes[(int)labels[i]]));
            if (fold is not null) sb.Append(',').Append(fold[i]);
            sb.Append(',').Append(Csv(classes[best]));
            for (int c = 0; c < k; c++)
                sb.Append(',').Append(probabilities[i, c].ToString("G6", CultureInfo.InvariantCulture));
            sb.AppendLine();
        }
        return sb.ToString();
    }

    static string Csv(string value) => value.Contains(',') || value.Contains('"')
        ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
