-- 007: a counter of the changes that can end a sign-in.
--
-- heartmonitor-stream must end a stream when its sign-in ends (logout,
-- deactivation, a role or password change).  Checking every stream's
-- token, session and user every second cost 500 checks a second for
-- 500 streams, almost all finding nothing new.  These triggers count
-- every change that can end a sign-in, whoever makes it (the API,
-- hmctl, a test's side connection); the stream process reads the count
-- when the database changes and checks its streams again only when it
-- moved.  Sign-ins, refreshes and last_login do not count.

CREATE TABLE auth_epoch (
	id	INTEGER PRIMARY KEY CHECK (id = 1),
	n	INTEGER NOT NULL
) STRICT;
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER auth_epoch_session_end
AFTER UPDATE OF ended_at ON sessions
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_session_delete
AFTER DELETE ON sessions
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_user_change
AFTER UPDATE OF user_role, is_active, password ON users
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_user_delete
AFTER DELETE ON users
BEGIN
	UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
