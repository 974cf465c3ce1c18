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

-- How grants are held (since the grant-group change). The broker never grants table privileges to a lease's login
-- role directly. For each distinct (database, set of objects, set of privileges) it creates one NOLOGIN group role
-- named aabg_<hash> (commented "AgentAccessBroker grant group: ..."), grants the privileges (and CONNECT, schema USAGE
-- and serial sequences when needed) to that group once, and creates each lease role IN ROLE <group>. A table's ACL
-- therefore gains one entry per distinct grant, not one per live lease (direct grants stopped at about 2,400 lease
-- roles per table: the ACL must fit in one catalog row, and the next GRANT failed with 54000 "row is too big").
-- The CREATEROLE login above is all it needs: it creates the groups and grants membership in them.
--
-- Migrating an existing deployment: nothing to run. Leases minted before the upgrade keep their direct grants until
-- they are revoked; their revocation (DROP OWNED BY + DROP ROLE) removes those ACL entries as before. New leases go
-- through groups. Groups are never dropped by revocation, since other leases share them; to tidy groups that no live
-- lease uses any more (they hold no login and no member), as a superuser, in each database they were granted in:
--   DROP OWNED BY aabg_<hash>;      -- then, once per cluster:   DROP ROLE aabg_<hash>;
-- and list them with: SELECT rolname, shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname LIKE 'aabg\_%'
--   AND NOT EXISTS (SELECT 1 FROM pg_auth_members WHERE roleid = pg_roles.oid);
