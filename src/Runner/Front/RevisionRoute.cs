namespace Runner.Front;

/// <summary>One revision in the routing table: its share of traffic in percent and its replicas' base URLs.</summary>
internal sealed record RevisionRoute(string Revision, int Weight, IReadOnlyList<string> Endpoints);
