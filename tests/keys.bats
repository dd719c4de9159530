#!/usr/bin/env bats
# bats file_tags=keys
# Keys and identity: users, key files, the keyring for pipelines,
# signed audit entries, rekey, backup and restore.

load helpers/common

setup_file() { make_template; }

setup() {
	use_store
	printf '%s\n' 'bobs own long passphrase' >"$BATS_TEST_TMPDIR/bob"
	printf '%s\n' 'carols own long passphrase' >"$BATS_TEST_TMPDIR/carol"
}

add_user() {	# name role
	PMS_NEW_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/$1" \
	    pms-admin user add "$1" --role "$2" --kdf interactive
}

as() {		# user cmd...
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/$u" "$@"
}

@test "user add, list: roles stored with the slot" {
	run -0 add_user bob front-desk
	run -0 add_user carol clinician,billing
	run -0 pms-admin user list
	assert_line --index 0 --regexp '^id +name +type +roles$'
	assert_line --regexp '^3 +bob +passphrase +front-desk$'
	assert_line --regexp '^4 +carol +passphrase +clinician,billing$'
	run -0 pms-sql "SELECT slot_id, label, kind FROM slot_keys ORDER BY slot_id"
	[ "$output" = $'1|admin|passphrase\n2|recovery|recovery\n3|bob|passphrase\n4|carol|passphrase' ]
}

@test "user add: bad names, unknown roles, duplicates and short passphrases are refused" {
	run -64 --separate-stderr pms-admin user add dave --role surgeon
	assert_stderr '--role: unknown role in "surgeon"'
	run -64 --separate-stderr pms-admin user add dave
	assert_stderr '--role is needed'
	run -65 --separate-stderr add_user 'd ve' front-desk
	assert_stderr 'user name "d ve" is not valid'
	run -0 add_user bob front-desk
	run -1 --separate-stderr add_user bob billing
	assert_stderr 'user "bob" exists'
	printf 'short\n' >"$BATS_TEST_TMPDIR/erin"
	run -65 --separate-stderr add_user erin billing
	assert_stderr 'passphrase too short'
	run -0 pms-sql "SELECT count(*) FROM slot_keys"
	[ "$output" = 3 ]
}

@test "user list: columns as wide as the longest name" {
	local long=dr.bartholomew-fitzgerald@clinic
	printf '%s\n' 'a long name needs a passphrase too' >"$BATS_TEST_TMPDIR/$long"
	run -0 add_user "$long" clinician
	run -0 pms-admin user list
	assert_line --index 0 --regexp '^id   name {29}type {7}roles$'
	assert_line --index 1 --regexp '^1    admin {28}passphrase admin$'
	assert_line --index 3 "3    $long passphrase clinician"
}

@test "user add, keyfile create: a name taken but for case is refused" {
	run -0 add_user bob front-desk
	printf '%s\n' 'another long passphrase' >"$BATS_TEST_TMPDIR/BOB"
	run -1 --separate-stderr add_user BOB billing
	assert_stderr 'pms-admin: user "BOB" is "bob" but for case: names must differ in more than case'
	printf '%s\n' 'another long passphrase' >"$BATS_TEST_TMPDIR/Recovery"
	run -1 --separate-stderr add_user Recovery billing
	assert_stderr '"Recovery" is "recovery" but for case'
	run -1 --separate-stderr pms-admin keyfile create Admin --role billing \
	    --out "$BATS_TEST_TMPDIR/admin.key"
	assert_stderr 'key file name "Admin" is "admin" but for case'
	[ ! -e "$BATS_TEST_TMPDIR/admin.key" ]
	run -0 pms-sql "SELECT count(*) FROM slot_keys"
	[ "$output" = 3 ]
}

@test "only an admin adds users" {
	add_user bob front-desk
	run -77 --separate-stderr as bob env PMS_NEW_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/carol" \
	    pms-admin user add carol --role billing --kdf interactive
	assert_stderr 'user "bob" lacks the admin role'
}

@test "two users on one Unix account each sign their own entries" {
	add_user bob front-desk
	run -0 as bob pms-admin check
	run -0 pms-admin check
	run -0 pms-sql "SELECT a.user, a.slot_id, k.label FROM audit a JOIN slot_keys k USING (slot_id) WHERE a.action = 'store.check' ORDER BY a.id"
	[ "$output" = $'bob|3|bob\nadmin|1|admin' ]
	run -0 pms-admin check
	assert_line "audit log:  5 entries verified"
}

