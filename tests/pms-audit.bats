#!/usr/bin/env bats
# bats file_tags=pms-audit
# pms-audit: the access log as records and its filters, break-glass
# flagged, verify catching every kind of tampering an insider can do
# with the data key (triggers dropped, rows changed, removed, moved,
# inserted, the log cut off after a checkpoint), the accounting of
# disclosures, the record of exports, signed extracts verified without
# the store, an entry for every read of patient data, the real-world
# case B27, and bad input.  Each test checks the exit code, the
# messages (never a patient's data) and the store after (pms-sql).

load helpers/common

# The template: the demo practice, a front-desk user, a clinician, a
# billing user and an auditor, each with a passphrase in a file, and a
# cron key file with the reminder-bot role.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin
	pms-admin -S "$t/store" config load "$TOP/share/demo/practice.yaml" \
	    >/dev/null 2>&1
	for u in desk:front-desk doc:clinician biller:billing \
	    auditor:auditor; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    -S "$t/store" user add "${u%%:*}" --role "${u#*:}" \
		    --kdf interactive >/dev/null 2>&1
	done
	pms-admin -S "$t/store" keyfile create cron --role reminder-bot \
	    --out "$t/cron.key" >/dev/null 2>&1
	# into the database file: the tests copy it without its WAL
	pms-admin -S "$t/store" maintain >/dev/null 2>&1
	unset PMS_PASSPHRASE_FILE PMS_USER
}

setup() {
	use_store
	local u
	for u in desk doc biller auditor; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
	cd "$BATS_TEST_TMPDIR"
}

# Run as another user of the store: as desk pms-patient add ...
as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# A fresh copy of the template store in place of this test's.
fresh() {
	rm -rf "$STORE" "$STORE.keys" "$STORE.lock.d" "$STORE-wal" \
	    "$STORE-shm"
	use_store
}

# A patient of the phi-markers: their data must never show in a message.
zz() {
	pms-patient add --mrn ZZ-1 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 --ssn 123-45-6789 --phone 617-555-0199 >/dev/null
}

pat() {
	pms-patient add --last-name "$1" --first-name "$2" --dob "$3" \
	    "${@:4}" -o csv | tail -n 1 | cut -d, -f1
}

# The last entry of the log: "user|action|fields|patients|flag".
last_entry() {
	pms-sql "SELECT a.user, a.action, a.fields, (SELECT
	    group_concat(patient_id) FROM audit_patient WHERE audit_id = a.id),
	    a.flag FROM audit a ORDER BY a.id DESC LIMIT 1"
}

# SQL that drops the access log's append-only triggers: the insider
# with the data key and a SQLite of their own can, so the tests do.
DROP='DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
    DROP TRIGGER audit_patient_no_update;
    DROP TRIGGER audit_patient_no_delete; PRAGMA foreign_keys = OFF;'

# A log of a dozen entries or so, some naming patients.
some_entries() {
	zz
	pat Example Pat 1980-01-15 >/dev/null
	pms-patient show 1 >/dev/null
	pms-patient list >/dev/null
	as desk pms-patient find --name example >/dev/null
	as doc pms-patient show 2 >/dev/null
	pms-patient update 2 --city Boston
}

# ---- log ---------------------------------------------------------------

@test "log: the entries as records, with field names and never values" {
	zz
	pms-patient show 1 >/dev/null
	run -0 --separate-stderr pms-audit log -o csv
	assert_line --index 0 \
	    'audit_id,at,user,program,action,fields,patient_ids,flag'
	assert_line --index 1 --regexp \
	    '^1,20[0-9-]{8}T[0-9:.]{12}Z,admin,pms-admin,store\.init,,,$'
	assert_output --partial ',admin,pms-patient,patient.add,"mrn,last_name,first_name,dob,phone,ssn",1,'
	assert_output --partial ',admin,pms-patient,patient.show,'
	refute_phi "$output"
	[[ $output != *617555* && $output != *6789* ]]
	# JSON Lines carry the same
	run -0 pms-audit log --action patient.add -o json
	[[ $output == '{"audit_id":'*'"user":"admin","program":"pms-patient","action":"patient.add","fields":"mrn,last_name,first_name,dob,phone,ssn","patient_ids":"1","flag":null}' ]]
}

@test "log: reading the log is an entry of its own, naming the patients shown" {
	some_entries
	# the patient asked about, and every patient the entries shown name
	run -0 as auditor pms-audit log --patient 2 --action patient.update \
	    -o csv
	run -0 last_entry
	assert_output 'auditor|audit.log|at,user,program,action,fields,patient_ids,flag|2|'
	run -0 as auditor pms-audit log --patient 2 -o csv
	run -0 last_entry
	assert_output 'auditor|audit.log|at,user,program,action,fields,patient_ids,flag|1,2|'
	run -0 as auditor pms-audit log --action store.check -o csv
	run -0 last_entry
	assert_output 'auditor|audit.log|at,user,program,action,fields,patient_ids,flag||'
	# the auditor's own reads show among the patient's readers
	run -0 as auditor pms-audit log --patient 2 --user auditor -o csv
	[ "${#lines[@]}" -eq 3 ]
	assert_line --index 1 --partial ',auditor,pms-audit,audit.log,'
}

