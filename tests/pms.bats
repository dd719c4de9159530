#!/usr/bin/env bats
# bats file_tags=pms
# pms, the umbrella: "pms schedule list" runs pms-schedule list with its
# arguments, input, output and exit status; the programs are found
# beside pms before PATH; help, --help and --version; bad commands; its
# list of programs the same in cmd/pms.c, pms(1), pms help and the bash
# completion, which completes through each program's own.

load helpers/common

setup_file() {
	make_template
}

setup() {
	use_store
	cd "$BATS_TEST_TMPDIR"
}

# The programs of cmd/pms.c's table, one short name a line.
table_names() {
	awk '/^} progs\[\] = \{/ { on = 1; next } on && /^};/ { exit }
	    on' "$TOP/cmd/pms.c" | grep -oE '^[[:space:]]*\{ "[a-z]+"' |
	    grep -oE '[a-z]+'
}

# The Makefile's PROGS, short names.
prog_names() {
	make -s -C "$TOP" --no-print-directory -f Makefile -f - \
	    print-progs <<<'print-progs: ; @echo $(PROGS)' | tr ' ' '\n' |
	    grep -v '^$' | sed 's/^pms-//'
}

@test "pms: --help and -h print the usage, the SYNOPSIS of pms(1)" {
	run -0 --separate-stderr pms --help
	[ -z "$stderr" ]
	help=$output
	run -0 pms -h
	[ "$output" = "$help" ]
	synopsis=$(mandoc -T ascii -O width=1000 "$TOP/man/man1/pms.1" |
	    sed 's/.\x08//g' | awk '/^[^ \t]/ { on = ($0 == "SYNOPSIS");
	    next } on' | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' |
	    grep -v '^$')
	diff -u <(sed -E 's/^usage: //; s/^[[:space:]]+//' <<<"$help") \
	    <(echo "$synopsis")
	# no command: the usage on stderr, 64
	run -64 --separate-stderr pms
	[ -z "$output" ]
	[[ $stderr == 'usage: pms command'* ]]
	run -64 --separate-stderr pms --bogus
	[[ $stderr == *'usage: pms command'* ]]
}

@test "pms: --version is the toolkit's version" {
	run -0 pms --version
	want=$(pms-admin --version)
	[ "$output" = "pms ${want#pms-admin }" ]
	run -0 pms -V
	[ "$output" = "pms ${want#pms-admin }" ]
}

@test "pms: its programs are the same in cmd/pms.c, pms(1), pms help and the bash completion" {
	table=$(table_names)
	[ -n "$table" ]
	# every program of the build is in the table
	missing=$(comm -23 <(prog_names | sort) <(sort <<<"$table"))
	[ -z "$missing" ] || fail "not in cmd/pms.c: $missing"
	# pms(1) describes each, under its command
	page=$(sed -n '/^\.It Ar command Op Ar args/,/^\.It Cm help$/p' \
	    "$TOP/man/man1/pms.1" | sed -n 's/^\.It Cm \([a-z]*\)$/\1/p' |
	    grep -vx help)
	diff -u <(echo "$table") <(echo "$page")
	# pms help lists those that are built, each with its job, in order
	run -0 --separate-stderr pms help
	[ -z "$stderr" ]
	listed=$(awk '/^   [a-z]+ / { print $1 }' <<<"$output")
	diff -u <(grep -xF -f <(prog_names) <<<"$table") <(echo "$listed")
	# the bash completion offers the table and help
	source "$TOP/completions/bash/pms"
	COMP_WORDS=(pms '') COMP_CWORD=1 COMPREPLY=()
	_pms
	diff -u <({ echo "$table"; printf '%s\n' help -h --help -V \
	    --version; } | sort) <(printf '%s\n' "${COMPREPLY[@]}" | sort)
}

@test "pms: pms COMMAND runs pms-COMMAND with its arguments, input, output and status" {
	pms-admin config load "$TOP/share/demo/practice.yaml" 2>/dev/null
	run -0 --separate-stderr pms patient add --mrn 000123 \
	    --last-name Example --first-name 'Pat Ann' --dob 1980-01-15 -o csv
	[ "${lines[1]%%,*}" = 1 ]
	# an argument with a space went through as one
	run -0 pms-patient show 1 -o json
	[[ $output == *'"first_name":"Pat Ann"'* ]]
	run -0 pms patient show 1 -o json
	[[ $output == *'"first_name":"Pat Ann"'* ]]
	# the same output as the program itself, and nothing else
	pms-schedule hours set --provider lee --location main --days all \
	    --hours 08:00-17:00
	pms schedule hours list -o csv >"$BATS_TEST_TMPDIR/via-pms"
	pms-schedule hours list -o csv >"$BATS_TEST_TMPDIR/direct"
	diff -u "$BATS_TEST_TMPDIR/direct" "$BATS_TEST_TMPDIR/via-pms"
	# standard input: records on stdin into an import
	printf 'mrn,last_name,first_name,dob\n000124,Sample,Sam,1975-07-04\n' |
	    pms patient import - -o csv >"$BATS_TEST_TMPDIR/import.csv"
	grep -qx '1,1,0,0,0,0,no' "$BATS_TEST_TMPDIR/import.csv"
	run -0 pms-sql 'SELECT count(*) FROM patients'
	[ "$output" = 2 ]
	# the program's exit status and its messages, under its own name
	run -66 --separate-stderr pms admin -S "$BATS_TEST_TMPDIR/none" \
	    status
	[[ $stderr == pms-admin:* ]]
	run -64 --separate-stderr pms schedule
	[[ $stderr == 'usage: pms-schedule'* ]]
	run -1 --separate-stderr pms patient show 99
	[[ $stderr == pms-patient:* ]]
	refute_phi "$stderr"
}

