using System.Diagnostics;
using EngineImage.Inference;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EngineImage.Serving;

/// <summary>
/// Loads the weights after the port is bound (so that <c>/healthcheck</c> answers 500 meanwhile, as JetStream's does),
/// warms the model up with one prefill and one decode, starts the engine loop and only then marks the engine live.
/// A load that fails stops the host with exit code 1: a server that can never become live must not look alive.
/// </summary>
public sealed class ModelLoadService(
    ServeOptions options,
    LoadEngine load,
    EngineState state,
    ServingMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<ModelLoadService> logger) : BackgroundService
{
    private readonly long _createdAt = Stopwatch.GetTimestamp();
    private LoadedEngine? _engine;
    private EngineLoop? _loop;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var loadStarted = Stopwatch.GetTimestamp();
            _engine = await load(options.Engine, stoppingToken);
            var loadSeconds = Stopwatch.GetElapsedTime(loadStarted).TotalSeconds;
            ServeLog.ParamsLoaded(logger);
            WarmUp(_engine);
            _loop = new EngineLoop(_engine.Model, _engine.Tokenizer.IsEndOfSequence, options.QueueCapacity, metrics, logger);
            lifetime.ApplicationStopping.Register(() => _loop.BeginShutdown(options.ShutdownGrace));
            _loop.Start();
            var startup = Stopwatch.GetElapsedTime(_createdAt).TotalSeconds;
            state.Publish(new LiveEngine(_loop, _engine.Tokenizer, _engine.Model.Description, loadSeconds, startup));
            ServeLog.Live(logger, _engine.Model.Description.Family, _engine.Model.Description.ComputeDType, _engine.Model.Slots, startup);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while loading.
        }
        catch (Exception e)
        {
            ServeLog.LoadFailed(logger, e.Message, e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_loop is not null)
        {
            _loop.BeginShutdown(options.ShutdownGrace);
            await _loop.Stopped.WaitAsync(cancellationToken);
            _loop.Dispose();
        }
        _engine?.Dispose();
    }

    /// <summary>One prefill and one decode so that the first real request does not pay for lazy initialisation.</summary>
    private static void WarmUp(LoadedEngine engine)
    {
        var prompt = engine.Tokenizer.Encode("Hello", addBos: true).ToArray();
        var first = engine.Model.Prefill(0, prompt, SamplingParams.Greedy);
        if (prompt.Length < engine.Model.MaxCacheLength)
            engine.Model.Decode([0], [first], [prompt.Length], [SamplingParams.Greedy]);
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }
}
