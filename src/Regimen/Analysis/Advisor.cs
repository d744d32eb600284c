using Regimen.Analysis.Findings;
using Regimen.Analysis.Recommendations;
using Regimen.Runs;

namespace Regimen.Analysis;

/// <summary>
/// Turns findings into recommendations: each finding's kind names the recommendations that answer it, and each
/// computes its change from the run's own values. One recommendation answering several findings is listed once.
/// </summary>
internal static class Advisor
{
    public static List<Recommendation> Advise(TrainingLog log, List<Finding> findings)
    {
        var advice = new Advice(log);
        var byId = new Dictionary<string, Recommendation>();
        foreach (var f in findings)
        {
            var kind = FindingRegistry.Get(f.Kind);
            if (!kind.IsAnswered(f)) continue;
            foreach (var answer in kind.Answers)
            {
                if (answer.For(f, advice) is not { } r) continue;
                if (byId.TryGetValue(r.Id, out var existing)) r = existing;
                else byId[r.Id] = r;
                if (!r.Findings.Contains(f.Kind)) r.Findings.Add(f.Kind);
                if (!f.Recommendations.Contains(r.Id)) f.Recommendations.Add(r.Id);
            }
        }
        return byId.Values.ToList();
    }
}
