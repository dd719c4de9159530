#!/usr/bin/env bats
# bats file_tags=pms-bill
# pms-bill: charges (options, appointment records, charge records),
# coding and code lists, responsibility moving between payers and the
# patient, payments, credits, refunds, adjustments, voids, balances, the
# ledger and its invariant, aging at the bucket edges, statements (and a
# full disk), fee schedules, opening balances, merging patients, who
# may do what, and the real-world cases B24 and B26.  Each test checks
# the exit code, the messages and the store's contents after (pms-sql).

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures/bill"

# The template: the demo practice, a fee schedule, four patients (the
# fourth carries the PHI markers), their insurance and a guarantor, and
# a front-desk user, a billing user and a clinician.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	for u in desk:front-desk biller:billing doc:clinician; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    user add "${u%%:*}" --role "${u#*:}" \
		    --kdf interactive >/dev/null 2>&1
	done
	pms-patient add --mrn 000101 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --street '1 Elm Street' --city Springfield \
	    --state OH --zip 45501 >/dev/null 2>&1
	pms-patient add --mrn 000102 --last-name Sample --first-name Sam \
	    --dob 1975-05-05 >/dev/null 2>&1
	pms-patient add --mrn 000103 --last-name Demo --first-name Dana \
	    --dob 2015-02-02 --street '9 Oak Road' --city Springfield \
	    --state OH --zip 45502 >/dev/null 2>&1
	pms-patient add --mrn 000104 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 >/dev/null 2>&1
	pms-patient policy add 2 --payer acme --member-id A100 >/dev/null 2>&1
	pms-patient policy add 3 --payer bluecross --member-id B200 \
	    >/dev/null 2>&1
	pms-patient policy add 3 --payer medicare --member-id M300 \
	    --priority secondary >/dev/null 2>&1
	pms-patient policy add 4 --payer acme --member-id A400 >/dev/null 2>&1
	pms-patient guarantor set 3 --relationship parent --last-name Demo \
	    --first-name Robin --street '9 Oak Road' --city Springfield \
	    --state OH --zip 45502 >/dev/null 2>&1
	pms-bill fees import "$FIX/fees.csv" >/dev/null 2>&1
	# into the database file: the tests copy it without its WAL
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	local u
	for u in desk biller doc; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
	# the practice's day (America/New_York), whatever the machine's zone
	TODAY=$(TZ=America/New_York date +%F)
	D=$(date -d "$TODAY -10 days" +%F)
}

# Run a command on another day (at noon UTC): on_day 2026-03-02 cmd ...
# libfaketime preloaded, not the faketime wrapper, whose semaphore
# clashes between the runs of a busy machine.
on_day() {
	local lib
	lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 | head -n 1)
	LD_PRELOAD="$lib" FAKETIME="@$1 12:00:00" command "${@:2}"
}

# Run as another user of the store: as desk pms-bill pay ...
as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# Charge one line; print its charge id.
charge() {
	pms-bill charge --patient "$1" --on "${ON:-$D}" --provider lee \
	    --location main --code "$2" "${@:3}" -o csv | tail -n 1 |
	    cut -d, -f1
}

# The named column of a charge as show prints it (CSV).
col() {
	pms-bill show "$1" -o csv | awk -F, -v c="$2" 'NR == 1 {
	    for (i = 1; i <= NF; i++) if ($i == c) n = i } NR == 2 { print $n }'
}

# ---- charges --------------------------------------------------------

@test "charge: a visit's lines priced from the fee schedule, with diagnoses and pointers" {
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213 --code 36415:59 \
	    --dx 'E11.9, I10' --referring-name 'Ann Referrer' \
	    --referring-npi 1245319599 --prior-auth PA-77 -o csv
	assert_line --index 0 --partial 'charge_id,visit_id,line,patient_id,mrn,date_of_service'
	assert_line --index 1 --partial "1,1,1,1,000101,$D,lee,main,11,99213,,1,100.00,\"E119,I10\",\"1,2\",ready,patient,,0.00,0.00,100.00,service"
	assert_line --index 2 --partial "2,1,2,1,000101,$D,lee,main,11,36415,59,1,15.00,\"E119,I10\",\"1,2\",ready,patient,,0.00,0.00,15.00,service"
	[ -z "$stderr" ]
	run -0 pms-sql "SELECT patient_id, dos, place_of_service, dx,
	    referring_npi, prior_auth FROM visits"
	assert_output "1|$D|11|E119,I10|1245319599|PA-77"
	run -0 pms-sql "SELECT id, kind, party, amount_cents FROM ledger
	    ORDER BY id"
	assert_output $'1|charge|patient|10000\n2|charge|patient|1500'
	run -0 pms-sql "SELECT charge_id, party, amount_cents FROM balances
	    ORDER BY charge_id"
	assert_output $'1|patient|10000\n2|patient|1500'
	run -0 pms-sql "SELECT action, fields, group_concat(p.patient_id)
	    FROM audit a JOIN audit_patient p ON p.audit_id = a.id WHERE
	    action = 'bill.charge' GROUP BY a.id"
	assert_output $'bill.charge|code,modifiers,units,amount,dx|1\nbill.charge|code,modifiers,units,amount,dx|1'
}

@test "charge: owed by the primary policy, at its payer's fee schedule; without a diagnosis it needs coding" {
	id=$(charge 2 99213)
	[ "$(col "$id" amount)" = 80.00 ]
	[ "$(col "$id" responsible)" = payer ]
	[ "$(col "$id" payer)" = acme ]
	[ "$(col "$id" status)" = needs-coding ]
	[ "$(col "$id" insurance_balance)" = 80.00 ]
	run -0 pms-sql "SELECT fee_schedule, status FROM charges"
	assert_output 'acme|needs-coding'
	run -0 pms-sql "SELECT b.party, y.code, b.amount_cents FROM balances b
	    JOIN payers y ON y.id = b.payer_id"
	assert_output 'payer|acme|8000'
	# a price given wins; units multiply the schedule's price
	id=$(charge 2 36415 --amount 9.99)
	[ "$(col "$id" amount)" = 9.99 ]
	id=$(charge 1 36415 --units 3)
	[ "$(col "$id" amount)" = 45.00 ]
}

# Book an appointment for patient $1 with provider $2 at $3 on day $D,
# of type $4 (followup), and bring it to the status $5 (booked): its id.
appt() {
	local id
	id=$(pms-schedule book --patient "$1" --provider "$2" \
	    --location main --at "${D}T$3" --type "${4:-followup}" \
	    --allow-past --force \
	    -o csv | tail -n 1 | cut -d, -f1)
	case ${5:-booked} in
	completed)
		pms-schedule checkin "$id" --allow-past >/dev/null
		pms-schedule complete "$id" >/dev/null ;;
	no-show) pms-schedule noshow "$id" >/dev/null ;;
	cancelled)
		# by the patient, an hour before: a late cancel
		TZ=America/New_York faketime "$D $3 1 hour ago" \
		    pms-schedule cancel "$id" --by patient >/dev/null ;;
	esac
	echo "$id"
}

@test "charge: appointment records use the type's default codes; charging them again adds nothing" {
	a1=$(appt 1 lee 09:30 followup completed)
	a2=$(appt 2 ortiz 10:00 long completed)
	printf '%s\n' \
	    "{\"appointment_id\":$a1,\"patient_id\":1,\"provider\":\"lee\",\"location\":\"main\",\"type\":\"followup\",\"start\":\"${D}T09:30:00-05:00\",\"end\":\"${D}T09:50:00-05:00\",\"date_of_service\":\"$D\",\"status\":\"completed\",\"codes\":\"\"}" \
	    "{\"appointment_id\":$a2,\"patient_id\":2,\"provider\":\"ortiz\",\"location\":\"main\",\"type\":\"long\",\"date_of_service\":\"$D\",\"status\":\"completed\",\"codes\":[\"99214\",\"36415\"]}" \
	    >"$BATS_TEST_TMPDIR/appts.jsonl"
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/appts.jsonl" -o csv
	assert_stderr 'pms-bill: 3 lines charged, 0 there already'
	run -0 pms-sql "SELECT patient_id, appointment_id, code, amount_cents,
	    status FROM charges ORDER BY id"
	assert_output $'1|1|99213|10000|needs-coding\n2|2|99214|15000|needs-coding\n2|2|36415|1500|needs-coding'
	run -0 --separate-stderr pms-bill charge <"$BATS_TEST_TMPDIR/appts.jsonl"
	assert_stderr 'pms-bill: 0 lines charged, 3 there already'
	run -0 pms-sql "SELECT count(*), sum(amount_cents) FROM ledger"
	assert_output '3|26500'
	# the schedule's own records, as the day's pipe sends them
	a3=$(appt 3 lee 11:00 followup completed)
	run -0 --separate-stderr sh -c "pms-schedule list --on $D \
	    --status completed -o json | pms-bill charge -o csv"
	assert_stderr 'pms-bill: 1 line charged, 2 there already'
	run -0 pms-sql "SELECT patient_id, code FROM charges WHERE
	    appointment_id = $a3"
	assert_output '3|99213'
}

@test "charge: an appointment record is taken from the store: a record that disagrees, a stale status, a missing appointment are refused (1)" {
	a1=$(appt 1 lee 09:00 followup completed)
	a2=$(appt 2 lee 10:00 newpatient no-show)
	a3=$(appt 3 lee 11:00 followup cancelled)
	pms-schedule list --on "$D" -o json >"$BATS_TEST_TMPDIR/a.jsonl"
	# cancelled since the record says completed, or edited so
	sed -n 3p "$BATS_TEST_TMPDIR/a.jsonl" |
	    sed 's/"status":"cancelled"/"status":"completed"/' \
	    >"$BATS_TEST_TMPDIR/3.jsonl"
	run -1 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/3.jsonl" -o csv
	assert_stderr 'line 1: status: a cancelled appointment is charged only the late-cancel fee'
	refute_output --partial '99213'
	# another patient in appointment 1's record
	sed -n 1p "$BATS_TEST_TMPDIR/a.jsonl" |
	    sed 's/"patient_id":1,/"patient_id":4,/; s/"mrn":"000101"/"mrn":"000104"/' |
	    pms-bill charge --code 99214 -o csv 2>"$BATS_TEST_TMPDIR/err" && false
	grep -q "line 1: patient_id: not the patient of appointment $a1" "$BATS_TEST_TMPDIR/err"
	refute_phi "$(cat "$BATS_TEST_TMPDIR/err")"
	# another provider, another day
	run -1 --separate-stderr pms-bill charge -o csv <<<"{\"appointment_id\":$a1,\"provider\":\"ortiz\"}"
	assert_stderr "line 1: provider: appointment $a1 is with lee"
	run -1 --separate-stderr pms-bill charge -o csv <<<"{\"appointment_id\":$a1,\"date_of_service\":\"$TODAY\"}"
	assert_stderr "line 1: date_of_service: appointment $a1 is on $D"
	run -1 --separate-stderr pms-bill charge -o csv <<<"{\"appointment_id\":$a1,\"type\":\"long\"}"
	assert_stderr "line 1: type: appointment $a1 is followup"
	# an appointment that is not there
	run -1 --separate-stderr pms-bill charge -o csv <<<'{"appointment_id":999,"patient_id":3,"provider":"lee","location":"main","type":"followup","date_of_service":"'"$D"'","status":"completed"}'
	assert_stderr 'line 1: appointment_id: no appointment 999'
	# a charge record naming an appointment is held to it too
	run -1 --separate-stderr pms-bill charge -o csv <<<"{\"appointment_id\":$a3,\"code\":\"99213\",\"dx\":\"I10\"}"
	assert_stderr 'a cancelled appointment is charged only the late-cancel fee'
	run -1 --separate-stderr pms-bill charge --patient 2 --on "$D" \
	    --provider lee --location main --code 99203 --appointment "$a2"
	assert_stderr 'a no-show is charged only the no-show fee'
	run -0 pms-sql "SELECT (SELECT count(*) FROM charges) + (SELECT
	    count(*) FROM ledger) + (SELECT count(*) FROM visits)"
	assert_output 0
	# a record with only its id is enough: the rest is the store's
	run -0 --separate-stderr pms-bill charge -o csv <<<"{\"appointment_id\":$a1}"
	assert_stderr 'pms-bill: 1 line charged, 0 there already'
	run -0 pms-sql "SELECT c.patient_id, c.dos, c.code, v.provider_id =
	    (SELECT id FROM providers WHERE code = 'lee') FROM charges c JOIN
	    visits v ON v.id = c.visit_id"
	assert_output "1|$D|99213|1"
}

