#!/usr/bin/env bats
# bats file_tags=pms-patient
# pms-patient: the registry (add, show, find, list, update, export), the
# import of spreadsheets with every quirk of issue 6 and the real-world
# cases B10, B12, B13, B15, B26, B27, duplicates and merge, guarantors,
# policies, and who may do what.  Each test checks the exit code, the
# messages and the store's contents after (pms-sql).

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures/patient"

# The template: the demo practice loaded, a front-desk user, a billing
# user and an auditor, each with a passphrase in a file.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin
	pms-admin -S "$t/store" config load "$TOP/share/demo/practice.yaml" \
	    >/dev/null
	for u in desk:front-desk biller:billing auditor:auditor; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    -S "$t/store" user add "${u%%:*}" --role "${u#*:}" \
		    --kdf interactive >/dev/null 2>&1
	done
	# into the database file: the tests copy it without its WAL
	pms-admin -S "$t/store" maintain
	unset PMS_PASSPHRASE_FILE PMS_USER
}

setup() {
	use_store
	local u
	for u in desk biller auditor; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
}

# Run as another user of the store: as desk pms-patient add ...
as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# Every audit entry and every patient id it names, one a line.
audit_dump() {
	pms-sql "SELECT a.id, a.user, a.action, a.fields,
	    group_concat(p.patient_id) FROM audit a LEFT JOIN audit_patient p
	    ON p.audit_id = a.id GROUP BY a.id ORDER BY a.id"
}

# A fresh copy of the template store in place of this test's.
fresh_store() {
	rm -rf "$STORE" "$STORE.keys" "$STORE.lock.d" "$STORE-wal" \
	    "$STORE-shm"
	use_store
}

pat() {
	pms-patient add --last-name "$1" --first-name "$2" --dob "$3" \
	    "${@:4}" -o csv | tail -n 1 | cut -d, -f1
}

# ---- add, show, list, find, update ----------------------------------

@test "add: a patient with the fields typed, normalised, and its entry" {
	run -0 --separate-stderr pms-patient add --mrn 000123 \
	    --last-name Example --first-name Pat --dob 1980-01-15 \
	    --sex female --phone '(617) 555-0100' --mobile-phone \
	    '+1 617 555 0101' --email pat@example.org --zip 02138 \
	    --state massachusetts --city Cambridge --sms-consent yes \
	    --language Spanish -o csv
	assert_output $'patient_id,mrn\n1,000123'
	[ -z "$stderr" ]
	run -0 pms-sql "SELECT mrn, last_name, first_name, dob, sex, phone,
	    mobile_phone, email, zip, state, city, country, sms_consent,
	    email_consent, language, status, last_key FROM patients"
	assert_output "000123|Example|Pat|1980-01-15|F|+16175550100|+16175550101|pat@example.org|02138|MA|Cambridge|US|1|0|es|active|example"
	run -0 pms-sql "SELECT action, fields FROM audit WHERE id = 
	    (SELECT max(id) FROM audit)"
	assert_output "patient.add|mrn,last_name,first_name,dob,sex,city,state,zip,phone,mobile_phone,email,sms_consent,language"
}

@test "add: last name, first name and date of birth are needed" {
	run -65 --separate-stderr pms-patient add --last-name Example
	assert_stderr 'pms-patient: first_name: missing'
	assert_stderr 'pms-patient: dob: missing'
	assert_stderr 'nothing was added'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
}

@test "add: every bad field is named, never its value" {
	run -65 --separate-stderr pms-patient add --last-name 'Zztest9' \
	    --first-name 'Zebediah' --dob 1957-03-44 --phone 555-12 \
	    --email 'zz@' --ssn 123-45-678 --zip 1234567 --state Zz \
	    --sex q --sms-consent maybe --status gone
	for f in last_name dob phone email ssn zip state sex sms_consent \
	    status; do
		assert_stderr "pms-patient: $f: "
	done
	refute_phi "$stderr"
	[[ $stderr != *1957* && $stderr != *123-45* && $stderr != *zz@* ]]
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
}

@test "add: an MRN already taken is refused (1), nothing written" {
	pat Example Pat 1980-01-15 --mrn MRN0001
	run -1 --separate-stderr pms-patient add --mrn MRN0001 \
	    --last-name Zztest --first-name Zebediah --dob 1957-03-14
	assert_stderr 'mrn: patient 1 has that MRN already'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 1
}

@test "add: a date of birth in the future, or before 1800, is refused" {
	run -65 --separate-stderr pms-patient add --last-name Example \
	    --first-name Pat --dob "$(date -d '+2 days' +%F)"
	assert_stderr 'dob: a date in the future'
	run -65 --separate-stderr pms-patient add --last-name Example \
	    --first-name Pat --dob 1799-12-31
	assert_stderr 'dob: '
}

@test "add: slash dates need --date-format when they read both ways" {
	run -65 --separate-stderr pms-patient add --last-name Example \
	    --first-name Pat --dob 03/04/1980
	assert_stderr 'dob: ambiguous date'
	pat Example Pat 03/04/1980 --date-format dmy
	pat Sample Sam 03/04/1980 --date-format mdy
	pat Demo Jo 12/25/1980
	run -0 pms-sql "SELECT dob FROM patients ORDER BY id"
	assert_output $'1980-04-03\n1980-03-04\n1980-12-25'
}

@test "show: every column, the SSN masked; the entry names no ssn" {
	id=$(pat Example Pat 1980-01-15 --ssn 000-12-3456 --mrn MRN0061)
	run -0 --separate-stderr pms-patient show "$id" -o csv
	[[ $output == patient_id,mrn,last_name,first_name,middle_name,*,created_at,updated_at$'\n'* ]]
	[[ $output == *,'***-**-3456',* ]]
	[[ $output != *000123456* && $output != *000-12* ]]
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC
	    LIMIT 1"
	[[ $output == patient.show\|mrn,last_name,* ]]
	[[ $output != *ssn* ]]
}

@test "show: --mrn finds the patient by the MRN's exact text" {
	pat Example Pat 1980-01-15 --mrn 000123 >/dev/null
	run -0 pms-patient show --mrn 000123 -o json
	[[ $output == '{"patient_id":1,"mrn":"000123",'* ]]
	run -1 --separate-stderr pms-patient show --mrn 123
	assert_stderr 'pms-patient: no patient with that MRN'
	refute_phi "$stderr"
}

@test "show: an unknown patient is 1, a bad id 64" {
	run -1 --separate-stderr pms-patient show 42
	assert_stderr 'pms-patient: no patient 42'
	run -64 --separate-stderr pms-patient show 4x2
	assert_stderr 'a patient id is a number'
	run -64 --separate-stderr pms-patient show
	assert_stderr 'usage: pms-patient'
}

@test "list: the patients, short columns, in id order" {
	pat Example Pat 1980-01-15 --mrn A1 --phone 6175550100 >/dev/null
	pat Sample Sam 1975-07-04 --status inactive >/dev/null
	run -0 pms-patient list -o csv
	assert_output "patient_id,mrn,last_name,first_name,dob,sex,phone,mobile_phone,status
1,A1,Example,Pat,1980-01-15,U,'+16175550100,,active
2,,Sample,Sam,1975-07-04,U,,,inactive"
	run -0 pms-patient list --status inactive -o json
	assert_output '{"patient_id":2,"mrn":null,"last_name":"Sample","first_name":"Sam","dob":"1975-07-04","sex":"U","phone":null,"mobile_phone":null,"status":"inactive"}'
	run -0 pms-sql "SELECT action, group_concat(patient_id) FROM audit
	    JOIN audit_patient ON audit_id = id WHERE action = 'patient.list'
	    GROUP BY id ORDER BY id"
	assert_output $'patient.list|1,2\npatient.list|2'
}

@test "list: a bad --status is a usage error" {
	run -64 --separate-stderr pms-patient list --status gone
	assert_stderr '--status: expected active, inactive or deceased'
}

@test "find: by name words, accent- and case-insensitive, any order" {
	pat "O'Example" Pat 1980-01-15 >/dev/null
	pat Exámple-Smith Zoë 1990-02-02 >/dev/null
	pat Sample Sam 1975-07-04 >/dev/null
	run -0 pms-patient find --name "o'example" -o csv
	assert_line --index 1 --partial "1,,O'Example,Pat"
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-patient find --name 'ZOE example' -o csv
	assert_line --index 1 --partial '2,,Exámple-Smith,Zoë'
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-patient find --name 'smi' -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-patient find --name 'sa' --dob 1975-07-04 -o csv
	assert_line --index 1 --partial '3,,Sample,Sam'
	run -0 pms-patient find --name 'nobody' -o csv
	assert_output 'patient_id,mrn,last_name,first_name,dob,sex,phone,mobile_phone,status'
}

@test "find: by phone in any form, matched as E.164; by MRN exactly" {
	pat Example Pat 1980-01-15 --mobile-phone 617.555.0199 --mrn 000123 \
	    >/dev/null
	for p in '(617) 555-0199' '+1 617 555 0199' 1-617-555-0199 6175550199; do
		run -0 pms-patient find --phone "$p" -o csv
		[ "${#lines[@]}" -eq 2 ] || fail "phone form $p"
	done
	run -0 pms-patient find --mrn 123 -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -64 --separate-stderr pms-patient find
	assert_stderr 'find: give --name, --dob, --phone or --mrn'
}

@test "update: fields by option; the entry names what changed" {
	id=$(pat Example Pat 1980-01-15)
	run -0 --separate-stderr pms-patient update "$id" --city Boston \
	    --phone 617-555-0100 --last-name Example
	run -0 pms-sql "SELECT city, phone FROM patients"
	assert_output 'Boston|+16175550100'
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC
	    LIMIT 1"
	assert_output 'patient.update|city,phone'
	# an empty value clears a field that may be empty, not a name
	run -0 pms-patient update "$id" --city ''
	run -0 pms-sql "SELECT city IS NULL FROM patients"
	assert_output 1
	run -65 --separate-stderr pms-patient update "$id" --last-name ''
	assert_stderr 'last_name: may not be empty'
}

@test "update: records on stdin, by patient_id or mrn" {
	pat Example Pat 1980-01-15 --mrn A1 >/dev/null
	pat Sample Sam 1975-07-04 --mrn A2 >/dev/null
	run -0 pms-patient update - <<-'EOF'
	patient_id,mrn,city
	1,,Boston
	,A2,Salem
	EOF
	run -0 pms-sql "SELECT id, city FROM patients ORDER BY id"
	assert_output $'1|Boston\n2|Salem'
	run -65 --separate-stderr pms-patient update - <<-'EOF'
	{"mrn": "A1", "city": "Cambridge"}
	{"mrn": "nope", "city": "Zztest"}
	{"patient_id": 2, "dob": "1957-03-44"}
	EOF
	assert_stderr 'line 2: mrn: no patient with that MRN'
	assert_stderr 'line 3: dob: not a valid date'
	assert_stderr '2 bad rows: nothing was changed'
	refute_phi "$stderr"
	# all or nothing: the good row is not written either
	run -0 pms-sql "SELECT id, city FROM patients ORDER BY id"
	assert_output $'1|Boston\n2|Salem'
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action =
	    'patient.update'"
	assert_output 'patient.update|city'
	# a JSON "" clears a field
	run -0 pms-patient update - <<<'{"patient_id": 1, "city": ""}'
	run -0 pms-sql "SELECT city IS NULL FROM patients WHERE id = 1"
	assert_output 1
}

