#!/usr/bin/env bats
# bats file_tags=pms-remind
# pms-remind: which reminders are due (rules, the working day before,
# quiet hours, two zones and two languages, whatever TZ), send with its
# claims (never twice: cron runs one after another and two at once, a
# moved appointment reminded again, a cancelled or past one never, a run
# that dies while its sender runs is unknown), the sender's process (a
# clean environment, no descriptors, default signals, its own keyring,
# killed at the timeout), retries, send reading due records, replies
# and outcomes (mark), opt-outs, the log, the real-world cases B06, B08,
# B09 and B29, rights and merges.  Each test checks the exit code, the
# messages and the store's contents after.
#
# Times: the rules are checked as of a time the test chooses, with
# due --at and, for send, faketime: an SMS due at 23:00 waits for the
# morning, so a test that sent "now" would pass or fail by the hour.

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures/remind"
NY=America/New_York

# The template: the demo practice (offices in New York and Chicago, an
# SMS 48 hours before every visit and an e-mail the working day before
# new-patient visits and physicals), office hours, patients with their
# consents and languages, a front-desk user and a clinician.
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	# 1: English, SMS and e-mail; 2: Spanish, SMS; 3: no consent
	pms-patient add --mrn MRN0001 --last-name Zztest --first-name Pat \
	    --dob 1970-01-01 --mobile-phone '617 555 0101' --sms-consent yes \
	    --email pat.zztest@example.com --email-consent yes >/dev/null
	pms-patient add --mrn MRN0002 --last-name Zztest --first-name Sam \
	    --dob 1971-01-01 --mobile-phone '617 555 0102' --sms-consent yes \
	    --language es >/dev/null
	pms-patient add --mrn MRN0003 --last-name Zztest --first-name Jo \
	    --dob 1972-01-01 --mobile-phone '617 555 0103' >/dev/null
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 00:00-24:00
	pms-schedule hours set --provider patel --days all --hours 00:00-24:00
	for u in desk:front-desk doc:clinician; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    user add "${u%%:*}" --role "${u#*:}" --kdf interactive \
		    >/dev/null 2>&1
	done
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	local u
	for u in desk doc; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
	# a Wednesday two weeks or so ahead, at the demo practice's zone
	DAY=$(TZ=$NY date -d 'next wednesday +14 days' +%F)
	SENT="$BATS_TEST_TMPDIR/sent"
	SENDER="$BATS_TEST_TMPDIR/sender"
	make_sender "$SENDER"
	cd "$BATS_TEST_TMPDIR"
}

as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# A sender that appends "id channel recipient attempt" to $SENT and
# keeps each message in msg-ID (and its subject in subject-ID).
make_sender() {
	cat >"$1" <<EOF
#!/bin/sh
printf '%s %s %s %s\n' "\$PMS_REMINDER_ID" "\$PMS_CHANNEL" "\$PMS_RECIPIENT" \\
    "\$PMS_ATTEMPT" >>"$BATS_TEST_TMPDIR/sent"
cat >"$BATS_TEST_TMPDIR/msg-\$PMS_REMINDER_ID"
if [ -n "\$PMS_SUBJECT" ]; then
	printf '%s\n' "\$PMS_SUBJECT" >"$BATS_TEST_TMPDIR/subject-\$PMS_REMINDER_ID"
fi
EOF
	chmod +x "$1"
}

# The instant of a wall clock at a zone: utc ZONE "2026-12-16 10:00".
utc() {
	date -u -d "TZ=\"$1\" $2" +%FT%TZ
}

# Run a command as of a wall clock at a zone: when ZONE TIME cmd ...
when() {
	local z=$1 t=$2
	shift 2
	faketime "$(date -u -d "TZ=\"$z\" $t" '+%F %T UTC')" "$@"
}

# Book and print the new appointment's id.
book() {
	pms-schedule book "$@" -o csv | tail -n +2 | cut -d, -f1
}

# The day before $DAY, and so on: day -2
day() {
	date -d "$DAY $1 days" +%F
}

# The one-office practice of the real-world cases in zone $1, with the
# reminders section on standard input.
case_practice() {
	{ sed "s|ZONE|$1|g" "$FIX/case.yaml.in"; cat; } >"$BATS_TEST_TMPDIR/case.yaml"
	pms-admin config load "$BATS_TEST_TMPDIR/case.yaml" >/dev/null 2>&1
	pms-schedule hours set --provider dr-demo --days all --hours 00:00-24:00
	pms-schedule hours set --provider dr-other --days all --hours 00:00-24:00
}

# ---- usage and bad input -----------------------------------------------

@test "usage: no command, an unknown one, options that do not apply" {
	run -64 --separate-stderr pms-remind
	[[ $stderr == "usage: pms-remind "* ]]
	run -64 --separate-stderr pms-remind frobnicate
	assert_stderr 'unknown command "frobnicate"'
	run -64 --separate-stderr pms-remind send </dev/null
	assert_stderr 'send: --exec command is needed'
	run -64 --separate-stderr pms-remind due --exec true
	assert_stderr 'due: option "--exec" does not apply'
	run -64 --separate-stderr pms-remind due --channel fax
	assert_stderr '--channel: sms or email, not "fax"'
	run -64 --separate-stderr pms-remind due --within 2x
	assert_stderr '--within: not a duration'
	run -65 --separate-stderr pms-remind due --at tomorrow
	assert_stderr '--at: '
	run -64 --separate-stderr pms-remind optout 1
	assert_stderr 'optout: --channel sms or email is needed'
	run -64 --separate-stderr pms-remind optout 1 --phone 6175550101
	assert_stderr "optout: give a patient's id, --mrn or --phone"
	run -64 --separate-stderr pms-remind log --status gone
	assert_stderr '--status: sending, sent'
	run -64 --separate-stderr pms-remind send --exec nosuchsender </dev/null
	assert_stderr 'no command "nosuchsender" in the sender'"'"'s PATH (/usr/local/bin:/usr/bin:/bin)'
	run -64 --separate-stderr pms-remind send --exec ./missing </dev/null
	assert_stderr '"./missing" is not an executable file'
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
}

# ---- due ---------------------------------------------------------------

@test "due: the records, in both offices' zones and both languages, whatever TZ" {
	book --mrn MRN0001 --provider lee --location main --at "${DAY}T10:00" --type newpatient
	book --mrn MRN0002 --provider patel --location lakeside --at "${DAY}T10:00" --type followup
	at=$(utc $NY "$(day -2) 12:00")
	for tz in UTC Asia/Tokyo America/Los_Angeles; do
		TZ=$tz pms-remind due --at "$at" -o json >"due-${tz//\//-}.json"
	done
	diff -u due-UTC.json due-Asia-Tokyo.json
	diff -u due-UTC.json due-America-Los_Angeles.json
	run -0 cat due-UTC.json
	[ "${#lines[@]}" -eq 2 ]
	wd=$(date -d "$DAY" +%A) mo=$(date -d "$DAY" +%B) d=$(date -d "$DAY" +%-d)
	# 10:00 at the main office (New York), 48 hours before
	[[ ${lines[0]} == '{"reminder_id":"'????????????????'","appointment_id":1,"patient_id":1,"mrn":"MRN0001","rule":"two-days","channel":"sms","recipient":"+16175550101","start":"'"$DAY"'T10:00:00-05:00","location":"main","language":"en","due_at":"'"$(utc $NY "$(day -2) 10:00")"'","attempt":1,"subject":null,"text":"Hi Pat, a reminder of your visit with Ann Lee, MD on '"$wd, $mo $d"' at 10:00 AM, Riverside Main Office. Reply C to confirm, X to cancel."}' ]]
	# 10:00 at Lakeside (Chicago), in Spanish: an hour later in UTC
	[[ ${lines[1]} == *'"appointment_id":2,"patient_id":2,"mrn":"MRN0002","rule":"two-days","channel":"sms","recipient":"+16175550102","start":"'"$DAY"'T10:00:00-06:00","location":"lakeside","language":"es","due_at":"'"$(utc America/Chicago "$(day -2) 10:00")"'","attempt":1,'* ]]
	[[ ${lines[1]} == *'"text":"Hola Sam, le recordamos su cita con Priya Patel, NP el mi'*'rcoles '"$d"' de '* ]]
	[[ ${lines[1]} == *' a las 10:00, Riverside Lakeside Clinic. Responda C para confirmar, X para cancelar."}' ]]
	# due wrote nothing but its audit entry
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
	run -0 pms-sql "SELECT action, fields, (SELECT group_concat(patient_id)
	    FROM audit_patient p WHERE p.audit_id = a.id) FROM audit a
	    ORDER BY id DESC LIMIT 1"
	assert_output 'remind.due|reminder_id,appointment_id,patient_id,mrn,rule,channel,recipient,start,location,language,due_at,attempt,subject,text|1,2'
}

@test "due: nothing before a rule's time, for a cancelled or past appointment, or without consent" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	c=$(book --mrn MRN0003 --provider lee --at "${DAY}T12:00" --type followup)
	pms-schedule cancel "$b" >/dev/null
	# a minute before the 48 hours: nothing; at them: the first only
	run -0 pms-remind due --at "$(utc $NY "$(day -2) 09:59")" -o csv
	assert_output 'reminder_id,appointment_id,patient_id,mrn,rule,channel,recipient,start,location,language,due_at,attempt,subject,text'
	run -0 pms-remind due --at "$(utc $NY "$(day -2) 12:30")" -o csv
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *",$a,1,MRN0001,two-days,sms,"* ]]
	# once it has begun: nothing
	run -0 pms-remind due --at "$(utc $NY "$DAY 10:00")" -o csv
	[ "${#lines[@]}" -eq 1 ]
	# no consent (patient 3) is not due; send records it as skipped
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
}

@test "due: quiet hours defer an SMS to the morning, at the office's own clock" {
	# 48 hours before 22:30 is 22:30: quiet (20:00 to 08:00); it waits
	# for 08:00 the next morning, New York time
	book --mrn MRN0001 --provider lee --at "${DAY}T22:30" --type followup
	run -0 pms-remind due --at "$(utc $NY "$(day -2) 23:00")" -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 pms-remind due --at "$(utc $NY "$(day -1) 07:59")" -o csv
	[ "${#lines[@]}" -eq 1 ]
	for tz in UTC Asia/Tokyo; do
		run -0 env TZ=$tz pms-remind due --at "$(utc $NY "$(day -1) 08:00")" -o csv
		[ "${#lines[@]}" -eq 2 ]
		[[ ${lines[1]} == *",$(utc $NY "$(day -1) 08:00"),1,,"* ]]
	done
}

