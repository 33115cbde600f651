namespace Orchestrator.Limits;

/// <summary>Endpoint metadata: the body kind whose limit applies (see <see cref="LimitEndpointExtensions.WithBodyLimit{TBuilder}"/>).</summary>
public sealed record BodyKindMetadata(BodyKind Kind);