@test "charge: a no-show is charged the no-show fee alone, and it is the patient's, never a payer's" {
	a=$(appt 2 lee 09:00 followup no-show)
	rec="{\"appointment_id\":$a,\"patient_id\":2,\"provider\":\"lee\",\"location\":\"main\",\"type\":\"followup\",\"date_of_service\":\"$D\",\"status\":\"no-show\",\"codes\":\"99213\"}"
	run -1 --separate-stderr pms-bill charge <<<"$rec"
	assert_stderr 'line 1: status: a no-show is charged only the no-show fee'
	assert_stderr 'nothing was written'
	run -0 pms-sql "SELECT count(*) FROM charges"
	assert_output 0
	run -0 --separate-stderr pms-bill charge --code NOSHOW -o csv <<<"$rec"
	assert_line --index 1 --partial ",NOSHOW,,1,25.00,,,ready,patient,,0.00,0.00,25.00,fee,$a,"
	run -0 pms-sql "SELECT kind, patient_only, party FROM charges JOIN
	    balances ON balances.charge_id = charges.id"
	assert_output 'fee|1|patient'
	# a late-cancel fee for one cancelled late; nothing else
	a=$(appt 2 lee 10:00 followup cancelled)
	rec="{\"appointment_id\":$a,\"patient_id\":2,\"provider\":\"lee\",\"location\":\"main\",\"type\":\"followup\",\"date_of_service\":\"$D\",\"status\":\"cancelled\"}"
	run -1 --separate-stderr pms-bill charge <<<"$rec"
	assert_stderr 'a cancelled appointment is charged only the late-cancel fee'
	run -0 --separate-stderr pms-bill charge --code LATEC <<<"$rec"
	# no fee for a visit still booked, one the practice cancelled, or
	# the wrong fee (the record's status, edited or stale, is not asked)
	a=$(appt 2 lee 11:00 followup)
	rec="{\"appointment_id\":$a,\"status\":\"cancelled\"}"
	run -1 --separate-stderr pms-bill charge --code LATEC <<<"$rec"
	assert_stderr "code: the late-cancel fee is for a cancelled appointment, and appointment $a is booked"
	run -1 --separate-stderr pms-bill charge --code NOSHOW <<<"$rec"
	assert_stderr "code: the no-show fee is for a no-show, and appointment $a is booked"
	pms-schedule cancel "$a" --by practice --allow-past >/dev/null
	run -1 --separate-stderr pms-bill charge --code LATEC <<<"$rec"
	assert_stderr "code: appointment $a was not cancelled late"
	run -0 pms-sql "SELECT count(*) FROM charges WHERE appointment_id = $a"
	assert_output 0
	# self-pay-only codes are the patient's too
	id=$(charge 2 99080)
	[ "$(col "$id" responsible)" = patient ]
	run -1 --separate-stderr pms-bill transfer "$id" --to acme --reason x
	assert_stderr "charge $id is the patient's alone"
	run -0 pms-sql "SELECT count(*) FROM balances WHERE party <> 'patient'"
	assert_output 0
}

@test "charge: charge records are idempotent by source_id, else by patient, date, code and line" {
	cat >"$BATS_TEST_TMPDIR/c.csv" <<-EOF
	source_id,mrn,date_of_service,provider,location,code,modifiers,units,amount,dx
	OLD-1,000101,$D,lee,main,99213,25,1,,E11.9
	OLD-2,000101,$D,lee,main,81002,,1,12.34,
	EOF
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/c.csv"
	assert_stderr 'pms-bill: 2 lines charged, 0 there already'
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/c.csv"
	assert_stderr 'pms-bill: 0 lines charged, 2 there already'
	cat >"$BATS_TEST_TMPDIR/n.csv" <<-EOF
	patient_id,date_of_service,provider,location,code,line
	2,$D,lee,main,36415,1
	2,$D,lee,main,36415,2
	EOF
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/n.csv"
	assert_stderr 'pms-bill: 2 lines charged, 0 there already'
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/n.csv"
	assert_stderr 'pms-bill: 0 lines charged, 2 there already'
	run -0 pms-sql "SELECT patient_id, visit_id, line, code, modifiers,
	    amount_cents, coalesce(source_id, '') FROM charges ORDER BY id"
	assert_output $'1|1|1|99213|25|10000|OLD-1\n1|1|2|81002||1234|OLD-2\n2|2|1|36415||1500|\n2|2|2|36415||1500|'
}

@test "charge: only a true repeat is there already: another modifier, another provider's visit, a source_id of another line are not" {
	# a repeated test with modifier 91 is a second line, and so is the
	# same code given twice
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 36415 --code 36415:91 \
	    --code 81002 --code 81002 --dx I10 -o csv
	assert_stderr ''
	[ "$(printf '%s\n' "$output" | cut -d, -f1 | tail -n +2 | sort -u |
	    wc -l)" -eq 4 ]
	# another provider's visit that day
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider ortiz --location main --code 36415 --dx I10 -o csv
	assert_stderr ''
	run -0 pms-sql "SELECT c.code, c.modifiers, p.code FROM charges c
	    JOIN visits v ON v.id = c.visit_id JOIN providers p ON
	    p.id = v.provider_id ORDER BY c.id"
	assert_output $'36415||lee\n36415|91|lee\n81002||lee\n81002||lee\n36415||ortiz'
	# the same commands again add nothing
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 36415 --code 36415:91 \
	    --code 81002 --code 81002 --dx I10 -o csv
	assert_stderr 'pms-bill: 36415: charged already (charge 1)'
	assert_stderr 'pms-bill: 81002: charged already (charge 4)'
	run -0 pms-sql "SELECT count(*) FROM charges"
	assert_output 5
	# the same line with other units is refused, not taken for it
	run -1 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider ortiz --location main --code 36415 --units 2
	assert_stderr 'pms-bill: code: charge 5 is that line already, with other units or amount'
	# a source_id used for another patient's line is refused (1), not
	# taken for that line
	printf 'mrn,date_of_service,provider,location,code,dx,source_id\n000101,%s,lee,main,99213,I10,row-1\n' "$D" >"$BATS_TEST_TMPDIR/a.csv"
	printf 'mrn,date_of_service,provider,location,code,dx,source_id\n000103,%s,ortiz,main,99214,J45,row-1\n' "$D" >"$BATS_TEST_TMPDIR/b.csv"
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/a.csv"
	assert_stderr 'pms-bill: 1 line charged, 0 there already'
	run -1 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/b.csv" -o csv
	assert_stderr 'line 2: source_id: charge 6 has it already, and is another line'
	assert_stderr 'pms-bill: 1 row refused; nothing was written'
	refute_output --partial '99213'
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/a.csv"
	assert_stderr 'pms-bill: 0 lines charged, 1 there already'
	run -0 pms-sql "SELECT count(*), sum(patient_id = 3) FROM charges"
	assert_output '6|0'
}

@test "patient_id and mrn that name two patients are a bad row (65); --patient and --mrn together are refused (64)" {
	run -65 --separate-stderr pms-bill pay - -o csv <<<'{"patient_id":2,"mrn":"000101","amount":"10.00","method":"cash"}'
	assert_stderr 'line 1: patient_id, mrn: they name different patients'
	run -65 --separate-stderr pms-bill charge -o csv <<-EOF
	patient_id,mrn,date_of_service,provider,location,code,dx
	2,000101,$D,lee,main,99213,I10
	EOF
	assert_stderr 'line 2: patient_id, mrn: they name different patients'
	run -65 --separate-stderr pms-bill opening-balance import <<-EOF
	patient_id,mrn,amount,as_of
	2,000101,12.50,$D
	EOF
	assert_stderr 'line 2: patient_id, mrn: they name different patients'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT (SELECT count(*) FROM charges) + (SELECT
	    count(*) FROM payments) + (SELECT count(*) FROM ledger)"
	assert_output 0
	# both naming the same patient is fine
	run -0 --separate-stderr pms-bill pay - -o csv <<<'{"patient_id":1,"mrn":"000101","amount":"10.00","method":"cash"}'
	run -64 --separate-stderr pms-bill list --patient 1 --mrn 000102
	assert_stderr 'pms-bill: --patient, --mrn: give one of them, once'
	run -64 --separate-stderr pms-bill pay --patient 1 --patient 2 \
	    --amount 1.00 --method cash
	assert_stderr 'pms-bill: --patient, --mrn: give one of them, once'
}

@test "imports: a column pms-bill does not read is a bad row (65): a misspelt source_id must not post twice" {
	printf 'mrn,amount,method,ref,source-id\n000101,1.00,cash,lockbox,LB-77\n' >"$BATS_TEST_TMPDIR/lb.csv"
	run -65 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/lb.csv" -o csv
	assert_stderr "pms-bill: $BATS_TEST_TMPDIR/lb.csv: line 2: source-id: not a column pms-bill reads here"
	assert_stderr 'pms-bill: 1 bad row; nothing was written'
	run -65 --separate-stderr pms-bill charge -o csv <<-EOF
	mrn,date_of_service,provider,location,code,diagnosis
	000101,$D,lee,main,99213,I10
	EOF
	assert_stderr 'line 2: diagnosis: not a column pms-bill reads here'
	run -65 --separate-stderr pms-bill opening-balance import <<-EOF
	mrn,amount,asof
	000101,12.50,$D
	EOF
	assert_stderr 'line 2: asof: not a column pms-bill reads here'
	run -65 --separate-stderr pms-bill fees import <<-EOF
	code,prise
	99213,1.00
	EOF
	assert_stderr 'line 2: prise: not a column pms-bill reads here'
	run -0 pms-sql "SELECT (SELECT count(*) FROM charges) + (SELECT
	    count(*) FROM payments) + (SELECT count(*) FROM ledger)"
	assert_output 0
	# a rejects file sent back, its reject_reason column and all
	printf 'mrn,amount,method,ref,source_id,reject_reason\n000101,1.00,cash,lockbox,LB-77,x\n' >"$BATS_TEST_TMPDIR/lb.csv"
	run -0 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/lb.csv" -o csv
	run -0 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/lb.csv" -o csv
	run -0 pms-sql "SELECT count(*) FROM payments"
	assert_output 1
}

