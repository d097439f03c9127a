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
-- data is the build packed by codec.go; results copies the outcome of
-- looking at the build's results (NULL: not looked at) from the results
-- table, so that listing builds needs no join.
CREATE TABLE builds (
	integration TEXT NOT NULL,
	number      INTEGER NOT NULL,
	building    INTEGER NOT NULL,
	gone        INTEGER NOT NULL DEFAULT 0,
	data        BLOB NOT NULL,
	results     BLOB,
	seen_ms     INTEGER NOT NULL,
	PRIMARY KEY (integration, number)
) WITHOUT ROWID;

-- The outcome of looking at one finished build's results.
CREATE TABLE results (
	integration TEXT NOT NULL,
	number      INTEGER NOT NULL,
	state       TEXT NOT NULL,   -- stored, empty, error
	info        BLOB NOT NULL,   -- state, why and list summaries (codec.go)
	saved_ms    INTEGER NOT NULL,
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
	// 2: pipeline stages of finished builds, fetched once, ever.
	`
-- state: stored (data is the stages, JSON), or none (Jenkins has no stages
-- for the build: not a Pipeline, or the Pipeline Stage View plugin is
-- missing; why says which is likely).
CREATE TABLE stages (
	integration TEXT NOT NULL,
	number      INTEGER NOT NULL,
	state       TEXT NOT NULL,
	why         TEXT NOT NULL DEFAULT '',
	data        BLOB NOT NULL,
	saved_ms    INTEGER NOT NULL,
	PRIMARY KEY (integration, number)
) WITHOUT ROWID;
`,
	// 3: what the history insights read of each stored result (history.go),
	// apart from the full results so that reading a thousand builds' history
	// neither inflates nor parses JSON. Results stored before it have none;
	// History computes theirs from the full results once.
	`
CREATE TABLE result_digest (
	integration TEXT NOT NULL,
	number      INTEGER NOT NULL,
	data        BLOB NOT NULL,   -- packed by encodeDigest
	PRIMARY KEY (integration, number)
);
`,
}
