using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>schedules create|list|show|pause|resume|delete</c>: cron schedules that apply, tear down or reprovision an
/// environment. The service validates the cron expression, the time zone and the spec; here we only shape the request.</summary>
public static partial class ScheduleCommands
{
    public static Task<int> RunAsync(string[] args, CliContext context) => args switch
    {
        [] or ["list", ..] => ListAsync(args.Skip(1).ToList(), context),
        ["create", .. var rest] => CreateAsync(rest, context),
        ["show", .. var rest] => ShowAsync(rest, context),
        ["pause", .. var rest] => SetPausedAsync(rest, "pause", "paused", context),
        ["resume", .. var rest] => SetPausedAsync(rest, "resume", "resumed", context),
        ["delete", .. var rest] => DeleteAsync(rest, context),
        [var other, ..] => throw new UsageException($"unknown subcommand 'schedules {other}' (create, list, show, pause, resume, delete)"),
    };

    /// <summary>The flags of <c>schedules create</c> and the <c>POST /api/schedules</c> body they make;
    /// <paramref name="stdin"/> is read when the spec file is <c>-</c>.</summary>
    public static (CliArgs Args, JsonObject Body) CreateRequest(IReadOnlyList<string> rawArgs, TextReader stdin)
    {
        var args = CliArgs.Parse(rawArgs, ["environment", "cron", "time-zone", "start-at", "end-at", "misfire", "action", "file", "model-revision", "description"],
            ["paused", "json"]);
        args.NoPositionals();
        var body = new JsonObject
        {
            ["environment"] = args.Required("environment"),
            ["cron"] = args.Required("cron"),
            ["action"] = args.Required("action"),
        };
        if (args.Value("time-zone") is { } zone) body["timeZone"] = zone;
        if (Time(args, "start-at") is { } start) body["startAt"] = start;
        if (Time(args, "end-at") is { } end) body["endAt"] = end;
        if (args.Value("misfire") is { } misfire) body["misfire"] = misfire;
        if (args.Has("paused")) body["paused"] = true;
        if (args.Value("description") is { } description) body["description"] = description;
        if (args.Value("model-revision") is { } revision) body["modelRevision"] = revision;
        if (args.Value("file") is { } file) body["spec"] = SpecFile.Read(file, stdin);
        return (args, body);
    }

