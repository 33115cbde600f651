using Contracts.Specs;

namespace Runner.Analysis;

/// <summary>Where a target's engine replicas answer, per revision, read afresh on every call. An empty list is no data,
/// never an error.</summary>
internal interface IEngineEndpoints
{
    /// <summary>The step's revision.</summary>
    string Canary { get; }

    /// <summary>The revision the canary is compared with; null when there is none other than the canary.</summary>
    string? Stable { get; }

    /// <summary>What <see cref="RunningAsync"/> lists, as messages name it ("running replica", "ready pod").</summary>
    string RunningName { get; }

    /// <summary>What <see cref="LiveAsync"/> lists, as messages name it.</summary>
    string LiveName { get; }

    /// <summary>The revision's replicas that run: probes, comparisons and <c>/metrics</c> go to these.</summary>
    Task<IReadOnlyList<EngineEndpoint>> RunningAsync(string revision, CancellationToken cancellationToken);

    /// <summary>Those that answer their health check too: golden prompts go to these.</summary>
    Task<IReadOnlyList<EngineEndpoint>> LiveAsync(string revision, CancellationToken cancellationToken);

    /// <summary>Whose figures a metric reads: the stable revision's (null when there is none) or the canary's.</summary>
    string? RevisionOf(MetricSpec metric) => metric.Revision == "stable" ? Stable : Canary;
}
