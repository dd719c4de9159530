#!/usr/bin/env bats
# bats file_tags=pms-schedule
# pms-schedule: office hours and exceptions, booking with every conflict
# (provider, room, patient; half-open intervals; cancelled and no-show
# left out; office hours, the past, --force), two clerks on one slot,
# recurring series across a change of the clocks, the life of an
# appointment and its history, lists by the clinic's date whatever TZ,
# free slots, the real-world cases B01, B02, B04 and Europe/Berlin, the
# import, book -, the iCalendar export, merges and rights.  Each test
# checks the exit code, the messages and the store's contents after.

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures/schedule"

# The template: the demo practice, office hours every day for its
# clinicians, a few patients (Zztest names, so that refute_phi sees a
# leak), a front-desk user, a clinician and an auditor.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-patient add --mrn 000123 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 >/dev/null
	pms-patient add --mrn 000124 --last-name Quixotefield \
	    --first-name Zebediah --dob 1960-05-06 >/dev/null
	pms-patient add --mrn MRN0001 --last-name Zztest --first-name Ann \
	    --dob 1970-01-01 >/dev/null
	pms-patient add --mrn MRN0002 --last-name Zztest --first-name Bo \
	    --dob 1971-01-01 >/dev/null
	pms-patient add --mrn MRN0003 --last-name Zztest --first-name Cy \
	    --dob 1972-01-01 >/dev/null
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 08:00-18:00
	pms-schedule hours set --provider ortiz --days all --hours 08:00-18:00
	pms-schedule hours set --provider patel --days all --hours 08:00-18:00
	for u in desk:front-desk doc:clinician auditor:auditor; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    user add "${u%%:*}" --role "${u#*:}" --kdf interactive \
		    >/dev/null 2>&1
	done
	# into the main file: the tests copy it without its WAL
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	local u
	for u in desk doc auditor; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
	# the demo practice's zone: the days of the tests are its days
	NY=America/New_York
	DAY=$(TZ=$NY date -d '+14 days' +%F)
	TODAY=$(TZ=$NY date +%F)
	YESTERDAY=$(TZ=$NY date -d 'yesterday' +%F)
}

# Run as another user of the store: as desk pms-schedule book ...
as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# Book and print the new appointment's id.
book() {
	pms-schedule book "$@" -o csv | tail -n +2 | cut -d, -f1
}

# One value of the store.
sql() {
	pms-sql "$1"
}

# Load the one-office practice of the real-world cases in zone $1.
case_practice() {
	sed "s|ZONE|$1|g" "$FIX/case.yaml.in" >"$BATS_TEST_TMPDIR/case.yaml"
	pms-admin config load "$BATS_TEST_TMPDIR/case.yaml" >/dev/null 2>&1
}

# ---- usage and bad input -----------------------------------------------