@test "log: --patient, --user, --action (exact or a pattern) filter" {
	some_entries
	run -0 pms-audit log --patient 2 -o csv
	cut -d, -f5 <<<"$output" | tail -n +2 >actions
	diff -u - actions <<-EOF
	patient.add
	patient.list
	patient.find
	patient.show
	patient.update
	EOF
	run -0 pms-audit log --user doc -o csv
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 1 --regexp ',doc,pms-patient,patient.show,.*,2,$'
	run -0 pms-audit log --action 'patient.s*' -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f5 | sort -u)" = patient.show ]
	run -0 pms-audit log --action patient.find --user desk -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-audit log --action no.such -o csv
	assert_output 'audit_id,at,user,program,action,fields,patient_ids,flag'
}

@test "log: --patient follows a merge: the dropped patient's entries are the kept one's" {
	pat Example Pat 1980-01-15 >/dev/null
	pat Example Patricia 1980-01-15 >/dev/null
	pms-patient show 2 >/dev/null
	pms-patient merge 1 2 >/dev/null
	run -0 pms-audit log --patient 1 -o csv
	assert_output --partial ',patient.show,'
	run -0 pms-audit log --patient 2 -o csv
	assert_output --partial ',patient.merge,merged_into,"1,2",'
}

@test "log: --from and --to are the practice's days, at its time zone" {
	pat Example Pat 1980-01-15 >/dev/null
	# 03:30 UTC on 10 March 2026 is 23:30 on the 9th in New York
	faketime '2026-03-10 03:30:00 UTC' pms-patient show 1 >/dev/null
	run -0 pms-audit log --from 2026-03-09 --to 2026-03-09 -o csv
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 1 --regexp \
	    '^[0-9]+,2026-03-10T03:30:00\.[0-9]{3}Z,admin,pms-patient,patient\.show,'
	run -0 pms-audit log --from 2026-03-10 --to 2026-03-10 -o csv
	[ "${#lines[@]}" -eq 1 ]
	today=$(TZ=America/New_York date +%F)
	run -0 pms-audit log --from "$today" -o csv
	assert_output --partial ',patient.add,'
	refute_output --partial ',patient.show,'
}

# ---- break-glass -------------------------------------------------------

@test "break-glass: --emergency lets the desk act beyond its roles, flagged" {
	zz
	run -77 --separate-stderr as desk pms-patient export -o csv
	assert_stderr 'desk (front-desk) may not do patient.export; ask an admin, or act with --emergency "reason", which is logged'
	refute_phi "$stderr"
	run -0 --separate-stderr as desk pms-patient export -o csv \
	    --emergency 'patient collapsed in the waiting room'
	assert_line --index 1 --partial 'Zztest'
	run -0 pms-audit log --flagged -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = \
	    "$(pms-sql "SELECT id FROM audit WHERE flag <> ''" | xargs)" ]
	[ "${#lines[@]}" -eq 3 ]
	assert_line --index 1 --regexp ',desk,pms-patient,emergency:patient\.export,,,patient collapsed in the waiting room$'
	assert_line --index 2 --regexp ',desk,pms-patient,patient\.export,".*",1,patient collapsed in the waiting room$'
	# the refusal is on record too, unflagged
	run -0 pms-audit log --action 'denied:*' -o csv
	assert_line --index 1 --regexp ',desk,pms-patient,denied:patient\.export,,,$'
	# an ordinary use of one's own rights is not flagged
	run -0 as desk pms-patient show 1 --emergency 'not needed here'
	run -0 last_entry
	assert_output --regexp '^desk\|patient\.show\|.*\|1\|$'
}

@test "break-glass: the reason flags the SSN's reveal for the desk" {
	zz
	run -0 --separate-stderr as desk pms-patient show 1 --reveal -o json \
	    --emergency 'payer on the phone needs the SSN'
	[[ $output == *'"ssn":"123456789"'* ]]
	run -0 pms-sql "SELECT action, flag <> '' FROM audit WHERE user =
	    'desk' ORDER BY id"
	assert_output $'emergency:patient.reveal|1\npatient.show|1'
}

@test "break-glass: a key file cannot, a bad reason is a usage error" {
	zz
	run -77 --separate-stderr env PMS_KEYFILE="$BATS_FILE_TMPDIR/template/cron.key" \
	    pms-patient show 1 --emergency 'cron has an emergency'
	assert_stderr 'cron (reminder-bot) may not do patient.show, and --emergency is for people, not key files'
	run -0 last_entry
	assert_output 'cron|denied:patient.show|||'
	run -64 --separate-stderr as desk pms-patient export --emergency no
	assert_stderr '--emergency: give the reason in words, on one line (3 to 200 characters)'
	run -64 --separate-stderr as desk pms-patient export \
	    --emergency $'two\nlines'
	run -0 pms-sql "SELECT count(*) FROM audit WHERE flag <> ''"
	assert_output 0
}

