#!/usr/bin/env bats
# bats file_tags=concurrency
# Several programs on one store at once, as in an office: sixteen
# clerks booking one slot and overlapping slots, writers and readers of
# every kind together, reminder senders side by side, a backup and
# reports while others write, many programs closing at once past the
# WAL's checkpoint threshold.  Every command either does its work or is
# refused by a rule (slot taken: 1), the busy timeout absorbs the
# waiting (no 75 reaches anyone), nothing is lost or doubled, and the
# store checks after.

load helpers/common

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" j
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 00:00-24:00
	{
		echo 'mrn,last_name,first_name,date_of_birth,mobile_phone,sms_consent'
		for ((j = 1; j <= 16; j++)); do
			printf 'Q%04d,Clerk,%s,1980-02-%02d,617 555 %04d,yes\n' \
			    "$j" "$(echo "Pat$j" | tr 0-9 a-j)" "$j" $((100 + j))
		done
	} >"$t/patients.csv"
	pms-patient import "$t/patients.csv" >/dev/null 2>&1
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	cd "$BATS_TEST_TMPDIR"
	pms-admin unlock >/dev/null 2>&1
	TODAY=$(TZ=America/New_York date +%F)
	DAY=$(date -d "$TODAY +9 days" +%F)
}

# Wait for the jobs started in the background whose pids are in
# ${PIDS[@]}; their exit codes in ${RCS[@]}, in the same order.
wait_all() {
	local p rc
	RCS=()
	for p in "${PIDS[@]}"; do
		rc=0
		wait "$p" || rc=$?
		RCS+=("$rc")
	done
}

# Every exit code in ${RCS[@]} is one of "$@"; a 75 (or anything else)
# fails with the messages of the jobs (err.N files).
rcs_in() {
	local i ok c
	for i in "${!RCS[@]}"; do
		ok=0
		for c in "$@"; do
			[ "${RCS[$i]}" -eq "$c" ] && ok=1
		done
		[ "$ok" -eq 1 ] || fail "job $i exited ${RCS[$i]}: $(cat "err.$i" 2>/dev/null)"
	done
}

count() {
	local want=$1 n=0 rc
	for rc in "${RCS[@]}"; do
		[ "$rc" -eq "$want" ] && n=$((n + 1))
	done
	echo "$n"
}

@test "concurrency: 16 clerks book the same slot at once: one wins, 15 are told it is taken" {
	local j
	PIDS=()
	for ((j = 1; j <= 16; j++)); do
		pms-schedule book --patient "$j" --provider lee \
		    --at "${DAY}T10:00" --type followup -o csv >"out.$((j - 1))" \
		    2>"err.$((j - 1))" &
		PIDS+=($!)
	done
	wait_all
	rcs_in 0 1
	[ "$(count 0)" -eq 1 ]
	[ "$(count 1)" -eq 15 ]
	for ((j = 0; j < 16; j++)); do
		[ "${RCS[$j]}" -eq 0 ] || grep -q 'taken\|conflict' "err.$j" ||
		    fail "job $j: $(cat "err.$j")"
		refute_phi "$(cat "err.$j")"
	done
	run -0 pms-sql "SELECT count(*) FROM appointments WHERE status = 'booked'"
	assert_output 1
	run -0 pms-admin check
}

@test "concurrency: 16 clerks book overlapping slots at once: no two booked overlap" {
	local j
	PIDS=()
	# 20-minute visits every 10 minutes: each overlaps its neighbours
	for ((j = 0; j < 16; j++)); do
		pms-schedule book --patient $((j + 1)) --provider lee \
		    --at "${DAY}T$(printf '%02d:%02d' $((9 + j / 6)) $((j % 6 * 10)))" \
		    --type followup -o csv >"out.$j" 2>"err.$j" &
		PIDS+=($!)
	done
	wait_all
	rcs_in 0 1
	# the winners' ids are the appointments, none lost, none twice
	run -0 pms-sql "SELECT count(*) FROM appointments"
	[ "$output" -eq "$(count 0)" ]
	# at least a maximal set of a path of 16: 6
	[ "$output" -ge 6 ]
	run -0 pms-sql "SELECT count(*) FROM appointments a JOIN appointments b ON a.id < b.id AND a.provider_id = b.provider_id AND a.start_utc < b.end_utc AND b.start_utc < a.end_utc"
	assert_output 0
	run -0 pms-admin check
}

@test "concurrency: writers and readers of every kind at once: all succeed, nothing lost or doubled" {
	local j k
	PIDS=()
	k=0
	for ((j = 1; j <= 4; j++)); do
		pms-patient add --mrn "W$j" --last-name Writer \
		    --first-name "$(echo "W$j" | tr 0-9 a-j)" --dob 1990-03-0$j \
		    >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-schedule book --patient "$j" --provider lee \
		    --at "${DAY}T1$j:00" --type followup >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-bill charge --patient "$j" --on "$TODAY" --provider lee \
		    --location main --code 99213 --dx E11.9 >"out.$k" \
		    2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-bill pay --patient "$((j + 4))" --amount "1$j.00" \
		    --method cash >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-patient list -o csv >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-bill aging -o csv >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
		pms-audit log -o csv >"out.$k" 2>"err.$k" &
		PIDS+=($!)
		k=$((k + 1))
	done
	wait_all
	rcs_in 0
	run -0 pms-sql "SELECT (SELECT count(*) FROM patients WHERE mrn LIKE 'W%'), (SELECT count(*) FROM appointments), (SELECT count(*) FROM charges), (SELECT count(*) FROM payments)"
	assert_output '4|4|4|4'
	# one audit entry each: 16 writes, 12 reads
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action IN ('patient.add', 'schedule.book', 'bill.charge', 'bill.pay')"
	assert_output 16
	run -0 pms-admin check
}

