namespace Orchestrator.Cli;

/// <summary>The help text; the service's admin verbs are listed too since one program has both halves.</summary>
public static class Usage
{
    public const string Text = """
        usage: orchestrator <command> [flags]

        Service (against the database; --db or ORCHESTRATOR_DB):
          serve [--urls http://127.0.0.1:8080]       run the service (applies migrations first)
          migrate                                    apply database migrations
          tokens create --name NAME [--kind user|registration]
                                                     print a new token once

        Client (against a running service):
          login --server URL [--token T]             verify and store the server and a user token
                                                     (token read from stdin when --token is absent)
          apply -f FILE [--supersede] [--urgent] [--follow] [--json]
                                                     submit a rollout (YAML or JSON; - for stdin); --follow shows
                                                     steps and logs until the run ends, exit 0 only on success
          plan -f FILE [--urgent] [--json]           show the steps a rollout would run; writes nothing
          runs list [--environment E] [--status S] [--limit N] [--json]
          runs show ID [--json]
          runs logs ID [--follow]
          runs cancel ID [--json]
          runs retry ID [--json]                     resume a failed or cancelled run from its failed steps
          runs approve ID [--json]                   let a run waiting at an approval gate go on
          rollouts promote ENV [--full] [--json]     end the pause the environment's canary is in (--full: skip the
                                                     remaining canary steps and move all traffic)
          rollouts abort ENV [--json]                roll the paused canary back to the stable revision
          environments list|show NAME [--json]
          environments health NAME [--since 1h] [--json]  health status, watcher, sparklines, transitions
          environments teardown NAME --yes [--urgent] [--json]
                                                     delete a gke environment's cluster, service account and bucket
          environments extend NAME DURATION [--json] move the cost guard's teardown (cleanup.teardownAfter) later, e.g. 4h
          schedules create --environment E --cron "0 0 22 ? * MON-FRI" --action apply|teardown|reprovision
                   [--time-zone Europe/Paris] [--start-at ISO] [--end-at ISO] [--misfire skip|fire-once] [--paused]
                   [-f FILE] [--model-revision R] [--description D] [--json]
                                                     a Quartz cron (seconds first) in an IANA time zone; apply needs -f
                                                     (its model.source may hold {revision}, filled by --model-revision)
          schedules list [--environment E] [--json]  with each schedule's next fire time
          schedules show ID [--json]                 all fields, the next fire times and what the latest fires did
          schedules pause ID | resume ID | delete ID
          runners list [--json] | runners remove ID
          webhooks bindings list [--json]            which repositories' GitHub releases roll out where
          webhooks bindings create OWNER/NAME [--prod ENV] [--staging ENV] [--actions published,released,prereleased]
                   [--on-removed nothing|rollback] [--spec-path .orchestrator/rollout.yaml] [--installation-id N]
          webhooks bindings delete ID
          webhooks deliveries [--repository OWNER/NAME] [--limit N] [--json]   what GitHub sent and what became of it
          generate --environment E [--max-tokens N] [--stream] [--json] "prompt"

        Every client command takes --server URL and --token T; otherwise ORCHESTRATOR_URL and ORCHESTRATOR_TOKEN,
        otherwise what `login` stored in $XDG_CONFIG_HOME/orchestrator/config.json (~/.config/… by default).
        Exit codes: 0 ok, 1 the server refused or failed (or the followed run did not succeed), 2 usage error.

        """;
}
