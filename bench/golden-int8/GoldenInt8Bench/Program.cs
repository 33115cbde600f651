using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Runner.Analysis;

// Usage: GoldenInt8Bench ROOT [--seeds 0,1,2,3] [--tokens 16,32] [--size tiny] [--other 7]
// For each seed: makes the Llama-3-shaped test model, converts it twice (bf16, and int8 as `engine.quantizeWeights:
// true` does), serves both as the local target deploys them, sends the same greedy prompts to both one at a time (as a
// goldenPrompts analysis does) and prints exact match and token agreement of the int8 answers against the bf16 ones,
// with GoldenComparison's definitions, for each token count. Seed 0 is the model the end-to-end tests make. Last, as
// the control that int8 thresholds must still fail, the same figures for another model (seed --other, bf16) against
// the first seed's bf16.
var root = args[0];
var seeds = Option("--seeds", "0,1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var tokenCounts = Option("--tokens", "16,32").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
var size = Option("--size", "tiny");
var other = int.Parse(Option("--other", "7"), CultureInfo.InvariantCulture);
var engine = Path.Combine(root, "src", "EngineImage", "bin", "Release", "net10.0", "engine.dll");
var dir = Directory.CreateTempSubdirectory("golden-int8-").FullName;
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

// Varied on purpose (prose, code, numbers, punctuation, non-ASCII, one word, a long sentence); the end-to-end test of an
// int8 canary sends the same file as its golden prompts.
var prompts = JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path.Combine(root, "bench", "golden-int8", "prompts.json")))!;

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Cpu()}, {Environment.OSVersion}, load average {Load()} at start");
Console.WriteLine($"model: llama-3 {size} (make-test-model), seeds {string.Join(',', seeds)}; {prompts.Length} prompts, greedy, one request at a time; "
    + "engine serve --batch_size 8 --max_cache_length 256 as the end-to-end tests deploy it");
var results = new List<(int Seed, int Tokens, double Exact, double Agreement)>();
try
{
    foreach (var seed in seeds)
    {
        var (bf16, int8) = await PrepareAsync(seed);
        foreach (var row in await CompareAsync(bf16, (int8, true), $"seed {seed} int8 vs bf16"))
            results.Add((seed, row.Tokens, row.Exact, row.Agreement));
    }
    var (control, _) = await PrepareAsync(other);
    await CompareAsync(Path.Combine(dir, $"seed{seeds[0]}", "bf16"), (control, false), $"control: seed {other} bf16 vs seed {seeds[0]} bf16");
}
finally
{
    Directory.Delete(dir, recursive: true);
}

Console.WriteLine();
foreach (var tokens in tokenCounts)
{
    var rows = results.Where(r => r.Tokens == tokens).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{tokens,2} tokens over {rows.Count} model(s): exact match min {rows.Min(r => r.Exact):0.000} mean {rows.Average(r => r.Exact):0.000}; token agreement min {rows.Min(r => r.Agreement):0.000} mean {rows.Average(r => r.Agreement):0.000}"));
}
Console.WriteLine($"load average {Load()} at the end");
return 0;

// Serves the stable checkpoint (bf16) and the canary, prints their agreement for each token count.
async Task<List<(int Tokens, double Exact, double Agreement)>> CompareAsync(string stableCheckpoint, (string Checkpoint, bool Quantize) canaryServed, string label)
{
    using var stable = StartServe(stableCheckpoint, quantize: false);
    using var canary = StartServe(canaryServed.Checkpoint, canaryServed.Quantize);
    await Task.WhenAll(LiveAsync(stable.Url), LiveAsync(canary.Url));
    var rows = new List<(int, double, double)>();
    foreach (var tokens in tokenCounts)
    {
        var answers = new List<(string Canary, string Stable)>();
        foreach (var prompt in prompts)
            answers.Add((await GenerateAsync(canary.Url, prompt, tokens), await GenerateAsync(stable.Url, prompt, tokens)));
        var (exact, agreement) = GoldenComparison.Compare(answers, tokens);
        rows.Add((tokens, exact, agreement));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}, {tokens,2} tokens: exact match {exact:0.000} ({answers.Count(a => a.Canary == a.Stable)}/{answers.Count}), token agreement {agreement:0.000}; first differing piece per prompt: {FirstDifferences(answers, tokens)}"));
    }
    return rows;
}

string Option(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

async Task<(string Bf16, string Int8)> PrepareAsync(int seed)
{
    var bf16 = Path.Combine(dir, $"seed{seed}", "bf16");
    var int8 = Path.Combine(dir, $"seed{seed}", "int8");
    if (Directory.Exists(int8)) return (bf16, int8);
    var hf = Path.Combine(dir, $"seed{seed}", "hf");
    await RunAsync("make-test-model", "--family", "llama-3", "--size", size, "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", hf);
    await RunAsync("convert", "--in", hf, "--out", bf16, "--quantize", "none");
    await RunAsync("convert", "--in", hf, "--out", int8, "--quantize", "int8");
    return (bf16, int8);
}

async Task RunAsync(params string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo("dotnet", [engine, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    var error = process.StandardError.ReadToEndAsync();
    await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"engine {string.Join(' ', arguments)} failed: {await error}");
}

// The flags the local target's engine.deploy passes (src/Runner/Local/DeployHandler.cs).
Served StartServe(string checkpoint, bool quantize)
{
    var port = FreePort();
    var process = Process.Start(new ProcessStartInfo("dotnet",
    [
        engine, "serve", "--model_name", "llama-3", "--size", size, "--batch_size", "8", "--max_cache_length", "256",
        $"--quantize_weights={(quantize ? "True" : "False")}", "--quantize_kv_cache=False",
        "--tokenizer_path", Path.Combine(checkpoint, "tokenizer.model"), "--checkpoint_path", Path.Combine(checkpoint, "model.safetensors"),
        "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1",
    ]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return new Served(process, $"http://127.0.0.1:{port}");
}

async Task LiveAsync(string url)
{
    for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(200))
    {
        try
        {
            using var response = await http.GetAsync($"{url}/healthcheck");
            if (response.StatusCode == HttpStatusCode.OK) return;
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }
    }
    throw new TimeoutException($"{url} was not live within 3 minutes");
}

// As EngineCalls.GenerateAsync asks: greedy, not streamed, max_tokens = the golden prompts' token count.
async Task<string> GenerateAsync(string url, string prompt, int tokens)
{
    using var response = await http.PostAsJsonAsync($"{url}/generate", new { prompt, max_tokens = tokens, stream = false, temperature = 0 });
    response.EnsureSuccessStatusCode();
    return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
}

// For each prompt, the index of the first piece where the answers differ ("=" when they agree over all N).
static string FirstDifferences(List<(string Canary, string Stable)> answers, int tokens) => string.Join(' ', answers.Select(a =>
{
    var (x, y) = (GoldenComparison.Pieces(a.Canary, tokens), GoldenComparison.Pieces(a.Stable, tokens));
    var i = 0;
    while (i < Math.Min(x.Count, y.Count) && x[i] == y[i]) i++;
    return i == x.Count && i == y.Count ? "=" : i.ToString(CultureInfo.InvariantCulture);
}));

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

static string Cpu() => File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown cpu";

internal sealed record Served(Process Process, string Url) : IDisposable
{
    public void Dispose()
    {
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        Process.Dispose();
    }
}