@test "due: quiet hours until after the appointment drop it: skipped, with why" {
	# a rule 10 hours before an appointment at 07:00: 21:00 the evening
	# before, in quiet hours until 08:00, after the appointment
	cat >>"$BATS_TEST_TMPDIR/rules.yaml" <<'EOF'
reminders:
  rules:
    - { name: ten-hours, before: 10h, channel: sms, template: reminder-sms }
EOF
	sed -n '1,/^reminders:/p' "$TOP/share/demo/practice.yaml" | sed '$d' >demo.yaml
	cat rules.yaml >>demo.yaml
	sed -n '/^templates:/,$p' "$TOP/share/demo/practice.yaml" >>demo.yaml
	pms-admin config load demo.yaml >/dev/null 2>&1
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T07:00" --type followup)
	run -0 pms-remind due --at "$(utc $NY "$(day -1) 21:30")" -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr when $NY "$(day -1) 21:30" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output --partial ",$a,ten-hours,sms,skipped,quiet hours until after the appointment,"
	assert_stderr 'send: 0 sent, 0 failed, 1 skipped, 0 stale, 0 unknown'
	[ ! -e "$SENT" ]
	run -0 pms-sql "SELECT appointment_id, rule, status, reason FROM reminders"
	assert_output "$a|ten-hours|skipped|quiet hours until after the appointment"
	# and never again
	run -0 --separate-stderr when $NY "$DAY 06:00" pms-remind send --exec "$SENDER" </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
}

@test "due: the working day before at 10:00: Friday for a Monday, Thursday when Friday is closed" {
	mon=$(date -d "$DAY +5 days" +%F)	# DAY is a Wednesday
	fri=$(date -d "$DAY +2 days" +%F) thu=$(date -d "$DAY +1 days" +%F)
	sat=$(date -d "$DAY +3 days" +%F)
	a=$(book --mrn MRN0001 --provider lee --at "${mon}T09:00" --type newpatient)
	run -0 pms-remind due --channel email --at "$(utc $NY "$fri 09:59")" -o json
	assert_output ''
	run -0 pms-remind due --channel email --at "$(utc $NY "$fri 10:00")" -o json
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *'"appointment_id":'$a',"patient_id":1,"mrn":"MRN0001","rule":"day-before","channel":"email","recipient":"pat.zztest@example.com","start":"'$mon'T09:00:00-05:00","location":"main","language":"en","due_at":"'$(utc $NY "$fri 10:00")'","attempt":1,"subject":"Your visit on Monday, '* ]]
	[[ $output == *'"text":"Dear Pat,\n\nThis is a reminder of your visit with Ann Lee, MD on Monday, '*' at\n9:00 AM, at Riverside Main Office, 12 Main Street, Suite 4, Springfield, OH 45502-1234.\n'* ]]
	# the whole office closed on Friday: Thursday
	pms-schedule off add --location main --from "${fri}T00:00" --to "${sat}T00:00" --reason holiday >/dev/null
	run -0 pms-remind due --channel email --at "$(utc $NY "$thu 09:59")" -o json
	assert_output ''
	run -0 pms-remind due --channel email --at "$(utc $NY "$thu 10:00")" -o json
	[[ $output == *'"due_at":"'$(utc $NY "$thu 10:00")'"'* ]]
	# one clinician's day off is no holiday of the office
	pms-schedule off remove 1
	pms-schedule off add --provider ortiz --from "${fri}T00:00" --to "${sat}T00:00" >/dev/null
	run -0 pms-remind due --channel email --at "$(utc $NY "$thu 10:00")" -o json
	assert_output ''
}


# ---- send ----------------------------------------------------------------

@test "send: each due reminder once, into the sender; the appointment unchanged" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:15" --type followup)
	c=$(book --mrn MRN0003 --provider lee --at "${DAY}T14:30" --type followup)
	before=$(pms-sql "SELECT * FROM appointments ORDER BY id")
	hist=$(pms-sql "SELECT count(*) FROM appointment_history")
	run -0 --separate-stderr when $NY "$(day -2) 15:00" \
	    pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_stderr 'pms-remind: send: 2 sent, 0 failed, 1 skipped, 0 stale, 0 unknown'
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	idb=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $b")
	idc=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $c")
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$ida,$a,two-days,sms,sent,,1
$idb,$b,two-days,sms,sent,,1
$idc,$c,two-days,sms,skipped,no consent,"
	run -0 cat "$SENT"
	assert_output "$ida sms +16175550101 1
$idb sms +16175550102 1"
	[[ $(cat "msg-$ida") == "Hi Pat, a reminder of your visit with Ann Lee, MD on "*" at 10:00 AM, Riverside Main Office. Reply C to confirm, X to cancel." ]]
	[[ $(cat "msg-$idb") == "Hola Sam, "*" a las 11:15, Riverside Main Office. "* ]]
	# a second and third run: nothing more
	run -0 --separate-stderr when $NY "$(day -2) 15:05" \
	    pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output 'reminder_id,appointment_id,rule,channel,status,reason,attempt'
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	when $NY "$(day -1) 09:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	[ "$(wc -l <"$SENT")" -eq 2 ]
	run -0 pms-sql "SELECT appointment_id, status, attempts, reason IS NULL,
	    sent_at IS NOT NULL, coalesce(claimed_by, '') FROM reminders ORDER BY id"
	assert_output "$a|sent|1|1|1|admin
$b|sent|1|1|1|admin
$c|skipped|0|0|0|"
	# neither due nor send changed an appointment
	[ "$(pms-sql "SELECT * FROM appointments ORDER BY id")" = "$before" ]
	[ "$(pms-sql "SELECT count(*) FROM appointment_history")" = "$hist" ]
	run -0 pms-sql "SELECT action, fields, group_concat(p.patient_id) FROM
	    audit a JOIN audit_patient p ON p.audit_id = a.id WHERE action =
	    'remind.send' GROUP BY a.id ORDER BY a.id"
	assert_output 'remind.send|status,recipient,text|1
remind.send|status,recipient,text|2
remind.send|status,reason|3'
}

@test "send: the sender's world: a clean environment, no descriptors, default signals, its group" {
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type newpatient
	cat >probe <<EOF
#!/bin/sh
out=$BATS_TEST_TMPDIR/probe-\$PMS_CHANNEL
# its own signal mask, read without a child (a shell blocks all signals
# while it starts one)
while IFS= read -r l; do
	case \$l in Sig[BI][lg][kn]:*) echo "\$l" ;; esac
done </proc/\$\$/status >"\$out.sig"
# what a program it runs has open: 0 to 2, and ls's own directory
ls /proc/self/fd >"\$out.fd"
env | grep -v '^PWD=' | sort >"\$out.env"
cut -d' ' -f5 /proc/\$\$/stat >"\$out.pgid"
echo \$\$ >"\$out.pid"
cat >"\$out.msg"
echo "to stdout"
echo "to stderr" >&2
EOF
	chmod +x probe
	# descriptors of our own, left open on purpose: none may reach it
	exec 7>"$BATS_TEST_TMPDIR/fd7" 8<"$BATS_TEST_TMPDIR/probe"
	# and signals ignored (as pms itself ignores SIGPIPE): none may stay so
	run -0 --separate-stderr when $NY "$(day -1) 10:00" bash -c \
	    'trap "" HUP INT USR1 USR2 TERM; exec "$@"' - env FOO=secret \
	    TZ=Asia/Tokyo pms-remind send --exec "$BATS_TEST_TMPDIR/probe" \
	    -o csv </dev/null
	exec 7>&- 8<&-
	# its standard output and error are send's standard error
	[[ $stderr == *'to stdout'*'to stderr'*'to stdout'*'to stderr'* ]]
	[[ $output != *'to std'* ]]
	for ch in sms email; do
		run -0 cat "probe-$ch.env"
		id=$(pms-sql "SELECT reminder_id FROM reminders WHERE channel = '$ch'")
		want="HOME=$(getent passwd "$(id -u)" | cut -d: -f6)
LANG=C.UTF-8
PATH=/usr/local/bin:/usr/bin:/bin
PMS_ATTEMPT=1
PMS_CHANNEL=$ch"
		if [ $ch = sms ]; then
			want+=$'\nPMS_RECIPIENT=+16175550101'
		else
			want+=$'\nPMS_RECIPIENT=pat.zztest@example.com'
		fi
		want+=$'\nPMS_REMINDER_ID='$id
		if [ $ch = email ]; then
			want+=$'\nPMS_SUBJECT=Your visit on '"$(date -d "$DAY" '+%A, %B %-d')"
		fi
		assert_output "$want"
		run -0 cat "probe-$ch.fd"
		assert_output $'0\n1\n2\n3'
		run -0 cat "probe-$ch.sig"
		assert_output $'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000'
		[ "$(cat "probe-$ch.pgid")" = "$(cat "probe-$ch.pid")" ]
	done
	[[ $(cat probe-email.msg) == "Dear Pat,"*"Riverside Family Medicine" ]]
	# with a sender PATH of the configuration, after the safe one
	sed 's|^  retry: .*|&\n  sender_path: [/opt/pms/bin]|' \
	    "$TOP/share/demo/practice.yaml" >demo.yaml
	pms-admin config load demo.yaml >/dev/null 2>&1
	book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup
	run -0 --separate-stderr when $NY "$(day -1) 10:00" pms-remind send \
	    --exec "sh -c 'echo \$PATH >$BATS_TEST_TMPDIR/path'" </dev/null
	run -0 cat path
	assert_output '/usr/local/bin:/usr/bin:/bin:/opt/pms/bin'
}

@test "send: a moved appointment is reminded again for its new time; a cancelled one never" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	when $NY "$(day -2) 10:30" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	[ "$(wc -l <"$SENT")" -eq 1 ]
	first=$(pms-sql "SELECT reminder_id FROM reminders")
	pms-schedule move "$a" --at "${DAY}T16:00" >/dev/null
	run -0 --separate-stderr when $NY "$(day -2) 16:30" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_stderr 'send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	second=$(pms-sql "SELECT reminder_id FROM reminders WHERE reminder_id <> '$first'")
	[ -n "$second" ]
	[[ $(cat "msg-$second") == *' at 4:00 PM, '* ]]
	run -0 pms-sql "SELECT appointment_id, start_utc, status FROM reminders ORDER BY id"
	assert_output "$a|$(date -d "$(utc $NY "$DAY 10:00")" +%s)|sent
$a|$(date -d "$(utc $NY "$DAY 16:00")" +%s)|sent"
	# moved back: its old reminder went already
	pms-schedule move "$a" --at "${DAY}T10:00" >/dev/null
	run -0 --separate-stderr when $NY "$(day -1) 09:00" pms-remind send --exec "$SENDER" </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T12:00" --type followup)
	pms-schedule cancel "$b" >/dev/null
	run -0 --separate-stderr when $NY "$(day -1) 09:00" pms-remind send --exec "$SENDER" </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	[ "$(wc -l <"$SENT")" -eq 2 ]
}

@test "send: two runs at once (cron overlapping) send each reminder exactly once" {
	local i
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
		book --mrn MRN000$((i % 2 + 1)) --provider lee \
		    --at "${DAY}T$(printf %02d $((8 + i))):00" --type followup --force
	done
	# a slow sender, so that the two runs overlap all along
	cat >slow <<EOF
#!/bin/sh
sleep 0.1
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/once
EOF
	chmod +x slow
	t="$(day -1) 08:30"
	when $NY "$t" pms-remind send --exec ./slow -o csv </dev/null >run1 2>err1 &
	p1=$!
	when $NY "$t" pms-remind send --exec ./slow -o csv </dev/null >run2 2>err2 &
	p2=$!
	wait $p1
	wait $p2
	[ "$(wc -l <once)" -eq 12 ]
	[ "$(sort -u once | wc -l)" -eq 12 ]
	# each run says what it did; together: 12 sent
	n1=$(grep -c ',sent,' run1 || true) n2=$(grep -c ',sent,' run2 || true)
	[ $((n1 + n2)) -eq 12 ]
	run -0 pms-sql "SELECT count(*), count(DISTINCT reminder_id), sum(attempts) FROM reminders WHERE status = 'sent'"
	assert_output '12|12|12'
	# a third run later: nothing
	run -0 --separate-stderr when $NY "$(day -1) 09:00" pms-remind send --exec ./slow </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	[ "$(wc -l <once)" -eq 12 ]
}