# ---- verify ------------------------------------------------------------

@test "verify: a whole log verifies, and verifying is an entry" {
	some_entries
	n=$(pms-sql "SELECT count(*) FROM audit")
	run -0 --separate-stderr as auditor pms-audit verify
	assert_line --index 0 "entries:    $n verified, chain and signatures"
	assert_line --index 1 --regexp "^head:       entry $n, hash [0-9a-f]{64}\$"
	[ -z "$stderr" ]
	run -0 last_entry
	assert_output 'auditor|audit.verify|||'
	run -0 pms-admin check
	assert_line "audit log:  $((n + 1)) entries verified"
}

@test "verify: a changed entry is named, exit 77" {
	some_entries
	pms-sql "$DROP UPDATE audit SET fields = 'last_name' WHERE id = 5"
	run -77 --separate-stderr pms-audit verify
	assert_stderr 'pms-audit: the access log has been tampered with: entry 5 was altered: it no longer matches its hash'
	[ -z "$output" ]
	# so is a changed patient of an entry, and pms-admin check agrees
	fresh
	some_entries
	id=$(pms-sql "SELECT min(audit_id) FROM audit_patient")
	pms-sql "$DROP UPDATE audit_patient SET patient_id = 2 WHERE
	    audit_id = $id"
	run -77 --separate-stderr pms-audit verify
	assert_stderr "entry $id was altered: it no longer matches its hash"
	run -77 --separate-stderr pms-admin check
	assert_stderr "entry $id was altered"
}

@test "verify: a deleted entry is named, renumbered or not" {
	some_entries
	pms-sql "$DROP DELETE FROM audit_patient WHERE audit_id = 6;
	    DELETE FROM audit WHERE id = 6"
	run -77 --separate-stderr pms-audit verify
	assert_stderr 'the access log has been tampered with: entry 6 is missing: the log goes from entry 5 to entry 7'
	fresh
	some_entries
	pms-sql "$DROP DELETE FROM audit_patient WHERE audit_id = 6;
	    DELETE FROM audit WHERE id = 6;
	    UPDATE audit SET id = id - 1 WHERE id > 6;
	    UPDATE audit_patient SET audit_id = audit_id - 1 WHERE audit_id > 6"
	run -77 --separate-stderr pms-audit verify
	assert_stderr 'the access log has been tampered with: entry 6 was written as entry 7: entries were removed before it, or reordered'
}

@test "verify: a reordered entry is named" {
	some_entries
	pms-sql "$DROP UPDATE audit SET id = 1000 WHERE id = 6;
	    UPDATE audit SET id = 6 WHERE id = 7;
	    UPDATE audit SET id = 7 WHERE id = 1000;
	    UPDATE audit_patient SET audit_id = 1000 WHERE audit_id = 6;
	    UPDATE audit_patient SET audit_id = 6 WHERE audit_id = 7;
	    UPDATE audit_patient SET audit_id = 7 WHERE audit_id = 1000"
	run -77 --separate-stderr pms-audit verify
	assert_stderr 'the access log has been tampered with: entry 6 was written as entry 7: entries were removed before it, or reordered'
}

@test "verify: an inserted entry is named, forged or copied" {
	some_entries
	# a forged entry, hashed right but signed by nobody's key
	pms-sql "$DROP UPDATE audit SET id = id + 1000 WHERE id >= 5;
	    UPDATE audit SET id = id - 999 WHERE id >= 1000;
	    UPDATE audit_patient SET audit_id = audit_id + 1000 WHERE
	    audit_id >= 5;
	    UPDATE audit_patient SET audit_id = audit_id - 999 WHERE
	    audit_id >= 1000;
	    INSERT INTO audit SELECT 5, at, user, slot_id, program,
	    'patient.list', fields, prev_hash, hash, sig, flag FROM audit
	    WHERE id = 4"
	run -77 --separate-stderr pms-audit verify
	assert_stderr 'the access log has been tampered with: entry 5 was'
	# a genuine entry copied in at the end
	fresh
	some_entries
	n=$(pms-sql "SELECT max(id) FROM audit")
	pms-sql "$DROP INSERT INTO audit SELECT $((n + 1)), at, user, slot_id,
	    program, action, fields, prev_hash, hash, sig, flag FROM audit
	    WHERE id = 3"
	run -77 --separate-stderr pms-audit verify
	assert_stderr "entry $((n + 1)) was written as entry 3: entries were inserted before it, or reordered"
	# a new entry with a hash of its own, in another user's name
	fresh
	some_entries
	n=$(pms-sql "SELECT max(id) FROM audit")
	pms-sql "$DROP INSERT INTO audit (id, at, user, slot_id, program,
	    action, fields, prev_hash, hash, sig) SELECT $((n + 1)), at, user,
	    slot_id, program, action, fields, hash, randomblob(32),
	    randomblob(64) FROM audit WHERE id = $n"
	run -77 --separate-stderr pms-audit verify
	assert_stderr "entry $((n + 1)) was altered"
	refute_phi "$stderr"
}

