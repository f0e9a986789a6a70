-- 002: sign-in sessions, sign-in throttling, and the mail outbox.

-- One row per sign-in.  Tokens carry the session id ("sid"); a session
-- is alive while ended_at is NULL and expires_at is in the future.
-- refresh_jti is the one refresh token that may be used next; any
-- other refresh token of the session presented again ends it.
CREATE TABLE sessions (
	id		TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	user_id		TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	refresh_jti	TEXT NOT NULL,
	rotated_at	INTEGER,		-- ms since the epoch
	created_at	TEXT NOT NULL,
	expires_at	INTEGER NOT NULL,	-- ms since the epoch
	ended_at	TEXT,
	end_reason	TEXT CHECK (end_reason IN ('logout', 'reuse',
			    'password_reset', 'deactivated', 'role_change'))
) STRICT;
CREATE INDEX sessions_user_alive ON sessions (user_id) WHERE ended_at IS NULL;

-- Failed sign-ins, shared by every worker; rows older than the window
-- are deleted as new ones come.
CREATE TABLE signin_failures (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL COLLATE NOCASE,
	client_address	TEXT NOT NULL,
	at		INTEGER NOT NULL	-- ms since the epoch
) STRICT;
CREATE INDEX signin_failures_email ON signin_failures (email, at);
CREATE INDEX signin_failures_address ON signin_failures (client_address, at);
CREATE INDEX signin_failures_at ON signin_failures (at);

-- Mail waiting for the mail worker, written in the same transaction as
-- the change that causes it.  The bodies are blanked once sent, so that
-- links do not outlive their mail.
CREATE TABLE outbox (
	id		TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	recipient	TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
	subject		TEXT NOT NULL,
	body_text	TEXT NOT NULL,
	body_html	TEXT NOT NULL,
	status		TEXT NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,	-- ms since the epoch
	last_error	TEXT,
	created_at	TEXT NOT NULL,
	sent_at		TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
