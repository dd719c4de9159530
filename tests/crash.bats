#!/usr/bin/env bats
# bats file_tags=crash
# Crashes: each writing command is killed with SIGKILL at random
# moments of its run, over and over on one store, as a power cut or an
# OOM kill would end it.  After every kill the store opens, `pms-admin
# check` passes (every page and WAL frame authenticates, SQLite's
# integrity check, the audit chain, the ledger reconciles), and the
# command happened whole or not at all: an import of 150 patients added
# 150 or none, a file of 20 bookings, charges or payments added 20 or
# none, a statement run that was recorded left its file, a rekey left a
# store that opens with every patient, a reminder was sent at most once.
#
# A kill is counted when it landed while the command ran; each test
# goes on until $CRASH_KILLS kills landed (30 unless set: seven tests,
# 210 kills; `make soak` sets more).  The moment of each is uniform
# over the time the command takes when left alone, measured first.
#
# To add a command (pms-claim create, export, era when they come): four
# functions (and dur_NAME, the microseconds to kill within, for a
# command that cannot be timed by a run left alone) prep_NAME ITER (make its input; not timed), run_NAME ITER
# (ending in exec, so that the kill reaches the program itself),
# state_NAME (one line that says what the store holds) and whole_NAME
# BEFORE AFTER RC ITER (0 if AFTER is BEFORE or BEFORE plus all of the
# command), and a test that calls crash NAME.

load helpers/common

KILLS=${CRASH_KILLS:-30}
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template"
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 00:00-24:00
	pms-patient add --mrn C0001 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --mobile-phone '617 555 0101' --sms-consent yes \
	    --street '1 Elm Street' --city Springfield --state OH \
	    --zip 45501 >/dev/null
	pms-patient add --mrn C0002 --last-name Sample --first-name Sam \
	    --dob 1975-05-05 --mobile-phone '617 555 0102' --sms-consent yes \
	    --street '9 Oak Road' --city Springfield --state OH \
	    --zip 45502 >/dev/null
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	cd "$BATS_TEST_TMPDIR"
	# the key cached, as after pms-admin unlock: runs start fast
	pms-admin unlock >/dev/null 2>&1
	TODAY=$(TZ=America/New_York date +%F)
	YESTERDAY=$(date -d "$TODAY -1 day" +%F)
}

# Sleep N microseconds (N < 10 s).
usleep() {
	sleep "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))"
}

now_us() {
	local t=${EPOCHREALTIME/./}
	echo "$((10#$t))"
}

# crash NAME: the loop the header describes.
crash() {
	local name=$1 i=0 landed=0 t0 dur before after pid rc max
	max=$((KILLS * 8))
	if declare -F dur_"$name" >/dev/null; then
		dur=$(dur_"$name")
	else
		prep_"$name" 0
		t0=$(now_us)
		(run_"$name" 0) >run.out 2>run.err ||
		    fail "$name: a run left alone failed: $(cat run.err)"
		dur=$(($(now_us) - t0))
	fi
	while [ "$landed" -lt "$KILLS" ] && [ "$i" -lt "$max" ]; do
		i=$((i + 1))
		prep_"$name" "$i"
		before=$(state_"$name")
		run_"$name" "$i" >run.out 2>run.err &
		pid=$!
		usleep $(((RANDOM * 32768 + RANDOM) % (dur + 1)))
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 137 ] && landed=$((landed + 1))
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]; then
			fail "$name: run $i: exit $rc: $(cat run.err)"
		fi
		after=$(state_"$name")
		whole_"$name" "$before" "$after" "$rc" "$i" ||
		    fail "$name: run $i (exit $rc): $before, then $after"
		run pms-admin check
		[ "$status" -eq 0 ] ||
		    fail "$name: run $i (exit $rc): check: $output"
		refute_phi "$(cat run.err)"
	done
	echo "# $name: $landed kills landed in $i runs of ~$((dur / 1000)) ms; $(state_"$name")" >&3
	[ "$landed" -ge "$KILLS" ] ||
	    fail "$name: only $landed kills landed in $i runs"
}

# AFTER is BEFORE, or BEFORE + N; a run that ended (RC 0) is the whole.
delta_ok() {
	local before=$1 after=$2 n=$3 rc=$4
	if [ "$rc" -eq 0 ]; then
		[ "$after" -eq $((before + n)) ]
	else
		[ "$after" -eq "$before" ] || [ "$after" -eq $((before + n)) ]
	fi
}

