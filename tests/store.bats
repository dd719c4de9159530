#!/usr/bin/env bats
# bats file_tags=store
# The encrypted store keeps its promises (../shared/STORE.md 4.11): no
# patient data in any file, every tampered page or WAL frame refused with
# a message that names it, wrong keys told apart, all-or-nothing
# transactions across kill -9, concurrent writers, checkpoints only
# through the one locked path, and the recovery key.

load helpers/common
setup_file() { make_template; }
setup() { use_store; }

# Background writers that a failed test left running (this shell's own
# running jobs) are stopped here; then the common teardown.
eval "common_$(declare -f teardown)"
teardown() {
	local pid
	for pid in $(jobs -pr); do
		{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
	done
	common_teardown
}

P=4096			# page size
FRAME=4120		# WAL frame: 24-byte header + one page

# Flip every bit of the byte at offset $2 of file $1, and make sure it
# changed.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1")
	[ -n "$b" ] || fail "flip_byte: $1 has no byte at $2"
	printf "$(printf '\\%03o' $((b ^ 0xff)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc status=none
	[ "$(od -An -tu1 -j "$2" -N1 "$1")" -eq $((b ^ 0xff)) ] ||
	    fail "flip_byte: $1 at $2 did not change"
}

# The big-endian 32-bit number at offset $2 of file $1.
be32() {
	local b
	b=($(od -An -tu1 -j "$2" -N4 "$1"))
	echo $((b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]))
}

# Frames in the WAL $1 (whole ones).
wal_nframes() {
	echo $((($(stat -c %s "$1") - 32) / FRAME))
}

# The file offset of WAL frame $1 (1-based).
frame_off() {
	echo $((32 + ($1 - 1) * FRAME))
}

