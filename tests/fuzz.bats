#!/usr/bin/env bats
# bats file_tags=fuzz
# The fuzz targets' corpora replayed in every build: each target of
# fuzz/ linked with fuzz/replay.c ($BUILD/replay-NAME) runs every seed
# of fuzz/corpus/fuzz-NAME/ and every input a fuzzer once crashed on,
# kept in tests/fixtures/fuzz/fuzz-NAME/.  A target checks its own
# promises and aborts on a broken one; under check-asan the sanitizers
# watch as well.  `make fuzz FUZZ_SECONDS=N` looks for new inputs.

load helpers/common

replay() {
	local name=$1 dirs=("$TOP/fuzz/corpus/fuzz-$1")
	[ -d "$TOP/tests/fixtures/fuzz/fuzz-$name" ] &&
	    dirs+=("$TOP/tests/fixtures/fuzz/fuzz-$name")
	run -0 "replay-$name" "${dirs[@]}"
	[[ $output == 'replay: '*' inputs passed' ]]
	[[ $output != 'replay: 0 inputs passed' ]]
}

@test "fuzz: every target has a corpus and a replay" {
	local f name
	for f in "$TOP"/fuzz/fuzz-*.c; do
		name=$(basename "$f" .c)
		[ -d "$TOP/fuzz/corpus/$name" ] ||
		    fail "$name has no fuzz/corpus/$name"
		[ -x "$BUILD_DIR/replay-${name#fuzz-}" ] ||
		    fail "$name has no replay-${name#fuzz-} in $BUILD_DIR"
	done
}

# bats test_tags=valgrind
@test "fuzz: records (CSV, JSON Lines) replay" { replay record; }
# bats test_tags=valgrind
@test "fuzz: configuration (YAML) replays" { replay config; }
# bats test_tags=valgrind
@test "fuzz: money replays" { replay money; }
# bats test_tags=valgrind
@test "fuzz: dates, times and durations replay" { replay date; }
# bats test_tags=valgrind
@test "fuzz: X12 replays" { replay x12; }
# bats test_tags=valgrind
@test "fuzz: import maps and normalisers replay" { replay patient; }
# bats test_tags=valgrind
@test "fuzz: reminder templates replay" { replay remind; }
# bats test_tags=valgrind
@test "fuzz: statement templates replay" { replay stmt; }
@test "fuzz: the store opener on damaged files replays" { replay store; }
@test "fuzz: 835 remittances, read and posted to a store, replay" {
	replay era
}
@test "fuzz: acknowledgements (TA1, 999, 277CA) on a store replay" {
	replay ack
}

@test "fuzz: the replay counts what it ran and refuses what is missing" {
	# an empty corpus is no pass: the replays above check the count
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -0 replay-stmt "$BATS_TEST_TMPDIR/empty"
	assert_output 'replay: 0 inputs passed'
	run -66 --separate-stderr replay-stmt "$BATS_TEST_TMPDIR/missing"
	assert_stderr 'no such file'
}
