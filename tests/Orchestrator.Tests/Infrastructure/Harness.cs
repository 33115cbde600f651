namespace Orchestrator.Tests.Infrastructure;

/// <summary>A database and a service of one's own, for tests whose runners must not see another test's steps.</summary>
public sealed class Harness : IAsyncDisposable
{
    private Harness(TestDatabase database, TestServer server, UserClient user)
    {
        Database = database;
        Server = server;
        User = user;
    }

    public TestDatabase Database { get; }
    public TestServer Server { get; }
    public UserClient User { get; }

    public static Task<Harness> StartAsync(params string[] extraArgs) => StartAsync((Action<WebApplicationBuilder>?)null, extraArgs);

    /// <param name="time">The service's clock (a <see cref="ManualTime"/>); null: the system's.</param>
    public static Task<Harness> StartAsync(TimeProvider? time, params string[] extraArgs) =>
        StartAsync(time is null ? null : (Action<WebApplicationBuilder>)(builder => builder.Services.AddSingleton(time)), extraArgs);

    /// <param name="configure">Changes to the service's registrations before it is built (see <see cref="TestServer"/>).</param>
    public static async Task<Harness> StartAsync(Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        var database = new TestDatabase();
        await database.InitializeAsync();
        var server = await TestServer.StartAsync(database, configure, extraArgs);
        return new Harness(database, server, await UserClient.CreateAsync(server));
    }

    public Task<ProtocolClient> RunnerAsync(string name = "runner", params string[] labels) =>
        ProtocolClient.RegisterAsync(Server, name, labels.Length == 0 ? ["local"] : labels);

    public async ValueTask DisposeAsync()
    {
        User.Dispose();
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }
}
