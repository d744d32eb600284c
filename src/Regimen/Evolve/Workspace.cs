using Regimen.Recipes;
using Regimen.Runs;

namespace Regimen.Evolve;

/// <summary>
/// An evolve workspace: evolve.json (settings), ledger.jsonl, and trials/&lt;id&gt;/ with each trial's recipe.yaml,
/// its replicas (seed-1, seed-2, ... or an experiment/ of folds) and their logs. One loop at a time holds evolve.lock.
/// </summary>
public sealed class Workspace
{
    Workspace(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Ledger = new Ledger(System.IO.Path.Combine(Path, "ledger.jsonl"));
    }

    public string Path { get; }
    public Ledger Ledger { get; }
    public string SettingsFile => System.IO.Path.Combine(Path, "evolve.json");
    public string LockFile => System.IO.Path.Combine(Path, "evolve.lock");
    public string TrialPath(string trial) => System.IO.Path.Combine(Path, "trials", trial);
    public string RecipeFile(string trial) => System.IO.Path.Combine(TrialPath(trial), "recipe.yaml");
    public string ExperimentPath(string trial) => System.IO.Path.Combine(TrialPath(trial), "experiment");
    /// <summary>Replica k (0-based) of a trial without folds: seed-(k+1), trained with the recipe's seed + k.</summary>
    public string SeedRunPath(string trial, int replica) => System.IO.Path.Combine(TrialPath(trial),
        $"seed-{replica + 1}");
    public string LogFile(string trial, int replica) => System.IO.Path.Combine(TrialPath(trial),
        $"train-{replica + 1}.log");

    public static bool Exists(string path) => File.Exists(System.IO.Path.Combine(path, "evolve.json"));

    public static string DefaultPath(string recipeName) => System.IO.Path.Combine("evolve", recipeName);

    public static Workspace Open(string path)
    {
        if (!Exists(path)) throw new RegimenException($"{path}: not an evolve workspace (no evolve.json)");
        return new Workspace(path);
    }

    /// <summary>Creates a workspace, or checks that an existing one was started with the same settings.</summary>
    public static Workspace Prepare(string path, EvolveSettings settings)
    {
        var workspace = new Workspace(path);
        if (Exists(path)) settings.CheckCompatible(EvolveSettings.Read(workspace.SettingsFile), workspace.SettingsFile);
        else if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new RegimenException($"--workspace {path}: the folder exists and is not an evolve workspace");
        try
        {
            Directory.CreateDirectory(System.IO.Path.Combine(workspace.Path, "trials"));
            AtomicFile.WriteAllText(workspace.SettingsFile, settings.ToJson());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegimenException($"--workspace {path}: cannot write the workspace ({e.Message})",
                ExitCodes.Failure, e);
        }
        return workspace;
    }

    public EvolveSettings Settings => EvolveSettings.Read(SettingsFile);

    /// <summary>
    /// Refuses a baseline other than the one the workspace at <paramref name="path"/> started with (if it has one yet).
    /// </summary>
    public static void CheckBaseline(string path, Recipe baseline)
    {
        var file = new Workspace(path).RecipeFile("t000");
        if (File.Exists(file) && RecipeLoader.ToYaml(RecipeLoader.Load(file)) != RecipeLoader.ToYaml(baseline))
            throw new RegimenException($"{path}: this workspace's baseline ({file}) is another recipe. Use another " +
                $"--workspace, or leave RECIPE out to continue it.");
    }

    public Recipe LoadRecipe(string trial) => RecipeLoader.Load(RecipeFile(trial));

    /// <summary>
    /// Holds evolve.lock for the loop's lifetime: a second loop on the same workspace is refused. The lock is
    /// the kernel's (flock), so a killed loop releases it.
    /// </summary>
    public IDisposable LockForLoop()
    {
        try
        {
            return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new RegimenException($"{Path}: another 'regimen evolve' is running on this workspace (it holds " +
                $"evolve.lock)", ExitCodes.Failure);
        }
    }

    /// <summary>The logs of a trial's replicas: its folds, or its seed runs.</summary>
    public IReadOnlyList<TrainingLog> ReplicaLogs(string trial, EvolveSettings settings)
    {
        if (settings.Folds > 1) return Runs.Readers.LogReader.Read(ExperimentPath(trial));
        return Enumerable.Range(0, settings.Seeds).SelectMany(r => Runs.Readers.LogReader.Read(SeedRunPath(trial, r)))
            .ToList();
    }
}