@test "usage: no command, an unknown one, an option that does not apply" {
	run -64 --separate-stderr pms-schedule
	[[ $stderr == "usage: pms-schedule "* ]]
	run -64 --separate-stderr pms-schedule frobnicate
	assert_stderr 'unknown command "frobnicate"'
	run -64 --separate-stderr pms-schedule show 1 --force
	assert_stderr 'show: option "--force" does not apply'
	run -64 --separate-stderr pms-schedule show x1
	assert_stderr 'show: not an id: "x1"'
	run -64 --separate-stderr pms-schedule book --patient 1 --at "${DAY}T09:00" --type followup
	assert_stderr '--provider and --at are needed'
	run -64 --separate-stderr pms-schedule book --provider lee --at "${DAY}T09:00" --type followup
	assert_stderr 'give --patient or --mrn'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee --at "${DAY}T09:00"
	assert_stderr 'give --type or --length'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --every 1w
	assert_stderr 'give --count or --until'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --every 3x --count 2
	assert_stderr '--every: a number of days or weeks'
	run -64 --separate-stderr pms-schedule list --status gone
	assert_stderr '--status: booked, checked-in'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "bad input: a time or a length that is no such thing is 65" {
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T25:00" --type followup
	assert_stderr 'pms-schedule: --at: '
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --length 10x
	assert_stderr '--length: not a duration'
	# durations are positive and bounded: 5 minutes to 12 hours
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --length 4m
	assert_stderr 'an appointment lasts from 5m to 12h'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T06:00" --length 12h1m --force
	assert_stderr 'an appointment lasts from 5m to 12h'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --length 0m
	assert_stderr 'more than zero'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "refusals (1): no such patient, provider, type, room, location" {
	slot=(--at "${DAY}T09:00" --type followup)
	run -1 --separate-stderr pms-schedule book --patient 99 --provider lee "${slot[@]}"
	assert_stderr 'no patient 99'
	run -1 --separate-stderr pms-schedule book --mrn 999999 --provider lee "${slot[@]}"
	assert_stderr 'no patient with that MRN'
	[[ $stderr != *999999* ]]
	run -1 --separate-stderr pms-schedule book --patient 1 --provider dr-x "${slot[@]}"
	assert_stderr 'unknown provider "dr-x"'
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type nosuch
	assert_stderr 'unknown appointment type "nosuch"'
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee "${slot[@]}" \
	    --location main --room attic
	assert_stderr 'main has no room "attic"'
	run -1 --separate-stderr pms-schedule book --patient 1 --provider ortiz "${slot[@]}" \
	    --location lakeside
	assert_stderr 'ortiz does not work at lakeside'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "missing: no store is 66; a locked store without a passphrase is 77" {
	run -66 --separate-stderr pms-schedule -S "$BATS_TEST_TMPDIR/none" list
	run -77 --separate-stderr env -u PMS_PASSPHRASE_FILE pms-schedule list </dev/null
	assert_stderr 'no terminal to ask for the passphrase'
	run -66 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/none.csv"
	assert_stderr 'cannot open'
}

# ---- booking and its checks --------------------------------------------

@test "book: the appointment, its instants and wall clock, history, audit" {
	run -0 --separate-stderr pms-schedule book --mrn 000123 --provider lee \
	    --at "${DAY}T09:30" --type followup --room exam-1 \
	    --reason 'knee pain' -o json
	[[ $output == '{"appointment_id":1,"patient_id":1,"mrn":"000123","provider":"lee","location":"main","type":"followup","room":"exam-1","start":"'"$DAY"'T09:30:00-05:00","end":"'"$DAY"'T09:50:00-05:00","status":"booked","confirmed_at":null,"reason":"knee pain","date_of_service":"'"$DAY"'","zone":"America/New_York","length_min":20,"cancelled_by":null,"late_cancel":0,'* ]]
	[[ $output == *'"codes":"99213","series_id":null,"source_id":null,"forced":0,"sequence":0,'* ]]
	[ -z "$stderr" ]
	want=$(TZ=$NY date -d "${DAY}T09:30" +%s)
	run -0 pms-sql "SELECT start_utc, end_utc - start_utc, local_start,
	    local_end, local_date, zone, status, room FROM appointments"
	assert_output "$want|1200|${DAY}T09:30:00-05:00|${DAY}T09:50:00-05:00|$DAY|America/New_York|booked|exam-1"
	run -0 pms-sql "SELECT user, action, field, coalesce(from_value, ''),
	    to_value FROM appointment_history ORDER BY id"
	assert_output $'admin|book|status||booked\nadmin|book|start||'"${DAY}T09:30:00-05:00"
	run -0 pms-sql "SELECT a.action, a.fields, p.patient_id FROM audit a
	    JOIN audit_patient p ON p.audit_id = a.id ORDER BY a.id DESC LIMIT 1"
	assert_output 'schedule.book|patient_id,provider,location,type,room,start,end,reason|1'
}

@test "book: a slot that is taken is refused, naming the appointment and time" {
	book --patient 1 --provider lee --at "${DAY}T09:30" --type followup
	run -1 --separate-stderr pms-schedule book --patient 2 --provider lee \
	    --at "${DAY}T09:40" --type followup
	assert_stderr "pms-schedule: slot taken: lee has appointment 1 from ${DAY}T09:30:00-05:00 to ${DAY}T09:50:00-05:00"
	refute_phi "$stderr"
	[ -z "$output" ]
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 1
}

@test "book: intervals are half-open; the ends touch, nothing overlaps" {
	book --patient 1 --provider lee --at "${DAY}T09:00" --length 30m
	book --patient 2 --provider lee --at "${DAY}T09:30" --length 30m
	book --patient 3 --provider lee --at "${DAY}T08:30" --length 30m
	run -1 --separate-stderr pms-schedule book --patient 4 --provider lee \
	    --at "${DAY}T09:29" --length 5m
	assert_stderr 'slot taken: lee has appointment 1'
	# a long one that holds a short one is refused too
	run -1 --separate-stderr pms-schedule book --patient 4 --provider lee \
	    --at "${DAY}T08:00" --length 3h
	assert_stderr 'slot taken: lee has appointment 3'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 3
}

@test "book: cancelled and no-show appointments leave the slot free" {
	id=$(book --patient 1 --provider lee --at "${DAY}T10:00" --type followup)
	pms-schedule cancel "$id" >/dev/null
	book --patient 2 --provider lee --at "${DAY}T10:00" --type followup
	id=$(book --patient 3 --provider lee --at "${YESTERDAY}T10:00" \
	    --type followup --allow-past)
	pms-schedule noshow "$id" >/dev/null
	book --patient 4 --provider lee --at "${YESTERDAY}T10:00" --type followup \
	    --allow-past
	run -0 pms-sql "SELECT status FROM appointments ORDER BY id"
	assert_output $'cancelled\nbooked\nno-show\nbooked'
}

@test "book: the room and the patient may not be busy twice either" {
	book --patient 1 --provider lee --location main --room exam-1 \
	    --at "${DAY}T11:00" --type followup
	run -1 --separate-stderr pms-schedule book --patient 2 --provider ortiz \
	    --room exam-1 --at "${DAY}T11:10" --type followup
	assert_stderr "room taken: exam-1 at main has appointment 1 from ${DAY}T11:00:00-05:00"
	book --patient 2 --provider ortiz --room exam-2 --at "${DAY}T11:10" \
	    --type followup
	# patel is at lakeside, an hour behind: 10:05 there is 11:05 here
	run -1 --separate-stderr pms-schedule book --patient 1 --provider patel \
	    --at "${DAY}T10:05" --type followup
	assert_stderr "the patient has appointment 1 from ${DAY}T11:00:00-05:00 to ${DAY}T11:20:00-05:00 (with lee)"
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 2
}

@test "book: a type that may overlap (a phone call) fits between others" {
	book --patient 1 --provider lee --at "${DAY}T12:00" --type long
	book --patient 2 --provider lee --at "${DAY}T12:10" --type phone
	# and does not block the provider for others
	book --patient 3 --provider lee --at "${DAY}T12:30" --type phone
	book --patient 4 --provider lee --at "${DAY}T12:30" --type followup
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 4
}

@test "book: outside office hours, or during an exception, is refused" {
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --location main --at "${DAY}T17:50" --type followup
	assert_stderr "outside office hours: lee at main on "
	assert_stderr "$DAY: 08:00-18:00"
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --location main --at "${DAY}T07:00" --type followup
	assert_stderr 'outside office hours'
	# lee has no hours at lakeside: the location is named, or found
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --location lakeside --at "${DAY}T09:00" --type followup
	assert_stderr "outside office hours: lee at lakeside on "
	assert_stderr ': none'
	run -0 pms-schedule off add --provider lee --from "$DAY" --to "$DAY" \
	    --reason vacation
	assert_output 1
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup
	assert_stderr "lee is away then (exception 1: ${DAY}T00:00:00 to "
	# a holiday for everyone, at every location
	run -0 pms-schedule off add --from "${DAY}T12:00" --to "${DAY}T13:00"
	run -1 --separate-stderr pms-schedule book --patient 1 --provider ortiz \
	    --at "${DAY}T12:30" --type followup
	assert_stderr 'ortiz is away then (exception 2'
	book --patient 1 --provider ortiz --at "${DAY}T13:00" --type followup
	run -0 pms-schedule off list --provider ortiz -o csv
	assert_output "off_id,provider,location,from,to,reason
2,,,${DAY}T12:00:00,${DAY}T13:00:00,"
	pms-schedule off remove 1
	book --patient 2 --provider lee --at "${DAY}T09:00" --type followup
	run -1 --separate-stderr pms-schedule off remove 1
	assert_stderr 'no exception 1'
	run -0 pms-sql "SELECT action FROM audit WHERE action LIKE
	    'schedule.off%' ORDER BY id"
	assert_output $'schedule.off.add\nschedule.off.add\nschedule.off.remove'
}

@test "book: in the past only with --allow-past, to enter it afterwards" {
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${YESTERDAY}T09:00" --type followup
	assert_stderr "in the past: ${YESTERDAY}T09:00:00-05:00 is before now"
	book --patient 1 --provider lee --at "${YESTERDAY}T09:00" --type followup \
	    --allow-past
	run -0 pms-sql "SELECT local_date, status FROM appointments"
	assert_output "$YESTERDAY|booked"
}

@test "book: --force double books on purpose: marked, in history and audit" {
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	run -0 --separate-stderr pms-schedule book --patient 2 --provider lee \
	    --at "${DAY}T09:00" --type followup --force -o csv
	[[ $output == *,1,0,* ]]
	run -0 pms-sql "SELECT forced FROM appointments ORDER BY id"
	assert_output $'0\n1'
	run -0 pms-sql "SELECT to_value FROM appointment_history WHERE
	    appointment_id = 2 AND field = 'forced'"
	assert_output "slot taken: lee has appointment 1 from ${DAY}T09:00:00-05:00 to ${DAY}T09:20:00-05:00"
	run -0 pms-sql "SELECT fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'patient_id,provider,location,type,room,start,end,reason,forced'
	# and outside office hours
	book --patient 3 --provider lee --location main --at "${DAY}T20:00" \
	    --type followup --force
	run -0 pms-sql "SELECT count(*) FROM appointments WHERE forced = 1"
	assert_output 2
}

@test "book: --dry-run checks and writes nothing" {
	run -0 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --dry-run
	assert_stderr '1 would be booked; nothing was written'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "race: 16 clerks book one slot at once: one wins, 15 are told why" {
	pms-admin unlock --for 5m 2>/dev/null
	for i in $(seq 1 16); do
		(
			p=$(( (i % 5) + 1 )) rc=0
			PMS_PASSPHRASE_FILE= pms-schedule book --patient "$p" \
			    --provider ortiz --at "${DAY}T10:00" --type followup \
			    -o csv >"$BATS_TEST_TMPDIR/out.$i" \
			    2>"$BATS_TEST_TMPDIR/err.$i" || rc=$?
			echo "$rc" >"$BATS_TEST_TMPDIR/rc.$i"
		) &
	done
	wait
	pms-admin lock
	ok=0 refused=0
	for i in $(seq 1 16); do
		rc=$(cat "$BATS_TEST_TMPDIR/rc.$i")
		case $rc in
		0) ok=$((ok + 1)) ;;
		1)
			refused=$((refused + 1))
			grep -q 'slot taken: ortiz has appointment 1 from' \
			    "$BATS_TEST_TMPDIR/err.$i" ||
			    fail "clerk $i: $(cat "$BATS_TEST_TMPDIR/err.$i")"
			;;
		*) fail "clerk $i exited $rc: $(cat "$BATS_TEST_TMPDIR/err.$i")" ;;
		esac
	done
	[ "$ok" -eq 1 ]
	[ "$refused" -eq 15 ]
	run -0 pms-sql "SELECT count(*), min(id) FROM appointments"
	assert_output '1|1'
}

# ---- office hours ------------------------------------------------------

@test "hours: set and list; overlapping sessions and strangers are refused" {
	run -0 pms-schedule hours set --provider patel --days mon-wed,fri \
	    --hours 09:00-12:00,13:00-16:30
	run -0 pms-schedule hours list --provider patel -o csv
	assert_line --index 0 'provider,location,weekday,start,end'
	assert_line --index 1 'patel,lakeside,mon,09:00,12:00'
	assert_line --index 2 'patel,lakeside,mon,13:00,16:30'
	assert_line 'patel,lakeside,thu,08:00,18:00'
	refute_line 'patel,lakeside,fri,08:00,18:00'
	run -64 --separate-stderr pms-schedule hours set --provider patel \
	    --days mon --hours 09:00-12:00,11:00-13:00
	assert_stderr 'the sessions overlap'
	run -64 --separate-stderr pms-schedule hours set --provider patel \
	    --days someday --hours 09:00-12:00
	assert_stderr '--days: not a set of weekdays'
	run -1 --separate-stderr pms-schedule hours set --provider ortiz \
	    --location lakeside --days mon --hours 09:00-12:00
	assert_stderr 'ortiz does not work at lakeside'
	# lee works at main (New York) 08:00-18:00: not at lakeside
	# (Chicago, an hour behind) then as well; compared as instants
	run -1 --separate-stderr pms-schedule hours set --provider lee \
	    --location lakeside --days tue --hours 16:00-19:00
	assert_stderr 'office hours overlap: lee at main on Tuesday 08:00-18:00 (America/New_York) and at lakeside on Tuesday 16:00-19:00 (America/Chicago)'
	run -0 pms-schedule hours set --provider lee \
	    --location lakeside --days tue --hours 17:00-19:00
	run -1 --separate-stderr pms-schedule hours set --provider lee \
	    --location lakeside --days wed --hours 06:00-07:30
	assert_stderr 'office hours overlap'
	run -0 pms-sql "SELECT count(*) FROM office_hours h JOIN locations l
	    ON l.id = h.location_id WHERE l.code = 'lakeside'
	    AND h.provider_id = (SELECT id FROM providers WHERE code = 'lee')"
	assert_output 1
	run -64 --separate-stderr pms-schedule hours set --provider lee \
	    --days tue --hours 17:00-19:00
	assert_stderr '--location is needed: lee works at more than one'
	# off: a day with no sessions
	run -0 pms-schedule hours set --provider patel --days sun --hours off
	run -0 pms-schedule hours list --provider patel -o csv
	refute_line --partial 'sun'
}

@test "hours: a night session crosses midnight" {
	pms-schedule hours set --provider patel --days all --hours off
	fri=$(TZ=$NY date -d "$DAY +$(( (5 - $(date -d "$DAY" +%u) + 7) % 7 )) days" +%F)
	sat=$(date -d "$fri +1 day" +%F)
	pms-schedule hours set --provider patel --days fri --hours 22:00-06:00
	book --patient 1 --provider patel --at "${sat}T02:00" --length 1h
	book --patient 2 --provider patel --at "${fri}T23:30" --length 1h
	run -1 --separate-stderr pms-schedule book --patient 3 --provider patel \
	    --at "${sat}T05:30" --length 1h
	assert_stderr "outside office hours: patel at lakeside on Saturday $sat: 22:00-06:00"
	run -1 --separate-stderr pms-schedule book --patient 3 --provider patel \
	    --at "${fri}T21:30" --length 1h
	assert_stderr 'outside office hours'
	# the slots of Saturday are those after midnight
	run -0 pms-schedule slots --provider patel --on "$sat" --length 1h \
	    --step 1h -o csv
	assert_output "provider,location,start,end
patel,lakeside,${sat}T01:00:00-06:00,${sat}T02:00:00-06:00
patel,lakeside,${sat}T03:00:00-06:00,${sat}T04:00:00-06:00
patel,lakeside,${sat}T04:00:00-06:00,${sat}T05:00:00-06:00
patel,lakeside,${sat}T05:00:00-06:00,${sat}T06:00:00-06:00"
	run -0 pms-schedule slots --provider patel --on "$fri" --length 1h \
	    --step 30m -o csv
	assert_output "provider,location,start,end
patel,lakeside,${fri}T22:00:00-06:00,${fri}T23:00:00-06:00
patel,lakeside,${fri}T22:30:00-06:00,${fri}T23:30:00-06:00"
}

# ---- a series ----------------------------------------------------------

@test "series: weekly across the change of the clocks, same wall clock" {
	run -0 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at 2026-10-19T09:30 --type followup --every 1w --count 4 \
	    --allow-past -o csv
	[ "$(cut -d, -f8 <<<"$output" | tail -n +2)" = \
	    "2026-10-19T09:30:00-04:00
2026-10-26T09:30:00-04:00
2026-11-02T09:30:00-05:00
2026-11-09T09:30:00-05:00" ]
	t0=$(TZ=$NY date -d 2026-10-19T09:30 +%s)
	run -0 pms-sql "SELECT (start_utc - $t0) / 3600.0, series_id
	    FROM appointments ORDER BY id"
	assert_output $'0.0|1\n168.0|1\n337.0|1\n505.0|1'
}

@test "series: all or nothing; --skip-conflicts books the rest and says" {
	d2=$(date -d "$DAY +14 days" +%F)
	book --patient 2 --provider lee --at "${d2}T09:30" --type followup
	run -1 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:30" --type followup --every 1w --count 4
	assert_stderr "pms-schedule: ${d2}T09:30:00: slot taken: lee has appointment 1"
	assert_stderr '1 of 4 dates of the series do not fit'
	assert_stderr 'nothing was booked'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 1
	run -0 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:30" --type followup --every 1w --count 4 \
	    --skip-conflicts -o csv
	assert_stderr "pms-schedule: skipped ${d2}T09:30:00: slot taken: lee has appointment 1"
	[ "$(tail -n +2 <<<"$output" | wc -l)" -eq 3 ]
	run -0 pms-sql "SELECT count(*), count(DISTINCT series_id) FROM
	    appointments WHERE patient_id = 1"
	assert_output '3|1'
	# --until: the last day
	run -0 pms-schedule book --patient 3 --provider ortiz --at "${DAY}T15:00" \
	    --type followup --every 2w --until "$(date -d "$DAY +29 days" +%F)" \
	    -o csv
	[ "$(tail -n +2 <<<"$output" | wc -l)" -eq 3 ]
}

# ---- the life of an appointment ----------------------------------------

@test "move: checked like a booking; history and sequence follow" {
	a=$(book --patient 1 --provider lee --at "${DAY}T09:00" --type followup)
	b=$(book --patient 2 --provider lee --at "${DAY}T10:00" --type followup)
	run -1 --separate-stderr pms-schedule move "$a" --at "${DAY}T10:10"
	assert_stderr "slot taken: lee has appointment $b"
	# onto itself is no conflict
	run -0 pms-schedule move "$a" --at "${DAY}T09:10" -o csv
	[[ $output == *",${DAY}T09:10:00-05:00,${DAY}T09:30:00-05:00,booked,"* ]]
	pms-schedule move "$a" --provider ortiz >/dev/null
	run -0 pms-sql "SELECT provider_id, sequence, local_start FROM
	    appointments WHERE id = $a"
	assert_output "2|2|${DAY}T09:10:00-05:00"
	run -0 pms-sql "SELECT action, field, from_value, to_value FROM
	    appointment_history WHERE appointment_id = $a AND action = 'move'
	    ORDER BY id"
	assert_output "move|start|${DAY}T09:00:00-05:00|${DAY}T09:10:00-05:00
move|end|${DAY}T09:20:00-05:00|${DAY}T09:30:00-05:00
move|provider|lee|ortiz"
	pms-schedule cancel "$b" >/dev/null
	run -1 --separate-stderr pms-schedule move "$b" --at "${DAY}T11:00"
	assert_stderr "appointment $b is cancelled: only a booked appointment moves"
}

@test "cancel: by practice or patient; a patient's late cancel is marked" {
	soon=$(TZ=$NY date -d '+2 hours' +%FT%H:%M)
	a=$(book --patient 1 --provider lee --location main --at "$soon" \
	    --length 30m --force)
	b=$(book --patient 2 --provider lee --at "${DAY}T09:00" --type followup)
	c=$(book --patient 3 --provider lee --at "${DAY}T10:00" --type followup)
	run -0 --separate-stderr pms-schedule cancel "$a" --by patient \
	    --reason 'car broke down' -o csv
	assert_stderr "appointment $a: a late cancel"
	pms-schedule cancel "$b" --by patient >/dev/null
	pms-schedule cancel "$c" >/dev/null
	run -0 pms-sql "SELECT status, cancelled_by, late_cancel,
	    coalesce(cancel_reason, '') FROM appointments ORDER BY id"
	assert_output $'cancelled|patient|1|car broke down\ncancelled|patient|0|\ncancelled|practice|0|'
	run -1 --separate-stderr pms-schedule cancel "$c"
	assert_stderr "appointment $c is cancelled: it cannot be cancelled"
	run -64 --separate-stderr pms-schedule cancel "$c" --by nobody
	assert_stderr '--by: practice or patient'
}

@test "checkin, complete, noshow: the day and the clock say when" {
	pms-schedule hours set --provider ortiz --days all --hours 00:00-24:00
	t=$(book --patient 1 --provider ortiz --at "${TODAY}T00:00" --length 30m \
	    --allow-past)
	y=$(book --patient 2 --provider ortiz --at "${YESTERDAY}T09:00" \
	    --type followup --allow-past)
	f=$(book --patient 3 --provider ortiz --at "${DAY}T09:00" --type followup)
	run -0 pms-schedule checkin "$t" -o csv
	[[ $output == *,checked-in,* ]]
	run -1 --separate-stderr pms-schedule checkin "$f"
	assert_stderr "appointment $f is on $DAY, not today"
	run -1 --separate-stderr pms-schedule checkin "$y"
	assert_stderr "appointment $y was on $YESTERDAY (--allow-past"
	run -0 pms-schedule checkin "$y" --allow-past -o csv
	run -0 pms-schedule complete "$t" -o csv
	[[ $output == *,completed,* ]]
	run -1 --separate-stderr pms-schedule complete "$f"
	assert_stderr "appointment $f has not begun"
	run -1 --separate-stderr pms-schedule noshow "$f"
	assert_stderr "appointment $f has not begun"
	run -1 --separate-stderr pms-schedule noshow "$y"
	assert_stderr "appointment $y is checked-in: it cannot be marked a no-show"
	run -1 --separate-stderr pms-schedule checkin "$t"
	assert_stderr "appointment $t is completed: it cannot be checked in"
	run -1 --separate-stderr pms-schedule complete 99
	assert_stderr 'no appointment 99'
	run -0 pms-sql "SELECT id, status, checked_in_at IS NOT NULL,
	    completed_at IS NOT NULL FROM appointments ORDER BY id"
	assert_output "$t|completed|1|1
$y|checked-in|1|0
$f|booked|0|0"
}

@test "confirm: sets confirmed_at and nothing else, once" {
	a=$(book --patient 1 --provider lee --at "${DAY}T09:00" --type followup)
	before=$(pms-sql "SELECT status, sequence, local_start FROM appointments")
	run -0 pms-schedule confirm "$a" -o json
	[[ $output == *'"status":"booked","confirmed_at":"20'*'Z",'* ]]
	at=$(pms-sql "SELECT confirmed_at FROM appointments")
	[ "$(pms-sql "SELECT status, sequence, local_start FROM appointments")" = \
	    "$before" ]
	sleep 1
	pms-schedule confirm "$a" >/dev/null
	[ "$(pms-sql "SELECT confirmed_at FROM appointments")" = "$at" ]
	run -0 pms-sql "SELECT count(*) FROM appointment_history WHERE
	    field = 'confirmed_at'"
	assert_output 1
}

@test "history: who, when, from, to, oldest first; audited" {
	a=$(book --patient 1 --provider lee --at "${DAY}T09:00" --type followup)
	as desk pms-schedule move "$a" --at "${DAY}T09:30" >/dev/null
	as desk pms-schedule confirm "$a" >/dev/null
	as desk pms-schedule cancel "$a" --by patient >/dev/null
	run -0 pms-schedule history "$a" -o csv
	assert_line --index 0 'appointment_id,at,user,action,field,from_value,to_value'
	assert_line --index 1 --regexp "^$a,20[0-9-]+T[0-9:]+Z,admin,book,status,,booked\$"
	assert_line --index 3 --regexp "^$a,.*,desk,move,start,${DAY}T09:00:00-05:00,${DAY}T09:30:00-05:00\$"
	assert_line --partial ',desk,confirm,confirmed_at,,20'
	assert_line --partial ',desk,cancel,status,booked,cancelled'
	assert_line --partial ',desk,cancel,cancelled_by,,patient'
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'schedule.history'
	run -70 --separate-stderr pms-sql "DELETE FROM appointment_history"
	assert_stderr 'append-only'
	run -70 --separate-stderr pms-sql "DELETE FROM appointments"
	assert_stderr 'never deleted'
}

# ---- reading ------------------------------------------------------------

@test "list: by day, range, provider, patient, MRN, status; JSON for pipes" {
	d2=$(date -d "$DAY +1 day" +%F)
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	book --patient 2 --provider ortiz --at "${DAY}T09:00" --type newpatient
	book --patient 1 --provider lee --at "${d2}T09:00" --type physical
	pms-schedule cancel 3 >/dev/null
	run -0 pms-schedule list --on "$DAY" -o csv
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == appointment_id,patient_id,mrn,provider,location,type,room,start,end,status,confirmed_at,reason,date_of_service,zone,length_min,cancelled_by,late_cancel,checked_in_at,completed_at,codes,series_id,source_id,forced,sequence,created_at,updated_at ]]
	run -0 pms-schedule list --from "$DAY" --to "$d2" --provider lee -o csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 pms-schedule list --mrn 000123 --status booked -o json
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == '{"appointment_id":1,"patient_id":1,"mrn":"000123",'* ]]
	run -0 pms-schedule list --patient 2 -o json
	[[ $output == *'"type":"newpatient"'*'"codes":"99203"'* ]]
	run -0 pms-schedule list --status cancelled,no-show -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-schedule list --on tomorrow -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 pms-schedule list --with-names -o json
	[[ $output == *'"patient_name":"Zztest, Zebediah"'* ]]
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'schedule.list|appointment_id,patient_id,mrn,provider,location,type,room,start,end,status,confirmed_at,reason,patient_name'
	run -0 pms-sql "SELECT group_concat(patient_id) FROM audit_patient
	    WHERE audit_id = (SELECT max(id) FROM audit)"
	assert_output '1,2'
	# a table for people: the first columns
	COLUMNS=200 run -0 pms-schedule list --on "$DAY" -o table
	[[ ${lines[0]} == appointment_id*reason ]]
	# in 80 columns: a block of "name: value" lines an appointment
	run -0 pms-schedule list --on "$DAY" -o table
	assert_line --index 0 --regexp '^appointment_id: +[0-9]+$'
	[[ ${lines[*]} == *'reason:'* ]]
}