# ---- pms-patient import: 150 patients, all or none ----

prep_import() {
	awk -v i="$1" 'BEGIN {
		print "mrn,last_name,first_name,date_of_birth,city"
		for (j = 0; j < 150; j++) {
			n = sprintf("P%dx%d", i, j)
			gsub(/[0-9]/, "q", n)
			printf "K%04d-%03d,Crash,%s%c%c,1980-01-%02d,Springfield\n",
			    i, j, n, 97 + j % 26, 97 + int(j / 26), j % 28 + 1
		}
	}' >in.csv
}
run_import() { exec pms-patient import in.csv; }
state_import() { pms-sql 'SELECT count(*) FROM patients'; }
whole_import() { delta_ok "$1" "$2" 150 "$3"; }

@test "crash: pms-patient import killed at random: 150 patients or none, the store checks" {
	crash import
	# and nothing half-imported: every patient of a file, or none
	run -0 pms-sql "SELECT count(*) FROM (SELECT substr(mrn, 1, 5) AS f, count(*) AS n FROM patients WHERE mrn LIKE 'K%' GROUP BY f) WHERE n != 150"
	assert_output 0
}

# ---- pms-schedule book -: 20 bookings, all or none ----

prep_book() {
	local j day
	day=$(date -d "$TODAY +$((10 + $1)) days" +%F)
	{
		echo 'provider,patient_mrn,start,type'
		for ((j = 0; j < 20; j++)); do
			printf 'lee,C000%d,%sT%02d:%02d,followup\n' $((j % 2 + 1)) \
			    "$day" $((8 + j / 2)) $((j % 2 * 30))
		done
	} >in.csv
}
run_book() { exec pms-schedule book - <in.csv; }
state_book() { pms-sql 'SELECT count(*) FROM appointments'; }
whole_book() { delta_ok "$1" "$2" 20 "$3"; }

@test "crash: pms-schedule book - killed at random: 20 bookings or none, the store checks" {
	crash book
	run -0 pms-sql "SELECT count(*) FROM (SELECT substr(local_start, 1, 10) AS d, count(*) AS n FROM appointments GROUP BY d HAVING n != 20)"
	assert_output 0
}

# ---- pms-bill charge: 20 charge lines, all or none; the ledger ----

prep_charge() {
	local j
	{
		echo 'patient_id,date_of_service,provider,location,code,dx,source_id'
		for ((j = 0; j < 20; j++)); do
			printf '%d,%s,lee,main,99213,E11.9,crash-%d-%d\n' \
			    $((j % 2 + 1)) "$YESTERDAY" "$1" "$j"
		done
	} >in.csv
}
run_charge() { exec pms-bill charge in.csv; }
state_charge() { pms-sql 'SELECT count(*) FROM charges'; }
whole_charge() { delta_ok "$1" "$2" 20 "$3"; }

@test "crash: pms-bill charge killed at random: 20 lines or none, the ledger reconciles" {
	crash charge
	run -0 pms-bill check
}

# ---- pms-bill pay FILE: 20 payments, all or none ----

prep_pay() {
	local j
	{
		echo 'patient_id,amount,method,ref,source_id'
		for ((j = 0; j < 20; j++)); do
			printf '%d,%d.%02d,check,%d,pay-%d-%d\n' $((j % 2 + 1)) \
			    $((j + 1)) $((j * 7 % 100)) $((1000 + j)) "$1" "$j"
		done
	} >in.csv
}
run_pay() { exec pms-bill pay in.csv; }
state_pay() { pms-sql 'SELECT count(*) FROM payments'; }
whole_pay() { delta_ok "$1" "$2" 20 "$3"; }

@test "crash: pms-bill pay killed at random: 20 payments or none, the ledger reconciles" {
	ON=$(date -d "$TODAY -3 days" +%F)
	pms-bill charge --patient 1 --on "$ON" --provider lee \
	    --location main --code 99214 --dx E11.9 >/dev/null
	crash pay
	run -0 pms-bill check
}

# ---- pms-bill statement --all: recorded only when its file is there --