@test "update: deceased_on makes the status deceased" {
	id=$(pat Example Pat 1930-01-15)
	run -0 pms-patient update "$id" --deceased-on 2020-03-01
	run -0 pms-sql "SELECT status, deceased_on FROM patients"
	assert_output 'deceased|2020-03-01'
	run -65 --separate-stderr pms-patient update "$id" --status active
	assert_stderr "status: the patient has a deceased_on date: clear it too (an empty deceased_on, --deceased-on '')"
	run -65 --separate-stderr pms-patient update "$id" --status active \
	    --deceased-on 2020-03-02
	assert_stderr 'status: not deceased, yet a deceased_on date is given'
	run -0 pms-patient update "$id" --status active --deceased-on ''
	run -0 pms-sql "SELECT status, deceased_on FROM patients"
	assert_output 'active|'
	run -65 --separate-stderr pms-patient update "$id" \
	    --deceased-on 1920-01-01
	assert_stderr 'deceased_on: before the date of birth'
}

# ---- real-world cases ------------------------------------------------

@test "B27: the SSN of an added and updated patient is in no entry" {
	run -0 pms-patient add --mrn MRN0061 --last-name Example \
	    --first-name Pat --dob 1980-01-15 --ssn 000-12-3456
	run -0 pms-patient update 1 --ssn 000-98-7654
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action LIKE
	    'patient.%' ORDER BY id"
	assert_output $'patient.add|mrn,last_name,first_name,dob,ssn\npatient.update|ssn'
	run -0 pms-sql "SELECT group_concat(patient_id) FROM audit_patient"
	assert_output '1,1'
	# no full SSN in any column of the log, in any form
	audit_dump >"$BATS_TEST_TMPDIR/audit"
	pms-sql "SELECT * FROM audit_patient" >>"$BATS_TEST_TMPDIR/audit"
	for s in 000-12-3456 000123456 000-98-7654 000987654; do
		if grep -q -- "$s" "$BATS_TEST_TMPDIR/audit"; then
			fail "SSN found in the access log"
		fi
	done
	# the registry keeps the current value, and shows it masked
	run -0 pms-sql "SELECT ssn FROM patients"
	assert_output 000987654
	run -0 pms-patient show 1 -o json
	[[ $output == *'"ssn":"***-**-7654"'* ]]
}

@test "B27: --reveal needs the right patient.reveal; the entry says ssn" {
	pat Example Pat 1980-01-15 --ssn 000-12-3456 >/dev/null
	run -77 --separate-stderr as desk pms-patient show 1 --reveal
	assert_stderr 'may not do patient.reveal'
	[ -z "$output" ]
	refute_phi "$stderr"
	[[ $stderr != *3456* ]]
	run -0 pms-sql "SELECT user, action FROM audit ORDER BY id DESC
	    LIMIT 1"
	assert_output 'desk|denied:patient.reveal'
	run -0 as biller pms-patient show 1 --reveal -o json
	[[ $output == *'"ssn":"000123456"'* ]]
	run -0 pms-sql "SELECT user, action, fields LIKE '%ssn%' FROM audit
	    ORDER BY id DESC LIMIT 1"
	assert_output 'biller|patient.show|1'
}

# ---- rights ----------------------------------------------------------

@test "rights: the front desk may add; an auditor may not (77, logged)" {
	run -0 as desk pms-patient add --last-name Example --first-name Pat \
	    --dob 1980-01-15
	run -77 --separate-stderr as auditor pms-patient add \
	    --last-name Zztest --first-name Zebediah --dob 1957-03-14
	assert_stderr 'auditor (auditor) may not do patient.add'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT user, action FROM audit WHERE action LIKE
	    '%patient.add' ORDER BY id"
	assert_output $'desk|patient.add\nauditor|denied:patient.add'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 1
}

@test "rights: a clinician's or auditor's list and show follow the table" {
	pat Example Pat 1980-01-15 >/dev/null
	run -0 as biller pms-patient list -o csv
	run -77 --separate-stderr as auditor pms-patient show 1
	assert_stderr 'may not do patient.show'
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'denied:patient.show'
}

@test "options: usage errors are 64, the store missing 66" {
	run -64 --separate-stderr pms-patient add --frobnicate
	assert_stderr 'unknown option "--frobnicate"'
	run -64 --separate-stderr pms-patient add --date-format yyyy
	assert_stderr '--date-format: expected iso, mdy, dmy or excel'
	run -64 --separate-stderr pms-patient frobnicate
	assert_stderr 'unknown command "frobnicate"'
	run -66 --separate-stderr pms-patient -S "$BATS_TEST_TMPDIR/none" list
	run -64 --separate-stderr pms-patient list -o xml
	assert_stderr '-o: expected table, csv or json'
}

# ---- import: the quirks of real spreadsheets ----------------------------

# import FILE [options]: an import whose summary comes out as CSV
imp() {
	pms-patient import "$@" -o csv
}

@test "B10: a UTF-8 BOM is dropped before the header, CRLF read" {
	run -0 --separate-stderr imp "$FIX/b10-bom.csv"
	assert_output $'rows,added,updated,unchanged,differ,rejected,dry_run\n1,1,0,0,0,0,no'
	run -0 pms-sql "SELECT mrn, last_name, first_name, dob FROM patients"
	assert_output 'MRN0001|Example|Pat|1980-01-15'
}

@test "B10: a UTF-16 file is refused with what to do, nothing written" {
	run -65 --separate-stderr imp "$FIX/b10-utf16.csv"
	assert_stderr 'b10-utf16.csv: UTF-16 not supported, save as UTF-8'
	[ -z "$output" ]
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
}

@test "B12: Excel serials read with --date-format excel; zero and junk refused" {
	run -65 --separate-stderr imp "$FIX/b12-excel.csv" --date-format excel
	assert_stderr 'b12-excel.csv: line 3: dob: not a valid date: Excel serials below 61 are not dates'
	assert_stderr 'b12-excel.csv: line 4: dob: not a valid date'
	assert_stderr '2 bad rows: nothing was imported'
	[[ $stderr != *'line 2'* ]]
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	run -0 --separate-stderr imp "$FIX/b12-excel.csv" --date-format excel \
	    --skip-invalid "$BATS_TEST_TMPDIR/rejects.csv"
	assert_output --partial '3,1,0,0,0,2,no'
	run -0 pms-sql "SELECT mrn, dob, first_visit FROM patients"
	assert_output 'MRN0021|1983-05-02|2024-01-01T12:00:00'
	# never a zero date, Excel's epoch or Unix's
	run -0 pms-sql "SELECT count(*) FROM patients WHERE dob IN
	    ('0000-00-00', '1899-12-30', '1899-12-31', '1970-01-01')"
	assert_output 0
}

@test "B12: a serial without --date-format is refused, naming the option" {
	run -65 --separate-stderr imp "$FIX/b12-excel.csv"
	assert_stderr 'line 2: dob: a number, not a date (for spreadsheet serials give --date-format excel)'
	assert_stderr 'line 2: first_visit: a number'
}

@test "B13: MRNs and ZIP codes keep their leading zeros, export too" {
	run -0 --separate-stderr imp "$FIX/b13-zeros.csv"
	# told once for the file, with the first line
	assert_stderr 'warning: 1 ZIP code of 4 digits (first on line 4): a leading zero lost in a spreadsheet? kept as it is'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT mrn, zip FROM patients ORDER BY id"
	assert_output $'000123|02138\n000456|02139-1234\n000789|2138'
	run -0 pms-patient export -o csv
	assert_line --index 1 --regexp '^1,000123,Example,Pat,.*,02138,US,'
	assert_line --index 2 --regexp '^2,000456,Sample,Sam,.*,02139-1234,US,'
	run -1 --separate-stderr pms-patient show --mrn 123
	assert_stderr 'no patient with that MRN'
	run -0 pms-patient find --mrn 000123 -o csv
	[ "${#lines[@]}" -eq 2 ]
}

@test "B15: names with apostrophes, accents, hyphens; the bad row names both fields" {
	run -65 --separate-stderr imp "$FIX/b15-names.csv"
	assert_stderr 'b15-names.csv: line 6: last_name: a character a name may not have'
	assert_stderr 'b15-names.csv: line 6: first_name: digits are not allowed in a name'
	assert_stderr '1 bad row: nothing was imported'
	refute_phi "$stderr"
	[[ $stderr != *Ex@mple* && $stderr != *Pat2* && $stderr != *MRN0035* ]]
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	run -0 --separate-stderr imp "$FIX/b15-names.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/rejects.csv"
	assert_stderr 'notice: 1 typographic apostrophe made plain (first on line 2)'
	assert_output --partial '5,4,0,0,0,1,no'
	run -0 pms-sql "SELECT mrn, last_name, first_name FROM patients ORDER BY id"
	assert_output "MRN0031|O'Example|Pat
MRN0032|Exámple-Smith|Zoë
MRN0033|D'Sample|Ann-Marie
MRN0034|St. Demo|Jo"
	run -0 pms-patient find --name "o'example" -o csv
	assert_line --index 1 --partial "MRN0031,O'Example"
	run -0 pms-patient find --name 'example-smith zoe' -o csv
	assert_line --index 1 --partial 'MRN0032'
	[ "${#lines[@]}" -eq 2 ]
	run -0 cat "$BATS_TEST_TMPDIR/rejects.csv"
	assert_line --index 0 '"mrn","last_name","first_name","dob","reject_reason"'
	assert_line --index 1 --partial '"MRN0035","Ex@mple","Pat2","1970-05-05","line 6: last_name: '
}

@test "B15: the X12 form of a name is uppercase ASCII, no delimiter" {
	run -0 pms-norm x12-name 'Exámple-Smith'
	assert_output 'EXAMPLE-SMITH'
	run -0 pms-norm x12-name 'Zoë'
	assert_output 'ZOE'
	run -0 pms-norm x12-name "O’Example"
	assert_output "O'EXAMPLE"
	run -0 pms-norm x12-name 'Straße  Ærø Łódź'
	assert_output 'STRASSE AERO LODZ'
	run -0 pms-norm x12-name 'A*B:C^D~E'
	assert_output 'ABCDE'
	run -65 --separate-stderr pms-norm x12-name '李'
	assert_stderr 'no letter that X12 can carry'
}