@test "send: a sender that hangs is killed at the timeout, its whole group, and counts as failed" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	# a shell that waits on a child that ignores SIGTERM: both go
	cat >hang <<EOF
#!/bin/sh
echo \$\$ >$BATS_TEST_TMPDIR/hang.pid
sh -c 'trap "" TERM; echo \$\$ >$BATS_TEST_TMPDIR/child.pid; exec sleep 300' &
wait
EOF
	chmod +x hang
	run -0 --separate-stderr when $NY "$(day -2) 10:30" pms-remind send \
	    --exec ./hang --timeout 1s -o csv </dev/null
	id=$(pms-sql "SELECT reminder_id FROM reminders")
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$id,$a,two-days,sms,failed,timed out after 1 s; killed,1"
	assert_stderr 'send: 0 sent, 1 failed, 0 skipped, 0 stale, 0 unknown'
	# nothing of it is left running
	! kill -0 "$(cat hang.pid)" 2>/dev/null
	! kill -0 "$(cat child.pid)" 2>/dev/null
	run -0 pms-sql "SELECT status, attempts, reason, next_utc - strftime('%s', updated_at) FROM reminders"
	assert_output 'failed|1|timed out after 1 s; killed|900'
}

@test "send: a failed sender is tried again after the backoff, doubling, up to max_attempts" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	cat >flaky <<EOF
#!/bin/sh
echo "\$PMS_REMINDER_ID \$PMS_ATTEMPT" >>$BATS_TEST_TMPDIR/tries
exit 3
EOF
	chmod +x flaky
	t0="$(day -2) 10:30"
	run -0 --separate-stderr when $NY "$t0" pms-remind send --exec ./flaky -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,failed,exit status 3,1"
	# within the 15 minutes: nothing; after them: again, attempt 2,
	# the same reminder id (a gateway can drop duplicates by it)
	run -0 --separate-stderr when $NY "$(day -2) 10:40" pms-remind send --exec ./flaky -o csv </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 --separate-stderr when $NY "$(day -2) 10:46" pms-remind send --exec ./flaky -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,failed,exit status 3,2"
	# then 30 minutes: not at 11:10, at 11:17; the third and last
	run -0 --separate-stderr when $NY "$(day -2) 11:10" pms-remind send --exec ./flaky </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 --separate-stderr when $NY "$(day -2) 11:17" pms-remind send --exec ./flaky -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,failed,exit status 3; no attempts left,3"
	run -0 --separate-stderr when $NY "$(day -1) 11:00" pms-remind send --exec ./flaky </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	id=$(pms-sql "SELECT reminder_id FROM reminders")
	run -0 cat tries
	assert_output "$id 1
$id 2
$id 3"
	run -0 pms-remind log -o csv
	assert_output --partial "$id,$a,1,MRN0001,two-days,sms,failed,exit status 3; no attempts left,3,${DAY}T10:00:00-05:00,"
}

@test "send: pms dying after the sender succeeded leaves the reminder unknown, never sent again" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	# the sender "sends", then kills pms-remind before it can record it
	cat >crash <<EOF
#!/bin/sh
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/sent-once
kill -KILL \$PPID
EOF
	chmod +x crash
	run ! when $NY "$(day -2) 10:30" pms-remind send --exec ./crash --timeout 5s </dev/null
	id=$(pms-sql "SELECT reminder_id FROM reminders")
	run -0 pms-sql "SELECT status, attempts FROM reminders"
	assert_output 'sending|1'
	# the log sees it unknown once its sender's time is up; the next run
	# records it so, and sends nothing
	run -0 when $NY "$(day -2) 10:45" pms-remind log -o csv
	assert_output --partial "$id,$a,1,MRN0001,two-days,sms,unknown,claimed; the sender's end was never recorded,1,"
	run -0 --separate-stderr when $NY "$(day -2) 10:45" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$id,$a,two-days,sms,unknown,claimed; the sender's end was never recorded,1"
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 1 unknown'
	run -0 --separate-stderr when $NY "$(day -1) 10:45" pms-remind send --exec "$SENDER" </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	[ ! -e "$SENT" ]
	[ "$(wc -l <sent-once)" -eq 1 ]
	run -0 pms-sql "SELECT status FROM reminders"
	assert_output unknown
	# the gateway may say it went after all
	printf 'reminder_id,outcome\n%s,delivered\n' "$id" >outcome.csv
	run -0 pms-remind mark outcome.csv -o csv
	run -0 pms-sql "SELECT status, delivered_at IS NOT NULL FROM reminders"
	assert_output 'delivered|1'
}

@test "send: under a key file (cron) nothing is cached; the sender's keyring finds no key" {
	pms-admin keyfile create bot --role reminder-bot --out "$BATS_TEST_TMPDIR/bot.key" >/dev/null 2>&1
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup
	# the names this store's keys would have in the keyring
	fid=$(pms-admin status | awk '/^file id:/ { print $3 }')
	[ -n "$fid" ]
	cat >keyprobe <<EOF
#!/bin/sh
{
	keyctl show @s
	keyctl show @u
	grep "pms:v1:$fid:" /proc/keys
	for slot in 1 2 3 4 5 6; do
		keyctl search @s user "pms:v1:$fid:\$slot"
		keyctl search @u user "pms:v1:$fid:\$slot"
	done
} >$BATS_TEST_TMPDIR/keys-\$PMS_ATTEMPT 2>&1
exit 0
EOF
	chmod +x keyprobe
	keyctl clear @s
	ours=$(keyctl show @s | sed -n 2p | awk '{ print $1 }')
	run -0 --separate-stderr when $NY "$(day -2) 10:30" env \
	    -u PMS_PASSPHRASE_FILE PMS_USER=bot \
	    PMS_KEYFILE="$BATS_TEST_TMPDIR/bot.key" \
	    pms-remind send --exec ./keyprobe -o csv </dev/null
	assert_stderr 'send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	[[ $stderr != *cached* ]]
	# nothing of this store was cached by the run
	[ -z "$(grep "pms:v1:$fid:" /proc/keys)" ]
	run -0 cat keys-1
	[[ $output != *"pms:v1:$fid"* ]]
	[[ $output == *'Keyring'*'_ses'* ]]
	# a session keyring of its own, not ours
	[[ $output != *" $ours "* ]]
	[ "$(grep -c 'Required key not available' keys-1)" -eq 12 ]
	run -0 pms-sql "SELECT claimed_by FROM reminders"
	assert_output bot
}

@test "send: after pms-admin unlock, send warns that a sender could reach the cached key" {
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup
	pms-admin unlock 2>/dev/null
	fid=$(pms-admin status | awk '/^file id:/ { print $3 }')
	grep -o "pms:v1:$fid:[0-9]*" /proc/keys | head -n 1 >keyname
	[ -s keyname ]
	cat >keyprobe <<EOF
#!/bin/sh
{
	keyctl show @s
	keyctl search @s user "\$(cat $BATS_TEST_TMPDIR/keyname)"
	keyctl search @u user "\$(cat $BATS_TEST_TMPDIR/keyname)"
	id=\$(grep "\$(cat $BATS_TEST_TMPDIR/keyname)" /proc/keys | cut -d' ' -f1)
	keyctl print 0x\$id
} >$BATS_TEST_TMPDIR/keys 2>&1
EOF
	chmod +x keyprobe
	run -0 --separate-stderr when $NY "$(day -2) 10:30" env \
	    -u PMS_PASSPHRASE_FILE pms-remind send --exec ./keyprobe -o csv \
	    </dev/null
	assert_stderr 'pms-remind: warning: a key of this store is cached in the kernel keyring: the sender runs as the same user and could reach it (see pms(7)); run send with a key file (cron), or pms-admin lock first'
	# here (a session keyring of our own) the sender's fresh one cannot
	# find it, nor read it
	run -0 cat keys
	[ "$(grep -c 'Required key not available' keys)" -eq 2 ]
	[[ $output == *'Permission denied'* ]]
	pms-admin lock 2>/dev/null
}

@test "send: reads due records on stdin, and checks each again against the store" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	c=$(book --mrn MRN0001 --provider lee --at "${DAY}T12:00" --type followup)
	d=$(book --mrn MRN0002 --provider lee --at "${DAY}T13:00" --type followup)
	t="$(day -2) 14:00"
	pms-remind due --at "$(utc $NY "$t")" -o json >due.json
	[ "$(wc -l <due.json)" -eq 4 ]
	# since due ran: a cancelled, b moved, d's patient opted out
	pms-schedule cancel "$a" >/dev/null
	pms-schedule move "$b" --at "${DAY}T15:00" >/dev/null
	pms-remind optout 2 --channel sms 2>/dev/null
	# a filter between: all but nothing of c... all four go through
	grep -v '"appointment_id":999' due.json >picked.json
	run -0 --separate-stderr when $NY "$t" pms-remind send --exec "$SENDER" \
	    -o csv <picked.json
	ida=$(grep -o '"reminder_id":"[0-9a-f]*","appointment_id":'$a due.json | cut -d'"' -f4)
	idb=$(grep -o '"reminder_id":"[0-9a-f]*","appointment_id":'$b due.json | cut -d'"' -f4)
	idc=$(grep -o '"reminder_id":"[0-9a-f]*","appointment_id":'$c due.json | cut -d'"' -f4)
	idd=$(grep -o '"reminder_id":"[0-9a-f]*","appointment_id":'$d due.json | cut -d'"' -f4)
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$ida,$a,two-days,sms,stale,the appointment is no longer booked,
$idb,$b,two-days,sms,stale,the appointment moved,
$idc,$c,two-days,sms,sent,,1
$idd,$d,two-days,sms,skipped,opted out,"
	assert_stderr 'send: 1 sent, 0 failed, 1 skipped, 2 stale, 0 unknown'
	run -0 cat "$SENT"
	assert_output "$idc sms +16175550101 1"
	# a filter that keeps nothing sends nothing (it never looks for itself)
	: >none.json
	run -0 --separate-stderr when $NY "$t" pms-remind send --exec "$SENDER" <none.json
	assert_stderr 'send: no due records on standard input, so nothing to send (to send what is due, give it a terminal or /dev/null: under cron, </dev/null)'
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	# the same record again: claimed already
	grep "\"appointment_id\":$c," due.json >again.json
	run -0 --separate-stderr when $NY "$t" pms-remind send --exec "$SENDER" -o csv <again.json
	assert_output --partial "$idc,$c,two-days,sms,stale,claimed already,"
	[ "$(wc -l <"$SENT")" -eq 1 ]
}

