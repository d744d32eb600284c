using Regimen.Augment;
using Regimen.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>Class probabilities of a whole data set, and the scores computed from them.</summary>
public sealed record Evaluation(float[,] Probabilities, long[] Labels, double Loss, double Accuracy, double? Top5)
{
    public int Count => Labels.Length;
    public int ClassCount => Probabilities.GetLength(1);

    public int Predicted(int i)
    {
        int best = 0;
        for (int k = 1; k < ClassCount; k++) if (Probabilities[i, k] > Probabilities[i, best]) best = k;
        return best;
    }
}

/// <summary>Scores a model on a data set in eval mode, optionally with test-time augmentation.</summary>
public static class Evaluator
{
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset data, BatchAugment augment,
        int resolution, int batchSize, bool flipTta) =>
        Evaluate(model, data, augment, resolution, batchSize, flipTta ? new Tta(true, 0, 0) : Tta.None);

    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset data, BatchAugment augment,
        int resolution, int batchSize, Tta tta)
    {
        model.eval();
        int n = data.Count, k = data.ClassCount;
        var probabilities = new float[n, k];
        double lossSum = 0;
        // Inference mode rather than no_grad: libtorch skips version counters and view tracking too (2-6 % faster
        // on small models, Regimen.Bench evalparts); nothing made here outlives the scope but managed copies.
        using (inference_mode())
        {
            int offset = 0;
            foreach (var batch in BatchLoader.Batches(data, batchSize, order: null, dropLast: false))
            {
                using var scope = NewDisposeScope();
                // created by the loader before this scope
                scope.Attach(new IDisposable[] { batch.Images, batch.Labels });
                var x = augment.Eval(batch.Images, resolution);
                var p = tta.Probabilities(model, x);
                lossSum += nn.functional.nll_loss(p.clamp_min(1e-12f).log(), batch.Labels, reduction: nn.Reduction.Sum)
                    .item<float>();
                var values = p.contiguous().data<float>().ToArray();
                for (int i = 0; i < batch.Size; i++)
                    for (int c = 0; c < k; c++) probabilities[offset + i, c] = values[i * k + c];
                offset += batch.Size;
            }
        }
        var labels = data.LabelArray();
        return new Evaluation(probabilities, labels, lossSum / n, TopK(probabilities, labels, 1),
            k > 5 ? TopK(probabilities, labels, 5) : null);
    }

    static double TopK(float[,] probabilities, long[] labels, int topK)
    {
        int correct = 0, k = probabilities.GetLength(1);
        for (int i = 0; i < labels.Length; i++)
        {
            float target = probabilities[i, labels[i]];
            int above = 0;
            for (int c = 0; c < k; c++)
                if (probabilities[i, c] > target || (probabilities[i, c] == target && c < labels[i])) above++;
            if (above < topK) correct++;
        }
        return labels.Length == 0 ? 0 : (double)correct / labels.Length;
    }
}
