namespace Regimen.Models;

/// <summary>
/// A model whose dropout before the classifier and stochastic-depth rate can change between epochs, so that
/// recipe phases can schedule them (seed 002 lowers dropout 0.3 → 0.2 → 0.1).
/// </summary>
public interface IRegularizedModel
{
    double Dropout { get; set; }
    double DropPath { get; set; }
}
