using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

// Usage: WebhookBench SERVER SECRET_FILE PAYLOAD CONCURRENCY ROUNDS. One warm-up round, then ROUNDS rounds of
// CONCURRENCY deliveries sent at once; each sample is one request's send-to-response time.
const double TargetP99Milliseconds = 50;
var server = new Uri(args[0]);
var secret = Encoding.UTF8.GetBytes(File.ReadAllText(args[1]).Trim());
var payload = JsonNode.Parse(File.ReadAllText(args[2]))!.AsObject();
var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
var rounds = int.Parse(args[4], CultureInfo.InvariantCulture);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    BaseAddress = server,
    Timeout = TimeSpan.FromSeconds(10),
};
long releaseId = 1;

await RoundAsync(); // warm-up: connections, JIT, prepared statements
var samples = new List<double>(concurrency * rounds);
for (var i = 0; i < rounds; i++) samples.AddRange(await RoundAsync());
samples.Sort();
var p50 = Percentile(0.50);
var p99 = Percentile(0.99);
Console.WriteLine($"webhook acknowledgement, {concurrency} concurrent signed release deliveries x {rounds} rounds ({samples.Count} samples):");
Console.WriteLine(FormattableString.Invariant($"  p50 {p50:0.0} ms   p99 {p99:0.0} ms   max {samples[^1]:0.0} ms   mean {samples.Average():0.0} ms"));
Console.WriteLine(FormattableString.Invariant($"  p99 / target ({TargetP99Milliseconds:0} ms) = {p99 / TargetP99Milliseconds:0.00}  ({(p99 <= TargetP99Milliseconds ? "meets" : "misses")} the target; GitHub allows 10 000 ms)"));
return 0;

async Task<double[]> RoundAsync()
{
    var bodies = Enumerable.Range(0, concurrency).Select(_ =>
    {
        payload["release"]!["id"] = Interlocked.Increment(ref releaseId);
        payload["repository"]!["full_name"] = "bench/webhooks";
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }).ToArray();
    return await Task.WhenAll(bodies.Select(SendAsync));
}

async Task<double> SendAsync(byte[] body)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/github") { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
    request.Headers.Add("X-GitHub-Event", "release");
    request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
    request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body)));
    var clock = Stopwatch.StartNew();
    using var response = await http.SendAsync(request);
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (response.StatusCode != HttpStatusCode.OK)
        throw new InvalidOperationException($"the receiver answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    return elapsed;
}

double Percentile(double p) => samples[Math.Clamp((int)Math.Ceiling(p * samples.Count) - 1, 0, samples.Count - 1)];
