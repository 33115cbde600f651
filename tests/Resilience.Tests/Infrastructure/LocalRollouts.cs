using System.Globalization;
using System.Text.Json.Nodes;

namespace Resilience.Tests.Infrastructure;

/// <summary>Rollouts of the tiny model on the local target, each a new revision with its own artifacts folder, so that
/// every run converts and deploys: its converter and engine starts can be counted per run.</summary>
public static class LocalRollouts
{
    public static async Task<string> ApplyAsync(TestStack stack, string modelDir, int frontPort, int engineBasePort, string artifactsDir, int cacheLength)
    {
        var spec = stack.WriteRollout(modelDir, replicas: 1, frontPort, engineBasePort, artifactsDir);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("maxCacheLength: 256", "maxCacheLength: " + cacheLength.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var apply = await stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        return (string)JsonNode.Parse(apply.Stdout)!["id"]!;
    }

    /// <summary>Live processes of this stack whose command line holds <paramref name="verb"/> (<c> serve </c>,
    /// <c> convert </c>): recorded in its state dir or naming its private dir.</summary>
    public static IReadOnlyList<int> Live(TestStack stack, string verb) =>
        ProcessJanitor.FindRecorded(stack.StateDir).Concat(ProcessJanitor.FindByCommandLine(stack.Dir)).Distinct()
            .Where(pid => ProcessJanitor.CommandLine(pid) is { } cmd && cmd.Contains(verb, StringComparison.Ordinal)).ToList();

    public static async Task<JsonNode> GetRunAsync(HttpClient api, string id)
    {
        using var response = await api.GetAsync($"api/runs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET run {id}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> WaitAsync(HttpClient api, string id, Func<JsonNode, bool> until, TimeSpan timeout, Func<string> diagnostics)
    {
        JsonNode? last = null;
        await Eventually.Async(async () =>
        {
            try
            {
                last = await GetRunAsync(api, id);
            }
            catch (HttpRequestException)
            {
                return false;
            }
            return until(last);
        }, timeout, () => $"run {id}: {last?.ToJsonString()}\n{diagnostics()}");
        return last!;
    }
}
