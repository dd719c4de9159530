# Shared set-up for every Bats file: the Bats libraries, the build
# directory first on PATH, and a template store made once per file
# (interactive KDF: a moderate unlock per test would take the suite
# past CI's time) and copied into each test's own directory.

bats_require_minimum_version 1.5.0
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load '/usr/lib/bats/bats-file/load'

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD_DIR="$TOP/${BUILD:-build}"
PATH="$BUILD_DIR:$PATH"
export PATH
unset PMS_STORE PMS_USER PMS_PASSPHRASE_FILE
# a table's room is 80 columns, whatever terminal ran the suite
unset COLUMNS
# what the tests write (passphrase files) is theirs alone, as it should
# be: the programs warn about a passphrase file others can read
umask 077

# Debian's bats-assert 2.1.0 has no assert_stderr: stderr contains $1;
# with "-", each line of standard input is part of stderr, in their
# order (a file named by its full path still matches "in.csv: line 2").
assert_stderr() {
	local want=$1 line rest ok=1
	if [ "$want" = - ]; then
		want=$(cat)
		rest=$stderr
		while IFS= read -r line; do
			if [[ $rest != *"$line"* ]]; then
				ok=0
				break
			fi
			rest=${rest#*"$line"}
		done <<<"$want"
	elif [[ $stderr != *"$want"* ]]; then
		ok=0
	fi
	if [ "$ok" -eq 0 ]; then
		batslib_print_kv_single_or_multi 8 'expected' "$want" \
		    'stderr' "$stderr" | batslib_decorate 'stderr differs' |
		    fail
	fi
}

# No marker of patient data may ever reach stderr or a log.
refute_phi() {
	local m
	while IFS= read -r m; do
		[[ -z $m || $m == \#* ]] && continue
		if [[ $1 == *"$m"* ]]; then
			fail "patient data marker \"$m\" in output"
		fi
	done <"$TOP/tests/helpers/phi-markers"
}

# Make the file's template store: user "admin", passphrase in a file.
make_template() {
	export TEMPLATE="$BATS_FILE_TMPDIR/template"
	mkdir -p "$TEMPLATE"
	printf '%s\n' 'correct horse battery staple' >"$TEMPLATE/pass"
	PMS_PASSPHRASE_FILE="$TEMPLATE/pass" PMS_USER=admin \
	    pms-admin -S "$TEMPLATE/store" init --kdf interactive \
	    >"$TEMPLATE/recovery" 2>/dev/null
	PMS_PASSPHRASE_FILE="$TEMPLATE/pass" PMS_USER=admin \
	    pms-admin -S "$TEMPLATE/store" maintain
}

# Copy the template into this test's directory and point PMS_* at it.
use_store() {
	TEMPLATE="$BATS_FILE_TMPDIR/template"
	STORE="$BATS_TEST_TMPDIR/store"
	cp "$TEMPLATE/store" "$TEMPLATE/store.keys" "$BATS_TEST_TMPDIR/"
	mkdir -m 2770 "$STORE.lock.d"
	cp "$TEMPLATE/pass" "$BATS_TEST_TMPDIR/pass"
	export PMS_STORE="$STORE" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	# each test starts locked: every copy of the template shares its
	# file id, so a key cached by one test would open the next one's
	keyctl clear @s >/dev/null 2>&1 || true
}

# A directory another user can reach (Bats' own are 0700 root), for
# tests that run a command as an unprivileged user; removed in teardown.
public_dir() {
	PUBLIC=$(mktemp -d /tmp/pms-test.XXXXXX)
	chmod 0711 "$PUBLIC"
	echo "$PUBLIC" >>"$BATS_TEST_TMPDIR/.public"
}

teardown() {
	# a test that failed with start_blocked's command still waiting
	if [ -f "$BATS_TEST_TMPDIR/.blocked" ]; then
		kill "$(cat "$BATS_TEST_TMPDIR/.blocked")" 2>/dev/null || true
	fi
	if [ -f "$BATS_TEST_TMPDIR/.public" ]; then
		xargs -r rm -rf <"$BATS_TEST_TMPDIR/.public"
	fi
}

# Copy this test's store into a public directory; sets STORE there.
store_to_public() {
	public_dir
	cp "$STORE" "$STORE.keys" "$PUBLIC/"
	mkdir -m 2770 "$PUBLIC/store.lock.d"
	cp "$PMS_PASSPHRASE_FILE" "$PUBLIC/pass"
	chmod 0644 "$PUBLIC/pass"
	STORE="$PUBLIC/store"
	export PMS_STORE="$STORE" PMS_PASSPHRASE_FILE="$PUBLIC/pass"
}

# The schema version a store opened now has: the highest migration.
schema_version() {
	local last
	last=$(cd "$TOP/share/sql" && ls -- *.sql | sort | tail -n 1)
	echo $((10#${last%%-*}))
}

# Run "$@" with its standard output into a pipe that is read one byte
# and then left full, as under "| less" or a stalled ssh: the command
# waits in its write meanwhile.  A read that writes while it holds the
# store's write lock blocks every other program then (pms_read_run in
# lib/audit.h): test that others write at once, then finish_blocked
# drains the rest into $BLOCKED_OUT and waits for the command.
start_blocked() {
	rm -f "$BATS_TEST_TMPDIR/blocked.fifo"
	mkfifo "$BATS_TEST_TMPDIR/blocked.fifo"
	"$@" >"$BATS_TEST_TMPDIR/blocked.fifo" \
	    2>"$BATS_TEST_TMPDIR/blocked.err" 3>&- &
	BLOCKED_PID=$!
	echo "$BLOCKED_PID" >"$BATS_TEST_TMPDIR/.blocked"
	# fd 7: Bats keeps 3 for itself
	exec 7<"$BATS_TEST_TMPDIR/blocked.fifo"
	head -c 1 <&7 >/dev/null
}

finish_blocked() {
	BLOCKED_OUT="$BATS_TEST_TMPDIR/blocked.out"
	cat <&7 >"$BLOCKED_OUT"
	exec 7<&-
	wait "$BLOCKED_PID"
	local rc=$?
	rm -f "$BATS_TEST_TMPDIR/.blocked"
	return "$rc"
}

# faketime TIME CMD...: CMD with its clock started at TIME (any form
# date -d reads, in the TZ of the test), through libfaketime itself.
# The faketime wrapper makes a named semaphore of its own pid, and a
# wrapper of a recycled pid whose semaphore another left behind dies
# with "sem_open: File exists": under a loaded machine, a flaky test.
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null |
    head -n 1)
faketime() {
	local at

	# as seconds since the epoch, so that a TZ the command sets for
	# itself reads the same instant
	at=$(date -d "$1" +%s) || return 70
	shift
	FAKETIME="@$at" FAKETIME_FMT=%s \
	    LD_PRELOAD="$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
	    FAKETIME_DONT_RESET=1 "$@"
}