@test "list and slots: the same bytes under TZ=UTC and TZ=Asia/Tokyo" {
	book --patient 1 --provider patel --at "${DAY}T08:00" --type followup
	book --patient 2 --provider lee --at "${DAY}T17:30" --type long
	for tz in UTC Asia/Tokyo Pacific/Kiritimati; do
		o="$BATS_TEST_TMPDIR/${tz//\//-}"
		TZ=$tz pms-schedule list --on "$DAY" -o csv >"$o.list"
		TZ=$tz pms-schedule slots --provider lee --on "$DAY" \
		    --type long -o csv >"$o.slots"
		TZ=$tz pms-schedule export --ics >"$o.ics"
	done
	cd "$BATS_TEST_TMPDIR"
	cmp UTC.list Asia-Tokyo.list
	cmp UTC.list Pacific-Kiritimati.list
	cmp UTC.slots Asia-Tokyo.slots
	cmp UTC.slots Pacific-Kiritimati.slots
	cmp UTC.ics Asia-Tokyo.ics
	cp UTC.list "$BATS_TEST_TMPDIR/list.UTC"
	grep -q "patel,lakeside,followup,,${DAY}T08:00:00-06:00," \
	    "$BATS_TEST_TMPDIR/list.UTC"
}

@test "slots: within hours, around appointments, at the step, not before now" {
	pms-schedule hours set --provider ortiz --days all \
	    --hours 09:00-10:30,13:00-14:00
	book --patient 1 --provider ortiz --at "${DAY}T09:30" --length 30m
	run -0 pms-schedule slots --provider ortiz --on "$DAY" --length 30m -o csv
	assert_output "provider,location,start,end
ortiz,main,${DAY}T09:00:00-05:00,${DAY}T09:30:00-05:00
ortiz,main,${DAY}T10:00:00-05:00,${DAY}T10:30:00-05:00
ortiz,main,${DAY}T13:00:00-05:00,${DAY}T13:30:00-05:00
ortiz,main,${DAY}T13:15:00-05:00,${DAY}T13:45:00-05:00
ortiz,main,${DAY}T13:30:00-05:00,${DAY}T14:00:00-05:00"
	run -0 pms-schedule slots --provider ortiz --on "$DAY" --type physical \
	    --step 1h -o csv
	assert_output "provider,location,start,end
ortiz,main,${DAY}T13:00:00-05:00,${DAY}T13:45:00-05:00"
	run -0 pms-schedule slots --provider ortiz --on "$YESTERDAY" --length 30m -o csv
	assert_output 'provider,location,start,end'
	run -0 pms-schedule slots --provider ortiz --on "$YESTERDAY" --length 30m \
	    --allow-past -o csv
	[ "${#lines[@]}" -eq 9 ]
	run -64 --separate-stderr pms-schedule slots --provider ortiz --on "$DAY"
	assert_stderr 'give --type or --length'
}

