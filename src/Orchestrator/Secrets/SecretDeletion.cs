namespace Orchestrator.Secrets;

/// <summary>What deleting a secret came to: deleted, not there, or refused because these still refer to it.</summary>
public sealed record SecretDeletion(bool Deleted, IReadOnlyList<string> Users)
{
    public static SecretDeletion Done { get; } = new(true, []);
    public static SecretDeletion Missing { get; } = new(false, []);
    public static SecretDeletion InUse(IReadOnlyList<string> users) => new(false, users);
}