@test "pay FILE: a refused batch prints no payment; its messages name the program and the line" {
	charge 1 99213 >/dev/null
	printf 'mrn,amount,method\n000101,5,cash\n000101,abc,cash\n' >"$BATS_TEST_TMPDIR/pp.csv"
	run -65 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/pp.csv" -o csv
	[ -z "$output" ]	# not even the header
	assert_stderr - <<-EOF
	pms-bill: $BATS_TEST_TMPDIR/pp.csv: line 3: amount: not an amount
	pms-bill: 1 bad row; nothing was written
	EOF
	run -0 pms-sql "SELECT count(*) FROM payments"
	assert_output 0
	# the good ones alone are printed once they are in
	printf 'mrn,amount,method\n000101,5,cash\n000101,6,cash\n' >"$BATS_TEST_TMPDIR/pp.csv"
	run -0 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/pp.csv" -o csv
	assert_output $'payment_id,patient_id,amount,applied,credit\n1,1,5.00,5.00,0.00\n2,1,6.00,6.00,0.00'
	# opening balances name the field given
	run -65 --separate-stderr pms-bill opening-balance import <<-EOF
	mrn,amount,as_of
	999999,12.50,$D
	EOF
	assert_stderr 'line 2: mrn: no patient with that MRN'
}

@test "charge: every bad row is named by line and field, never its value, and nothing is written (65)" {
	cp "$FIX/bad-charges.csv" "$BATS_TEST_TMPDIR/bad.csv"
	echo "000104,$(date -d '+3 days' +%F),lee,main,99213,,E11.9," \
	    >>"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/bad.csv"
	assert_stderr 'line 2: code: not a CPT code'
	assert_stderr 'line 3: dx: not an ICD-10-CM code'
	assert_stderr 'line 4: modifiers: more than four modifiers'
	assert_stderr 'line 5: referring_npi: not an NPI'
	assert_stderr 'line 6: amount: not an amount: more than two decimals'
	assert_stderr 'line 7: provider: unknown provider "nobody"'
	assert_stderr 'line 8: units: 1 to 9999'
	assert_stderr 'line 9: dx: more than four diagnoses for one line'
	assert_stderr 'line 10: date_of_service: a date in the future'
	assert_stderr 'pms-bill: 9 rows refused; nothing was written'
	refute_phi "$stderr"
	[[ $stderr != *E11* && $stderr != *000104* ]]
	run -0 pms-sql "SELECT (SELECT count(*) FROM charges) + (SELECT
	    count(*) FROM ledger) + (SELECT count(*) FROM visits)"
	assert_output 0
	# an unknown patient is a refusal (1)
	run -1 --separate-stderr pms-bill charge --mrn 999999 --on "$D" \
	    --provider lee --location main --code 99213
	assert_stderr 'pms-bill: no patient with that MRN'
	[[ $stderr != *999999* ]]
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$D"
	assert_stderr 'charge: give --patient or --mrn, --on, --provider, --location and --code'
	run -66 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/none.csv"
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213 --amount 33.333
	assert_stderr 'pms-bill: --amount: not an amount: more than two decimals'
}

@test "charge: --skip-invalid charges the good rows and puts the bad ones, with why, in a 0600 file" {
	cp "$FIX/bad-charges.csv" "$BATS_TEST_TMPDIR/bad.csv"
	echo "000101,$D,lee,main,99213,,E11.9," >>"$BATS_TEST_TMPDIR/bad.csv"
	run -0 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/bad.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/rejects.csv"
	assert_stderr 'pms-bill: 1 line charged, 0 there already'
	assert_stderr "8 rows rejected, written to $BATS_TEST_TMPDIR/rejects.csv"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/rejects.csv")" = 600 ]
	run -0 head -n 1 "$BATS_TEST_TMPDIR/rejects.csv"
	assert_output 'mrn,date_of_service,provider,location,code,modifiers,dx,amount,referring_npi,units,reject_reason'
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rejects.csv")" -eq 9 ]
	run -0 pms-sql "SELECT count(*) FROM charges"
	assert_output 1
}

@test "charge: --skip-invalid is never one of the store's files, nor the input (64)" {
	cp "$FIX/bad-charges.csv" "$BATS_TEST_TMPDIR/bad.csv"
	cp "$FIX/bad-charges.csv" "$BATS_TEST_TMPDIR/orig.csv"
	for rej in "$PMS_STORE" "$PMS_STORE-wal" "$PMS_STORE.keys"; do
		run -64 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/bad.csv" \
		    --skip-invalid "$rej"
		[[ $stderr == *"--skip-invalid: that is one of the store's own files"* ||
		    $stderr == *"--skip-invalid: that is a pms store, which it would replace"* ||
		    $stderr == *"--skip-invalid: that is a store's key slots, which it would replace"* ]] ||
		    fail "$rej: $stderr"
	done
	run -64 --separate-stderr pms-bill charge "$BATS_TEST_TMPDIR/bad.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/../$(basename "$BATS_TEST_TMPDIR")/bad.csv"
	assert_stderr 'is the file being imported; name another file'
	cmp "$BATS_TEST_TMPDIR/bad.csv" "$BATS_TEST_TMPDIR/orig.csv"
	run -0 pms-admin check
	run -0 pms-sql "SELECT count(*) FROM charges"
	assert_output 0
}

@test "code: diagnoses make a needs-coding charge ready, added to the visit's list" {
	id=$(charge 2 99213)
	id2=$(charge 2 36415 --dx I10)
	run -0 pms-sql "SELECT dx FROM visits"
	assert_output 'I10'
	run -0 --separate-stderr pms-bill code "$id" --dx e11.9,i10 -o csv
	assert_line --index 1 --partial ',"E119,I10","2,1",ready,'
	run -0 pms-sql "SELECT dx FROM visits"
	assert_output 'I10,E119'
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC
	    LIMIT 1 OFFSET 1"
	assert_output 'bill.code|dx'
	run -65 --separate-stderr pms-bill code "$id" --dx 'E1.9'
	assert_stderr 'dx: not an ICD-10-CM code'
	run -65 --separate-stderr pms-bill code "$id" --dx A00,A01,A02,A03,A04
	assert_stderr 'more than four diagnoses'
	run -1 --separate-stderr pms-bill code 99 --dx I10
	assert_stderr 'no charge 99'
	run -64 --separate-stderr pms-bill code "$id"
	[ "$(col "$id2" status)" = ready ]
}

@test "codes load: shapes checked; once a list is loaded, codes must be in it, in effect, and diagnoses billable leaves" {
	run -0 --separate-stderr pms-admin codes load "$FIX/codes.csv"
	assert_stderr 'pms-admin: cpt: 2 added, 0 changed, 0 unchanged'
	assert_stderr 'pms-admin: icd10cm: 3 added, 0 changed, 0 unchanged'
	run -0 --separate-stderr pms-admin codes load "$FIX/codes.csv"
	assert_stderr 'pms-admin: icd10cm: 0 added, 0 changed, 3 unchanged'
	run -0 pms-sql "SELECT kind, code, billable, effective_from,
	    coalesce(effective_to, '') FROM code_list ORDER BY kind, code"
	assert_output $'carc|45|1||\ncpt|99213|1||\ncpt|99214|1||2019-12-31\nicd10cm|E11|1||\nicd10cm|E119|1||\nicd10cm|I10|1||\nmodifier|25|1||'
	# a category is not billable; a leaf is; one not listed is refused
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213 --dx E11
	assert_stderr 'dx: ICD-10-CM code is a category, not a billable code'
	[[ $stderr != *E11* ]]
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213 --dx J45.909
	assert_stderr 'dx: ICD-10-CM code is not in the loaded ICD-10-CM list'
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99214 --dx I10
	assert_stderr 'code: CPT "99214" is not in effect on the date of service'
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213:59 --dx I10
	assert_stderr 'modifiers: modifier "59" is not in the loaded modifier list'
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213:25 --dx E11.9
	# HCPCS has no list loaded: shape alone
	id=$(charge 1 G0008)
	[ "$(col "$id" code)" = G0008 ]
	# bad rows: all reported, nothing loaded
	run -65 --separate-stderr pms-admin codes load "$FIX/bad-codes.csv"
	assert_stderr 'line 2: kind: expected cpt, hcpcs, modifier, icd10cm, carc, rarc or pos'
	assert_stderr 'line 3: code: not a CPT code (five digits, or four and F, T or U)'
	assert_stderr 'line 4: code: not an ICD-10-CM code'
	assert_stderr 'line 5: effective_to: before effective_from'
	assert_stderr '4 bad rows; nothing was loaded'
	run -0 pms-sql "SELECT count(*) FROM code_list"
	assert_output 7
	run -66 --separate-stderr pms-admin codes load "$BATS_TEST_TMPDIR/none"
	# the shipped lists load
	run -0 --separate-stderr pms-admin codes load "$TOP/share/codes/carc.csv"
	run -0 --separate-stderr pms-admin codes load \
	    "$TOP/share/codes/place-of-service.csv"
	assert_stderr 'pms-admin: pos: 50 added, 0 changed, 0 unchanged'
	# a front-desk user may not load codes; billing may
	run -77 --separate-stderr as desk pms-admin codes load "$FIX/codes.csv"
	run -0 --separate-stderr as biller pms-admin codes load "$FIX/codes.csv"
}

# ---- payments, credits, refunds -----------------------------------

@test "pay: applied to the oldest charges the patient owes; the rest a credit" {
	ON=$(date -d '-20 days' +%F) charge 1 99213 >/dev/null
	charge 1 36415 >/dev/null
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 110.00 \
	    --method card --ref 'slip 5' -o csv
	assert_output $'payment_id,patient_id,amount,applied,credit\n1,1,110.00,110.00,0.00'
	run -0 pms-sql "SELECT charge_id, amount_cents FROM balances"
	assert_output '2|500'
	run -0 --separate-stderr pms-bill pay --mrn 000101 --amount 20.00 \
	    --method cash -o csv
	assert_output $'payment_id,patient_id,amount,applied,credit\n2,1,20.00,5.00,15.00'
	run -0 pms-bill balance 1 -o csv
	assert_output $'patient_id,mrn,last_name,first_name,party,payer,amount\n1,000101,Example,Pat,patient,,0.00\n1,000101,Example,Pat,credit,,-15.00'
	run -0 pms-sql "SELECT payment_id, party, amount_cents FROM balances"
	assert_output '2|patient|-1500'
	# a payment is positive: a negative one is a refund or adjustment
	run -65 --separate-stderr pms-bill pay --patient 1 --amount -5.00 \
	    --method cash
	assert_stderr 'amount: a negative payment is a refund or an adjustment'
	run -65 --separate-stderr pms-bill pay --patient 1 --amount 5.00 \
	    --method barter
	assert_stderr 'method: expected card, cash, check or eft'
	run -64 --separate-stderr pms-bill pay --patient 1 --amount 5.00
	run -0 pms-sql "SELECT count(*) FROM payments"
	assert_output 2
}