@test "send: bad due records on stdin are refused (65) and nothing is sent" {
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup
	printf '%s\n' '{"reminder_id":"zz","appointment_id":1,"rule":"two-days"}' \
	    '{"appointment_id":1,"rule":"two-days"}' \
	    '{"reminder_id":"0123456789abcdef","appointment_id":"x","rule":"two-days"}' \
	    '{"reminder_id":"0123456789abcdef","appointment_id":1}' \
	    'not json' >bad.json
	run -65 --separate-stderr when $NY "$(day -2) 10:30" pms-remind send --exec "$SENDER" <bad.json
	assert_stderr 'line 1: reminder_id: not a reminder id (16 hex digits)'
	assert_stderr 'line 2: reminder_id: missing'
	assert_stderr 'line 3: appointment_id: '
	assert_stderr 'line 4: rule: missing'
	assert_stderr 'line 5: '
	assert_stderr 'send: 5 bad records on standard input; nothing was sent'
	[ ! -e "$SENT" ]
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
	# a reminder id that names no reminder of that appointment and rule
	printf '%s\n' '{"reminder_id":"0123456789abcdef","appointment_id":1,"rule":"two-days"}' \
	    '{"reminder_id":"0123456789abcdef","appointment_id":1,"rule":"no-such-rule"}' \
	    '{"reminder_id":"0123456789abcdef","appointment_id":99,"rule":"two-days"}' >odd.json
	run -0 --separate-stderr when $NY "$(day -2) 10:30" pms-remind send --exec "$SENDER" -o csv <odd.json
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
0123456789abcdef,1,two-days,sms,stale,not a reminder of this appointment at its start,
0123456789abcdef,1,no-such-rule,,stale,no such rule,
0123456789abcdef,99,two-days,sms,stale,no such appointment,"
	[ ! -e "$SENT" ]
}

@test "send: --dry-run claims nothing, runs nothing; --channel sends one channel" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type newpatient)
	run -0 --separate-stderr when $NY "$(day -1) 10:30" pms-remind send --exec "$SENDER" --dry-run -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,due,,1"
	assert_output --partial ",$a,day-before,email,due,,1"
	assert_stderr 'send: --dry-run: 2 due, 0 to skip, 0 stale; nothing was claimed or sent'
	[ ! -e "$SENT" ]
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
	run -0 --separate-stderr when $NY "$(day -1) 10:30" pms-remind send --exec "$SENDER" --channel email </dev/null
	assert_stderr 'send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 cut -d' ' -f2,3 "$SENT"
	assert_output 'email pat.zztest@example.com'
	[[ $(cat subject-*) == "Your visit on "* ]]
}

# ---- the real-world cases ------------------------------------------------

@test "B06: one email and one SMS across hourly runs, two at once, one channel at a time" {
	case_practice $NY <<'EOF'
reminders:
  rules:
    - { name: same-day-sms, same_day_at: "08:00", channel: sms, template: reminder-sms }
    - { name: same-day-email, same_day_at: "08:00", channel: email, template: reminder-email }
EOF
	a=$(book --mrn MRN0001 --provider dr-demo --at 2025-06-02T15:00 --type visit --allow-past)
	before=$(pms-sql "SELECT * FROM appointments")
	cron() { when $NY "2025-06-02 $1" pms-remind send --exec "$SENDER" "${@:2}" </dev/null 2>>runs.err; }
	cron 07:59
	[ ! -e "$SENT" ]
	cron 08:00 --channel email
	cron 09:00 --channel sms
	cron 10:00
	cron 11:00 & p1=$!
	cron 11:00 & p2=$!
	wait $p1 $p2
	cron 11:30 --channel email
	cron 11:30 --channel sms
	[ "$(wc -l <"$SENT")" -eq 2 ]
	run -0 cut -d' ' -f2,3 "$SENT"
	assert_output $'email pat.zztest@example.com\nsms +16175550101'
	run -0 pms-sql "SELECT rule, channel, status, start_utc FROM reminders ORDER BY id"
	start=$(date -d "$(utc $NY '2025-06-02 15:00')" +%s)
	assert_output "same-day-email|email|sent|$start
same-day-sms|sms|sent|$start"
	# the runs never changed the appointment
	[ "$(pms-sql "SELECT * FROM appointments")" = "$before" ]
	# moved to 16:00: reminded again, for its new time, once a channel
	pms-schedule move "$a" --at 2025-06-02T16:00 --allow-past >/dev/null
	when $NY "2025-06-02 12:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	when $NY "2025-06-02 13:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	[ "$(wc -l <"$SENT")" -eq 4 ]
	run -0 pms-sql "SELECT count(*), count(DISTINCT start_utc) FROM reminders"
	assert_output '4|2'
	[[ $(cat msg-"$(grep ' sms ' "$SENT" | tail -n 1 | cut -d' ' -f1)") == *' at 4:00 PM, '* ]]
}

@test "B08: the clinic's hour and zone in the message (Brussels), whatever TZ, booked or imported" {
	case_practice Europe/Brussels <<'EOF'
reminders:
  rules:
    - { name: day-ahead, before: 24h, channel: sms, template: b08 }
templates:
  - name: b08
    channel: sms
    body: "Hi {first_name}: your visit on {date} at {time} {zone} at {location}."
EOF
	book --mrn MRN0001 --provider dr-demo --at 2025-03-20T10:30 --type visit --allow-past
	book --mrn MRN0001 --provider dr-demo --at 2025-04-01T10:30 --type visit --allow-past
	pms-schedule import "$FIX/b08-import.csv" 2>/dev/null
	run -0 pms-sql "SELECT group_concat(local_start || '=' || datetime(start_utc, 'unixepoch'), ' ') FROM appointments ORDER BY id"
	assert_output '2025-03-20T10:30:00+01:00=2025-03-20 09:30:00 2025-04-01T10:30:00+02:00=2025-04-01 08:30:00 2025-03-20T10:30:00+01:00=2025-03-20 09:30:00 2025-04-01T10:30:00+02:00=2025-04-01 08:30:00'
	for tz in UTC Asia/Tokyo; do
		TZ=$tz pms-remind due --at 2025-03-19T12:00:00Z -o csv >mar-${tz//\//-}.csv
		TZ=$tz pms-remind due --at 2025-03-31T12:00:00Z -o csv >apr-${tz//\//-}.csv
	done
	diff -u mar-UTC.csv mar-Asia-Tokyo.csv
	diff -u apr-UTC.csv apr-Asia-Tokyo.csv
	run -0 cut -d, -f14- mar-UTC.csv
	assert_output 'text
"Hi Pat: your visit on Thursday, March 20 at 10:30 AM CET at Demo Clinic."
"Hi Sam: your visit on Thursday, March 20 at 10:30 AM CET at Demo Clinic."'
	run -0 cut -d, -f14- apr-UTC.csv
	assert_output 'text
"Hi Pat: your visit on Tuesday, April 1 at 10:30 AM CEST at Demo Clinic."
"Hi Sam: your visit on Tuesday, April 1 at 10:30 AM CEST at Demo Clinic."'
	cut -d, -f14- mar-UTC.csv apr-UTC.csv >texts
	! grep -E '09:30|08:30|9:30|8:30|UTC' texts
	# in Spanish, with a 24-hour clock
	cat >>case.yaml <<'EOF'
  - { name: b08, language: es, channel: sms, body: "Hola {first_name}: su cita el {date} a las {time} {zone}." }
EOF
	pms-admin config load case.yaml >/dev/null 2>&1
	pms-patient update 1 --language es >/dev/null 2>&1
	run -0 pms-remind due --at 2025-03-31T12:00:00Z -o csv
	assert_output --partial ',es,2025-03-31T08:30:00Z,1,,Hola Pat: su cita el martes 1 de abril a las 10:30 CEST.'
}

@test "B09: STOP MRN stops one child of a shared number; a plain stop the whole number" {
	pms-patient add --mrn MRN0005 --last-name Sample --first-name Sam --dob 2015-05-05 \
	    --mobile-phone '617 555 0100' --sms-consent yes >/dev/null
	pms-patient add --mrn MRN0006 --last-name Sample --first-name Jo --dob 2017-06-06 \
	    --mobile-phone '617 555 0100' --sms-consent yes >/dev/null
	pms-patient add --mrn MRN0007 --last-name Zztest --first-name Al --dob 1980-07-07 \
	    --mobile-phone '617 555 0107' --sms-consent no --email al.zztest@example.com \
	    --email-consent yes >/dev/null
	a5=$(book --mrn MRN0005 --provider lee --at "${DAY}T10:00" --type followup)
	a6=$(book --mrn MRN0006 --provider lee --at "${DAY}T10:20" --type followup)
	a7=$(book --mrn MRN0007 --provider lee --at "${DAY}T11:00" --type newpatient)
	# scenario 1: STOP MRN0005 from the family's number
	printf 'from,reply\n+16175550100,STOP MRN0005\n' >stop1.csv
	run -0 --separate-stderr pms-remind mark stop1.csv -o json
	assert_output '{"line":2,"reminder_id":null,"appointment_id":null,"patient_id":4,"from":"+16175550100","result":"opted-out","response":"You will get no more reminders from Riverside Family Medicine. Reply START to get them again."}'
	assert_stderr 'mark: 1 record: 1 applied, 0 bad, 0 refused'
	run -0 --separate-stderr when $NY "$(day -1) 10:30" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_stderr 'send: 2 sent, 0 failed, 2 skipped, 0 stale, 0 unknown'
	refute_phi "$stderr$output"
	[[ "$stderr$output" != *5550100* && "$stderr$output" != *al.zztest* ]]
	run -0 cut -d' ' -f2,3 "$SENT"
	assert_output $'sms +16175550100\nemail al.zztest@example.com'
	[[ $(cat msg-"$(head -n 1 "$SENT" | cut -d' ' -f1)") == 'Hi Jo, '* ]]
	# each skip logged with its appointment, no number in the log
	run -0 pms-remind log --status skipped -o csv
	assert_output --partial ",$a5,4,MRN0005,two-days,sms,skipped,opted out,0,"
	assert_output --partial ",$a7,6,MRN0007,two-days,sms,skipped,no consent,0,"
	[[ $output != *5550100* ]]
	# scenario 2: a plain "stop", any case: nobody at that number
	printf 'from,reply\n(617) 555-0100,  stop \n' >stop2.csv
	run -0 pms-remind mark stop2.csv -o csv
	a6b=$(book --mrn MRN0006 --provider lee --at "$(day 1)T10:20" --type followup)
	run -0 --separate-stderr when $NY "$DAY 10:30" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output --partial ",$a6b,two-days,sms,skipped,opted out,"
	[ "$(wc -l <"$SENT")" -eq 2 ]
	# only an explicit opt-in (START, or the desk's optin) undoes it
	printf 'from,reply\n+16175550100,START\n' >start.csv
	run -0 pms-remind mark start.csv -o csv
	assert_output --partial ',opted-in,You will get reminders from Riverside Family Medicine again.'
	run -0 --separate-stderr when $NY "$DAY 10:40" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output --partial ",$a6b,two-days,sms,sent,,1"
	run -0 pms-sql "SELECT coalesce(patient_id, ''), coalesce(address, ''), source, ended_at IS NOT NULL, coalesce(end_source, '') FROM reminder_optouts ORDER BY id"
	assert_output '4||reply|1|reply
|+16175550100|reply|1|reply'
}

@test "B29: each message from the untouched template; send prints and logs ids and counts only" {
	case_practice $NY <<'EOF'
reminders:
  rules:
    - { name: day-ahead, before: 24h, channel: sms, template: b29 }
templates:
  - name: b29
    channel: sms
    body: "Hi {first_name}, reminder: {date} {time} at Demo Clinic."
EOF
	pms-patient add --mrn B29-1 --last-name Example --first-name Pat --dob 1980-01-01 \
	    --mobile-phone '617 555 0121' --sms-consent yes >/dev/null
	pms-patient add --mrn B29-2 --last-name Sample --first-name Sam --dob 1981-01-01 \
	    --mobile-phone '617 555 0122' --sms-consent yes >/dev/null
	pms-patient add --mrn B29-3 --last-name Demo --first-name Jo --dob 1982-01-01 \
	    --mobile-phone '617 555 0123' --sms-consent yes >/dev/null
	cfg=$(pms-admin config dump)
	book --mrn B29-1 --provider dr-demo --at "${DAY}T10:00" --type visit
	book --mrn B29-2 --provider dr-demo --at "${DAY}T11:15" --type visit
	book --mrn B29-3 --provider dr-demo --at "${DAY}T14:30" --type visit
	run -0 --separate-stderr when $NY "$(day -1) 15:00" pms-remind send --exec "$SENDER" -o csv </dev/null
	out=$output err=$stderr
	when $NY "$(day -1) 15:00" pms-remind log -o csv >log.csv
	d=$(date -d "$DAY" '+%A, %B %-d')
	for n in "Pat 10:00 AM 0121" "Sam 11:15 AM 0122" "Jo 2:30 PM 0123"; do
		set -- $n
		id=$(grep " +1617555$4 " "$SENT" | cut -d' ' -f1)
		[ "$(cat "msg-$id")" = "Hi $1, reminder: $d $2 $3 at Demo Clinic." ]
	done
	# nothing of a patient in what send said, nor in the log
	for s in "$out" "$err" "$(cat log.csv)"; do
		for w in Pat Sam Jo Example Sample Demo\ C 0121 0122 0123 B29-; do
			[[ $s != *"$w"* ]] || [ "$w" = B29- ] ||
			    fail "\"$w\" in what send printed or logged"
		done
		refute_phi "$s"
	done
	[[ $err == *'send: 3 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'* ]]
	# the template is as it was, and a fourth renders as the first did
	[ "$(pms-admin config dump)" = "$cfg" ]
	book --mrn MRN0001 --provider dr-other --at "${DAY}T16:00" --type visit
	run -0 pms-remind due --at "$(utc $NY "$(day -1) 16:30")" -o json
	assert_output --partial '"text":"Hi Pat, reminder: '"$d"' 4:00 PM at Demo Clinic."}'
}

# ---- replies and outcomes ----------------------------------------------

@test "mark: C confirms, X cancels by the patient, through the schedule's own calls" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	when $NY "$(day -2) 12:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	idb=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $b")
	printf 'from,reply\n617-555-0101,c\n' >c.csv
	run -0 --separate-stderr when $NY "$(day -2) 12:10" pms-remind mark c.csv -o json
	assert_output '{"line":2,"reminder_id":null,"appointment_id":'$a',"patient_id":1,"from":"+16175550101","result":"confirmed","response":"Thank you: your visit is confirmed."}'
	printf '{"reminder_id":"%s","reply":"X"}\n' "$idb" >x.json
	run -0 --separate-stderr when $NY "$(day -2) 12:10" pms-remind mark x.json -o json
	assert_output '{"line":1,"reminder_id":"'$idb'","appointment_id":'$b',"patient_id":2,"from":null,"result":"cancelled","response":"Su cita está cancelada. Llámenos para pedir otra: +1 937 555 0100."}'
	run -0 pms-sql "SELECT id, status, confirmed_at IS NOT NULL, coalesce(cancelled_by, ''), late_cancel, coalesce(cancel_reason, '') FROM appointments ORDER BY id"
	assert_output "$a|booked|1||0|
$b|cancelled|0|patient|0|patient by reminder reply"
	run -0 pms-sql "SELECT appointment_id, action, field, coalesce(to_value, '') FROM appointment_history WHERE action <> 'book' ORDER BY id"
	assert_output "$a|confirm|confirmed_at|$(pms-sql "SELECT confirmed_at FROM appointments WHERE id = $a")
$b|cancel|status|cancelled
$b|cancel|cancelled_by|patient
$b|cancel|cancel_reason|patient by reminder reply"
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action = 'remind.mark' ORDER BY id"
	assert_output 'remind.mark|confirmed_at
remind.mark|status,cancelled_by,late_cancel,cancel_reason'
	# a cancelled appointment cannot be confirmed: refused, said why
	printf '{"reminder_id":"%s","reply":"C"}\n' "$idb" >c2.json
	run -1 --separate-stderr pms-remind mark c2.json
	assert_stderr "line 1: reply: appointment $b is cancelled: it cannot be confirmed"
	assert_stderr 'mark: 1 record: 0 applied, 0 bad, 1 refused'
}

