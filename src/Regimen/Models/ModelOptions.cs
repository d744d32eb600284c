namespace Regimen.Models;

/// <summary>What a model constructor is given: the data's shape and the recipe's model options.</summary>
public sealed record ModelOptions(
    int InputChannels,
    int ClassCount,
    int? Width = null,
    int? Depth = null,
    int? WidenFactor = null,
    double Dropout = 0,
    double DropPath = 0);
