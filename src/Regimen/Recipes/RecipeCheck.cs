namespace Regimen.Recipes;

/// <summary>A problem a later stage finds in a recipe, at the key path it names (e.g. <c>model.name</c>).</summary>
public sealed record RecipeProblem(string Key, string Message);

/// <summary>
/// A check the loader runs after its own schema and range checks, for what a later stage owns: the names its
/// registry knows. Its problems are reported with the others, at the file and line the key was written.
/// </summary>
public delegate IEnumerable<RecipeProblem> RecipeCheck(Recipe recipe);
