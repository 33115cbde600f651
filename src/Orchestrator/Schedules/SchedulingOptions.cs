using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Schedules;

/// <summary>Quartz's clustered job store on the orchestrator's database (configuration section <c>Scheduling</c>).</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>This instance's name in Quartz's cluster (<c>qrtz_scheduler_state</c>, <c>qrtz_fired_triggers</c>):
    /// unique per instance, such as the pod's name; empty: Quartz makes one from the host name and the time.</summary>
    [MaxLength(200)]
    public string InstanceId { get; set; } = "";

    /// <summary>How late a trigger may fire before it counts as misfired and its misfire policy decides (Quartz's
    /// <c>misfireThreshold</c>; its default is 60 s).</summary>
    [Range(0.1, 3600)]
    public double MisfireThresholdSeconds { get; set; } = 60;

    /// <summary>How often an instance checks in; an instance silent for longer than this plus
    /// <see cref="CheckinMisfireThresholdSeconds"/> is taken for dead and its triggers are recovered by another.</summary>
    [Range(0.1, 600)]
    public double CheckinIntervalSeconds { get; set; } = 7.5;

    [Range(0.1, 600)]
    public double CheckinMisfireThresholdSeconds { get; set; } = 7.5;

    /// <summary>How soon a moved teardown time (a rollout's TTL, <c>environments extend</c>) reaches its Quartz trigger.</summary>
    [Range(100, 60_000)]
    public int TtlSyncIntervalMilliseconds { get; set; } = 1000;
}
