-- 001: users and devices, the tables the foundation's hmctl manages.
-- Times are RFC 3339 UTC text with milliseconds ("2026-11-26T09:30:00.123Z"),
-- which sorts as time does.  CHECK constraints mirror the validators.
PRAGMA foreign_keys = ON;

CREATE TABLE users (
	id		TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE
			CHECK (length(email) BETWEEN 3 AND 254),
	password	TEXT NOT NULL,
	first_name	TEXT NOT NULL CHECK (length(first_name) <= 150),
	last_name	TEXT NOT NULL CHECK (length(last_name) <= 150),
	user_role	TEXT NOT NULL
			CHECK (user_role IN ('admin', 'staff', 'doctor', 'nurse')),
	gender		TEXT CHECK (gender IN ('male', 'female', 'other')),
	phone_number	TEXT,
	address_line_1	TEXT,
	address_line_2	TEXT,
	city		TEXT,
	state		TEXT,
	country		TEXT,
	is_active	INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
	date_joined	TEXT NOT NULL,
	last_login	TEXT
) STRICT;

CREATE TABLE devices (
	id		TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	serial_number	TEXT NOT NULL UNIQUE
			CHECK (length(serial_number) BETWEEN 1 AND 100),
	model_name	TEXT NOT NULL CHECK (length(model_name) BETWEEN 1 AND 100),
	manufacturer	TEXT NOT NULL DEFAULT ''
			CHECK (length(manufacturer) <= 100),
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'maintenance', 'retired')),
	created_at	TEXT NOT NULL
) STRICT;
