-- ASP.NET Core Data Protection's key ring (issue 13): every orchestrator instance reads the same keys, so a cookie or
-- a protected value made by one is read by any other. One row per key, as the XML element Data Protection wrote
-- (encrypted with the configured certificate when there is one). Keys are never deleted here: Data Protection revokes
-- and expires them itself.
CREATE TABLE data_protection_keys (
    name       text PRIMARY KEY,
    xml        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
