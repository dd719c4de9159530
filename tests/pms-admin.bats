#!/usr/bin/env bats
# bats file_tags=pms-admin
# pms-admin: init, status, check, maintain -- good input and bad.

load helpers/common

setup_file() { make_template; }

setup() { use_store; }

audit_actions() {
	pms-sql "SELECT action FROM audit ORDER BY id" >"$BATS_TEST_TMPDIR/actions"
	cat "$BATS_TEST_TMPDIR/actions"
}

@test "--help prints usage on stdout and exits 0" {
	run -0 --separate-stderr pms-admin --help
	[[ $output == "usage: pms-admin "* ]]
	[[ $output == *"pms-admin init [--kdf interactive|moderate]"* ]]
	[ -z "$stderr" ]
}

@test "--version prints the version" {
	run -0 pms-admin --version
	[[ $output =~ ^pms-admin\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "no command is a usage error on stderr" {
	run -64 --separate-stderr pms-admin
	[ -z "$output" ]
	[[ $stderr == "usage: pms-admin "* ]]
}

@test "an unknown command is named" {
	run -64 --separate-stderr pms-admin frobnicate
	assert_stderr 'pms-admin: unknown command "frobnicate"'
}

@test "an unknown option is a usage error" {
	run -64 --separate-stderr pms-admin check --frobnicate
	assert_stderr 'usage: pms-admin'
}

@test "--passphrase-fd must be a file descriptor" {
	run -64 --separate-stderr pms-admin --passphrase-fd x3 check
	assert_stderr '--passphrase-fd: not a file descriptor: "x3"'
}

@test "init: creates the store, slot file and lock directory, 0660/2770" {
	local s="$BATS_TEST_TMPDIR/new/practice.pms"
	mkdir "$BATS_TEST_TMPDIR/new"
	run -0 --separate-stderr pms-admin -S "$s" -u lee init --kdf interactive
	[[ $output =~ ^([A-Z2-7]{5}-){10}[A-Z2-7]{5}$ ]]
	assert_stderr "created the store $s"
	[ "$(stat -c %a "$s")" = 660 ]
	[ "$(stat -c %a "$s.keys")" = 660 ]
	[ "$(stat -c %a "$s.lock.d")" = 2770 ]
	run -0 pms-sql -S "$s" -u lee "SELECT user, action FROM audit"
	[ "$output" = "lee|store.init" ]
	run -0 pms-sql -S "$s" -u lee "SELECT label, kind FROM slot_keys ORDER BY slot_id"
	[ "$output" = $'lee|passphrase\nrecovery|recovery' ]
}

@test "init: the passphrase can come from --passphrase-fd" {
	local s="$BATS_TEST_TMPDIR/fd.pms"
	unset PMS_PASSPHRASE_FILE
	run -0 pms-admin -S "$s" --passphrase-fd 3 init --kdf interactive \
	    3<"$BATS_TEST_TMPDIR/pass"
	run -0 pms-sql -S "$s" --passphrase-fd 3 "SELECT count(*) FROM audit" \
	    3<"$BATS_TEST_TMPDIR/pass"
	[ "$output" = 1 ]
}

@test "init: an existing store is refused and left as it was" {
	local before
	before=$(sha256sum "$STORE" "$STORE.keys")
	run -1 --separate-stderr pms-admin init --kdf interactive
	assert_stderr "already exists"
	[ "$(sha256sum "$STORE" "$STORE.keys")" = "$before" ]
	run -0 pms-sql "SELECT count(*) FROM audit"
}

@test "init: a short passphrase is refused and nothing is left behind" {
	local d="$BATS_TEST_TMPDIR/short"
	mkdir "$d"
	printf 'too short\n' >"$d/pass"
	PMS_PASSPHRASE_FILE="$d/pass" run -65 --separate-stderr \
	    pms-admin -S "$d/s.pms" init --kdf interactive
	assert_stderr "passphrase too short"
	[ -z "$(ls -A "$d" | grep -v '^pass$')" ]
}

@test "init: a missing directory is exit 66" {
	run -66 --separate-stderr pms-admin -S "$BATS_TEST_TMPDIR/no/such/s.pms" \
	    init --kdf interactive
	assert_stderr "no such directory"
}

@test "init: an unknown --kdf is a usage error" {
	run -64 --separate-stderr pms-admin -S "$BATS_TEST_TMPDIR/k.pms" init --kdf fast
	assert_stderr '--kdf: expected interactive or moderate, not "fast"'
	assert_not_exist "$BATS_TEST_TMPDIR/k.pms"
}

@test "init: with no passphrase source and no terminal, nothing is made" {
	unset PMS_PASSPHRASE_FILE
	run -77 --separate-stderr setsid -w pms-admin -S "$BATS_TEST_TMPDIR/t.pms" \
	    init --kdf interactive </dev/null
	assert_stderr "no terminal"
	assert_not_exist "$BATS_TEST_TMPDIR/t.pms"
	assert_not_exist "$BATS_TEST_TMPDIR/t.pms.keys"
	assert_not_exist "$BATS_TEST_TMPDIR/t.pms.lock.d"
}

@test "init: no store given is a usage error" {
	unset PMS_STORE
	run -64 --separate-stderr pms-admin init --kdf interactive
	assert_stderr "no store given: use --store PATH or set PMS_STORE"
}

@test "status: locked, it shows the slots but not the schema, without a passphrase" {
	unset PMS_PASSPHRASE_FILE
	run -0 --separate-stderr pms-admin status </dev/null
	assert_line "store:      $STORE"
	assert_line "schema:     (locked)"
	assert_line "slot:       1 admin passphrase admin"
	assert_line "slot:       2 recovery recovery admin"
	assert_line --regexp '^file id:    [0-9a-f]{16}$'
}

@test "status --unlock shows the schema version" {
	run -0 pms-admin status --unlock
	assert_line "schema:     $(schema_version)"
}

@test "status: a missing store is exit 66" {
	run -66 --separate-stderr pms-admin -S "$BATS_TEST_TMPDIR/none" status
	assert_stderr "no such store"
}

@test "check: reports pages, frames and the audit log, and logs itself" {
	run -0 --separate-stderr pms-admin check
	assert_line --regexp '^pages: +[0-9]+ authenticated$'
	assert_line --regexp '^wal frames: +[0-9]+ authenticated$'
	assert_line "integrity:  ok"
	assert_line "audit log:  2 entries verified"
	run -0 audit_actions
	[ "$output" = $'store.init\nstore.maintain\nstore.check' ]
}

@test "maintain: empties the WAL and logs itself" {
	pms-sql "CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(50000))"
	[ "$(stat -c %s "$STORE-wal")" -gt 0 ]
	run -0 --separate-stderr pms-admin maintain
	[ -z "$output" ]
	[ "$(stat -c %s "$STORE-wal")" -eq 0 ]
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	[ "$output" = store.maintain ]
	run -0 pms-sql "SELECT length(x) FROM t"
	[ "$output" = 50000 ]
}

@test "a user without a slot is refused" {
	run -77 --separate-stderr pms-admin -u nobody-here check
	assert_stderr 'no slot for user "nobody-here"'
}

@test "wrong passphrase: exit 77, and nothing logged" {
	printf 'wrong horse battery staple\n' >"$BATS_TEST_TMPDIR/bad"
	PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/bad" run -77 --separate-stderr \
	    pms-admin check
	assert_stderr "pms-admin: wrong passphrase"
	run -0 pms-sql "SELECT count(*) FROM audit"
	[ "$output" = 2 ]
}

@test "a store another user cannot read is refused with 77" {
	store_to_public
	chmod 0600 "$STORE" "$STORE.keys"
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups pms-admin -S "$STORE" check
	assert_stderr "Permission denied"
}

@test "a read-only store: the access log cannot be written, exit 77" {
	store_to_public
	chmod 0644 "$STORE" "$STORE.keys"
	chmod 0777 "$STORE.lock.d"
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups pms-admin -S "$STORE" check
	assert_stderr "$STORE: the store is read-only: the access log cannot be written"
	refute_phi "$stderr"
}

@test "init: a recovery key that cannot be written leaves no store (74)" {
	local d="$BATS_TEST_TMPDIR/new" s
	mkdir "$d"
	s="$d/p.pms"
	run -74 --separate-stderr bash -c "pms-admin -S '$s' init \
	    --kdf interactive >/dev/full"
	assert_stderr 'pms-admin: the recovery key could not be written to standard output (No space left on device): the store was not created'
	[[ $stderr != *'created the store'* ]]
	[ -z "$(ls -A "$d")" ]
	run -74 --separate-stderr bash -c "pms-admin -S '$s' init \
	    --kdf interactive >&-"
	[ -z "$(ls -A "$d")" ]
	# the key first, then the word that the store is there
	run -0 --separate-stderr pms-admin -S "$s" init --kdf interactive
	[[ $output =~ ^([A-Z2-7]{5}-){10}[A-Z2-7]{5}$ ]]
	assert_stderr "pms-admin: created the store $s"
	assert_stderr 'the recovery key above is shown only this once'
}

@test "lock: a missing store is 66, as status and check say" {
	run -66 --separate-stderr pms-admin -S "$BATS_TEST_TMPDIR/none.pms" lock
	assert_stderr "none.pms: no such store"
	run -66 --separate-stderr pms-admin -S "$BATS_TEST_TMPDIR/none.pms" status
}

@test "passphrases: too long is bad input (65) with the limit; one others can read is warned of" {
	head -c 1024 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/long"
	echo >>"$BATS_TEST_TMPDIR/long"
	run -65 --separate-stderr env PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/long" \
	    pms-admin check
	assert_stderr 'PMS_PASSPHRASE_FILE: passphrase too long: at most 1023 bytes'
	run -65 --separate-stderr pms-admin --passphrase-fd 5 check \
	    5<"$BATS_TEST_TMPDIR/long"
	assert_stderr 'fd 5: passphrase too long: at most 1023 bytes'
	# 1023 bytes fit: the passphrase is wrong, not too long
	head -c 1023 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/max"
	run -77 --separate-stderr env PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/max" \
	    pms-admin check
	[[ $stderr != *'too long'* ]]
	chmod 0644 "$PMS_PASSPHRASE_FILE"
	run -0 --separate-stderr pms-admin check
	assert_stderr "warning: PMS_PASSPHRASE_FILE: $PMS_PASSPHRASE_FILE can be read by others (mode 0644): chmod 600 it"
	chmod 0600 "$PMS_PASSPHRASE_FILE"
	run -0 --separate-stderr pms-admin check
	[[ $stderr != *warning* ]]
}

@test "a store without its slot file is refused and nothing is made beside it" {
	rm -rf "$STORE.keys" "$STORE.lock.d"
	run -77 --separate-stderr pms-admin check
	assert_stderr "slot file \"$STORE.keys\" is missing"
	[ ! -e "$STORE.lock.d" ]
}

@test "config load -: a pipe, /dev/stdin and a file on standard input are read like every other reader's; a directory is 66" {
	run -0 --separate-stderr pms-admin config load - \
	    < <(cat "$TOP/share/demo/practice.yaml")
	assert_stderr 'pms-admin: standard input: loaded; changed:'
	run -0 pms-sql "SELECT count(*) FROM providers WHERE last_name = 'Leigh'"
	assert_output 0
	# a changed name through a pipe, as /dev/stdin
	run -0 --separate-stderr pms-admin config load /dev/stdin \
	    < <(sed 's/last_name: Lee$/last_name: Leigh/' \
	    "$TOP/share/demo/practice.yaml")
	assert_stderr 'pms-admin: /dev/stdin: loaded; changed: providers'
	run -0 pms-sql "SELECT count(*) FROM providers WHERE last_name = 'Leigh'"
	assert_output 1
	# a file redirected: back as it was, then nothing to do
	run -0 --separate-stderr pms-admin config load - \
	    <"$TOP/share/demo/practice.yaml"
	assert_stderr 'standard input: loaded; changed: providers'
	run -0 --separate-stderr pms-admin config load - \
	    <"$TOP/share/demo/practice.yaml"
	assert_stderr 'standard input: the store holds this configuration already'
	run -0 pms-sql "SELECT count(*) FROM providers WHERE last_name = 'Leigh'"
	assert_output 0
	# bad YAML on a pipe: 78, named "standard input"
	run -78 --separate-stderr pms-admin config load - < <(echo 'practice: [')
	assert_stderr 'pms-admin: standard input:'
	run -66 --separate-stderr pms-admin config load "$BATS_TEST_TMPDIR"
	assert_stderr 'not a file'
}

@test "init at a terminal: passphrases that differ, or one too short, are bad input (65) and make nothing" {
	local d="$BATS_TEST_TMPDIR/t"
	mkdir -m 2770 "$d"
	run -65 env -u PMS_PASSPHRASE_FILE PMS_USER=admin \
	    "$TOP/tests/helpers/askpty.py" 'a first long passphrase' \
	    'a second long passphrase' -- pms-admin -S "$d/q.pms" init \
	    --kdf interactive
	assert_output --partial 'Again: '
	assert_output --partial 'pms-admin: the passphrases do not match'
	[ -z "$(ls -A "$d")" ]
	run -65 env -u PMS_PASSPHRASE_FILE PMS_USER=admin \
	    "$TOP/tests/helpers/askpty.py" 'short' 'short' -- \
	    pms-admin -S "$d/q.pms" init --kdf interactive
	assert_output --partial 'passphrase too short'
	[ -z "$(ls -A "$d")" ]
	# the same twice: made, and it opens with that passphrase
	run -0 env -u PMS_PASSPHRASE_FILE PMS_USER=admin \
	    "$TOP/tests/helpers/askpty.py" 'a first long passphrase' \
	    'a first long passphrase' -- pms-admin -S "$d/q.pms" init \
	    --kdf interactive
	printf '%s\n' 'a first long passphrase' >"$d/pass"
	chmod 600 "$d/pass"
	keyctl clear @s
	run -0 env PMS_PASSPHRASE_FILE="$d/pass" pms-admin -S "$d/q.pms" check
}