@test "mark: a family's number reminded twice needs the reminder id; HELP answers" {
	pms-patient update 2 --mobile-phone '617 555 0101' >/dev/null 2>&1
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	when $NY "$(day -2) 12:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	printf 'from,reply\n+16175550101,C\n+16175550101,HELP\n+16175550199,C\n+16175550101,maybe\n' >r.csv
	run -1 --separate-stderr when $NY "$(day -2) 12:10" pms-remind mark r.csv -o csv
	assert_stderr 'line 2: from: that number was reminded of 2 appointments: the reply needs its reminder_id'
	assert_stderr 'line 4: from: no reminded appointment to come for that number'
	assert_stderr 'line 5: reply: not one of C, X, STOP, START, HELP'
	assert_stderr 'mark: 4 records: 1 applied, 0 bad, 3 refused'
	refute_phi "$stderr"
	[[ $stderr != *5550101* ]]
	assert_output --partial ',help,"Riverside Family Medicine: visit reminders. Reply C to confirm, X to cancel, STOP to stop them, START to start again. Call us: +1 937 555 0100."'
	run -0 pms-sql "SELECT count(*) FROM appointments WHERE confirmed_at IS NOT NULL"
	assert_output 0
}

@test "mark: delivered and failed from the gateway; bad records are 65, the good ones applied" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	when $NY "$(day -2) 12:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	idb=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $b")
	printf '{"reminder_id":"%s","outcome":"delivered"}\n{"reminder_id":"%s","outcome":"failed"}\n{"reminder_id":"%s","outcome":"lost"}\n{"outcome":"delivered"}\n{"reminder_id":"ffffffffffffffff","outcome":"delivered"}\n{}\n' \
	    "$ida" "$idb" "$ida" >o.json
	run -65 --separate-stderr pms-remind mark o.json -o csv
	assert_stderr 'line 3: outcome: expected delivered, failed or reply'
	assert_stderr 'line 4: reminder_id: missing: an outcome is of a reminder'
	assert_stderr 'line 5: reminder_id: no such reminder'
	assert_stderr 'line 6: give outcome (delivered or failed) or reply'
	assert_stderr 'mark: 6 records: 2 applied, 3 bad, 1 refused'
	assert_stderr 'pms-remind: 4 of 6 records not applied'
	run -0 pms-sql "SELECT appointment_id, status, delivered_at IS NOT NULL, coalesce(reason, ''), next_utc IS NOT NULL FROM reminders ORDER BY id"
	assert_output "$a|delivered|1||0
$b|failed|0|the gateway said it failed|1"
	# failed by the gateway: tried again after the backoff, but not in
	# the quiet hours of the night
	run -0 --separate-stderr when $NY "$(day -2) 23:00" pms-remind send --exec "$SENDER" </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 --separate-stderr when $NY "$(day -1) 08:00" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_output --partial "$idb,$b,two-days,sms,sent,,2"
	run -66 --separate-stderr pms-remind mark nosuch.csv
	assert_stderr 'cannot open "nosuch.csv"'
}

# ---- opt-outs, the log ---------------------------------------------------

@test "optout and optin: by patient and channel, by number; audited; the log lists skips" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type newpatient)
	run -0 --separate-stderr pms-remind optout --mrn MRN0001 --channel email
	assert_stderr 'pms-remind: opted out'
	run -0 --separate-stderr pms-remind optout 1 --channel email
	assert_stderr 'pms-remind: nothing to do: opted out already'
	run -0 --separate-stderr pms-remind optout --phone '+1 (617) 555-0101'
	assert_stderr 'pms-remind: opted out'
	run -65 --separate-stderr pms-remind optout --phone 12
	assert_stderr '--phone: '
	run -1 --separate-stderr pms-remind optout 99 --channel sms
	assert_stderr 'no patient 99'
	run -1 --separate-stderr pms-remind optout --mrn NOPE --channel sms
	assert_stderr 'no patient with that MRN'
	[[ $stderr != *NOPE* ]]
	run -0 --separate-stderr when $NY "$(day -1) 10:30" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_stderr 'send: 0 sent, 0 failed, 2 skipped, 0 stale, 0 unknown'
	run -0 pms-remind log -o csv
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} == *",$a,1,MRN0001,two-days,sms,skipped,opted out,0,${DAY}T10:00:00-05:00,"* ]]
	[[ ${lines[2]} == *",$a,1,MRN0001,day-before,email,skipped,opted out,0,${DAY}T10:00:00-05:00,"* ]]
	run -0 pms-remind log --channel email --status skipped --mrn MRN0001 -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-remind log --patient 2 -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 pms-remind log --from "$(day -2)" --to "$(day -1)" --appointment "$a" -o csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 pms-remind log --from "$(day -1)" --to "$(day -1)" -o csv
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *',day-before,email,'* ]]
	run -0 pms-remind log --from "$DAY" -o csv
	[ "${#lines[@]}" -eq 1 ]
	# opting in again: the skips go out, if still in time
	pms-remind optin 1 --channel email 2>/dev/null
	pms-remind optin --phone 6175550101 2>/dev/null
	run -0 --separate-stderr when $NY "$(day -1) 10:40" pms-remind send --exec "$SENDER" -o csv </dev/null
	assert_stderr 'send: 2 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action LIKE 'remind.opt%' ORDER BY id"
	assert_output 'remind.optout|optout
remind.optout|optout
remind.optin|optout
remind.optin|optout'
	run -0 pms-sql "SELECT count(*) FROM reminder_optouts WHERE ended_at IS NULL"
	assert_output 0
}

