-- 006: an index for the patients' ?search= (lib/patient.c).
--
-- The search is a case-insensitive substring of a name, the email, the
-- phone number or the record number: five LIKEs over every patient,
-- twice (the page and its count), which on 10,000 patients took the
-- list a hundred times longer than reading one patient.  A trigram
-- index (FTS5) finds the patients holding a substring of three or more
-- characters without looking at the others.
--
-- patient_search gives each patient a stable integer (the FTS5 rowid;
-- a patient's own rowid may change on VACUUM).  The indexed text is
-- the five fields lowered as LIKE compares them (ASCII only), one a
-- line: a term without a line feed matches it exactly where LIKE
-- matches one of the fields, and lib/patient.c keeps LIKE for the
-- others and for terms shorter than a trigram.  The triggers keep it
-- in step with patients, whoever writes.

CREATE TABLE patient_search (
	seq		INTEGER PRIMARY KEY,
	patient_id	TEXT NOT NULL UNIQUE
) STRICT;
CREATE VIRTUAL TABLE patient_search_fts USING fts5(doc,
    tokenize = 'trigram case_sensitive 1');

INSERT INTO patient_search (patient_id)
    SELECT id FROM patients ORDER BY created_at, id;
INSERT INTO patient_search_fts (rowid, doc)
    SELECT s.seq, lower(p.first_name || char(10) || p.last_name ||
	char(10) || coalesce(p.email, '') || char(10) || p.phone_number ||
	char(10) || coalesce(p.medical_record_number, ''))
    FROM patient_search s JOIN patients p ON p.id = s.patient_id;

CREATE TRIGGER patient_search_insert AFTER INSERT ON patients
BEGIN
	INSERT INTO patient_search (patient_id) VALUES (new.id);
	INSERT INTO patient_search_fts (rowid, doc)
	    SELECT seq, lower(new.first_name || char(10) || new.last_name ||
		char(10) || coalesce(new.email, '') || char(10) ||
		new.phone_number || char(10) ||
		coalesce(new.medical_record_number, ''))
	    FROM patient_search WHERE patient_id = new.id;
END;
CREATE TRIGGER patient_search_update AFTER UPDATE OF first_name, last_name,
    email, phone_number, medical_record_number ON patients
BEGIN
	UPDATE patient_search_fts SET doc = lower(new.first_name || char(10) ||
	    new.last_name || char(10) || coalesce(new.email, '') ||
	    char(10) || new.phone_number || char(10) ||
	    coalesce(new.medical_record_number, ''))
	    WHERE rowid = (SELECT seq FROM patient_search
	    WHERE patient_id = new.id);
END;
CREATE TRIGGER patient_search_delete AFTER DELETE ON patients
BEGIN
	DELETE FROM patient_search_fts WHERE rowid = (SELECT seq
	    FROM patient_search WHERE patient_id = old.id);
	DELETE FROM patient_search WHERE patient_id = old.id;
END;
