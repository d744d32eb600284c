using System.Reflection;
using System.Text.Json;

namespace Regimen.Cli;

/// <summary>What <c>regimen --version</c> prints: Regimen's, TorchSharp's and the native libtorch's versions.</summary>
public static class Versions
{
    public static string Regimen =>
        typeof(Versions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? typeof(Versions).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string Line =>
        $"Regimen {Regimen}\nTorchSharp {Three(Training.TorchRuntime.TorchSharpVersion)}\nlibtorch {LibTorch}\n" +
        $".NET {Environment.Version}";

    static string Three(string version) => string.Join('.', version.Split('.').Take(3));

    /// <summary>
    /// The libtorch package this process resolved, from its deps.json (libtorch itself exports no version string,
    /// and loading it only to ask would take seconds).
    /// </summary>
    public static string LibTorch
    {
        get
        {
            var files = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? "")
                .Split(';', StringSplitOptions.RemoveEmptyEntries);
            foreach (var file in files)
            {
                try
                {
                    using var json = JsonDocument.Parse(File.ReadAllText(file));
                    if (!json.RootElement.TryGetProperty("libraries", out var libraries)) continue;
                    foreach (var library in libraries.EnumerateObject())
                    {
                        // "libtorch-cpu-linux-x64/2.10.0" -> "2.10.0 (libtorch-cpu-linux-x64)"
                        var parts = library.Name.Split('/');
                        if (parts.Length == 2 && parts[0].StartsWith("libtorch-", StringComparison.Ordinal))
                            return $"{parts[1]} ({parts[0]})";
                    }
                }
                catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { }
            }
            return "unknown";
        }
    }
}