@test "B26: cells a spreadsheet reads as formulas round-trip through export" {
	run -0 --separate-stderr imp "$FIX/b26-formula.csv"
	pms-patient export -o csv >"$BATS_TEST_TMPDIR/export.csv"
	# no cell starts with = + - @ in the CSV; the guard is a "'"
	if cut -d, -f1- "$BATS_TEST_TMPDIR/export.csv" | tr ',' '\n' |
	    grep -qE '^"?[=+@-]'; then
		fail "a formula cell in the export"
	fi
	grep -qF "'-5 Demo Lane" "$BATS_TEST_TMPDIR/export.csv"
	grep -qF "'+16175550100" "$BATS_TEST_TMPDIR/export.csv"
	grep -qF "'@Sample" "$BATS_TEST_TMPDIR/export.csv"
	pms-sql "SELECT street, street2, city, phone FROM patients ORDER BY id" \
	    >"$BATS_TEST_TMPDIR/before"
	# into a fresh store: the same values come back
	fresh_store
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/export.csv"
	assert_output --partial '2,2,0,0,0,0,no'
	pms-sql "SELECT street, street2, city, phone FROM patients ORDER BY id" \
	    >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 cat "$BATS_TEST_TMPDIR/after"
	assert_line --index 0 '-5 Demo Lane|=HYPERLINK("http://x.invalid","open")|@Sample|+16175550100'
}

@test "import: ';', CRLF, quoted newlines, blank rows, header aliases, MDY inferred" {
	run -0 --separate-stderr imp "$FIX/quirks-semicolon.csv"
	assert_output --partial '3,3,0,0,0,0,no'
	run -0 pms-sql "SELECT mrn, last_name, first_name, dob, phone, street, zip
	    FROM patients ORDER BY id"
	assert_output "C-001|Example|Pat|1980-12-25|+16175550100|12 Main St Apt 4|02138
C-002|Van der Sample|Mary Ann|1975-01-31|+16175550101|5 Elm St; Rear|02139
C-003|Demo|Jo|1990-03-03|+16175550102|1 Oak St|02140"
}

@test "import: tab-separated; DD/MM by --date-format dmy" {
	run -65 --separate-stderr imp "$FIX/quirks-tab.tsv"
	assert_stderr 'quirks-tab.tsv: line 2: dob: ambiguous date'
	run -0 --separate-stderr imp "$FIX/quirks-tab.tsv" --date-format dmy
	run -0 pms-sql "SELECT dob, mobile_phone FROM patients ORDER BY id"
	assert_output $'1980-04-03|+16175550103\n1975-12-25|+16175550104'
}

@test "import: a file ambiguous without --date-format names its ambiguous lines" {
	run -65 --separate-stderr imp "$FIX/ambiguous.csv"
	assert_stderr 'ambiguous.csv: line 2: dob: ambiguous date: day and month could be either way round (give --date-format mdy or dmy)'
	assert_stderr 'ambiguous.csv: line 4: dob: ambiguous date'
	[[ $stderr != *'line 3'* ]]
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	run -0 imp "$FIX/ambiguous.csv" --date-format mdy
	run -0 pms-sql "SELECT dob FROM patients ORDER BY id"
	assert_output $'2020-03-04\n1980-12-25\n1990-05-06'
}

@test "import: Windows-1252 with --encoding; typographic apostrophe made plain" {
	run -65 --separate-stderr imp "$FIX/cp1252.csv"
	assert_stderr 'cp1252.csv: line 2: last_name: not valid UTF-8'
	run -0 --separate-stderr imp "$FIX/cp1252.csv" --encoding windows-1252
	assert_stderr 'notice: 1 typographic apostrophe made plain'
	run -0 pms-sql "SELECT last_name, first_name, city FROM patients"
	assert_output $'O\'Example|Zoë|München\nMüller|Jürgen|Köln'
}

@test "import: phones in every common form become E.164" {
	run -0 --separate-stderr imp "$FIX/phones.csv"
	run -0 pms-sql "SELECT phone, mobile_phone, work_phone FROM patients
	    ORDER BY id"
	assert_output $'+16175550100|+16175550101|+16175550102\n+16175550103|+442079460000|+49301234567'
}

@test "import: JSON Lines by field name" {
	run -0 --separate-stderr imp "$FIX/patients.jsonl"
	run -0 pms-sql "SELECT mrn, sms_consent, zip FROM patients ORDER BY id"
	assert_output $'J-1|1|\nJ-2|0|02139'
}

@test "import: every bad row by line and column, never its value; nothing written" {
	run -65 --separate-stderr imp "$FIX/bad.csv"
	assert_stderr 'bad.csv: line 3: dob: not a valid date (expected YYYY-MM-DD)'
	assert_stderr 'bad.csv: line 4: sex: expected F, M, X or U'
	assert_stderr 'bad.csv: line 4: email: not an e-mail address'
	assert_stderr 'bad.csv: line 6: last_name: digits are not allowed in a name'
	assert_stderr 'bad.csv: line 6: phone: not a phone number'
	assert_stderr 'bad.csv: line 6: first_name: missing'
	assert_stderr '3 bad rows: nothing was imported'
	[[ $stderr != *'line 2:'* && $stderr != *'line 5:'* ]]
	refute_phi "$stderr"
	[[ $stderr != *zebediah@@* && $stderr != *555-12* && $stderr != *G-3* ]]
	[ -z "$output" ]
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action = 'patient.import'"
	assert_output 0
}

@test "import: --skip-invalid is never one of the store's files, nor the input (64)" {
	cp "$FIX/bad.csv" "$BATS_TEST_TMPDIR/bad.csv"
	for rej in "$PMS_STORE" "$PMS_STORE-wal" "$PMS_STORE-shm" "$PMS_STORE.keys"; do
		run -64 --separate-stderr imp "$BATS_TEST_TMPDIR/bad.csv" --skip-invalid "$rej"
		assert_stderr "--skip-invalid: that is one of the store's own files"
		run -64 --separate-stderr pms-patient policy import "$BATS_TEST_TMPDIR/bad.csv" \
		    --skip-invalid "$rej"
		assert_stderr "--skip-invalid: that is one of the store's own files"
	done
	run -64 --separate-stderr imp "$BATS_TEST_TMPDIR/bad.csv" --skip-invalid "$BATS_TEST_TMPDIR/bad.csv"
	assert_stderr 'is the file being imported; name another file'
	cmp "$BATS_TEST_TMPDIR/bad.csv" "$FIX/bad.csv"
	run -0 pms-admin check
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
}

@test "import: --skip-invalid: good rows in, bad ones to a 0600 file; fixed, they import" {
	local rej="$BATS_TEST_TMPDIR/rejects.csv"
	run -0 --separate-stderr imp "$FIX/bad.csv" --skip-invalid "$rej"
	assert_output --partial '5,2,0,0,0,3,no'
	assert_stderr "3 rows rejected, written to $rej"
	refute_phi "$stderr"
	[ "$(stat -c %a "$rej")" = 600 ]
	run -0 pms-sql "SELECT mrn FROM patients ORDER BY id"
	assert_output $'G-1\nG-4'
	run -0 cat "$rej"
	assert_line --index 0 '"mrn","last_name","first_name","dob","sex","email","phone","reject_reason"'
	assert_line --index 1 '"G-2","Zztest","Zebediah","1957-03-44","M","zz@example.org","617-555-0101","line 3: dob: not a valid date (expected YYYY-MM-DD)"'
	assert_line --index 2 --partial '"line 4: sex: expected F, M, X or U; email: not an e-mail address"'
	[ "${#lines[@]}" -eq 4 ]
	# fixed by hand, the rejects file imports as it is
	sed -e 's/1957-03-44/1957-03-04/' -e 's/,"Q",/,"M",/' \
	    -e 's/zebediah@@example/zebediah@example.org/' \
	    -e 's/"Zztest9",,/"Zztest","Zoe",/' -e 's/"555-12"/"617-555-0109"/' \
	    "$rej" >"$BATS_TEST_TMPDIR/fixed.csv"
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/fixed.csv"
	assert_output --partial '3,3,0,0,0,0,no'
	[[ $stderr != *reject_reason* ]]
	run -0 pms-sql "SELECT mrn, dob, sex FROM patients ORDER BY id"
	assert_output $'G-1|1980-01-15|F\nG-4|1975-07-04|M\nG-2|1957-03-04|M\nG-3|1957-03-14|M\nG-5|1957-03-14|M'
}

@test "import: the same file twice adds nothing; the entry names every patient" {
	run -0 imp "$FIX/b13-zeros.csv"
	assert_output --partial '3,3,0,0,0,0,no'
	run -0 imp "$FIX/b13-zeros.csv"
	assert_output --partial '3,0,0,3,0,0,no'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 3
	run -0 pms-sql "SELECT a.action, a.fields, group_concat(p.patient_id)
	    FROM audit a JOIN audit_patient p ON p.audit_id = a.id WHERE
	    a.action = 'patient.import' GROUP BY a.id ORDER BY a.id"
	assert_output $'patient.import|mrn,last_name,first_name,dob,zip|1,2,3\npatient.import||1,2,3'
	run -0 pms-admin check
}

@test "import: rows without MRN match on name and birth date, accents aside" {
	printf 'last_name,first_name,dob\nExámple,Zoë,1990-02-02\n' \
	    >"$BATS_TEST_TMPDIR/a.csv"
	printf 'last_name,first_name,dob\nEXAMPLE,zoe,1990-02-02\n' \
	    >"$BATS_TEST_TMPDIR/b.csv"
	run -0 imp "$BATS_TEST_TMPDIR/a.csv"
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/b.csv"
	assert_output --partial '1,0,0,0,1,0,no'
	assert_stderr '1 row matches a patient but differs (line 2): give --update to update it'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 1
	# an MRN first seen now goes to the patient who had none
	printf 'mrn,last_name,first_name,dob\nZ-1,Example,Zoe,1990-02-02\n' \
	    >"$BATS_TEST_TMPDIR/c.csv"
	run -0 imp "$BATS_TEST_TMPDIR/c.csv" --update
	assert_output --partial '1,0,1,0,0,0,no'
	run -0 pms-sql "SELECT id, mrn, last_name FROM patients"
	assert_output '1|Z-1|Example'
}

@test "import: --update writes what changed, and names it in the entry" {
	run -0 imp "$FIX/update-1.csv"
	run -0 --separate-stderr imp "$FIX/update-2.csv"
	assert_output --partial '2,0,0,0,2,0,no'
	run -0 pms-sql "SELECT city, sms_consent FROM patients ORDER BY id"
	assert_output $'Boston|1\nSalem|0'
	run -0 imp "$FIX/update-2.csv" --update
	assert_output --partial '2,0,2,0,0,0,no'
	run -0 pms-sql "SELECT city, sms_consent FROM patients ORDER BY id"
	assert_output $'Cambridge|1\nSalem|1'
	run -0 pms-sql "SELECT fields FROM audit WHERE action = 'patient.import'
	    ORDER BY id DESC LIMIT 1"
	assert_output 'city,sms_consent'
	run -0 imp "$FIX/update-2.csv" --update
	assert_output --partial '2,0,0,2,0,0,no'
}

