using Regimen.Data;
using Regimen.Models;
using Regimen.Recipes;
using Regimen.Training;
using Monitor = Regimen.Training.Monitor;   // not System.Threading.Monitor

namespace Regimen.Sessions;

/// <summary>
/// Recipes as training, evaluation and evolve take them: the schema and ranges checked by the loader, and every
/// name checked by the registry that owns it (models, data sets, schedules, early stopping's metrics), each with its
/// own "did you mean". All problems of one load are reported together, at the file and line of their key.
/// </summary>
public static class CheckedRecipes
{
    /// <summary>A recipe file or built-in name, with <c>key.path=value</c> overrides.</summary>
    public static Recipe Load(string fileOrName, IEnumerable<string>? overrides = null) =>
        RecipeLoader.Load(fileOrName, overrides, Names);

    public static Recipe Parse(string yaml, string source, IEnumerable<string>? overrides = null) =>
        RecipeLoader.Parse(yaml, source, overrides, Names);

    /// <summary>A recommendation's or the command line's patch applied, the result checked like any recipe.</summary>
    public static Recipe Patch(Recipe recipe, IReadOnlyDictionary<string, string> patch, string source = "patch") =>
        RecipePatch.Apply(recipe, patch, source, Names);

    /// <summary>The names in a recipe that their registries do not know.</summary>
    public static IEnumerable<RecipeProblem> Names(Recipe r)
    {
        if (ModelRegistry.CheckName(r.Model.Name) is { } model) yield return new("model.name", model);
        if (DatasetLoader.CheckName(r.Data.Dataset) is { } data) yield return new("data.dataset", data);
        if (LrSchedule.CheckName(r.LrSchedule.Name) is { } schedule) yield return new("lr_schedule.name", schedule);
        for (int i = 0; i < r.Phases.Count; i++)
            if (r.Phases[i].LrSchedule is { } s && LrSchedule.CheckName(s.Name) is { } phase)
                yield return new($"phases[{i}].lr_schedule.name", phase);
        if (Monitor.Check(r.Evaluation.Monitor) is { } monitor) yield return new("evaluation.monitor", monitor);
        if (Monitor.Check(r.EarlyStopping.Monitor) is { } metric) yield return new("early_stopping.monitor", metric);
    }
}