@test "check: an entry signed with someone else's key is caught" {
	add_user bob front-desk
	as bob pms-admin check >/dev/null
	# an insider who holds the data key rewrites the user of bob's entry
	run -0 pms-sql "DROP TRIGGER audit_no_update; UPDATE audit SET slot_id = 1, user = 'admin' WHERE user = 'bob'"
	run -77 --separate-stderr pms-admin check
	assert_stderr 'the access log has been tampered with'
}

@test "user passwd: one's own passphrase, same slot and keys" {
	add_user bob front-desk
	printf '%s\n' 'bobs brand new passphrase' >"$BATS_TEST_TMPDIR/bob2"
	run -0 as bob env PMS_NEW_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/bob2" \
	    pms-admin user passwd --kdf interactive
	keyctl clear @s
	run -77 --separate-stderr as bob pms-admin check
	assert_stderr 'wrong passphrase'
	PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/bob2" PMS_USER=bob run -0 pms-admin check
	run -0 pms-admin user list
	assert_line --regexp '^3 +bob +passphrase +front-desk$'
}

@test "user passwd NAME: an admin resets another's passphrase with a new slot" {
	add_user bob front-desk
	as bob pms-admin check >/dev/null
	printf '%s\n' 'bobs reset passphrase!' >"$BATS_TEST_TMPDIR/bob2"
	run -0 env PMS_NEW_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/bob2" \
	    pms-admin user passwd bob --kdf interactive
	keyctl clear @s
	PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/bob2" PMS_USER=bob run -0 pms-admin check
	run -0 pms-admin user list
	assert_line --regexp '^4 +bob +passphrase +front-desk$'
	# bob's old entries still verify against his old keys
	run -0 pms-admin check
	assert_line --partial 'entries verified'
}

@test "user remove: refuses the recovery slot, the last admin and strangers" {
	run -1 --separate-stderr pms-admin user remove recovery
	assert_stderr 'the recovery slot cannot be removed'
	run -1 --separate-stderr pms-admin user remove admin
	assert_stderr '"admin" is the last admin'
	run -1 --separate-stderr pms-admin user remove nobody
	assert_stderr 'no user "nobody"'
}

@test "keyfile create: a 0400 file that opens the store, never cached" {
	run -0 pms-admin keyfile create cron --role reminder-bot --out "$BATS_TEST_TMPDIR/cron.key"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/cron.key")" = 400 ]
	keyctl clear @s
	PMS_PASSPHRASE_FILE= PMS_KEYFILE="$BATS_TEST_TMPDIR/cron.key" run -0 pms-sql \
	    "SELECT user, action FROM audit ORDER BY id DESC LIMIT 1"
	run -0 pms-admin check	# signature of cron's entry verifies
	PMS_PASSPHRASE_FILE= run -0 pms-admin --keyfile "$BATS_TEST_TMPDIR/cron.key" check
	run -1 keyctl search @s user "pms:v1:$(pms-admin status | awk '/file id/ {print $3}'):3"
	run -0 pms-admin user list
	assert_line --regexp '^3 +cron +keyfile +reminder-bot$'
}

@test "keyfile: a file others can read, a missing file, a foreign file" {
	pms-admin keyfile create cron --role reminder-bot --out "$BATS_TEST_TMPDIR/cron.key"
	cp "$BATS_TEST_TMPDIR/cron.key" "$BATS_TEST_TMPDIR/open.key"
	chmod 0644 "$BATS_TEST_TMPDIR/open.key"
	run -77 --separate-stderr pms-admin --keyfile "$BATS_TEST_TMPDIR/open.key" check
	assert_stderr 'can be read by others: make it 0400'
	run -66 --separate-stderr pms-admin --keyfile "$BATS_TEST_TMPDIR/none.key" check
	assert_stderr 'No such file'
	printf 'pms-keyfile-v1 x %064d\n' 0 >"$BATS_TEST_TMPDIR/fake.key"
	chmod 0400 "$BATS_TEST_TMPDIR/fake.key"
	run -77 --separate-stderr pms-admin --keyfile "$BATS_TEST_TMPDIR/fake.key" check
	assert_stderr 'does not open this store'
	run -1 --separate-stderr pms-admin keyfile create cron --role billing --out "$BATS_TEST_TMPDIR/x.key"
	assert_stderr 'a slot named "cron" exists'
	assert_not_exist "$BATS_TEST_TMPDIR/x.key"
}