@test "pms: help COMMAND is that program's usage" {
	run -0 pms help schedule
	want=$(pms-schedule --help)
	[ "$output" = "$want" ]
	run -64 --separate-stderr pms help nosuch
	assert_stderr '"nosuch" is not a pms command'
	run -64 --separate-stderr pms help ../x
	assert_stderr 'pms: help: not a pms command'
	run -64 --separate-stderr pms help a b
	[[ $stderr == 'usage: pms command'* ]]
	# help is pms's own command: its usage
	run -0 --separate-stderr pms help help
	[ -z "$stderr" ]
	[ "$output" = "$(pms --help)" ]
}

@test "pms: a command that is not one is refused, and no other file runs" {
	run -64 --separate-stderr pms nosuch
	[ -z "$output" ]
	assert_stderr 'pms: "nosuch" is not a pms command (not found beside pms or on PATH); "pms help" lists them'
	# no path, no capitals, no option, nothing long, nothing empty
	mkdir -p sub
	printf '#!/bin/sh\necho ran\n' >sub/pms-x
	chmod 755 sub/pms-x
	for c in ../sub/x sub/x Schedule x.y '' \
	    abcdefghijabcdefghijabcdefghijabc; do
		run -64 --separate-stderr pms "$c"
		[ -z "$output" ] || fail "pms \"$c\" ran something"
		assert_stderr 'pms: not a pms command; "pms help" lists them'
	done
	run -64 --separate-stderr pms -x
	[ -z "$output" ]
}

@test "pms: the program beside pms runs before one on PATH, then PATH" {
	mkdir bin other
	cp "$BUILD_DIR/pms" bin/pms
	printf '#!/bin/sh\necho "beside: $0 $*"\n' >bin/pms-zz
	printf '#!/bin/sh\necho "on path: $0 $*"\n' >other/pms-zz
	printf '#!/bin/sh\necho "on path: $0 $*"\n' >other/pms-yy
	chmod 755 bin/pms-zz other/pms-zz other/pms-yy
	PATH="$BATS_TEST_TMPDIR/other:$PATH" run -0 bin/pms zz 'a b' c
	[ "$output" = "beside: $BATS_TEST_TMPDIR/bin/pms-zz a b c" ]
	PATH="$BATS_TEST_TMPDIR/other:$PATH" run -0 bin/pms yy -o csv
	[ "$output" = "on path: $BATS_TEST_TMPDIR/other/pms-yy -o csv" ]
	# the real programs, from PATH, for a pms alone in its directory
	run -0 bin/pms admin --version
	[[ $output == 'pms-admin '* ]]
	# and pms help lists what it finds
	run -0 env PATH="$BATS_TEST_TMPDIR/other" "$BATS_TEST_TMPDIR/bin/pms" \
	    help
	[[ $output == *'(none found beside pms or on PATH)'* ]]
	# a program that is there but cannot run
	printf 'not a program\n' >bin/pms-ww
	chmod 755 bin/pms-ww
	run -70 --separate-stderr bin/pms ww
	assert_stderr 'pms: cannot run pms-ww: Exec format error'
}

@test "pms: the bash completion completes through each program's own" {
	source "$TOP/completions/bash/pms"
	cw() {
		local COMP_WORDS COMP_CWORD COMP_LINE COMP_POINT COMPREPLY
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_pms
		printf '%s\n' "${COMPREPLY[@]}" | grep -v '^$' | sort
	}
	[ "$(cw pms sch)" = schedule ]
	[ "$(cw pms help re)" = $'remind\nreport' ]
	[ -z "$(cw pms help remind '')" ]
	# the program's completion loaded from beside this file
	[ "$(cw pms schedule li)" = list ]
	[ "$(cw pms schedule list --status booked,no)" = booked,no-show ]
	[ "$(cw pms admin init --kdf '')" = $'interactive\nmoderate' ]
	[ "$(cw pms admin user add x --role front-desk,b)" = \
	    front-desk,billing ]
	# and what each program offers is what pms offers after its name
	source "$TOP/completions/bash/pms-bill"
	direct=$(COMP_WORDS=(pms-bill aging --by '') COMP_CWORD=3 \
	    COMP_LINE='pms-bill aging --by ' COMP_POINT=20 COMPREPLY=()
	    _pms_bill; printf '%s\n' "${COMPREPLY[@]}" | sort)
	[ -n "$direct" ]
	[ "$(cw pms bill aging --by '')" = "$direct" ]
	# nothing for a program that is not one, and never the store's
	[ -z "$(cw pms nosuch '')" ]
	[ -z "$(cw pms patient show '')" ]
}
