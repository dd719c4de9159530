#!/usr/bin/env bats
# bats file_tags=badinput
# The bad-input sweep: every program that reads a file or standard
# input, fed an empty input, a binary file, a 10 MB line, invalid
# UTF-8, a header only and unknown columns; every program's output
# into a closed pipe (more than 64 KiB, SIGPIPE ignored: 74), into a
# full device (/dev/full: 74) and past a limit on file size (ulimit -f
# with SIGXFSZ ignored: EFBIG, 74); a missing store (66) and one the
# user cannot write (77, the access log).  Each time: the exit code of
# DESIGN.md, messages that start with the program's name, never a
# crash, never a marker of tests/helpers/phi-markers on stderr, and
# nothing half-written: the store's tables as they were (but the
# access log, which records refusals), and `pms-admin check` passes.

load helpers/common

setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" j
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 00:00-24:00
	pms-patient add --mrn 000104 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 >/dev/null 2>&1
	# 1500 patients: lists of more than 64 KiB; 240 owe a visit
	awk 'BEGIN {
		print "mrn,last_name,first_name,dob,street,city,state,zip"
		for (i = 0; i < 1500; i++)
			printf "B%05d,Bulk,Pat%c%c,1980-01-%02d,1 Elm Street,Springfield,OH,45501\n",
			    i, 97 + i % 26, 97 + int(i / 26) % 26, i % 28 + 1
	}' >"$t/bulk.csv"
	pms-patient import "$t/bulk.csv" >/dev/null 2>&1
	{
		echo 'patient_id,date_of_service,provider,location,code,dx,source_id'
		for ((j = 2; j < 242; j++)); do
			printf '%d,%s,lee,main,99213,E11.9,bad-%d\n' "$j" \
			    "$(TZ=America/New_York date -d '-3 days' +%F)" "$j"
		done
	} >"$t/charges.csv"
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	pms-bill charge "$t/charges.csv" >/dev/null
	pms-admin maintain
	# the inputs
	local in="$BATS_FILE_TMPDIR/in"
	mkdir -p "$in"
	: >"$in/empty"
	head -c 4096 /dev/urandom >"$in/binary"
	printf '\0\0\0ELF\1\2\0\0' >>"$in/binary"
	{ printf 'mrn,last_name\n1,'; head -c $((10 * 1024 * 1024)) /dev/zero |
	    tr '\0' a; echo; } >"$in/longline"
	printf 'mrn,last_name,first_name,dob\n1,\xff\xfeZztest,Pat,1980-01-01\n' \
	    >"$in/badutf8"
	printf 'mrn,last_name,first_name,dob\n' >"$in/header"
	printf 'frobnicate,wibble\n1,2\n' >"$in/unknown"
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	IN="$BATS_FILE_TMPDIR/in"
	cd "$BATS_TEST_TMPDIR"
}

# Every table's rows but the access log's, as one line of counts.
fingerprint() {
	pms-sql "SELECT group_concat(name, ' ') FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'audit%' AND name NOT LIKE 'sqlite_%'" |
	    tr ' ' '\n' | while read -r t; do
		printf '%s=%s ' "$t" "$(pms-sql "SELECT count(*) FROM \"$t\"")"
	done
}

# Each line of stderr starts with the program's name (or is usage).
named() {
	local prog=$1 line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		[[ $line == "$prog: "* || $line == 'usage: '* || $line == '  '* ]] ||
		    fail "a message that does not name $prog: $line"
	done <<<"$2"
}

# The readers of records and files, each as it takes a file.
READERS=(
	'pms-patient import'
	'pms-schedule import'
	'pms-schedule book -'
	'pms-bill charge'
	'pms-bill pay'
	'pms-bill fees import'
	'pms-bill opening-balance import'
	'pms-remind mark'
	'pms-admin config load'
	'pms-admin codes load'
	'pms-claim inspect'
	'pms-audit verify-export'
)