@test "unlock: a pipeline of four programs never asks" {
	run -0 --separate-stderr pms-admin unlock --for 5m
	assert_stderr 'unlocked as admin for 5 minutes of idle time'
	unset PMS_PASSPHRASE_FILE
	# each stage also drains what the one before wrote: the programs
	# ignore SIGPIPE and would report a reader that went away (74)
	setsid -w bash -c 'pms-sql "SELECT 1" | { pms-sql "SELECT 2"; cat >/dev/null; } | { pms-admin check; cat >/dev/null; } | { pms-admin status --unlock; cat >/dev/null; }' \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" </dev/null
	run -0 cat "$BATS_TEST_TMPDIR/out"
	assert_line "schema:     $(schema_version)"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action = 'store.check'"
	[ "$output" = 1 ]
}

@test "unlock for one user does not open another's slot" {
	add_user bob front-desk
	keyctl clear @s
	pms-admin unlock --for 5m 2>/dev/null
	unset PMS_PASSPHRASE_FILE
	run -77 --separate-stderr setsid -w pms-admin -u bob check </dev/null
	assert_stderr 'no terminal to ask for the passphrase'
	run -0 setsid -w pms-admin check </dev/null
}

@test "lock ends the unlock, and so does the idle timeout" {
	pms-admin unlock --for 5m 2>/dev/null
	run -0 pms-admin lock
	unset PMS_PASSPHRASE_FILE
	run -77 --separate-stderr setsid -w pms-admin check </dev/null
	assert_stderr 'no terminal'
	PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass" pms-admin unlock --for 1s 2>/dev/null
	sleep 2.5
	run -77 --separate-stderr setsid -w pms-admin check </dev/null
	assert_stderr 'no terminal'
}

@test "unlock: a bad duration is a usage error" {
	run -64 --separate-stderr pms-admin unlock --for soon
	assert_stderr '--for: not a duration: "soon"'
}

@test "four programs started together without unlock: exactly one asks" {
	# count the opens of the passphrase file across all four programs
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run -0 strace -f -qq -e trace=open,openat -o "$BATS_TEST_TMPDIR/trace" \
	    setsid -w bash -c 'pms-sql "SELECT 1" & pms-sql "SELECT 2" &
	    pms-admin check >/dev/null & pms-admin status --unlock >/dev/null &
	    wait' </dev/null
	run -0 grep -c "\"$PMS_PASSPHRASE_FILE\"" "$BATS_TEST_TMPDIR/trace"
	[ "$output" = 1 ]
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action = 'store.check'"
	[ "$output" = 1 ]
}

@test "user remove + rekey: the removed user's passphrase and old slot file open nothing" {
	add_user bob front-desk
	add_user carol billing
	pms-sql "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)"
	pms-admin keyfile create cron --role reminder-bot --out "$BATS_TEST_TMPDIR/cron.key"
	cp "$STORE.keys" "$BATS_TEST_TMPDIR/old.keys"
	cp "$BATS_TEST_TMPDIR/cron.key" "$BATS_TEST_TMPDIR/cron-copy.key"
	run -0 pms-admin user remove bob
	run -0 pms-admin user remove cron
	run -0 pms-admin rekey
	keyctl clear @s
	run -77 --separate-stderr as bob pms-sql "SELECT count(*) FROM t"
	assert_stderr 'no slot for user "bob"'
	PMS_PASSPHRASE_FILE= run -77 --separate-stderr pms-admin --keyfile "$BATS_TEST_TMPDIR/cron-copy.key" check
	assert_stderr 'does not open this store'
	# bob kept the old slot file, where his slot still is
	cp "$STORE.keys" "$BATS_TEST_TMPDIR/new.keys"
	cp "$BATS_TEST_TMPDIR/old.keys" "$STORE.keys"
	run -77 --separate-stderr as bob pms-sql "SELECT count(*) FROM t"
	assert_stderr 'the slot file belongs to a different store'
	cp "$BATS_TEST_TMPDIR/new.keys" "$STORE.keys"
	# carol, added before, opens with the passphrase she always had
	run -0 as carol pms-sql "SELECT count(*) FROM t"
	[ "$output" = 3 ]
	run -0 pms-admin check
	run -0 pms-admin status
	assert_line "generation: 2"
}

