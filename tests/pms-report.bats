#!/usr/bin/env bats
# bats file_tags=pms-report
# pms-report: a small practice whose every figure is known by hand (two
# days of appointments two weeks back, their charges, payments and an
# adjustment), each report's rows asserted whole and its totals against
# the source tables, the period's edges, a DST week at fixed dates, the
# access log's entry and a store otherwise unchanged, and bad input.

load helpers/common

# The template: the demo practice and its fees; four patients (the
# fourth carries the PHI markers): 1 with Acme, 2 self-pay, 3 with Blue
# Cross; office hours for lee and ortiz every day; a billing user and a
# front-desk user.
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
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	pms-patient add --mrn 000201 --last-name Example --first-name Pat \
	    --dob 1980-01-15 >/dev/null
	pms-patient add --mrn 000202 --last-name Sample --first-name Sam \
	    --dob 1975-05-05 >/dev/null
	pms-patient add --mrn 000203 --last-name Demo --first-name Dana \
	    --dob 2015-02-02 >/dev/null
	pms-patient add --mrn 000204 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 >/dev/null
	pms-patient policy add 1 --payer acme --member-id A100 >/dev/null
	pms-patient policy add 3 --payer bluecross --member-id B200 >/dev/null
	for u in lee ortiz; do
		pms-schedule hours set --provider "$u" --location main \
		    --days all --hours 06:00-23:59 >/dev/null
	done
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
	# a Monday two weeks back or so, and the Tuesday after
	M=$(date -d "$TODAY -14 days" +%F)
	M=$(date -d "$M -$(( $(date -d "$M" +%u) - 1 )) days" +%F)
	T=$(date -d "$M +1 day" +%F)
}

# Run a command as of a wall clock in New York: when "2026-12-14 10:00" cmd
when() {
	local t=$1
	shift
	faketime "$(date -u -d "TZ=\"America/New_York\" $t" '+%F %T UTC')" "$@"
}

as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

book() {
	pms-schedule book --patient "$1" --provider "$2" --at "$3" \
	    --type "$4" --allow-past -o csv | tail -n 1 | cut -d, -f1
}

# The practice of the figures below:
#   a1 patient 1, lee,   M 09:00 followup    completed  charge 92.00 (acme)
#   a2 patient 2, lee,   M 10:00 followup    no-show
#   a3 patient 3, ortiz, M 09:00 newpatient  completed  charge 180.00 (bcbs)
#   a4 patient 2, lee,   T 14:00 followup    no-show
#   a5 patient 1, ortiz, T 09:30 long        cancelled late by the patient
#   a6 patient 3, lee,   T 11:00 followup    cancelled by the practice
#   patient 2: a visit of M with lee, 99213 self-pay, 85.00
#   payments: patient 2 85.00 cash on T; patient 1 20.00 card today
#   (a credit); an adjustment CO-45 of 10.00 on patient 1's charge.
practice() {
	book 1 lee "${M}T09:00" followup >/dev/null
	book 2 lee "${M}T10:00" followup >/dev/null
	book 3 ortiz "${M}T09:00" newpatient >/dev/null
	book 2 lee "${T}T14:00" followup >/dev/null
	book 1 ortiz "${T}T09:30" long >/dev/null
	book 3 lee "${T}T11:00" followup >/dev/null
	pms-schedule complete 1 >/dev/null
	pms-schedule noshow 2 >/dev/null
	pms-schedule complete 3 >/dev/null
	pms-schedule noshow 4 >/dev/null
	# the patient calls off an hour and a half before: a late cancel
	when "$T 08:00" pms-schedule cancel 5 --by patient >/dev/null 2>&1
	pms-schedule cancel 6 --by practice --allow-past >/dev/null
	pms-schedule list --from "$M" --to "$T" --status completed -o json |
	    pms-bill charge -o csv >/dev/null 2>&1
	pms-bill charge --patient 2 --on "$M" --provider lee --location main \
	    --code 99213 --dx I10 -o csv >/dev/null
	pms-bill pay --patient 2 --amount 85.00 --method cash --on "$T" \
	    -o csv >/dev/null
	pms-bill pay --patient 1 --amount 20.00 --method card -o csv >/dev/null
	pms-bill adjust 1 --amount -10.00 --reason 45 --group CO --from acme \
	    -o csv >/dev/null
}