@test "pay: --apply names the charges, --evenly splits the amount, larger parts last" {
	a=$(charge 1 99213)
	b=$(charge 1 99214)
	c=$(charge 1 36415 --amount 50.00)
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 100.00 \
	    --method check --apply "$a,$b,$c" --evenly -o csv
	assert_output --partial ',100.00,100.00,0.00'
	run -0 pms-sql "SELECT charge_id, -amount_cents FROM ledger WHERE
	    kind = 'payment' ORDER BY charge_id"
	assert_output $'1|3333\n2|3333\n3|3334'
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 1.00 \
	    --method cash --apply "$c"
	run -0 pms-sql "SELECT -amount_cents FROM ledger WHERE charge_id = $c
	    AND kind = 'payment' ORDER BY id"
	assert_output $'3334\n100'
	run -1 --separate-stderr pms-bill pay --patient 2 --amount 1.00 \
	    --method cash --apply "$a"
	assert_stderr "charge $a is not the patient's"
}

@test "B24: sums in cents leave E1 and E2 at exactly 0.00, 33.333 is refused, 100.00 splits 33.33/33.33/33.34" {
	# the case's ledger.csv, each encounter a visit of its own patient
	e1=$(charge 1 99213 --amount 15.15)
	e1b=$(charge 1 36415 --amount 0.30)
	e2=$(charge 2 99213 --amount 0.10)
	e2b=$(charge 2 36415 --amount 0.20)
	pms-bill transfer "$e2" --to patient --reason 'self-pay' >/dev/null 2>&1
	pms-bill transfer "$e2b" --to patient --reason 'self-pay' >/dev/null 2>&1
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 15.45 \
	    --method cash -o csv
	assert_output --partial ',15.45,15.45,0.00'
	run -0 --separate-stderr pms-bill pay --patient 2 --amount 0.30 \
	    --method cash -o csv
	assert_output --partial ',0.30,0.30,0.00'
	run -0 pms-bill balance 1 -o csv
	assert_line --index 1 '1,000101,Example,Pat,patient,,0.00'
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-bill balance 2 -o csv
	assert_line --index 1 '2,000102,Sample,Sam,patient,,0.00'
	[[ $output != *-0.00* ]]
	run -0 pms-bill list -o csv
	[[ $output != *-0.00* ]]
	[ "$(col "$e1" patient_balance)" = 0.00 ]
	[ "$(col "$e1b" patient_balance)" = 0.00 ]
	[ "$(col "$e2" responsible)" = '' ]
	run -0 pms-sql "SELECT count(*) FROM balances"
	assert_output 0
	# E3: a payment of 33.333 is refused, not rounded
	e3=$(charge 1 99214 --amount 100.00)
	run -65 --separate-stderr pms-bill pay --patient 1 --amount 33.333 \
	    --method cash
	assert_stderr 'pms-bill: --amount: not an amount: more than two decimals'
	run -0 pms-sql "SELECT count(*) FROM payments WHERE patient_id = 1"
	assert_output 1
	# and 100.00 split three ways loses no cent
	a=$(charge 1 81002 --amount 50.00)
	b=$(charge 1 99080 --amount 50.00)
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 100.00 \
	    --method cash --apply "$e3,$a,$b" --evenly
	run -0 pms-sql "SELECT -amount_cents FROM ledger WHERE kind =
	    'payment' AND charge_id IN ($e3, $a, $b) ORDER BY charge_id"
	assert_output $'3333\n3333\n3334'
	run -0 pms-admin check
	assert_line --partial 'ledger:'
}

@test "pay -: many payments on stdin, all or nothing; a source_id recorded twice adds nothing" {
	charge 1 99213 >/dev/null
	cat >"$BATS_TEST_TMPDIR/p.csv" <<-EOF
	mrn,amount,method,ref,source_id
	000101,10.00,card,a,P-1
	000101,"\$1,234.56",check,b,P-2
	EOF
	run -0 --separate-stderr pms-bill pay "$BATS_TEST_TMPDIR/p.csv" -o csv
	assert_line --index 1 '1,1,10.00,10.00,0.00'
	assert_line --index 2 '2,1,1234.56,90.00,1144.56'
	run -0 --separate-stderr pms-bill pay - -o csv <"$BATS_TEST_TMPDIR/p.csv"
	run -0 pms-sql "SELECT count(*), sum(amount_cents) FROM payments"
	assert_output '2|124456'
	printf 'mrn,amount,method\n000101,5.00,card\n000101,(5.00),cash\n000101,5,barter\n' \
	    >"$BATS_TEST_TMPDIR/bad.csv"
	run -65 --separate-stderr pms-bill pay - <"$BATS_TEST_TMPDIR/bad.csv"
	assert_stderr 'line 3: amount: a negative payment is a refund or an adjustment'
	assert_stderr 'line 4: method: expected card, cash, check or eft'
	assert_stderr '2 bad rows; nothing was written'
	run -0 pms-sql "SELECT count(*) FROM payments"
	assert_output 2
}

@test "refund: paid out of the patient's credit; more than the credit is refused; apply uses a credit on a later charge" {
	charge 1 99213 >/dev/null
	pms-bill pay --patient 1 --amount 150.00 --method check >/dev/null
	run -1 --separate-stderr pms-bill refund --patient 1 --amount 60.00 \
	    --method check
	assert_stderr 'the credit is 50.00; 60.00 cannot be refunded'
	run -0 --separate-stderr pms-bill refund --patient 1 --amount 20.00 \
	    --method check --ref 'chk 1001' --reason 'overpaid'
	assert_stderr 'pms-bill: refunded 20.00'
	run -0 pms-sql "SELECT kind, amount_cents, reason, source_ref FROM
	    ledger WHERE kind = 'refund'"
	assert_output 'refund|2000|check: overpaid|chk 1001'
	run -0 pms-bill balance 1 -o csv
	assert_line --index 2 '1,000101,Example,Pat,credit,,-30.00'
	# the credit pays a later charge when applied
	id=$(charge 1 36415)
	run -0 --separate-stderr pms-bill apply --patient 1
	assert_stderr 'pms-bill: applied 15.00 of the patient'\''s credit'
	[ "$(col "$id" patient_balance)" = 0.00 ]
	run -1 --separate-stderr pms-bill apply --patient 1
	assert_stderr 'the patient owes nothing to apply it to'
	run -0 pms-bill balance 1 -o csv
	assert_line --index 2 '1,000101,Example,Pat,credit,,-15.00'
	# another patient's charge or payment is named so
	other=$(charge 3 99213)
	run -1 --separate-stderr pms-bill apply --patient 1 --charge "$other"
	assert_stderr "pms-bill: charge $other is not the patient's"
	run -1 --separate-stderr pms-bill apply --patient 1 --charge 99
	assert_stderr 'pms-bill: no charge 99'
	pms-bill pay --patient 3 --amount 5.00 --method cash >/dev/null
	pid=$(pms-sql "SELECT max(id) FROM payments")
	run -1 --separate-stderr pms-bill refund --patient 1 --payment "$pid" \
	    --amount 5.00 --method check
	assert_stderr "pms-bill: payment $pid is not the patient's"
	run -0 pms-admin check
	# --version onto a full device is a write error too
	run -74 --separate-stderr sh -c 'pms-bill --version >/dev/full'
	assert_stderr 'pms-bill: write error on standard output'
}

# ---- responsibility -----------------------------------------------

@test "transfer: to the next payer, then to the patient; pending while a later policy covers the date; statements leave pending out" {
	id=$(charge 3 99213)
	[ "$(col "$id" payer)" = bluecross ]
	# the primary's PR amount waits for the secondary
	run -0 --separate-stderr pms-bill transfer "$id" --to patient \
	    --amount 20.00 --reason 'PR-2' -o csv
	assert_stderr "charge $id: moved 20.00 from the payer bluecross to the pending medicare"
	[ "$(col "$id" insurance_balance)" = 80.00 ]
	[ "$(col "$id" pending_balance)" = 20.00 ]
	[ "$(col "$id" patient_balance)" = 0.00 ]
	run -0 pms-bill balance 3 -o csv
	assert_output $'patient_id,mrn,last_name,first_name,party,payer,amount\n3,000103,Demo,Dana,patient,,0.00\n3,000103,Demo,Dana,pending,medicare,20.00\n3,000103,Demo,Dana,insurance,bluecross,80.00'
	run -0 --separate-stderr pms-bill statement 3
	assert_output --partial 'AMOUNT DUE                    0.00'
	assert_output --partial 'Insurance pending           100.00'
	assert_output --partial 'Medicare Part B'
	run -0 pms-sql "SELECT amount_due_cents, pending_cents, insurance_cents
	    FROM statements"
	assert_output '0|2000|8000'
	# aging keeps what waits for medicare apart from what bluecross has
	run -0 pms-bill aging -o csv
	assert_line --index 1 --partial '3,000103,Demo,Dana,insurance,bluecross,80.00,'
	assert_line --index 2 --partial '3,000103,Demo,Dana,pending,medicare,20.00,'
	# the rest of the primary's goes to the secondary, then all of it
	# reaches the patient from the last payer
	run -0 --separate-stderr pms-bill transfer "$id" --to next \
	    --from bluecross --reason 'crossover'
	assert_stderr 'from the payer bluecross to the payer medicare'
	run -0 --separate-stderr pms-bill transfer "$id" --to next \
	    --from pending --reason 'crossover'
	assert_stderr 'from the pending medicare to the payer medicare'
	run -0 --separate-stderr pms-bill transfer "$id" --to patient \
	    --amount 30.00 --reason 'PR-1'
	assert_stderr 'from the payer medicare to the patient'
	[ "$(col "$id" insurance_balance)" = 70.00 ]
	[ "$(col "$id" patient_balance)" = 30.00 ]
	run -0 --separate-stderr pms-bill statement 3
	assert_output --partial 'AMOUNT DUE                   30.00'
	run -0 pms-sql "SELECT kind, party, amount_cents, reason FROM ledger
	    WHERE kind = 'transfer' ORDER BY id"
	assert_output $'transfer|payer|-2000|PR-2\ntransfer|pending|2000|PR-2\ntransfer|payer|-8000|crossover\ntransfer|payer|8000|crossover\ntransfer|pending|-2000|crossover\ntransfer|payer|2000|crossover\ntransfer|payer|-3000|PR-1\ntransfer|patient|3000|PR-1'
	run -0 pms-admin check
}