@test "rekey: killed at every rename, the store opens with its key and all its data" {
	pms-sql "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)"
	local n=1 rc=137
	while [ $rc -eq 137 ] && [ $n -le 10 ]; do
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
		    -e inject=rename,renameat,renameat2:signal=KILL:when=$n pms-admin rekey
		rc=$status
		keyctl clear @s
		run -0 pms-sql "SELECT count(*) FROM t"
		[ "$output" = 3 ]
		run -0 pms-admin check
		assert_not_exist "$STORE.rekey"
		n=$((n + 1))
	done
	[ $rc -eq 0 ]
	[ $n -gt 3 ]	# it was killed at three renames at least
}

@test "rekey: killed at every fsync and unlink, the store opens with all its data" {
	pms-sql "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)"
	local call n rc
	for call in fsync unlink,unlinkat; do
		n=1 rc=137
		while [ $rc -eq 137 ] && [ $n -le 40 ]; do
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			run strace -f -qq -o /dev/null -e trace=$call \
			    -e inject=$call:signal=KILL:when=$n pms-admin rekey
			rc=$status
			keyctl clear @s
			run -0 pms-sql "SELECT count(*) FROM t"
			[ "$output" = 3 ]
			n=$((n + 1))
		done
		[ $rc -eq 0 ]
	done
	run -0 pms-admin check
}

@test "rekey: refused while another program has the store open" {
	pms-sql "CREATE TABLE t (x)"
	# a query that never ends by itself, so the store stays open for
	# as long as the test needs; wait until it holds the store's lock
	pms-sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c" >/dev/null 3>&- &
	local holder=$!
	local n=0
	until ls -l /proc/$holder/fd 2>/dev/null | grep -q 'store.lock$'; do
		sleep 0.1
		n=$((n + 1))
		[ $n -lt 100 ] || fail "pms-sql never opened the store"
	done
	run -75 --separate-stderr pms-admin rekey
	kill $holder
	wait $holder || true
	assert_stderr 'others are using the store'
	run -0 pms-admin status
	assert_line "generation: 1"
}

@test "backup during writes, restore: consistent, every user and the recovery key open it" {
	add_user bob front-desk
	pms-sql "CREATE TABLE t (n INTEGER, tx INTEGER)"
	( for i in $(seq 1 40); do pms-sql "BEGIN; INSERT INTO t VALUES (1, $i), (2, $i), (3, $i); COMMIT" || exit 1; done ) &
	local writer=$!
	sleep 0.5
	run -0 pms-admin backup --out "$BATS_TEST_TMPDIR/b.pmsbak"
	wait $writer
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/b.pmsbak")" = 600 ]
	run -0 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/b.pmsbak" --to "$BATS_TEST_TMPDIR/r1"
	assert_stderr "restored"
	export PMS_STORE="$BATS_TEST_TMPDIR/r1"
	run -0 pms-admin check
	# all or nothing of each transaction
	run -0 pms-sql "SELECT count(*) FROM (SELECT tx FROM t GROUP BY tx HAVING count(*) <> 3)"
	[ "$output" = 0 ]
	run -0 as bob pms-sql "SELECT count(*) > 0 FROM t"
	[ "$output" = 1 ]
	# only the recovery key
	tr -d '\n' <"$TEMPLATE/recovery" >"$BATS_TEST_TMPDIR/rk"
	PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/rk" run -0 pms-admin --recovery \
	    restore "$BATS_TEST_TMPDIR/b.pmsbak" --to "$BATS_TEST_TMPDIR/r2"
	PMS_STORE="$BATS_TEST_TMPDIR/r2" run -0 pms-admin check
	# side by side: two file ids, two keyring entries
	run -0 pms-admin status
	local id1 id2
	id1=$(pms-admin status | awk '/^file id/ {print $3}')
	id2=$(PMS_STORE="$BATS_TEST_TMPDIR/r2" pms-admin status | awk '/^file id/ {print $3}')
	[ "$id1" != "$id2" ]
	run -0 keyctl search @s user "pms:v1:$id1:1"
	run -0 keyctl search @s user "pms:v1:$id2:1"
	[ "$(keyctl search @s user "pms:v1:$id1:1")" != "$(keyctl search @s user "pms:v1:$id2:1")" ]
}