@test "rights: the reminder bot sends and marks, never opts out or reads the log; a clinician neither" {
	pms-admin keyfile create bot --role reminder-bot --out "$BATS_TEST_TMPDIR/bot.key" >/dev/null 2>&1
	bot() { PMS_KEYFILE="$BATS_TEST_TMPDIR/bot.key" PMS_USER=bot PMS_PASSPHRASE_FILE= "$@"; }
	run -0 bot pms-remind due -o csv
	run -0 bot pms-remind send --exec true </dev/null
	printf 'from,reply\n+16175550101,HELP\n' >h.csv
	run -0 bot pms-remind mark h.csv -o csv
	run -77 --separate-stderr bot pms-remind optout 1 --channel sms
	assert_stderr 'may not do remind.optout'
	run -77 --separate-stderr bot pms-remind log
	assert_stderr 'may not do remind.log'
	run -0 as desk pms-remind optout 1 --channel sms
	run -0 as desk pms-remind log -o csv
	run -77 --separate-stderr as doc pms-remind due
	assert_stderr 'may not do remind.due'
}

@test "merge: pms-patient merge moves the reminders and the opt-outs" {
	a=$(book --mrn MRN0002 --provider lee --at "${DAY}T10:00" --type followup)
	when $NY "$(day -2) 12:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	pms-remind optout 2 --channel email 2>/dev/null
	run -0 pms-patient merge 1 2 --force -o csv
	assert_output --partial 'reminders,patient_id,1'
	assert_output --partial 'reminder_optouts,patient_id,1'
	run -0 pms-sql "SELECT (SELECT group_concat(patient_id) FROM reminders), (SELECT group_concat(patient_id) FROM reminder_optouts)"
	assert_output '1|1'
}

# ---- rendering -----------------------------------------------------------

@test "templates: an SMS over 160 GSM-7 characters, or outside GSM-7, is warned of by id" {
	sed -n '1,/^templates:/p' "$TOP/share/demo/practice.yaml" >long.yaml
	cat >>long.yaml <<'EOF'
  - name: reminder-sms
    channel: sms
    body: >-
      Hi {preferred_name}, this is a long reminder of your visit with
      {provider} on {date} at {time}, at {location}, {address}. Please
      come ten minutes early. {confirm_hint}
  - name: reminder-sms
    channel: sms
    language: es
    body: "Hola {first_name}: {date} {time} {{ok}} ✓"
  - name: reminder-email
    channel: email
    subject: "Your visit"
    body: "Dear {preferred_name}, {date}."
EOF
	pms-admin config load long.yaml >/dev/null 2>&1
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup
	book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup
	run -0 --separate-stderr pms-remind due --at "$(utc $NY "$(day -2) 12:00")" -o json
	id1=$(pms-remind due --at "$(utc $NY "$(day -2) 12:00")" -o csv 2>/dev/null | awk -F, '$2 == 1 { print $1 }')
	id2=$(pms-remind due --at "$(utc $NY "$(day -2) 12:00")" -o csv 2>/dev/null | awk -F, '$2 == 2 { print $1 }')
	assert_stderr "pms-remind: warning: reminder $id1: the SMS is "
	assert_stderr 'GSM-7 characters, over 160 (template reminder-sms (en)): sent in parts'
	assert_stderr "pms-remind: warning: reminder $id2: the SMS holds characters GSM-7 does not have (template reminder-sms (es))"
	refute_phi "$stderr"
	[[ $stderr != *Pat* && $stderr != *Sam* ]]
	assert_output --partial '"text":"Hola Sam: '
	assert_output --partial ' {ok} ✓"}'
}

@test "templates: config load refuses an unknown placeholder, a lone brace, a rule without its template (78), naming each" {
	sed 's/Hola {preferred_name}, le/Hola {nombre}, le/' \
	    "$TOP/share/demo/practice.yaml" >bad.yaml
	before=$(pms-sql "SELECT doc FROM config")
	run -78 --separate-stderr pms-admin config load bad.yaml
	assert_stderr 'pms-admin: bad.yaml:190:11: templates[1].body: template reminder-sms (es): unknown placeholder {nombre} (see pms-remind(1))'
	run -78 --separate-stderr pms-admin config load --dry-run bad.yaml
	assert_stderr 'template reminder-sms (es): unknown placeholder {nombre}'
	# a brace that begins no placeholder is lone, its text not quoted
	sed 's/Hola {preferred_name}, le/Hola {, le/' \
	    "$TOP/share/demo/practice.yaml" >bad.yaml
	run -78 --separate-stderr pms-admin config load bad.yaml
	assert_stderr 'pms-admin: bad.yaml:190:11: templates[1].body: template reminder-sms (es): a lone "{" (write "{{" for the brace itself)'
	[[ $stderr != *'le recordamos'* ]]
	sed 's/template: reminder-email/template: nosuch/' \
	    "$TOP/share/demo/practice.yaml" >bad.yaml
	run -78 --separate-stderr pms-admin config load bad.yaml
	assert_stderr 'pms-admin: bad.yaml:178:17: reminders.rules[1].template: no email template of this name, shipped or in templates'
	# nothing of them was loaded
	[ "$(pms-sql "SELECT doc FROM config")" = "$before" ]
}

@test "templates: one that does not render (a store loaded before the check) stops its own reminders only: the others go, 78" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	# the Spanish SMS template broken in the store itself, as an older
	# pms let config load keep it
	pms-sql "UPDATE config SET doc = replace(doc, 'Hola {preferred_name}', 'Hola {nombre}')"
	run -78 --separate-stderr pms-remind due --at "$(utc $NY "$(day -2) 15:00")" -o csv
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[[ $output == *",$a,1,MRN0001,two-days,sms,'+16175550101,"* ]]
	assert_stderr - <<EOF
pms-remind: warning: reminder
: cannot be rendered: template reminder-sms (es): unknown placeholder {nombre} (see pms-remind(1))
pms-remind: due: 1 reminder left out: a template of theirs is not valid (see the warnings)
EOF
	run -78 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$ida,$a,two-days,sms,sent,,1"
	assert_stderr - <<EOF
: cannot be rendered: template reminder-sms (es): unknown placeholder {nombre} (see pms-remind(1))
pms-remind: send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown
pms-remind: 1 reminder not sent: a template of theirs is not valid (see the warnings)
EOF
	run -0 cat "$SENT"
	assert_output "$ida sms +16175550101 1"
	# the one left out is not claimed: it goes once the template is right
	run -0 pms-sql "SELECT appointment_id, status FROM reminders"
	assert_output "$a|sent"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	run -0 --separate-stderr when $NY "$(day -2) 15:05" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_output --partial ",$b,two-days,sms,sent,,1"
}

@test "DST: the hour in the message on the days the clocks change, whatever TZ" {
	# the second Sunday of March and the first of November, New York
	y=$(( $(date +%Y) + 1 ))
	spring=$(date -d "$y-03-01 +$(( (7 - $(date -d "$y-03-01" +%u)) % 7 + 7 )) days" +%F)
	fall=$(date -d "$y-11-01 +$(( (7 - $(date -d "$y-11-01" +%u)) % 7 )) days" +%F)
	book --mrn MRN0001 --provider lee --at "${spring}T10:00" --type newpatient
	book --mrn MRN0001 --provider lee --at "${fall}T10:00" --type newpatient
	for tz in UTC Asia/Tokyo; do
		TZ=$tz pms-remind due --channel sms --at "$(utc $NY "$(date -d "$spring -1 day" +%F) 12:00")" -o json >s-${tz//\//-}
		TZ=$tz pms-remind due --channel email --at "$(utc $NY "$(date -d "$fall -2 days" +%F) 10:00")" -o json >f-${tz//\//-}
	done
	diff -u s-UTC s-Asia-Tokyo
	diff -u f-UTC f-Asia-Tokyo
	run -0 cat s-UTC
	# 48 hours before 10:00 EDT is 09:00 EST; the message says 10:00
	assert_output --partial '"start":"'$spring'T10:00:00-04:00","location":"main","language":"en","due_at":"'$(utc $NY "$(date -d "$spring -2 days" +%F) 09:00")'"'
	assert_output --partial ' at 10:00 AM, Riverside Main Office.'
	run -0 cat f-UTC
	# the working day before a Sunday is Friday, at 10:00 EDT
	assert_output --partial '"start":"'$fall'T10:00:00-05:00","location":"main","language":"en","due_at":"'$(utc $NY "$(date -d "$fall -2 days" +%F) 10:00")'"'
	assert_output --partial ' at\n10:00 AM, at Riverside Main Office'
}

# ---- cron ----------------------------------------------------------------

@test "cron: the shipped crontab line and systemd units run send with a key file, installed by make install" {
	tab="$TOP/share/cron/pms-remind.crontab"
	line=$(grep -v '^#' "$tab" | grep 'pms-remind')
	# cron's PATH has no /usr/local/bin: the full path, and a PATH line;
	# the key file outside the store's directory
	[[ $line == '*/5 * * * * /usr/local/bin/pms-remind --keyfile /etc/pms/reminders.key send --exec '*' </dev/null' ]]
	grep -q '^PATH=/usr/local/bin:/usr/bin:/bin$' "$tab"
	grep -q '^PMS_STORE=/var/lib/pms/practice.pms$' "$tab"
	# the man page's lines are the file's
	man=$(sed -n '/^\.Ss Cron/,/^\.Ed/p' "$TOP/man/man1/pms-remind.1")
	[[ $man == *"$line"* && $man == *'PATH=/usr/local/bin:/usr/bin:/bin'* ]]
	svc="$TOP/share/systemd/pms-remind.service"
	grep -q '^ExecStart=/usr/local/bin/pms-remind --keyfile /etc/pms/reminders.key send --exec ' "$svc"
	grep -q '^StandardInput=null$' "$svc"
	grep -q '^OnCalendar=\*:0/5$' "$TOP/share/systemd/pms-remind.timer"
	# the crontab's command, run here with this test's store, key file
	# and sender, sends what is due, once
	pms-admin keyfile create reminders --role reminder-bot --out "$BATS_TEST_TMPDIR/reminders.key" >/dev/null 2>&1
	book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup
	cmd=$(cut -d' ' -f6- <<<"$line" | sed -e "s|/etc/pms/reminders.key|$BATS_TEST_TMPDIR/reminders.key|" \
	    -e "s|/usr/local/lib/pms/send-sms|$SENDER|" -e "s|/usr/local/bin/pms-remind|pms-remind|")
	for i in 1 2; do
		when $NY "$(day -2) 12:0$i" env -u PMS_PASSPHRASE_FILE -u PMS_USER bash -c "$cmd" 2>>cron.err
	done
	[ "$(wc -l <"$SENT")" -eq 1 ]
	# make install puts them under $(PREFIX)/share/pms/
	run -0 make -s -C "$TOP" BUILD="${BUILD:-build}" install DESTDIR="$BATS_TEST_TMPDIR/inst" PREFIX=/usr
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/share/pms/cron/pms-remind.crontab"
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/share/pms/systemd/pms-remind.service"
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/share/pms/systemd/pms-remind.timer"
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/share/man/man1/pms-remind.1"
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/share/bash-completion/completions/pms-remind"
	assert_file_exists "$BATS_TEST_TMPDIR/inst/usr/bin/pms-remind"
}

# ---- each reminder on its own: looked at again, claimed, recorded ------

@test "send: each reminder looked at again right before its sender: cancelled, moved, opted out since the run began" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	c=$(book --mrn MRN0001 --provider lee --at "${DAY}T12:00" --type followup)
	d=$(book --mrn MRN0002 --provider lee --at "${DAY}T13:00" --type followup)
	# the first sender, while the run goes on: b cancelled, c moved, the
	# patient of b and d says STOP (as the desk would, meanwhile)
	cat >meanwhile <<EOF
#!/bin/sh
export PMS_STORE=$PMS_STORE PMS_USER=admin PMS_PASSPHRASE_FILE=$PMS_PASSPHRASE_FILE
cat >$BATS_TEST_TMPDIR/msg-\$PMS_REMINDER_ID
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/sent
[ -e $BATS_TEST_TMPDIR/done ] && exit 0
touch $BATS_TEST_TMPDIR/done
$(command -v pms-schedule) cancel $b --by patient >/dev/null 2>&1 || exit 9
$(command -v pms-schedule) move $c --at ${DAY}T16:00 >/dev/null 2>&1 || exit 9
$(command -v pms-remind) optout --mrn MRN0002 --channel sms 2>/dev/null || exit 9
EOF
	chmod +x meanwhile
	run -0 --separate-stderr when $NY "$(day -2) 15:00" \
	    pms-remind send --exec ./meanwhile -o csv </dev/null
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	assert_output --partial "$ida,$a,two-days,sms,sent,,1"
	assert_output --partial ",$b,two-days,sms,stale,the appointment is no longer booked,"
	assert_output --partial ",$c,two-days,sms,stale,the appointment moved,"
	assert_output --partial ",$d,two-days,sms,skipped,opted out,"
	assert_stderr 'pms-remind: send: 1 sent, 0 failed, 1 skipped, 2 stale, 0 unknown'
	# one message went, the first; nothing for b, c's old time or d
	run -0 cat sent
	assert_output "$ida"
	run -0 pms-sql "SELECT appointment_id, status, coalesce(reason, '') FROM reminders ORDER BY appointment_id"
	assert_output "$a|sent|
$d|skipped|opted out"
}

# As when, but through libfaketime itself, so that the process is
# pms-remind's own (a signal reaches it, $! is its shell's).
when_pre() {
	local z=$1 t=$2 off
	shift 2
	off=$(($(date -d "TZ=\"$z\" $t" +%s) - $(date +%s)))
	LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
	    FAKETIME="$(printf '%+d' "$off")" "$@"
}

# Wait (up to 20 s) for a file to appear.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "send: a run killed part-way loses only the reminder in flight; the rest go next run" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	c=$(book --mrn MRN0001 --provider lee --at "${DAY}T12:00" --type followup)
	d=$(book --mrn MRN0002 --provider lee --at "${DAY}T13:00" --type followup)
	# the second sender kills pms-remind (as the OOM killer would)
	cat >killer <<EOF
#!/bin/sh
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/calls
[ "\$(wc -l <$BATS_TEST_TMPDIR/calls)" -eq 2 ] && kill -KILL \$PPID
exit 0
EOF
	chmod +x killer
	run ! when_pre $NY "$(day -2) 15:00" pms-remind send --exec ./killer </dev/null
	[ "$(wc -l <calls)" -eq 2 ]
	# the first is recorded as it ended, the second is the one in
	# flight, the others were never claimed
	run -0 pms-sql "SELECT appointment_id, status, sent_at IS NOT NULL FROM reminders ORDER BY appointment_id"
	assert_output "$a|sent|1
$b|sending|0"
	# the next run, a minute later: the dead run's claim is unknown at
	# once (its process is gone), the two never handed out are sent
	idb=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $b")
	run -0 --separate-stderr when $NY "$(day -2) 15:01" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_output --partial "$idb,$b,two-days,sms,unknown,claimed; the sender's end was never recorded,1"
	assert_output --partial ",$c,two-days,sms,sent,,1"
	assert_output --partial ",$d,two-days,sms,sent,,1"
	assert_stderr 'pms-remind: send: 2 sent, 0 failed, 0 skipped, 0 stale, 1 unknown'
	run -0 pms-sql "SELECT appointment_id, status FROM reminders ORDER BY appointment_id"
	assert_output "$a|sent
$b|unknown
$c|sent
$d|sent"
	[ "$(wc -l <"$SENT")" -eq 2 ]
}

