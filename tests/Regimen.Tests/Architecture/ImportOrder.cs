using System.Text.RegularExpressions;

namespace Regimen.Tests.Architecture;

/// <summary>One import against the flow: a file of one stage naming a later one.</summary>
internal sealed record BackwardImport(string File, int Line, string Stage, string Imports, string Text)
{
    public override string ToString() => $"{File}:{Line}: {Stage} imports the later stage {Imports} ({Text})";
}

/// <summary>
/// The stage order of docs/architecture.md, checked from source text: the <c>using</c> lines and the qualified
/// names (<c>Regimen.Runs.RunRecorder</c>, or <c>Runs.RunRecorder</c> inside <c>namespace Regimen.X</c>) of a file,
/// after its comments and string literals are removed. A file may import its own stage and earlier ones.
/// </summary>
internal static partial class ImportOrder
{
    /// <summary>
    /// Earliest first; a namespace <c>Regimen</c> alone is Infrastructure, <c>Regimen.Cli.*</c> is Cli.
    /// </summary>
    public static readonly string[] Stages =
    {
        "Infrastructure", "Recipes", "Data", "Augment", "Models", "Export", "Onnx", "Training", "Runs", "Analysis",
        "Evolve", "Reports", "Sessions", "Cli",
    };

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Regimen(?:\.\w+)*)\s*;",
        RegexOptions.Multiline)]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"^\s*namespace\s+(Regimen(?:\.\w+)*)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?Regimen\.(\w+)(?=\s*\.)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])(\w+)\s*\.\s*(\w+)")]
    private static partial Regex RelativeName();

    [GeneratedRegex(
        @"^\s*(?:(?:public|internal|private|protected|file|static|sealed|abstract|partial|readonly|ref|record)\s+)*" +
        @"(?:class|record|struct|interface|enum|delegate\s+[\w<>\[\],?\s]+?)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(
        "\"\"\"[\\s\\S]*?\"\"\"|@\"(?:\"\"|[^\"])*\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|" +
        "'(?:\\\\.|[^'\\\\\\n])+'|//[^\\n]*|/\\*[\\s\\S]*?\\*/")]
    private static partial Regex CommentOrString();

    /// <summary>The stage of a namespace, or null for one outside Regimen.</summary>
    public static string? StageOf(string ns)
    {
        var parts = ns.Split('.');
        if (parts[0] != "Regimen") return null;
        return parts.Length == 1 ? "Infrastructure" : parts[1];
    }

    /// <summary>Every backward import in the given sources (path, text); unknown stages are reported too.</summary>
    public static List<BackwardImport> Check(IReadOnlyList<(string Path, string Text)> sources)
    {
        var code = sources.Select(s => (s.Path, Text: Blank(s.Text))).ToList();
        // Types by stage, so that a relative name (Runs.RunRecorder) is told from a member access (setup.Data.Count).
        var typesOf = new Dictionary<string, HashSet<string>>();
        var subNamespaces = new Dictionary<string, HashSet<string>>();
        foreach (var (_, text) in code)
            foreach (Match ns in NamespaceLine().Matches(text))
            {
                var stage = StageOf(ns.Groups[1].Value)!;
                var parts = ns.Groups[1].Value.Split('.');
                if (parts.Length > 2) Add(subNamespaces, stage, parts[2]);
                foreach (Match t in TypeDeclaration().Matches(text)) Add(typesOf, stage, t.Groups[1].Value);
            }
        var rootTypes = typesOf.GetValueOrDefault("Infrastructure") ?? new HashSet<string>();

        var found = new List<BackwardImport>();
        foreach (var (path, text) in code)
        {
            var nsMatch = NamespaceLine().Match(text);
            if (!nsMatch.Success) continue;
            var stage = StageOf(nsMatch.Groups[1].Value)!;
            int rank = Array.IndexOf(Stages, stage);
            if (rank < 0)
            {
                found.Add(new(path, LineOf(text, nsMatch.Index), stage, "?",
                    $"namespace {nsMatch.Groups[1].Value} is in no stage: add it to ImportOrder.Stages and " +
                        $"docs/architecture.md"));
                continue;
            }
            void Against(string imported, int index, string what)
            {
                int r = Array.IndexOf(Stages, imported);
                if (r < 0)
                    found.Add(new(path, LineOf(text, index), stage, imported, $"{what}: no such stage"));
                else if (r > rank)
                    found.Add(new(path, LineOf(text, index), stage, imported, what));
            }
            foreach (Match u in UsingLine().Matches(text))
                Against(StageOf(u.Groups[1].Value)!, u.Index, $"using {u.Groups[1].Value}");
            // Names in code; the using lines were read above.
            var body = UsingLine()
                .Replace(text, u => new string(u.Value.Select(c => c == '\n' ? '\n' : ' ').ToArray()));
            foreach (Match q in QualifiedName().Matches(body))
            {
                var name = q.Groups[1].Value;
                if (rootTypes.Contains(name)) continue;   // Regimen.Cpu: a type of Infrastructure
                Against(name, q.Index, $"Regimen.{name}");
            }
            foreach (Match m in RelativeName().Matches(body))
            {
                var (first, second) = (m.Groups[1].Value, m.Groups[2].Value);
                if (first == stage || !typesOf.ContainsKey(first) && !subNamespaces.ContainsKey(first)) continue;
                if (typesOf.GetValueOrDefault(first)?.Contains(second) == true ||
                    subNamespaces.GetValueOrDefault(first)?.Contains(second) == true)
                    Against(first, m.Index, $"{first}.{second}");
            }
        }
        return found;
    }

    /// <summary>
    /// Every .cs file under a folder (build outputs left out), with paths relative to <paramref name="root"/>.
    /// </summary>
    public static List<(string Path, string Text)> Read(string root, string folder)
    {
        var skip = new[] { "/bin/", "/obj/" };
        return Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !skip.Any(s => ("/" + f).Contains(s, StringComparison.Ordinal)))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(Path.Combine(root, f))))
            .ToList();
    }

    /// <summary>Comments and string literals become spaces (newlines kept, so line numbers stay right).</summary>
    static string Blank(string text) =>
        CommentOrString().Replace(text, m => new string(m.Value.Select(c => c == '\n' ? '\n' : ' ').ToArray()));

    static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    static void Add(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var set)) map[key] = set = new HashSet<string>();
        set.Add(value);
    }
}