@test "import: --dry-run writes nothing and says what would happen" {
	run -0 imp "$FIX/update-1.csv" --dry-run
	assert_output --partial '2,2,0,0,0,0,yes'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	run -0 imp "$FIX/update-1.csv"
	run -0 imp "$FIX/update-2.csv" --update -n
	assert_output --partial '2,0,2,0,0,0,yes'
	run -0 pms-sql "SELECT city FROM patients ORDER BY id"
	assert_output $'Boston\nSalem'
	run -0 imp "$FIX/bad.csv" --dry-run --skip-invalid "$BATS_TEST_TMPDIR/r.csv"
	assert_output --partial '5,2,0,0,0,3,yes'
	assert_file_not_exists "$BATS_TEST_TMPDIR/r.csv"
}

@test "import: two rows of one patient that differ are a bad row" {
	printf 'mrn,last_name,first_name,dob\nD-1,Example,Pat,1980-01-15\nD-1,Example,Pat,1981-01-15\n' \
	    >"$BATS_TEST_TMPDIR/dup.csv"
	run -65 --separate-stderr imp "$BATS_TEST_TMPDIR/dup.csv"
	assert_stderr 'dup.csv: line 3: the same patient as line 2, with other values'
	refute_phi "$stderr"
}

@test "import: a missing file is 66, bad options 64, a bad map 78" {
	run -66 --separate-stderr imp "$BATS_TEST_TMPDIR/none.csv"
	assert_stderr 'cannot open'
	run -64 --separate-stderr imp "$FIX/bad.csv" --date-format yesterday
	assert_stderr '--date-format: expected iso, mdy, dmy or excel'
	run -64 --separate-stderr imp "$FIX/bad.csv" --encoding ebcdic
	assert_stderr '--encoding: expected utf-8 or windows-1252'
	run -64 --separate-stderr imp "$FIX/bad.csv" "$FIX/bad.csv"
	assert_stderr 'usage: pms-patient'
	printf 'fields:\n  last_name: Surname\n  shoe_size: Shoes\n' \
	    >"$BATS_TEST_TMPDIR/map.yaml"
	run -78 --separate-stderr imp "$FIX/bad.csv" --map "$BATS_TEST_TMPDIR/map.yaml"
	assert_stderr 'map.yaml:3: fields: unknown field "shoe_size"'
	printf 'ignore: [A]\nfields:\n  dob: Born\nignore: [B]\n' \
	    >"$BATS_TEST_TMPDIR/map.yaml"
	run -78 --separate-stderr imp "$FIX/bad.csv" --map "$BATS_TEST_TMPDIR/map.yaml"
	assert_stderr 'map.yaml:4: ignore: given twice'
	run -66 --separate-stderr imp "$FIX/bad.csv" --map "$BATS_TEST_TMPDIR/none.yaml"
}

@test "import: a map's columns must be in the file; extra columns refused or told" {
	printf 'extra_columns: refuse\nfields:\n  last_name: Surname\n  first_name: Given\n  dob: Born\n' \
	    >"$BATS_TEST_TMPDIR/map.yaml"
	printf 'Surname,Given,Born,Shoes\nExample,Pat,1980-01-15,9\n' \
	    >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr imp "$BATS_TEST_TMPDIR/in.csv" \
	    --map "$BATS_TEST_TMPDIR/map.yaml"
	assert_stderr 'in.csv: column "Shoes" is not in the map'
	sed -i 's/refuse/ignore/' "$BATS_TEST_TMPDIR/map.yaml"
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/in.csv" \
	    --map "$BATS_TEST_TMPDIR/map.yaml"
	assert_stderr 'notice: '
	assert_stderr 'in.csv: column "Shoes" is not imported'
	printf 'fields:\n  last_name: Nom\n' >"$BATS_TEST_TMPDIR/map2.yaml"
	run -65 --separate-stderr imp "$BATS_TEST_TMPDIR/in.csv" \
	    --map "$BATS_TEST_TMPDIR/map2.yaml"
	assert_stderr 'the map'"'"'s column "Nom" (last_name) is not in the file'
}

@test "import: a map's transforms and values" {
	cat >"$BATS_TEST_TMPDIR/map.yaml" <<-'EOF'
	date_format: mdy
	fields:
	  mrn: Chart No
	  last_name:
	    column: SURNAME
	    transforms: [trim, title-case]
	  first_name: { column: Given, transforms: [strip-trailing-digits] }
	  dob: Birth Date
	  sex:
	    column: Gender
	    values: { "1": M, "2": F }
	  status:
	    column: Active
	    values: { Y: active, N: inactive }
	  state: { column: State, transforms: [state-code] }
	ignore: [Balance]
	EOF
	printf 'Chart No,SURNAME,Given,Birth Date,Gender,Active,State,Balance\n007,SMITH-JONES,Pat12,12/31/1980,2,N,new york,10.00\n' \
	    >"$BATS_TEST_TMPDIR/in.csv"
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/in.csv" \
	    --map "$BATS_TEST_TMPDIR/map.yaml"
	[[ $stderr != *Balance* ]]
	run -0 pms-sql "SELECT mrn, last_name, first_name, dob, sex, status,
	    state FROM patients"
	assert_output '007|Smith-Jones|Pat|1980-12-31|F|inactive|NY'
}

@test "import: Synthea's patients.csv with share/maps/synthea.yaml" {
	local f="$BATS_TEST_DIRNAME/fixtures/external/synthea/patients.csv"
	run -0 --separate-stderr imp "$f" --map "$TOP/share/maps/synthea.yaml"
	assert_output --partial '18,18,0,0,0,0,no'
	[ -z "$stderr" ]
	run -0 pms-sql "SELECT mrn, last_name, first_name, dob, sex, status,
	    deceased_on, ssn, street, city, state, zip FROM patients WHERE id
	    IN (1, 2, 3)"
	assert_output "3edac2e3-d223-6fae-d515-daf96ef6bc76|Mosciski|Maynard|2014-10-06|M|active||999175017|784 Stamm Lock Unit 46|Somerville|MA|02155
9d188916-8390-282b-3ec2-73fce6e08649|Schmidt|Curt|2008-04-07|M|active||999508136|171 Kemmer Neck Apt 30|Mashpee|MA|
261ad2a4-7c6f-da54-6a5b-3441beab9a6a|Mann|Gene|1973-10-28|M|deceased|1976-07-25|999453308|940 Daniel Union|Orleans|MA|02653"
	run -0 pms-sql "SELECT count(*) FROM patients WHERE last_name GLOB
	    '*[0-9]*' OR first_name GLOB '*[0-9]*'"
	assert_output 0
	run -0 pms-sql "SELECT status, count(*) FROM patients GROUP BY status"
	assert_output $'active|16\ndeceased|2'
	run -0 imp "$f" --map "$TOP/share/maps/synthea.yaml"
	assert_output --partial '18,0,0,18,0,0,no'
	# no SSN in the access log
	run -0 pms-sql "SELECT fields FROM audit WHERE action = 'patient.import'
	    ORDER BY id LIMIT 1"
	assert_output 'mrn,last_name,first_name,dob,sex,street,city,state,zip,deceased_on,ssn'
	audit_dump >"$BATS_TEST_TMPDIR/audit"
	if grep -qE '999[0-9]{6}|999-' "$BATS_TEST_TMPDIR/audit"; then
		fail "an SSN in the access log"
	fi
}

@test "import: the export of the registry imports into another store unchanged" {
	run -0 imp "$BATS_TEST_DIRNAME/fixtures/external/synthea/patients.csv" \
	    --map "$TOP/share/maps/synthea.yaml"
	run -0 imp "$FIX/quirks-semicolon.csv"
	run -0 pms-patient update 1 --email pat@example.org --sms-consent yes \
	    --language pt-BR --first-visit 2024-01-01T12:00
	pms-patient export -o csv >"$BATS_TEST_TMPDIR/export.csv"
	cols='mrn, last_name, first_name, middle_name, suffix, preferred_name,
	    dob, sex, street, street2, city, state, zip, country, phone,
	    mobile_phone, work_phone, email, preferred_contact, sms_consent,
	    email_consent, language, first_visit, status, deceased_on'
	pms-sql "SELECT $cols FROM patients ORDER BY id" >"$BATS_TEST_TMPDIR/a"
	fresh_store
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/export.csv"
	[ -z "$stderr" ]
	assert_output --partial '21,21,0,0,0,0,no'
	pms-sql "SELECT $cols FROM patients ORDER BY id" >"$BATS_TEST_TMPDIR/b"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	# and JSON Lines the same way
	pms-patient export -o json >"$BATS_TEST_TMPDIR/export.json"
	fresh_store
	run -0 imp "$BATS_TEST_TMPDIR/export.json"
	pms-sql "SELECT $cols FROM patients ORDER BY id" >"$BATS_TEST_TMPDIR/c"
	diff -u "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/c"
}

@test "import: the front desk may import; a clinician may not (77, logged)" {
	run -0 as desk pms-patient import "$FIX/b10-bom.csv" -o csv
	run -0 pms-sql "SELECT user, action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'desk|patient.import'
	run -77 --separate-stderr as biller pms-patient import "$FIX/b13-zeros.csv"
	assert_stderr 'may not do patient.import'
	refute_phi "$stderr"
}

# ---- duplicates and merge ---------------------------------------------

@test "duplicates: same birth date and a like name, same SSN, phone and first name" {
	pat Example Pat 1980-01-15 --mrn A >/dev/null		# 1
	pat Exampel Pat 1980-01-15 --mrn B >/dev/null		# 2: a typo
	pat Example Patricia 1980-01-15 >/dev/null		# 3: Pat ...
	pat Example Sam 1980-01-15 --ssn 000-12-3456 >/dev/null	# 4
	pat Sample Jo 1970-01-01 --ssn 000123456 >/dev/null	# 5
	pat Demo Lee 1990-01-01 --phone 617-555-0100 >/dev/null	# 6
	pat Demmo Lee 1991-02-02 --phone 6175550100 >/dev/null	# 7
	pat Demo Kim 1992-03-03 --phone 6175550100 >/dev/null	# 8: a sibling
	run -0 pms-patient duplicates -o csv
	assert_output 'group_id,patients,patient_ids,why
1,3,"1,2,3",dob+name
2,2,"4,5",ssn
3,2,"6,7",phone+first_name'
	run -0 pms-sql "SELECT action, group_concat(patient_id) FROM audit JOIN
	    audit_patient ON audit_id = id WHERE action = 'patient.duplicates'"
	assert_output 'patient.duplicates|1,2,3,4,5,6,7'
}

