using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using EngineImage.Serving.Telemetry;

namespace EngineImage.Serving;

/// <summary>Builds the serving web application: Kestrel on the flags' address, the endpoints, the background load.</summary>
public static class ServingHost
{
    public static WebApplication Build(ServeOptions options, LoadEngine load, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Host, options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);

        // In-flight requests get the grace period; the host waits a little longer for the loop to hand them back.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(load);
        builder.Services.AddSingleton<EngineState>();
        builder.Services.AddSingleton(new ServingMetrics(options.Engine.ModelName));
        builder.Services.AddHostedService<ModelLoadService>();
        builder.Services.AddProblemDetails();
        builder.Services.AddEngineTracing(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EngineImage.Serving");
        app.Lifetime.ApplicationStarted.Register(() => ServeLog.Started(logger));
        app.Lifetime.ApplicationStopping.Register(() => ServeLog.Stopping(logger, options.ShutdownGrace.TotalSeconds));
        // Every non-2xx answer, unknown paths and unexpected failures included, is application/problem+json.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapServingEndpoints();
        return app;
    }
}
