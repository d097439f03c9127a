package store

// migrations[i] takes a store from schema version i to i+1 (PRAGMA
// user_version). Append only: never edit a migration that has shipped.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE integrations (
	nickname    TEXT PRIMARY KEY,
	url         TEXT NOT NULL,
	username    TEXT NOT NULL DEFAULT '',
	token_env   TEXT NOT NULL DEFAULT '',
	token_cmd   TEXT NOT NULL DEFAULT '',
	token       TEXT NOT NULL DEFAULT '',   -- an inline token as the user gave it; only ever in this 0600 file
	job         TEXT NOT NULL,
	collections TEXT NOT NULL DEFAULT '[]', -- JSON array of globs
	governance  TEXT NOT NULL DEFAULT '[]', -- JSON array of globs
	ca_file     TEXT NOT NULL DEFAULT '',
	insecure    INTEGER NOT NULL DEFAULT 0,
	headers     TEXT NOT NULL DEFAULT '{}', -- JSON object
	timeout_ms  INTEGER NOT NULL DEFAULT 0,
	updated_ms  INTEGER NOT NULL
);

-- One row per build seen in a poll. Kept after Jenkins discards the build (gone = 1).
CREATE TABLE builds (
	integration   TEXT NOT NULL,
	number        INTEGER NOT NULL,
	status        TEXT NOT NULL,
	building      INTEGER NOT NULL,
	result        TEXT NOT NULL,
	started_ms    INTEGER NOT NULL,
	duration_ms   INTEGER NOT NULL,
	estimated_ms  INTEGER NOT NULL,
	url           TEXT NOT NULL,
	queue_id      INTEGER NOT NULL,
	display_name  TEXT NOT NULL,
	description   TEXT NOT NULL,
	causes        BLOB,    -- codec.go; NULL: not known yet
	params        BLOB,
	artifacts     BLOB,
	tests_total   INTEGER, -- NULL: no JUnit test result action seen
	tests_failed  INTEGER,
	tests_skipped INTEGER,
	gone          INTEGER NOT NULL DEFAULT 0,
	seen_ms       INTEGER NOT NULL,
	PRIMARY KEY (integration, number)
) WITHOUT ROWID;

-- The outcome of looking at one finished build's results; summaries for lists.
CREATE TABLE results (
	integration          TEXT NOT NULL,
	number               INTEGER NOT NULL,
	state                TEXT NOT NULL,   -- stored, empty, error
	why                  TEXT NOT NULL,
	c_runs               INTEGER,         -- NULL: no collection runs
	c_requests           INTEGER,
	c_requests_failed    INTEGER,
	c_assertions         INTEGER,
	c_assertions_failed  INTEGER,
	g_definitions        INTEGER,         -- NULL: no governance results
	g_error              INTEGER,
	g_warning            INTEGER,
	g_info               INTEGER,
	g_hint               INTEGER,
	saved_ms             INTEGER NOT NULL,
	PRIMARY KEY (integration, number)
) WITHOUT ROWID;

-- The parsed results themselves, read only when a build is opened.
CREATE TABLE result_data (
	integration TEXT NOT NULL,
	number      INTEGER NOT NULL,
	encoding    TEXT NOT NULL,   -- "json+deflate"
	data        BLOB NOT NULL,
	PRIMARY KEY (integration, number)
);

CREATE TABLE state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`,
}