@test "verify: patients of an entry that is not there are found" {
	some_entries
	n=$(pms-sql "SELECT max(id) FROM audit")
	pms-sql "$DROP INSERT INTO audit_patient VALUES ($((n + 5)), 1)"
	run -77 --separate-stderr pms-audit verify
	assert_stderr "patients are named for entry $((n + 5)), which is not in the log"
}

# ---- checkpoints -------------------------------------------------------

@test "checkpoint: the head in text, read back by verify --checkpoint" {
	some_entries
	run -0 --separate-stderr as auditor pms-audit checkpoint --out cp
	[ -z "$output" ]
	n=$(pms-sql "SELECT max(id) FROM audit")
	run -0 pms-sql "SELECT action, user FROM audit WHERE id = $n"
	assert_output 'audit.checkpoint|auditor'
	run -0 cat cp
	assert_line --index 0 'pms-audit-checkpoint 1'
	assert_line --index 1 --regexp '^store: [0-9a-f-]{36}$'
	assert_line --index 2 "entry: $n"
	assert_line --index 3 --regexp '^at: 20[0-9-]{8}T[0-9:.]{12}Z$'
	assert_line --index 4 --regexp '^hash: [0-9a-f]{64}$'
	assert_line --index 5 'user: auditor'
	assert_line --index 6 --regexp '^slot: [0-9]+$'
	assert_line --index 7 --regexp '^key: [0-9a-f]{64}$'
	assert_line --index 8 --regexp '^signature: [0-9a-f]{128}$'
	[ "$(stat -c %a cp)" = 600 ]
	# the hash is the entry's
	[ "$(sed -n 's/^hash: //p' cp)" = \
	    "$(pms-sql "SELECT lower(hex(hash)) FROM audit WHERE id = $n")" ]
	pms-patient list >/dev/null
	run -0 as auditor pms-audit verify --checkpoint cp
	assert_line --index 2 --regexp "^checkpoint: entry $n of .* by auditor: still in the log, unchanged\$"
	# to standard output too
	run -0 pms-audit checkpoint
	assert_line --index 2 "entry: $((n + 3))"
}

@test "checkpoint: a log cut off after the checkpoint is caught" {
	some_entries
	pms-audit checkpoint >cp
	n=$(sed -n 's/^entry: //p' cp)
	pms-patient list >/dev/null
	# the insider drops the newest entries, the checkpoint's among them:
	# the shorter chain still verifies on its own
	pms-sql "$DROP DELETE FROM audit_patient WHERE audit_id >= $((n - 2));
	    DELETE FROM audit WHERE id >= $((n - 2))"
	run -0 pms-audit verify
	# (that verify is an entry of its own: n - 2)
	run -77 --separate-stderr pms-audit verify --checkpoint cp
	assert_stderr "the access log has been cut off: it ends at entry $((n - 2)), and the checkpoint of"
	assert_stderr "names entry $n"
	# new entries since take the numbers: rewritten, then
	pms-patient list >/dev/null
	pms-patient list >/dev/null
	run -77 --separate-stderr pms-audit verify --checkpoint cp
	assert_stderr "the access log has been rewritten: entry $n is not the one the checkpoint of"
}

@test "checkpoint: a log rewritten before the checkpoint is caught" {
	some_entries
	pms-audit checkpoint >cp
	n=$(sed -n 's/^entry: //p' cp)
	# the whole log replaced by an older copy of the store: a chain of
	# its own that verifies, but not the checkpoint's
	cp "$BATS_FILE_TMPDIR/template/store" "$STORE"
	rm -f "$STORE-wal" "$STORE-shm"
	for i in $(seq "$n"); do
		pms-admin check >/dev/null
	done
	run -0 pms-audit verify
	run -77 --separate-stderr pms-audit verify --checkpoint cp
	assert_stderr "the access log has been rewritten: entry $n is not the one the checkpoint of"
}

