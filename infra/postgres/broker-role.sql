-- The PostgreSQL login AgentAccessBroker uses to mint and revoke per-lease roles (connector "postgresql").
-- It gets only what it hands out: CREATEROLE to create the short-lived logins, pg_signal_backend to terminate their
-- sessions at revocation, and privileges WITH GRANT OPTION on exactly the data agents may be granted.
-- Run as a superuser; replace the password placeholder by a secret from your vault and give the broker the same value
-- through the environment variable the policy references (e.g. password: { env: AAB_PG_PASSWORD }).

CREATE ROLE aab_broker LOGIN CREATEROLE PASSWORD :'broker_password';
GRANT pg_signal_backend TO aab_broker;

-- Repeat per database agents may reach:
GRANT CONNECT ON DATABASE app TO aab_broker WITH GRANT OPTION;
\connect app
GRANT USAGE ON SCHEMA public TO aab_broker WITH GRANT OPTION;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aab_broker WITH GRANT OPTION;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO aab_broker WITH GRANT OPTION;
-- Tables created later need the same grants (or ALTER DEFAULT PRIVILEGES FOR ROLE <owner> ... WITH GRANT OPTION).
