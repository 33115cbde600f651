using Contracts;

namespace Orchestrator.Dispatch;

/// <summary>
/// The SQL of every run and step transition, in one place: the single-transaction paths (<see cref="RunProgress"/>,
/// <see cref="AttemptOutcomes"/>, the sweeper, the run commands) and the batched completion (<see cref="CompletionWrite"/>)
/// are built from these statements, so they cannot drift apart. Statements that take a run take it as an SQL expression
/// (a parameter or a subquery, never a value) and use <c>@now</c>. Callers hold the run's row lock (see
/// <see cref="StepFencing"/>).
/// What must stay true: a run ends only through <see cref="FinishRun"/> or <see cref="EndRun"/>; a run that rolls back
/// stays <c>running</c> with its <c>ending_status</c> set until its <c>revision.rollback</c> step succeeds; a step that
/// waits for a person is <c>waiting</c> and ends only by a decision (<see cref="DecideWaiting"/>) or the run's end.
/// </summary>
public static class RunTransitions
{
    private const string Pending = StepStatuses.Pending;
    private const string Ready = StepStatuses.Ready;
    private const string Running = StepStatuses.Running;
    private const string Waiting = StepStatuses.Waiting;
    private const string Succeeded = StepStatuses.Succeeded;
    private const string Skipped = StepStatuses.Skipped;
    private const string Cancelled = StepStatuses.Cancelled;
    private const string Rollback = StepKinds.RevisionRollback;
    private const string Pause = StepKinds.CanaryPause;
    private const string Analyze = StepKinds.CanaryAnalyze;

    /// <summary>Steps that need a person once their dependencies are done: approvals and pauses until promoted.</summary>
    private const string WaitsForPerson = $"(s.kind = '{StepKinds.Approval}' OR (s.kind = '{Pause}' AND s.parameters ? 'untilPromoted'))";

    /// <summary>
    /// Pending steps whose dependencies all succeeded or were skipped become ready (or waiting, when a person must act);
    /// a timed canary pause becomes ready with its end as <c>not_before</c> (the sweeper completes it then). The
    /// rollback step is never readied by dependencies: only in a run that rolls back, once no step that moves traffic or
    /// replicas still runs (analyses do not: they are told to stop, and the rollback need not wait for them).
    /// </summary>
    public static string ReadySteps(string run) => $"""
        UPDATE steps s
        SET status = CASE WHEN {WaitsForPerson} THEN '{Waiting}' ELSE '{Ready}' END, ready_at = @now,
            not_before = CASE WHEN s.kind = '{Pause}'
                              THEN @now + make_interval(secs => COALESCE((s.parameters->>'seconds')::double precision, 0))
                              ELSE @now END
        WHERE s.run_id = {run} AND s.status = '{Pending}'
          AND CASE WHEN s.kind = '{Rollback}'
                   THEN (SELECT r.ending_status FROM runs r WHERE r.id = s.run_id) IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM steps o WHERE o.run_id = s.run_id AND o.status = '{Running}' AND o.kind <> '{Analyze}')
                   ELSE NOT EXISTS (SELECT 1 FROM steps d
                                    WHERE d.run_id = s.run_id AND d.name = ANY (s.depends_on)
                                      AND d.status NOT IN ('{Succeeded}', '{Skipped}'))
              END
        """;

    /// <summary>A background analysis is asked to finish once the canary step it watches until (<c>until</c>) is done;
    /// its runner hears of it on its next heartbeat.</summary>
    public static string RequestFinish(string run) => $"""
        UPDATE steps b SET finish_requested = true
        WHERE b.run_id = {run} AND b.kind = '{Analyze}' AND b.parameters ? 'until' AND NOT b.finish_requested
          AND b.status IN ('{Ready}', '{Running}')
          AND EXISTS (SELECT 1 FROM steps w WHERE w.run_id = b.run_id AND w.name = b.parameters->>'until'
                                              AND w.status IN ('{Succeeded}', '{Skipped}'))
        """;

