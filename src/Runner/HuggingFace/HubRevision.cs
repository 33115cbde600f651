namespace Runner.HuggingFace;

/// <summary>A revision resolved by the Hub: the commit it names now (a branch moves, a commit does not) and its files.</summary>
internal sealed record HubRevision(string Commit, IReadOnlyList<HubFile> Files);
