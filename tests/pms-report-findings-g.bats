#!/usr/bin/env bats
# bats file_tags=pms-report
#
# pms-report after an office manager's trial (findings G): a store
# without configuration is 78; --help that cannot be written is 74; a
# stray argument is named; the utilisation chart says minutes; every
# report has its total row with no rows; payer-mix leaves out a visit
# all void; a late cancel counts once its start has passed; the day
# sheet's chart runs over every day of the period; the page states its
# filters; codes in any case; today, tomorrow, yesterday; a date out of
# range says so.

load helpers/common

# The template: the demo practice and its fees; patient 1 self-pay,
# patient 2 with Acme; office hours for lee and ortiz on weekdays.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template"
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	pms-patient add --mrn 000301 --last-name Example --first-name Pat \
	    --dob 1980-01-15 >/dev/null
	pms-patient add --mrn 000302 --last-name Sample --first-name Sam \
	    --dob 1975-05-05 >/dev/null
	pms-patient policy add 2 --payer acme --member-id A100 >/dev/null
	local u
	for u in lee ortiz; do
		pms-schedule hours set --provider "$u" --location main \
		    --days mon-fri --hours 09:00-17:00 >/dev/null
	done
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	export COLUMNS=400
	# the practice's day (America/New_York), whatever the machine's zone
	TODAY=$(TZ=America/New_York date +%F)
	# a Monday two weeks back or so
	M=$(date -d "$TODAY -14 days" +%F)
	M=$(date -d "$M -$(( $(date -d "$M" +%u) - 1 )) days" +%F)
}

# Run a command as of a wall clock in New York: when "2026-12-14 10:00" cmd
when() {
	local t=$1
	shift
	faketime "$(date -u -d "TZ=\"America/New_York\" $t" '+%F %T UTC')" "$@"
}

day() {
	date -d "$M +$1 days" +%F
}

book() {
	pms-schedule book --patient "$1" --provider "$2" --at "$3" \
	    --type followup --allow-past -o csv | tail -n 1 | cut -d, -f1
}

# Tuesday lee sees patient 1, Thursday patient 2; both completed and
# charged today (85.00 self-pay, 92.00 Acme).
week() {
	local a
	for a in "$(book 1 lee "$(day 1)T09:00")" \
	    "$(book 2 lee "$(day 3)T10:00")"; do
		pms-schedule complete "$a" >/dev/null
	done
	pms-schedule list --from "$M" --to "$(day 4)" --status completed \
	    -o json | pms-bill charge -o csv >/dev/null
}

# The page $1 is well-formed and fetches nothing.
page_ok() {
	xmllint --noout "$1"
	run grep -ci 'http\|url(\|@import' "$1"
	assert_output 0
}

@test "G7: a store with no configuration: every report is 78, naming the fix, and prints nothing" {
	local e="$BATS_TEST_TMPDIR/bare" r
	mkdir -m 2770 "$e"
	PMS_STORE="$e/store" pms-admin init --kdf interactive >/dev/null 2>&1
	for r in day-sheet schedule no-shows utilisation productivity \
	    collections ar-aging payer-mix denials reminders; do
		run -78 --separate-stderr env PMS_STORE="$e/store" pms-report \
		    "$r" -o csv
		assert_stderr 'pms-report: no configuration loaded: pms-admin config load FILE'
		assert_output ''
		run -78 --separate-stderr env PMS_STORE="$e/store" pms-report \
		    "$r" -o html
		assert_output ''
	done
	# as pms-schedule does
	run -78 --separate-stderr env PMS_STORE="$e/store" pms-schedule list
	assert_stderr 'pms-schedule: no configuration loaded: pms-admin config load FILE'
	# still no configuration, nothing read
	run -0 pms-sql -S "$e/store" "SELECT count(*) FROM providers"
	assert_output 0
	# the list of reports needs no store
	run -0 env PMS_STORE="$e/none" pms-report list -o csv
}

@test "G14: --help that cannot be written is 74 with the message of every program" {
	run -74 --separate-stderr sh -c 'pms-report --help >/dev/full'
	assert_stderr 'pms-report: write error on standard output: No space left on device'
	run -74 --separate-stderr sh -c 'pms-report -h >/dev/full'
	assert_stderr 'pms-report: write error on standard output: No space left on device'
	run -74 --separate-stderr sh -c 'pms-report --version >/dev/full'
	assert_stderr 'pms-report: write error on standard output: No space left on device'
	run -0 sh -c 'pms-report --help >/dev/null'
	run -0 pms-report --help
	assert_line --partial 'pms-report day-sheet'
}

