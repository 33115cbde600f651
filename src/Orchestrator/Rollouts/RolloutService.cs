using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Specs;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;
using Orchestrator.Planning;
using Orchestrator.Runs;
using Orchestrator.Windows;

namespace Orchestrator.Rollouts;

/// <summary>
/// Records a rollout (immutable, the environment's next version) and its run with the planned steps, in one
/// transaction under the environment's row lock: versions are gap-free and queue order is creation order.
/// </summary>
public sealed class RolloutService(Database database, RunProgress progress, TimeProvider time, IOptions<DispatchOptions> options, Telemetry.OrchestratorMetrics metrics)
{
    public Task<RunCommandResult> CreateAsync(RolloutSpec spec, TriggerDto trigger, bool supersede, CancellationToken cancellationToken) =>
        CreateAsync(spec, trigger, supersede, plan: null, cancellationToken);

    /// <param name="plan">The steps to run instead of the planner's (a teardown); null: plan the rollout.</param>
    public Task<RunCommandResult> CreateAsync(
        RolloutSpec spec, TriggerDto trigger, bool supersede, IReadOnlyList<PlannedStep>? plan, CancellationToken cancellationToken) =>
        CreateAsync(spec, trigger, supersede, plan, urgent: false, alsoInTransaction: null, cancellationToken);

    /// <param name="plan">The steps to run instead of the planner's (a teardown); null: plan the rollout.</param>
    /// <param name="urgent">The run ignores the environment's maintenance windows.</param>
    public Task<RunCommandResult> CreateAsync(
        RolloutSpec spec, TriggerDto trigger, bool supersede, IReadOnlyList<PlannedStep>? plan, bool urgent, CancellationToken cancellationToken) =>
        CreateAsync(spec, trigger, supersede, plan, urgent, alsoInTransaction: null, cancellationToken);

    public Task<RunCommandResult> CreateAsync(
        RolloutSpec spec, TriggerDto trigger, bool supersede, IReadOnlyList<PlannedStep>? plan,
        Func<NpgsqlConnection, NpgsqlTransaction, Guid, Task<bool>>? alsoInTransaction, CancellationToken cancellationToken) =>
        CreateAsync(spec, trigger, supersede, plan, urgent: false, alsoInTransaction, cancellationToken);

    /// <param name="alsoInTransaction">Writes that must commit with the run or not at all (the webhook delivery that
    /// starts it), given the new run's id; false rolls everything back and the answer is a conflict.</param>
    public async Task<RunCommandResult> CreateAsync(
        RolloutSpec spec, TriggerDto trigger, bool supersede, IReadOnlyList<PlannedStep>? plan, bool urgent,
        Func<NpgsqlConnection, NpgsqlTransaction, Guid, Task<bool>>? alsoInTransaction, CancellationToken cancellationToken)
    {
        try
        {
            return await CreateCoreAsync(spec, trigger, supersede, plan, urgent, alsoInTransaction, cancellationToken);
        }
        catch (AbortedException e)
        {
            return RunCommandResult.InConflict(e.Message);
        }
    }