    /// <summary>
    /// Ends the run when it is done: succeeded once every step but the (unneeded) rollback succeeded or was skipped; in a
    /// run that rolls back, with its ending status once the rollback succeeded. Steps left pending are skipped. Returns
    /// the environment of a run it ended.
    /// </summary>
    public static string FinishRun(string run) => $"""
        WITH finished AS (
            UPDATE runs r SET status = COALESCE(r.ending_status, '{RunStatuses.Succeeded}'), finished_at = @now
            WHERE r.id = {run} AND r.status = '{RunStatuses.Running}'
              AND CASE WHEN r.ending_status IS NULL
                       THEN NOT EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.kind <> '{Rollback}'
                                                              AND s.status NOT IN ('{Succeeded}', '{Skipped}'))
                       ELSE EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.kind = '{Rollback}' AND s.status = '{Succeeded}')
                  END
            RETURNING r.id, r.environment, r.status, r.rollout_id),
        unneeded AS (
            UPDATE steps s SET status = '{Skipped}', finished_at = @now
            FROM finished f WHERE s.run_id = f.id AND s.status = '{Pending}'),
        -- The cost guard: a rollout that succeeded sets the environment's teardown time from its TTL, or clears it.
        ttl AS (
            UPDATE environments e
            SET teardown_at = CASE WHEN ro.teardown_after_seconds IS NULL THEN NULL
                                   ELSE @now + make_interval(secs => ro.teardown_after_seconds) END
            FROM finished f JOIN rollouts ro ON ro.id = f.rollout_id
            WHERE e.name = f.environment AND f.status = '{RunStatuses.Succeeded}')
        SELECT environment FROM finished
        """;

    /// <summary>Ends a queued or running run as failed or cancelled (<c>@runId</c>, <c>@status</c>, <c>@error</c>).</summary>
    public const string EndRun = $"""
        UPDATE runs SET status = @status, error = @error, finished_at = @now
        WHERE id = @runId AND status IN ('{RunStatuses.Queued}', '{RunStatuses.Running}')
        """;

    /// <summary>The run's steps that have not started are cancelled (<c>@runId</c>); running steps keep their leases until
    /// their runners hear of it. <c>@keepRollback</c> leaves the rollback step pending.</summary>
    public const string CancelOpenSteps = $"""
        UPDATE steps SET status = '{Cancelled}', finished_at = @now
        WHERE run_id = @runId AND status IN ('{Pending}', '{Ready}', '{Waiting}') AND NOT (@keepRollback AND kind = '{Rollback}')
        """;

    /// <summary>Whether the run (<c>@runId</c>) can roll back: it has a rollback step still pending and has not been
    /// promoted, and it is not rolling back already.</summary>
    public const string CanRollBack = $"""
        SELECT r.ending_status IS NULL
               AND EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.kind = '{Rollback}' AND s.status = '{Pending}')
               AND NOT EXISTS (SELECT 1 FROM steps p WHERE p.run_id = r.id AND p.kind = '{StepKinds.RevisionPromote}' AND p.status IN ('{Running}', '{Succeeded}'))
        FROM runs r WHERE r.id = @runId AND r.status = '{RunStatuses.Running}'
        """;

    /// <summary>The run (<c>@runId</c>) starts rolling back: it will end as <c>@endingStatus</c> with <c>@reason</c>; the
    /// rollback step learns the reason and the step that caused it (<c>@cause</c>, may be null).</summary>
    public const string BeginRollback = $"""
        UPDATE runs SET ending_status = @endingStatus, error = @reason WHERE id = @runId AND status = '{RunStatuses.Running}' AND ending_status IS NULL;
        UPDATE steps SET parameters = parameters || jsonb_strip_nulls(jsonb_build_object('reason', @reason::text, 'cause', @cause::text))
        WHERE run_id = @runId AND kind = '{Rollback}' AND status = '{Pending}';
        """;

    /// <summary>
    /// Active means a run that is running, or a finished run with a step still running (a cancelled step's runner has
    /// not stopped yet). The environment is the SQL expression <paramref name="environment"/>.
    /// </summary>
    public static string EnvironmentIdle(string environment) => $"""
        NOT EXISTS (SELECT 1 FROM runs r WHERE r.environment = {environment} AND r.status = '{RunStatuses.Running}')
        AND NOT EXISTS (SELECT 1 FROM steps s JOIN runs r ON r.id = s.run_id
                        WHERE r.environment = {environment} AND s.status = '{Running}')
        """;

