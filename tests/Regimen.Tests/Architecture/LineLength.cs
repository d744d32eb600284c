namespace Regimen.Tests.Architecture;

/// <summary>
/// Lines within <see cref="Limit"/> characters (.editorconfig's max_line_length): a reader sees the whole line in a
/// side-by-side diff. Counted in UTF-16 characters, as an editor counts them (a → is one).
/// </summary>
internal static class LineLength
{
    public const int Limit = 120;

    /// <summary>The C# folders the limit holds for (generated files under bin/ and obj/ are left out).</summary>
    public static readonly string[] Folders = { "src", "tests", "samples", "bench" };

    /// <summary>"path:line: N characters" for every longer line of the given sources.</summary>
    public static List<string> Check(IEnumerable<(string Path, string Text)> sources)
    {
        var found = new List<string>();
        foreach (var (path, text) in sources)
        {
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                int length = lines[i].TrimEnd('\r').Length;
                if (length > Limit) found.Add($"{path}:{i + 1}: {length} characters");
            }
        }
        return found;
    }
}