@test "send: SIGTERM stops handing out, kills the running sender, records it, and dies of the signal" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	c=$(book --mrn MRN0001 --provider lee --at "${DAY}T12:00" --type followup)
	cat >hang <<EOF
#!/bin/sh
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/calls
[ "\$(wc -l <$BATS_TEST_TMPDIR/calls)" -eq 1 ] && exit 0
echo \$PPID >$BATS_TEST_TMPDIR/ppid.tmp
echo \$\$ >$BATS_TEST_TMPDIR/spid
mv $BATS_TEST_TMPDIR/ppid.tmp $BATS_TEST_TMPDIR/ppid
exec sleep 300
EOF
	chmod +x hang
	when_pre $NY "$(day -2) 15:00" pms-remind send --exec ./hang -o csv \
	    </dev/null >out 2>err &
	p=$!
	wait_for ppid
	kill -TERM "$(cat ppid)"
	rc=0
	wait $p || rc=$?
	[ "$rc" -eq 143 ]
	# the sender is gone, the one it held recorded failed (tried again
	# later), the third never handed out
	! kill -0 "$(cat spid)" 2>/dev/null
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	idb=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $b")
	run -0 cat out
	assert_output "reminder_id,appointment_id,rule,channel,status,reason,attempt
$ida,$a,two-days,sms,sent,,1
$idb,$b,two-days,sms,failed,pms-remind was told to stop; the sender was killed,1"
	run -0 grep '^pms-remind: send' err
	assert_output 'pms-remind: send: stopped by signal 15: 1 sent, 1 failed, 0 skipped, 0 stale, 0 unknown; 1 left for the next run'
	run -0 pms-sql "SELECT appointment_id, status, attempts, next_utc IS NOT NULL FROM reminders ORDER BY appointment_id"
	assert_output "$a|sent|1|0
$b|failed|1|1"
	# the next run after the backoff: b again, and c
	run -0 --separate-stderr when $NY "$(day -2) 15:20" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_output --partial "$idb,$b,two-days,sms,sent,,2"
	assert_output --partial ",$c,two-days,sms,sent,,1"
	assert_stderr 'pms-remind: send: 2 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
}

@test "send: an overlapping run leaves a live run's claim alone, however long its sender takes" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	b=$(book --mrn MRN0002 --provider lee --at "${DAY}T11:00" --type followup)
	# run A's first sender waits until the test lets it go
	cat >slow <<EOF
#!/bin/sh
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/calls
touch $BATS_TEST_TMPDIR/started
i=0
while [ ! -e $BATS_TEST_TMPDIR/release ] && [ \$i -lt 300 ]; do
	sleep 0.1; i=\$((i + 1))
done
exit 0
EOF
	chmod +x slow
	when_pre $NY "$(day -2) 15:00" pms-remind send --exec ./slow -o csv \
	    </dev/null >outA 2>errA &
	p=$!
	wait_for started
	# run B, ten minutes later by the clock, long past A's deadline: A
	# is alive, so its claim is not unknown; B sends what A has not
	# reached
	run -0 --separate-stderr when $NY "$(day -2) 15:10" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_stderr 'pms-remind: send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	assert_output --partial ",$b,two-days,sms,sent,,1"
	run -0 pms-sql "SELECT status FROM reminders WHERE appointment_id = $a"
	assert_output sending
	touch release
	wait $p
	ida=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a")
	run -0 cat outA
	assert_output --partial "$ida,$a,two-days,sms,sent,,1"
	assert_output --partial ",$b,two-days,sms,stale,claimed already,"
	[ "$(wc -l <calls)" -eq 1 ]
	run -0 pms-sql "SELECT appointment_id, status, sent_at IS NOT NULL, claimed_by FROM reminders ORDER BY appointment_id"
	assert_output "$a|sent|1|admin
$b|sent|1|admin"
}

@test "send: a delivery receipt that comes before the run records the send keeps both times" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	cat >fast <<EOF
#!/bin/sh
export PMS_STORE=$PMS_STORE PMS_USER=admin PMS_PASSPHRASE_FILE=$PMS_PASSPHRASE_FILE
printf 'reminder_id,outcome\n%s,delivered\n' "\$PMS_REMINDER_ID" |
    $(command -v pms-remind) mark >/dev/null 2>&1 || exit 9
EOF
	chmod +x fast
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec ./fast -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,sent,,1"
	assert_stderr 'pms-remind: send: 1 sent, 0 failed, 0 skipped, 0 stale, 0 unknown'
	run -0 pms-sql "SELECT status, sent_at IS NOT NULL, delivered_at IS NOT NULL, deadline_utc IS NULL, claimed_by FROM reminders"
	assert_output 'delivered|1|1|1|admin'
}

@test "optout and optin --phone: a number that does not read is named once, its message whole (65)" {
	run -65 --separate-stderr pms-remind optout --phone abc
	assert_stderr 'pms-remind: --phone: not a phone number (digits, spaces, dashes, dots, parentheses and a leading "+" only)'
	[ "$(printf '%s\n' "$stderr" | grep -c -- '--phone: --phone')" -eq 0 ]
	run -65 --separate-stderr pms-remind optout --phone '+1 937 555 0110 ext 5'
	assert_stderr 'pms-remind: --phone: an extension (pms keeps none: the number alone, please)'
	run -65 --separate-stderr pms-remind optin --phone ''
	[[ $stderr == 'pms-remind: --phone: not a phone number'* ]]
	run -0 pms-sql "SELECT count(*) FROM reminder_optouts"
	assert_output 0
}

# ---- replies: the number texted, the carriers' words ------------------

# Patients who share a household number, +16175550110: 4 has a mobile
# of her own (texted there), 5 and 7 have only the household's; 6's
# home phone was never texted.
household() {
	pms-patient add --mrn MRN0004 --last-name Zzhome --first-name Ann --dob 1980-01-04 \
	    --mobile-phone '617 555 0140' --phone '617 555 0110' --sms-consent yes >/dev/null
	pms-patient add --mrn MRN0005 --last-name Zzhome --first-name Ben --dob 2010-01-05 \
	    --phone '617 555 0110' --sms-consent yes >/dev/null
	pms-patient add --mrn MRN0006 --last-name Zzaway --first-name Cy --dob 1970-01-06 \
	    --mobile-phone '617 555 0160' --phone '617 555 0120' --sms-consent yes >/dev/null
	pms-patient add --mrn MRN0007 --last-name Zzhome --first-name Di --dob 2012-01-07 \
	    --phone '617 555 0110' --sms-consent yes >/dev/null
}

