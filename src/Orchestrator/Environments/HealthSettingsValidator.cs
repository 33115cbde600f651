using Contracts.Specs;
using Orchestrator.Health;
using Orchestrator.Rollouts;

namespace Orchestrator.Environments;

/// <summary>Checks <c>health</c> by field: an interval of 1 s to 1 h, and absolute http(s) notification URLs, which
/// are accepted only when this orchestrator has a signing key (nothing is sent unsigned).</summary>
public static class HealthSettingsValidator
{
    private const int MaxUrls = 10;

    public static int IntervalSeconds(HealthSettings health, NotificationOptions notifications, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(notifications);
        ArgumentNullException.ThrowIfNull(errors);
        var seconds = HealthSettings.DefaultIntervalSeconds;
        if (health.Interval is { } text)
        {
            if (!Durations.TryParse(text, out var interval) || interval.TotalSeconds is < 1 or > 3600 || interval.Milliseconds != 0)
                errors.Add("health.interval", "Must be a whole number of seconds from 1s to 1h, such as \"30s\" or \"2m\".");
            else
                seconds = (int)interval.TotalSeconds;
        }
        var urls = health.Notify ?? [];
        if (urls.Count > MaxUrls) errors.Add("health.notify", $"At most {MaxUrls} URLs.");
        for (var i = 0; i < urls.Count; i++)
        {
            if (!Uri.TryCreate(urls[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || urls[i].Length > 2000)
                errors.Add($"health.notify[{i}]", "Must be an absolute http or https URL of at most 2000 characters.");
        }
        if (urls.Count > 0 && !notifications.HasKey)
            errors.Add("health.notify", "Notifications are signed, and this orchestrator has no signing key: set Notifications:SigningKeyFile (or the Notifications__SigningKey environment variable) on every orchestrator instance.");
        return seconds;
    }
}