@test "next: the first free slot from now, of one provider or any" {
	pms-schedule hours set --provider ortiz --days all --hours off
	pms-schedule hours set --provider patel --days all --hours off
	pms-schedule hours set --provider lee --location main --days all --hours off
	run -1 --separate-stderr pms-schedule next --type followup
	assert_stderr 'no free slot within 90 days'
	pms-schedule hours set --provider ortiz --days all --hours 09:00-09:40
	d1=$(TZ=$NY date -d '+1 day' +%F)
	d2=$(TZ=$NY date -d '+2 days' +%F)
	book --patient 1 --provider ortiz --at "${d1}T09:00" --type followup
	run -0 pms-schedule next --type followup --provider ortiz --within 30 \
	    -o csv
	# today's 09:00 if it is still to come, else not d1's (taken)
	if [[ $(TZ=$NY date +%H%M) < 0859 ]]; then
		assert_line --index 1 --partial "ortiz,main,${TODAY}T09:00:00-0"
	else
		assert_line --index 1 --partial "ortiz,main,${d2}T09:00:00-0"
	fi
	run -0 pms-schedule next --type phone -o csv
	[[ ${lines[1]} == ortiz,main,* ]]
	# from another time than now: d1's only slot is taken
	run -0 pms-schedule next --type followup --provider ortiz \
	    --after "${d1}T08:00" -o csv
	assert_line --index 1 --partial "ortiz,main,${d2}T09:00:00-0"
}

# ---- the days the clocks change: B02, B04, Berlin ----------------------

@test "B02: a time in the spring gap is refused, never moved" {
	case_practice America/New_York
	pms-schedule hours set --provider dr-demo --days sun --hours 00:00-04:00
	run -65 --separate-stderr pms-schedule book --mrn MRN0001 \
	    --provider dr-demo --at 2026-03-08T02:30 --length 30m --allow-past
	assert_stderr 'pms-schedule: local time does not exist on that date'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "B02: the slots of the spring day are the two real hours" {
	case_practice America/New_York
	pms-schedule hours set --provider dr-demo --days sun --hours 01:00-04:00
	run -0 pms-schedule slots --provider dr-demo --on 2026-03-08 \
	    --length 30m --step 30m --allow-past -o csv
	assert_output 'provider,location,start,end
dr-demo,clinic,2026-03-08T01:00:00-05:00,2026-03-08T01:30:00-05:00
dr-demo,clinic,2026-03-08T01:30:00-05:00,2026-03-08T03:00:00-04:00
dr-demo,clinic,2026-03-08T03:00:00-04:00,2026-03-08T03:30:00-04:00
dr-demo,clinic,2026-03-08T03:30:00-04:00,2026-03-08T04:00:00-04:00'
}

@test "B02: the repeated hour of autumn needs an offset; both can be booked" {
	case_practice America/New_York
	pms-schedule hours set --provider dr-demo --days sun --hours 00:00-03:00
	run -65 --separate-stderr pms-schedule book --mrn MRN0002 \
	    --provider dr-demo --at 2026-11-01T01:30 --length 30m --allow-past
	assert_stderr 'ambiguous local time: it comes twice as the clocks go back; give the offset, as in 2026-11-01T01:30:00-04:00 or 2026-11-01T01:30:00-05:00'
	book --mrn MRN0002 --provider dr-demo --at 2026-11-01T01:30-04:00 \
	    --length 30m --allow-past
	book --mrn MRN0003 --provider dr-demo --at 2026-11-01T01:30-05:00 \
	    --length 30m --allow-past
	run -0 pms-sql "SELECT start_utc, local_start FROM appointments ORDER BY id"
	assert_output '1793511000|2026-11-01T01:30:00-04:00
1793514600|2026-11-01T01:30:00-05:00'
	# 05:30Z and 06:30Z
	[ "$(date -u -d @1793511000 +%FT%H:%M)" = 2026-11-01T05:30 ]
	# an offset the zone does not have then is refused
	run -65 --separate-stderr pms-schedule book --mrn MRN0001 \
	    --provider dr-demo --at 2026-11-01T01:30-06:00 --length 30m --allow-past
	assert_stderr 'the offset is not the zone'
	# a 60-minute appointment across the change lasts 60 real minutes
	book --mrn MRN0001 --provider dr-other --at 2026-11-01T01:00-04:00 \
	    --length 60m --allow-past --force
	run -0 pms-sql "SELECT end_utc - start_utc, local_end FROM appointments
	    WHERE id = 3"
	assert_output '3600|2026-11-01T01:00:00-05:00'
}

@test "B02: the slots of the autumn day are four real hours, with offsets" {
	case_practice America/New_York
	pms-schedule hours set --provider dr-demo --days sun --hours 00:00-03:00
	run -0 pms-schedule slots --provider dr-demo --on 2026-11-01 \
	    --length 60m --step 60m --allow-past -o csv
	assert_output 'provider,location,start,end
dr-demo,clinic,2026-11-01T00:00:00-04:00,2026-11-01T01:00:00-04:00
dr-demo,clinic,2026-11-01T01:00:00-04:00,2026-11-01T01:00:00-05:00
dr-demo,clinic,2026-11-01T01:00:00-05:00,2026-11-01T02:00:00-05:00
dr-demo,clinic,2026-11-01T02:00:00-05:00,2026-11-01T03:00:00-05:00'
}

@test "Berlin: the gap and the repeated hour of Europe/Berlin" {
	case_practice Europe/Berlin
	pms-schedule hours set --provider dr-demo --days sun --hours 00:00-05:00
	run -65 --separate-stderr pms-schedule book --mrn MRN0001 \
	    --provider dr-demo --at 2026-03-29T02:15 --length 30m --allow-past
	assert_stderr 'local time does not exist on that date'
	run -0 pms-schedule slots --provider dr-demo --on 2026-03-29 \
	    --length 1h --step 1h --allow-past -o csv
	assert_output 'provider,location,start,end
dr-demo,clinic,2026-03-29T00:00:00+01:00,2026-03-29T01:00:00+01:00
dr-demo,clinic,2026-03-29T01:00:00+01:00,2026-03-29T03:00:00+02:00
dr-demo,clinic,2026-03-29T03:00:00+02:00,2026-03-29T04:00:00+02:00
dr-demo,clinic,2026-03-29T04:00:00+02:00,2026-03-29T05:00:00+02:00'
	run -65 --separate-stderr pms-schedule book --mrn MRN0001 \
	    --provider dr-demo --at 2026-10-25T02:30 --length 30m --allow-past
	assert_stderr '2026-10-25T02:30:00+02:00 or 2026-10-25T02:30:00+01:00'
	book --mrn MRN0001 --provider dr-demo --at 2026-10-25T02:30+02:00 \
	    --length 30m --allow-past
	book --mrn MRN0002 --provider dr-demo --at 2026-10-25T02:30+01:00 \
	    --length 30m --allow-past
	run -0 pms-schedule list --on 2026-10-25 -o csv
	[[ ${lines[1]} == *,2026-10-25T02:30:00+02:00,2026-10-25T02:00:00+01:00,* ]]
	[[ ${lines[2]} == *,2026-10-25T02:30:00+01:00,2026-10-25T03:00:00+01:00,* ]]
	# a weekly series at 09:00 keeps its wall clock across the change
	run -0 --separate-stderr pms-schedule book --mrn MRN0003 --provider dr-other \
	    --at 2026-10-18T09:00 --length 30m --every 1w --count 2 \
	    --allow-past --force -o csv
	[[ ${lines[1]} == *,2026-10-18T09:00:00+02:00,* ]]
	[[ ${lines[2]} == *,2026-10-25T09:00:00+01:00,* ]]
	# forced over the office hours dr-other has none of: said
	assert_stderr 'warning: 2026-10-18T09:00:00+02:00 booked over a conflict (--force): outside office hours'
	refute_phi "$stderr"
}

@test "B04: Asia/Kolkata: instants, the clinic's day, hours, any TZ" {
	case_practice Asia/Kolkata
	pms-schedule hours set --provider dr-demo --days all --hours 09:00-13:00
	book --mrn MRN0001 --provider dr-demo --at 2025-07-15T09:00 --length 30m \
	    --allow-past
	book --mrn MRN0002 --provider dr-demo --at 2025-07-15T02:00 --length 30m \
	    --allow-past --force
	run -0 pms-sql "SELECT start_utc FROM appointments ORDER BY id"
	[ "$(date -u -d @"${lines[0]}" +%FT%H:%MZ)" = 2025-07-15T03:30Z ]
	[ "$(date -u -d @"${lines[1]}" +%FT%H:%MZ)" = 2025-07-14T20:30Z ]
	for tz in UTC America/New_York; do
		TZ=$tz pms-schedule list --on 2025-07-15 -o csv \
		    >"$BATS_TEST_TMPDIR/day.${tz//\//-}"
		run -1 --separate-stderr env TZ=$tz pms-schedule book \
		    --mrn MRN0003 --provider dr-demo --at 2025-07-15T12:45 \
		    --length 30m --allow-past --dry-run
		echo "$stderr" >"$BATS_TEST_TMPDIR/refusal.${tz//\//-}"
	done
	cmp "$BATS_TEST_TMPDIR/day.UTC" "$BATS_TEST_TMPDIR/day.America-New_York"
	cmp "$BATS_TEST_TMPDIR/refusal.UTC" \
	    "$BATS_TEST_TMPDIR/refusal.America-New_York"
	grep -q 'outside office hours: dr-demo at clinic on Tuesday 2025-07-15: 09:00-13:00' \
	    "$BATS_TEST_TMPDIR/refusal.UTC"
	run cut -d, -f8 "$BATS_TEST_TMPDIR/day.UTC"
	assert_output 'start
2025-07-15T02:00:00+05:30
2025-07-15T09:00:00+05:30'
}

# ---- import and book - -------------------------------------------------

@test "B01: overlap by interval: the import rejects row 2, naming row 1" {
	case_practice America/Chicago
	pms-schedule hours set --provider dr-demo --days all --hours 08:00-12:00
	# all or nothing: row 2 reported, nothing written
	run -1 --separate-stderr pms-schedule import "$FIX/b01-appointments.csv"
	assert_stderr "b01-appointments.csv: line 3: start: slot taken: dr-demo has appointment 1 from 2025-06-02T09:00:00-05:00 to 2025-06-02T09:30:00-05:00 (line 2 of this input)"
	assert_stderr '1 bad row; nothing was written'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	run -0 --separate-stderr pms-schedule import "$FIX/b01-appointments.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/rejects.csv"
	assert_stderr '4 rows: 3 added, 0 there already, 1 rejected'
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/rejects.csv")" = 600 ]
	run cat "$BATS_TEST_TMPDIR/rejects.csv"
	assert_line --index 0 'line,source_id,patient_id,mrn,provider,location,type,room,start,end,length,status,cancelled_by,confirmed_at,reason,reject_reason'
	assert_line --index 1 --partial '3,,,MRN0002,DR-DEMO,,,,2025-06-02T09:15,,15,,,,,'
	run -0 pms-sql "SELECT p.code, a.local_start, a.local_end, a.status
	    FROM appointments a JOIN providers p ON p.id = a.provider_id
	    ORDER BY a.id"
	assert_output 'dr-demo|2025-06-02T09:00:00-05:00|2025-06-02T09:30:00-05:00|booked
dr-demo|2025-06-02T09:30:00-05:00|2025-06-02T09:45:00-05:00|booked
dr-other|2025-06-02T09:15:00-05:00|2025-06-02T09:30:00-05:00|booked'
	run -0 pms-schedule slots --provider dr-demo --on 2025-06-02 --length 15m \
	    --allow-past -o csv
	refute_line --regexp '^dr-demo,clinic,2025-06-02T09:(00|15|30):00'
	assert_line 'dr-demo,clinic,2025-06-02T08:45:00-05:00,2025-06-02T09:00:00-05:00'
	assert_line 'dr-demo,clinic,2025-06-02T09:45:00-05:00,2025-06-02T10:00:00-05:00'
	# again: nothing changes
	run -0 --separate-stderr pms-schedule import "$FIX/b01-appointments.csv" \
	    --skip-invalid "$BATS_TEST_TMPDIR/rejects.csv"
	assert_stderr '4 rows: 0 added, 3 there already, 1 rejected'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 3
}

