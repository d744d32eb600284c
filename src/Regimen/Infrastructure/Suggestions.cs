namespace Regimen;

/// <summary>The did-you-mean of recipe keys, offered to the command line's option and command names too.</summary>
public static class Suggestions
{
    /// <summary>The known name closest to <paramref name="given"/> if it is close enough to be a typo, else null.</summary>
    public static string? Closest(string given, IEnumerable<string> known) => Recipes.YamlBinder.DidYouMean(given, known);
}
