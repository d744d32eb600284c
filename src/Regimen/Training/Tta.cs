using Regimen.Recipes;
using static TorchSharp.torch;

namespace Regimen.Training;

/// <summary>
/// Test-time augmentation: the model's probabilities averaged over views of each image - the image itself, its
/// mirror, five crops (centre and corners at 87.5 % of the side, resized back) - optionally at a higher test
/// resolution than training used (FixRes, Touvron et al. 2019).
/// </summary>
public sealed record Tta(bool Flip, int Crops, int Resolution)
{
    public static readonly Tta None = new(false, 0, 0);

    public bool Any => Flip || Crops > 0 || Resolution > 0;

    public static Tta From(EvaluationSection e) => new(e.TtaFlip, e.TtaCrops, e.TtaResolution);

    /// <summary>
    /// Flip only, for the --tta switch of evaluate and predict when the recipe asks for nothing more.
    /// </summary>
    public static Tta FlipOr(EvaluationSection e) => From(e) with { Flip = true };

    /// <summary>The averaged class probabilities of a normalized batch <paramref name="x"/>.</summary>
    public Tensor Probabilities(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        if (Resolution > 0 && (x.shape[2] != Resolution || x.shape[3] != Resolution))
            x = nn.functional.interpolate(x, new long[] { Resolution, Resolution }, mode: InterpolationMode.Bilinear,
                align_corners: false);
        var views = new List<Tensor> { x };
        if (Crops == 5) views.AddRange(FiveCrops(x));
        if (Flip) views.AddRange(views.Select(v => v.flip(3)).ToList());
        Tensor? sum = null;
        foreach (var v in views)
        {
            var p = nn.functional.softmax(model.forward(v), 1);
            sum = sum is null ? p : sum.add_(p);
        }
        return sum!.div_(views.Count);
    }

    static IEnumerable<Tensor> FiveCrops(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        long ch = (long)Math.Round(h * 0.875), cw = (long)Math.Round(w * 0.875);
        var corners = new (long Y, long X)[] { ((h - ch) / 2, (w - cw) / 2), (0, 0), (0, w - cw), (h - ch, 0),
            (h - ch, w - cw) };
        foreach (var (y, x0) in corners)
            yield return nn.functional.interpolate(x.narrow(2, y, ch).narrow(3, x0, cw), new long[] { h, w },
                mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