@test "import: every bad row named (65), nothing written; JSON Lines too" {
	f="$BATS_TEST_TMPDIR/bad.csv"
	cat >"$f" <<-EOF
	source_id,mrn,provider,location,start,length,status
	S1,000123,lee,main,2026-05-04T09:00,20m,completed
	S2,000123,nobody,main,2026-05-04T10:00,20m,completed
	S3,999999,lee,main,2026-05-04T11:00,20m,completed
	S4,000124,lee,main,2026-05-04T25:00,20m,completed
	S5,000124,lee,main,2026-05-04T12:00,20m,maybe
	S6,000124,lee,main,${DAY}T12:00,20m,completed
	S7,000124,lee,main,2026-05-04T13:00,2m,booked
	EOF
	run -65 --separate-stderr pms-schedule import "$f"
	assert_stderr 'bad.csv: line 3: provider: unknown provider "nobody"'
	assert_stderr 'bad.csv: line 4: mrn: no patient with that MRN'
	assert_stderr 'bad.csv: line 5: start: '
	assert_stderr 'bad.csv: line 6: status: expected booked'
	assert_stderr 'bad.csv: line 7: status: completed is for an appointment that has begun'
	assert_stderr 'bad.csv: line 8: length: an appointment lasts from 5m to 12h'
	assert_stderr '6 bad rows; nothing was written'
	refute_phi "$stderr"
	[[ $stderr != *999999* ]]
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	printf '%s\n' '{"source_id":"J1","patient_id":2,"provider":"ortiz","start":"2026-05-04T09:00","end":"2026-05-04T09:45","status":"No Show"}' \
	    '{"source_id":"J2","mrn":"000124","provider":"ortiz","start":"2026-05-05T09:00","type":"followup","status":"canceled","cancelled_by":"patient","confirmed_at":"2026-05-01T12:00:00Z"}' |
	    pms-schedule import
	run -0 pms-sql "SELECT source_id, status, coalesce(cancelled_by, ''),
	    end_utc - start_utc, coalesce(confirmed_at, '') FROM appointments"
	assert_output 'J1|no-show||2700|
J2|cancelled|patient|1200|2026-05-01T12:00:00Z'
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'schedule.import|source_id,patient_id,provider,location,type,room,start,end,status,cancelled_by,confirmed_at,reason'
	run -0 pms-sql "SELECT action FROM appointment_history LIMIT 1"
	assert_output import
}

@test "import: past rows are history; idempotent by source_id; list -o csv imports" {
	f="$BATS_TEST_TMPDIR/old.csv"
	printf '%s\n' 'source_id,mrn,provider,location,start,length,status' \
	    'X1,000123,lee,main,2020-02-03T09:00,20m,completed' \
	    'X2,000124,lee,main,2020-02-03T09:00,20m,cancelled' \
	    "X3,000124,lee,main,${DAY}T15:00,20m," >"$f"
	pms-schedule import "$f" 2>/dev/null
	run -0 pms-sql "SELECT source_id, status FROM appointments ORDER BY id"
	assert_output $'X1|completed\nX2|cancelled\nX3|booked'
	# the same source_id is the same appointment, whatever else changed
	sed -i 's/15:00/16:00/' "$f"
	run -0 --separate-stderr pms-schedule import "$f"
	assert_stderr '3 rows: 0 added, 3 there already, 0 rejected'
	# our own CSV goes into another store as it is (by provider, patient
	# and start when source_id is empty)
	pms-schedule list -o csv >"$BATS_TEST_TMPDIR/mine.csv"
	run -0 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/mine.csv"
	assert_stderr '3 rows: 0 added, 3 there already'
	pms-sql "DELETE FROM audit" 2>/dev/null || true
	cp "$BATS_FILE_TMPDIR/template/store" "$BATS_TEST_TMPDIR/other"
	cp "$BATS_FILE_TMPDIR/template/store.keys" "$BATS_TEST_TMPDIR/other.keys"
	mkdir -m 2770 "$BATS_TEST_TMPDIR/other.lock.d"
	run -0 --separate-stderr pms-schedule -S "$BATS_TEST_TMPDIR/other" \
	    import "$BATS_TEST_TMPDIR/mine.csv"
	assert_stderr '3 rows: 3 added'
	run -0 pms-sql -S "$BATS_TEST_TMPDIR/other" "SELECT source_id, status,
	    local_start FROM appointments ORDER BY id"
	assert_output "X1|completed|2020-02-03T09:00:00-05:00
X2|cancelled|2020-02-03T09:00:00-05:00
X3|booked|${DAY}T15:00:00-05:00"
}

@test "book -: one booking a line, every rule, all or none" {
	in="$BATS_TEST_TMPDIR/in.csv"
	printf '%s\n' 'mrn,provider,start,type' "000123,lee,${DAY}T09:00,followup" \
	    "000124,lee,${DAY}T09:10,followup" "MRN0001,ortiz,${DAY}T09:10,followup" >"$in"
	run -1 --separate-stderr pms-schedule book - -o csv <"$in"
	assert_stderr "line 3: start: slot taken: lee has appointment 1 from ${DAY}T09:00:00-05:00 to ${DAY}T09:20:00-05:00 (line 2 of this input)"
	assert_stderr 'nothing was written'
	[ -z "$output" ]
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	run -0 --separate-stderr pms-schedule book - --skip-conflicts -o csv <"$in"
	[ "${#lines[@]}" -eq 3 ]
	assert_stderr '1 of 3 left out (--skip-conflicts)'
	# JSON Lines, and the past refused as in book
	run -1 --separate-stderr pms-schedule book - -o json <<<'{"patient_id":1,"provider":"patel","start":"'"$YESTERDAY"'T09:00","length":"30m"}'
	assert_stderr "line 1: start: in the past"
	run -0 pms-schedule book - --allow-past -o json <<<'{"patient_id":1,"provider":"patel","start":"'"$YESTERDAY"'T09:00","length":"30m"}'
	[[ $output == *'"provider":"patel","location":"lakeside"'* ]]
	run -65 --separate-stderr pms-schedule book - <<<'{"patient_id":"x","provider":"patel","start":"'"$DAY"'T09:00","length":"30m"}'
	assert_stderr 'line 1: patient_id: '
}

# ---- iCalendar ---------------------------------------------------------