@test "transfer: refused when the party owes less, to where it is owed already, to a payer without a policy; a reason is needed" {
	id=$(charge 2 99213)
	run -1 --separate-stderr pms-bill transfer "$id" --to patient \
	    --amount 90.00 --reason x
	assert_stderr "charge $id: the payer acme owes 80.00, not 90.00"
	run -1 --separate-stderr pms-bill transfer "$id" --to acme --reason x
	assert_stderr 'it is owed there already'
	run -1 --separate-stderr pms-bill transfer "$id" --to medicare \
	    --reason x
	assert_stderr 'no policy with that payer covering the date of service'
	refute_phi "$stderr"
	run -64 --separate-stderr pms-bill transfer "$id" --to patient
	run -64 --separate-stderr pms-bill transfer "$id" --to nobody \
	    --reason x
	assert_stderr 'unknown payer "nobody"'
	run -65 --separate-stderr pms-bill transfer "$id" --to patient \
	    --reason "$(printf 'a\tb')"
	run -0 --separate-stderr pms-bill transfer "$id" --to patient \
	    --reason 'not covered' --dry-run
	assert_stderr 'would move 80.00'
	run -0 pms-sql "SELECT count(*) FROM ledger WHERE kind = 'transfer'"
	assert_output 0
	pms-bill transfer "$id" --to patient --reason 'lapsed coverage' \
	    >/dev/null 2>&1
	run -1 --separate-stderr pms-bill transfer "$id" --to next --reason x
	assert_stderr 'the patient is the last to owe it; no next payer'
}

# ---- adjustments and voids ------------------------------------------

@test "adjust: write-offs with a group and reason code, or the practice's own reasons; PR is a transfer" {
	id=$(charge 2 99213)
	run -0 --separate-stderr pms-bill adjust "$id" --amount -15.00 \
	    --group CO --reason 45 -o csv
	assert_line --index 1 --partial ',payer,acme,65.00,0.00,0.00,'
	run -65 --separate-stderr pms-bill adjust "$id" --amount -5.00 \
	    --group PR --reason 1
	assert_stderr 'patient responsibility (PR) is not an adjustment: move it with transfer --to patient'
	run -65 --separate-stderr pms-bill adjust "$id" --amount -5.00 \
	    --reason fudge
	assert_stderr 'without a group, expected writeoff, courtesy or small-balance'
	run -65 --separate-stderr pms-bill adjust "$id" --amount -5.00 \
	    --group CO --reason 4567
	assert_stderr 'not a claim adjustment reason code'
	run -1 --separate-stderr pms-bill adjust "$id" --amount -70.00 \
	    --group CO --reason 45
	assert_stderr 'the payer acme owes 65.00; 70.00 cannot be written off'
	pms-bill transfer "$id" --to patient --amount 5.00 --reason PR-3 \
	    >/dev/null 2>&1
	run -0 --separate-stderr pms-bill adjust "$id" --amount -5.00 \
	    --reason small-balance --from patient
	# a write-off taken back, never more than was written off
	run -0 --separate-stderr pms-bill adjust "$id" --amount 15.00 \
	    --group CO --reason 45 --from acme
	run -1 --separate-stderr pms-bill adjust "$id" --amount 0.01 \
	    --group CO --reason 45 --from acme
	assert_stderr 'more taken back than was written off'
	run -0 pms-sql "SELECT party, amount_cents, coalesce(group_code, ''),
	    reason FROM ledger WHERE kind = 'adjustment' ORDER BY id"
	assert_output $'payer|-1500|CO|45\npatient|-500||small-balance\npayer|1500|CO|45'
	run -0 pms-admin check
}

@test "void: a reversing entry, never a deletion: payments back to credit, adjustments undone; a billed charge needs --correct-claim" {
	id=$(charge 2 99213)
	pms-bill transfer "$id" --to patient --amount 20.00 --reason PR-2 \
	    >/dev/null 2>&1
	pms-bill adjust "$id" --amount -10.00 --group CO --reason 45 \
	    >/dev/null 2>&1
	pms-bill pay --patient 2 --amount 20.00 --method card >/dev/null
	run -0 --separate-stderr pms-bill void "$id" --reason 'wrong patient' -o csv
	assert_line --index 1 --partial ',void,,,0.00,0.00,0.00,'
	run -0 pms-sql "SELECT status, void_reason FROM charges"
	assert_output 'void|wrong patient'
	run -0 pms-sql "SELECT count(*) FROM balances WHERE charge_id = $id"
	assert_output 0
	run -0 pms-bill balance 2 -o csv
	assert_line --index 1 '2,000102,Sample,Sam,patient,,0.00'
	assert_line --index 2 '2,000102,Sample,Sam,credit,,-20.00'
	run -0 pms-sql "SELECT sum(amount_cents) FROM ledger WHERE charge_id =
	    $id"
	assert_output 0
	run -1 --separate-stderr pms-bill void "$id"
	assert_stderr "charge $id is void already"
	run -1 --separate-stderr pms-bill pay --patient 2 --amount 1.00 \
	    --method cash --apply "$id"
	assert_stderr "charge $id is void"
	# on a claim sent: only with --correct-claim
	id2=$(charge 2 99214)
	pms-sql "UPDATE charges SET billed_on = '$D' WHERE id = $id2"
	run -1 --separate-stderr pms-bill void "$id2"
	assert_stderr 'is on a claim sent already: void it with --correct-claim'
	run -0 --separate-stderr pms-bill void "$id2" --correct-claim
	run -0 pms-sql "SELECT status, correct_claim FROM charges WHERE id =
	    $id2"
	assert_output 'void|1'
	run -0 pms-admin check
}

# ---- the ledger ---------------------------------------------------

@test "ledger: append-only: the triggers refuse a change or a deletion" {
	charge 1 99213 >/dev/null
	run -70 --separate-stderr pms-sql "UPDATE ledger SET amount_cents = 1"
	assert_stderr 'the ledger is append-only: a correction is an entry'
	run -70 --separate-stderr pms-sql "DELETE FROM ledger"
	assert_stderr 'the ledger is append-only'
	run -70 --separate-stderr pms-sql "UPDATE ledger SET kind = 'payment'"
	run -0 pms-sql "SELECT amount_cents, kind FROM ledger"
	assert_output '10000|charge'
}

@test "ledger: every entry of the patient with its running balance" {
	id=$(charge 2 99213)
	pms-bill transfer "$id" --to patient --amount 30.00 --reason PR-2 \
	    >/dev/null 2>&1
	pms-bill pay --patient 2 --amount 50.00 --method cash >/dev/null
	run -0 --separate-stderr pms-bill ledger 2 -o csv
	assert_output "entry_id,op,posted_on,kind,charge_id,date_of_service,code,payment_id,party,payer,amount,balance,group_code,reason,source_ref,by_user
1,1,$TODAY,charge,1,$D,99213,,payer,acme,80.00,80.00,,,,admin
2,2,$TODAY,transfer,1,$D,99213,,payer,acme,-30.00,50.00,,PR-2,,admin
3,2,$TODAY,transfer,1,$D,99213,,patient,,30.00,80.00,,PR-2,,admin
4,4,$TODAY,payment,1,$D,99213,1,patient,,-30.00,50.00,,,,admin
5,4,$TODAY,payment,,,,1,patient,,-20.00,30.00,,,,admin"
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'bill.ledger|ledger'
	run -1 --separate-stderr pms-bill ledger 99
	assert_stderr 'no patient 99'
	run -64 --separate-stderr pms-bill ledger
}

@test "check: pms-admin check proves the ledger sums to the balances; a changed balance is found (77)" {
	id=$(charge 2 99213)
	pms-bill pay --patient 2 --amount 5.00 --method cash >/dev/null
	run -0 pms-admin check
	assert_line 'ledger:     2 entries reconcile with 2 open balances (75.00)'
	pms-sql "UPDATE balances SET amount_cents = amount_cents + 1 WHERE
	    charge_id = $id"
	run -77 --separate-stderr pms-admin check
	assert_stderr "the ledger does not reconcile: charge $id: its entries for a party sum to 80.00, its balance is 80.01"
	pms-sql "UPDATE balances SET amount_cents = amount_cents - 1 WHERE
	    charge_id = $id"
	pms-sql "UPDATE charges SET amount_cents = 1 WHERE id = $id"
	run -77 --separate-stderr pms-admin check
	assert_stderr "charge $id: its amount is 0.01, its charge entries sum to 80.00"
}

