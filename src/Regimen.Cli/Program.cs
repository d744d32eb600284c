using Regimen.Cli;
using Regimen.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

// Pipes and files have no width: don't wrap tables at Spectre's default of 80 columns.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
ErrorHandler.HandleUnobserved();

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("regimen");
    config.SetApplicationVersion(Versions.Line);
    config.PropagateExceptions();
    // Every command's unknown options, stray arguments and output paths are refused before it runs.
    config.SetInterceptor(new StrictArguments(args));
    config.AddCommand<TrainCommand>("train")
        .WithDescription("Train a recipe (default: the built-in fashion-mnist recipe).")
        .WithExample("train").WithExample("train", "my-recipe.yaml", "--epochs", "3").WithExample("train", "--resume",
            "runs/20261124-101500-fashion-mnist");
    config.AddCommand<EvaluateCommand>("evaluate")
        .WithDescription("Score a run or checkpoint on its test set: accuracy, per-class accuracy, confusion matrix.");
    config.AddCommand<AnalyzeCommand>("analyze")
        .WithDescription("Diagnose a run or any tool's log: findings with their numbers, recommendations as recipe " +
        "patches.");
    config.AddCommand<WatchCommand>("watch")
        .WithDescription("Follow a training as it runs (a log, a run folder, or -- COMMAND) and speak up at the " +
        "epoch it goes wrong.")
        .WithExample("watch", "runs/20261124-101500-fashion-mnist").WithExample("watch", "--out", "runs/keras-1", "--",
            "python", "train.py");
    config.AddCommand<CompareCommand>("compare")
        .WithDescription("Compare runs: configuration diff, milestones, final/best/gap/stability, a verdict.");
    config.AddCommand<ExportCommand>("export")
        .WithDescription("Write a run's model as ONNX (checked by ONNX Runtime), safetensors or a PyTorch state dict.")
        .WithExample("export", "runs/20261124-101500-fashion-mnist", "--format", "onnx", "--out", "model.onnx");
    config.AddCommand<PredictCommand>("predict")
        .WithDescription("Class probabilities for image files, as a CSV; accuracy and log loss when labels are known.");
    config.AddCommand<EvolveCommand>("evolve")
        .WithDescription("Train a baseline, apply the analyst's recommendations as child trials, keep what beats the " +
        "noise.")
        .WithExample("evolve", "fashion-mnist-fixres-mistake", "--budget", "4", "--epochs", "6");
    config.AddCommand<LedgerCommand>("ledger")
        .WithDescription("An evolve workspace's trials: lineage, scores, decisions; Markdown report and chart.");
    config.AddCommand<TrialCommand>("trial")
        .WithDescription("Train one replica of an evolve trial (what the launchers run).").IsHidden();
    config.AddBranch("recipes", recipes =>
    {
        recipes.SetDescription("The built-in recipes.");
        recipes.AddCommand<RecipesListCommand>("list").WithDescription("List the built-in recipes.");
        recipes.AddCommand<RecipesShowCommand>("show")
            .WithDescription("Print a recipe as YAML that 'regimen train FILE' accepts.");
        recipes.AddCommand<RecipesPatchCommand>("patch")
            .WithDescription("Apply changes (or an analysis' recommendations) to a recipe and print the result.");
        recipes.AddCommand<RecipesSimulateCommand>("simulate")
            .WithDescription("Print a recipe's schedule epoch by epoch without training.");
    });
    config.AddCommand<ModelsCommand>("models")
        .WithDescription("List the models with their options and parameter counts.");
});

try
{
    return app.Run(args);
}
catch (Exception e)
{
    return ErrorHandler.Handle(e, args, Console.Error);
}
