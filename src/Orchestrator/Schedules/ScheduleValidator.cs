using Orchestrator.Rollouts;
using Quartz;

namespace Orchestrator.Schedules;

/// <summary>Checks a schedule request field by field; what needs the database (the environment, its kind) is checked by
/// <see cref="ScheduleService"/>.</summary>
public static class ScheduleValidator
{
    /// <summary>The placeholder in an apply spec's <c>model.source</c> that the schedule's model revision fills.</summary>
    public const string RevisionPlaceholder = "{revision}";

    public static ValidationErrors Validate(ScheduleRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        if (!SpecValidator.IsDnsLabel(request.Environment)) errors.Add("environment", "Required: the name of an existing environment.");
        if (request.Description is { Length: > 200 }) errors.Add("description", "At most 200 characters.");

        if (string.IsNullOrWhiteSpace(request.Cron)) errors.Add("cron", "Required: a Quartz cron expression, seconds first, such as '0 0 22 ? * MON-FRI'.");
        else
        {
            try { CronExpression.Parse(request.Cron); }
            catch (FormatException e) { errors.Add("cron", $"Not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]): {e.Message}"); }
        }

        var zoneName = request.TimeZone ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneName, out var zone) || !zone.HasIanaId)
            errors.Add("timeZone", $"'{zoneName}' is not an IANA time zone name (such as Europe/Paris or America/New_York).");

        if (request.EndAt is { } end)
        {
            if (end <= now) errors.Add("endAt", "Must be in the future.");
            if (request.StartAt is { } start && end <= start) errors.Add("endAt", "Must be after startAt.");
        }
        if (request.Misfire is { } misfire && !ScheduleActions.MisfirePolicies.Contains(misfire))
            errors.Add("misfire", $"Must be one of: {string.Join(", ", ScheduleActions.MisfirePolicies)}.");

        if (request.Action is not { } action || !ScheduleActions.All.Contains(action))
        {
            errors.Add("action", $"Must be one of: {string.Join(", ", ScheduleActions.All)}.");
            return errors;
        }
        if (action == ScheduleActions.Apply) ValidateApply(request, errors);
        else
        {
            if (request.Spec is not null) errors.Add("spec", $"Only an apply schedule has a spec: {action} uses the environment's latest rollout.");
            if (request.ModelRevision is not null) errors.Add("modelRevision", $"Only an apply schedule has a model revision.");
        }
        return errors;
    }

    private static void ValidateApply(ScheduleRequest request, ValidationErrors errors)
    {
        if (request.Spec is not { } spec)
        {
            errors.Add("spec", "Required for an apply schedule: the rollout spec to apply.");
            return;
        }
        var templated = spec.Model?.Source?.Contains(RevisionPlaceholder, StringComparison.Ordinal) == true;
        if (templated && string.IsNullOrWhiteSpace(request.ModelRevision))
            errors.Add("modelRevision", $"Required: spec.model.source holds {RevisionPlaceholder}.");
        if (!templated && request.ModelRevision is not null)
            errors.Add("modelRevision", $"spec.model.source holds no {RevisionPlaceholder} for it to fill.");
        if (!string.IsNullOrEmpty(spec.Environment) && spec.Environment != request.Environment)
            errors.Add("spec.environment", $"Must be the schedule's environment '{request.Environment}' (or left out).");

        var filled = Fill(spec with { Environment = request.Environment ?? "" }, request.ModelRevision);
        foreach (var (field, messages) in SpecValidator.Validate(filled).ToDictionary())
            foreach (var message in messages) errors.Add($"spec.{field}", message);
    }

    /// <summary>The spec a fire applies: the schedule's environment, <c>{revision}</c> filled.</summary>
    public static Contracts.Specs.RolloutSpec Fill(Contracts.Specs.RolloutSpec spec, string? modelRevision)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (modelRevision is null || spec.Model is null) return spec;
        return spec with { Model = spec.Model with { Source = spec.Model.Source.Replace(RevisionPlaceholder, modelRevision, StringComparison.Ordinal) } };
    }
}
