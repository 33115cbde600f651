using Orchestrator.Persistence;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Persistence;

public sealed class MigrationTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public Task InitializeAsync() => _database.CreateAsync(migrate: false);

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Migrate_FourConcurrentStarts_ApplyEachMigrationOnce_AndAgainIsANoOp()
    {
        var files = Migrator.Discover(Migrator.DefaultDirectory).Select(m => m.Version).ToList();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new Migrator(_database.DataSource).MigrateAsync(CancellationToken.None))));
        var again = await new Migrator(_database.DataSource).MigrateAsync(CancellationToken.None);

        Assert.Equal(files, results.SelectMany(r => r).OrderBy(v => v, StringComparer.Ordinal));
        Assert.Empty(again);
        Assert.Equal(files.Count, await _database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(1, await _database.ScalarAsync<long>("SELECT count(*) FROM environments WHERE name = 'local' AND target_kind = 'local'"));
        Assert.True(await new Migrator(_database.DataSource).IsCurrentAsync(CancellationToken.None));
    }
}