@test "mark: C and X are matched to the number that was texted, never to another number of the patient's" {
	household
	a4=$(book --mrn MRN0004 --provider lee --at "${DAY}T10:00" --type followup)
	a5=$(book --mrn MRN0005 --provider lee --at "${DAY}T11:00" --type followup)
	a6=$(book --mrn MRN0006 --provider lee --at "${DAY}T12:00" --type followup)
	when $NY "$(day -2) 15:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	run -0 cut -d' ' -f3 "$SENT"
	assert_output $'+16175550140\n+16175550110\n+16175550160'
	# the household number was texted once (5's visit): C confirms it,
	# though 4 has the number too
	printf 'from,reply\n+16175550110,C\n' >c.csv
	run -0 --separate-stderr when $NY "$(day -2) 15:10" pms-remind mark c.csv -o csv
	assert_output --partial ",$a5,5,'+16175550110,confirmed,"
	# 6's home phone was never texted: its X cancels nothing
	printf 'from,reply\n(617) 555-0120,X\n' >x.csv
	run -1 --separate-stderr when $NY "$(day -2) 15:10" pms-remind mark x.csv -o csv
	assert_stderr 'line 2: from: no reminded appointment to come for that number'
	# nor does a reply naming 6's reminder from that number
	id6=$(pms-sql "SELECT reminder_id FROM reminders WHERE appointment_id = $a6")
	printf 'reminder_id,from,reply\n%s,+16175550120,X\n' "$id6" >x2.csv
	run -1 --separate-stderr when $NY "$(day -2) 15:10" pms-remind mark x2.csv -o csv
	assert_stderr 'line 2: from: not the number that reminder went to'
	refute_phi "$stderr"
	run -0 pms-sql "SELECT id, status, confirmed_at IS NOT NULL FROM appointments ORDER BY id"
	assert_output "$a4|booked|0
$a5|booked|1
$a6|booked|0"
}

@test "mark: the carriers' opt-out words and STOP with anything but a patient's MRN opt the number out" {
	local k=0 r
	for r in 'STOP ALL' 'STOPALL' 'unsubscribe' 'cancel' 'END' 'QUIT' 'Stop.' 'STOP MRN0099' 'stop!!'; do
		printf 'from,reply\n+1617555020%d,"%s"\n' $k "$r" >s.csv
		run -0 --separate-stderr pms-remind mark s.csv -o csv
		assert_output --partial ",'+1617555020$k,opted-out,You will get no more reminders from Riverside Family Medicine. Reply START to get them again."
		k=$((k + 1))
	done
	run -0 pms-sql "SELECT group_concat(substr(address, 12), ' ') FROM reminder_optouts WHERE patient_id IS NULL AND ended_at IS NULL ORDER BY id"
	assert_output '0 1 2 3 4 5 6 7 8'
	# UNSTOP is START; INFO is HELP
	printf 'from,reply\n+16175550200,unstop\n+16175550201,INFO\n' >u.csv
	run -0 pms-remind mark u.csv -o csv
	assert_output --partial ",'+16175550200,opted-in,"
	assert_output --partial ",'+16175550201,help,"
	run -0 pms-sql "SELECT count(*) FROM reminder_optouts WHERE ended_at IS NULL"
	assert_output 8
}

@test "mark: START MRN from a number opted out whole opts that patient in, and only that patient" {
	household
	printf 'from,reply\n(617) 555-0110,STOP\n' >stop.csv
	run -0 pms-remind mark stop.csv -o csv
	printf 'from,reply\n+16175550110,START MRN0005\n' >start.csv
	run -0 --separate-stderr pms-remind mark start.csv -o csv
	assert_output --partial ",5,'+16175550110,opted-in,You will get reminders from Riverside Family Medicine again."
	a5=$(book --mrn MRN0005 --provider lee --at "${DAY}T11:00" --type followup)
	a7=$(book --mrn MRN0007 --provider lee --at "${DAY}T12:00" --type followup)
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	assert_output --partial ",$a5,two-days,sms,sent,,1"
	assert_output --partial ",$a7,two-days,sms,skipped,opted out,"
	# the number's opt-out is now one of each other patient at it
	run -0 pms-sql "SELECT coalesce(patient_id, ''), coalesce(address, ''), ended_at IS NOT NULL FROM reminder_optouts ORDER BY id"
	assert_output '|+16175550110|1
4||0
7||0'
}

@test "mark --dry-run: says what each record would do, and that nothing was written" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	when $NY "$(day -2) 15:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	printf 'from,reply\n+16175550101,X\n+16175550102,STOP\n' >r.csv
	run -0 --separate-stderr when $NY "$(day -2) 15:10" pms-remind mark r.csv --dry-run -o csv
	assert_output --partial ",$a,1,'+16175550101,cancelled,"
	assert_output --partial ",'+16175550102,opted-out,"
	assert_stderr 'pms-remind: mark: --dry-run: 2 records: 2 would be applied, 0 bad, 0 refused; nothing was written'
	run -0 pms-sql "SELECT status FROM appointments WHERE id = $a"
	assert_output booked
	run -0 pms-sql "SELECT count(*) FROM reminder_optouts"
	assert_output 0
	run -0 pms-sql "SELECT count(*) FROM appointment_history WHERE appointment_id = $a AND action LIKE '%cancel%'"
	assert_output 0
}

# ---- smaller points -----------------------------------------------------

@test "options: one given twice is refused (64); --timeout 0 and --within 0 are 64 as any bad option value; log --from after --to is 64" {
	run -64 --separate-stderr pms-remind send --exec "$SENDER" --exec /bin/false </dev/null
	assert_stderr 'pms-remind: send: --exec given twice'
	run -64 --separate-stderr pms-remind due --at 2026-12-04T12:00 --at 2026-12-05T12:00
	assert_stderr 'due: --at given twice'
	run -64 --separate-stderr pms-remind log --status sent --status failed
	assert_stderr 'log: --status given twice'
	run -64 --separate-stderr pms-remind send --exec "$SENDER" --timeout 0 </dev/null
	assert_stderr 'pms-remind: --timeout: '
	run -64 --separate-stderr pms-remind due --within 0
	assert_stderr 'pms-remind: --within: '
	run -64 --separate-stderr pms-remind log --from 2026-12-05 --to 2026-12-01
	assert_stderr 'pms-remind: log: --from is after --to'
	# nothing was sent or claimed
	[ ! -e "$SENT" ]
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
}

@test "due: on a terminal, the table for people of the first eight columns" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	at=$(utc $NY "$(day -2) 15:00")
	run -0 script -qec "pms-remind due --at $at" /dev/null
	[[ $output == *reminder_id*appointment_id*patient_id*mrn*rule*channel*recipient*start* ]]
	[[ $output != *location* && $output != *'a reminder of your visit'* ]]
	run -0 pms-remind due --at "$at" -o table
	[[ $output != *'a reminder of your visit'* ]]
}

@test "due_at: an appointment booked after its rule's time fell due when it was booked" {
	before=$(date -u +%FT%TZ)
	t=$(TZ=$NY date -d 'tomorrow 15:00' +%FT%T)
	a=$(book --mrn MRN0001 --provider lee --at "$t" --type followup --force)
	after=$(date -u +%FT%TZ)
	run -0 pms-remind due --at "$(utc $NY "$(TZ=$NY date -d 'tomorrow' +%F) 09:00")" -o json
	due=$(jq -r "select(.appointment_id == $a and .channel == \"sms\") | .due_at" <<<"$output")
	[[ ! $due < $before && ! $due > $after ]]
}

@test "send: a dry run's skip has no attempt, as the real run's; a forged reminder_id is not called a move" {
	c=$(book --mrn MRN0003 --provider lee --at "${DAY}T14:30" --type followup)
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" --dry-run -o csv </dev/null
	[[ $output == *",$c,two-days,sms,skipped,no consent," ]]
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	[[ $output == *",$c,two-days,sms,skipped,no consent," ]]
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	printf '{"reminder_id":"0000000000000000","appointment_id":%d,"rule":"two-days"}\n' "$a" >forged.json
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" -o csv <forged.json
	assert_output --partial '0000000000000000,'"$a"',two-days,sms,stale,not a reminder of this appointment at its start,'
	# a real due record of before a move is called a move
	when $NY "$(day -2) 15:00" pms-remind due -o json >due.json
	pms-schedule move "$a" --at "${DAY}T16:00" >/dev/null
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec "$SENDER" -o csv <due.json
	assert_output --partial ",$a,two-days,sms,stale,the appointment moved,"
	[ ! -e "$SENT" ]
}

@test "send: a failed reminder of an appointment cancelled since is not left failed for good" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	run -0 --separate-stderr when $NY "$(day -2) 15:00" pms-remind send \
	    --exec /bin/false -o csv </dev/null
	assert_output --partial ",$a,two-days,sms,failed,exit status 1,1"
	pms-schedule cancel "$a" --by patient >/dev/null
	run -0 --separate-stderr when $NY "$(day -2) 16:00" pms-remind send \
	    --exec "$SENDER" -o csv </dev/null
	run -0 pms-sql "SELECT status, reason, attempts, next_utc IS NULL FROM reminders"
	assert_output 'skipped|not tried again: the appointment is no longer booked|1|1'
	run -0 pms-remind log --status failed -o csv
	assert_output 'reminder_id,appointment_id,patient_id,mrn,rule,channel,status,reason,attempts,start,due_at,claimed_at,sent_at,delivered_at,next_at,updated_at'
	[ ! -e "$SENT" ]
}

@test "config load: a reminder rule renamed warns that the appointments reminded under it will be reminded again" {
	a=$(book --mrn MRN0001 --provider lee --at "${DAY}T10:00" --type followup)
	when $NY "$(day -2) 15:00" pms-remind send --exec "$SENDER" </dev/null 2>/dev/null
	[ "$(wc -l <"$SENT")" -eq 1 ]
	sed 's/name: two-days/name: forty-eight/' "$TOP/share/demo/practice.yaml" >renamed.yaml
	run -0 --separate-stderr pms-admin config load --dry-run renamed.yaml
	assert_stderr "pms-admin: warning: reminders.rules: rule two-days is gone and forty-eight is new: 1 appointment to come, reminded under two-days already, will be reminded again under forty-eight (keep the rule's name to keep its reminders)"
	assert_stderr 'pms-admin: --dry-run: nothing was written'
	refute_phi "$stderr"
	run -0 --separate-stderr pms-admin config load renamed.yaml
	assert_stderr 'rule two-days is gone and forty-eight is new: 1 appointment to come'
	# the same file again, or one that keeps the names: no warning
	run -0 --separate-stderr pms-admin config load "$TOP/share/demo/practice.yaml"
	[[ $stderr != *warning* ]]
}

@test "send before any configuration: the refusal alone (78), as due says it, no summary and nothing sent" {
	local d="$BATS_TEST_TMPDIR/new"
	mkdir -m 2770 "$d"
	export PMS_STORE="$d/store"
	pms-admin init --kdf interactive >/dev/null 2>&1
	run -78 --separate-stderr pms-remind send --exec "$BATS_TEST_TMPDIR/sender" \
	    -o csv </dev/null
	[ -z "$output" ]
	assert_equal "$stderr" 'pms-remind: the practice has no configuration yet: load one with "pms-admin config load FILE"'
	run -78 --separate-stderr pms-remind send --exec "$BATS_TEST_TMPDIR/sender" \
	    --dry-run </dev/null
	[[ $stderr != *'send:'* ]]
	run -78 --separate-stderr pms-remind due -o csv
	assert_equal "$stderr" 'pms-remind: the practice has no configuration yet: load one with "pms-admin config load FILE"'
	run -0 pms-sql "SELECT count(*) FROM reminders"
	assert_output 0
}