# Every row of every table but the access log's, for comparing a store
# before and after a report.
store_dump() {
	local t sql=""
	for t in $(pms-sql "SELECT name FROM sqlite_schema WHERE type =
	    'table' AND name NOT LIKE 'audit%' AND name NOT LIKE 'export%'
	    ORDER BY name"); do
		sql+="SELECT '$t', * FROM \"$t\";"
	done
	pms-sql "$sql"
}

@test "fixture: the practice is as the figures say" {
	practice
	run -0 pms-sql "SELECT id, status, late_cancel FROM appointments
	    ORDER BY id"
	assert_output $'1|completed|0\n2|no-show|0\n3|completed|0\n4|no-show|0\n5|cancelled|1\n6|cancelled|0'
	run -0 pms-sql "SELECT id, patient_id, dos, amount_cents FROM charges
	    ORDER BY id"
	assert_output "1|1|$M|9200
2|3|$M|18000
3|2|$M|8500"
}

@test "list: every report, one line each, and no store needed" {
	run -0 --separate-stderr pms-report -S "$BATS_TEST_TMPDIR/none" list \
	    -o csv
	assert_line --index 0 'report,description'
	[ "${#lines[@]}" -eq 11 ]
	for r in day-sheet schedule no-shows utilisation productivity \
	    collections ar-aging payer-mix denials reminders; do
		assert_line --regexp "^$r,"
	done
}

@test "schedule: the day per provider by time, cancelled left out" {
	practice
	run -0 --separate-stderr pms-report schedule --on "$T" -o csv
	assert_output "date,provider,location,start,end,appointment_id,patient_id,mrn,patient_name,type,room,status,confirmed
$T,lee,main,14:00,14:20,4,2,000202,\"Sample, Sam\",followup,,no-show,no"
	run -0 pms-report schedule --from "$M" --to "$T" --provider ortiz -o csv
	assert_output "date,provider,location,start,end,appointment_id,patient_id,mrn,patient_name,type,room,status,confirmed
$M,ortiz,main,09:00,09:40,3,3,000203,\"Demo, Dana\",newpatient,,completed,no"
	# the entry: the action, the fields, the patients shown
	run -0 pms-sql "SELECT a.action, group_concat(p.patient_id) FROM audit
	    a JOIN audit_patient p ON p.audit_id = a.id WHERE a.id = (SELECT
	    max(id) FROM audit)"
	assert_output 'report.schedule|3'
}

@test "no-shows: every rate by hand, and repeated no-shows" {
	practice
	run -0 --separate-stderr pms-report no-shows --from "$M" --to "$T" \
	    -o csv
	assert_output 'dimension,value,patient_id,mrn,appointments,no_shows,late_cancels,no_show_rate,late_cancel_rate
all,,,,5,2,1,40.0,20.0
provider,lee,,,3,2,0,66.7,0.0
provider,ortiz,,,2,0,1,0.0,50.0
weekday,mon,,,3,1,0,33.3,0.0
weekday,tue,,,2,1,1,50.0,50.0
hour,09,,,3,0,1,0.0,33.3
hour,10,,,1,1,0,100.0,0.0
hour,14,,,1,1,0,100.0,0.0
type,followup,,,3,2,0,66.7,0.0
type,long,,,1,0,1,0.0,100.0
type,newpatient,,,1,0,0,0.0,0.0
patient,,2,000202,2,2,0,100.0,0.0'
	# the period's edge: Monday alone
	run -0 pms-report no-shows --on "$M" -o csv
	assert_line --index 1 'all,,,,3,1,0,33.3,0.0'
	refute_line --regexp '^patient,'
	# the all row against the source table
	run -0 pms-sql "SELECT count(*), sum(status = 'no-show') FROM
	    appointments WHERE local_date BETWEEN '$M' AND '$T' AND (status <>
	    'cancelled' OR late_cancel = 1)"
	assert_output '5|2'
}

@test "day-sheet: the day's money by provider, reconciling with the ledger" {
	practice
	run -0 --separate-stderr pms-report day-sheet --on "$TODAY" -o csv
	# charges posted today (357.00), patient 1's card payment (a credit:
	# nobody's), the adjustment of patient 1's charge (lee's)
	assert_output "date,provider,appointments,completed,no_shows,cancelled,charges,payments,adjustments,other,net
$TODAY,lee,0,0,0,0,177.00,0.00,-10.00,0.00,167.00
$TODAY,ortiz,0,0,0,0,180.00,0.00,0.00,0.00,180.00
$TODAY,,0,0,0,0,0.00,-20.00,0.00,0.00,-20.00
,total,0,0,0,0,357.00,-20.00,-10.00,0.00,327.00"
	run -0 pms-sql "SELECT sum(amount_cents) FROM ledger WHERE posted_on =
	    '$TODAY'"
	assert_output 32700
	run -0 pms-report day-sheet --from "$M" --to "$T" -o csv
	assert_output "date,provider,appointments,completed,no_shows,cancelled,charges,payments,adjustments,other,net
$M,lee,2,1,1,0,0.00,0.00,0.00,0.00,0.00
$M,ortiz,1,1,0,0,0.00,0.00,0.00,0.00,0.00
$T,lee,1,0,1,1,0.00,-85.00,0.00,0.00,-85.00
$T,ortiz,0,0,0,1,0.00,0.00,0.00,0.00,0.00
,total,4,2,2,2,0.00,-85.00,0.00,0.00,-85.00"
	# JSON: integer cents
	run -0 pms-report day-sheet --on "$TODAY" --provider ortiz -o json
	assert_output "{\"date\":\"$TODAY\",\"provider\":\"ortiz\",\"appointments\":0,\"completed\":0,\"no_shows\":0,\"cancelled\":0,\"charges_cents\":18000,\"payments_cents\":0,\"adjustments_cents\":0,\"other_cents\":0,\"net_cents\":18000}
{\"date\":null,\"provider\":\"total\",\"appointments\":0,\"completed\":0,\"no_shows\":0,\"cancelled\":0,\"charges_cents\":18000,\"payments_cents\":0,\"adjustments_cents\":0,\"other_cents\":0,\"net_cents\":18000}"
}

@test "productivity: visits, lines, units and charges per provider and code" {
	practice
	run -0 --separate-stderr pms-report productivity --from "$M" \
	    --to "$T" -o csv
	assert_output 'provider,code,visits,lines,units,charges
lee,99213,2,2,2,177.00
lee,,2,2,2,177.00
ortiz,99203,1,1,1,180.00
ortiz,,1,1,1,180.00
total,,3,3,3,357.00'
	run -0 pms-sql "SELECT sum(amount_cents) FROM charges WHERE status <>
	    'void' AND dos BETWEEN '$M' AND '$T'"
	assert_output 35700
	# the day after: nothing but the total, zero (findings G6)
	run -0 pms-report productivity --on "$(date -d "$T +1 day" +%F)" -o csv
	assert_output 'provider,code,visits,lines,units,charges
total,,0,0,0,0.00'
}

@test "collections: payments by source and the net collection rate" {
	practice
	run -0 --separate-stderr pms-report collections --from "$M" -o csv
	# 105.00 / (357.00 - 10.00) = 30.26 %
	assert_output 'source,payments,payments_share,contractual,charges,net_collection_rate,refunds,provider_adjustments
patient,105.00,100.0,0.00,,,0.00,0.00
acme,0.00,0.0,10.00,,,0.00,0.00
total,105.00,100.0,10.00,357.00,30.3,0.00,0.00'
	run -0 pms-report collections --from "$M" --payer acme -o csv
	assert_output 'source,payments,payments_share,contractual,charges,net_collection_rate,refunds,provider_adjustments
acme,0.00,,10.00,,,0.00,0.00
total,0.00,,10.00,92.00,0.0,0.00,0.00'
	run -0 pms-sql "SELECT sum(amount_cents) FROM payments WHERE
	    received_on >= '$M'"
	assert_output 10500
}

@test "ar-aging: buckets by payer and patient, credits apart, as pms-bill aging" {
	practice
	run -0 --separate-stderr pms-report ar-aging -o csv
	# 262.00 owed over 357.00 of charges in 90 days: 66.1 days
	assert_output 'responsibility,payer,patient_id,mrn,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total,days_in_ar
insurance,acme,,,82.00,0.00,0.00,0.00,0.00,82.00,
insurance,bluecross,,,180.00,0.00,0.00,0.00,0.00,180.00,
credit,,,,-20.00,0.00,0.00,0.00,0.00,-20.00,
total,,,,262.00,0.00,0.00,0.00,0.00,262.00,66.1'
	# the same sums as pms-bill aging's summary
	run -0 pms-bill aging --summary -o csv
	assert_line --partial 'insurance,acme,82.00,0.00,0.00,0.00,0.00,82.00'
	assert_line --partial 'insurance,bluecross,180.00,0.00,0.00,0.00,0.00,180.00'
	assert_line --partial 'credit,,-20.00,0.00,0.00,0.00,0.00,-20.00'
	# the edge of a bucket: 30 days after the date of service is
	# current, 31 is not
	run -0 pms-report ar-aging --as-of "$(date -d "$M +30 days" +%F)" \
	    --payer bluecross -o csv
	assert_line --index 1 'insurance,bluecross,,,180.00,0.00,0.00,0.00,0.00,180.00,'
	run -0 pms-report ar-aging --as-of "$(date -d "$M +31 days" +%F)" \
	    --payer bluecross -o csv
	assert_line --index 1 'insurance,bluecross,,,0.00,180.00,0.00,0.00,0.00,180.00,'
	run -0 pms-report ar-aging --by-patient -o csv
	assert_output 'responsibility,payer,patient_id,mrn,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total,days_in_ar
insurance,acme,1,000201,82.00,0.00,0.00,0.00,0.00,82.00,
credit,,1,000201,-20.00,0.00,0.00,0.00,0.00,-20.00,
insurance,bluecross,3,000203,180.00,0.00,0.00,0.00,0.00,180.00,
insurance,acme,,,82.00,0.00,0.00,0.00,0.00,82.00,
insurance,bluecross,,,180.00,0.00,0.00,0.00,0.00,180.00,
credit,,,,-20.00,0.00,0.00,0.00,0.00,-20.00,
total,,,,262.00,0.00,0.00,0.00,0.00,262.00,66.1'
	run -0 pms-sql "SELECT sum(amount_cents) FROM balances WHERE class <> 3"
	assert_output 26200
}

@test "payer-mix: shares of visits and charges by primary payer" {
	practice
	run -0 --separate-stderr pms-report payer-mix --from "$M" --to "$T" \
	    -o csv
	assert_output 'payer,visits,visits_share,charges,charges_share
acme,1,33.3,92.00,25.8
bluecross,1,33.3,180.00,50.4
self-pay,1,33.3,85.00,23.8
total,3,100.0,357.00,100.0'
	run -0 pms-report payer-mix --from "$M" --to "$T" --provider lee -o csv
	assert_output 'payer,visits,visits_share,charges,charges_share
acme,1,50.0,92.00,52.0
self-pay,1,50.0,85.00,48.0
total,2,100.0,177.00,100.0'
}

@test "reminders: without any sent, every appointment is not reminded" {
	practice
	run -0 --separate-stderr pms-report reminders --from "$M" --to "$T" \
	    -o csv
	assert_output 'group,appointments,confirmed,no_shows,no_show_rate,reminders_sent,reminders_delivered,reminders_failed,reminders_skipped
not-reminded,5,0,2,40.0,0,0,0,0
total,5,0,2,40.0,0,0,0,0'
}

@test "reminders: reminded and not, with the no-show rate of each" {
	pms-patient update 1 --mobile-phone '617 555 0101' --sms-consent yes \
	    >/dev/null
	day=$(date -d "$TODAY +3 days" +%F)
	book 1 lee "${day}T15:00" followup >/dev/null
	book 2 lee "${day}T16:00" followup >/dev/null
	printf '#!/bin/sh\ncat >/dev/null\n' >"$BATS_TEST_TMPDIR/sender"
	chmod +x "$BATS_TEST_TMPDIR/sender"
	# the day before at noon: the two-days SMS of the first goes, the
	# second patient gave no consent
	when "$(date -d "$day -1 day" +%F) 12:00" pms-remind send \
	    --exec "$BATS_TEST_TMPDIR/sender" </dev/null >/dev/null 2>&1
	run -0 pms-sql "SELECT appointment_id, status FROM reminders ORDER BY
	    appointment_id"
	assert_output $'1|sent\n2|skipped'
	# the day before, neither counts yet: both still to come
	run -0 when "$(date -d "$day -1 day" +%F) 13:00" pms-report \
	    reminders --on "$day" -o csv
	assert_output 'group,appointments,confirmed,no_shows,no_show_rate,reminders_sent,reminders_delivered,reminders_failed,reminders_skipped
total,0,0,0,,0,0,0,0'
	# that evening: the first a no-show, the second seen
	when "$day 18:00" pms-schedule noshow 1 >/dev/null
	when "$day 18:00" pms-schedule complete 2 >/dev/null
	run -0 --separate-stderr when "$day 18:30" pms-report reminders \
	    --on "$day" -o csv
	assert_output 'group,appointments,confirmed,no_shows,no_show_rate,reminders_sent,reminders_delivered,reminders_failed,reminders_skipped
reminded,1,0,1,100.0,1,0,0,0
not-reminded,1,0,0,0.0,0,0,0,1
total,2,0,1,50.0,1,0,0,1'
}

@test "DST: the week the clocks go forward, hours and days by the wall clock" {
	# Sunday 2026-03-08, 02:00 in New York; 2026-03-01 is Sunday too
	book 1 lee 2026-03-06T09:00 followup >/dev/null
	book 2 lee 2026-03-09T09:00 followup >/dev/null
	book 3 lee 2026-03-09T23:30 followup >/dev/null
	pms-schedule noshow 2 >/dev/null
	run -0 --separate-stderr pms-report no-shows --from 2026-03-06 \
	    --to 2026-03-09 -o csv
	assert_line 'weekday,fri,,,1,0,0,0.0,0.0'
	assert_line 'weekday,mon,,,2,1,0,50.0,0.0'
	assert_line 'hour,09,,,2,1,0,50.0,0.0'
	assert_line 'hour,23,,,1,0,0,0.0,0.0'
	# 23:30 on Monday is Tuesday in UTC: still Monday's
	run -0 pms-report schedule --on 2026-03-09 -o csv
	assert_line --index 1 --partial '2026-03-09,lee,main,09:00,09:20,2,'
	assert_line --index 2 --partial '2026-03-09,lee,main,23:30,23:50,3,'
	[ "${#lines[@]}" -eq 3 ]
	run -0 pms-report schedule --on 2026-03-10 -o csv
	[ "${#lines[@]}" -eq 1 ]
	# whatever the zone of the process
	run -0 env TZ=Asia/Tokyo pms-report schedule --on 2026-03-09 -o csv
	[ "${#lines[@]}" -eq 3 ]
}

@test "read: the store unchanged but for one entry naming the patients" {
	practice
	store_dump >"$BATS_TEST_TMPDIR/before"
	n=$(pms-sql "SELECT count(*) FROM audit")
	for r in day-sheet schedule no-shows utilisation productivity \
	    collections ar-aging payer-mix reminders; do
		pms-report "$r" --from "$M" -o csv >/dev/null 2>&1 ||
		    pms-report "$r" -o csv >/dev/null
	done
	store_dump >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run -0 pms-sql "SELECT action FROM audit WHERE id > $n ORDER BY id"
	assert_output 'report.day-sheet
report.schedule
report.no-shows
report.utilisation
report.productivity
report.collections
report.ar-aging
report.payer-mix
report.reminders'
	run -0 pms-sql "SELECT group_concat(p.patient_id) FROM audit a JOIN
	    audit_patient p ON p.audit_id = a.id WHERE a.action =
	    'report.no-shows'"
	assert_output '1,2,3'
	# --out: a file of 0600, recorded as an export (the patients of the
	# balances, and of the charges that days in A/R divides by)
	run -0 pms-report ar-aging -o csv --out "$BATS_TEST_TMPDIR/aging.csv"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/aging.csv")" = 600 ]
	run -0 pms-sql "SELECT kind, patients FROM exports ORDER BY id DESC
	    LIMIT 1"
	assert_output 'report-ar-aging|3'
}

@test "rights: the desk prints its day, the clinician only the schedule" {
	practice
	run -0 as desk pms-report day-sheet -o csv
	run -0 as doc pms-report schedule -o csv
	run -77 --separate-stderr as doc pms-report day-sheet -o csv
	run -77 --separate-stderr as desk pms-report ar-aging -o csv
	run -0 as biller pms-report ar-aging -o csv
}

@test "bad input: usage, unknown codes, bad dates; no patient data in messages" {
	practice
	run -64 --separate-stderr pms-report bogus
	run -64 --separate-stderr pms-report ar-aging --from "$M"
	assert_stderr 'pms-report: ar-aging: --from does not apply'
	run -64 --separate-stderr pms-report collections --provider lee
	assert_stderr 'collections: --provider does not apply'
	run -64 --separate-stderr pms-report no-shows --on "$M" --from "$M"
	assert_stderr 'no-shows: --on or --from and --to, not both'
	run -64 --separate-stderr pms-report no-shows --to "$M"
	assert_stderr 'no-shows: --to: needs --from'
	run -64 --separate-stderr pms-report no-shows --from "$T" --to "$M"
	assert_stderr 'no-shows: --from: after --to'
	run -64 --separate-stderr pms-report schedule --on 2026-02-30
	assert_stderr 'schedule: --on: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-report productivity --from 1990-01-01
	assert_stderr 'the period is longer than 20 years'
	run -64 --separate-stderr pms-report schedule "$M"
	run -1 --separate-stderr pms-report schedule --provider nobody
	assert_stderr 'pms-report: --provider: unknown provider "nobody"'
	refute_phi "$stderr"
	run -1 --separate-stderr pms-report payer-mix --location 'Zztest x'
	assert_stderr 'pms-report: --location: unknown location'
	refute_phi "$stderr"
	run -1 --separate-stderr pms-report ar-aging --payer zz
	# no entry for what was refused before anything was read
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action LIKE
	    'report.%'"
	assert_output 0
	run -66 --separate-stderr pms-report -S "$BATS_TEST_TMPDIR/none" \
	    schedule
	run -74 --separate-stderr pms-report schedule --from "$M" -o csv \
	    --out /dev/full
}

@test "read: a blocked reader holds no lock" {
	practice
	start_blocked pms-report schedule --from "$M" -o csv
	run -0 pms-schedule book --patient 2 --provider lee \
	    --at "$(date -d "$TODAY +3 days" +%F)T10:00" --type followup -o csv
	finish_blocked
	run -0 grep -c ',lee,\|,ortiz,' "$BLOCKED_OUT"
	assert_output 4
}

# The HTML page of a report is well-formed XML with an SVG chart and the
# table, and nothing that fetches or links anywhere.
html_ok() {
	xmllint --noout "$1"
	run -0 xmllint --xpath 'count(//svg)' "$1"
	assert_output 1
	run -0 xmllint --xpath 'count(//table)' "$1"
	assert_output 1
	run -0 xmllint --xpath 'count(//script | //link | //img | //iframe |
	    //object | //embed | //@src | //@*[local-name()="href"])' "$1"
	assert_output 0
	run grep -ci 'http\|url(\|@import' "$1"
	assert_output 0
}

@test "-o html: every report a page that validates, fetches nothing" {
	practice
	local r
	for r in day-sheet schedule no-shows utilisation productivity \
	    collections payer-mix reminders; do
		run -0 --separate-stderr pms-report "$r" --from "$M" --to "$T" \
		    -o html --out "$BATS_TEST_TMPDIR/$r.html"
		assert_output ''
		[ "$(stat -c %a "$BATS_TEST_TMPDIR/$r.html")" = 600 ]
		html_ok "$BATS_TEST_TMPDIR/$r.html"
		run -0 grep -c "<title>pms-report $r</title>" \
		    "$BATS_TEST_TMPDIR/$r.html"
		run -0 grep -c "$M to $T" "$BATS_TEST_TMPDIR/$r.html"
	done
	run -0 --separate-stderr pms-report ar-aging --by-patient -o html
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/aging.html"
	html_ok "$BATS_TEST_TMPDIR/aging.html"
	# the table's figures are the CSV's
	run -0 xmllint --xpath '//tbody/tr[td[1]="total"]/td[10]/text()' \
	    "$BATS_TEST_TMPDIR/aging.html"
	total=$output
	run -0 pms-report ar-aging -o csv
	assert_line --regexp "^total,,,,.*,$total,"
	# the stacked aging bars: five segments a payer row
	run -0 xmllint --xpath 'count(//svg/rect[@class="s4"])' \
	    "$BATS_TEST_TMPDIR/aging.html"
	[ "$output" -ge 2 ]
	# the day sheet over two days: a line a provider
	run -0 xmllint --xpath 'count(//svg/polyline)' \
	    "$BATS_TEST_TMPDIR/day-sheet.html"
	assert_output 2
	# one day: bars
	run -0 pms-report day-sheet --on "$TODAY" -o html
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/one.html"
	html_ok "$BATS_TEST_TMPDIR/one.html"
	run -0 xmllint --xpath 'count(//svg/rect)' "$BATS_TEST_TMPDIR/one.html"
	[ "$output" -ge 2 ]
}

@test "-o html: names with <, & and quotes are escaped, the page holds" {
	practice
	# a name may have an apostrophe; an MRN is opaque text
	run -0 pms-patient add --mrn "X<&\"'>9" --last-name "O'Neil" \
	    --first-name 'Jo' --dob 1970-07-07
	book 5 lee "${M}T15:00" followup >/dev/null
	run -0 --separate-stderr pms-report schedule --on "$M" -o html \
	    --out "$BATS_TEST_TMPDIR/s.html"
	html_ok "$BATS_TEST_TMPDIR/s.html"
	run -0 xmllint --xpath 'string(//tbody/tr[td[6]="7"]/td[9])' \
	    "$BATS_TEST_TMPDIR/s.html"
	assert_output "O'Neil, Jo"
	run -0 xmllint --xpath 'string(//tbody/tr[td[6]="7"]/td[8])' \
	    "$BATS_TEST_TMPDIR/s.html"
	assert_output "X<&\"'>9"
	run -0 grep -c 'X&lt;&amp;&quot;&#39;&gt;9' "$BATS_TEST_TMPDIR/s.html"
	refute_phi
}

@test "-o html: a dry run writes no file; bad -o; the read is audited" {
	practice
	run -0 --separate-stderr pms-report payer-mix -n -o html \
	    --out "$BATS_TEST_TMPDIR/p.html"
	assert_output ''
	[[ $stderr == *'p.html was not written'* ]]
	assert_not_exist "$BATS_TEST_TMPDIR/p.html"
	run -64 --separate-stderr pms-report payer-mix -o pdf
	[[ $stderr == *'expected table, csv, json or html'* ]]
	run -0 pms-report collections -o html --out "$BATS_TEST_TMPDIR/c.html"
	run -0 pms-sql "SELECT action FROM audit WHERE id = (SELECT max(id)
	    FROM audit)"
	assert_output 'report.collections'
}