@test "concurrency: three reminder senders at once: each reminder sent once" {
	local j at
	for ((j = 0; j < 12; j++)); do
		pms-schedule book --patient $((j + 1)) --provider lee \
		    --at "${DAY}T$(printf %02d $((8 + j))):00" --type followup \
		    >/dev/null
	done
	at=$(date -u -d "TZ=\"America/New_York\" $(date -d "$DAY -1 day" +%F) 09:00" '+%F %T')
	cat >sender <<EOF
#!/bin/sh
sleep 0.05
echo "\$PMS_REMINDER_ID" >>$BATS_TEST_TMPDIR/sent
EOF
	chmod +x sender
	PIDS=()
	for j in 0 1 2; do
		TZ=UTC FAKETIME="@$at" LD_PRELOAD=$FAKETIME_LIB \
		    pms-remind send --exec ./sender -o csv </dev/null \
		    >"out.$j" 2>"err.$j" &
		PIDS+=($!)
	done
	wait_all
	rcs_in 0
	[ "$(wc -l <sent)" -eq 12 ]
	[ "$(sort -u sent | wc -l)" -eq 12 ]
	[ "$(cat out.0 out.1 out.2 | grep -c ',sent,')" -eq 12 ]
	run -0 pms-sql "SELECT count(*), sum(attempts) FROM reminders WHERE status = 'sent'"
	assert_output '12|12'
}

@test "concurrency: a backup while others write is a store that opens and checks, with whole imports" {
	local j k
	for ((k = 0; k < 6; k++)); do
		{
			echo 'mrn,last_name,first_name,date_of_birth'
			for ((j = 0; j < 50; j++)); do
				printf 'B%d-%02d,Backup,%s,1970-01-%02d\n' "$k" "$j" \
				    "$(echo "B${k}x$j" | tr 0-9 a-j)" $((j % 28 + 1))
			done
		} >"imp.$k.csv"
	done
	PIDS=()
	for ((k = 0; k < 6; k++)); do
		pms-patient import "imp.$k.csv" >"out.$k" 2>"err.$k" &
		PIDS+=($!)
	done
	pms-admin backup --out backup.pms >out.6 2>err.6 &
	PIDS+=($!)
	wait_all
	rcs_in 0
	run -0 pms-sql "SELECT count(*) FROM patients WHERE mrn LIKE 'B%'"
	assert_output 300
	# the backup: a store that opens, checks, and holds whole imports
	run -0 pms-admin restore backup.pms --to restored
	PMS_STORE="$BATS_TEST_TMPDIR/restored" run -0 pms-admin check
	PMS_STORE="$BATS_TEST_TMPDIR/restored" run -0 pms-sql "SELECT count(*) % 50 FROM patients WHERE mrn LIKE 'B%'"
	assert_output 0
}

@test "concurrency: an import during reports: the reports see all of it or none" {
	local j
	{
		echo 'mrn,last_name,first_name,date_of_birth'
		for ((j = 0; j < 400; j++)); do
			printf 'R%03d,Report,%s,1960-01-%02d\n' "$j" \
			    "$(echo "R$j" | tr 0-9 a-j)" $((j % 28 + 1))
		done
	} >imp.csv
	PIDS=()
	pms-patient import imp.csv >out.0 2>err.0 &
	PIDS+=($!)
	for ((j = 1; j <= 6; j++)); do
		pms-patient list -o csv >"out.$j" 2>"err.$j" &
		PIDS+=($!)
	done
	wait_all
	rcs_in 0
	# each list: the 16 of the template, with all 400 or none
	for ((j = 1; j <= 6; j++)); do
		n=$(($(wc -l <"out.$j") - 1))
		[ "$n" -eq 16 ] || [ "$n" -eq 416 ] || fail "list $j: $n patients"
	done
	run -0 pms-admin check
}

@test "concurrency: many programs close at once past the WAL's threshold: all finish, the store checks" {
	local j
	# a WAL past its threshold (128 frames), not checkpointed: written
	# while the checkpoint lock is held, so its close skips the
	# checkpoint; then 12 writers close together, each trying the lock
	flock "$STORE.lock.d/checkpoint.lock" pms-sql "CREATE TABLE t_ckpt(x BLOB) STRICT; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300) INSERT INTO t_ckpt SELECT randomblob(3000) FROM c"
	[ "$(stat -c %s "$STORE-wal")" -gt $((128 * 4136)) ]
	PIDS=()
	for ((j = 1; j <= 12; j++)); do
		pms-patient add --mrn "C$j" --last-name Closer \
		    --first-name "$(echo "C$j" | tr 0-9 a-j)" --dob 1991-04-0$((j % 9 + 1)) \
		    >"out.$((j - 1))" 2>"err.$((j - 1))" &
		PIDS+=($!)
	done
	wait_all
	rcs_in 0
	run -0 pms-sql "SELECT count(*) FROM patients WHERE mrn LIKE 'C%'"
	assert_output 12
	run -0 pms-admin check
	# and one maintain leaves the WAL empty
	run -0 pms-admin maintain
	[ ! -s "$STORE-wal" ]
}