# Check an iCalendar file byte by byte: CRLF ends every line and no bare
# CR or LF is elsewhere; no line is longer than 75 octets; a folded line
# goes on with one space; every line, and every line unfolded, is valid
# UTF-8 (so no character was split).
ics_check() {
	local f=$1 n crlf
	n=$(tr -cd '\n' <"$f" | wc -c)
	crlf=$(grep -c $'\r$' "$f")
	[ "$n" -gt 0 ] && [ "$n" -eq "$crlf" ] || fail "not every line ends in CRLF"
	[ "$(tr -cd '\r' <"$f" | wc -c)" -eq "$n" ] || fail "a bare CR"
	LC_ALL=C awk '{ sub(/\r$/, ""); if (length($0) > 75) { print NR": "length($0); bad = 1 } }
	    END { exit bad }' "$f" || fail "a line longer than 75 octets"
	while IFS= read -r line; do
		printf '%s' "${line%$'\r'}" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 ||
		    fail "a line is not UTF-8 by itself: a character was split"
	done <"$f"
	head -1 "$f" | grep -q $'^BEGIN:VCALENDAR\r$'
	tail -1 "$f" | grep -q $'^END:VCALENDAR\r$'
}

@test "export --ics: RFC 5545 lines, UIDs, SEQUENCE, no names, 0600" {
	a=$(book --patient 1 --provider lee --at "${DAY}T09:00" --type followup \
	    --room exam-1)
	b=$(book --patient 2 --provider ortiz --at "${DAY}T10:00" --type newpatient)
	pms-schedule move "$a" --at "${DAY}T09:30" >/dev/null
	pms-schedule cancel "$b" >/dev/null
	uuid=$(pms-sql "SELECT value FROM meta WHERE key = 'practice_uuid'")
	pms-schedule export --ics --out "$BATS_TEST_TMPDIR/cal.ics"
	f="$BATS_TEST_TMPDIR/cal.ics"
	[ "$(stat -c %a "$f")" = 600 ]
	ics_check "$f"
	grep -q $'^UID:appt-1@'"$uuid"$'\r$' "$f"
	grep -q $'^UID:appt-2@'"$uuid"$'\r$' "$f"
	start=$(date -u -d @"$(TZ=$NY date -d "${DAY}T09:30" +%s)" +%Y%m%dT%H%M%SZ)
	grep -q $'^DTSTART:'"$start"$'\r$' "$f"
	grep -q $'^SEQUENCE:1\r$' "$f"
	grep -q $'^STATUS:CANCELLED\r$' "$f"
	grep -q $'^SUMMARY:Follow-up visit (lee)\r$' "$f"
	grep -qxF $'LOCATION:main\\, exam-1\r' "$f"
	! grep -q 'Zztest\|Zebediah\|000123\|000124' "$f"
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'schedule.export|start,end,provider,location,room,type,status'
	# one provider's
	pms-schedule export --ics --provider ortiz >"$BATS_TEST_TMPDIR/ortiz.ics"
	[ "$(grep -c '^BEGIN:VEVENT' "$BATS_TEST_TMPDIR/ortiz.ics")" -eq 1 ]
	# --out never writes through a link (whoever planted it would choose
	# where the file goes); /dev/stdout is written and stays a link
	cp "$BATS_TEST_TMPDIR/cal.ics" "$BATS_TEST_TMPDIR/before.ics"
	ln -s cal.ics "$BATS_TEST_TMPDIR/link.ics"
	run -64 --separate-stderr pms-schedule export --ics --provider ortiz \
	    --out "$BATS_TEST_TMPDIR/link.ics"
	assert_stderr 'pms-schedule: --out: that is a symbolic link (name the file itself)'
	[ -L "$BATS_TEST_TMPDIR/link.ics" ]
	cmp "$BATS_TEST_TMPDIR/cal.ics" "$BATS_TEST_TMPDIR/before.ics"
	pms-schedule export --ics --provider ortiz --out /dev/stdout \
	    >"$BATS_TEST_TMPDIR/stdout.ics"
	[ -L /dev/stdout ]
	cmp "$BATS_TEST_TMPDIR/stdout.ics" "$BATS_TEST_TMPDIR/ortiz.ics"
	run -64 --separate-stderr pms-schedule export --ics --out "$BATS_TEST_TMPDIR"
	assert_stderr 'pms-schedule: --out: that is a directory'
}

@test "export --ics: long lines fold at 75 octets, never inside a character" {
	pms-patient add --last-name "Zztest-Ééééééééééééééééééééééééééééééééééééééééé" \
	    --first-name Zoë --dob 1990-02-02 >/dev/null
	p=$(pms-sql "SELECT max(id) FROM patients")
	for t in 09:00 10:00 11:00; do
		book --patient "$p" --provider lee --at "${DAY}T$t" --type followup
	done
	f="$BATS_TEST_TMPDIR/names.ics"
	pms-schedule export --ics --with-names >"$f"
	ics_check "$f"
	grep -q $'^ ' "$f"
	# unfolded, the summary is whole again
	tr -d '\r' <"$f" | sed ':a;N;$!ba;s/\n //g' |
	    grep -qx 'SUMMARY:Follow-up visit: Zztest-Ééééééééééééééééééééééééééééééééééééééééé\\, Zoë (lee)'
	run -0 pms-sql "SELECT fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'start,end,provider,location,room,type,status,patient_name'
	if command -v python3 >/dev/null; then
		run -0 python3 - "$f" <<-'PY'
		import sys
		raw = open(sys.argv[1], 'rb').read()
		assert raw.endswith(b'\r\n')
		lines = raw.split(b'\r\n')[:-1]
		out = []
		for l in lines:
		    assert len(l) <= 75, l
		    l.decode('utf-8')
		    if l.startswith(b' '):
		        out[-1] += l[1:]
		    else:
		        out.append(l)
		text = [l.decode('utf-8') for l in out]
		assert text[0] == 'BEGIN:VCALENDAR' and text[-1] == 'END:VCALENDAR'
		depth = 0
		for l in text:
		    name = l.split(':', 1)[0].split(';', 1)[0]
		    assert name and all(c.isalnum() or c == '-' for c in name), l
		    if l == 'BEGIN:VEVENT':
		        depth += 1
		    if l == 'END:VEVENT':
		        depth -= 1
		assert depth == 0
		events = text.count('BEGIN:VEVENT')
		uids = [l for l in text if l.startswith('UID:appt-')]
		assert events == 3 and len(set(uids)) == 3
		print('ok', events)
		PY
		assert_output 'ok 3'
	fi
}

# ---- merge and rights --------------------------------------------------

@test "merge: pms-patient merge moves the dropped patient's appointments" {
	book --patient 2 --provider lee --at "${DAY}T09:00" --type followup
	book --patient 2 --provider lee --at "${DAY}T10:00" --type followup
	book --patient 1 --provider lee --at "${DAY}T11:00" --type followup
	run -0 pms-patient merge 1 2 --force -o csv
	assert_output --partial 'appointments,patient_id,2'
	run -0 pms-sql "SELECT group_concat(patient_id) FROM appointments"
	assert_output '1,1,1'
	run -0 pms-schedule list --patient 2 -o csv
	[ "${#lines[@]}" -eq 4 ]
}

@test "rights: the desk books, a clinician lists and checks in, an auditor neither" {
	run -0 as desk pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup -o csv
	run -0 as doc pms-schedule list -o csv
	run -77 --separate-stderr as doc pms-schedule book --patient 2 \
	    --provider lee --at "${DAY}T10:00" --type followup
	assert_stderr 'may not do schedule.book'
	run -77 --separate-stderr as auditor pms-schedule list
	assert_stderr 'may not do schedule.list'
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action =
	    'denied:schedule.list'"
	assert_output 1
}

@test "list and export: a reader that stops reading blocks no one" {
	bench-gen --out "$BATS_TEST_TMPDIR/g" config patients appointments
	fresh_here() {
		rm -rf "$STORE" "$STORE.keys" "$STORE.lock.d" "$STORE-wal" \
		    "$STORE-shm"
		pms-admin init --kdf interactive >/dev/null 2>&1
		pms-admin config load "$BATS_TEST_TMPDIR/g/practice.yaml" \
		    >/dev/null 2>&1
		pms-patient import "$BATS_TEST_TMPDIR/g/patients.csv" \
		    >/dev/null 2>&1
		pms-schedule import "$BATS_TEST_TMPDIR/g/appointments.csv" \
		    >/dev/null 2>&1
	}
	fresh_here
	n=$(($(wc -l <"$BATS_TEST_TMPDIR/g/appointments.csv") - 1))
	start_blocked pms-schedule list -o csv
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'schedule.list'
	run -0 pms-patient add --last-name Walk --first-name In \
	    --dob 1990-01-01 -o csv
	finish_blocked
	# the header less the byte read, and every appointment
	[ "$(wc -l <"$BLOCKED_OUT")" -eq $((n + 1)) ]
	start_blocked pms-schedule export --ics
	run -0 pms-patient add --last-name Walk --first-name Out \
	    --dob 1990-01-01 -o csv
	finish_blocked
	[ "$(grep -c '^BEGIN:VEVENT' "$BLOCKED_OUT")" -eq "$n" ]
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 3"
	assert_output $'patient.add\nschedule.export\npatient.add'
}

# ---- a fresh user's findings -------------------------------------------

