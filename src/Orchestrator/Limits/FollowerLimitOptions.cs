using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Limits;

/// <summary>How many log followers (<c>follow=true</c> or <c>Accept: text/event-stream</c>) one instance serves at once.</summary>
public sealed class FollowerLimitOptions
{
    public const string Section = "Limits:Followers";

    [Range(1, int.MaxValue, ErrorMessage = "Limits:Followers:MaxConcurrent must be at least 1.")]
    public int MaxConcurrent { get; set; } = 200;
}
