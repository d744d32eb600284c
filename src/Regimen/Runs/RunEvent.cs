using System.Text.Json;
using System.Text.Json.Serialization;

namespace Regimen.Runs;

/// <summary>
/// One line of events.jsonl: something that happened at an epoch. Kinds: start, resume, schedule (key, from,
/// to), checkpoint, best, early_stop, stopped (a stop request: why, and the batch it stopped after), diverged,
/// warning, finding (key: its kind, to: its severity, from: the severity it rose from, message: its summary,
/// evidence: its numbers), end; callbacks add their own through <see cref="Training.TrainingContext.Record"/>.
/// </summary>
public sealed record RunEvent
{
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    [JsonPropertyName("key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }
    [JsonPropertyName("from"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; init; }
    [JsonPropertyName("to"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? To { get; init; }
    [JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }
    [JsonPropertyName("evidence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, double>? Evidence { get; init; }
    [JsonPropertyName("time")] public DateTime Time { get; init; } = DateTime.UtcNow;

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    // Evidence rounded as measured; a diverged run's may hold NaN (written as "NaN").
    static readonly JsonSerializerOptions Options = MeasuredDoubleConverter.Record();

    public static List<RunEvent> ReadAll(string path)
    {
        var events = new List<RunEvent>();
        if (!File.Exists(path)) return events;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try { events.Add(JsonSerializer.Deserialize<RunEvent>(text, Options) ?? throw new JsonException("null")); }
            catch (JsonException e) { throw new RegimenException($"{path}:{line}: not a valid event ({e.Message})"); }
        }
        return events;
    }
}