@test "checkpoint: a changed, foreign or missing checkpoint file" {
	some_entries
	pms-audit checkpoint >cp
	sed 's/^entry: .*/entry: 3/' cp >cp-entry
	run -65 --separate-stderr pms-audit verify --checkpoint cp-entry
	assert_stderr "cp-entry: the checkpoint's signature does not verify under its key: it was changed"
	# its first digit changed, whatever it was
	sed 's/^hash: 0/hash: X/; s/^hash: [1-9a-f]/hash: 0/; s/^hash: X/hash: 1/' \
	    cp >cp-hash
	! cmp -s cp cp-hash
	run -65 --separate-stderr pms-audit verify --checkpoint cp-hash
	assert_stderr "cp-hash: the checkpoint's signature does not verify"
	printf 'hello\n' >not
	run -65 --separate-stderr pms-audit verify --checkpoint not
	assert_stderr 'not: not a checkpoint of pms-audit'
	head -n 5 cp >short
	run -65 --separate-stderr pms-audit verify --checkpoint short
	assert_stderr 'short: no user'
	run -66 --separate-stderr pms-audit verify --checkpoint nowhere
	assert_stderr 'cannot open "nowhere"'
	# a checkpoint of another store
	mkdir other
	PMS_STORE=other/store pms-admin init --kdf interactive >/dev/null 2>&1
	PMS_STORE=other/store pms-audit checkpoint >cp-other
	run -65 --separate-stderr pms-audit verify --checkpoint cp-other
	assert_stderr 'the checkpoint is of another store'
}

# ---- disclosures -------------------------------------------------------

@test "disclosures: recorded, listed six years back, and audited" {
	zz
	pat Example Pat 1980-01-15 >/dev/null
	run -0 --separate-stderr as biller pms-audit record-disclosure 1 \
	    --to 'County health department' --address '1 Main St Salem MA' \
	    --purpose 'public health reporting' --what 'immunization record' \
	    -o csv
	assert_output $'disclosure_id,patient_id\n1,1'
	run -0 last_entry
	assert_output 'biller|audit.record-disclosure|disclosed_on,recipient,address,purpose,description|1|'
	today=$(TZ=America/New_York date +%F)
	old=$(TZ=America/New_York date -d '-5 years' +%F)
	run -0 as auditor pms-audit record-disclosure 1 --on "$old" \
	    --to 'Superior Court' --purpose subpoena --what 'visit notes'
	run -0 as auditor pms-audit record-disclosure 2 \
	    --to 'State registry' --purpose 'cancer registry' --what 'diagnosis'
	run -0 --separate-stderr as auditor pms-audit disclosures 1 -o csv
	diff -u - <(cut -d, -f1-7,9 <<<"$output") <<-EOF
	disclosure_id,patient_id,disclosed_on,recipient,address,purpose,description,recorded_by
	2,1,$old,Superior Court,,subpoena,visit notes,auditor
	1,1,$today,County health department,1 Main St Salem MA,public health reporting,immunization record,biller
	EOF
	refute_phi "$stderr"
	run -0 last_entry
	assert_output 'auditor|audit.disclosures|disclosed_on,recipient,address,purpose,description|1|'
	# the table itself: written once, never changed
	run -0 pms-sql "SELECT d.id, a.action FROM disclosures d JOIN audit a
	    ON a.id = d.audit_id ORDER BY d.id"
	assert_output $'1|audit.record-disclosure\n2|audit.record-disclosure\n3|audit.record-disclosure'
	run --separate-stderr pms-sql "DELETE FROM disclosures"
	[ "$status" -ne 0 ]
	assert_stderr 'the accounting of disclosures is append-only'
	[ "$(pms-sql "SELECT count(*) FROM disclosures")" = 3 ]
}

@test "disclosures: a merged patient's are the kept one's; --dry-run writes nothing" {
	pat Example Pat 1980-01-15 >/dev/null
	pat Example Patricia 1980-01-15 >/dev/null
	pms-audit record-disclosure 2 --to 'Superior Court' --purpose subpoena \
	    --what 'visit notes' >/dev/null
	pms-patient merge 1 2 >/dev/null
	run -0 pms-audit disclosures 1 -o csv
	assert_line --index 1 --partial ',2,'
	run -0 pms-audit disclosures 2 -o csv
	[ "${#lines[@]}" -eq 2 ]
	# recorded now against 2, it goes to 1
	pms-audit record-disclosure 2 --to 'State registry' \
	    --purpose registry --what diagnosis >/dev/null
	run -0 pms-sql "SELECT patient_id FROM disclosures ORDER BY id"
	assert_output $'2\n1'
	before=$(pms-sql "SELECT count(*) FROM audit")
	run -0 --separate-stderr pms-audit record-disclosure 1 --dry-run \
	    --to x --purpose y --what z
	assert_stderr 'nothing was written'
	[ -z "$output" ]
	[ "$(pms-sql "SELECT count(*) FROM disclosures")" = 2 ]
	[ "$(pms-sql "SELECT count(*) FROM audit")" = "$before" ]
}

