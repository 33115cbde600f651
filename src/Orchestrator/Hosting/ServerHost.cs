using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Costs;
using Orchestrator.Dashboard;
using Orchestrator.Dispatch;
using Orchestrator.Environments;
using Orchestrator.GitHub;
using Orchestrator.Health;
using Orchestrator.Limits;
using Orchestrator.Persistence;
using Orchestrator.Protection;
using Orchestrator.Rollouts;
using Orchestrator.Runners;
using Orchestrator.Runs;
using Orchestrator.Windows;
using Orchestrator.Schedules;
using Orchestrator.Secrets;
using Orchestrator.Telemetry;

namespace Orchestrator.Hosting;

/// <summary>
/// Builds the service. <c>orchestrator serve</c> and the tests use the same two calls, so a test host on
/// <c>http://127.0.0.1:0</c> is the real service.
/// </summary>
public static class ServerHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        // Lowest-priority defaults: every SQL command at Information would bury the service's own log lines.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Npgsql"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });
        builder.Configuration.AddOrchestratorSources(args);
        builder.Host.UseDefaultServiceProvider(o => { o.ValidateOnBuild = true; o.ValidateScopes = true; });

        var services = builder.Services;
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddLimits();
        // Kestrel's own limit holds any request the per-endpoint limits (RequestBodyLimits) do not reach.
        services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<BodyLimitOptions>>((kestrel, bodies) => kestrel.Limits.MaxRequestBodySize = bodies.Value.Default);
        services.AddSingleton(sp =>
        {
            var connectionString = builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"];
            if (string.IsNullOrEmpty(connectionString))
                throw new InvalidOperationException("No database configured: pass --db, set ORCHESTRATOR_DB or Database:ConnectionString.");
            return new NpgsqlDataSourceBuilder(Tuned(connectionString)).UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>()).Build();
        });
        services.AddSingleton<Database>();
        services.AddSingleton<Migrator>();
        services.AddOrchestratorAuth();
        services.AddSharedKeyRing(builder.Configuration);
        services.AddSecrets();
        services.AddDispatch();
        services.AddSingleton<RolloutService>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunCommands>();
        services.AddSingleton<CanaryCommands>();
        services.AddSingleton<LogStore>();
        services.AddSingleton<RunnerStore>();
        services.AddSingleton<EnvironmentStore>();
        services.AddSingleton<WindowStore>();
        services.AddSingleton<GenerateRelay>();
        services.AddSingleton<Orchestrator.Audit.AuditStore>();
        services.AddHealthTracking();
        services.AddGitHub();
        services.AddScheduling(builder.Configuration);
        services.AddCosts();
        services.AddOrchestratorTelemetry(builder.Configuration);
        services.AddDashboard();
        services.AddHttpClient(GenerateRelay.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = context => context.ProblemDetails.Detail ??= DefaultDetail(context.ProblemDetails.Status));
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseControlCharacterGuard();
        app.UseRequestBodyLimits();
        app.UseAuthentication();
        // After authentication, so that a request counts against its token (bearer or dashboard session), not its address.
        app.UseRateLimiter();
        // Before authorization, so that refusals are written too.
        app.UseMiddleware<Orchestrator.Audit.AuditTrail>();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealth();
        app.MapEnvironments();
        app.MapWindows();
        app.MapEnvironmentEvents();
        app.MapHealthTracking();
        app.MapRollouts();
        app.MapRuns();
        app.MapCanaryDecisions();
        app.MapLogs();
        app.MapRunners();
        app.MapStepProtocol();
        app.MapGitHubWebhooks();
        app.MapSchedules();
        app.MapSecrets();
        app.MapOrchestratorMetrics();
        app.MapWhoAmI();
        app.MapTokens();
        Orchestrator.Audit.AuditEndpoints.MapAudit(app);
        app.MapDashboard();
        return app;
    }

    /// <summary>Applies migrations, then starts listening (returns once the server is up).</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
    }

    /// <summary>
    /// The dispatcher's statements are few and repeated thousands of times a second, so they are prepared on the server
    /// (unless the connection string says otherwise), and pooled connections are not reset on return: nothing here
    /// leaves session state behind (settings are <c>SET LOCAL</c>, the migration lock is released explicitly).
    /// </summary>
    private static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    // Status code pages answer these with an empty body otherwise; say what to do about it.
    private static string? DefaultDetail(int? status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Send a valid token as 'Authorization: Bearer <token>' (create one with 'orchestrator tokens create').",
        StatusCodes.Status403Forbidden => "This kind of token cannot use this endpoint: user endpoints need a user token, the runner protocol a runner token.",
        StatusCodes.Status404NotFound => "There is no such resource or route.",
        StatusCodes.Status405MethodNotAllowed => "This route does not accept that HTTP method.",
        StatusCodes.Status500InternalServerError => "The orchestrator failed; the error is in its log.",
        _ => null,
    };

    private static IServiceCollection AddHealthTracking(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).PostConfigure(NotificationOptions.LoadKeyFile)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HealthNotifications>();
        services.AddSingleton<WatchLeases>();
        services.AddSingleton<SampleIngest>();
        services.AddSingleton<WatchEvents>();
        services.AddSingleton<HealthReadModel>();
        services.AddSingleton<HealthSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthSweeper>());
        services.AddSingleton<NotificationSender>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationSender>());
        services.AddHttpClient(NotificationSender.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }

    private static IServiceCollection AddDispatch(this IServiceCollection services)
    {
        services.AddSingleton<ReadySignal>();
        services.AddSingleton<RunProgress>();
        services.AddSingleton<AttemptOutcomes>();
        services.AddSingleton<RollbackEvents>();
        services.AddSingleton<WriteBatcher>();
        services.AddSingleton<StepClaimer>();
        services.AddSingleton<StepReports>();
        services.AddSingleton<LeaseSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaseSweeper>());
        services.AddHostedService<ReadyListener>();
        return services;
    }
}