    /// <summary>The oldest queued run of an idle environment (<c>@environment</c>), or its oldest urgent one
    /// (<c>@urgentOnly</c>: while its maintenance windows are closed).</summary>
    public static readonly string NextQueuedRun = $"""
        SELECT q.id AS Id, q.urgent AS Urgent FROM runs q
        WHERE q.environment = @environment AND q.status = '{RunStatuses.Queued}' AND (q.urgent OR NOT @urgentOnly)
          AND {EnvironmentIdle("@environment")}
        ORDER BY q.queue_seq
        LIMIT 1
        """;

    public const string StartRun = $"""
        UPDATE runs SET status = '{RunStatuses.Running}', started_at = COALESCE(started_at, @now) WHERE id = @runId AND status = '{RunStatuses.Queued}'
        """;

    /// <summary>A running step (<c>@Id</c>) ends with <c>@outcome</c>, merging its outputs and clearing its lease.</summary>
    public const string EndStep = """
        UPDATE steps SET status = @outcome, outputs = outputs || CAST(@outputsJson AS jsonb), error = @error,
                         finished_at = @now, lease_token = NULL, lease_expires_at = NULL
        WHERE id = @Id
        """;

    /// <summary>The batched form of <see cref="EndStep"/> for a success: fenced by the lease token and the run still running.</summary>
    public const string SucceedFencedStep = $"""
        UPDATE steps s SET status = @outcome, outputs = s.outputs || @outputs, error = NULL,
                           finished_at = @now, lease_token = NULL, lease_expires_at = NULL
        WHERE s.id = @stepId AND s.lease_token = @leaseToken
          AND (SELECT r.status FROM runs r WHERE r.id = s.run_id) = '{RunStatuses.Running}'
        RETURNING s.id, s.run_id, s.name, s.kind, s.attempt, s.attempt_started_at, (SELECT r.traceparent FROM runs r WHERE r.id = s.run_id)
        """;

    /// <summary>A failed attempt (<c>@Id</c>) becomes ready again after its backoff (<c>@notBefore</c>).</summary>
    public const string RetryStep = $"""
        UPDATE steps SET status = '{Ready}', ready_at = @now, not_before = @notBefore, error = @error,
                         outputs = outputs || CAST(@outputsJson AS jsonb), lease_token = NULL, lease_expires_at = NULL
        WHERE id = @Id
        """;

    /// <summary>Handed back by its runner (<c>@Id</c>): ready at once, and the attempt does not count.</summary>
    public const string ReleaseStep = $"""
        UPDATE steps SET status = '{Ready}', ready_at = @now, not_before = @now, released_attempts = released_attempts + 1,
                         lease_token = NULL, lease_expires_at = NULL
        WHERE id = @Id
        """;

    /// <summary>A timed pause (<c>@stepId</c>) whose time is up succeeds.</summary>
    public const string FinishPause = $"""
        UPDATE steps SET status = '{Succeeded}', started_at = COALESCE(started_at, not_before), finished_at = @now, attempt = attempt + 1
        WHERE id = @stepId AND status = '{Ready}' AND kind = '{Pause}' AND not_before <= @now
        """;

    /// <summary>Whether the run (<c>@runId</c>) is paused: a step waits for a person, or a timed pause is under way.</summary>
    public const string PausedStep = $"""
        SELECT name FROM steps
        WHERE run_id = @runId AND (status = '{Waiting}' OR (status = '{Ready}' AND kind = '{Pause}'))
        ORDER BY ordinal LIMIT 1
        """;

