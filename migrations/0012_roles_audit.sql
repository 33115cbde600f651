-- Roles, environment scopes, expiry and revocation for tokens; the audit trail says from where each change came.
ALTER TABLE api_tokens
    ADD COLUMN role         text CHECK (role IN ('viewer', 'operator', 'admin')),
    ADD COLUMN environments text[],
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN revoked_at   timestamptz,
    ADD COLUMN created_by   text;
-- Every user token issued before roles could do everything.
UPDATE api_tokens SET role = 'admin' WHERE kind = 'user';
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_user_role CHECK ((kind = 'user') = (role IS NOT NULL));

ALTER TABLE audit
    ADD COLUMN token_id    uuid,
    ADD COLUMN method      text,
    ADD COLUMN path        text,
    ADD COLUMN environment text,
    ADD COLUMN status      integer,
    ADD COLUMN remote      text;
CREATE INDEX audit_at ON audit (at DESC, id DESC);