    private static async Task<int> CreateAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var (args, body) = CreateRequest(rawArgs, context.In);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var schedule = await api.PostAsync("api/schedules", body, context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(schedule));
            return 0;
        }
        await context.Out.WriteLineAsync($"schedule {Json.Str(schedule, "id")}: {Json.Str(schedule, "action")} {Json.Str(schedule, "environment")} on '{Json.Str(schedule, "cron")}' ({Json.Str(schedule, "timeZone")})"
            + (Json.Items(schedule?["nextFireTimes"]).FirstOrDefault() is { } next ? $", next at {FireTime(next, Zone(schedule))}" : IsPaused(schedule) ? ", paused" : ", no fire time left"));
        return 0;
    }

    private static async Task<int> ListAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, ["environment"], ["json"]);
        args.NoPositionals();
        var query = args.Value("environment") is { } environment ? "?environment=" + Uri.EscapeDataString(environment) : "";
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var schedules = await api.GetAsync("api/schedules" + query, context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(schedules));
            return 0;
        }
        var now = context.Time.GetUtcNow();
        var table = new Table("ID", "ENVIRONMENT", "ACTION", "CRON", "TIME ZONE", "PAUSED", "NEXT FIRE");
        foreach (var s in Json.Items(schedules))
        {
            var next = Json.Items(s["nextFireTimes"]).FirstOrDefault() is { } n ? $"{FireTime(n, Zone(s))} (in {Json.Duration(Parse(n) - now)})" : "-";
            table.Add(Json.Str(s, "id"), Json.Str(s, "environment"), Json.Str(s, "action"), Json.Str(s, "cron"), Json.Str(s, "timeZone"),
                IsPaused(s) ? "yes" : "no", next);
        }
        await context.Out.WriteAsync(table.ToString());
        return 0;
    }

    private static async Task<int> ShowAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var id = args.Single("schedule id");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var schedule = await api.GetAsync($"api/schedules/{Uri.EscapeDataString(id)}", context.Cancellation);
        if (args.Has("json") || schedule is null)
        {
            await context.Out.WriteLineAsync(Json.Pretty(schedule));
            return 0;
        }
        await context.Out.WriteAsync(Describe(schedule));
        return 0;
    }

    /// <summary>The human form of one schedule: its fields, its next fire times (in its time zone) and its latest fires.</summary>
    public static string Describe(JsonNode schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var zone = Zone(schedule);
        var text = new System.Text.StringBuilder();
        void Field(string name, string value) => text.Append(CultureInfo.InvariantCulture, $"{name + ":",-16}{value}\n");
        Field("id", Json.Str(schedule, "id"));
        Field("environment", Json.Str(schedule, "environment"));
        Field("action", Json.Str(schedule, "action"));
        Field("description", Json.OrDash(Json.Str(schedule, "description")));
        Field("cron", Json.Str(schedule, "cron"));
        Field("time zone", Json.Str(schedule, "timeZone"));
        Field("start at", Json.OrDash(Json.Str(schedule, "startAt")));
        Field("end at", Json.OrDash(Json.Str(schedule, "endAt")));
        Field("misfire", Json.Str(schedule, "misfire"));
        Field("paused", IsPaused(schedule) ? "yes" : "no");
        Field("model revision", Json.OrDash(Json.Str(schedule, "modelRevision")));
        if (schedule["spec"] is JsonObject spec) Field("spec", spec.ToJsonString());
        Field("created", $"{Json.Str(schedule, "createdAt")} by {Json.OrDash(Json.Str(schedule, "createdBy"))}");

        var next = Json.Items(schedule["nextFireTimes"]).ToList();
        text.Append(next.Count == 0 ? "next fire times: none" + (IsPaused(schedule) ? " (paused)" : "") + "\n" : "next fire times:\n");
        foreach (var at in next) text.Append("  ").Append(FireTime(at, zone)).Append('\n');

        var fires = Json.Items(schedule["lastFires"]).ToList();
        if (fires.Count == 0)
        {
            text.Append("last fires: none\n");
            return text.ToString();
        }
        var table = new Table("FIRE TIME", "FIRED AT", "OUTCOME", "RUN");
        foreach (var fire in fires)
            table.Add(FireTime(fire["fireTime"]!, zone), Json.Str(fire, "firedAt"), Json.Str(fire, "outcome"), Json.OrDash(Json.Str(fire, "runId")));
        text.Append("last fires:\n").Append(table);
        return text.ToString();
    }

    private static async Task<int> SetPausedAsync(IReadOnlyList<string> rawArgs, string verb, string done, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var id = args.Single("schedule id");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var schedule = await api.PostAsync($"api/schedules/{Uri.EscapeDataString(id)}/{verb}", null, context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(schedule));
            return 0;
        }
        var next = Json.Items(schedule?["nextFireTimes"]).FirstOrDefault() is { } n ? $", next at {FireTime(n, Zone(schedule))}" : "";
        await context.Out.WriteLineAsync($"schedule {id} {done}{next}");
        return 0;
    }

    private static async Task<int> DeleteAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], []);
        var id = args.Single("schedule id");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        await api.SendAsync(HttpMethod.Delete, $"api/schedules/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"schedule {id} deleted");
        return 0;
    }

    private static string? Time(CliArgs args, string flag)
    {
        if (args.Value(flag) is not { } text) return null;
        // An offset is required: the CLI's own zone is not the schedule's, and guessing between them fires at the wrong hour.
        return HasOffset().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToString("o", CultureInfo.InvariantCulture)
            : throw new UsageException($"--{flag} must be an ISO 8601 time with its offset, such as 2025-07-01T22:00:00+02:00, not '{text}'");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex HasOffset();

    private static bool IsPaused(JsonNode? schedule) => schedule?["paused"] is JsonValue v && v.TryGetValue<bool>(out var paused) && paused;

    private static TimeZoneInfo Zone(JsonNode? schedule) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(Json.Str(schedule, "timeZone"), out var zone) ? zone : TimeZoneInfo.Utc;

    private static DateTimeOffset Parse(JsonNode at) =>
        DateTimeOffset.Parse(at.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A fire time in the schedule's own zone (where its cron is read), with UTC beside it unless that is the zone.</summary>
    private static string FireTime(JsonNode at, TimeZoneInfo zone)
    {
        var utc = Parse(at).ToUniversalTime();
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        return zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
            ? utc.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : $"{local.ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture)} ({utc.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
    }
}
