namespace Orchestrator.Limits;

public static class LimitEndpointExtensions
{
    /// <summary>Holds the endpoints' bodies to <paramref name="kind"/>'s limit instead of the default one.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, BodyKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyKindMetadata(kind));

    /// <summary>Counts a following (streaming) request against <c>Limits:Followers</c>; plain reads are not counted.</summary>
    public static TBuilder LimitFollowers<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(FollowerPolicy.Name);
}
