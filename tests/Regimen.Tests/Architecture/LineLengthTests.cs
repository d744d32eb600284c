namespace Regimen.Tests.Architecture;

public class LineLengthTests
{
    [Fact]
    public void EveryCSharpLineIsWithinTheLimit()
    {
        var sources = LineLength.Folders.SelectMany(f => ImportOrder.Read(Repository.Root, f)).ToList();
        Assert.True(sources.Count > 200, $"only {sources.Count} C# files found under {Repository.Root}");
        var longer = LineLength.Check(sources);
        Assert.True(longer.Count == 0,
            $"{longer.Count} line(s) over {LineLength.Limit} characters (wrap at arguments, operators or string " +
            "concatenation):\n" + string.Join("\n", longer));
    }

    [Fact]
    public void ALongerLineIsNamedByFileAndLine()
    {
        string fits = new('x', LineLength.Limit), over = new('y', LineLength.Limit + 1);
        var found = LineLength.Check(new[]
        {
            ("A.cs", $"{fits}\n{over}\r\n→{fits[1..]}\n"),
            ("B.cs", $"// {over}"),
        });
        Assert.Equal(new[] { "A.cs:2: 121 characters", "B.cs:1: 124 characters" }, found);
    }
}