@test "disclosures: bad input is refused, nothing written, no value quoted" {
	zz
	run -64 --separate-stderr pms-audit record-disclosure 1 --to x \
	    --purpose y
	assert_stderr 'record-disclosure: --to, --purpose and --what are needed'
	run -65 --separate-stderr pms-audit record-disclosure 1 \
	    --to 'Zztest Zebediah' --purpose y --what $'Zztest\nZebediah'
	assert_stderr '--what: one line, without control characters'
	refute_phi "$stderr"
	run -65 --separate-stderr pms-audit record-disclosure 1 --to x \
	    --purpose y --what z --on "$(date -d '+3 days' +%F)"
	assert_stderr '--on: a disclosure cannot be recorded before it is made'
	run -65 --separate-stderr pms-audit record-disclosure 1 --to x \
	    --purpose y --what z --on 2001-01-01
	assert_stderr '--on: more than six years ago'
	run -64 --separate-stderr pms-audit record-disclosure 1 --to x \
	    --purpose y --what z --on 1957-03-44
	assert_stderr '--on: not a date (YYYY-MM-DD)'
	refute_phi "$stderr"
	run -65 --separate-stderr pms-audit record-disclosure 1 --to '' \
	    --purpose y --what z
	assert_stderr '--to: 1 to 500 bytes'
	run -1 --separate-stderr pms-audit record-disclosure 9 --to x \
	    --purpose y --what z
	assert_stderr 'no patient 9'
	run -1 --separate-stderr pms-audit disclosures 9
	run -64 --separate-stderr pms-audit disclosures x1
	run -64 --separate-stderr pms-audit disclosures
	run -0 pms-sql "SELECT count(*) FROM disclosures"
	assert_output 0
}

# ---- exports -----------------------------------------------------------

@test "exports: each file that carried patients out, when, by whom" {
	zz
	pat Example Pat 1980-01-15 >/dev/null
	run -0 as biller pms-patient export -o csv --out all.csv
	run -0 pms-patient list --status active --out list.json
	run -0 pms-patient export -o json
	run -0 pms-patient list		# on the screen: no export
	run -0 --separate-stderr as auditor pms-audit exports -o csv
	diff -u - <(cut -d, -f3-6 <<<"$output") <<-EOF
	user,program,kind,path
	biller,pms-patient,patients,$BATS_TEST_TMPDIR/all.csv
	admin,pms-patient,patient-list,$BATS_TEST_TMPDIR/list.json
	admin,pms-patient,patients,
	EOF
	[ "$(cut -d, -f7 <<<"$output" | xargs)" = 'patients 2 2 2' ]
	[ "$(cut -d, -f8 <<<"$output" | tail -n +2 | xargs)" = \
	    "$(pms-sql "SELECT audit_id FROM exports ORDER BY id" | xargs)" ]
	# each points at the entry of its command
	run -0 pms-sql "SELECT a.user, a.action FROM exports e JOIN audit a ON
	    a.id = e.audit_id ORDER BY e.id"
	assert_output $'biller|patient.export\nadmin|patient.list\nadmin|patient.export'
	run -0 last_entry
	assert_output 'auditor|audit.exports|at,user,program,kind,path,patients||'
	# by patient; the log written to a file is an export of its own
	pat Other Olga 1990-02-02 >/dev/null
	pms-patient export --status active -o csv --out one.csv
	run -0 pms-audit exports --patient 3 -o csv
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 1 --partial ",patients,$BATS_TEST_TMPDIR/one.csv,3,"
	run -0 pms-audit log --patient 1 --out log.csv -o csv
	[ "$(stat -c %a log.csv)" = 600 ]
	run -0 pms-audit exports --patient 1 -o csv
	# the patients the entries shown name, not only the one asked about
	assert_line --index 5 --partial ",audit-log,$BATS_TEST_TMPDIR/log.csv,3,"
	run --separate-stderr pms-sql "UPDATE exports SET path = 'x'"
	[ "$status" -ne 0 ]
	assert_stderr 'the record of exports is append-only'
}

# ---- extracts ----------------------------------------------------------

@test "export: a signed extract that verifies without the store" {
	some_entries
	today=$(TZ=America/New_York date +%F)
	run -0 --separate-stderr as auditor pms-audit export "$today" "$today" \
	    --out extract
	n=$(pms-sql "SELECT max(id) - 1 FROM audit")
	assert_stderr "entries 1 to $n ($n),"
	assert_stderr 'signed by auditor'
	[ "$(stat -c %a extract)" = 600 ]
	run -0 last_entry
	assert_output 'auditor|audit.export|at,user,program,action,fields,patient_ids,flag|1,2|'
	run -0 pms-audit exports -o csv
	assert_line --index 1 --partial ",auditor,pms-audit,audit-extract,$BATS_TEST_TMPDIR/extract,2,"
	# without the store, its keys or a passphrase
	rm -rf "$STORE" "$STORE.keys" "$STORE.lock.d" "$STORE-wal" "$STORE-shm"
	run -0 --separate-stderr env -u PMS_STORE -u PMS_PASSPHRASE_FILE \
	    pms-audit verify-export extract
	assert_line --index 1 --regexp '^made:       .* by auditor, signature verified$'
	assert_line --index 2 "entries:    1 to $n, $n verified, chain and signatures"
	head -n 1 extract | grep -q '"type":"header"'
	[ "$(grep -c '"type":"entry"' extract)" -eq "$n" ]
	refute_phi "$(cat extract)"
}

