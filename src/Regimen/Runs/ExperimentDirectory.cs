using Regimen.Recipes;

namespace Regimen.Runs;

/// <summary>
/// A cross-validation experiment's folder: recipe.yaml, experiment.json (the summary), oof_predictions.csv,
/// test_predictions.csv (the fold ensemble), and one run folder per fold (fold-1, fold-2, ...).
/// </summary>
public sealed class ExperimentDirectory
{
    ExperimentDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string RecipeFile => System.IO.Path.Combine(Path, "recipe.yaml");
    public string SummaryFile => System.IO.Path.Combine(Path, "experiment.json");
    public string OofPredictionsFile => System.IO.Path.Combine(Path, "oof_predictions.csv");
    public string TestPredictionsFile => System.IO.Path.Combine(Path, "test_predictions.csv");
    public string FoldPath(int fold) => System.IO.Path.Combine(Path, $"fold-{fold + 1}");

    public static bool IsExperiment(string path) => File.Exists(System.IO.Path.Combine(path, "experiment.json")) ||
        (File.Exists(System.IO.Path.Combine(path, "recipe.yaml")) &&
            Directory.Exists(System.IO.Path.Combine(path, "fold-1")));

    public static string DefaultPath(string recipeName) =>
        System.IO.Path.Combine("experiments", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{recipeName}-{"kfold"}");

    /// <summary>
    /// Creates the folder, or reopens it to continue when it holds the same recipe (finished folds are kept).
    /// A folder with another recipe, or with unrelated files, is refused unless <paramref name="force"/>.
    /// </summary>
    public static ExperimentDirectory Prepare(string path, Recipe recipe, bool force)
    {
        var experiment = new ExperimentDirectory(path);
        var yaml = RecipeLoader.ToYaml(recipe);
        if (Directory.Exists(experiment.Path) && Directory.EnumerateFileSystemEntries(experiment.Path).Any())
        {
            bool sameRecipe = File.Exists(experiment.RecipeFile) && File.ReadAllText(experiment.RecipeFile) == yaml;
            if (force) Directory.Delete(experiment.Path, recursive: true);
            else if (!sameRecipe)
                throw new RegimenException($"--out {path}: the folder exists with other content or another recipe. " +
                    $"Use another --out, or --force to replace it.");
        }
        Directory.CreateDirectory(experiment.Path);
        AtomicFile.WriteAllText(experiment.RecipeFile, yaml);
        return experiment;
    }
}