@test "backup and restore: bad input" {
	run -64 --separate-stderr pms-admin backup
	assert_stderr '--out FILE is needed'
	pms-admin backup --out "$BATS_TEST_TMPDIR/b.pmsbak"
	run -1 --separate-stderr pms-admin backup --out "$BATS_TEST_TMPDIR/b.pmsbak"
	assert_stderr 'already exists'
	run -1 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/b.pmsbak" --to "$STORE"
	assert_stderr 'already exists'
	run -66 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/none" --to "$BATS_TEST_TMPDIR/r"
	printf 'not a backup' >"$BATS_TEST_TMPDIR/junk"
	run -65 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/junk" --to "$BATS_TEST_TMPDIR/r"
	assert_stderr 'not a pms backup'
	add_user bob front-desk
	pms-admin backup --out "$BATS_TEST_TMPDIR/b2.pmsbak"
	run -77 --separate-stderr as bob pms-admin restore "$BATS_TEST_TMPDIR/b2.pmsbak" --to "$BATS_TEST_TMPDIR/r"
	assert_stderr 'only an admin or the recovery key can restore'
	assert_not_exist "$BATS_TEST_TMPDIR/r"
	assert_not_exist "$BATS_TEST_TMPDIR/r.keys"
	# a flipped byte in the backup's database
	cp "$BATS_TEST_TMPDIR/b2.pmsbak" "$BATS_TEST_TMPDIR/bad.pmsbak"
	printf '\xff' | dd of="$BATS_TEST_TMPDIR/bad.pmsbak" bs=1 seek=$(( $(stat -c %s "$BATS_TEST_TMPDIR/bad.pmsbak") - 3000 )) conv=notrunc 2>/dev/null
	run -77 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/bad.pmsbak" --to "$BATS_TEST_TMPDIR/r"
	assert_stderr 'the backup is damaged'
	assert_not_exist "$BATS_TEST_TMPDIR/r"
}

@test "a second Unix account in the store's group opens the store" {
	store_to_public
	chgrp -R users "$PUBLIC"
	chmod 2770 "$PUBLIC"
	chmod 0660 "$STORE" "$STORE.keys"
	chmod 0640 "$PMS_PASSPHRASE_FILE"
	chgrp -R users "$STORE.lock.d"
	run -0 --separate-stderr setpriv --reuid=65534 --regid="$(getent group users | cut -d: -f3)" \
	    --clear-groups pms-admin -S "$STORE" check
	assert_line "integrity:  ok"
	# and one outside the group does not
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups pms-admin -S "$STORE" check
	refute_phi "$stderr"
}

@test "an older slot file put back is refused" {
	add_user bob front-desk
	cp "$STORE.keys" "$BATS_TEST_TMPDIR/old.keys"
	run -0 pms-admin user remove bob
	cp "$BATS_TEST_TMPDIR/old.keys" "$STORE.keys"
	keyctl clear @s
	run -77 --separate-stderr as bob pms-sql "SELECT 1"
	assert_stderr "is older than the store"
	run -77 --separate-stderr pms-admin check
	assert_stderr "an old copy was put back"
}

@test "options a command does not take are refused; portal is not given out" {
	run -64 --separate-stderr pms-admin lock --role billing
	assert_stderr 'lock: option "--role" does not apply'
	run -64 --separate-stderr pms-admin rekey --out x
	assert_stderr 'rekey: option "--out" does not apply'
	run -64 --separate-stderr pms-admin user add pat --role portal
	assert_stderr 'unknown role in "portal"'
	run -64 --separate-stderr pms-admin check --store
	assert_stderr 'option "--store" needs a value'
}

@test "unlock ignores a PMS_KEYFILE meant for cron, refuses --keyfile" {
	pms-admin keyfile create cron --role reminder-bot --out "$BATS_TEST_TMPDIR/cron.key"
	PMS_KEYFILE="$BATS_TEST_TMPDIR/cron.key" run -0 --separate-stderr pms-admin unlock
	assert_stderr 'unlocked as admin'
	run -64 --separate-stderr pms-admin --keyfile "$BATS_TEST_TMPDIR/cron.key" unlock
	assert_stderr 'never cached'
}