@test "G10: a stray argument is named before the usage" {
	run -64 --separate-stderr pms-report day-sheet extra
	[ "${stderr_lines[0]}" = 'pms-report: day-sheet: unexpected argument "extra"' ] ||
	    fail "first line: ${stderr_lines[0]}"
	[ "${stderr_lines[1]%% *}" = usage: ] || fail "no usage: $stderr"
	assert_output ''
	run -64 --separate-stderr pms-report schedule 2026-12-01
	[ "${stderr_lines[0]}" = 'pms-report: schedule: unexpected argument "2026-12-01"' ] ||
	    fail "first line: ${stderr_lines[0]}"
	run -64 --separate-stderr pms-report list extra
	[ "${stderr_lines[0]}" = 'pms-report: list: unexpected argument "extra"' ] ||
	    fail "first line: ${stderr_lines[0]}"
	# one that cannot be shown is not
	run -64 --separate-stderr pms-report day-sheet $'a\001b'
	[ "${stderr_lines[0]}" = 'pms-report: day-sheet: unexpected argument' ] ||
	    fail "first line: ${stderr_lines[0]}"
	# nothing read
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action LIKE 'report.%'"
	assert_output 0
}

@test "G16: the utilisation chart says minutes, as its numbers are" {
	week
	run -0 pms-report utilisation --from "$M" --to "$(day 4)" -o csv
	assert_output "provider,appointments,booked_minutes,available_minutes,utilisation
lee,2,40,2400,1.7
ortiz,0,0,2400,0.0
total,2,40,4800,0.8"
	pms-report utilisation --from "$M" --to "$(day 4)" -o html \
	    --out "$BATS_TEST_TMPDIR/u.html"
	page_ok "$BATS_TEST_TMPDIR/u.html"
	run -0 xmllint --xpath 'string(//*[local-name()="svg"]/*[local-name()="title"])' \
	    "$BATS_TEST_TMPDIR/u.html"
	assert_output 'Booked and available minutes by provider'
	run -0 grep -c '>2400<' "$BATS_TEST_TMPDIR/u.html"
	run -1 grep -i 'available hours' "$BATS_TEST_TMPDIR/u.html"
}

@test "G6: with no rows every report prints its total (or all) row, in csv, json and table" {
	week
	local d=2001-10-01
	run -0 pms-report day-sheet --on "$d" -o csv
	assert_output 'date,provider,appointments,completed,no_shows,cancelled,charges,payments,adjustments,other,net
,total,0,0,0,0,0.00,0.00,0.00,0.00,0.00'
	run -0 pms-report productivity --on "$d" -o csv
	assert_output 'provider,code,visits,lines,units,charges
total,,0,0,0,0.00'
	run -0 pms-report reminders --on "$d" -o csv
	assert_output 'group,appointments,confirmed,no_shows,no_show_rate,reminders_sent,reminders_delivered,reminders_failed,reminders_skipped
total,0,0,0,,0,0,0,0'
	run -0 pms-report no-shows --on "$d" -o csv
	assert_output 'dimension,value,patient_id,mrn,appointments,no_shows,late_cancels,no_show_rate,late_cancel_rate
all,,,,0,0,0,,'
	run -0 pms-report day-sheet --on "$d" -o json
	assert_output '{"date":null,"provider":"total","appointments":0,"completed":0,"no_shows":0,"cancelled":0,"charges_cents":0,"payments_cents":0,"adjustments_cents":0,"other_cents":0,"net_cents":0}'
	run -0 pms-report productivity --on "$d" -o json
	assert_output '{"provider":"total","code":null,"visits":0,"lines":0,"units":0,"charges_cents":0}'
	run -0 pms-report no-shows --on "$d" -o json
	assert_output '{"dimension":"all","value":null,"patient_id":null,"mrn":null,"appointments":0,"no_shows":0,"late_cancels":0,"no_show_rate":null,"late_cancel_rate":null}'
	run -0 pms-report reminders --on "$d" -o json
	assert_output '{"group":"total","appointments":0,"confirmed":0,"no_shows":0,"no_show_rate":null,"reminders_sent":0,"reminders_delivered":0,"reminders_failed":0,"reminders_skipped":0}'
	local r
	for r in day-sheet productivity reminders no-shows utilisation \
	    collections payer-mix denials; do
		run -0 pms-report "$r" --on "$d" -o table
		assert_output --regexp '(total|all)'
	done
	# the same on days with rows: one total, the last row
	run -0 pms-report day-sheet --from "$M" --to "$(day 4)" -o csv
	assert_line --index 3 ',total,2,2,0,0,0.00,0.00,0.00,0.00,0.00'
	run -0 grep -c total <<<"$output"
	assert_output 1
}