@test "merge: policies and guarantor links move; drop points at keep" {
	keep=$(pat Example Pat 1980-01-15 --mrn KEEP-1)
	drop=$(pat Exampel Pat 1980-01-15 --mrn DROP-1)
	kid=$(pat Example Jo 2015-05-05)
	pms-patient policy add "$drop" --payer acme --member-id XK0001 \
	    --from 2026-01-01 >/dev/null
	pms-patient guarantor set "$kid" --relationship parent \
	    --patient "$drop" >/dev/null
	run -0 --separate-stderr pms-patient merge "$keep" "$drop" -o csv
	# a line for each row of the merge table: later modules add theirs
	assert_line --index 0 'table,column,rows'
	assert_line --index 1 'policies,patient_id,1'
	assert_line --index 2 'guarantors,patient_id,1'
	assert_line 'appointments,patient_id,0'
	assert_line 'charges,patient_id,0'
	assert_stderr "merged patient $drop into $keep"
	run -0 pms-sql "SELECT patient_id FROM policies"
	assert_output "$keep"
	run -0 pms-sql "SELECT patient_id FROM guarantors"
	assert_output "$keep"
	run -0 pms-sql "SELECT id, merged_into FROM patients WHERE id = $drop"
	assert_output "$drop|$keep"
	run -0 pms-sql "SELECT action, fields, group_concat(patient_id) FROM
	    audit JOIN audit_patient ON audit_id = id WHERE action =
	    'patient.merge'"
	assert_output "patient.merge|merged_into|$keep,$drop"
	# lookups of drop, by id or MRN, say where it went
	run -0 --separate-stderr pms-patient show "$drop" -o csv
	assert_stderr "patient $drop was merged into $keep"
	assert_line --index 1 --partial "$keep,KEEP-1,"
	run -0 --separate-stderr pms-patient show --mrn DROP-1 -o csv
	assert_line --index 1 --partial "$keep,KEEP-1,"
	# drop is out of the lists, and cannot be changed or merged again
	run -0 pms-patient list -o csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 pms-patient list --merged -o csv
	[ "${#lines[@]}" -eq 4 ]
	run -1 --separate-stderr pms-patient update "$drop" --city Boston
	assert_stderr "patient $drop was merged into $keep"
	run -1 --separate-stderr pms-patient merge "$keep" "$drop"
	assert_stderr 'was merged into'
	run -0 pms-patient duplicates -o csv
	[ "${#lines[@]}" -eq 1 ]
}

@test "merge: --dry-run says what would move and writes nothing" {
	pat Example Pat 1980-01-15 >/dev/null
	pat Exampel Pat 1980-01-15 >/dev/null
	pms-patient policy add 2 --payer acme --member-id X1 >/dev/null
	run -0 --separate-stderr pms-patient merge 1 2 --dry-run -o csv
	assert_line --index 1 'policies,patient_id,1'
	assert_stderr 'would merge patient 2 into 1'
	run -0 pms-sql "SELECT patient_id FROM policies"
	assert_output 2
	run -0 pms-sql "SELECT count(*) FROM patients WHERE merged_into IS NOT
	    NULL"
	assert_output 0
}

@test "merge: keep takes drop's guarantor when it has none" {
	pat Example Pat 2015-01-15 >/dev/null
	pat Exampel Pat 2015-01-15 >/dev/null
	pms-patient guarantor set 2 --relationship parent --last-name Example \
	    --first-name Lee >/dev/null
	run -0 pms-patient merge 1 2 -o csv
	run -0 pms-sql "SELECT guarantor_id, guarantor_relationship FROM
	    patients WHERE id = 1"
	assert_output '1|parent'
	run -0 pms-sql "SELECT fields FROM audit WHERE action = 'patient.merge'"
	assert_output 'merged_into,guarantor'
}

@test "merge: refused when keep would have two primaries on one day" {
	pat Example Pat 1980-01-15 >/dev/null
	pat Exampel Pat 1980-01-15 >/dev/null
	pms-patient policy add 1 --payer acme --member-id X1 \
	    --from 2026-01-01 >/dev/null
	pms-patient policy add 2 --payer bluecross --member-id B1 \
	    --from 2026-06-01 >/dev/null
	run -1 --separate-stderr pms-patient merge 1 2
	assert_stderr 'policies 1 and 2 would both be of one priority on the same days'
	run -0 pms-sql "SELECT patient_id FROM policies ORDER BY id"
	assert_output $'1\n2'
	run -0 pms-patient policy end 1 --on 2026-05-31
	run -0 pms-patient merge 1 2 -o csv
	run -1 --separate-stderr pms-patient merge 1 1
	assert_stderr 'cannot be merged into themself'
	run -1 --separate-stderr pms-patient merge 1 99
	assert_stderr 'no patient 99'
}

@test "merge: every (table, column) of the merge table is moved" {
	# the table in lib/patient.c and the tables that point at patients
	# in the schema: each reference to patients(id) must be in it,
	# except the registry's own pointers
	run -0 pms-sql "SELECT m.name || '.' || f.\"from\" FROM sqlite_schema m,
	    pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND
	    f.\"table\" = 'patients' AND m.name <> 'patients' ORDER BY 1"
	refs=$output
	for r in $refs; do
		grep -qE "\{ \"${r%%.*}\", \"${r#*.}\"," "$TOP/lib/patient.c" ||
		    fail "$r points at patients but is not in the merge table"
	done
}

# ---- guarantors -----------------------------------------------------------

@test "guarantor: a parent of their own, shared by siblings; show and clear" {
	kid=$(pat Example Jo 2015-05-05)
	sib=$(pat Example Al 2017-07-07)
	run -0 pms-patient guarantor set "$kid" --relationship mother \
	    --last-name Example --first-name Lee --street '1 Main St' \
	    --city Springfield --state OH --zip 45502 --phone 937-555-0100
	assert_output 1
	run -0 pms-patient guarantor set "$sib" --relationship parent \
	    --guarantor 1
	assert_output 1
	run -0 pms-patient guarantor show "$sib" -o csv
	assert_output "patient_id,guarantor_id,relationship,guarantor_patient_id,last_name,first_name,middle_name,suffix,dob,street,street2,city,state,zip,country,phone,email
2,1,parent,,Example,Lee,,,,1 Main St,,Springfield,OH,45502,US,'+19375550100,"
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action =
	    'patient.guarantor' ORDER BY id"
	assert_line --index 0 'patient.guarantor|guarantor_id,guarantor_relationship,guarantor.last_name,guarantor.first_name,guarantor.street,guarantor.city,guarantor.state,guarantor.zip,guarantor.phone'
	run -0 pms-patient guarantor clear "$kid"
	run -0 pms-patient guarantor show "$kid" -o csv
	assert_line --index 1 --partial '1,,self,'
	run -0 pms-sql "SELECT count(*) FROM guarantors"
	assert_output 1
}

@test "guarantor: another patient pays; their name and address are theirs" {
	mum=$(pat Example Lee 1980-01-15 --city Dayton)
	kid=$(pat Example Jo 2015-05-05)
	run -0 pms-patient guarantor set "$kid" --relationship parent \
	    --patient "$mum"
	run -0 pms-patient guarantor show "$kid" -o json
	[[ $output == *'"guarantor_patient_id":1,"last_name":"Example","first_name":"Lee"'*'"city":"Dayton"'* ]]
	run -0 pms-patient update "$mum" --city Columbus
	run -0 pms-patient guarantor show "$kid" -o json
	[[ $output == *'"city":"Columbus"'* ]]
	run -1 --separate-stderr pms-patient guarantor set "$kid" \
	    --relationship parent --patient "$kid"
	assert_stderr 'their own guarantor needs none'
}

@test "guarantor: bad input is named; unknown ids are refused" {
	kid=$(pat Example Jo 2015-05-05)
	run -64 --separate-stderr pms-patient guarantor set "$kid" \
	    --last-name Zztest --first-name Zebediah
	assert_stderr '--relationship is needed'
	run -64 --separate-stderr pms-patient guarantor set "$kid" \
	    --relationship uncle --last-name Zztest --first-name Zebediah
	assert_stderr '--relationship: expected spouse, parent, child, guardian or other'
	run -65 --separate-stderr pms-patient guarantor set "$kid" \
	    --relationship parent --last-name 'Zztest9' --first-name Zebediah \
	    --zip 123
	assert_stderr 'guarantor last_name: digits are not allowed in a name'
	assert_stderr 'guarantor zip: not a ZIP code'
	refute_phi "$stderr"
	run -1 --separate-stderr pms-patient guarantor set "$kid" \
	    --relationship parent --guarantor 9
	assert_stderr 'no guarantor 9'
	run -1 --separate-stderr pms-patient guarantor show 77
	assert_stderr 'no patient 77'
	run -64 --separate-stderr pms-patient guarantor set "$kid" \
	    --relationship parent
	assert_stderr 'give one guarantor'
}

# ---- policies ------------------------------------------------------------

@test "policy add: self, and a child on a parent's plan; list by priority" {
	id=$(pat Example Jo 2015-05-05)
	run -0 pms-patient policy add "$id" --payer acme --member-id 00XK01 \
	    --group-number G7 --from 2026-01-01 -o csv
	assert_output $'policy_id,patient_id\n1,1'
	run -0 pms-patient policy add "$id" --payer bluecross \
	    --member-id BC02 --priority secondary --relationship child \
	    --subscriber-last-name Example --subscriber-first-name Lee \
	    --subscriber-dob 1980-01-15 --subscriber-sex f -o csv
	run -0 pms-patient policy list "$id" -o csv
	assert_output "policy_id,patient_id,payer,priority,member_id,group_number,relationship,subscriber_last_name,subscriber_first_name,subscriber_middle_name,subscriber_suffix,subscriber_dob,subscriber_sex,subscriber_street,subscriber_street2,subscriber_city,subscriber_state,subscriber_zip,effective_from,effective_to
1,1,acme,primary,00XK01,G7,self,,,,,,,,,,,,2026-01-01,
2,1,bluecross,secondary,BC02,,child,Example,Lee,,,1980-01-15,F,,,,,,,"
	run -0 pms-sql "SELECT p.member_id, y.code FROM policies p JOIN payers y
	    ON y.id = p.payer_id ORDER BY p.id"
	assert_output $'00XK01|acme\nBC02|bluecross'
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action LIKE
	    'patient.policy.%' ORDER BY id"
	assert_line --index 0 'patient.policy.add|payer,member_id,group_number,effective_from'
	assert_line --index 2 'patient.policy.list|policies'
}

@test "policy add: one of a priority a day; end one and add the next" {
	id=$(pat Example Jo 2015-05-05)
	pms-patient policy add "$id" --payer acme --member-id A1 \
	    --from 2026-01-01 >/dev/null
	run -1 --separate-stderr pms-patient policy add "$id" --payer medicaid \
	    --member-id M1 --from 2026-03-01
	assert_stderr 'policy 1 is of that priority on some of the same days'
	run -0 pms-patient policy end 1 --on 2026-02-28
	run -0 pms-patient policy add "$id" --payer medicaid --member-id M1 \
	    --from 2026-03-01
	run -0 pms-sql "SELECT id, effective_from, effective_to FROM policies"
	assert_output $'1|2026-01-01|2026-02-28\n2|2026-03-01|'
	run -1 --separate-stderr pms-patient policy end 2 --on 2026-01-01
	assert_stderr 'starts after that day'
	run -1 --separate-stderr pms-patient policy end 9 --on 2026-01-01
	assert_stderr 'no policy 9'
}