@test "status shows the schema while the key is cached, never asks without --unlock" {
	run -0 pms-admin status
	assert_line "schema:     (locked)"
	pms-admin unlock 2>/dev/null
	unset PMS_PASSPHRASE_FILE
	run -0 setsid -w pms-admin status </dev/null
	assert_line "schema:     $(schema_version)"
	pms-admin lock
	run -0 --separate-stderr setsid -w pms-admin status </dev/null
	assert_line "schema:     (locked)"
	[ -z "$stderr" ]
}

@test "backup: what a killed backup left stops no later one; messages name the file given" {
	local d="$BATS_TEST_TMPDIR/bk" b
	mkdir "$d"
	b="$d/b.pmsbak"
	# what a backup killed part-way used to leave beside its file
	touch "$b.db.tmp" "$b.db.tmp-wal" "$b.part"
	run -0 --separate-stderr pms-admin backup --out "$b"
	[ "$(stat -c %a "$b")" = 600 ]
	# and it leaves nothing of its own
	run -0 ls -A "$d"
	assert_output $'b.pmsbak\nb.pmsbak.db.tmp\nb.pmsbak.db.tmp-wal\nb.pmsbak.part'
	run -66 --separate-stderr pms-admin backup --out /nonexistent/b.pmsbak
	assert_stderr 'pms-admin: /nonexistent/b.pmsbak: No such file or directory'
	[[ $stderr != *tmp* ]]
	# a disk that fills (a file size limit here): the file given is named,
	# not the store nor a temp file, and nothing is left
	rm -f "$d"/*
	run -74 --separate-stderr bash -c 'ulimit -f 64; trap "" XFSZ;
	    exec pms-admin backup --out "$1"' _ "$b"
	assert_stderr "pms-admin: $b: copying the store:"
	[[ $stderr != *"$STORE"* && $stderr != *.pmsbak.tmp* ]]
	run -0 ls -A "$d"
	assert_output ''
}

@test "restore: a backup cut short, a disk that fills: said of the files given" {
	local b="$BATS_TEST_TMPDIR/b.pmsbak" r="$BATS_TEST_TMPDIR/r/store"
	mkdir "$BATS_TEST_TMPDIR/r"
	pms-admin backup --out "$b"
	head -c $(($(stat -c %s "$b") / 2)) "$b" >"$BATS_TEST_TMPDIR/half"
	run -77 --separate-stderr pms-admin restore "$BATS_TEST_TMPDIR/half" \
	    --to "$r"
	assert_stderr "pms-admin: $BATS_TEST_TMPDIR/half: the backup is damaged or incomplete (cut short?): it cannot be restored"
	run -0 ls -A "$BATS_TEST_TMPDIR/r"
	assert_output ''
	run -74 --separate-stderr bash -c 'ulimit -f 64; trap "" XFSZ;
	    exec pms-admin restore "$1" --to "$2"' _ "$b" "$r"
	assert_stderr "pms-admin: $r: File too large"
	[[ $stderr != *'No such file'* && $stderr != *.restore* ]]
	run -0 ls -A "$BATS_TEST_TMPDIR/r"
	assert_output ''
}

@test "unlock --for: days, hours and minutes up to a week, told exactly" {
	run -0 --separate-stderr pms-admin unlock --for 90s
	assert_stderr 'unlocked as admin for 90 seconds of idle time'
	run -0 --separate-stderr pms-admin unlock --for 1s
	assert_stderr 'for 1 second of idle time'
	run -0 --separate-stderr pms-admin unlock --for 2h30m
	assert_stderr 'for 2 hours 30 minutes of idle time'
	run -0 --separate-stderr pms-admin unlock --for 1d
	assert_stderr 'for 1 day of idle time'
	run -0 --separate-stderr pms-admin unlock --for 7d
	assert_stderr 'for 7 days of idle time'
	run -64 --separate-stderr pms-admin unlock --for 8d
	assert_stderr '--for: too long: at most 7d (a week)'
	run -64 --separate-stderr pms-admin unlock --for 604801
	assert_stderr '--for: too long: at most 7d (a week)'
	run -64 --separate-stderr pms-admin unlock --for 0
	assert_stderr '--for: it must be more than zero'
	pms-admin lock
}

@test "rekey: waits up to 10 seconds for the others, as its page says" {
	pms-sql "CREATE TABLE t (x)"
	pms-sql "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c" >/dev/null 3>&- &
	local holder=$! n=0
	until ls -l /proc/$holder/fd 2>/dev/null | grep -q 'store.lock$'; do
		sleep 0.1
		n=$((n + 1))
		[ $n -lt 100 ] || fail "pms-sql never opened the store"
	done
	# the other program is done after 4 seconds: within the wait
	(sleep 4; kill $holder) 3>&- &
	run -0 --separate-stderr pms-admin rekey
	wait $holder || true
	run -0 pms-admin status
	assert_line "generation: 2"
}

@test "rekey drops every cached key of the old file id this session holds, a removed user's too" {
	add_user bob front-desk
	add_user carol billing
	keyctl clear @s
	old=$(pms-admin status | awk '/file id/ {print $3}')
	run -0 as bob pms-sql "SELECT 1"
	run -0 as carol pms-sql "SELECT 1"
	run -0 pms-sql "SELECT 1"
	run -0 keyctl search @s user "pms:v1:$old:3"
	run -0 keyctl search @s user "pms:v1:$old:4"
	run -0 keyctl search @s user "pms:v1:$old:1"
	run -0 pms-admin user remove bob
	run -0 pms-admin rekey
	new=$(pms-admin status | awk '/file id/ {print $3}')
	[ "$new" != "$old" ]
	for n in 1 2 3 4; do
		run -1 keyctl search @s user "pms:v1:$old:$n"
	done
	run -0 keyctl list @s
	refute_output --partial "$old"
	# the rekeyer and carol open the store as before
	run -0 pms-admin check
	run -0 as carol pms-sql "SELECT 1"
}

@test "passphrases: a missing PMS_PASSPHRASE_FILE is a missing input (66), the variable and the path named" {
	keyctl clear @s
	run -66 --separate-stderr env PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/nonexistent" \
	    pms-admin check
	assert_stderr "pms-admin: PMS_PASSPHRASE_FILE: $BATS_TEST_TMPDIR/nonexistent: No such file or directory"
	run -66 --separate-stderr env PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/nonexistent" \
	    pms-patient list
	assert_stderr "pms-patient: PMS_PASSPHRASE_FILE: $BATS_TEST_TMPDIR/nonexistent: No such file or directory"
	# a directory, and a file the user cannot read, the same
	run -66 --separate-stderr env PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR" \
	    pms-admin check
	assert_stderr "PMS_PASSPHRASE_FILE: $BATS_TEST_TMPDIR:"
	run -66 --separate-stderr env PMS_NEW_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/nonexistent" \
	    pms-admin user add dave --role front-desk --kdf interactive
	assert_stderr "PMS_NEW_PASSPHRASE_FILE: $BATS_TEST_TMPDIR/nonexistent: No such file or directory"
	run -0 pms-admin user list
	refute_output --partial dave
}

@test "passphrases: --passphrase-fd naming a closed descriptor is refused (64), even while a key is cached" {
	keyctl clear @s
	run -0 pms-admin unlock --for 10m
	run -0 pms-admin check		# the cached key opens it
	run -64 --separate-stderr pms-admin --passphrase-fd 99 check
	assert_stderr 'pms-admin: --passphrase-fd: fd 99 is not open'
	run -64 --separate-stderr pms-admin check --new-passphrase-fd 98
	assert_stderr 'pms-admin: --new-passphrase-fd: fd 98 is not open'
	local p
	for p in pms-patient pms-schedule pms-bill pms-claim pms-remind pms-report pms-audit; do
		run -64 --separate-stderr "$p" --passphrase-fd 99 --help
		assert_stderr "$p: --passphrase-fd: fd 99 is not open"
	done
	run -64 --separate-stderr pms-patient list --passphrase-fd 97
	assert_stderr 'pms-patient: --passphrase-fd: fd 97 is not open'
	# an open one is taken, and the cache still wins
	run -0 pms-patient list --passphrase-fd 0 </dev/null
	pms-admin lock
	run -0 pms-patient list --passphrase-fd 3 3<"$PMS_PASSPHRASE_FILE"
}