@test "G8: payer-mix leaves out a visit whose lines are all void, as productivity does" {
	week
	run -0 pms-report payer-mix --from "$M" --to "$(day 4)" -o csv
	assert_output 'payer,visits,visits_share,charges,charges_share
acme,1,50.0,92.00,52.0
self-pay,1,50.0,85.00,48.0
total,2,100.0,177.00,100.0'
	# patient 1's visit, entered in error: its only line voided
	local c
	c=$(pms-sql "SELECT id FROM charges WHERE patient_id = 1")
	pms-bill void "$c" --reason 'entered in error' -o csv >/dev/null
	run -0 pms-report payer-mix --from "$M" --to "$(day 4)" -o csv
	assert_output 'payer,visits,visits_share,charges,charges_share
acme,1,100.0,92.00,100.0
total,1,100.0,92.00,100.0'
	run -0 pms-report productivity --from "$M" --to "$(day 4)" -o csv
	assert_line --index 3 'total,,1,1,1,92.00'
	# the visit is still there, its line void
	run -0 pms-sql "SELECT count(*) FROM visits"
	assert_output 2
	run -0 pms-sql "SELECT status FROM charges WHERE id = $c"
	assert_output void
	run -0 --separate-stderr pms-bill check
}

@test "G9: a late cancel counts once its start has passed, not while still to come" {
	# a weekday a week ahead, at noon in New York
	local d
	d=$(date -d "$TODAY +7 days" +%F)
	while [ "$(date -d "$d" +%u)" -gt 5 ]; do d=$(date -d "$d +1 day" +%F); done
	local a
	a=$(when "$d 12:00" pms-schedule book --patient 1 --provider ortiz \
	    --at "${d}T16:00" --type followup -o csv | tail -n 1 | cut -d, -f1)
	run -0 --separate-stderr when "$d 12:00" pms-schedule cancel "$a" \
	    --by patient -o csv
	run -0 pms-sql "SELECT status, late_cancel FROM appointments WHERE id = $a"
	assert_output 'cancelled|1'
	# at noon, the 16:00 appointment is still to come
	run -0 when "$d 12:00" pms-report no-shows --on "$d" -o csv
	assert_output 'dimension,value,patient_id,mrn,appointments,no_shows,late_cancels,no_show_rate,late_cancel_rate
all,,,,0,0,0,,'
	run -0 when "$d 12:00" pms-report reminders --on "$d" -o csv
	assert_line --index 1 'total,0,0,0,,0,0,0,0'
	# once 16:00 has passed, it counts
	run -0 when "$d 16:30" pms-report no-shows --on "$d" -o csv
	assert_line --index 1 'all,,,,1,0,1,0.0,100.0'
	assert_line --index 2 'provider,ortiz,,,1,0,1,0.0,100.0'
}

@test "G4: the day sheet's chart runs over every day of the period, a day without rows at 0" {
	week
	local p="$BATS_TEST_TMPDIR/ds.html"
	pms-report day-sheet --from "$M" --to "$(day 4)" -o html --out "$p"
	page_ok "$p"
	# lee: Monday 0, Tuesday 1, Wednesday 0, Thursday 1, Friday 0
	run -0 xmllint --xpath 'string(//*[local-name()="polyline"]/@points)' "$p"
	assert_output '60,220 212,30 365,220 517,30 670,220'
	# the x axis names the period's first and last days, rows or not
	run -0 xmllint --xpath '//*[local-name()="text"][@class="xl"]/text()' "$p"
	assert_output "$(printf '%s\n' "$M" "$(day 1)" "$(day 2)" "$(day 3)" "$(day 4)")"
	run -0 grep -c "<p class=\"sub\">$M to $(day 4)</p>" "$p"
	# one day is still bars
	pms-report day-sheet --on "$(day 1)" -o html --out "$p"
	page_ok "$p"
	run -0 xmllint --xpath 'count(//*[local-name()="polyline"])' "$p"
	assert_output 0
}

@test "G15: the page states its filters next to the period" {
	week
	local p="$BATS_TEST_TMPDIR/f.html"
	pms-report day-sheet --from "$M" --to "$(day 4)" --location main \
	    --provider LEE -o html --out "$p"
	page_ok "$p"
	run -0 xmllint --xpath 'string(//*[local-name()="p"][@class="sub"][1])' "$p"
	assert_output "$M to $(day 4); provider lee; location main"
	pms-report collections --from "$M" --payer acme -o html --out "$p"
	page_ok "$p"
	run -0 xmllint --xpath 'string(//*[local-name()="p"][@class="sub"][1])' "$p"
	assert_output "$M to $TODAY; payer acme"
	pms-report ar-aging --as-of "$(day 4)" --payer acme -o html --out "$p"
	page_ok "$p"
	run -0 xmllint --xpath 'string(//*[local-name()="p"][@class="sub"][1])' "$p"
	assert_output "as of $(day 4); payer acme"
	# without a filter, the period alone
	pms-report ar-aging --as-of "$(day 4)" -o html --out "$p"
	run -0 xmllint --xpath 'string(//*[local-name()="p"][@class="sub"][1])' "$p"
	assert_output "as of $(day 4)"
}

