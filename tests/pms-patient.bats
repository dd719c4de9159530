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
	run -1 --separate-stderr pms-patient update - <<-'EOF'
	{"mrn": "nope", "city": "Zztest"}
	EOF
	assert_stderr 'line 1: mrn: no patient with that MRN'
	refute_phi "$stderr"
}

@test "update: deceased_on makes the status deceased" {
	id=$(pat Example Pat 1930-01-15)
	run -0 pms-patient update "$id" --deceased-on 2020-03-01
	run -0 pms-sql "SELECT status, deceased_on FROM patients"
	assert_output 'deceased|2020-03-01'
	run -65 --separate-stderr pms-patient update "$id" --status active
	assert_stderr 'status: not deceased, yet a deceased_on date is given'
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
