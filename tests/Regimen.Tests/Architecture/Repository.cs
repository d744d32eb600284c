namespace Regimen.Tests.Architecture;

/// <summary>The checkout the tests run from: the folder with Regimen.slnx above the test binaries.</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Regimen.slnx"))) return dir.FullName;
            throw new InvalidOperationException("no Regimen.slnx above " + AppContext.BaseDirectory);
        }
    }
}