@test "G3: provider, location and payer codes in any case, as pms-schedule takes them" {
	week
	local want
	want=$(pms-report schedule --on "$(day 1)" --provider lee -o csv)
	run -0 pms-report schedule --on "$(day 1)" --provider LEE -o csv
	assert_output "$want"
	run -0 pms-schedule list --on "$(day 1)" --provider LEE -o csv
	want=$(pms-report day-sheet --from "$M" --to "$(day 4)" --location main -o csv)
	run -0 pms-report day-sheet --from "$M" --to "$(day 4)" --location Main -o csv
	assert_output "$want"
	want=$(pms-report collections --from "$M" --payer acme -o csv)
	run -0 pms-report collections --from "$M" --payer ACME -o csv
	assert_output "$want"
	# an unknown code is still refused, as given
	run -1 --separate-stderr pms-report day-sheet --provider NOBODY -o csv
	assert_stderr 'pms-report: --provider: unknown provider "NOBODY"'
	assert_output ''
}

@test "G11: --on, --from, --to and --as-of take today, tomorrow and yesterday at the practice's zone" {
	week
	local y t want
	y=$(date -d "$TODAY -1 day" +%F)
	t=$(date -d "$TODAY +1 day" +%F)
	want=$(pms-report schedule --on "$TODAY" -o csv)
	# whatever the machine's zone
	run -0 env TZ=Pacific/Kiritimati pms-report schedule --on today -o csv
	assert_output "$want"
	want=$(pms-report day-sheet --on "$y" -o csv)
	run -0 pms-report day-sheet --on yesterday -o csv
	assert_output "$want"
	want=$(pms-report no-shows --from "$M" --to "$t" -o csv)
	run -0 pms-report no-shows --from "$M" --to Tomorrow -o csv
	assert_output "$want"
	pms-report day-sheet --from yesterday --to tomorrow -o html \
	    --out "$BATS_TEST_TMPDIR/p.html"
	run -0 grep -c "<p class=\"sub\">$y to $t</p>" "$BATS_TEST_TMPDIR/p.html"
	want=$(pms-report ar-aging --as-of "$y" -o csv)
	run -0 pms-report ar-aging --as-of yesterday -o csv
	assert_output "$want"
	# a word that is no date is still named as given
	run -64 --separate-stderr pms-report day-sheet --on monday
	assert_stderr 'pms-report: day-sheet: --on: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-report ar-aging --as-of later
	assert_stderr 'pms-report: ar-aging: --as-of: not a date (YYYY-MM-DD)'
}

@test "G13: a date outside the range says so and gives the range" {
	run -64 --separate-stderr pms-report day-sheet --on 9999-12-31
	assert_stderr 'pms-report: day-sheet: --on: 9999-12-31 is out of range (dates are 1800-01-01 to 2999-12-31)'
	assert_output ''
	run -64 --separate-stderr pms-report ar-aging --as-of 0001-01-01
	assert_stderr 'pms-report: ar-aging: --as-of: 0001-01-01 is out of range (dates are 1800-01-01 to 2999-12-31)'
	run -64 --separate-stderr pms-report no-shows --from 1700-02-28
	assert_stderr 'pms-report: no-shows: --from: 1700-02-28 is out of range (dates are 1800-01-01 to 2999-12-31)'
	run -64 --separate-stderr pms-report no-shows --from "$M" --to 3000-01-01
	assert_stderr 'pms-report: no-shows: --to: 3000-01-01 is out of range (dates are 1800-01-01 to 2999-12-31)'
	# not a date at all, in any year: not a date
	run -64 --separate-stderr pms-report day-sheet --on 9999-02-30
	assert_stderr 'pms-report: day-sheet: --on: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-report day-sheet --on 1700-02-29
	assert_stderr 'pms-report: day-sheet: --on: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-report day-sheet --on 12/04/2026
	assert_stderr 'pms-report: day-sheet: --on: not a date (YYYY-MM-DD)'
	# the edges are dates
	run -0 pms-report ar-aging --as-of 1800-01-01 -o csv
	run -0 pms-report ar-aging --as-of 2999-12-31 -o csv
}