@test "policy add: bad input named; an unknown payer or patient refused" {
	id=$(pat Example Jo 2015-05-05)
	run -65 --separate-stderr pms-patient policy add "$id" --payer acme
	assert_stderr 'member_id: missing'
	run -65 --separate-stderr pms-patient policy add "$id" --payer acme \
	    --member-id X --relationship child
	assert_stderr 'subscriber_last_name: needed when the subscriber is not the patient'
	assert_stderr 'subscriber_dob: needed'
	run -65 --separate-stderr pms-patient policy add "$id" --payer acme \
	    --member-id X --priority fourth --from 2026-02-30
	assert_stderr 'priority: expected primary, secondary or tertiary'
	assert_stderr 'effective_from: '
	run -1 --separate-stderr pms-patient policy add "$id" --payer nope \
	    --member-id X
	assert_stderr 'unknown payer "nope"'
	run -1 --separate-stderr pms-patient policy add 42 --payer acme \
	    --member-id X
	assert_stderr 'no patient 42'
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 0
}

@test "policy import: by MRN; the same file twice adds nothing; bad rows named" {
	run -0 imp "$FIX/update-1.csv"
	run -0 --separate-stderr pms-patient policy import "$FIX/policies.csv" \
	    -o csv
	assert_output --partial '3,3,0,0,0,0,no'
	run -0 pms-sql "SELECT patient_id, priority, member_id, relationship,
	    effective_to FROM policies ORDER BY id"
	assert_output $'1|1|XK0001|self|\n2|1|BC0002|child|\n2|2|1EG4TE5MK72|self|2026-12-31'
	run -0 pms-patient policy import "$FIX/policies.csv" -o csv
	assert_output --partial '3,0,0,3,0,0,no'
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 3
	printf 'mrn,payer,member_id\nU-1,nope,X\nU-9,acme,Y\nU-2,acme,\n' \
	    >"$BATS_TEST_TMPDIR/p.csv"
	run -65 --separate-stderr pms-patient policy import "$BATS_TEST_TMPDIR/p.csv"
	assert_stderr 'p.csv: line 2: payer: unknown payer "nope"'
	assert_stderr 'p.csv: line 3: mrn: no patient with that MRN'
	assert_stderr 'p.csv: line 4: member_id: missing'
	refute_phi "$stderr"
	# what policy list writes, policy import reads
	pms-patient policy list -o csv >"$BATS_TEST_TMPDIR/list.csv"
	run -0 pms-patient policy import "$BATS_TEST_TMPDIR/list.csv" -o csv
	assert_output --partial '3,0,0,3,0,0,no'
}

@test "output: a write error is 74, said once; the read is still logged" {
	pat Example Pat 1980-01-15 >/dev/null
	run -74 --separate-stderr pms-patient list -o csv --out /dev/full
	assert_stderr 'pms-patient: /dev/full: write error: No space left on device'
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	run -74 --separate-stderr bash -c 'pms-patient export -o csv >/dev/full'
	assert_stderr 'standard output: write error: No space left on device'
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 2"
	assert_output $'patient.export\npatient.list'
}

# bats test_tags=slow
@test "import: a progress line on a terminal's stderr, none into a pipe" {
	bench-gen --patients 20000 --out "$BATS_TEST_TMPDIR/g" patients
	run -0 script -qec "pms-patient import $BATS_TEST_TMPDIR/g/patients.csv \
	    -o csv 2>&1 >/dev/null" /dev/null
	[[ $output == *$'\rpms-patient: 10000 rows'*$'\rpms-patient: 20000 rows'* ]]
	fresh_store
	run -0 --separate-stderr imp "$BATS_TEST_TMPDIR/g/patients.csv"
	[[ $stderr != *rows* ]]
	assert_output --partial '20000,20000,0,0,0,0,no'
}

# ---- what a fresh user found (plan/findings-a.md) -----------------------