@test "--skip-invalid: never one of the store's files, nor the input (64)" {
	f="$BATS_TEST_TMPDIR/in.csv"
	printf '%s\n' 'source_id,mrn,provider,location,start,length,status' \
	    'S1,000123,lee,main,2020-05-04T09:00,20m,completed' \
	    'S2,000123,lee,main,2020-05-04T25:00,20m,completed' >"$f"
	cp "$f" "$BATS_TEST_TMPDIR/in.orig"
	for rej in "$STORE" "$STORE-wal" "$STORE.keys" "$BATS_TEST_TMPDIR/./store-shm"; do
		run -64 --separate-stderr pms-schedule import "$f" --skip-invalid "$rej"
		assert_stderr "--skip-invalid: that is one of the store's own files"
	done
	ln -s in.csv "$BATS_TEST_TMPDIR/link.csv"
	run -64 --separate-stderr pms-schedule import "$f" --skip-invalid "$BATS_TEST_TMPDIR/link.csv"
	# (a link is never replaced, wherever it points)
	[[ $stderr == *'is the file being imported; name another file'* ||
	    $stderr == *'that is a symbolic link (name the file itself)'* ]] ||
	    fail "$stderr"
	cmp "$f" "$BATS_TEST_TMPDIR/in.orig"
	run -0 pms-admin check
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "import: a source_id repeated inside the file is bad data, naming the line" {
	f="$BATS_TEST_TMPDIR/in.csv"
	printf '%s\n' 'source_id,mrn,provider,location,start,length,status' \
	    'S1,000123,lee,main,2020-05-04T09:00,20m,completed' \
	    'S1,000124,lee,main,2020-05-04T10:00,20m,completed' \
	    ',000124,lee,main,2020-05-04T11:00,20m,completed' \
	    ',000124,lee,main,2020-05-04T11:00,20m,completed' >"$f"
	run -65 --separate-stderr pms-schedule import "$f"
	assert_stderr 'in.csv: line 3: source_id: repeats line 2'
	assert_stderr 'in.csv: line 5: repeats line 4 (the same provider, patient and start)'
	assert_stderr '2 bad rows; nothing was written'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	# book - too
	printf '%s\n' 'source_id,mrn,provider,start,type' \
	    "B1,000123,lee,${DAY}T09:00,followup" "B1,000124,lee,${DAY}T10:00,followup" |
	    { run -65 --separate-stderr pms-schedule book - -o csv
	      assert_stderr 'line 3: source_id: repeats line 2'; }
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "import: mrn and patient_id that name different patients are refused" {
	f="$BATS_TEST_TMPDIR/in.csv"
	printf '%s\n' 'patient_id,mrn,provider,location,start,length,status' \
	    '1,000124,lee,main,2020-05-04T09:00,20m,completed' >"$f"
	run -65 --separate-stderr pms-schedule import "$f"
	assert_stderr 'in.csv: line 2: mrn and patient_id name different patients'
	refute_phi "$stderr"
	[[ $stderr != *000124* ]]
	run -65 --separate-stderr pms-schedule book - -o csv <<<'{"patient_id":1,"mrn":"000124","provider":"lee","start":"'"$DAY"'T09:00","type":"followup"}'
	assert_stderr 'line 1: mrn and patient_id name different patients'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	# the same patient both ways is fine
	sed -i 's/^1,000124/2,000124/' "$f"
	run -0 --separate-stderr pms-schedule import "$f"
	run -0 pms-sql "SELECT patient_id FROM appointments"
	assert_output 2
}

@test "hours: a session may not start at 24:00; one that ends at its start is 24 hours" {
	run -64 --separate-stderr pms-schedule hours set --provider patel \
	    --days tue --hours 24:00-06:00
	assert_stderr '--hours: a session starts by 23:59 (24:00 ends a day; 00:00 starts the next)'
	run -0 pms-sql "SELECT count(*) FROM office_hours WHERE weekday = 1
	    AND start_secs = 0 AND provider_id = (SELECT id FROM providers WHERE code = 'patel')"
	assert_output 0
	run -0 pms-schedule hours set --provider patel --days mon --hours 00:00-24:00
	run -0 pms-schedule hours set --provider patel --days tue --hours 00:00-00:00
	run -0 pms-schedule hours set --provider patel --days wed --hours 20:00-24:00
	run -0 pms-schedule hours list --provider patel -o csv
	assert_line 'patel,lakeside,mon,00:00,24:00'
	assert_line 'patel,lakeside,tue,00:00,24:00'
	assert_line 'patel,lakeside,wed,20:00,24:00'
	# 00:00-00:00 runs to the next midnight: bookable at 23:00
	d=$(TZ=America/Chicago date -d "next tuesday + 7 days" +%F)
	run -0 pms-schedule book --patient 1 --provider patel --at "${d}T23:00" \
	    --length 30m -o csv
}

@test "list: a table with names has patient_name under its own header; a terminal gets the short table" {
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	COLUMNS=400 run -0 pms-schedule list --with-names -o table
	[[ ${lines[0]} == *' reason  patient_name' ]]
	[[ ${lines[2]} == *'Zztest, Zebediah' ]]
	[[ ${lines[2]} != *"$DAY  "* ]]
	# on a terminal, without -o: the same 12 columns people read
	run -0 script -qec "stty cols 300; pms-schedule list" /dev/null
	[[ ${lines[0]} == appointment_id*' reason'$'\r' ]]
	[[ $output != *date_of_service* && $output != *created_at* ]]
	run -0 script -qec "stty cols 300; pms-schedule show 1" /dev/null
	[[ $output != *date_of_service* ]]
	# into a pipe: every column, as JSON
	run -0 pms-schedule list
	[[ $output == *'"date_of_service":"'"$DAY"'"'* ]]
}

@test "refused reads print nothing on standard output, not even a header" {
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	run -1 --separate-stderr pms-schedule list --provider nobody -o csv
	assert_stderr 'unknown provider "nobody"'
	[ -z "$output" ]
	run -1 --separate-stderr pms-schedule history 99999 -o csv
	assert_stderr 'no appointment 99999'
	[ -z "$output" ]
	run -1 --separate-stderr pms-schedule slots --provider lee --on "$DAY" --type nope -o csv
	assert_stderr 'unknown appointment type "nope"'
	[ -z "$output" ]
	run -1 --separate-stderr pms-schedule hours list --provider nobody -o csv
	[ -z "$output" ]
	# a list of none is a header alone
	run -0 pms-schedule list --provider ortiz -o csv
	assert_output --regexp '^appointment_id,[a-z_,]*$'
	run -64 --separate-stderr pms-schedule list --from "$DAY" --to "$TODAY" -o csv
	assert_stderr '--from is after --to'
	[ -z "$output" ]
	run -64 --separate-stderr pms-schedule off list --from "$DAY" --to "$TODAY" -o csv
	assert_stderr '--from is after --to'
	run -64 --separate-stderr pms-schedule export --ics --from "$DAY" --to "$TODAY"
	[ -z "$output" ]
}

@test "book --dry-run prints what would be booked, without an id; --force says what it overrode" {
	run -0 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --dry-run -o csv
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == ',1,000123,lee,main,followup,,'"${DAY}"'T09:00:00-05:00,'* ]]
	assert_stderr '1 would be booked; nothing was written'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	run -0 --separate-stderr pms-schedule book --patient 2 --provider lee \
	    --at "${DAY}T09:10" --type followup --force -o csv
	assert_stderr "warning: ${DAY}T09:10:00-05:00 booked over a conflict (--force): slot taken: lee has appointment 1 from"
	refute_phi "$stderr"
	run -0 pms-sql "SELECT id, forced FROM appointments ORDER BY id"
	assert_output $'1|0\n2|1'
	# book - says it too
	run -0 --separate-stderr pms-schedule book - --force -o csv <<<'{"patient_id":3,"provider":"lee","start":"'"$DAY"'T09:05","type":"followup"}'
	assert_stderr 'line 1: warning: booked over a conflict (--force): slot taken: lee has appointment 1'
	# move --dry-run prints the appointment as it would be
	run -0 --separate-stderr pms-schedule move 2 --at "${DAY}T11:00" --dry-run -o csv
	[[ ${lines[1]} == 2,2,000124,lee,main,followup,,"${DAY}"T11:00:00-05:00,* ]]
	run -0 pms-sql "SELECT local_start FROM appointments WHERE id = 2"
	assert_output "${DAY}T09:10:00-05:00"
}

@test "lookups: unknown codes are 1 everywhere; no configuration or no zone is 78 everywhere" {
	run -1 --separate-stderr pms-schedule hours list --provider nobody -o csv
	assert_stderr 'unknown provider "nobody"'
	run -1 --separate-stderr pms-schedule hours list --location nowhere -o csv
	assert_stderr 'unknown location "nowhere"'
	run -1 --separate-stderr pms-schedule off list --provider nobody -o csv
	assert_stderr 'unknown provider "nobody"'
	[ -z "$output" ]
	# a zone of the configuration this machine cannot read
	for c in "slots --provider lee --on $DAY --type followup" \
	    "book --patient 1 --provider lee --location main --at ${DAY}T09:00 --type followup" \
	    "list --on today" "next --type followup"; do
		run -78 --separate-stderr env TZDIR=/nonexistent pms-schedule $c -o csv
		assert_stderr 'the configuration names the time zone "America/New_York", which this machine lacks'
		[ -z "$output" ]
	done
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	# a store with no configuration at all
	mkdir -m 2770 "$BATS_TEST_TMPDIR/bare"
	export PMS_STORE="$BATS_TEST_TMPDIR/bare/store"
	pms-admin init --kdf interactive >/dev/null 2>&1
	for c in "list" "hours list" "off list" "list --on today" \
	    "hours set --provider lee --days mon --hours 09:00-10:00" \
	    "slots --provider lee --on $DAY --type followup" "export --ics" \
	    "book --patient 1 --provider lee --at ${DAY}T09:00 --type followup"; do
		run -78 --separate-stderr pms-schedule $c
		assert_stderr 'no configuration loaded: pms-admin config load FILE'
		[ -z "$output" ]
	done
}

@test "merge: two patients booked at the same time are named (a warning; --dry-run too)" {
	book --patient 1 --provider lee --at "${DAY}T09:00" --type followup
	book --patient 2 --provider ortiz --at "${DAY}T09:10" --type followup
	book --patient 2 --provider ortiz --at "${DAY}T11:00" --type followup
	run -0 --separate-stderr pms-patient merge 1 2 --force --dry-run -o csv
	assert_stderr 'warning: appointments 1 and 2 are at the same time: merged, the patient would be booked twice (cancel one)'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT group_concat(patient_id) FROM appointments"
	assert_output '1,2,2'
	run -0 --separate-stderr pms-patient merge 1 2 --force -o csv
	assert_stderr 'warning: appointments 1 and 2 are at the same time: merged, the patient is booked twice'
	[[ $stderr != *' and 3 '* ]]
	run -0 pms-sql "SELECT group_concat(patient_id) FROM appointments"
	assert_output '1,1,1'
}

@test "options: one given twice is 64; --patient with --mrn, --count with --until: not both" {
	run -64 --separate-stderr pms-schedule book --mrn 000123 --mrn 000124 \
	    --provider lee --at "${DAY}T09:00" --type followup
	assert_stderr 'pms-schedule: --mrn given twice: give it once'
	[[ $stderr != *000124* ]]
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --provider ortiz --at "${DAY}T09:00" --type followup
	assert_stderr '--provider given twice'
	run -64 --separate-stderr pms-schedule list --on "$DAY" --on "$TODAY"
	assert_stderr '--on given twice'
	run -64 --separate-stderr pms-schedule book --patient 1 --mrn 000123 \
	    --provider lee --at "${DAY}T09:00" --type followup
	assert_stderr 'book: --patient or --mrn, not both'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --every 1w --count 2 --until "$DAY"
	assert_stderr '--every: --count or --until, not both'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
}

