namespace Regimen.Runs.Readers;

/// <summary>
/// HTML tables of epochs outside a notebook: a notebook exported to Markdown or HTML (nbconvert, nbdev's docs) keeps
/// fastai's and the Hugging Face Trainer's epoch tables as &lt;table class="dataframe"&gt;. Each table is read as the
/// same table printed with spaces would be (<see cref="ConsoleTableReader"/>).
/// </summary>
internal sealed class HtmlTableReader : ILogReader
{
    static readonly ConsoleTableReader Tables = new();

    public string Name => "html-table";
    public string LooksFor => "an HTML table (<table> with an epoch header cell, a loss or an accuracy) in any " +
        "text file (a notebook exported to Markdown or HTML)";

    public double Recognize(LogSample sample)
    {
        if (sample.Binary || sample.Text.IndexOf("<table", StringComparison.OrdinalIgnoreCase) < 0) return 0;
        var lines = Lines(sample.Text);
        // Above the text reader and the Markdown-table reader: the tables are the log, the text around them prose.
        return lines.Count > 0 && Tables.Recognize(LogSample.OfLines(sample.Path, lines)) > 0 ? 0.65 : 0;
    }

    static List<string> Lines(string text) =>
        NotebookReader.HtmlTables(text) is { } tables ? NotebookReader.ConsoleLines(tables) : new List<string>();

    public IReadOnlyList<TrainingLog> Read(string path, ReadOptions options)
    {
        var lines = Lines(File.ReadAllText(path));
        if (lines.Count == 0)
            throw new RegimenException($"{path}: no HTML table of epochs (looked for <table> rows with an 'epoch' " +
                "header cell and a loss or accuracy column)");
        return Tables.ReadLines(path, lines, options).Select(l => l with
        {
            Reader = Name,
            Notes = l.Notes.Prepend("read from the HTML tables in the file (a row per epoch)").ToList(),
        }).ToList();
    }
}