@test "export: a changed, cut or foreign extract fails verify-export" {
	some_entries
	pms-audit checkpoint >cp
	today=$(TZ=America/New_York date +%F)
	pms-audit export "$today" "$today" >extract 2>/dev/null
	run -0 pms-audit verify-export extract --checkpoint cp
	assert_line --index 4 --regexp '^checkpoint: entry [0-9]+ of .*: in the extract, unchanged$'
	# an entry changed
	sed '0,/"action":"patient.show"/s//"action":"patient.list"/' \
	    extract >changed
	ln=$(grep -n '"action":"patient.show"' extract | head -n 1 | cut -d: -f1)
	run -77 --separate-stderr pms-audit verify-export changed
	assert_stderr "changed: line $ln: entry"
	assert_stderr 'was altered: it no longer matches its hash'
	# an entry left out
	ln=$(grep -n '"type":"entry"' extract | sed -n 3p | cut -d: -f1)
	sed "${ln}d" extract >dropped
	run -77 --separate-stderr pms-audit verify-export dropped
	assert_stderr 'is missing: the extract goes on with'
	# the signature gone, or a line after it
	sed '$d' extract >unsigned
	run -77 --separate-stderr pms-audit verify-export unsigned
	assert_stderr 'no signature: the extract was cut off'
	{ cat extract; sed -n 3p extract; } >extra
	run -77 --separate-stderr pms-audit verify-export extra
	assert_stderr 'lines after the signature'
	# the header changed: the signature does not verify
	sed '1s/"made_by":"admin"/"made_by":"doc"/' extract >header
	run -77 --separate-stderr pms-audit verify-export header
	# not an extract, or missing
	run -65 --separate-stderr pms-audit verify-export cp
	assert_stderr 'cp: line 1: not an extract of pms-audit'
	run -66 --separate-stderr pms-audit verify-export nowhere
	# a checkpoint the extract does not agree with
	# (its first digit changed, whatever it was)
	sed -i 's/^key: 0/key: X/; s/^key: [1-9a-f]/key: 0/; s/^key: X/key: 1/' cp
	run -65 pms-audit verify-export extract --checkpoint cp
}

@test "export: bad days are usage errors" {
	run -64 --separate-stderr pms-audit export 2026-13-01 2026-12-31
	assert_stderr 'from: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-audit export 2026-12-31 2026-12-01
	assert_stderr 'from is after to'
	run -64 --separate-stderr pms-audit export 2026-12-01
}

# ---- every read of patient data has its entry -------------------------------

@test "reads: every read of patient data by pms-patient writes its entry" {
	zz
	pat Example Pat 1980-01-15 >/dev/null
	declare -A want=(
	    [list]='patient.list|mrn,last_name,first_name,dob,sex,phone,mobile_phone,status|1,2'
	    [show]='patient.show|mrn,last_name,first_name,middle_name,suffix,preferred_name,dob,sex,street,street2,city,state,zip,country,phone,mobile_phone,work_phone,email,preferred_contact,sms_consent,email_consent,language,first_visit,status,deceased_on|2'
	    [find]='patient.find|mrn,last_name,first_name,dob,sex,phone,mobile_phone,status|2'
	    [export]='patient.export|mrn,last_name,first_name,middle_name,suffix,preferred_name,dob,sex,street,street2,city,state,zip,country,phone,mobile_phone,work_phone,email,preferred_contact,sms_consent,email_consent,language,first_visit,status,deceased_on|1,2'
	    [policy]='patient.policy.list|policies|1'
	    [guarantor]='patient.guarantor||1'
	)
	declare -A cmd=(
	    [list]='pms-patient list'
	    [show]='pms-patient show 2'
	    [find]='pms-patient find --name example'
	    [export]='pms-patient export -o csv'
	    [policy]='pms-patient policy list 1'
	    [guarantor]='pms-patient guarantor show 1'
	)
	for k in list show find export policy guarantor; do
		before=$(pms-sql "SELECT max(id) FROM audit")
		as biller ${cmd[$k]} >/dev/null
		run -0 pms-sql "SELECT count(*) FROM audit WHERE id > $before"
		[ "$output" = 1 ] || fail "$k: $output entries"
		run -0 last_entry
		[ "$output" = "biller|${want[$k]}|" ] ||
		    fail "$k: \"$output\", not \"biller|${want[$k]}|\""
	done
	# and pms-audit's own, each read named
	for c in 'log' 'exports' 'disclosures 1' 'verify' 'checkpoint'; do
		as auditor pms-audit $c >/dev/null
		run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
		assert_output "audit.${c%% *}"
	done
}

# ---- B27 -----------------------------------------------------------------