# Every row of every table of the store, table by table, for comparing a
# store before and after a command.
store_dump() {
	local t sql=""
	for t in $(pms-sql "SELECT name FROM sqlite_schema WHERE type =
	    'table' ORDER BY name"); do
		sql+="SELECT '$t', * FROM \"$t\";"
	done
	pms-sql "$sql"
}

@test "dry-run: every writing command does its work and keeps none of it" {
	pat Example Pat 1980-01-15 --mrn 000101 >/dev/null
	pat Demo Jo 2015-12-03 >/dev/null
	pat Demo Lee 1983-03-30 >/dev/null
	pms-patient policy add 1 --payer acme --member-id XK1 \
	    --from 2025-01-01 >/dev/null
	pms-patient guarantor set 2 --relationship parent --patient 3 \
	    >/dev/null
	store_dump >"$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr pms-patient add --dry-run --last-name Dry \
	    --first-name Run --dob 1990-01-01 -o csv
	# the id it would have had, and no more
	assert_output $'patient_id,mrn\n4,'
	assert_stderr 'pms-patient: --dry-run: nothing was written'
	run -0 pms-patient -n update 1 --city Nowhere
	run -0 --separate-stderr pms-patient update - --dry-run \
	    <<<$'patient_id,city\n2,Dryville'
	assert_stderr '1 would be updated, 0 unchanged'
	run -0 pms-patient policy add 2 --payer acme --member-id D1 \
	    --dry-run -o csv
	run -0 pms-patient policy end 1 --on 2025-06-30 --dry-run
	run -0 pms-patient guarantor set 1 --relationship spouse \
	    --patient 3 --dry-run
	run -0 pms-patient guarantor clear 2 --dry-run
	run -0 pms-patient merge 2 3 --force --dry-run -o csv
	printf 'mrn,last_name,first_name,dob\nN-1,New,Row,1970-01-01\n' \
	    >"$BATS_TEST_TMPDIR/new.csv"
	run -0 pms-patient import "$BATS_TEST_TMPDIR/new.csv" --dry-run -o csv
	assert_output --partial '1,1,0,0,0,0,yes'
	printf 'mrn,payer,member_id,priority\n000101,acme,XK2,secondary\n' \
	    >"$BATS_TEST_TMPDIR/pol.csv"
	run -0 pms-patient policy import "$BATS_TEST_TMPDIR/pol.csv" -n -o csv
	assert_output --partial '1,1,0,0,0,0,yes'
	# not a row of any table changed, the access log included
	store_dump >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# a read given --dry-run just runs, and its entry is kept: the rows
	# went out all the same
	run -0 pms-patient list --dry-run -o csv
	[ "${#lines[@]}" -eq 4 ]
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'patient.list'
	# a file is not written, and its export is not recorded
	run -0 --separate-stderr pms-patient export --dry-run -o csv \
	    --out "$BATS_TEST_TMPDIR/x.csv"
	assert_stderr "--dry-run: $BATS_TEST_TMPDIR/x.csv was not written"
	assert_file_not_exists "$BATS_TEST_TMPDIR/x.csv"
	run -0 pms-sql "SELECT count(*) FROM exports"
	assert_output 0
}

@test "dry-run: a refusal is still on record" {
	pat Example Pat 1980-01-15 >/dev/null
	run -77 as auditor pms-patient add --dry-run --last-name Dry \
	    --first-name Run --dob 1990-01-01
	run -0 pms-sql "SELECT user, action FROM audit ORDER BY id DESC
	    LIMIT 1"
	assert_output 'auditor|denied:patient.add'
}

@test "reads: a reader that stops reading blocks no one; its entry is first" {
	bench-gen --patients 30000 --out "$BATS_TEST_TMPDIR/g" patients
	pms-patient import "$BATS_TEST_TMPDIR/g/patients.csv" -o csv \
	    >/dev/null
	# a list into a pipe nobody reads: it fills and the list waits
	start_blocked pms-patient list -o csv
	# its entry is written before a row went out
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'patient.list'
	# while it waits, the others write at once (no busy, no 75)
	run -0 pms-patient add --last-name Walk --first-name In \
	    --dob 1990-01-01 -o csv
	run -0 pms-patient update 1 --city Boston
	run -0 pms-admin backup --out "$BATS_TEST_TMPDIR/b.bak"
	finish_blocked
	# the list shows only the patients its entry names, not the new
	# one: the header (less the byte read), then a row for each
	[ "$(wc -l <"$BLOCKED_OUT")" -eq 30001 ]
	run -0 pms-sql "SELECT count(*) FROM audit_patient p JOIN audit a ON
	    a.id = p.audit_id WHERE a.action = 'patient.list'"
	assert_output 30000
}

@test "reads: refused, they print nothing, not even a header" {
	pat Example Pat 1980-01-15 --ssn 000-12-3456 >/dev/null
	run -77 --separate-stderr as desk pms-patient export --reveal -o csv
	[ -z "$output" ]
	assert_stderr 'may not do patient.export'
	# the output opens only once the store said yes
	run -64 --separate-stderr pms-patient find --dob 1990-13-45 -o csv
	[ -z "$output" ]
	assert_stderr 'pms-patient: --dob: not a valid date'
}

@test "usage: every refusal says why, then the usage" {
	run -64 --separate-stderr pms-patient policy end 1
	assert_stderr 'pms-patient: policy end: --on DATE, the last day the policy covers, is needed'
	[[ $stderr == *'usage: pms-patient'* ]]
	run -64 --separate-stderr pms-patient show 1 2 3
	assert_stderr 'show: give one patient id, or --mrn; 2 operands are too many'
	run -64 --separate-stderr pms-patient find 'Zztest Zebediah'
	assert_stderr "find: what to find goes with an option: --name 'Jane Smith'"
	refute_phi "$stderr"
	run -64 --separate-stderr pms-patient guarantor
	assert_stderr 'pms-patient: guarantor: give a subcommand (set, show, clear)'
	run -64 --separate-stderr pms-patient policy
	assert_stderr 'policy: give a subcommand (add, list, end, remove, import)'
	run -64 --separate-stderr pms-patient policy frob
	assert_stderr 'policy: unknown subcommand "frob" (add, list, end, remove, import)'
	run -64 --separate-stderr pms-patient list -xq
	assert_stderr 'unknown option "-x" in "-xq"'
	run -64 --separate-stderr pms-patient merge 1
	assert_stderr 'merge: give two patient ids: the one to keep, then the one to drop'
}

@test "import --skip-invalid /dev/stdout: the rejects on standard output, the link kept" {
	[ -L /dev/stdout ]
	run -0 --separate-stderr pms-patient import "$FIX/bad.csv" -o csv \
	    --skip-invalid /dev/stdout
	assert_line --index 0 '"mrn","last_name","first_name","dob","sex","email","phone","reject_reason"'
	assert_output --partial '5,2,0,0,0,3,no'
	[ -L /dev/stdout ]
	# nor is the file being imported written over
	cp "$FIX/bad.csv" "$BATS_TEST_TMPDIR/in.csv"
	ln -s in.csv "$BATS_TEST_TMPDIR/link.csv"
	run -64 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/in.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/link.csv"
	# (a link is never replaced, wherever it points)
	[[ $stderr == *'is the file being imported; name another file'* ||
	    $stderr == *'that is a symbolic link (name the file itself)'* ]] ||
	    fail "$stderr"
	cmp "$FIX/bad.csv" "$BATS_TEST_TMPDIR/in.csv"
	# a dry run says the file would be written, and writes none
	run -0 --separate-stderr pms-patient import "$FIX/bad.csv" -o csv \
	    --dry-run --skip-invalid "$BATS_TEST_TMPDIR/r.csv"
	assert_stderr "3 rows rejected; --dry-run: $BATS_TEST_TMPDIR/r.csv was not written"
	assert_file_not_exists "$BATS_TEST_TMPDIR/r.csv"
}

@test "messages: no value of a patient's, whatever the input" {
	pat Zztest Zebediah 1957-03-14 --mrn 000101 >/dev/null
	# a file without its header line: the first row is no header
	printf '000101,Zztest,Zebediah,1957-03-14,078-05-1120\n' \
	    >"$BATS_TEST_TMPDIR/nohdr.csv"
	run -65 --separate-stderr pms-patient import \
	    "$BATS_TEST_TMPDIR/nohdr.csv" --dry-run -o csv
	assert_stderr 'nohdr.csv: the first line names no field pms knows: is there a header line?'
	refute_phi "$stderr"
	[[ $stderr != *Zebediah* && $stderr != *000101* ]]
	# a payer that is not the shape of a code is not quoted
	printf 'mrn,payer,member_id\n000101,Zztest Zebediah 1957-03-14,XK1\n' \
	    >"$BATS_TEST_TMPDIR/badpol.csv"
	run -65 --separate-stderr pms-patient policy import \
	    "$BATS_TEST_TMPDIR/badpol.csv" --dry-run
	assert_stderr 'line 2: payer: unknown payer: not a code of the configuration'
	refute_phi "$stderr"
	run -1 --separate-stderr pms-patient policy add 1 \
	    --payer 'Zztest Zebediah' --member-id X1
	refute_phi "$stderr"
	# a code-shaped one is
	run -1 --separate-stderr pms-patient policy add 1 --payer acme2 \
	    --member-id X1
	assert_stderr 'unknown payer "acme2"'
	run -64 --separate-stderr pms-patient show 'Zztest Zebediah'
	assert_stderr 'a patient id is a number (digits only)'
	refute_phi "$stderr"
	# header names that are not words are told by their place
	printf 'mrn,last_name,first_name,dob,Zztest Zebediah\n' \
	    >"$BATS_TEST_TMPDIR/extra.csv"
	run -0 --separate-stderr pms-patient import \
	    "$BATS_TEST_TMPDIR/extra.csv" -o csv
	assert_stderr 'column 5 is not imported'
	refute_phi "$stderr"
}

@test "import: a directory is 66, an empty input 'no rows', a closed one 74" {
	run -66 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR" -o csv
	assert_stderr "cannot open \"$BATS_TEST_TMPDIR\": Is a directory"
	run -66 --separate-stderr pms-patient policy import "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr pms-patient import -o csv </dev/null
	assert_stderr 'pms-patient: standard input: no rows'
	[[ $stderr != *'no column is'* ]]
	assert_output --partial '0,0,0,0,0,0,no'
	run -74 --separate-stderr bash -c 'pms-patient import -o csv <&-'
	assert_stderr 'standard input: read error: Bad file descriptor'
}

@test "policy add before any configuration is 78" {
	fresh_store
	rm -rf "$STORE" "$STORE.keys" "$STORE.lock.d"
	pms-admin init --kdf interactive >/dev/null 2>&1
	pat Example Pat 1980-01-15 >/dev/null
	run -78 --separate-stderr pms-patient policy add 1 --payer acme \
	    --member-id X1
	assert_stderr 'the practice has no configuration yet'
	printf 'patient_id,payer,member_id\n1,acme,X1\n' \
	    >"$BATS_TEST_TMPDIR/p.csv"
	run -78 --separate-stderr pms-patient policy import \
	    "$BATS_TEST_TMPDIR/p.csv"
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 0
}

@test "import --encoding windows-1252 of a UTF-8 file is refused; a 1252 file without it is told" {
	printf 'mrn,last_name,first_name,dob,city\nM1,Weiß,Ann,1990-01-01,Zürich\n' \
	    >"$BATS_TEST_TMPDIR/utf8.csv"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/utf8.csv" \
	    --encoding windows-1252 -o csv
	assert_stderr 'utf8.csv: the file is UTF-8 already: leave out the Windows-1252 encoding (--encoding, or the map'
	printf 'encoding: windows-1252\nfields:\n  mrn: mrn\n  last_name: last_name\n  first_name: first_name\n  dob: dob\n  city: city\n' \
	    >"$BATS_TEST_TMPDIR/map.yaml"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/utf8.csv" \
	    --map "$BATS_TEST_TMPDIR/map.yaml" -o csv
	assert_stderr 'the file is UTF-8 already'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 0
	iconv -f utf-8 -t windows-1252 "$BATS_TEST_TMPDIR/utf8.csv" \
	    >"$BATS_TEST_TMPDIR/cp.csv"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/cp.csv" -o csv
	assert_stderr 'cp.csv: line 2: last_name: not valid UTF-8 (saved by Excel on Windows? give --encoding windows-1252)'
	run -0 pms-patient import "$BATS_TEST_TMPDIR/cp.csv" -o csv \
	    --encoding windows-1252
	run -0 pms-sql "SELECT last_name, city FROM patients"
	assert_output 'Weiß|Zürich'
}

@test "import --update: an MRN of a patient with another name and birth date is refused" {
	pat Example Pat 1980-01-15 --mrn 000101 >/dev/null
	printf 'mrn,last_name,first_name,dob\n000101,Other,Person,1955-05-05\n' \
	    >"$BATS_TEST_TMPDIR/other.csv"
	run -65 --separate-stderr pms-patient import \
	    "$BATS_TEST_TMPDIR/other.csv" --update -o csv
	assert_stderr 'other.csv: line 2: mrn: the MRN belongs to a patient with another name and date of birth'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT last_name, dob FROM patients"
	assert_output 'Example|1980-01-15'
	# a name changed, the birth date the same: an update
	printf 'mrn,last_name,first_name,dob\n000101,Married,Pat,1980-01-15\n' \
	    >"$BATS_TEST_TMPDIR/wed.csv"
	run -0 pms-patient import "$BATS_TEST_TMPDIR/wed.csv" --update -o csv
	run -0 pms-sql "SELECT last_name FROM patients"
	assert_output 'Married'
}

@test "MRNs: blanks dropped wherever typed; JSON reals refused; zeros a spreadsheet lost warned of" {
	run -0 pms-patient add --mrn ' 000777 ' --last-name Example \
	    --first-name Pat --dob 1980-01-15 -o csv
	assert_output $'patient_id,mrn\n1,000777'
	run -0 pms-sql "SELECT '[' || mrn || ']' FROM patients"
	assert_output '[000777]'
	# the same patient, found and matched by the MRN with blanks
	run -0 pms-patient show --mrn '000777 ' -o csv
	run -0 pms-patient find --mrn ' 000777' -o csv
	[ "${#lines[@]}" -eq 2 ]
	printf 'mrn,last_name,first_name,dob\n 000777 ,Example,Pat,1980-01-15\n' \
	    >"$BATS_TEST_TMPDIR/b.csv"
	run -0 pms-patient import "$BATS_TEST_TMPDIR/b.csv" -o csv
	assert_output --partial '1,0,0,1,0,0,no'
	run -0 pms-patient update 1 --mrn '000778  '
	run -0 pms-sql "SELECT '[' || mrn || ']' FROM patients"
	assert_output '[000778]'
	# a JSON number as MRN: an integer is its digits, a real refused
	printf '{"mrn":1.50,"last_name":"Zztest","first_name":"Ann","dob":"1970-01-01"}\n{"mrn":1e3,"last_name":"Zztest","first_name":"Bo","dob":"1970-01-01"}\n' \
	    >"$BATS_TEST_TMPDIR/j.jsonl"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/j.jsonl" -o csv
	assert_stderr 'j.jsonl: line 1: mrn: give it as text (a JSON string)'
	assert_stderr 'j.jsonl: line 2: mrn: give it as text'
	printf '{"mrn":4242,"last_name":"Zztest","first_name":"Cy","dob":"1970-01-01"}\n' \
	    >"$BATS_TEST_TMPDIR/i.jsonl"
	run -0 pms-patient import "$BATS_TEST_TMPDIR/i.jsonl" -o csv
	run -0 pms-sql "SELECT mrn FROM patients WHERE first_name = 'Cy'"
	assert_output 4242
	# the spreadsheet made 000778 into 778: told once, with the first line
	printf 'mrn,last_name,first_name,dob\n778,Example,Pat,1980-01-15\n' \
	    >"$BATS_TEST_TMPDIR/z.csv"
	run -0 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/z.csv" \
	    --dry-run -o csv
	assert_stderr "warning: 1 new patient whose MRN is a patient's but for its leading zeros (first on line 2)"
}

@test "update -: the masked SSN that show and export print is unchanged" {
	pat Example Pat 1980-01-15 --ssn 078-05-1120 >/dev/null
	pms-patient show 1 -o csv >"$BATS_TEST_TMPDIR/one.csv"
	run -0 --separate-stderr pms-patient update - <"$BATS_TEST_TMPDIR/one.csv"
	assert_stderr '0 updated, 1 unchanged'
	sed 's/\*\*\*-\*\*-1120/***-**-9999/' "$BATS_TEST_TMPDIR/one.csv" \
	    >"$BATS_TEST_TMPDIR/edited.csv"
	run -65 --separate-stderr pms-patient update - \
	    <"$BATS_TEST_TMPDIR/edited.csv"
	assert_stderr "line 2: ssn: masked, and not as the patient's shows"
	[[ $stderr != *1120* && $stderr != *9999* ]]
	run -0 pms-sql "SELECT ssn FROM patients"
	assert_output 078051120
}

@test "find: an empty or wildcard-only selector is refused, not everyone" {
	pat Example Pat 1980-01-15 >/dev/null
	local n
	for n in '' '%' '*' "'" '"' ' '; do
		run -64 --separate-stderr pms-patient find --name "$n" -o csv
		assert_stderr '--name: give a name, or the start of one'
		[ -z "$output" ]
	done
	run -64 --separate-stderr pms-patient find --mrn '' -o csv
	run -64 --separate-stderr pms-patient find --dob '' -o csv
	run -64 --separate-stderr pms-patient find --phone '' -o csv
	run -0 pms-patient find --name exa -o csv
	[ "${#lines[@]}" -eq 2 ]
}

@test "import: JSON keys of no field are told, arrays and objects are not values" {
	printf '{"mrn":"J1","last_name":["Zztest"],"first_name":"Ann","dob":"1970-01-01","favourite_colour":"red"}\n' \
	    >"$BATS_TEST_TMPDIR/j.jsonl"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/j.jsonl" -o csv
	assert_stderr 'j.jsonl: field "favourite_colour" is not imported'
	assert_stderr 'j.jsonl: line 1: last_name: a JSON array or object: give a value'
	[[ $stderr != *'a character a name may not have'* ]]
	printf '["J1","Zztest"]\n' >"$BATS_TEST_TMPDIR/a.jsonl"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/a.jsonl" -o csv
	assert_stderr 'a.jsonl: line 1: a line must be a JSON object'
	printf '{"mrn":"J1","last_name":"Zz\\u0000test","first_name":"Ann","dob":"1970-01-01"}\n' \
	    >"$BATS_TEST_TMPDIR/n.jsonl"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/n.jsonl" -o csv
	assert_stderr 'n.jsonl: line 1: column'
	assert_stderr 'a NUL character (\u0000) in a string'
	[[ $stderr != *JSON_ALLOW_NUL* ]]
}

@test "policy import: a clash with a row of the same file names its line" {
	pat Example Pat 1980-01-15 --mrn P-1 >/dev/null
	printf 'mrn,payer,member_id,effective_from\nP-1,acme,M1,2025-01-01\nP-1,acme,M2,2025-03-01\n' \
	    >"$BATS_TEST_TMPDIR/p.csv"
	run -65 --separate-stderr pms-patient policy import "$BATS_TEST_TMPDIR/p.csv"
	assert_stderr 'p.csv: line 3: priority: line 2 is a policy of that priority on some of the same days'
	[[ $stderr != *'policy 1'* ]]
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 0
}

@test "merge: the same insurance card registered twice is kept once" {
	a=$(pat Twin Card 1960-06-06)
	b=$(pat Twin Card 1960-06-06)
	pms-patient policy add "$a" --payer acme --member-id M1 \
	    --from 2025-01-01 >/dev/null
	pms-patient policy add "$b" --payer acme --member-id M1 \
	    --from 2025-01-01 >/dev/null
	run -0 --separate-stderr pms-patient merge "$a" "$b" -o csv
	assert_stderr "1 policy of patient $b was the same as patient $a's: kept once"
	assert_line --index 1 'policies,patient_id,0'
	run -0 pms-sql "SELECT id, patient_id FROM policies"
	assert_output "1|$a"
	# another card of the same priority still refuses the merge
	c=$(pat Twin Card 1960-06-06)
	pms-patient policy add "$c" --payer acme --member-id M2 \
	    --from 2025-01-01 >/dev/null
	run -1 --separate-stderr pms-patient merge "$a" "$c"
	assert_stderr 'would both be of one priority on the same days'
}

@test "policy remove: one entered in error goes, audited; an unknown one is 1" {
	pat Example Pat 1980-01-15 >/dev/null
	pms-patient policy add 1 --payer acme --member-id M1 \
	    --from 2025-01-01 >/dev/null
	run -0 --separate-stderr pms-patient policy remove 1 --dry-run
	assert_stderr 'policy 1 would be removed'
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 1
	run -0 --separate-stderr pms-patient policy remove 1
	assert_stderr 'pms-patient: policy 1 removed'
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 0
	run -0 pms-sql "SELECT action, fields, group_concat(patient_id) FROM
	    audit JOIN audit_patient ON audit_id = id WHERE action =
	    'patient.policy.remove'"
	assert_output 'patient.policy.remove|policies|1'
	# the next card of that priority goes in without a clash
	run -0 pms-patient policy add 1 --payer acme --member-id M2 \
	    --from 2025-01-01
	run -1 --separate-stderr pms-patient policy remove 9
	assert_stderr 'no policy 9'
	run -77 --separate-stderr as auditor pms-patient policy remove 2
}

@test "merge: two dates of birth are two people, unless --force" {
	pat Example Pat 1980-01-15 >/dev/null
	pat Example Pat 1980-01-16 >/dev/null
	run -1 --separate-stderr pms-patient merge 1 2
	assert_stderr 'patients 1 and 2 have different dates of birth: likely two people; give --force if one of the dates is wrong'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM patients WHERE merged_into IS NOT
	    NULL"
	assert_output 0
	run -0 --separate-stderr pms-patient merge 1 2 --force -o csv
	run -0 pms-sql "SELECT merged_into FROM patients WHERE id = 2"
	assert_output 1
}

@test "duplicates: 3000 identical records are one group, one line" {
	# by MRN, every one a record of its own
	python3 -c "print('mrn,last_name,first_name,dob'); [print('S%d,Same,Person,1970-01-01' % i) for i in range(3000)]" \
	    >"$BATS_TEST_TMPDIR/same.csv"
	pms-patient import "$BATS_TEST_TMPDIR/same.csv" -o csv >/dev/null
	run -0 pms-patient duplicates -o csv
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == '1,3000,"1,2,3,'*',3000",dob+name' ]]
	run -0 pms-sql "SELECT count(*) FROM audit_patient p JOIN audit a ON
	    a.id = p.audit_id WHERE a.action = 'patient.duplicates'"
	assert_output 3000
}