    private async Task<RunCommandResult> CreateCoreAsync(
        RolloutSpec spec, TriggerDto trigger, bool supersede, IReadOnlyList<PlannedStep>? plan, bool urgent,
        Func<NpgsqlConnection, NpgsqlTransaction, Guid, Task<bool>>? alsoInTransaction, CancellationToken cancellationToken)
    {
        var result = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var environment = await LockEnvironmentAsync(connection, transaction, spec.Environment, cancellationToken);
            if (environment is null) return RunCommandResult.Missing();
            if (KindMismatch(spec, environment) is { } errors) return RunCommandResult.BadInput(errors);
            // A teardown's steps read no secret: it may run from a spec whose secret is gone.
            if (plan is null && await MissingSecretsAsync(connection, transaction, spec, cancellationToken) is { } missing) return RunCommandResult.BadInput(missing);

            var version = environment.NextVersion;
            var revision = $"r{version}";
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE environments SET next_version = next_version + 1, updated_at = @now WHERE name = @Name",
                new { environment.Name, now }, transaction, cancellationToken: cancellationToken));
            if (supersede) await SupersedeQueuedAsync(connection, transaction, spec.Environment, revision, trigger, now, cancellationToken);

            var rolloutId = Guid.NewGuid();
            var runId = Guid.NewGuid();
            var traceparent = Telemetry.OrchestratorTracing.StartRunTrace(runId, spec.Environment, trigger.Kind);
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, trigger_actor, trigger_details, action, teardown_after_seconds, created_at)
                VALUES (@rolloutId, @Environment, @version, @revision, CAST(@specJson AS jsonb), @Kind, @Actor, CAST(@details AS jsonb), @action, @ttl, @now);
                INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, trigger_actor, trigger_details, created_at, urgent, traceparent)
                VALUES (@runId, @rolloutId, @Environment, 'queued', nextval('run_queue_seq'), @Kind, @Actor, CAST(@details AS jsonb), @now, @urgent, @traceparent);
                """, new
            {
                rolloutId, runId, spec.Environment, version, revision, trigger.Kind, trigger.Actor, now, urgent, traceparent,
                specJson = JsonSerializer.Serialize(spec, ContractJson.Options),
                details = JsonSerializer.Serialize(trigger.Details ?? new Dictionary<string, string>()),
                action = plan is null ? RolloutActions.Apply : RolloutActions.Teardown,
                ttl = plan is null ? TeardownAfterSeconds(spec) : null,
            }, transaction, cancellationToken: cancellationToken));

            var steps = plan ?? Planner.Plan(spec, EnvironmentStateWrite.Parse(environment.State), environment.RequireApproval);
            await InsertStepsAsync(connection, transaction, runId, steps, cancellationToken);
            await SetProgressDeadlineAsync(connection, transaction, runId, spec, steps, cancellationToken);
            if (alsoInTransaction is not null && !await alsoInTransaction(connection, transaction, runId))
                throw new AbortedException("The writes that go with this run were refused; nothing was created.");
            var details = new JsonObject { ["revision"] = revision, ["supersede"] = supersede, ["urgent"] = urgent }.ToJsonString();
            await RunProgress.AuditAsync(connection, transaction, trigger.Actor ?? trigger.Kind, "run.create", runId, details, now, cancellationToken);
            await progress.AdvanceQueueAsync(connection, transaction, spec.Environment, now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken, now))!);
        }, cancellationToken);
        progress.PulseLocal();
        if (result.Run is not null) metrics.RunsCreated.WithLabels(trigger.Kind).Inc();
        return result;
    }

    /// <summary>What <see cref="CreateAsync"/> would plan, writing nothing.</summary>
    public Task<PlanPreview?> PreviewAsync(RolloutSpec spec, CancellationToken cancellationToken) =>
        PreviewAsync(spec, urgent: false, cancellationToken);

    /// <summary>What <see cref="CreateAsync"/> would plan, writing nothing; <see cref="PlanPreview.Wait"/> says when a
    /// run that is not <paramref name="urgent"/> would wait for a maintenance window.</summary>
    public async Task<PlanPreview?> PreviewAsync(RolloutSpec spec, bool urgent, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var environment = await connection.QuerySingleOrDefaultAsync<EnvironmentRow>(new CommandDefinition(
            "SELECT name AS Name, target_kind AS TargetKind, state::text AS State, next_version AS NextVersion, require_approval AS RequireApproval FROM environments WHERE name = @Environment",
            new { spec.Environment }, cancellationToken: cancellationToken));
        if (environment is null) return null;
        var state = EnvironmentStateWrite.Parse(environment.State);
        var steps = Planner.Plan(spec, state, environment.RequireApproval);
        var revision = $"r{environment.NextVersion}";
        var wait = urgent ? null : (await WindowStore.CalendarAsync(connection, null, environment.Name, cancellationToken)).WaitFor(time.GetUtcNow());
        var errors = KindMismatch(spec, environment) ?? await MissingSecretsAsync(connection, null, spec, cancellationToken);
        return new PlanPreview(environment.Name, revision, errors,
            steps.Select(s => Describe(spec, revision, s, hasStable: state.StableRevision is not null)).ToList(), wait);
    }

    // gke and kubernetes steps also show what they would send, built by the runner's own builders.
    private static PlanStepDto Describe(RolloutSpec spec, string revision, PlannedStep step, bool hasStable)
    {
        if (!CloudTargets.Plan.CloudPlan.Applies(spec)) return new PlanStepDto(step.Name, step.Kind, step.DependsOn, step.Parameters);
        var preview = CloudTargets.Plan.CloudPlan.Describe(spec, revision, step.Kind, step.Parameters, hasStable);
        return new PlanStepDto(step.Name, step.Kind, step.DependsOn, step.Parameters, preview.Requests, preview.Manifests);
    }

    private static long? TeardownAfterSeconds(RolloutSpec spec) =>
        spec.Cleanup.TeardownAfter is { } text && Durations.TryParse(text, out var ttl) ? (long)Math.Ceiling(ttl.TotalSeconds) : null;

    private static ValidationErrors? KindMismatch(RolloutSpec spec, EnvironmentRow environment)
    {
        if (spec.Target.Kind == environment.TargetKind) return null;
        var errors = new ValidationErrors();
        errors.Add("target.kind", $"Environment '{environment.Name}' has target kind '{environment.TargetKind}', not '{spec.Target.Kind}'.");
        return errors;
    }

    private static async Task<ValidationErrors?> MissingSecretsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, RolloutSpec spec, CancellationToken cancellationToken)
    {
        var missing = await Secrets.SecretStore.MissingAsync(connection, transaction, SpecSecrets.Of(spec), cancellationToken);
        if (missing.Count == 0) return null;
        var errors = new ValidationErrors();
        foreach (var (field, message) in missing) errors.Add(field, message);
        return errors;
    }

    private static Task<EnvironmentRow?> LockEnvironmentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<EnvironmentRow?>(new CommandDefinition(
            "SELECT name AS Name, target_kind AS TargetKind, state::text AS State, next_version AS NextVersion, require_approval AS RequireApproval FROM environments WHERE name = @name FOR UPDATE",
            new { name }, transaction, cancellationToken: cancellationToken));

    private static async Task SupersedeQueuedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, string revision, TriggerDto trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var waiting = await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM runs WHERE environment = @environment AND status = 'queued' ORDER BY queue_seq FOR UPDATE",
            new { environment }, transaction, cancellationToken: cancellationToken));
        foreach (var id in waiting)
        {
            await RunProgress.EndRunAsync(connection, transaction, id, RunStatuses.Cancelled, $"superseded by {revision}", now, cancellationToken);
            await RunProgress.AuditAsync(connection, transaction, trigger.Actor ?? trigger.Kind, "run.supersede", id,
                new JsonObject { ["by"] = revision }.ToJsonString(), now, cancellationToken);
        }
    }

    // The deadline counts only for a canary that can be rolled back (see RunTransitions.PastProgressDeadline).
    private static Task SetProgressDeadlineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, RolloutSpec spec, IReadOnlyList<PlannedStep> steps, CancellationToken cancellationToken)
    {
        if (spec.Strategy.Canary?.ProgressDeadline is not { } text || !Durations.TryParse(text, out var deadline)
            || !steps.Any(s => s.Kind == StepKinds.RevisionRollback))
            return Task.CompletedTask;
        return connection.ExecuteAsync(new CommandDefinition(
            "UPDATE runs SET progress_deadline_seconds = @seconds WHERE id = @runId",
            new { runId, seconds = (int)Math.Min(int.MaxValue, deadline.TotalSeconds) }, transaction, cancellationToken: cancellationToken));
    }

    private Task InsertStepsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, IReadOnlyList<PlannedStep> steps, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO steps (id, run_id, ordinal, name, kind, required_labels, depends_on, status, max_attempts, timeout_seconds, parameters)
            VALUES (@Id, @RunId, @Ordinal, @Name, @Kind, @RequiredLabels, @DependsOn, 'pending', @MaxAttempts, @TimeoutSeconds, CAST(@Parameters AS jsonb))
            """, steps.Select((s, i) => new
        {
            Id = Guid.NewGuid(), RunId = runId, Ordinal = i, s.Name, s.Kind,
            RequiredLabels = s.RequiredLabels.ToArray(), DependsOn = s.DependsOn.ToArray(),
            options.Value.MaxAttempts, s.TimeoutSeconds, Parameters = s.Parameters.ToJsonString(),
        }).ToList(), transaction, cancellationToken: cancellationToken));

    private sealed class AbortedException(string message) : Exception(message);

    private sealed record EnvironmentRow
    {
        public string Name { get; init; } = "";
        public string TargetKind { get; init; } = "";
        public string State { get; init; } = "{}";
        public int NextVersion { get; init; }
        public bool RequireApproval { get; init; }
    }
}