@test "move: what is not given stays (the room); another office keeps the wall clock" {
	a=$(book --patient 1 --provider lee --location main --at "${DAY}T09:00" \
	    --type followup --room exam-2)
	run -0 pms-schedule move "$a" --provider ortiz -o csv
	[[ ${lines[1]} == "$a,1,000123,ortiz,main,followup,exam-2,${DAY}T09:00:00-05:00,"* ]]
	run -0 pms-sql "SELECT room FROM appointments WHERE id = $a"
	assert_output exam-2
	run -0 pms-sql "SELECT count(*) FROM appointment_history WHERE field = 'room'"
	assert_output 0
	# patel works only at lakeside (Chicago): 09:00 there, not an error
	# about the offset of New York
	run -0 --separate-stderr pms-schedule move "$a" --provider patel -o csv
	[[ ${lines[1]} == "$a,1,000123,patel,lakeside,followup,,${DAY}T09:00:00-06:00,"* ]]
	run -0 pms-sql "SELECT field, from_value, to_value FROM appointment_history
	    WHERE action = 'move' AND field IN ('location', 'room') ORDER BY id"
	assert_output $'location|main|lakeside\nroom|exam-2|'
}

@test "hours and exceptions name the booked appointments they leave out" {
	a=$(book --patient 1 --provider lee --location main --at "${DAY}T17:00" --type followup)
	b=$(book --patient 2 --provider lee --location main --at "${DAY}T09:00" --type followup)
	wd=$(date -d "$DAY" +%a | tr A-Z a-z)
	run -0 --separate-stderr pms-schedule hours set --provider lee --location main \
	    --days "$wd" --hours 08:00-12:00
	assert_stderr "warning: 1 appointment booked outside the new office hours: $a (move or cancel them)"
	run -0 --separate-stderr pms-schedule off add --provider lee --from "$DAY" --to "$DAY"
	assert_output 1
	assert_stderr "warning: 2 appointments booked in this exception: $b $a (move or cancel them)"
	run -0 pms-sql "SELECT count(*) FROM appointments WHERE status = 'booked'"
	assert_output 2
	# one not touched says nothing
	run -0 --separate-stderr pms-schedule off add --provider ortiz --from "$DAY" --to "$DAY"
	[ -z "$stderr" ]
}

@test "checked in: the room may change, and a patient who leaves unseen is cancelled" {
	# at 09:55 on the day, an appointment at 10:00 (fixed: not a test
	# that fails at midnight)
	at() { TZ=$NY faketime "$DAY 09:55:00" "$@"; }
	a=$(at pms-schedule book --patient 1 --provider lee --location main \
	    --at "${DAY}T10:00" --length 30m --room exam-1 -o csv | tail -n +2 | cut -d, -f1)
	at pms-schedule book --patient 2 --provider ortiz --location main \
	    --at "${DAY}T10:15" --length 30m --room exam-2 -o csv >/dev/null
	at pms-schedule checkin "$a" >/dev/null
	run -1 --separate-stderr at pms-schedule move "$a" --room exam-2
	assert_stderr 'room taken'
	run -0 at pms-schedule move "$a" --room exam-3 -o csv
	[[ ${lines[1]} == "$a,1,000123,lee,main,,exam-3,"*",checked-in,"* ]]
	run -1 --separate-stderr at pms-schedule move "$a" --at "${DAY}T09:00"
	assert_stderr "appointment $a is checked-in: only a booked appointment moves (a checked-in one changes rooms: --room alone)"
	TZ=$NY faketime "$DAY 10:20:00" pms-schedule cancel "$a" --by patient >/dev/null
	run -0 pms-sql "SELECT status, room, late_cancel FROM appointments WHERE id = $a"
	assert_output 'cancelled|exam-3|0'
}

@test "cancel: one that has begun needs --allow-past, and is then not a late cancel" {
	a=$(book --patient 1 --provider lee --location main --at "${YESTERDAY}T09:00" \
	    --type followup --allow-past)
	run -1 --separate-stderr pms-schedule cancel "$a" --by patient
	assert_stderr "appointment $a began at ${YESTERDAY}T09:00:00"
	assert_stderr '(--allow-past cancels it afterwards; or mark it a no-show)'
	run -0 pms-sql "SELECT status FROM appointments"
	assert_output booked
	run -0 --separate-stderr pms-schedule cancel "$a" --by Patient --allow-past -o csv
	[[ $stderr != *'late cancel'* ]]
	run -0 pms-sql "SELECT status, cancelled_by, late_cancel FROM appointments"
	assert_output 'cancelled|patient|0'
}

@test "free text: --reason is one line without control characters" {
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --reason $'knee\npain'
	assert_stderr '--reason: one line of text, without control characters'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --reason $'\e[31mred'
	assert_stderr '--reason: one line of text'
	run -64 --separate-stderr pms-schedule off add --from "$DAY" --to "$DAY" --reason $'a\tb'
	assert_stderr '--reason: one line of text'
	run -64 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T09:00" --type followup --reason "$(printf 'x%.0s' {1..501})"
	assert_stderr '--reason: at most 500 bytes'
	run -65 --separate-stderr pms-schedule book - <<<'{"patient_id":1,"provider":"lee","start":"'"$DAY"'T09:00","type":"followup","reason":"a\nb"}'
	assert_stderr 'line 1: reason: one line of text'
	run -0 pms-sql "SELECT (SELECT count(*) FROM appointments) + (SELECT count(*) FROM schedule_off)"
	assert_output 0
}

@test "times: 1900 to 2200, whole minutes; bad option values are 64" {
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --location main --at 1850-12-14T10:00 --length 20m --allow-past --force
	assert_stderr 'pms-schedule: appointments are from 1900 to 2200'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --location main --at 2201-01-03T10:00 --length 20m --force
	assert_stderr 'appointments are from 1900 to 2200'
	printf '%s\n' 'mrn,provider,location,start,length,status' \
	    '000123,lee,main,1850-05-04T09:00,20m,completed' \
	    '000123,lee,main,2020-05-04T09:00,5m30s,completed' >"$BATS_TEST_TMPDIR/old.csv"
	run -65 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/old.csv"
	assert_stderr 'line 2: start: appointments are from 1900 to 2200'
	assert_stderr 'line 3: length: whole minutes (30m, 1h30m): seconds are not allowed'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T10:00:30" --length 20m
	assert_stderr '--at: seconds are not allowed (HH:MM)'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T10:00:00.5" --length 20m
	assert_stderr '--at: seconds are not allowed (HH:MM)'
	run -65 --separate-stderr pms-schedule book --patient 1 --provider lee \
	    --at "${DAY}T10:00" --length 5m30s
	assert_stderr '--length: whole minutes (30m, 1h30m): seconds are not allowed'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 0
	# the records' own form, seconds :00 and an offset, is fine
	run -0 pms-schedule book --patient 1 --provider lee --at "${DAY}T10:00:00-05:00" \
	    --length 20m -o csv
	run -64 --separate-stderr pms-schedule hours set --provider lee \
	    --location main --days mon --hours 25:00-26:00
	assert_stderr '--hours: not a list of sessions'
	run -64 --separate-stderr pms-schedule slots --provider lee --on "$DAY" \
	    --type followup --step 13h -o csv
	assert_stderr '--step: from 1m to 12h'
	[ -z "$output" ]
	run -64 --separate-stderr pms-schedule slots --provider lee --on "$DAY" \
	    --type followup --step 90s -o csv
	assert_stderr '--step: whole minutes'
}

@test "next --after: a date is its start; never before now unless --allow-past" {
	run -0 pms-schedule next --type followup --provider lee --after "$YESTERDAY" -o csv
	now=$(date +%s)
	t=$(date -d "$(echo "${lines[1]}" | cut -d, -f3)" +%s)
	[ "$t" -ge $((now - 900)) ]
	run -0 pms-schedule next --type followup --provider lee --after "$DAY" -o csv
	assert_line --index 1 "lee,main,${DAY}T08:00:00-05:00,${DAY}T08:20:00-05:00"
	run -0 pms-schedule next --type followup --provider lee --after "$YESTERDAY" \
	    --allow-past -o csv
	assert_line --index 1 "lee,main,${YESTERDAY}T08:00:00-05:00,${YESTERDAY}T08:20:00-05:00"
}

@test "off add: --from today and --to tomorrow, as the man page says" {
	run -0 --separate-stderr pms-schedule off add --provider lee --from today --to tomorrow
	assert_output 1
	run -0 pms-sql "SELECT local_from, local_to FROM schedule_off"
	# to the end of tomorrow
	assert_output "${TODAY}T00:00:00|$(TZ=$NY date -d "$TODAY + 2 days" +%F)T00:00:00"
	run -65 --separate-stderr pms-schedule off add --from someday --to tomorrow
	assert_stderr '--from: '
}

@test "import: checked in today imports; an empty file is 65; Windows-1252 is named" {
	at() { TZ=$NY faketime "$DAY 09:55:00" "$@"; }
	printf '%s\n' 'source_id,mrn,provider,location,start,length,status' \
	    "C1,000123,lee,main,${DAY}T10:30,20m,checked-in" >"$BATS_TEST_TMPDIR/c.csv"
	run -0 --separate-stderr at pms-schedule import "$BATS_TEST_TMPDIR/c.csv"
	run -0 pms-sql "SELECT status FROM appointments"
	assert_output checked-in
	printf '%s\n' 'source_id,mrn,provider,location,start,length,status' \
	    "C2,000123,lee,main,${DAY}T10:30,20m,checked-in" >"$BATS_TEST_TMPDIR/d.csv"
	run -65 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/d.csv"
	assert_stderr 'line 2: status: checked-in is for an appointment of today or before; this one is later'
	: >"$BATS_TEST_TMPDIR/empty.csv"
	run -65 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/empty.csv"
	assert_stderr 'the input is empty: no header line'
	head -1 "$BATS_TEST_TMPDIR/c.csv" >"$BATS_TEST_TMPDIR/header.csv"
	run -0 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/header.csv"
	assert_stderr '0 rows'
	printf 'source_id,mrn,provider,location,start,length,status,reason\nW1,000123,lee,main,2020-05-04T09:00,20m,completed,caf\xe9\n' \
	    >"$BATS_TEST_TMPDIR/w.csv"
	run -65 --separate-stderr pms-schedule import "$BATS_TEST_TMPDIR/w.csv"
	assert_stderr 'give --encoding windows-1252'
	run -0 pms-sql "SELECT count(*) FROM appointments"
	assert_output 1
}
