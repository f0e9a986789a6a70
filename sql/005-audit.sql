-- 005: the audit trail (SPEC 5 "Audit trail", 7.23): who looked at or
-- changed what, and when.  Rows are written in the transaction of the
-- change they record (or, for reads and refused attempts, right after
-- the answer is made); the API never changes or deletes one, and the
-- trigger refuses any UPDATE.  Only "hmctl audit prune" deletes, past
-- AUDIT_RETENTION_DAYS.  No foreign keys: the trail outlives users and
-- patients.  Never the data itself: ids, never names or values.

CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	time		TEXT NOT NULL CHECK (length(time) = 24),
	user_id		TEXT,
	role		TEXT,
	action		TEXT NOT NULL CHECK (action IN ('create', 'update',
			    'delete', 'read', 'admit', 'discharge', 'record',
			    'signin', 'signin_failed', 'logout', 'activate',
			    'password_reset', 'role_change')),
	object_type	TEXT NOT NULL,
	object_id	TEXT,
	patient_id	TEXT,
	outcome		TEXT NOT NULL CHECK (outcome IN ('ok', 'invalid',
			    'denied', 'not_found', 'conflict', 'throttled')),
	client_address	TEXT,
	request_id	TEXT
) STRICT;
CREATE INDEX audit_time ON audit (time, id);
CREATE INDEX audit_user ON audit (user_id, time, id);
CREATE INDEX audit_patient ON audit (patient_id, time, id);
CREATE INDEX audit_action ON audit (action, time, id);
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