# sweep INPUT CODE...: every reader on $IN/INPUT exits one of CODE...
sweep() {
	local input=$1 c rc ok want before after
	shift
	before=$(fingerprint)
	for c in "${READERS[@]}"; do
		rc=0
		read -ra cmd <<<"$c"
		if [ "${cmd[-1]}" = - ]; then
			"${cmd[@]}" <"$IN/$input" >out 2>err || rc=$?
		else
			"${cmd[@]}" "$IN/$input" >out 2>err </dev/null || rc=$?
		fi
		ok=0
		for want in "$@"; do
			[ "$rc" -eq "$want" ] && ok=1
		done
		[ "$ok" -eq 1 ] || fail "$c $input: exit $rc: $(head -c 400 err)"
		[ "$rc" -eq 0 ] || [ -s err ] || fail "$c $input: exit $rc, no message"
		named "${cmd[0]}" "$(cat err)"
		refute_phi "$(cat err)"
	done
	after=$(fingerprint)
	[ "$before" = "$after" ] || fail "$input: the store changed: $before -> $after"
	run -0 pms-admin check
}

@test "bad input: an empty input: nothing to do, or refused as no input at all" {
	sweep empty 0 65 78
}

@test "bad input: a binary file is refused (65, a configuration 78)" {
	sweep binary 65 78
}

@test "bad input: a line of 10 MB is refused, not read whole" {
	sweep longline 65 78
}

@test "bad input: invalid UTF-8 is refused, the bytes never echoed" {
	sweep badutf8 65 78
	run -65 --separate-stderr pms-patient import "$IN/badutf8"
	assert_stderr 'line 2: last_name: not valid UTF-8'
}

# bats test_tags=valgrind
@test "bad input: a header only: nothing to do" {
	sweep header 0 65 78
	run -0 --separate-stderr pms-patient import "$IN/header"
	assert_stderr 'no rows'
}

@test "bad input: unknown columns are refused by name, never imported" {
	sweep unknown 65 78
}

# bats test_tags=valgrind
@test "bad input: pms-bill pay names itself in each bad row's message" {
	# its rows' messages went out with garbage for the program's name
	run -65 --separate-stderr pms-bill pay "$IN/unknown"
	assert_stderr - <<EOF
pms-bill: $IN/unknown: line 2: frobnicate: not a column pms-bill reads here (a misspelt name would pass unread)
pms-bill: 1 bad row; nothing was written
EOF
}

# ---- output that cannot be written ----

# The readers whose output is more than 64 KiB here.
WRITERS=(
	'pms-patient list -o json'
	'pms-patient export -o csv'
	'pms-bill list -o json'
	'pms-bill statement --all'
)

@test "closed output: | head -1 on more than 64 KiB: 74, said once, SIGPIPE ignored" {
	local c rc
	for c in "${WRITERS[@]}"; do
		read -ra cmd <<<"$c"
		"${cmd[@]}" 2>err | head -n 1 >/dev/null
		rc=${PIPESTATUS[0]}
		[ "$rc" -eq 74 ] || fail "$c: exit $rc: $(cat err)"
		grep -q 'standard output' err || fail "$c: $(cat err)"
		[ "$(wc -l <err)" -eq 1 ] || fail "$c: $(cat err)"
		named "${cmd[0]}" "$(cat err)"
	done
	# the statements were not delivered: no run recorded
	run -0 pms-sql 'SELECT count(*) FROM statement_runs'
	assert_output 0
	run -0 pms-admin check
}

@test "full device: output to /dev/full is 74, nothing recorded as delivered" {
	local c rc
	for c in "${WRITERS[@]}"; do
		read -ra cmd <<<"$c"
		rc=0
		"${cmd[@]}" >/dev/full 2>err || rc=$?
		[ "$rc" -eq 74 ] || fail "$c: exit $rc: $(cat err)"
		grep -q 'No space left on device\|disk full' err ||
		    fail "$c: $(cat err)"
		named "${cmd[0]}" "$(cat err)"
	done
	run -0 pms-sql 'SELECT count(*) FROM statement_runs'
	assert_output 0
}

