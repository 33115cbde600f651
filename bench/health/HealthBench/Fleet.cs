using System.Globalization;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace HealthBench;

/// <summary>
/// The served environments: each has a front port and its replicas' ports on the synthetic process. Created through the
/// API (<c>PUT /api/environments/{name}</c>, target <c>local</c>, health every <c>interval</c>); made served by seeding
/// what a successful rollout would have left, since no API call serves an environment without running real engines:
/// a rollout row of revision <c>r1</c>, the environment's state (<c>stableRevision</c>, <c>frontUrl</c>) and, in the
/// runner's state directory, the replica records of <c>src/Runner/Local</c> (<c>ENV/revisions/r1/replica-N.json</c>)
/// naming the synthetic process and the replica's port.
/// </summary>
internal sealed record Fleet(IReadOnlyList<Fleet.Member> Members, int Replicas)
{
    public const string Revision = "r1";

    public sealed record Member(string Name, int FrontPort, IReadOnlyList<int> ReplicaPorts);

    public IEnumerable<int> Ports => Members.SelectMany(m => m.ReplicaPorts.Prepend(m.FrontPort));

    public static Fleet Allocate(int environments, int replicas)
    {
        var used = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).ToHashSet();
        var free = Enumerable.Range(20000, 30000).Where(p => !used.Contains(p)).Take(environments * (1 + replicas)).ToList();
        if (free.Count < environments * (1 + replicas)) throw new InvalidOperationException("not enough free ports from 20000 up");
        var members = Enumerable.Range(0, environments).Select(i =>
        {
            var block = free.Skip(i * (1 + replicas)).Take(1 + replicas).ToList();
            return new Member($"bench-{i + 1:D4}", block[0], block.Skip(1).ToList());
        }).ToList();
        return new Fleet(members, replicas);
    }

    public async Task CreateAsync(HttpClient api, int intervalSeconds)
    {
        await Parallel.ForEachAsync(Members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (member, cancellationToken) =>
        {
            using var response = await api.PutAsJsonAsync($"api/environments/{member.Name}",
                new { targetKind = "local", health = new { interval = $"{intervalSeconds}s" } }, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"PUT {member.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        });
    }

    public async Task ServeAsync(NpgsqlDataSource db, string stateDir, string artifactsDir, int enginesPid)
    {
        var specs = Members.Select(m => Spec(m, artifactsDir).ToJsonString()).ToArray();
        var states = Members.Select(m => new JsonObject { ["stableRevision"] = Revision, ["frontUrl"] = $"http://127.0.0.1:{m.FrontPort}" }.ToJsonString()).ToArray();
        await using (var command = db.CreateCommand("""
            INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, trigger_actor, created_at)
            SELECT gen_random_uuid(), f.name, 1, @revision, f.spec::jsonb, 'api', 'health-bench', now()
            FROM unnest(@names, @specs) AS f(name, spec);
            UPDATE environments e SET state = f.state::jsonb, next_version = 2, updated_at = now()
            FROM unnest(@names, @states) AS f(name, state) WHERE e.name = f.name;
            """))
        {
            command.Parameters.AddWithValue("revision", Revision);
            command.Parameters.AddWithValue("names", Members.Select(m => m.Name).ToArray());
            command.Parameters.AddWithValue("specs", specs);
            command.Parameters.AddWithValue("states", states);
            await command.ExecuteNonQueryAsync();
        }

        var startTime = long.Parse((await File.ReadAllTextAsync($"/proc/{enginesPid}/stat")).Split(')')[^1].Trim().Split(' ')[19], CultureInfo.InvariantCulture);
        foreach (var member in Members)
        {
            var dir = Path.Combine(stateDir, member.Name, "revisions", Revision);
            Directory.CreateDirectory(dir);
            for (var i = 0; i < member.ReplicaPorts.Count; i++)
            {
                var record = new
                {
                    pid = enginesPid,
                    startTime,
                    port = member.ReplicaPorts[i],
                    commandLine = new[] { "healthbench-synthetic-engine", "--port", member.ReplicaPorts[i].ToString(CultureInfo.InvariantCulture) },
                    logPath = Path.Combine(dir, $"replica-{i}.log"),
                    startedAt = DateTimeOffset.UtcNow,
                };
                await File.WriteAllTextAsync(Path.Combine(dir, $"replica-{i}.json"), JsonSerializer.Serialize(record));
            }
        }
    }

    // What `apply` stores for the tiny local rollout of the rollback bench, with this environment's ports.
    private JsonObject Spec(Member member, string artifactsDir) => new()
    {
        ["environment"] = member.Name,
        ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = "file:///models/tiny" },
        ["engine"] = new JsonObject { ["replicas"] = Replicas, ["batchSize"] = 4, ["maxCacheLength"] = 256 },
        ["target"] = new JsonObject
        {
            ["kind"] = "local",
            ["local"] = new JsonObject { ["frontPort"] = member.FrontPort, ["engineBasePort"] = member.ReplicaPorts.FirstOrDefault(), ["artifactsDir"] = artifactsDir },
        },
    };
}
