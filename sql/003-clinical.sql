-- 003: patients and admissions.
-- An admission is open while is_discharged = 0.  The two partial unique
-- indexes are the rule "one open admission per patient, one per device":
-- the database enforces it inside the writer's transaction, so two
-- workers racing can never both win.

CREATE TABLE patients (
	id			TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	first_name		TEXT NOT NULL
				CHECK (length(first_name) BETWEEN 1 AND 150),
	last_name		TEXT NOT NULL
				CHECK (length(last_name) BETWEEN 1 AND 150),
	gender			TEXT NOT NULL DEFAULT 'other'
				CHECK (gender IN ('male', 'female', 'other')),
	date_of_birth		TEXT NOT NULL CHECK (length(date_of_birth) = 10),
	phone_number		TEXT NOT NULL UNIQUE,
	email			TEXT UNIQUE COLLATE NOCASE,
	address_line_1		TEXT,
	address_line_2		TEXT,
	city			TEXT COLLATE NOCASE,
	state			TEXT COLLATE NOCASE,
	country			TEXT COLLATE NOCASE,
	medical_record_number	TEXT UNIQUE,
	created_at		TEXT NOT NULL,
	updated_at		TEXT NOT NULL
) STRICT;
-- The orderings SPEC section 5 allows, each with id breaking ties.
CREATE INDEX patients_first_name ON patients (first_name, id);
CREATE INDEX patients_last_name ON patients (last_name, id);
CREATE INDEX patients_date_of_birth ON patients (date_of_birth, id);
CREATE INDEX patients_created_at ON patients (created_at, id);

CREATE TABLE admissions (
	id		TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
	patient_id	TEXT NOT NULL REFERENCES patients (id) ON DELETE RESTRICT,
	device_id	TEXT NOT NULL REFERENCES devices (id) ON DELETE RESTRICT,
	admitted_by	TEXT REFERENCES users (id) ON DELETE SET NULL,
	admission_date	TEXT NOT NULL,
	discharge_date	TEXT,
	is_discharged	INTEGER NOT NULL DEFAULT 0 CHECK (is_discharged IN (0, 1)),
	ward		TEXT CHECK (ward IS NULL OR length(ward) <= 100),
	bed		TEXT CHECK (bed IS NULL OR length(bed) <= 100),
	CHECK ((is_discharged = 0) = (discharge_date IS NULL))
) STRICT;
CREATE UNIQUE INDEX admissions_open_patient ON admissions (patient_id)
    WHERE is_discharged = 0;
CREATE UNIQUE INDEX admissions_open_device ON admissions (device_id)
    WHERE is_discharged = 0;
CREATE INDEX admissions_patient ON admissions (patient_id, admission_date, id);
CREATE INDEX admissions_device ON admissions (device_id, admission_date, id);
CREATE INDEX admissions_date ON admissions (admission_date, id);