@test "B27: no full SSN anywhere in the access log, its exports or the logs" {
	run -0 pms-patient add --mrn MRN0061 --last-name Example \
	    --first-name Pat --dob 1980-01-15 --ssn 000-12-3456
	run -0 pms-patient update 1 --ssn 000-98-7654
	# two entries, create and update, with user, time, patient and ssn
	run -0 pms-audit log --action 'patient.*' -o csv
	diff -u - <(cut -d, -f3- <<<"$output") <<-'EOF'
	user,program,action,fields,patient_ids,flag
	admin,pms-patient,patient.add,"mrn,last_name,first_name,dob,ssn",1,
	admin,pms-patient,patient.update,ssn,1,
	EOF
	[[ $(sed -n 2p <<<"$output" | cut -d, -f2) == 20*T*Z ]]
	# dump the audit tables, every record of pms-audit, and the logs
	pms-sql "SELECT * FROM audit; SELECT * FROM audit_patient;
	    SELECT * FROM exports; SELECT * FROM export_patients;
	    SELECT * FROM disclosures" >dump
	pms-sql "SELECT hex(prev_hash), hex(hash), hex(sig) FROM audit" >>dump
	pms-audit log -o json >>dump
	pms-audit log -o csv --out log.csv 2>>dump
	cat log.csv >>dump
	pms-audit exports -o json >>dump
	today=$(TZ=America/New_York date +%F)
	pms-audit export "$today" "$today" >>dump 2>&1
	pms-audit verify >>dump 2>&1
	pms-audit checkpoint >>dump 2>&1
	for s in 000-12-3456 000123456 000-98-7654 000987654 123456 987654; do
		if grep -q -- "$s" dump; then
			fail "SSN found in the access log or its dumps"
		fi
	done
	# the registry keeps the current value, shown masked
	run -0 pms-sql "SELECT ssn FROM patients"
	assert_output 000987654
	run -0 pms-patient show 1 -o json
	[[ $output == *'"ssn":"***-**-7654"'* ]]
}

# ---- bad input -------------------------------------------------------------

@test "options: usage errors 64, a missing store 66, a role without the right 77" {
	run -64 --separate-stderr pms-audit log --frobnicate
	assert_stderr 'unknown option "--frobnicate"'
	run -64 --separate-stderr pms-audit frobnicate
	assert_stderr 'unknown command "frobnicate"'
	run -64 --separate-stderr pms-audit
	[[ $stderr == usage:\ pms-audit* ]]
	run -64 --separate-stderr pms-audit log --from 2026-02-30
	assert_stderr '--from: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-audit log --from 2026-03-02 --to 2026-03-01
	assert_stderr '--from is after --to'
	run -64 --separate-stderr pms-audit log --patient zero
	run -64 --separate-stderr pms-audit log -o xml
	assert_stderr '-o: expected table, csv or json'
	run -64 --separate-stderr pms-audit verify --out x
	assert_stderr 'verify: option "--out" does not apply'
	run -64 --separate-stderr pms-audit verify -o csv
	run -64 --separate-stderr pms-audit log extra
	run -64 --separate-stderr pms-audit verify-export
	run -66 --separate-stderr pms-audit -S "$BATS_TEST_TMPDIR/none" log
	run -1 --separate-stderr pms-audit log --patient 12
	assert_stderr 'no patient 12'
	zz
	for u in desk doc biller; do
		run -77 --separate-stderr as $u pms-audit log --patient 1
		assert_stderr "may not do audit.log"
		refute_phi "$stderr"
	done
	run -0 pms-sql "SELECT user, action FROM audit WHERE action LIKE
	    'denied:%' ORDER BY id"
	assert_output $'desk|denied:audit.log\ndoc|denied:audit.log\nbiller|denied:audit.log'
	# a read-only store: the log cannot be written, so nothing is read
	store_to_public
	chmod 0444 "$STORE"
	chmod 0755 "$PUBLIC"
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups env PMS_STORE="$STORE" PMS_USER=admin \
	    PMS_PASSPHRASE_FILE="$PMS_PASSPHRASE_FILE" pms-audit log
	[ -z "$output" ]
}

@test "options: --help prints the usage on stdout; --version" {
	run -0 --separate-stderr pms-audit --help
	[[ $output == usage:\ pms-audit* ]]
	[ -z "$stderr" ]
	run -0 pms-audit log --help
	[[ $output == usage:\ pms-audit* ]]
	run -0 pms-audit --version
	assert_output --regexp '^pms-audit [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "log: a reader that stops reading blocks no one; the log's entry first" {
	bench-gen --patients 30000 --out "$BATS_TEST_TMPDIR/g" patients
	pms-patient import "$BATS_TEST_TMPDIR/g/patients.csv" -o csv \
	    >/dev/null 2>&1
	# the import's entry names 30000 patients: one row bigger than a
	# pipe holds
	start_blocked pms-audit log -o csv
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'audit.log'
	run -0 pms-patient add --last-name Walk --first-name In \
	    --dob 1990-01-01 -o csv
	finish_blocked
	# the entries the log's own entry came after, and not the add's
	run -0 grep -c 'patient.import' "$BLOCKED_OUT"
	run -1 grep 'patient.add' "$BLOCKED_OUT"
	run -1 grep 'audit.log' "$BLOCKED_OUT"
}
