#!/usr/bin/env bats
# bats file_tags=cli
# What every data program gets from lib/cli.c: standard descriptors that
# were closed at start-up never become the store's files, and no output
# option may name one of the store's own files.

load helpers/common

setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template"
	PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin pms-admin -S "$t/store" \
	    config load "$TOP/share/demo/practice.yaml" >/dev/null
	PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin pms-patient \
	    -S "$t/store" add --mrn Zztest-1 --last-name Zztest \
	    --first-name Zebediah --dob 1957-03-14 >/dev/null
	PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin pms-schedule \
	    -S "$t/store" hours set --provider lee --location main \
	    --days all --hours 00:00-24:00
	PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin pms-schedule \
	    -S "$t/store" book --patient 1 --provider lee \
	    --at "$(date -d '+7 days' +%F)T10:00" --type followup >/dev/null
	PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin pms-admin -S "$t/store" \
	    maintain
}

setup() {
	use_store
}

@test "cli: a closed stdout is a write error, and nothing lands in the store's files" {
	run -74 --separate-stderr bash -c 'pms-patient list -o csv >&-'
	assert_stderr 'pms-patient: '
	refute_phi "$stderr"
	run -74 --separate-stderr bash -c \
	    'pms-schedule export --ics --with-names >&-'
	refute_phi "$stderr"
	run -74 --separate-stderr bash -c \
	    'pms-schedule list --with-names -o csv >&-'
	for f in "$STORE.lock.d"/*; do
		run grep -c Zztest "$f"
		[ "$output" = 0 ] || fail "patient data in $f"
	done
	run -0 pms-admin check
	run -0 pms-patient find --name zztest -o csv
	assert_line --partial 'Zztest-1'
}

@test "cli: a closed stdin reads as empty, a closed stderr stays closed" {
	run -0 bash -c 'pms-patient list -o csv <&-'
	assert_line --partial 'Zztest-1'
	run -64 bash -c 'pms-patient list --no-such-option 2>&-'
	[ -z "$output" ]
}

@test "cli: --out naming the store, its WAL, slot file or lock directory is refused" {
	local before
	before=$(sha256sum "$STORE" "$STORE.keys")
	for p in "$STORE" "$STORE-wal" "$STORE-shm" "$STORE.keys" \
	    "$STORE.lock.d/store.lock" "$BATS_TEST_TMPDIR/./store"; do
		run -64 --separate-stderr pms-patient list -o csv --out "$p"
		# the store itself is a pms store; its other files are its own
		[[ $stderr == *"--out: that is one of the store's own files"* ||
		    $stderr == *"--out: that is a pms store, which it would replace"* ||
		    $stderr == *"--out: that is a store's key slots, which it would replace"* ]] ||
		    fail "$p: $stderr"
	done
	# and through a symbolic link
	ln -s "$STORE" "$BATS_TEST_TMPDIR/link"
	run -64 --separate-stderr pms-patient list -o csv \
	    --out "$BATS_TEST_TMPDIR/link"
	[ "$(sha256sum "$STORE" "$STORE.keys")" = "$before" ]
	[ ! -e "$STORE-shm.tmp" ]
	run -0 pms-admin check
	# another file beside the store is fine
	run -0 pms-patient list -o csv --out "$BATS_TEST_TMPDIR/list.csv"
	run -0 grep -c Zztest-1 "$BATS_TEST_TMPDIR/list.csv"
}

@test "cli: --help and --version that cannot be written are 74, every program" {
	local p
	for p in pms-admin pms-patient pms-schedule pms-bill pms-remind \
	    pms-claim pms-audit; do
		run -74 --separate-stderr sh -c "$p --help >/dev/full"
		assert_stderr "$p: write error on standard output: No space left on device"
		run -74 --separate-stderr sh -c "$p -h >/dev/full"
		run -74 --separate-stderr sh -c "$p --version >/dev/full"
		assert_stderr "$p: write error on standard output: No space left on device"
		run -0 sh -c "$p --help >/dev/null"
	done
}
