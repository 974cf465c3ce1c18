-- The PostgreSQL login AgentAccessBroker uses to mint and revoke per-lease roles (connector "postgresql").
-- It gets only what it hands out: CREATEROLE to create the short-lived logins, pg_signal_backend to terminate their
-- sessions at revocation, and privileges WITH GRANT OPTION on exactly the data agents may be granted.
--
-- Run as a superuser, once per database agents may reach (the role is created on the first run only):
--
--   psql -v broker_password="$AAB_PG_PASSWORD" -v database=app -f infra/postgres/broker-role.sql
--
--   broker_password  the broker login's password; give the broker the same value through the variable the policy
--                    references (settings.password: { env: AAB_PG_PASSWORD }). Never write it into the policy.
--   database         the database whose schemas agents may be granted (the policy's resources db.schema.table).
--
-- Every schema of the database except the system ones is granted; narrow the DO block below to the schemas your policy
-- lists. Tables created later need the same grants (or ALTER DEFAULT PRIVILEGES FOR ROLE <owner> ... WITH GRANT OPTION).
\set ON_ERROR_STOP on

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aab_broker') AS create_broker \gset
\if :create_broker
CREATE ROLE aab_broker LOGIN CREATEROLE PASSWORD :'broker_password';
GRANT pg_signal_backend TO aab_broker;
\endif

GRANT CONNECT ON DATABASE :"database" TO aab_broker WITH GRANT OPTION;
\connect :"database"
DO $$
DECLARE
    schema_name text;
BEGIN
    FOR schema_name IN
        SELECT nspname FROM pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%'
    LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO aab_broker WITH GRANT OPTION', schema_name);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO aab_broker WITH GRANT OPTION', schema_name);
        EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO aab_broker WITH GRANT OPTION', schema_name);
    END LOOP;
END
$$;

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