@test "add: the same name and birth date as a patient's is warned of, and added" {
	pat Zztest Zebediah 1957-03-14 >/dev/null
	run -0 --separate-stderr pms-patient add --last-name ZZTEST \
	    --first-name zebediah --dob 1957-03-14 -o csv
	assert_output $'patient_id,mrn\n2,'
	assert_stderr 'pms-patient: warning: patient 1 has the same name and date of birth: if they are one person, merge them (pms-patient merge 1 2)'
	refute_phi "$stderr"
	run -0 --separate-stderr pms-patient add --last-name Zztest \
	    --first-name Zebediah --dob 1957-03-14 -o csv
	assert_stderr 'pms-patient: warning: 2 patients (the first: 1) have the same name and date of birth: see pms-patient duplicates'
	# another birth date, another first name: no warning
	run -0 --separate-stderr pms-patient add --last-name Zztest \
	    --first-name Zebediah --dob 1957-03-15 -o csv
	[ -z "$stderr" ]
	run -0 --separate-stderr pms-patient add --last-name Zztest \
	    --first-name Zachary --dob 1957-03-14 -o csv
	[ -z "$stderr" ]
	# one merged away is no longer a patient of its own
	pms-patient merge 1 2 >/dev/null
	pms-patient merge 1 3 >/dev/null
	run -0 --separate-stderr pms-patient add --last-name Zztest \
	    --first-name Zebediah --dob 1957-03-14 -o csv
	assert_stderr 'warning: patient 1 has the same name'
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 6
}

@test "validation: birth dates 130 years back, first visits to come, countries outside ISO 3166" {
	local old
	old=$(date -d '-131 years' +%F)
	run -65 --separate-stderr pms-patient add --last-name Example \
	    --first-name Pat --dob "$old"
	assert_stderr 'pms-patient: dob: a date more than 130 years ago'
	[[ $stderr != *"$old"* ]]
	run -0 pms-patient add --last-name Example --first-name Pat \
	    --dob "$(date -d '-129 years' +%F)" -o csv
	run -65 --separate-stderr pms-patient add --last-name Example \
	    --first-name Jo --dob 1990-01-01 --first-visit "$(date -d '+2 days' +%F)"
	assert_stderr 'pms-patient: first_visit: a date in the future'
	run -65 --separate-stderr pms-patient update 1 \
	    --first-visit "$(date -d '+3 days' +%F)T09:00"
	assert_stderr 'pms-patient: first_visit: a date in the future'
	# (yesterday: today here may be tomorrow at the practice's zone)
	run -0 pms-patient update 1 --first-visit "$(date -d '-1 day' +%F)"
	# two letters are not enough: the code must be assigned
	for c in ZZ XX QQ; do
		run -65 --separate-stderr pms-patient update 1 --country $c
		assert_stderr 'pms-patient: country: not a country (its ISO 3166 two-letter code)'
	done
	run -65 --separate-stderr pms-patient update 1 --country UK
	assert_stderr "pms-patient: country: not a country code: the United Kingdom's is GB (ISO 3166)"
	run -0 pms-patient update 1 --country gb
	run -0 pms-patient update 1 --country AX
	run -0 pms-sql "SELECT country, first_visit FROM patients WHERE id = 1"
	assert_output "AX|$(date -d '-1 day' +%F)"
	# the same in an import, each bad line named
	printf '%s\n' 'last_name,first_name,dob,country,first_visit' \
	    "Example,Ann,1990-01-01,UK," "Example,Bea,$old,US," \
	    "Example,Cy,1990-01-01,US,$(date -d '+2 days' +%F)" \
	    'Example,Di,1990-01-01,FR,' >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-patient import "$BATS_TEST_TMPDIR/in.csv"
	assert_stderr 'line 2: country: not a country code'
	assert_stderr 'line 3: dob: a date more than 130 years ago'
	assert_stderr 'line 4: first_visit: a date in the future'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM patients"
	assert_output 1
	# and in a guarantor's address
	run -65 --separate-stderr pms-patient guarantor set 1 \
	    --relationship parent --last-name Zztest --first-name Zebediah \
	    --country ZZ
	assert_stderr 'guarantor country: not a country'
}

@test "guarantor: a cycle of guarantors is refused, a chain is not" {
	a=$(pat Example Ann 1980-01-01)
	b=$(pat Example Bea 1981-01-01)
	c=$(pat Example Cy 2010-01-01)
	run -0 pms-patient guarantor set "$c" --relationship child --patient "$b"
	run -0 pms-patient guarantor set "$b" --relationship spouse --patient "$a"
	# a pays for b, who pays for c: neither b nor c may pay for a
	run -1 --separate-stderr pms-patient guarantor set "$a" \
	    --relationship spouse --patient "$b"
	assert_stderr "pms-patient: patient $b has patient $a as their guarantor (or their guarantor's): a guarantor may not be guaranteed by the patient in turn"
	run -1 --separate-stderr pms-patient guarantor set "$a" \
	    --relationship other --patient "$c"
	assert_stderr "patient $c has patient $a as their guarantor"
	# nor through b's guarantor row, named by its id
	run -1 --separate-stderr pms-patient guarantor set "$a" \
	    --relationship other --guarantor "$(pms-sql "SELECT guarantor_id FROM patients WHERE id = $c")"
	assert_stderr "patient $b has patient $a as their guarantor"
	run -0 pms-sql "SELECT id, guarantor_id IS NULL FROM patients ORDER BY id"
	assert_output $'1|1\n2|0\n3|0'
	# once the chain is broken, it may go the other way
	run -0 pms-patient guarantor clear "$b"
	run -0 pms-patient guarantor set "$a" --relationship spouse --patient "$b"
}

@test "policy: member and group ids with an X12 separator are refused" {
	id=$(pat Example Jo 2015-05-05)
	for ch in '*' '~' ':' '^' '|'; do
		run -65 --separate-stderr pms-patient policy add "$id" \
		    --payer acme --member-id "XK${ch}1"
		assert_stderr 'pms-patient: member_id: a character a claim cannot carry (* ~ : ^ |)'
		run -65 --separate-stderr pms-patient policy add "$id" \
		    --payer acme --member-id XK1 --group-number "G${ch}2"
		assert_stderr 'pms-patient: group_number: a character a claim cannot carry (* ~ : ^ |)'
	done
	printf '%s\n' 'patient_id,payer,member_id' "$id,acme,XK~1" \
	    >"$BATS_TEST_TMPDIR/pol.csv"
	run -65 --separate-stderr pms-patient policy import "$BATS_TEST_TMPDIR/pol.csv"
	assert_stderr 'line 2: member_id: a character a claim cannot carry'
	run -0 pms-sql "SELECT count(*) FROM policies"
	assert_output 0
	run -0 pms-patient policy add "$id" --payer acme --member-id 'XK-1/2 A.B' \
	    --group-number 'G#200'
}