    /// <summary>
    /// A person decides the steps that wait (<c>@runId</c>, <c>@actor</c>): with <c>@approval</c> the run's waiting
    /// approvals succeed; otherwise its waiting pauses and inconclusive analyses, and a timed pause under way (a
    /// promotion). Returns the names of the steps decided.
    /// </summary>
    public const string DecideWaiting = $"""
        UPDATE steps SET status = '{Succeeded}', decided_by = @actor, decided_at = @now, finished_at = @now,
                         started_at = COALESCE(started_at, ready_at)
        WHERE run_id = @runId
          AND CASE WHEN @approval THEN status = '{Waiting}' AND kind = '{StepKinds.Approval}'
                   ELSE (status = '{Waiting}' AND kind <> '{StepKinds.Approval}') OR (status = '{Ready}' AND kind = '{Pause}') END
        RETURNING name
        """;

    /// <summary>A full promotion (<c>@runId</c>) skips the canary steps not yet done (pauses, inline analyses, partial
    /// shifts) and asks background analyses to finish; approvals are never skipped.</summary>
    public const string SkipRemainingCanary = $"""
        UPDATE steps SET status = '{Skipped}', finished_at = @now, decided_by = @actor, decided_at = @now
        WHERE run_id = @runId AND status IN ('{Pending}', '{Ready}', '{Waiting}')
          AND (kind = '{Pause}' OR (kind = '{Analyze}' AND NOT parameters ? 'until')
               OR (kind = '{StepKinds.TrafficShift}' AND COALESCE((parameters->>'weight')::int, 100) < 100));
        UPDATE steps SET finish_requested = true
        WHERE run_id = @runId AND kind = '{Analyze}' AND parameters ? 'until' AND status IN ('{Pending}', '{Ready}', '{Running}');
        """;

    /// <summary>Runs whose canary has been live longer than their progress deadline without being promoted (nor
    /// reaching their last traffic shift), and that can still roll back.</summary>
    public const string PastProgressDeadline = $"""
        SELECT r.id FROM runs r
        WHERE r.status = '{RunStatuses.Running}' AND r.progress_deadline_seconds IS NOT NULL AND r.ending_status IS NULL
          AND EXISTS (SELECT 1 FROM steps d WHERE d.run_id = r.id AND d.kind = '{StepKinds.EngineDeploy}' AND d.status = '{Succeeded}'
                                              AND d.finished_at + make_interval(secs => r.progress_deadline_seconds) < @now)
          AND NOT EXISTS (SELECT 1 FROM steps p WHERE p.run_id = r.id
                            AND (p.kind = '{StepKinds.RevisionPromote}'
                                 OR (p.kind = '{StepKinds.TrafficShift}' AND COALESCE((p.parameters->>'weight')::int, 100) = 100))
                            AND p.status IN ('{Running}', '{Succeeded}'))
          AND EXISTS (SELECT 1 FROM steps b WHERE b.run_id = r.id AND b.kind = '{Rollback}' AND b.status = '{Pending}')
        LIMIT @limit
        """;

    /// <summary>A retried run's failed and cancelled steps (<c>@runId</c>) go back to pending with a fresh attempt budget,
    /// their earlier outputs kept; the run rejoins the end of its environment's queue.</summary>
    public const string RetryRun = $"""
        UPDATE steps SET status = '{Pending}', error = NULL, started_at = NULL, finished_at = NULL, ready_at = NULL,
                         not_before = NULL, lease_token = NULL, lease_expires_at = NULL, released_attempts = attempt,
                         finish_requested = false, decided_by = NULL, decided_at = NULL
        WHERE run_id = @runId
          AND (status IN ('{StepStatuses.Failed}', '{Cancelled}')
               -- A run that was rolled back has lost its canary's replicas and traffic: all of that runs again.
               OR (EXISTS (SELECT 1 FROM steps b WHERE b.run_id = @runId AND b.kind = '{Rollback}' AND b.status = '{Succeeded}')
                   AND kind NOT IN ('{StepKinds.ClusterEnsure}', '{StepKinds.NodePoolEnsure}', '{StepKinds.BucketEnsure}',
                                    '{StepKinds.IdentityEnsure}', '{StepKinds.SecretEnsure}', '{StepKinds.CheckpointConvert}',
                                    '{StepKinds.Approval}')));
        UPDATE runs SET status = '{RunStatuses.Queued}', error = NULL, finished_at = NULL, ending_status = NULL,
                        queue_seq = nextval('run_queue_seq')
        WHERE id = @runId;
        """;
}
