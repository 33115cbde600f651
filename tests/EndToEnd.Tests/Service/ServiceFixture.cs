using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Service;

/// <summary>One real service (fresh database, no runners) shared by a test class whose tests only talk to the API.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private TestStack? _stack;

    internal TestStack Stack => _stack ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _stack = await TestStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null) await _stack.DisposeAsync();
    }
}
