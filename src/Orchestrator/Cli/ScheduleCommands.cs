using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>schedules create|list|show|pause|resume|delete</c>: cron schedules that apply, tear down or reprovision an
/// environment. The service validates the cron expression, the time zone and the spec; here we only shape the request.</summary>
public static partial class ScheduleCommands
{
    public static Command Build(CliContext context)
    {
        var schedules = new Command("schedules", "cron schedules that apply, tear down or reprovision an environment");
        // The service validates the values (a 400 naming the field); here they are only shaped into the request.
        var action = Options.Required("--action", "apply (needs -f), teardown or reprovision");
        var misfire = Options.Text("--misfire", "skip (default) or fire-once");
        schedules.Add(Options.Command("create", "a Quartz cron (seconds first) in an IANA time zone; apply needs -f (its model.source may hold {revision})",
                Options.Required("--environment", "the environment", "-e"), Options.Required("--cron", "e.g. \"0 0 22 ? * MON-FRI\""), action,
                Options.Text("--time-zone", "IANA zone, e.g. Europe/Paris (default UTC)"), Options.Text("--start-at", "ISO 8601 time with its offset"),
                Options.Text("--end-at", "ISO 8601 time with its offset"), misfire, Options.Flag("--paused", "create it paused"),
                Options.Text("--file", "the rollout spec an apply uses (- for stdin)", "-f"), Options.Text("--model-revision", "fills {revision} in model.source"),
                Options.Text("--description", "what it is for"))
            .WithOutput().Does(context, CreateAsync));
        schedules.Add(Options.Command("list", "schedules with their next fire time", Options.Text("--environment", "only this environment's", "-e")).WithOutput()
            .Does(context, ListAsync));
        schedules.Add(Options.Command("show", "all fields, the next fire times and what the latest fires did", Id()).WithOutput().Does(context, ShowAsync));
        schedules.Add(Options.Command("pause", "stop it firing", Id()).WithOutput().Does(context, (p, c) => SetPausedAsync(p, "pause", "paused", c)));
        schedules.Add(Options.Command("resume", "let it fire again", Id()).WithOutput().Does(context, (p, c) => SetPausedAsync(p, "resume", "resumed", c)));
        schedules.Add(Options.Command("delete", "delete it and its trigger", Id()).Does(context, DeleteAsync));
        return schedules;
    }

    private static Argument<string> Id() => Options.Arg("ID", "the schedule's id (orchestrator schedules list)");

    /// <summary>The <c>POST /api/schedules</c> body that a parsed <c>schedules create</c> makes;
    /// <paramref name="stdin"/> is read when the spec file is <c>-</c>.</summary>
    public static JsonObject CreateRequest(ParseResult parse, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var body = new JsonObject
        {
            ["environment"] = parse.GetValue<string>("--environment"),
            ["cron"] = parse.GetValue<string>("--cron"),
            ["action"] = parse.GetValue<string>("--action"),
        };
        if (parse.GetValue<string>("--time-zone") is { } zone) body["timeZone"] = zone;
        if (Time(parse, "--start-at") is { } start) body["startAt"] = start;
        if (Time(parse, "--end-at") is { } end) body["endAt"] = end;
        if (parse.GetValue<string>("--misfire") is { } misfire) body["misfire"] = misfire;
        if (parse.GetValue<bool>("--paused")) body["paused"] = true;
        if (parse.GetValue<string>("--description") is { } description) body["description"] = description;
        if (parse.GetValue<string>("--model-revision") is { } revision) body["modelRevision"] = revision;
        if (parse.GetValue<string>("--file") is { } file) body["spec"] = SpecFile.Read(file, stdin);
        return body;
    }

    private static async Task<int> CreateAsync(ParseResult parse, CliContext context)
    {
        var body = CreateRequest(parse, context.In);
        using var api = Options.Api(parse);
        var schedule = await api.PostAsync("api/schedules", body, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, schedule)) return 0;
        await context.Out.WriteLineAsync($"schedule {Json.Str(schedule, "id")}: {Json.Str(schedule, "action")} {Json.Str(schedule, "environment")} on '{Json.Str(schedule, "cron")}' ({Json.Str(schedule, "timeZone")})"
            + (Json.Items(schedule?["nextFireTimes"]).FirstOrDefault() is { } next ? $", next at {FireTime(next, Zone(schedule))}" : IsPaused(schedule) ? ", paused" : ", no fire time left"));
        return 0;
    }

    private static async Task<int> ListAsync(ParseResult parse, CliContext context)
    {
        var query = parse.GetValue<string>("--environment") is { } environment ? "?environment=" + Uri.EscapeDataString(environment) : "";
        using var api = Options.Api(parse);
        var schedules = await api.GetAsync("api/schedules" + query, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, schedules)) return 0;
        var now = context.Time.GetUtcNow();
        var table = new TableView("ID", "ENVIRONMENT", "ACTION", "CRON", "TIME ZONE", "PAUSED", "NEXT FIRE");
        foreach (var s in Json.Items(schedules))
        {
            var next = Json.Items(s["nextFireTimes"]).FirstOrDefault() is { } n ? $"{FireTime(n, Zone(s))} (in {Json.Duration(Parse(n) - now)})" : "-";
            table.Add(Json.Str(s, "id"), Json.Str(s, "environment"), Json.Str(s, "action"), Json.Str(s, "cron"), Json.Str(s, "timeZone"),
                IsPaused(s) ? "yes" : "no", next);
        }
        new Terminal(context).Write(table);
        return 0;
    }

    private static async Task<int> ShowAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        var schedule = await api.GetAsync($"api/schedules/{Uri.EscapeDataString(id)}", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, schedule)) return 0;
        if (schedule is null)
        {
            await context.Out.WriteLineAsync("null");
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
        var table = new TableView("FIRE TIME", "FIRED AT", "OUTCOME", "RUN");
        foreach (var fire in fires)
            table.Add(FireTime(fire["fireTime"]!, zone), Json.Str(fire, "firedAt"), Json.Str(fire, "outcome"), Json.OrDash(Json.Str(fire, "runId")));
        text.Append("last fires:\n").Append(table);
        return text.ToString();
    }

    private static async Task<int> SetPausedAsync(ParseResult parse, string verb, string done, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        var schedule = await api.PostAsync($"api/schedules/{Uri.EscapeDataString(id)}/{verb}", null, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, schedule)) return 0;
        var next = Json.Items(schedule?["nextFireTimes"]).FirstOrDefault() is { } n ? $", next at {FireTime(n, Zone(schedule))}" : "";
        await context.Out.WriteLineAsync($"schedule {id} {done}{next}");
        return 0;
    }

    private static async Task<int> DeleteAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        await api.SendAsync(HttpMethod.Delete, $"api/schedules/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"schedule {id} deleted");
        return 0;
    }

    private static string? Time(ParseResult parse, string flag)
    {
        if (parse.GetValue<string>(flag) is not { } text) return null;
        // An offset is required: the CLI's own zone is not the schedule's, and guessing between them fires at the wrong hour.
        return HasOffset().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at.ToString("o", CultureInfo.InvariantCulture)
            : throw new UsageException($"{flag} must be an ISO 8601 time with its offset, such as 2025-07-01T22:00:00+02:00, not '{text}'");
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
