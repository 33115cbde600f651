namespace Orchestrator.Tests.Infrastructure;

/// <summary>One database and one service per test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Server = await TestServer.StartAsync(Database);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}