@test "utilisation: booked against available office hours, exceptions out" {
	practice
	# hours 06:00-23:59 every day: 1079 minutes a day, 2158 in two;
	# lee: three of 20 minutes (the practice's cancel takes none);
	# ortiz: one of 40 (the late cancel takes none either)
	run -0 --separate-stderr pms-report utilisation --from "$M" --to "$T" \
	    -o csv
	assert_output 'provider,appointments,booked_minutes,available_minutes,utilisation
lee,3,60,2158,2.8
ortiz,1,40,2158,1.9
total,4,100,4316,2.3'
	# the booked minutes against the source table
	run -0 pms-sql "SELECT sum(end_utc - start_utc) / 60 FROM appointments
	    WHERE local_date BETWEEN '$M' AND '$T' AND status <> 'cancelled'"
	assert_output 100
	# an exception of lee's Monday noon to two, and one for everyone
	# on Tuesday evening (an hour of it past the hours' end)
	pms-schedule off add --provider lee --from "${M}T12:00" \
	    --to "${M}T14:00" --reason lunch >/dev/null 2>&1
	pms-schedule off add --from "${T}T23:00" --to "$(date -d "$T +1 day" \
	    +%F)T01:00" --reason power >/dev/null 2>&1
	run -0 pms-report utilisation --from "$M" --to "$T" -o csv
	assert_output 'provider,appointments,booked_minutes,available_minutes,utilisation
lee,3,60,1979,3.0
ortiz,1,40,2099,1.9
total,4,100,4078,2.5'
	# one provider, one day; the period's edge
	run -0 pms-report utilisation --on "$T" --provider lee -o csv
	assert_output 'provider,appointments,booked_minutes,available_minutes,utilisation
lee,1,20,1020,2.0
total,1,20,1020,2.0'
	# the entry names the patients counted
	run -0 pms-sql "SELECT a.action, group_concat(p.patient_id) FROM audit
	    a JOIN audit_patient p ON p.audit_id = a.id WHERE a.id = (SELECT
	    max(id) FROM audit)"
	assert_output 'report.utilisation|2'
}