@test "a limit on file size (ulimit -f, SIGXFSZ ignored): EFBIG is 74, told so, the store intact" {
	local before
	# an --out file past the limit (the export, ~375 KiB; the store's
	# WAL stays under it): nothing of it is left
	run -74 --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 200;
	    exec pms-patient export -o csv --out export.csv'
	assert_stderr 'File too large'
	[ ! -e export.csv ]
	named pms-patient "$stderr"
	# (the export is recorded before it is written, as reads are)
	before=$(fingerprint)
	# the store's own files past it: the store says so, not "disk I/O"
	run -74 --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 16;
	    exec pms-patient add --mrn X1 --last-name Q --first-name R --dob 1990-01-01'
	assert_stderr 'file too large (a limit on the size of files: ulimit -f)'
	s=$(($(stat -c %s "$STORE-wal" 2>/dev/null || echo 0) / 1024 + 8))
	run -74 --separate-stderr bash -c "trap '' XFSZ; ulimit -f $s;
	    exec pms-bill charge $BATS_FILE_TMPDIR/template/charges.csv"
	[[ $stderr == *'file too large'* || $stderr == *'File too large'* ]]
	[ "$before" = "$(fingerprint)" ]
	run -0 pms-admin check
}

# ---- the store missing, or not writable ----

# A read of each program, which opens the store.
OPENERS=(
	'pms-patient list'
	'pms-schedule list'
	'pms-bill list'
	'pms-remind log'
	'pms-audit log'
	'pms-admin check'
)

# bats test_tags=valgrind
@test "a missing store: 66 from every program, naming it" {
	local c rc
	for c in "${OPENERS[@]}"; do
		read -ra cmd <<<"$c"
		rc=0
		PMS_STORE="$BATS_TEST_TMPDIR/nowhere" "${cmd[@]}" >out 2>err || rc=$?
		[ "$rc" -eq 66 ] || fail "$c: exit $rc: $(cat err)"
		grep -q 'nowhere: no such store' err || fail "$c: $(cat err)"
		named "${cmd[0]}" "$(cat err)"
	done
}

# bats test_tags=valgrind
@test "a read-only store: 77, the access log cannot be written, from every program" {
	store_to_public
	chmod 0644 "$STORE" "$STORE.keys"
	local c rc
	for c in "${OPENERS[@]}"; do
		read -ra cmd <<<"$c"
		rc=0
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    "${cmd[@]}" >out 2>err || rc=$?
		[ "$rc" -eq 77 ] || fail "$c: exit $rc: $(cat err)"
		grep -q 'the store is read-only: the access log cannot be written' err ||
		    fail "$c: $(cat err)"
		named "${cmd[0]}" "$(cat err)"
		refute_phi "$(cat err)"
	done
}

@test "bad input: 150 bad rows: the first 100 messages, then how many more; the exit code and the rejects file whole" {
	local c rc before after
	yes '{}' | head -n 150 >many.jsonl
	before=$(fingerprint)
	for c in 'pms-patient import' 'pms-patient policy import' \
	    'pms-schedule import' 'pms-bill charge' 'pms-bill pay' \
	    'pms-bill fees import' 'pms-bill opening-balance import' \
	    'pms-remind mark' 'pms-admin codes load'; do
		read -ra cmd <<<"$c"
		rc=0
		"${cmd[@]}" many.jsonl >out 2>err </dev/null || rc=$?
		[ "$rc" -eq 65 ] || fail "$c: exit $rc: $(tail -3 err)"
		[ "$(grep -c ': line [0-9]*: ' err)" -eq 100 ] ||
		    fail "$c: not 100 messages of rows: $(wc -l <err)"
		grep -qE -- '^[a-z-]+: \.\.\. and [0-9]+ more messages? about rows, not shown \(the first 100 are\)$' err ||
		    fail "$c: no count of the rest: $(tail -2 err)"
		[ "$(tail -n 1 err | grep -c 'more message')" -eq 1 ] ||
		    fail "$c: the count is not the last line"
		[ "$(wc -l <err)" -le 103 ] || fail "$c: $(wc -l <err) lines"
		named "${cmd[0]}" "$(cat err)"
	done
	after=$(fingerprint)
	[ "$before" = "$after" ] || fail "the store changed: $before -> $after"
	# 150 bad rows of a charge file, every one in --skip-invalid FILE
	run -0 --separate-stderr pms-bill charge many.jsonl --skip-invalid rej.jsonl
	[ "$(wc -l <rej.jsonl)" -eq 150 ]
	assert_stderr 'and 50 more messages about rows'
	# 100 messages: no count
	head -n 100 many.jsonl >hundred.jsonl
	run -65 --separate-stderr pms-bill charge hundred.jsonl
	[ "$(grep -c ': line [0-9]*: ' <<<"$stderr")" -eq 100 ]
	run -1 grep -F 'more message' <<<"$stderr"
}