@test "check: the books balance after a random sequence of charges, payments, transfers, adjustments, voids and refunds" {
	# bats test_tags=slow
	RANDOM=20261204
	local i op p id c ids=() charged=0 paid=0 refunded=0 adjusted=0
	local voided=0
	for ((i = 0; i < 60; i++)); do
		op=$((RANDOM % 7))
		p=$((RANDOM % 3 + 1))
		c=$((RANDOM % 20000 + 1))
		amt=$(printf '%d.%02d' $((c / 100)) $((c % 100)))
		case $op in
		0 | 1)
			if id=$(ON=$(date -d "$TODAY -$((i + 1)) days" +%F) \
			    charge "$p" 36415 --amount "$amt" 2>/dev/null); then
				ids+=("$id")
				charged=$((charged + c))
			fi
			;;
		2)
			if pms-bill pay --patient "$p" --amount "$amt" \
			    --method cash >/dev/null 2>&1; then
				paid=$((paid + c))
			fi
			;;
		3)
			[ ${#ids[@]} -gt 0 ] || continue
			id=${ids[RANDOM % ${#ids[@]}]}
			if ((RANDOM % 2)); then to=next; else to=patient; fi
			pms-bill transfer "$id" --to "$to" --reason r \
			    >/dev/null 2>&1 || true
			;;
		4)
			[ ${#ids[@]} -gt 0 ] || continue
			id=${ids[RANDOM % ${#ids[@]}]}
			if pms-bill adjust "$id" --amount "-0.$((RANDOM % 9 + 1))0" \
			    --reason courtesy >/dev/null 2>&1; then
				adjusted=$((adjusted + 1))
			fi
			;;
		5)
			[ ${#ids[@]} -gt 0 ] || continue
			id=${ids[RANDOM % ${#ids[@]}]}
			if pms-bill void "$id" >/dev/null 2>&1; then
				voided=$((voided + 1))
			fi
			;;
		6)
			if pms-bill refund --patient "$p" --amount 1.00 \
			    --method check >/dev/null 2>&1; then
				refunded=$((refunded + 100))
			fi
			;;
		esac
	done
	# every kind of operation happened
	((charged > 0 && paid > 0 && voided > 0 && adjusted > 0 &&
	    refunded > 0))
	run -0 pms-admin check
	assert_line --partial 'ledger:'
	# the hand-kept totals: charged, received, refunded, voided
	run -0 pms-sql "SELECT sum(amount_cents) FROM charges"
	assert_output "$charged"
	run -0 pms-sql "SELECT coalesce(sum(amount_cents), 0) FROM payments"
	assert_output "$paid"
	run -0 pms-sql "SELECT coalesce(sum(amount_cents), 0) FROM ledger
	    WHERE kind = 'refund'"
	assert_output "$refunded"
	run -0 pms-sql "SELECT count(*) FROM charges WHERE status = 'void'"
	assert_output "$voided"
	run -0 pms-sql "SELECT count(DISTINCT op) FROM ledger WHERE kind =
	    'adjustment'"
	assert_output "$adjusted"
	# what is open = charged - received + refunded - written off,
	# whatever moved between parties
	run -0 pms-sql "SELECT (SELECT sum(amount_cents) FROM charges WHERE
	    status <> 'void') - (SELECT coalesce(sum(amount_cents), 0) FROM
	    payments) + (SELECT coalesce(sum(amount_cents), 0) FROM ledger
	    WHERE kind = 'refund') + (SELECT coalesce(sum(l.amount_cents), 0)
	    FROM ledger l JOIN charges c ON c.id = l.charge_id WHERE l.kind =
	    'adjustment' AND c.status <> 'void') = (SELECT
	    coalesce(sum(amount_cents), 0) FROM balances)"
	assert_output 1
	run -0 pms-sql "SELECT count(*) FROM balances WHERE (charge_id IS NOT
	    NULL AND amount_cents <= 0) OR (payment_id IS NOT NULL AND
	    amount_cents >= 0)"
	assert_output 0
}

# ---- aging ----------------------------------------------------------

@test "aging: buckets at their edges (30/31, 60/61, 90/91, 120/121 days), patient and insurance apart, credits apart" {
	asof=2026-06-30
	# the books on that day: an --as-of before today reads the ledger
	# as it stood then
	pms-bill() { on_day "$asof" pms-bill "$@"; }
	for d in 30 31 60 61 90 91 120 121; do
		ON=$(date -d "$asof -$d days" +%F) charge 1 36415 \
		    --amount "$d.00" >/dev/null
		ON=$(date -d "$asof -$d days" +%F) charge 2 36415 \
		    --amount "$((100 + d)).00" >/dev/null
	done
	ON=2026-06-30 charge 1 36415 --amount 0.01 >/dev/null
	pms-bill pay --patient 3 --amount 25.00 --method cash >/dev/null
	run -0 --separate-stderr pms-bill aging --as-of "$asof" -o csv
	assert_output "patient_id,mrn,last_name,first_name,responsibility,payer,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total
1,000101,Example,Pat,patient,,30.01,91.00,151.00,211.00,121.00,604.01
2,000102,Sample,Sam,insurance,acme,130.00,291.00,351.00,411.00,221.00,1404.00
3,000103,Demo,Dana,credit,,-25.00,0.00,0.00,0.00,0.00,-25.00"
	run -0 --separate-stderr pms-bill aging --as-of "$asof" --summary \
	    -o csv
	assert_output "patient_id,mrn,last_name,first_name,responsibility,payer,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total
,,,,patient,,30.01,91.00,151.00,211.00,121.00,604.01
,,,,insurance,acme,130.00,291.00,351.00,411.00,221.00,1404.00
,,,,credit,,-25.00,0.00,0.00,0.00,0.00,-25.00"
	run -0 pms-sql "SELECT a.action, count(p.patient_id) FROM audit a
	    LEFT JOIN audit_patient p ON p.audit_id = a.id WHERE a.action =
	    'bill.aging' GROUP BY a.id"
	assert_output $'bill.aging|3\nbill.aging|0'
	run -64 --separate-stderr pms-bill aging --by when
	run -64 --separate-stderr pms-bill aging --as-of 2026-02-30
}

@test "aging --as-of a past day: what was open at the end of that day, of charges served by then" {
	ft() { on_day "$@"; }
	ft 2026-03-02 pms-bill charge --patient 1 --on 2026-03-01 \
	    --provider lee --location main --code 36415 --dx I10 >/dev/null
	ft 2026-03-20 pms-bill charge --patient 1 --on 2026-03-20 \
	    --provider lee --location main --code 99213 --dx I10 >/dev/null
	ft 2026-04-10 pms-bill pay --patient 1 --amount 15.00 --method cash \
	    >/dev/null
	# the 15.00 of 2026-03-01, unpaid then; the later visit not yet
	run -0 pms-bill aging --as-of 2026-03-15 -o csv
	assert_output - <<-EOF
	patient_id,mrn,last_name,first_name,responsibility,payer,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total
	1,000101,Example,Pat,patient,,15.00,0.00,0.00,0.00,0.00,15.00
	EOF
	# paid since; the 100.00 of 2026-03-20 is 41 days old then
	run -0 pms-bill aging --as-of 2026-04-30 -o csv
	assert_line --index 1 '1,000101,Example,Pat,patient,,0.00,100.00,0.00,0.00,0.00,100.00'
	run -0 pms-bill aging --as-of 2026-02-28 -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 pms-bill aging --as-of 2026-04-30 --summary -o csv
	assert_line --index 1 --partial 'patient,,0.00,100.00,0.00,0.00,0.00,100.00'
}

@test "aging: --by transferred ages from the day the party took it, --by billed from the claim or statement" {
	# the books on the day asked about (see the test above)
	pms-bill() { on_day 2026-03-31 pms-bill "$@"; }
	ON=2026-01-05 charge 2 99213 >/dev/null
	ON=2026-01-05 charge 2 99214 >/dev/null
	pms-bill transfer 1 --to patient --reason PR-1 >/dev/null 2>&1
	# the day it became the patient's, and the claim date of the other
	pms-sql "UPDATE balances SET since = '2026-03-01' WHERE charge_id = 1"
	pms-sql "UPDATE balances SET billed_on = '2026-02-01' WHERE charge_id = 2"
	run -0 pms-bill aging --as-of 2026-03-31 --by transferred -o csv
	assert_line --index 1 '2,000102,Sample,Sam,patient,,80.00,0.00,0.00,0.00,0.00,80.00'
	run -0 pms-bill aging --as-of 2026-03-31 --by billed -o csv
	assert_line --index 2 '2,000102,Sample,Sam,insurance,acme,0.00,150.00,0.00,0.00,0.00,150.00'
	run -0 pms-bill aging --as-of 2026-03-31 --by dos -o csv
	assert_line --index 1 '2,000102,Sample,Sam,patient,,0.00,0.00,80.00,0.00,0.00,80.00'
}

@test "B26: an export with names and money: dangerous names neutralised, -25.00 a plain number, and read back the same" {
	charge 1 99213 >/dev/null
	pms-bill pay --patient 2 --amount 25.00 --method cash >/dev/null
	charge 3 99213 >/dev/null
	charge 4 99213 >/dev/null
	pms-sql "UPDATE patients SET last_name = CASE id WHEN 1 THEN
	    '=HYPERLINK(\"http://x.invalid\",\"open\")' WHEN 2 THEN '+Example'
	    WHEN 3 THEN '@Sample' WHEN 4 THEN '-Demo' END"
	pms-patient add --last-name Example --first-name Eve --dob 1990-01-01 \
	    >/dev/null 2>&1
	charge 5 99213 >/dev/null
	run -0 pms-bill aging -o csv --out "$BATS_TEST_TMPDIR/ar.csv"
	run -0 cat "$BATS_TEST_TMPDIR/ar.csv"
	assert_line --index 1 "1,000101,\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"open\"\")\",Pat,patient,,100.00,0.00,0.00,0.00,0.00,100.00"
	assert_line --index 2 "2,000102,'+Example,Sam,credit,,-25.00,0.00,0.00,0.00,0.00,-25.00"
	assert_line --index 3 "3,000103,'@Sample,Dana,insurance,bluecross,100.00,0.00,0.00,0.00,0.00,100.00"
	assert_line --index 4 "4,000104,'-Demo,Zebediah,insurance,acme,80.00,0.00,0.00,0.00,0.00,80.00"
	assert_line --index 5 "5,,Example,Eve,patient,,100.00,0.00,0.00,0.00,0.00,100.00"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/ar.csv")" = 600 ]
	# no cell starts with a formula character, money untouched
	run -0 awk -F, 'NR > 1 { for (i = 1; i <= NF; i++)
	    if ($i ~ /^[=+@\t\r]/ || ($i ~ /^-/ && $i !~ /^-[0-9.]+$/))
	    print "bad", NR, i }' "$BATS_TEST_TMPDIR/ar.csv"
	assert_output ''
	# our reader gives the names back as they were
	run -0 pms-rec read "$BATS_TEST_TMPDIR/ar.csv"
	assert_output --partial '|last_name:text==HYPERLINK("http://x.invalid","open")|'
	assert_output --partial '|last_name:text=-Demo|'
	assert_output --partial '|days_0_30:text=-25.00|'
	run -0 pms-bill balance -o csv
	assert_line --index 2 "2,000102,'+Example,Sam,credit,,-25.00"
}

# ---- statements ---------------------------------------------------

@test "statement: to the guarantor, with the practice's header, the charges, payments, what insurance has and the amount due" {
	id=$(charge 3 99213)
	pms-bill transfer "$id" --to next --reason crossover >/dev/null 2>&1
	pms-bill transfer "$id" --to patient --amount 40.00 --reason PR-2 \
	    >/dev/null 2>&1
	pms-bill pay --patient 3 --amount 15.00 --method card >/dev/null
	run -0 --separate-stderr pms-bill statement --mrn 000103 \
	    --date "$TODAY"
	assert_stderr 'pms-bill: 1 statement, 25.00 due'
	due=$(date -d "$TODAY +30 days" +%F)
	assert_line --index 0 'Riverside Family Medicine'
	assert_line --index 1 '12 Main Street, Suite 4'
	assert_line --index 2 'Springfield, OH 45502-1234'
	assert_output --partial "Statement date  $TODAY"
	assert_output --partial 'Account         000103'
	assert_output --partial "Please pay by   $due"
	assert_output --partial $'Robin Demo\n9 Oak Road\nSpringfield, OH 45502'
	assert_output --partial 'Patient: Dana Demo'
	assert_output --partial "$D 99213 Office visit     100.00    15.00     0.00    60.00    25.00"
	assert_output --partial "  $TODAY card          15.00"
	assert_output --partial '  Medicare Part B                               60.00'
	assert_output --partial 'AMOUNT DUE                   25.00'
	assert_output --partial 'Questions about this bill?  Call Jo at 937 555 0101.'
	run -0 pms-sql "SELECT s.patient_id, g.last_name, s.amount_due_cents,
	    s.due_on, r.statements, r.format FROM statements s JOIN
	    statement_runs r ON r.id = s.run_id JOIN guarantors g ON g.id =
	    s.guarantor_id"
	assert_output "3|Demo|2500|$due|1|text"
	run -0 pms-sql "SELECT billed_on FROM balances WHERE party = 'patient'"
	assert_output "$TODAY"
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'bill.statement'
}

@test "statement --all --min-balance 5.00: the monthly run, HTML that is one self-contained printable document" {
	charge 1 99213 >/dev/null
	charge 2 99080 --amount 4.99 >/dev/null
	charge 3 99080 --amount 5.00 >/dev/null
	run -0 --separate-stderr pms-bill statement --all --min-balance 5.00 \
	    -o html --out "$BATS_TEST_TMPDIR/run.html"
	assert_stderr 'pms-bill: 2 statements, 105.00 due'
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/run.html")" = 600 ]
	run -0 cat "$BATS_TEST_TMPDIR/run.html"
	assert_line --index 0 '<!DOCTYPE html>'
	assert_output --partial '@page { size: letter;'
	assert_output --partial 'page-break-after: always'
	[ "$(grep -c 'class="statement"' "$BATS_TEST_TMPDIR/run.html")" -eq 2 ]
	refute_output --partial 'http'
	refute_output --partial '<script'
	refute_output --partial 'Sam'
	run -0 pms-sql "SELECT patient_id, amount_due_cents FROM statements"
	assert_output $'1|10000\n3|500'
	# the configured minimum (5.00) by default; HTML escapes names
	pms-sql "UPDATE patients SET first_name = '<b>Pat</b>' WHERE id = 1"
	run -0 --separate-stderr pms-bill statement --all -o html
	assert_output --partial '&lt;b&gt;Pat&lt;/b&gt;'
	run -64 --separate-stderr pms-bill statement --all 3
	run -64 --separate-stderr pms-bill statement 3 -o pdf
	run -64 --separate-stderr pms-bill statement
}

@test "statement: a run onto a full device (/dev/full) records nothing (74)" {
	charge 1 99213 >/dev/null
	before=$(pms-sql "SELECT count(*) FROM audit")
	run -74 --separate-stderr pms-bill statement --all --out /dev/full
	assert_stderr 'pms-bill: /dev/full: write error: No space left on device'
	run -74 --separate-stderr bash -c 'pms-bill statement --all >/dev/full'
	assert_stderr 'write error'
	run -0 pms-sql "SELECT (SELECT count(*) FROM statements) + (SELECT
	    count(*) FROM statement_runs) + (SELECT count(*) FROM balances
	    WHERE billed_on IS NOT NULL)"
	assert_output 0
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action =
	    'bill.statement'"
	assert_output 0
	# --dry-run writes the statements and records nothing
	run -0 --separate-stderr pms-bill statement --all --dry-run
	assert_output --partial 'AMOUNT DUE'
	run -0 pms-sql "SELECT count(*) FROM statements"
	assert_output 0
	# a file put in place is all or nothing: an old one stays on failure
	echo old >"$BATS_TEST_TMPDIR/s.txt"
	run -0 --separate-stderr pms-bill statement 1 --out "$BATS_TEST_TMPDIR/s.txt"
	run -0 grep -c 'AMOUNT DUE' "$BATS_TEST_TMPDIR/s.txt"
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep tmp)" ]
}

@test "exports: every --out of patient data is recorded once it is in place, in every program; a file not written is not" {
	charge 1 99213 >/dev/null
	charge 3 99214 >/dev/null
	cd "$BATS_TEST_TMPDIR"
	pms-bill statement --all --out st.txt 2>/dev/null
	pms-bill aging -o csv --out aging.csv
	pms-bill list -o csv --out list.csv
	pms-bill ledger 1 --out led.csv
	pms-bill balance --out bal.csv
	pms-schedule list --out appts.csv
	a=$(appt 2 lee 09:00 followup completed)
	pms-schedule list --on "$D" --out appts.csv
	printf 'mrn,date_of_service,provider,location,code\n000101,%s,lee,main,99213\n000102,%s,lee,main,BAD\n' "$D" "$D" >c.csv
	pms-bill charge c.csv --skip-invalid rej.csv >/dev/null 2>&1
	printf 'mrn,last_name,first_name,dob\n000201,Newman,Nia,1990-01-01\n000202,Bad,Row,notadate\n' >p.csv
	pms-patient import p.csv --skip-invalid prej.csv >/dev/null 2>&1
	[ -s prej.csv ]
	run -0 pms-audit exports -o csv
	diff -u - <(cut -d, -f4-7 <<<"$output") <<-EOF
	program,kind,path,patients
	pms-bill,bill.statement,$BATS_TEST_TMPDIR/st.txt,1
	pms-bill,bill.aging,$BATS_TEST_TMPDIR/aging.csv,2
	pms-bill,bill.list,$BATS_TEST_TMPDIR/list.csv,2
	pms-bill,bill.ledger,$BATS_TEST_TMPDIR/led.csv,1
	pms-bill,bill.balance,$BATS_TEST_TMPDIR/bal.csv,2
	pms-schedule,schedule.list,$BATS_TEST_TMPDIR/appts.csv,1
	pms-bill,rejects,$BATS_TEST_TMPDIR/rej.csv,1
	pms-patient,rejects,$BATS_TEST_TMPDIR/prej.csv,1
	EOF
	# each points at its command's entry
	run -0 pms-sql "SELECT a.action FROM exports e JOIN audit a ON a.id =
	    e.audit_id ORDER BY e.id"
	assert_output $'bill.statement\nbill.aging\nbill.list\nbill.ledger\nbill.balance\nschedule.list\nbill.charge\npatient.import'
	# a file that could not be written, or a dry run, is not recorded
	run -74 --separate-stderr pms-bill list -o csv --out /nonexistent/dir/l.csv
	run -74 --separate-stderr pms-bill aging -o csv --out /dev/full
	run -74 --separate-stderr pms-patient list -o csv --out /dev/full
	run -0 --separate-stderr pms-bill aging -o csv --out dry.csv --dry-run
	[ ! -e dry.csv ]
	run -0 pms-sql "SELECT count(*) FROM exports"
	assert_output 8
	# the real path, not the link's
	mkdir real
	ln -s real linkdir
	pms-bill aging -o csv --out linkdir/a.csv
	run -0 pms-sql "SELECT path FROM exports ORDER BY id DESC LIMIT 1"
	assert_output "$BATS_TEST_TMPDIR/real/a.csv"
}

@test "--out: never replaces a link, a store, a backup, a key file; an earlier output is replaced" {
	charge 1 99213 >/dev/null
	cd "$BATS_TEST_TMPDIR"
	pms-admin backup --out bk.pmsbak 2>/dev/null
	cp "$STORE" other.pms
	cp "$STORE.keys" other.keys
	printf 'pms-keyfile-v1 cron 00\n' >cron.key
	pms-audit checkpoint >cp
	echo precious >victim.txt
	ln -s victim.txt link.csv
	mkdir dir.csv
	for f in bk.pmsbak other.pms other.keys cron.key cp link.csv dir.csv; do
		sum=$(ls -ld --time-style=+%s "$f"; [ -d "$f" ] || md5sum <"$f")
		run -64 --separate-stderr pms-bill aging -o csv --out "$f"
		assert_stderr 'pms-bill: --out: that is '
		[ "$(ls -ld --time-style=+%s "$f"; [ -d "$f" ] || md5sum <"$f")" = "$sum" ]
	done
	run -64 --separate-stderr pms-bill aging -o csv --out bk.pmsbak
	assert_stderr 'pms-bill: --out: that is a backup of a store, which it would replace: write somewhere else'
	run -64 --separate-stderr pms-bill aging -o csv --out link.csv
	assert_stderr 'pms-bill: --out: that is a symbolic link (name the file itself)'
	[ "$(cat victim.txt)" = precious ]
	# nothing was recorded for them
	run -0 pms-sql "SELECT count(*) FROM exports"
	assert_output 0
	# an output of an earlier run is replaced; devices are written
	pms-bill aging -o csv --out a.csv
	pms-bill aging -o csv --out a.csv
	run -0 pms-bill aging -o csv --out /dev/null
	run -0 pms-bill aging -o csv --out /dev/stdout
	assert_line --index 1 --partial '1,000101,'
	run -0 pms-sql "SELECT path FROM exports ORDER BY id"
	assert_output "$BATS_TEST_TMPDIR/a.csv
$BATS_TEST_TMPDIR/a.csv
/dev/stdout"
}

@test "--out: a run ended by SIGTERM, SIGINT or SIGHUP leaves no temp file behind" {
	charge 1 99213 >/dev/null
	cd "$BATS_TEST_TMPDIR"
	for c in aging statement; do
		for sig in TERM INT HUP; do
			# every fsync held back, so that the temp file waits;
			# a script's background job ignores SIGINT unless told
			env --default-signal=INT strace -f -o /dev/null \
			    -e trace=fsync,fdatasync \
			    -e inject=fsync,fdatasync:delay_enter=20000000 \
			    pms-bill "$c" $([ $c = aging ] || echo --all) \
			    --out p.out 2>/dev/null &
			sp=$!
			for i in $(seq 300); do
				ls p.out.tmp* >/dev/null 2>&1 && break
				sleep 0.1
			done
			ls p.out.tmp* >/dev/null
			kill -"$sig" "$(pgrep -P "$sp")"
			wait "$sp" || true
			[ -z "$(ls | grep p.out)" ]
		done
	done
	run -0 pms-sql "SELECT count(*) FROM exports"
	assert_output 0
}

@test "statement: a template of the practice's own; a bad one is refused (65)" {
	charge 1 99213 >/dev/null
	printf '%s\n' 'Dear {{guarantor_name}},' \
	    '{{#statements}}{{patient_name:>12}}|{{amount_due}}|{{#items}}[{{code}}]{{/items}}{{/statements}}' \
	    >"$BATS_TEST_TMPDIR/t.txt"
	run -0 --separate-stderr pms-bill statement 1 --template "$BATS_TEST_TMPDIR/t.txt"
	assert_output $'Dear ,\n Pat Example|100.00|[99213]'
	printf '%s\n' '{{#statements}}{{#items}}' >"$BATS_TEST_TMPDIR/bad.txt"
	run -65 --separate-stderr pms-bill statement 1 --template "$BATS_TEST_TMPDIR/bad.txt"
	assert_stderr 'template: section "items" is never closed'
	# a misspelt name would print blanks on a whole run
	printf '{{#statements}}due={{amount_duee}} real={{amount_due}}\n{{/statements}}' >"$BATS_TEST_TMPDIR/bad.txt"
	run -65 --separate-stderr pms-bill statement 1 --template "$BATS_TEST_TMPDIR/bad.txt" --dry-run
	assert_stderr 'pms-bill: template: {{amount_duee}} is not a name of a statement'
	assert_output ''
	printf '{{#statements}}{{#items}}[{{chargde}}]{{/items}}{{ssn}}{{/statements}}' >"$BATS_TEST_TMPDIR/bad.txt"
	run -65 --separate-stderr pms-bill statement 1 --template "$BATS_TEST_TMPDIR/bad.txt"
	assert_stderr 'pms-bill: template: {{chargde}} is not a name of a statement'
	run -0 pms-sql "SELECT count(*) FROM statements"
	assert_output 1
	# the shipped templates use names it knows
	run -0 --separate-stderr pms-bill statement 1 --template "$TOP/share/templates/statement.txt" --dry-run
	run -0 --separate-stderr pms-bill statement 1 -o html --template "$TOP/share/templates/statement.html" --dry-run
	run -66 --separate-stderr pms-bill statement 1 --template "$BATS_TEST_TMPDIR/none"
}

# ---- fee schedules, opening balances ------------------------------------

@test "fees: import and list; a code and price checked; all or nothing" {
	run -0 pms-bill fees list --schedule acme -o csv
	assert_output $'schedule,code,description,price\nacme,99213,Office visit,80.00'
	printf 'code,description,price\n99213,Office visit,110.00\n99215,Long visit,"$1,200.00"\n' \
	    >"$BATS_TEST_TMPDIR/f.csv"
	run -0 --separate-stderr pms-bill fees import "$BATS_TEST_TMPDIR/f.csv"
	assert_stderr 'pms-bill: fees: 1 added, 1 changed, 0 unchanged'
	run -0 pms-sql "SELECT code, price_cents FROM fees WHERE schedule =
	    'default' AND code IN ('99213', '99215') ORDER BY code"
	assert_output $'99213|11000\n99215|120000'
	printf 'code,price\nx-y,1.00\n99213,12.345\n99214,-1.00\n' \
	    >"$BATS_TEST_TMPDIR/f.csv"
	run -65 --separate-stderr pms-bill fees import --schedule self-pay \
	    <"$BATS_TEST_TMPDIR/f.csv"
	assert_stderr 'line 2: code: not a CPT or HCPCS code'
	assert_stderr 'line 3: price: not an amount: more than two decimals'
	assert_stderr 'line 4: price: a price is not negative'
	run -0 pms-sql "SELECT count(*) FROM fees WHERE schedule = 'self-pay'"
	assert_output 0
	run -64 --separate-stderr pms-bill fees import --schedule 'Bad Name' \
	    </dev/null
}

@test "opening-balance import: balances owed and credits from another system, once" {
	cat >"$BATS_TEST_TMPDIR/o.csv" <<-EOF
	mrn,amount,as_of,payer,source_id
	000101,125.50,2026-01-31,,OB-1
	000102,-10.00,2026-01-31,,OB-2
	000102,60.00,2026-01-31,acme,OB-3
	EOF
	run -0 --separate-stderr pms-bill opening-balance import "$BATS_TEST_TMPDIR/o.csv"
	assert_stderr 'opening balances: 3 rows, 3 added, 0 there already'
	run -0 --separate-stderr pms-bill opening-balance import "$BATS_TEST_TMPDIR/o.csv"
	assert_stderr 'opening balances: 3 rows, 0 added, 3 there already'
	run -0 pms-bill balance -o csv
	assert_line --index 1 '1,000101,Example,Pat,patient,,125.50'
	assert_line --index 2 '2,000102,Sample,Sam,insurance,acme,60.00'
	assert_line --index 3 '2,000102,Sample,Sam,credit,,-10.00'
	run -0 pms-admin check
	printf 'mrn,amount,as_of\n000101,,2026-01-31\n000101,5.00,\n' \
	    >"$BATS_TEST_TMPDIR/o.csv"
	run -65 --separate-stderr pms-bill opening-balance import \
	    <"$BATS_TEST_TMPDIR/o.csv"
	assert_stderr 'line 2: amount: missing'
	assert_stderr 'line 3: as_of: missing'
}

# ---- merging patients ---------------------------------------------

@test "merge: pms-patient merge moves the dropped patient's charges, payments, ledger and balances" {
	charge 1 99213 >/dev/null
	charge 2 99214 >/dev/null
	pms-bill pay --patient 2 --amount 200.00 --method card >/dev/null
	run -0 --separate-stderr pms-patient merge 1 2 --force -o csv
	assert_line 'charges,patient_id,1'
	assert_line 'ledger,patient_id,2'
	assert_line 'balances,patient_id,2'
	assert_line 'payments,patient_id,1'
	assert_line 'visits,patient_id,1'
	run -0 pms-sql "SELECT DISTINCT patient_id FROM charges UNION SELECT
	    DISTINCT patient_id FROM ledger UNION SELECT DISTINCT patient_id
	    FROM balances UNION SELECT DISTINCT patient_id FROM payments"
	assert_output 1
	run -0 pms-bill balance 2 -o csv
	assert_output $'patient_id,mrn,last_name,first_name,party,payer,amount\n1,000101,Example,Pat,patient,,100.00\n1,000101,Example,Pat,insurance,acme,150.00\n1,000101,Example,Pat,credit,,-200.00'
	run -0 pms-admin check
}

@test "merge: the same card on both patients, billed on both: kept twice, the ledger untouched" {
	pms-patient policy add 1 --payer acme --member-id A100 >/dev/null 2>&1
	charge 1 99213 >/dev/null
	charge 2 99214 >/dev/null
	run -0 pms-sql "SELECT count(*) FROM ledger WHERE policy_id IS NOT NULL"
	n=$output
	run -0 --separate-stderr pms-patient merge 1 2 --force -o csv
	assert_line 'charges,patient_id,1'
	# the ledger names both policies: neither is folded away
	run -0 pms-sql "SELECT count(*) FROM policies WHERE patient_id = 1 AND
	    payer_id = (SELECT id FROM payers WHERE code = 'acme') AND
	    member_id = 'A100'"
	assert_output 2
	run -0 pms-sql "SELECT count(*) FROM ledger WHERE policy_id IS NOT NULL"
	assert_output "$n"
	run -0 pms-bill balance 1 -o csv
	assert_line '1,000101,Example,Pat,insurance,acme,230.00'
	run -0 pms-admin check
}

@test "merge: the same card on both, billed on one only: the other is folded" {
	pms-patient policy add 1 --payer acme --member-id A100 >/dev/null 2>&1
	charge 1 99213 >/dev/null
	run -0 --separate-stderr pms-patient merge 1 2 --force -o csv
	run -0 pms-sql "SELECT count(*) FROM policies WHERE patient_id IN (1, 2)
	    AND member_id = 'A100'"
	assert_output 1
	run -0 pms-admin check
}

@test "errors: messages about a patient name the patient, charge or line, never their data" {
	id=$(charge 4 99213)
	all=
	run -1 --separate-stderr pms-bill transfer "$id" --to patient \
	    --amount 999.00 --reason x
	all+=$stderr
	run -65 --separate-stderr pms-bill pay --mrn 000104 --amount -1.00 \
	    --method cash
	all+=$stderr
	run -1 --separate-stderr pms-bill refund --mrn 000104 --amount 1.00 \
	    --method cash
	all+=$stderr
	run -65 --separate-stderr pms-bill code "$id" --dx 'Z9.'
	all+=$stderr
	run -1 --separate-stderr pms-bill charge --mrn 000104X --on "$D" \
	    --provider lee --location main --code 99213
	all+=$stderr
	printf 'mrn,amount,as_of\n000104,x,1957-03-14\n' >"$BATS_TEST_TMPDIR/o.csv"
	run -65 --separate-stderr pms-bill opening-balance import \
	    "$BATS_TEST_TMPDIR/o.csv"
	all+=$stderr
	[ -n "$all" ]
	refute_phi "$all"
	[[ $all != *000104* && $all != *Z9* ]]
}

# ---- who may do what ------------------------------------------------

@test "rights: the front desk takes payments but may not adjust, void or refund (77, logged); a clinician codes" {
	id=$(charge 1 99213)
	run -0 --separate-stderr as desk pms-bill pay --patient 1 \
	    --amount 10.00 --method cash
	run -0 --separate-stderr as desk pms-bill balance 1
	run -77 --separate-stderr as desk pms-bill adjust "$id" \
	    --amount -1.00 --reason courtesy
	assert_stderr 'desk (front-desk) may not do bill.adjust'
	refute_phi "$stderr"
	run -77 --separate-stderr as desk pms-bill void "$id"
	run -77 --separate-stderr as desk pms-bill refund --patient 1 \
	    --amount 1.00 --method cash
	run -77 --separate-stderr as desk pms-bill transfer "$id" --to patient \
	    --reason x
	run -0 pms-sql "SELECT user, action FROM audit WHERE action LIKE
	    'denied:%' ORDER BY id"
	assert_output $'desk|denied:bill.adjust\ndesk|denied:bill.void\ndesk|denied:bill.refund\ndesk|denied:bill.transfer'
	run -0 --separate-stderr as doc pms-bill code "$id" --dx I10
	run -77 --separate-stderr as doc pms-bill pay --patient 1 \
	    --amount 1.00 --method cash
	run -0 --separate-stderr as biller pms-bill adjust "$id" \
	    --amount -1.00 --reason courtesy
	run -0 pms-sql "SELECT -sum(amount_cents) FROM ledger WHERE kind IN
	    ('payment', 'adjustment')"
	assert_output 1100
}

@test "options: usage errors are 64, no store 66, a bad id 64" {
	run -64 --separate-stderr pms-bill
	[[ $stderr == usage:\ pms-bill* ]]
	run -64 --separate-stderr pms-bill frobnicate
	assert_stderr 'unknown command "frobnicate"'
	run -64 --separate-stderr pms-bill show x1
	assert_stderr 'charge: not an id'
	run -64 --separate-stderr pms-bill list --status paid
	run -64 --separate-stderr pms-bill list --on 2026-13-01
	run -66 --separate-stderr pms-bill -S "$BATS_TEST_TMPDIR/none" list
	run -1 --separate-stderr pms-bill show 42
	assert_stderr 'no charge 42'
	run -0 --separate-stderr pms-bill --help
	[[ $output == usage:\ pms-bill* ]]
}

@test "list: by patient, date and status; show one charge; each read is in the access log" {
	ON=2026-01-10 charge 1 99213 >/dev/null
	ON=2026-02-10 charge 1 36415 --dx I10 >/dev/null
	ON=2026-02-10 charge 2 99213 >/dev/null
	run -0 pms-bill list --patient 1 -o csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 pms-bill list --from 2026-02-01 --status needs-coding -o csv
	assert_line --index 1 --partial '3,3,1,2,000102,2026-02-10,'
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-bill list --on 2026-01-10 -o json
	assert_output --partial '"charge_id":1,'
	assert_output --partial '"amount_cents":10000,'
	assert_output --partial '"patient_balance_cents":10000,'
	run -0 pms-bill list --open --mrn 000102 -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-sql "SELECT a.action, group_concat(p.patient_id) FROM audit
	    a JOIN audit_patient p ON p.audit_id = a.id WHERE action =
	    'bill.list' GROUP BY a.id ORDER BY a.id"
	assert_output $'bill.list|1\nbill.list|2\nbill.list|1\nbill.list|2'
}

# ---- the money code itself ----------------------------------------

@test "money: no binary floating point anywhere in the billing code" {
	run grep -nwE 'double|float|long double|strtod|atof|HUGE_VAL' \
	    "$TOP"/lib/bill.c "$TOP"/lib/bill_charge.c "$TOP"/lib/bill_query.c \
	    "$TOP"/lib/bill_stmt.c "$TOP"/lib/bill.h "$TOP"/lib/codes.c \
	    "$TOP"/cmd/pms-bill.c
	assert_failure 1
	assert_output ''
}

@test "money: the amounts the parser takes and refuses, on a charge" {
	for a in 40:40.00 40.5:40.50 .50:0.50 '$1,234.56:1234.56' '0.00:0.00'; do
		id=$(charge 1 36415 --amount "${a%%:*}")
		[ "$(col "$id" amount)" = "${a#*:}" ]
		pms-bill void "$id" >/dev/null
	done
	for a in 12.345 1e3 12,34 +15 40. '$ 15' '' '--1.00'; do
		run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
		    --provider lee --location main --code 36415 --amount "$a"
		assert_stderr 'pms-bill: --amount: '
	done
	run -65 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 36415 --amount -5.00
	assert_stderr 'amount: a charge is not negative'
}