prep_statement() { rm -f stmt.txt; }
run_statement() { exec pms-bill statement --all --out stmt.txt; }
state_statement() {
	pms-sql 'SELECT count(*) FROM statement_runs'
}
# a run recorded has its whole file in place (the last statement's
# line and the run's end); one not recorded may have delivered its file
whole_statement() {
	delta_ok "$1" "$2" 1 "$3" || return 1
	if [ "$2" -gt "$1" ]; then
		[ -s stmt.txt ] && grep -q 'Sample' stmt.txt
	fi
}

@test "crash: pms-bill statement --all killed at random: a run recorded has its file" {
	ON=$(date -d "$TODAY -3 days" +%F)
	local p
	for p in 1 2; do
		pms-bill charge --patient $p --on "$ON" --provider lee \
		    --location main --code 99214 --dx E11.9 >/dev/null
	done
	crash statement
}

# ---- pms-admin rekey: the store opens after, every patient there ----

prep_rekey() { :; }
run_rekey() { exec pms-admin rekey; }
state_rekey() {
	pms-sql 'SELECT count(*), (SELECT count(*) FROM audit) > 0 FROM patients'
}
whole_rekey() { [ "$1" = "$2" ]; }

@test "crash: pms-admin rekey killed at random: the store opens, whole" {
	echo 'mrn,last_name,first_name,date_of_birth' >in.csv
	crash rekey
	# and a new passphrase open (not the cached key) still works
	pms-admin lock >/dev/null 2>&1
	run -0 pms-sql 'SELECT count(*) FROM patients'
	assert_output 2
}

# ---- pms-remind send: never sent twice, whatever was killed ----

# A run claims a few reminders, runs their senders and records each;
# killed, what it claimed stays claimed.  Each run gets 10 new visits
# due at $SEND_AT (the minutes of the two days from $DAY), and is
# killed within 250 ms (a sender takes ~15 ms).
dur_send() { echo 250000; }
prep_send() {
	local j m
	{
		echo 'provider,patient_mrn,start,type'
		for ((j = 0; j < 10; j++)); do
			m=$((($1 * 10 + j) % 2000 + 1))
			printf 'lee,C000%d,%sT%02d:%02d,followup\n' $((j % 2 + 1)) \
			    "${DAYS[m / 1440]}" $((m % 1440 / 60)) $((m % 60))
		done
	} >visits.csv
	pms-schedule book - --force <visits.csv >/dev/null
}
run_send() {
	TZ=UTC FAKETIME="@$SEND_AT" LD_PRELOAD=$FAKETIME_LIB \
	    exec pms-remind send --exec "$BATS_TEST_TMPDIR/sender" \
	    --timeout 1s </dev/null
}
state_send() {
	pms-sql "SELECT count(*) FROM reminders WHERE status = 'sent'"
}
# every reminder recorded sent was handed to the sender, none twice
whole_send() {
	[ ! -s sent ] || [ "$(sort sent | uniq -d | wc -l)" -eq 0 ] || return 1
	[ "$2" -ge "$1" ] || return 1
	[ "$2" -le "$( (sort -u sent 2>/dev/null || true) | wc -l)" ]
}

@test "crash: pms-remind send killed at random: no reminder sent twice" {
	local day
	# the visits of a week from now and the day after; the clock at
	# 10:00 the day before, when those until 10:00 the next are due
	day=$(TZ=America/New_York date -d "$TODAY +7 days" +%F)
	DAYS=("$day" "$(date -d "$day +1 day" +%F)")
	SEND_AT=$(date -u -d "TZ=\"America/New_York\" $(date -d "$day -1 days" +%F) 10:00" '+%F %T')
	export SEND_AT
	cat >sender <<EOF
#!/bin/sh
sleep 0.01
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/sent
EOF
	chmod +x sender
	: >sent
	crash send
	# later, past every sender's time: what was claimed and never ended
	# is unknown, never sent again
	sleep 1
	SEND_AT=$(date -u -d "$SEND_AT UTC 5 minutes" '+%F %T')
	run -0 --separate-stderr run_send
	[ "$(sort sent | uniq -d | wc -l)" -eq 0 ]
	run -0 pms-sql "SELECT count(*) FROM reminders WHERE status NOT IN ('sent', 'unknown', 'skipped')"
	assert_output 0
	run -0 pms-sql "SELECT count(*) FROM reminders WHERE status = 'sent'"
	[ "$output" -le "$(wc -l <sent)" ]
}
