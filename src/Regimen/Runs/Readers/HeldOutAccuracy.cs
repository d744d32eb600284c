using System.Globalization;

namespace Regimen.Runs.Readers;

/// <summary>
/// An accuracy printed beside a training loss with no word saying which images it was measured on ("Epoch 1: Loss =
/// 0.49 || Accuracy = 12.12%") is read as the training accuracy, unless the loss rules that out. A cross-entropy loss
/// is the mean of -ln p(true class), and an image the model gets wrong has p(true class) under 1/2, so a loss L over
/// the same images allows a training error of at most L / ln 2 (L / (0.8 ln 2) under label smoothing of up to 0.2).
/// The accuracy is held out when, at each of the last 3 epochs, its error exceeds that bound by over 10 points, and
/// the loss fell on by 3 times or more after the accuracy had come within 2 points of its best: the model kept
/// fitting its training images while this accuracy stopped moving. A loss that is no cross-entropy (a mean squared
/// error over the outputs allows far smaller values) can mislead the first test, rarely the second;
/// <c>--map train_acc=COLUMN</c> overrides it.
/// </summary>
internal static class HeldOutAccuracy
{
    const double Smoothing = 0.8, Margin = 0.10, LossFall = 3, NearBest = 0.02;

    /// <summary>Why <paramref name="accuracy"/> (fractions) cannot be measured on the images that gave
    /// <paramref name="loss"/>, or null when it can.</summary>
    public static string? Reason(double[] loss, double[] accuracy)
    {
        var both = new List<(double Loss, double Acc)>();
        for (int i = 0; i < Math.Min(loss.Length, accuracy.Length); i++)
            if (LogEpoch.Value(loss[i]) is { } l && LogEpoch.Value(accuracy[i]) is { } a && double.IsFinite(l) &&
                double.IsFinite(a) && l >= 0)
                both.Add((l, a));
        if (both.Count < 5) return null;
        double Allowed(double l) => l / (Smoothing * Math.Log(2));
        var last = both.TakeLast(3).ToList();
        if (last.Any(x => 1 - x.Acc <= Allowed(x.Loss) + Margin)) return null;
        double best = both.Max(x => x.Acc);
        int near = both.FindIndex(x => x.Acc >= best - NearBest);
        double end = last.Average(x => x.Loss), then = both[near].Loss;
        if (!(end * LossFall <= then)) return null;
        var c = CultureInfo.InvariantCulture;
        double error = 1 - last.Average(x => x.Acc);
        return string.Create(c, $"held out: a cross-entropy loss of {end:0.####} on the training images allows a " +
            $"training error of at most {100 * Allowed(end):0.#} %, this accuracy's is {100 * error:0.#} %, and " +
            $"the loss fell {then / end:0.#}x after it came within 2 points of its best");
    }
}
