-- SPDX-License-Identifier: Apache-2.0
-- What a certforge runner needs of a PostgreSQL CA ledger, and no more.
-- Run it as the ledger's owner (the role `certforge ca init --ledger` made
-- the tables as), in the ledger's database, naming the runners' role:
--   psql -d certforge -v runner=certforge_runner -f ledger-runner-grants.sql
-- Runners record, settle, revoke and count CRLs; they cannot delete a
-- certificate's entry, change the tables or migrate them (a newer certforge
-- migrates when the owner first runs it).
GRANT CONNECT ON DATABASE :"DBNAME" TO :"runner";
GRANT USAGE ON SCHEMA public TO :"runner";
GRANT SELECT ON certforge_schema, properties TO :"runner";
GRANT SELECT, INSERT, UPDATE ON certificates, counters, scep_transactions TO :"runner";
GRANT SELECT, INSERT, UPDATE, DELETE ON scep_challenges TO :"runner";
