-- The secret store (issue: secret store). A secret's value is kept only as ASP.NET Core Data Protection's payload
-- (purpose "Orchestrator.Secrets.v1" and the secret's name), made with the shared key ring in data_protection_keys:
-- the database never holds a value in plain text. Specs and webhook bindings refer to a secret as secret://NAME; the
-- value is revealed only to a runner, in the claim of a step that uses it.
CREATE TABLE secrets (
    name            text PRIMARY KEY,
    protected_value text NOT NULL,
    created_at      timestamptz NOT NULL,
    created_by      text NOT NULL,
    updated_at      timestamptz NOT NULL,
    updated_by      text NOT NULL
);

-- A binding may verify its repository's deliveries with a secret of its own (secret://NAME; the reference only), instead
-- of the orchestrator's GitHub:WebhookSecret.
ALTER TABLE github_bindings ADD COLUMN secret text;