@test "utilisation: the nights the clocks change are an hour short or long" {
	# ortiz on Sundays from midnight to six: 2026-03-08 the clocks go
	# forward at two (5 hours), 2026-11-01 back at two (7 hours)
	pms-schedule hours set --provider ortiz --location main --days sun \
	    --hours 00:00-06:00 >/dev/null 2>&1
	run -0 --separate-stderr pms-report utilisation --on 2026-03-01 \
	    --provider ortiz -o csv
	assert_line --index 1 'ortiz,0,0,360,0.0'
	run -0 pms-report utilisation --on 2026-03-08 --provider ortiz -o csv
	assert_line --index 1 'ortiz,0,0,300,0.0'
	run -0 pms-report utilisation --on 2026-11-01 --provider ortiz -o csv
	assert_line --index 1 'ortiz,0,0,420,0.0'
	# an appointment across the change: 01:30 to 03:30 by the clock is
	# an hour of real time
	pms-schedule book --patient 1 --provider ortiz --at 2026-03-08T01:30 \
	    --length 1h --allow-past -o csv >/dev/null
	run -0 pms-report utilisation --on 2026-03-08 --provider ortiz -o csv
	assert_line --index 1 'ortiz,1,60,300,20.0'
	# whatever the zone of the process
	run -0 env TZ=Asia/Tokyo pms-report utilisation --from 2026-03-01 \
	    --to 2026-03-08 --provider ortiz -o csv
	assert_line --index 1 --regexp '^ortiz,1,60,[0-9]+,'
}
