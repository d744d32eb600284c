namespace Regimen.Analysis;

/// <summary>A finding's severity, as spelled in the JSON (info, warning, critical), and its order in reports.</summary>
public static class Severity
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Critical = "critical";

    /// <summary>0 for critical, 1 for warning, 2 for info: the order findings are listed and acted on.</summary>
    public static int Rank(string severity) => severity switch { Critical => 0, Warning => 1, _ => 2 };
}
