-- 004: heart-rate readings and idempotency keys.
--
-- seq is the order in which readings were committed (writers are
-- serialized, so a larger seq was committed later): the cursor lists
-- break ties with it, and the live stream will resume from it.  It is
-- an alias of the rowid, so VACUUM keeps it.
--
-- Lists go newest first by measured_at; each index below is the keyset
-- of one list scope (all readings, one patient's, one admission's, one
-- user's), so a page costs the same at any depth.

CREATE TABLE readings (
	seq		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE CHECK (length(id) = 36),
	patient_id	TEXT NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
	admission_id	TEXT NOT NULL
			REFERENCES admissions (id) ON DELETE RESTRICT,
	bpm		INTEGER NOT NULL CHECK (bpm BETWEEN 20 AND 300),
	status		TEXT NOT NULL CHECK (status IN ('low', 'normal', 'high')),
	notes		TEXT CHECK (notes IS NULL OR length(notes) <= 1000),
	handled_by	TEXT REFERENCES users (id) ON DELETE SET NULL,
	measured_at	TEXT NOT NULL CHECK (length(measured_at) = 24),
	recorded_at	TEXT NOT NULL CHECK (length(recorded_at) = 24)
) STRICT;
CREATE INDEX readings_time ON readings (measured_at, seq);
CREATE INDEX readings_patient ON readings (patient_id, measured_at, seq);
CREATE INDEX readings_admission ON readings (admission_id, measured_at, seq);
CREATE INDEX readings_user ON readings (handled_by, measured_at, seq);

-- The first completed answer to a POST carrying an Idempotency-Key, per
-- user and key, replayed to a retry for 24 hours (SPEC 7.19): status,
-- content type, the handler's own header lines (Location) and body.
-- The request's digest (method, path, body) tells a retry from a reuse.
CREATE TABLE idempotency_keys (
	user_id		TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	key		TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	digest		BLOB NOT NULL CHECK (length(digest) = 32),
	status		INTEGER NOT NULL,
	content_type	TEXT,
	headers		TEXT NOT NULL,
	body		TEXT NOT NULL,
	created_at	TEXT NOT NULL,
	PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
