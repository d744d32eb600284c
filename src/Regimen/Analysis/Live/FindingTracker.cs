namespace Regimen.Analysis.Live;

/// <summary>
/// Which findings have been announced and at what severity: a finding is news once, when it first becomes true,
/// and again only when its severity rises. A finding is known by its kind (and, for a schedule shift, by the epoch
/// of the change it follows), not by its numbers, which move with every epoch.
/// </summary>
public sealed class FindingTracker
{
    readonly Dictionary<string, Announcement> latest = new();
    readonly Dictionary<string, int> first = new();
    readonly List<Announcement> announced = new();

    /// <summary>Every announcement in order.</summary>
    public IReadOnlyList<Announcement> Announced => announced;

    /// <summary>The most severe announcement of each finding.</summary>
    public IEnumerable<Announcement> Latest => latest.Values.OrderBy(a => first[Key(a.Finding)]);

    public static string Key(Finding f) =>
        f.Kind == Findings.ScheduleShift.Id && f.Evidence.TryGetValue("event_epoch", out var at) ? $"{f.Kind}@{at:0}"
            : f.Kind;

    /// <summary>Whether severity <paramref name="a"/> is more severe than <paramref name="b"/>.</summary>
    public static bool MoreSevere(string a, string b) => Severity.Rank(a) < Severity.Rank(b);

    /// <summary>Whether <paramref name="severity"/> is at least <paramref name="level"/> (warning: warning or
    /// critical).</summary>
    public static bool AtLeast(string severity, string level) => Severity.Rank(severity) <= Severity.Rank(level);

    public int? FirstAnnounced(Finding f) => first.TryGetValue(Key(f), out var e) ? e : null;

    /// <summary>The latest (most severe) announcement of the finding's key, if any.</summary>
    public Announcement? LatestOf(Finding f) => latest.GetValueOrDefault(Key(f));

    /// <summary>The findings of the run so far at <paramref name="epoch"/>: returns those that are news.</summary>
    public IReadOnlyList<Announcement> Update(int epoch, IEnumerable<Finding> findings)
    {
        var news = new List<Announcement>();
        // The most severe finding of each key: the accuracy-gap and the loss view of overfitting share one.
        foreach (var f in findings.GroupBy(Key).Select(g => g.OrderBy(x => Severity.Rank(x.Severity)).First()))
        {
            var key = Key(f);
            if (latest.TryGetValue(key, out var known) && !MoreSevere(f.Severity, known.Finding.Severity)) continue;
            var a = new Announcement(epoch, f, known?.Finding.Severity);
            latest[key] = a;
            first.TryAdd(key, epoch);
            announced.Add(a);
            news.Add(a);
        }
        return news;
    }
}