# Fail, naming file and marker, if any patient data marker appears in the
# raw bytes of any file under directory $1.  Prints the files it read.
refute_plaintext() {
	local m f found=() files=()
	while IFS= read -r -d '' f; do
		files+=("$f")
	done < <(find "$1" -type f -print0)
	while IFS= read -r m; do
		[[ -z $m || $m == \#* ]] && continue
		for f in "${files[@]}"; do
			if grep -qaF -- "$m" "$f"; then
				found+=("\"$m\" in ${f#"$1"/}")
			fi
		done
	done <"$TOP/tests/helpers/phi-markers"
	if [ ${#found[@]} -gt 0 ]; then
		fail "plaintext patient data: ${found[*]}"
		return 1
	fi
	printf '%s\n' "${files[@]#"$1"/}" | sort
}

# Wait until the command succeeds (at most 30 s); a synchronisation, not
# an assertion on time.
wait_until() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	fail "timed out waiting for: $*"
}

file_grew() { [ "$(stat -c %s "$1")" -gt "$2" ]; }

# Wait for background job $1 and fail, with its stderr (file $2), unless
# it exited 0.
wait_ok() {
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" -eq 0 ] || fail "${2##*/} exited $rc: $(cat "$2")"
}

# Swap pages $2 and $3 of file $1.
swap_pages() {
	local t="$BATS_TEST_TMPDIR/page"
	dd if="$1" of="$t.a" bs=$P skip=$(($2 - 1)) count=1 status=none
	dd if="$1" of="$t.b" bs=$P skip=$(($3 - 1)) count=1 status=none
	dd if="$t.b" of="$1" bs=$P seek=$(($2 - 1)) conv=notrunc status=none
	dd if="$t.a" of="$1" bs=$P seek=$(($3 - 1)) conv=notrunc status=none
}

# The standard message of a page that fails authentication.
page_msg() {
	echo "$1: the store is damaged or has been tampered with: page $2" \
	    "of $STORE failed authentication; restore from backup"
}

# A table of patients with an index over the marker columns, many rows.
write_markers() {
	run -0 --separate-stderr pms-sql "
	    CREATE TABLE patient (id INTEGER PRIMARY KEY, name TEXT,
	        ssn TEXT, dob TEXT, note TEXT);
	    CREATE INDEX patient_by_name ON patient (name, ssn, dob);
	    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
	        WHERE i < 3000)
	    INSERT INTO patient (name, ssn, dob, note)
	        SELECT 'Zebediah Quixotefield ' || i, '123-45-6789',
	            '1957-03-14', 'Zztest Patient ' || hex(randomblob(8))
	        FROM c;"
	run -0 pms-sql "SELECT count(*) FROM patient WHERE ssn = '123-45-6789'"
	[ "$output" = 3000 ]
}

# ---- no plaintext -------------------------------------------------------

@test "store: the plaintext scan finds the markers in a plain database" {
	local plain="$BATS_TEST_TMPDIR/plain"
	mkdir "$plain"
	sqlite3 "$plain/db" "CREATE TABLE p (name, ssn, dob);
	    CREATE INDEX p_name ON p (name, ssn, dob);
	    INSERT INTO p VALUES ('Zebediah Quixotefield', '123-45-6789',
	        '1957-03-14'), ('Zztest Person', '', '');"
	run ! refute_plaintext "$plain"
	[[ $output == *'"Zebediah Quixotefield" in db'* ]]
	[[ $output == *'"123-45-6789" in db'* ]]
	[[ $output == *'"1957-03-14" in db'* ]]
	[[ $output == *'"Zztest" in db'* ]]
}

@test "store: no patient data in any file of the store" {
	write_markers
	# the rows are in the WAL
	[ "$(wal_nframes "$STORE-wal")" -gt 0 ]
	run -0 refute_plaintext "$BATS_TEST_TMPDIR"
	assert_line store
	assert_line store-wal
	assert_line store-shm
	assert_line store.keys
	assert_line store.lock.d/store.lock
	# and after a checkpoint into the main file
	run -0 pms-admin maintain
	[ "$(stat -c %s "$STORE-wal")" -eq 0 ]
	run -0 refute_plaintext "$BATS_TEST_TMPDIR"
	assert_line store.lock.d/checkpoint.lock
	run -0 pms-sql "SELECT name, ssn, dob FROM patient WHERE id = 1234"
	[ "$output" = 'Zebediah Quixotefield 1234|123-45-6789|1957-03-14' ]
}

@test "store: VACUUM works and leaves no patient data behind" {
	write_markers
	run -0 pms-sql "DELETE FROM patient WHERE id % 3 = 0"
	run -0 pms-admin maintain
	local before
	before=$(stat -c %s "$STORE")
	run -0 --separate-stderr pms-sql "VACUUM"
	refute_phi "$stderr"
	run -0 pms-admin maintain
	[ "$(stat -c %s "$STORE")" -lt "$before" ]	# it did shrink
	run -0 refute_plaintext "$BATS_TEST_TMPDIR"
	run -0 pms-sql "SELECT count(*), max(name) FROM patient"
	[ "$output" = '2000|Zebediah Quixotefield 998' ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

@test "store: VACUUM INTO and ATTACH cannot make a plaintext copy" {
	local d="$BATS_TEST_TMPDIR/copies" sql
	mkdir "$d"
	write_markers
	for sql in "VACUUM INTO 'file:$d/a.db?vfs=unix'" \
	    "VACUUM INTO '$d/b.db'" \
	    "ATTACH 'file:$d/c.db?vfs=unix' AS c;
	        CREATE TABLE c.p AS SELECT * FROM patient" \
	    "ATTACH '$d/d.db' AS d; CREATE TABLE d.p AS SELECT * FROM patient"
	do
		run ! --separate-stderr pms-sql "$sql"
		refute_phi "$stderr"
	done
	run -0 refute_plaintext "$d"
	run -1 grep -rlaF 'SQLite format 3' "$d"
}

@test "store: a sort and DISTINCT over a small cache spill nothing" {
	mkdir "$BATS_TEST_TMPDIR/tmp"
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	run -0 --separate-stderr pms-sql "PRAGMA cache_size=20;
	    CREATE TABLE r (id INTEGER PRIMARY KEY, t TEXT);
	    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
	        WHERE i < 10000)
	    INSERT INTO r (t) SELECT 'Zebediah Quixotefield ' ||
	        hex(randomblob(16)) || ' 1957-03-14' FROM c;
	    INSERT INTO r (t) SELECT t FROM r;"
	run -0 pms-sql "SELECT count(*) FROM r"
	[ "$output" = 20000 ]
	run -0 --separate-stderr pms-sql "PRAGMA cache_size=20;
	    SELECT count(*) FROM (SELECT DISTINCT t FROM r);"
	[ "$output" = 10000 ]
	run -0 --separate-stderr pms-sql "PRAGMA cache_size=20;
	    SELECT t FROM r ORDER BY t DESC"
	local sorted=$output
	[ "${#lines[@]}" -eq 20000 ]
	run -0 pms-sql "SELECT t FROM r"
	[ "$sorted" = "$(LC_ALL=C sort -r <<<"$output")" ]
	[ -z "$(ls -A "$TMPDIR")" ]		# no temp file anywhere
	run -0 refute_plaintext "$BATS_TEST_TMPDIR"
}

# 20000 rows, checkpointed; then an update in rollback-journal mode,
# killed with -9 once it has written pages of the main file: a hot
# journal.  Sets ROWS (a digest of the rows before) and SIZE (the main
# file's size before).
make_hot_journal() {
	run -0 pms-sql "CREATE TABLE r (id INTEGER PRIMARY KEY, t TEXT);
	    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c
	        WHERE i < 20000)
	    INSERT INTO r (t) SELECT 'Zebediah Quixotefield ' ||
	        hex(randomblob(16)) FROM c;"
	run -0 pms-admin maintain
	run -0 pms-sql "SELECT id, t FROM r ORDER BY id"
	ROWS=$(sha256sum <<<"$output")
	SIZE=$(stat -c %s "$STORE")
	# a rollback journal, a cache too small for the update (so pages go
	# to the main file before the commit), then a query that never ends
	pms-sql "PRAGMA journal_mode=DELETE; PRAGMA cache_size=20;
	    BEGIN IMMEDIATE;
	    UPDATE r SET t = 'Zztest 1957-03-14 123-45-6789 ' ||
	        hex(randomblob(30));
	    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c)
	        SELECT count(*) FROM c;" >/dev/null 2>&1 3>&- &
	local pid=$!
	wait_until file_grew "$STORE" "$SIZE"
	{ kill -9 "$pid"; wait "$pid"; } 2>/dev/null || true
	[ -s "$STORE-journal" ]
	[ ! -e "$STORE-wal" ]
}

@test "store: a hot journal from kill -9 holds no plaintext and rolls back" {
	make_hot_journal
	run -0 refute_plaintext "$BATS_TEST_TMPDIR"
	assert_line store-journal
	# the next open rolls the journal back, through the shim
	run -0 pms-sql "PRAGMA pms_status"
	[ "$output" = 'format=1 walauthfail=0 jrnlauthfail=0'\
' sniff_fallback=0 wal_tampered=0' ]
	[ ! -e "$STORE-journal" ]
	[ "$(stat -c %s "$STORE")" -eq "$SIZE" ]
	run -0 pms-sql "SELECT id, t FROM r ORDER BY id"
	[ "$(sha256sum <<<"$output")" = "$ROWS" ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

@test "store: a flipped byte in a hot journal record is refused" {
	make_hot_journal
	local j="$STORE-journal" sector pg
	cp "$j" "$BATS_TEST_TMPDIR/journal.good"
	cp "$STORE" "$BATS_TEST_TMPDIR/main.good"
	# the first record follows the header's sector: page number, page
	sector=$(be32 "$j" 20)
	pg=$(be32 "$j" "$sector")
	[ "$pg" -gt 0 ]
	# not the tail: more records follow
	[ "$(stat -c %s "$j")" -gt $((sector + 3 * (P + 8))) ]
	flip_byte "$j" $((sector + 4 + 100))
	run -77 --separate-stderr pms-sql "SELECT count(*) FROM r"
	[ "$stderr" = "pms-sql: the store is damaged or has been tampered with:"\
" journal page $pg of $j failed authentication; restore from backup" ]
	[ -z "$output" ]
	refute_phi "$stderr"
	[ -s "$j" ]				# the journal is kept
	# with the journal restored, the rollback completes
	cp "$BATS_TEST_TMPDIR/journal.good" "$j"
	cp "$BATS_TEST_TMPDIR/main.good" "$STORE"
	run -0 pms-sql "SELECT id, t FROM r ORDER BY id"
	[ "$(sha256sum <<<"$output")" = "$ROWS" ]
}

@test "store: stock sqlite3 cannot read the store" {
	write_markers
	run -0 pms-admin maintain
	local before
	before=$(sha256sum "$STORE")
	run -1 --separate-stderr sqlite3 "$STORE" .tables
	[ "$stderr" = 'Error: file is not a database' ]
	[ -z "$output" ]
	run ! --separate-stderr sqlite3 "$STORE" "SELECT * FROM patient"
	[[ $stderr == *'file is not a database'* ]]
	[ "$(sha256sum "$STORE")" = "$before" ]
}

# ---- tampering with the main file ---------------------------------------

# A table whose only page is the last page of the main file; sets PAGE.
table_on_last_page() {
	run -0 pms-sql "CREATE TABLE t (a TEXT);
	    INSERT INTO t VALUES ('Zztest Zebediah Quixotefield 1957-03-14')"
	run -0 pms-admin maintain
	PAGE=$(($(stat -c %s "$STORE") / P))
	run -0 pms-sql "SELECT rootpage FROM sqlite_schema WHERE name = 't'"
	[ "$output" = "$PAGE" ]
}

@test "store: a flipped byte in a table's page is refused, naming the page" {
	table_on_last_page
	flip_byte "$STORE" $(((PAGE - 1) * P + P / 2))
	run -77 --separate-stderr pms-sql "SELECT * FROM t"
	[ "$stderr" = "$(page_msg pms-sql "$PAGE")" ]
	[ -z "$output" ]
	run -77 --separate-stderr pms-admin check
	[ "$stderr" = "$(page_msg pms-admin "$PAGE")" ]
	refute_phi "$stderr"
}

@test "store: a flipped nonce or tag byte of a table's page is refused" {
	local off
	table_on_last_page
	cp "$STORE" "$BATS_TEST_TMPDIR/good"
	for off in $((P - 40 + 3)) $((P - 5)); do
		cp "$BATS_TEST_TMPDIR/good" "$STORE"
		flip_byte "$STORE" $(((PAGE - 1) * P + off))
		run -77 --separate-stderr pms-sql "SELECT * FROM t"
		[ "$stderr" = "$(page_msg pms-sql "$PAGE")" ]
		run -77 --separate-stderr pms-admin check
		[ "$stderr" = "$(page_msg pms-admin "$PAGE")" ]
		refute_phi "$stderr"
	done
}

@test "store: a flipped byte anywhere in page 1 stops every program" {
	local off
	# page 1 holds the schema (its root, when it takes several pages)
	run -0 pms-sql "SELECT count(*) FROM dbstat
	    WHERE name = 'sqlite_schema' AND pageno = 1"
	[ "$output" = 1 ]
	cp "$STORE" "$BATS_TEST_TMPDIR/good"
	# payload, SQLite's header bytes 16-23 (plaintext but authenticated),
	# nonce, tag
	for off in 60 100 2000 21 $((P - 40 + 3)) $((P - 5)); do
		cp "$BATS_TEST_TMPDIR/good" "$STORE"
		flip_byte "$STORE" "$off"
		run -77 --separate-stderr pms-admin check
		[ "$stderr" = "$(page_msg pms-admin 1)" ]
		run -77 --separate-stderr pms-admin maintain
		[ "$stderr" = "$(page_msg pms-admin 1)" ]
		run -77 --separate-stderr pms-admin status --unlock
		[ "$stderr" = "$(page_msg pms-admin 1)" ]
		run -77 --separate-stderr pms-sql "SELECT 1"
		[ "$stderr" = "$(page_msg pms-sql 1)" ]
		[ -z "$output" ]
	done
}

@test "store: a flipped byte in page 2 is found by check and by its readers" {
	run -0 pms-sql "SELECT name FROM dbstat WHERE pageno = 2"
	local table=$output
	[ -n "$table" ]
	flip_byte "$STORE" $((P + 1000))
	run -77 --separate-stderr pms-admin check
	[ "$stderr" = "$(page_msg pms-admin 2)" ]
	run -77 --separate-stderr pms-sql "SELECT count(*) FROM $table"
	[ "$stderr" = "$(page_msg pms-sql 2)" ]
	[ -z "$output" ]
}

@test "store: the plaintext bytes of page 1 are bound to the store" {
	cp "$STORE" "$BATS_TEST_TMPDIR/good"
	flip_byte "$STORE" 3				# the magic
	run -77 --separate-stderr pms-sql "SELECT 1"
	[ "$stderr" = "pms-sql: $STORE: not a pms store, or its first page is damaged" ]
	cp "$BATS_TEST_TMPDIR/good" "$STORE"
	flip_byte "$STORE" 12				# the file id
	run -77 --separate-stderr pms-sql "SELECT 1"
	[ "$stderr" = "pms-sql: $STORE.keys: the slot file belongs to a different store" ]
}

@test "store: two swapped pages are both refused" {
	run -0 pms-sql "CREATE TABLE a (x TEXT); CREATE TABLE b (x TEXT);
	    INSERT INTO a VALUES ('in a'); INSERT INTO b VALUES ('in b')"
	run -0 pms-admin maintain
	local n=$(($(stat -c %s "$STORE") / P)) pa pb
	run -0 pms-sql "SELECT rootpage FROM sqlite_schema WHERE name = 'a'"
	pa=$output
	run -0 pms-sql "SELECT rootpage FROM sqlite_schema WHERE name = 'b'"
	pb=$output
	[ "$pa" -eq $((n - 1)) ] && [ "$pb" -eq "$n" ]
	swap_pages "$STORE" "$pa" "$pb"
	run -77 --separate-stderr pms-sql "SELECT * FROM a"
	[ "$stderr" = "$(page_msg pms-sql "$pa")" ]
	run -77 --separate-stderr pms-sql "SELECT * FROM b"
	[ "$stderr" = "$(page_msg pms-sql "$pb")" ]
	run -77 --separate-stderr pms-admin check
	[ "$stderr" = "$(page_msg pms-admin "$pa")" ]
}

# ---- the WAL --------------------------------------------------------------

# Six committed transactions in the WAL, none checkpointed; the WAL and
# the main file are copied to wal.good and main.good.  C1 is the frame
# that commits the first of them (2 while the schema fits page 1; more
# pages change when it takes several).
wal_with_transactions() {
	local i n
	run -0 pms-sql "CREATE TABLE t (n INTEGER, v TEXT)"
	for i in 1 2 3 4 5 6; do
		run -0 pms-sql "INSERT INTO t VALUES ($i, 'row $i')"
	done
	cp "$STORE-wal" "$BATS_TEST_TMPDIR/wal.good"
	cp "$STORE" "$BATS_TEST_TMPDIR/main.good"
	n=$(wal_nframes "$STORE-wal")
	[ "$n" -ge 7 ]
	for ((C1 = 2; C1 < n; C1++)); do
		[ "$(be32 "$STORE-wal" $(($(frame_off "$C1") + 4)))" -ne 0 ] &&
		    break
	done
	# it commits an early transaction, not the last
	[ "$C1" -lt $((n - 5)) ]
}

# The refused open left the main file and the WAL as they were; with
# the WAL restored, the store opens with every row.
assert_untouched_and_restorable() {
	cmp "$STORE" "$BATS_TEST_TMPDIR/main.good"
	cp "$BATS_TEST_TMPDIR/wal.good" "$STORE-wal"
	rm -f "$STORE-shm"
	run -0 pms-sql "SELECT group_concat(n) FROM t"
	[ "$output" = 1,2,3,4,5,6 ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

wal_header_msg() {
	echo "$1: $STORE-wal: the WAL header has been tampered with or" \
	    "damaged: committed transactions would be lost; restore from backup"
}

wal_frame_msg() {
	echo "$1: $STORE-wal: the WAL has been tampered with or damaged at" \
	    "frame $2: committed transactions after it would be lost;" \
	    "restore from backup"
}

@test "store: a changed salt in the WAL header is refused at open" {
	local off
	wal_with_transactions
	for off in 16 20; do			# salt 1, salt 2
		cp "$BATS_TEST_TMPDIR/wal.good" "$STORE-wal"
		rm -f "$STORE-shm"
		flip_byte "$STORE-wal" "$off"
		cp "$STORE-wal" "$BATS_TEST_TMPDIR/wal.bad"
		run -77 --separate-stderr pms-sql "SELECT count(*) FROM t"
		[ "$stderr" = "$(wal_header_msg pms-sql)" ]
		[ -z "$output" ]
		run -77 --separate-stderr pms-admin check
		[ "$stderr" = "$(wal_header_msg pms-admin)" ]
		run -77 --separate-stderr pms-admin maintain
		[ "$stderr" = "$(wal_header_msg pms-admin)" ]
		# the evidence is kept
		cmp "$STORE-wal" "$BATS_TEST_TMPDIR/wal.bad"
		assert_untouched_and_restorable
	done
}

@test "store: a changed frame of an early transaction is refused at open" {
	local off f2
	wal_with_transactions
	f2=$(frame_off "$C1")
	# its salt copies, its page number, its commit field, its page
	for off in $((f2 + 8)) $((f2 + 12)) $((f2 + 3)) $((f2 + 7)) \
	    $((f2 + 24 + 100)) $((f2 + 24 + P - 5)); do
		cp "$BATS_TEST_TMPDIR/wal.good" "$STORE-wal"
		rm -f "$STORE-shm"
		flip_byte "$STORE-wal" "$off"
		cp "$STORE-wal" "$BATS_TEST_TMPDIR/wal.bad"
		run -77 --separate-stderr pms-sql "SELECT count(*) FROM t"
		[ "$stderr" = "$(wal_frame_msg pms-sql "$C1")" ]
		[ -z "$output" ]
		run -77 --separate-stderr pms-admin check
		[ "$stderr" = "$(wal_frame_msg pms-admin "$C1")" ]
		run -77 --separate-stderr pms-admin status --unlock
		[ "$stderr" = "$(wal_frame_msg pms-admin "$C1")" ]
		# the evidence is kept
		cmp "$STORE-wal" "$BATS_TEST_TMPDIR/wal.bad"
		assert_untouched_and_restorable
	done
}

@test "store: a WAL generation shorter than the last reopens cleanly" {
	local sql i salt size n
	sql="CREATE TABLE t (n INTEGER, v TEXT);"
	for i in $(seq 1 30); do
		sql+="INSERT INTO t VALUES ($i, 'first $i');"
	done
	# 31 transactions, one process
	run -0 pms-sql "$sql"
	size=$(stat -c %s "$STORE-wal")
	salt=$(be32 "$STORE-wal" 16)
	n=$(wal_nframes "$STORE-wal")
	[ "$n" -ge 31 ]
	# a passive checkpoint, then two transactions: the WAL restarts
	run -0 pms-sql "PRAGMA wal_checkpoint(PASSIVE);
	    INSERT INTO t VALUES (31, 'second 1');
	    INSERT INTO t VALUES (32, 'second 2');"
	[ "$output" = "0|$n|$n" ]
	[ "$(be32 "$STORE-wal" 16)" -ne "$salt" ]	# a new generation
	[ "$(stat -c %s "$STORE-wal")" -eq "$size" ]	# old frames behind
	run -0 --separate-stderr pms-sql "SELECT count(*), sum(n) FROM t"
	[ "$output" = '32|528' ]
	run -0 --separate-stderr pms-admin check
	assert_line 'wal frames: 2 authenticated'
	assert_line 'integrity:  ok'
	run -0 pms-sql "SELECT group_concat(v, ',') FROM t WHERE n > 29"
	[ "$output" = 'first 30,second 1,second 2' ]
}

@test "store: opening while another process writes never cries tamper" {
	local i prev=0
	run -0 pms-sql "CREATE TABLE t (n INTEGER)"
	(
		for i in $(seq 1 40); do
			pms-sql "INSERT INTO t VALUES ($i)" || exit $?
		done
	) >/dev/null 2>"$BATS_TEST_TMPDIR/writer.err" 3>&- &
	local writer=$!
	for i in $(seq 1 40); do
		run -0 --separate-stderr pms-sql "SELECT count(*) FROM t"
		[ "$output" -ge "$prev" ]
		prev=$output
	done
	wait_ok "$writer" "$BATS_TEST_TMPDIR/writer.err"
	run -0 pms-sql "SELECT count(*), sum(n) FROM t"
	[ "$output" = '40|820' ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

# ---- wrong keys -----------------------------------------------------------

@test "store: a wrong passphrase is told as such" {
	write_markers
	pms-admin lock		# writing cached the key
	local before
	before=$(sha256sum "$STORE" "$STORE.keys")
	printf '%s\n' 'incorrect horse battery staple' >"$PMS_PASSPHRASE_FILE"
	run -77 --separate-stderr pms-sql "SELECT * FROM patient"
	[ "$stderr" = 'pms-sql: wrong passphrase' ]
	[ -z "$output" ]
	run -77 --separate-stderr pms-admin check
	[ "$stderr" = 'pms-admin: wrong passphrase' ]
	refute_phi "$stderr"
	[ "$(sha256sum "$STORE" "$STORE.keys")" = "$before" ]
}

@test "store: a slot file from another store is told as such" {
	write_markers
	local other="$BATS_TEST_TMPDIR/other/store"
	mkdir "$BATS_TEST_TMPDIR/other"
	run -0 pms-admin -S "$other" init --kdf interactive
	cp "$other.keys" "$STORE.keys"
	run -77 --separate-stderr pms-sql "SELECT * FROM patient"
	[ "$stderr" = "pms-sql: $STORE.keys: the slot file belongs to a different store" ]
	[ -z "$output" ]
	refute_phi "$stderr"
}

@test "store: a plaintext SQLite database is refused as unencrypted" {
	local plain="$BATS_TEST_TMPDIR/plain.db" before
	sqlite3 "$plain" "CREATE TABLE p (name);
	    INSERT INTO p VALUES ('Zebediah Quixotefield 1957-03-14')"
	cp "$STORE.keys" "$plain.keys"
	before=$(sha256sum "$plain")
	run -77 --separate-stderr pms-sql -S "$plain" "SELECT * FROM p"
	[ "$stderr" = "pms-sql: $plain: an unencrypted SQLite database, not a pms store" ]
	[ -z "$output" ]
	refute_phi "$stderr"
	[ "$(sha256sum "$plain")" = "$before" ]
}

@test "store: a missing store exits 66" {
	local gone="$BATS_TEST_TMPDIR/gone"
	run -66 --separate-stderr pms-sql -S "$gone" "SELECT 1"
	[ "$stderr" = "pms-sql: $gone: no such store" ]
	run -66 --separate-stderr pms-admin -S "$gone" check
	[ "$stderr" = "pms-admin: $gone: no such store" ]
	[ ! -e "$gone" ]
}

@test "store: a missing slot file exits 77" {
	write_markers
	rm "$STORE.keys"
	run -77 --separate-stderr pms-sql "SELECT * FROM patient"
	[ "$stderr" = "pms-sql: slot file \"$STORE.keys\" is missing: the store cannot be unlocked" ]
	[ -z "$output" ]
	refute_phi "$stderr"
}

# ---- crashes and concurrency ----------------------------------------------

# bats test_tags=slow
@test "store: kill -9 at random moments leaves whole transactions only" {
	local k=40 i d rc n prev=0 log=()
	run -0 pms-sql "CREATE TABLE r (txn INTEGER NOT NULL, pad BLOB);
	    CREATE INDEX r_by_txn ON r (txn);
	    CREATE TABLE counter (n INTEGER NOT NULL);
	    INSERT INTO counter VALUES (0);"
	# each transaction: K rows numbered with the next txn, a rewrite of
	# older rows, a pause, the counter; a small cache forces spills and
	# rewrites of frames, and each run first checkpoints (the WAL
	# restarts with the old frames behind)
	{
		echo "PRAGMA cache_size=10; PRAGMA wal_checkpoint(PASSIVE);"
		for i in $(seq 1 200); do
			echo "BEGIN IMMEDIATE;
			    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL
			        SELECT i + 1 FROM c WHERE i < $k)
			    INSERT INTO r (txn, pad) SELECT
			        (SELECT n FROM counter) + 1, randomblob(100)
			        FROM c;
			    UPDATE r SET pad = randomblob(100)
			        WHERE txn = (SELECT n FROM counter) / 2;
			    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL
			        SELECT i + 1 FROM c WHERE i < 5000)
			        SELECT count(*) FROM c WHERE i < 0;
			    UPDATE counter SET n = n + 1;
			    COMMIT;"
		done
	} >"$BATS_TEST_TMPDIR/writer.sql"
	for i in $(seq 1 100); do
		d=$(printf '0.%02d' $((RANDOM % 45)))
		pms-sql <"$BATS_TEST_TMPDIR/writer.sql" >/dev/null 2>&1 3>&- &
		sleep "$d"
		rc=0
		{ kill -9 $!; wait $!; } 2>/dev/null || rc=$?
		log+=("$d:$rc")
		run --separate-stderr pms-admin check
		[ "$status" -eq 0 ] ||
		    fail "kill $i (${log[*]}): check exited $status: $stderr"
		run --separate-stderr pms-sql "SELECT
		    (SELECT n FROM counter),
		    (SELECT count(*) FROM (SELECT txn FROM r GROUP BY txn
		        HAVING count(*) != $k)),
		    (SELECT count(DISTINCT txn) FROM r),
		    (SELECT coalesce(max(txn), 0) FROM r)"
		[ "$status" -eq 0 ] ||
		    fail "kill $i (${log[*]}): pms-sql exited $status: $stderr"
		IFS='|' read -r n bad ntxn maxtxn <<<"$output"
		if [ "$bad" != 0 ] || [ "$ntxn" != "$n" ] ||
		    [ "$maxtxn" != "$n" ] || [ "$n" -lt "$prev" ]; then
			fail "kill $i (${log[*]}): counter|partial txns|" \
			    "txns|max txn = $output, counter before $prev"
		fi
		prev=$n
	done
	[ "$prev" -gt 0 ]
}

@test "store: two writers at once both finish, every row kept" {
	local w sql i pa pb
	run -0 pms-sql "CREATE TABLE t (writer TEXT, i INTEGER)"
	for w in a b; do
		sql=
		for i in $(seq 1 200); do
			sql+="BEGIN IMMEDIATE;
			    INSERT INTO t VALUES ('$w', $i);
			    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL
			        SELECT i + 1 FROM c WHERE i < 2000)
			        SELECT count(*) FROM c WHERE i < 0;
			    COMMIT;"
		done
		printf '%s\n' "$sql" >"$BATS_TEST_TMPDIR/$w.sql"
	done
	for w in a b; do
		pms-sql <"$BATS_TEST_TMPDIR/$w.sql" >/dev/null \
		    2>"$BATS_TEST_TMPDIR/$w.err" 3>&- &
		eval "p$w=\$!"
	done
	wait_ok "$pa" "$BATS_TEST_TMPDIR/a.err"
	wait_ok "$pb" "$BATS_TEST_TMPDIR/b.err"
	run -0 pms-sql "SELECT writer, count(*), count(DISTINCT i), sum(i)
	    FROM t GROUP BY writer ORDER BY writer"
	[ "$output" = $'a|200|200|20100\nb|200|200|20100' ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

@test "store: two shell loops of writers both finish, every row kept" {
	local w i pa pb
	run -0 pms-sql "CREATE TABLE t (writer TEXT, i INTEGER)"
	for w in a b; do
		(
			for i in $(seq 1 30); do
				pms-sql "INSERT INTO t VALUES ('$w', $i)" ||
				    exit $?
			done
		) >/dev/null 2>"$BATS_TEST_TMPDIR/$w.err" 3>&- &
		eval "p$w=\$!"
	done
	wait_ok "$pa" "$BATS_TEST_TMPDIR/a.err"
	wait_ok "$pb" "$BATS_TEST_TMPDIR/b.err"
	run -0 pms-sql "SELECT writer, count(*), sum(i) FROM t
	    GROUP BY writer ORDER BY writer"
	[ "$output" = $'a|30|465\nb|30|465' ]
	run -0 pms-admin check
	assert_line 'integrity:  ok'
}

# A checkpoint, as a program runs it when it closes a long WAL (PASSIVE,
# under the checkpoint lock), rewrites pages of the main file while
# check reads every page of it.
# bats test_tags=slow
@test "store: check while another program checkpoints never cries tamper" {
	local i
	run -0 pms-sql "CREATE TABLE b (id INTEGER PRIMARY KEY, x BLOB);
	    INSERT INTO b VALUES (1, randomblob(1000000))"
	run -0 pms-admin maintain
	store-checkpointer 10000 "UPDATE b SET x = randomblob(1000000)" \
	    >/dev/null 2>"$BATS_TEST_TMPDIR/writer.err" 3>&- &
	local writer=$!
	for i in $(seq 1 150); do
		if ! kill -0 "$writer" 2>/dev/null; then
			wait_ok "$writer" "$BATS_TEST_TMPDIR/writer.err"
			fail "the checkpointer ended before check $i"
		fi
		run --separate-stderr pms-admin check
		[ "$status" -eq 0 ] ||
		    fail "check $i exited $status: $stderr"
	done
	{ kill -9 "$writer"; wait "$writer"; } 2>/dev/null || true
	run -0 pms-admin check
	run -0 pms-sql "SELECT length(x) FROM b"
	[ "$output" = 1000000 ]
}

# ---- checkpoints ----------------------------------------------------------

@test "store: closing with a small WAL never checkpoints" {
	local before
	before=$(sha256sum "$STORE")
	run -0 pms-sql "CREATE TABLE t (a TEXT)"
	run -0 pms-sql "INSERT INTO t VALUES ('one');
	    INSERT INTO t VALUES ('two')"
	run -0 pms-admin check
	run -0 pms-admin status --unlock
	run -0 pms-sql "SELECT group_concat(a) FROM t"
	[ "$output" = one,two ]
	[ "$(sha256sum "$STORE")" = "$before" ]
	[ "$(wal_nframes "$STORE-wal")" -ge 3 ]
	[ "$(wal_nframes "$STORE-wal")" -lt 128 ]
}

@test "store: closing past 128 frames checkpoints" {
	local before
	before=$(sha256sum "$STORE")
	# 2 MB: some 500 frames
	run -0 pms-sql "CREATE TABLE b (x BLOB);
	    INSERT INTO b SELECT randomblob(2000000)"
	[ "$(sha256sum "$STORE")" != "$before" ]
	[ "$(stat -c %s "$STORE")" -gt 2000000 ]
	run -0 pms-sql "SELECT length(x) FROM b"
	[ "$output" = 2000000 ]
}

@test "store: no checkpoint at close while another holds the checkpoint lock" {
	local before fd
	before=$(sha256sum "$STORE")
	exec {fd}>"$STORE.lock.d/checkpoint.lock"
	flock -n "$fd"
	run -0 pms-sql "CREATE TABLE b (x BLOB);
	    INSERT INTO b SELECT randomblob(2000000)"
	run -0 pms-sql "SELECT length(x) FROM b"
	[ "$output" = 2000000 ]
	[ "$(wal_nframes "$STORE-wal")" -gt 128 ]
	[ "$(sha256sum "$STORE")" = "$before" ]
	# with the lock given back, the next program to close checkpoints
	exec {fd}>&-
	run -0 pms-sql "SELECT 1"
	[ "$(sha256sum "$STORE")" != "$before" ]
}

@test "store: closing checkpoints a small WAL if the last checkpoint is old" {
	local before
	run -0 pms-sql "CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('one')"
	before=$(sha256sum "$STORE")
	[ "$(wal_nframes "$STORE-wal")" -lt 128 ]
	touch -d '10 minutes ago' "$STORE"
	run -0 pms-sql "SELECT a FROM t"
	[ "$output" = one ]
	[ "$(sha256sum "$STORE")" != "$before" ]
}

# STORE.md 4.9: a practice that never installs the maintenance job must
# not see the WAL grow without bound.
@test "store: without maintain the WAL does not grow without bound" {
	local i
	run -0 pms-sql "CREATE TABLE b (id INTEGER PRIMARY KEY, x BLOB)"
	# six programs each write 1 MB (some 250 pages, 500 frames with the
	# old pages cleared) and close past the threshold
	for i in 1 2 3 4 5 6; do
		run -0 pms-sql "INSERT OR REPLACE INTO b
		    VALUES (1, randomblob(1000000))"
	done
	[ "$(wal_nframes "$STORE-wal")" -le 1000 ] ||
	    fail "the WAL grew to $(wal_nframes "$STORE-wal") frames"
	run -0 pms-sql "SELECT length(x) FROM b"
	[ "$output" = 1000000 ]
}

# ---- the recovery key -----------------------------------------------------

@test "store: the recovery key printed by init opens the store" {
	[[ $(<"$TEMPLATE/recovery") =~ ^([A-Z2-7]{5}-){10}[A-Z2-7]{5}$ ]]
	run -0 --separate-stderr env PMS_PASSPHRASE_FILE= pms-sql \
	    --recovery-key-file "$TEMPLATE/recovery" \
	    "SELECT user, action FROM audit ORDER BY id LIMIT 1"
	[ "$output" = 'admin|store.init' ]
}

@test "store: a mistyped recovery key is refused" {
	local key c
	key=$(<"$TEMPLATE/recovery")
	c=${key:7:1}
	[ "$c" = A ] && c=B || c=A
	printf '%s\n' "${key:0:7}$c${key:8}" >"$BATS_TEST_TMPDIR/mistyped"
	run -77 --separate-stderr env PMS_PASSPHRASE_FILE= pms-sql \
	    --recovery-key-file "$BATS_TEST_TMPDIR/mistyped" "SELECT 1"
	[ "$stderr" = 'pms-sql: recovery key mistyped: its check does not match' ]
	[ -z "$output" ]
}

@test "store: another store's recovery key is refused" {
	local other="$BATS_TEST_TMPDIR/other/store"
	mkdir "$BATS_TEST_TMPDIR/other"
	pms-admin -S "$other" init --kdf interactive \
	    >"$BATS_TEST_TMPDIR/other-recovery" 2>/dev/null
	run -77 --separate-stderr env PMS_PASSPHRASE_FILE= pms-sql \
	    --recovery-key-file "$BATS_TEST_TMPDIR/other-recovery" "SELECT 1"
	[ "$stderr" = 'pms-sql: the recovery key does not open this store' ]
}

@test "store: a migration the store lacks is applied at open, whatever its number" {
	local top n
	top=$(schema_version)
	run -0 pms-sql "SELECT count(*) FROM schema_migrations"
	n=$output
	# a store made before 0011 came, but after a higher number
	run -0 pms-sql "DROP INDEX ledger_by_posted; DROP INDEX charges_by_dos;
	    DROP INDEX visits_by_dos; DROP INDEX payments_by_received;
	    DELETE FROM schema_migrations WHERE version = 11"
	# the next open applies it, and the version stays the highest
	run -0 pms-sql "SELECT count(*) FROM sqlite_schema WHERE type = 'index'
	    AND name IN ('ledger_by_posted', 'charges_by_dos', 'visits_by_dos',
	    'payments_by_received')"
	assert_output 4
	run -0 pms-sql "SELECT count(*) FROM schema_migrations"
	assert_output "$n"
	run -0 pms-sql "SELECT version FROM schema_migrations WHERE version = 11"
	assert_output 11
	run -0 pms-sql "PRAGMA user_version"
	assert_output "$top"
	run -0 pms-admin check
}

@test "store: a store that has a migration this program does not know is refused as newer" {
	run -0 pms-sql "INSERT INTO schema_migrations (version, name, applied_at)
	    VALUES (9999, '9999-future', '2030-01-01T00:00:00Z')"
	run -1 --separate-stderr pms-admin check
	assert_stderr 'newer than this program'
}
