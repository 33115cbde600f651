using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Orchestrator.Health;

namespace Orchestrator.Tests.Health;

/// <summary>A webhook receiver on 127.0.0.1: records every delivery, checks its signature with the shared key, and
/// answers the status codes it is told to, in order (then 200).</summary>
public sealed class NotificationReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly string _key;
    private readonly ConcurrentQueue<int> _answers;
    private readonly Task _loop;

    public NotificationReceiver(string key, params int[] answers)
    {
        _key = key;
        _answers = new ConcurrentQueue<int>(answers);
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            // A listener whose start failed (the port was taken) is disposed by that failure: each try gets a new one.
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Url = $"http://127.0.0.1:{port}/hooks/models?token=abc";
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; private set; } = "";

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public sealed record Delivery(string EventId, string Event, string Body, bool SignatureValid, int Answered);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(reader);
            var body = reader.ToArray();
            var valid = NotificationSignature.Verify(body, _key, context.Request.Headers[NotificationSignature.Header]);
            var answer = _answers.TryDequeue(out var a) ? a : 200;
            Deliveries.Enqueue(new Delivery(context.Request.Headers[NotificationSignature.EventIdHeader] ?? "",
                context.Request.Headers[NotificationSignature.EventHeader] ?? "", Encoding.UTF8.GetString(body), valid, answer));
            context.Response.StatusCode = answer;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
