#!/usr/bin/env bats
# Keep the documentation honest: each program's usage against its man
# page SYNOPSIS, the completions against the usage, every man page
# through mandoc's linter, the EXAMPLES of the man pages run for real,
# and the README's two commands.  Only the EXAMPLES test makes a store.
# bats file_tags=docs

load helpers/common

# The programs: one cmd/pms-*.c each.
programs() {
	local f

	for f in "$TOP"/cmd/pms-*.c; do
		f=${f##*/}
		echo "${f%.c}"
	done
}

# Render a man page as plain text: no overstrike, no line wrapping.
render() {
	mandoc -T ascii -O width=500 "$1" | sed 's/.\x08//g'
}

# The lines of section $2 of the rendered page $1, headings excluded.
section() {
	render "$1" | awk -v s="$2" '/^[^ \t]/ { on = ($0 == s); next } on'
}

# Usage or SYNOPSIS lines on stdin, one per line, spaces normalised
# ("interactive | moderate" and "interactive|moderate" are the same).
normalise() {
	sed -E -e 's/^usage: //' -e 's/^[[:space:]]+//' -e 's/[[:space:]]+$//' \
	    -e 's/[[:space:]]*\|[[:space:]]*/|/g' -e 's/[[:space:]]+/ /g' |
	    grep -v '^$'
}

# One signature a line for normalised usage lines on stdin: the
# subcommand ("-" for a line without one; "user add" for one of a group
# in CMD_GROUPS), a tab, then the option names the line shows, sorted.
# A word right after an option is its argument, unless the option closes
# its brackets ("[--unlock]").
signatures() {
	local line w words cmd opts after

	while read -r line; do
		cmd=- opts=() after=0
		read -ra words <<<"${line//[[|]/ }"
		for w in "${words[@]}"; do
			case $w in
			"$PROG")
				;;
			-*)
				opts+=("${w%]}")
				[[ $w == *] ]] && after=0 || after=1
				;;
			*)
				if ((after == 0)) && [[ $cmd == - ]]; then
					cmd=${w%]}
				elif ((after == 0)) && [[ $cmd != *' '* &&
				    " $CMD_GROUPS " == *" $cmd "* ]]; then
					cmd="$cmd ${w%]}"
				fi
				after=0
				;;
			esac
		done
		printf '%s\t%s\n' "$cmd" "$(printf '%s\n' "${opts[@]}" | sort |
		    xargs)"
	done
}

# The values an option shows in the usage: "--kdf interactive|moderate";
# for --role, the roles the program names.
usage_values() {
	if [ "$1" = --role ]; then
		echo "$ROLES"
		return
	fi
	grep -oE -- "$1 [a-z|]+" <<<"$USAGE" | cut -d' ' -f2 | tr '|' '\n' |
	    sort -u
}

# What the bash completion offers for the words given, the last one
# being completed; one candidate a line, sorted.
complete_words() {
	local COMP_WORDS COMP_CWORD COMP_LINE COMP_POINT COMPREPLY

	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$COMPFN"
	printf '%s\n' "${COMPREPLY[@]}" | grep -v '^$' | sort
}

setup() {
	PROG=pms-admin
	MAN1="$TOP/man/man1/$PROG.1"
	USAGE=$("$PROG" --help | normalise)
	# A group of subcommands ("user add", "user list") cannot even print
	# its help without one of them: that is how the groups are told.
	CMD_GROUPS=
	for c in $(signatures <<<"$USAGE" | cut -f1 | sort -u); do
		[[ $c == - || $c == command ]] && continue
		"$PROG" "$c" --help >/dev/null 2>&1 || CMD_GROUPS+=" $c"
	done
	# the subcommands, with those of the groups ("user add"), one a line
	SUBCMDS=$(signatures <<<"$USAGE" | cut -f1 |
	    grep -vxE -- '-|command' | awk '!seen[$0]++')
	# the program's subcommands, in usage order, and every option usage
	# shows
	CMDS=$(cut -d' ' -f1 <<<"$SUBCMDS" | awk '!seen[$0]++')
	USAGE_OPTS=$(signatures <<<"$USAGE" | cut -f2 | tr ' ' '\n' |
	    grep -v '^$' | sort -u)
	# the roles, as the program names them when it refuses one
	ROLES=$("$PROG" user add x --role '?' 2>&1 |
	    grep -oE '\(([a-z-]+, )*[a-z-]+\)' | tr -d '(),' | tr ' ' '\n' |
	    sort)
}

@test "docs: --help prints the usage on stdout and exits 0" {
	run --separate-stderr pms-admin --help
	assert_success
	[[ $output == usage:\ pms-admin* ]]
	[ -z "$stderr" ]
	help=$output
	run --separate-stderr pms-admin -h
	assert_success
	[ "$output" = "$help" ]
	run -64 --separate-stderr pms-admin
	[ -z "$output" ]
	[[ $stderr == usage:\ pms-admin* ]]
}

@test "docs: usage and SYNOPSIS show the same subcommands and options" {
	synopsis=$(section "$MAN1" SYNOPSIS | normalise)
	[ -n "$synopsis" ]
	diff -u <(signatures <<<"$USAGE" | sort) \
	    <(signatures <<<"$synopsis" | sort)
}

@test "docs: every usage line is a SYNOPSIS line, word for word" {
	synopsis=$(section "$MAN1" SYNOPSIS | normalise)
	diff -u <(sort <<<"$USAGE") <(sort <<<"$synopsis")
	# one .Nm line in the source per synopsis line
	nm=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$MAN1" | grep -c '^\.Nm$')
	[ "$nm" -eq "$(wc -l <<<"$USAGE")" ]
}

@test "docs: the man page documents every option and subcommand of the usage" {
	description=$(section "$MAN1" DESCRIPTION)
	while read -r w; do
		grep -qE -- "(^|[ ,])$w( |,|=|\$)" <<<"$description" ||
		    fail "pms-admin(1) DESCRIPTION does not describe \"$w\""
	done < <(printf '%s\n' "$SUBCMDS" "$USAGE_OPTS")
	# and every role the program knows
	[ -n "$ROLES" ]
	for r in $ROLES; do
		grep -qE -- "(^|[ ,])$r( |,|;|\.|\$)" <<<"$description" ||
		    fail "pms-admin(1) DESCRIPTION does not describe role \"$r\""
	done
}

@test "docs: bash completion offers the usage's words and only what works" {
	source "$TOP/completions/bash/pms-admin"
	COMPFN=$(complete -p pms-admin | grep -oE -- '-F [^ ]+' | cut -d' ' -f2)
	[ -n "$COMPFN" ]
	# an empty directory: file names offered after -S are none here
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"

	# subcommands: exactly those of the usage, and those of each group
	diff -u <(sort <<<"$CMDS") <(complete_words pms-admin '')
	[ -n "$CMD_GROUPS" ]
	for g in $CMD_GROUPS; do
		diff -u <(awk -v g="$g" '$1 == g { print $2 }' <<<"$SUBCMDS" |
		    sort) <(complete_words pms-admin "$g" '')
	done

	# the program's own options: every one of the usage, and any other
	# (a long or short alias) must be taken by the program
	offered=$(complete_words pms-admin -)
	global=$(signatures <<<"$USAGE" | awk -F'\t' '$1 == "-" ||
	    $1 == "command" { print $2 }' | tr ' ' '\n' | grep -v '^$' |
	    sort -u)
	for o in $global; do
		grep -qxF -- "$o" <<<"$offered" ||
		    fail "completion does not offer \"$o\""
	done
	for o in $offered; do
		run pms-admin "$o" 3 --help
		[ "$status" -eq 0 ] || run pms-admin "$o" --help
		[ "$status" -eq 0 ] ||
		    fail "completion offers \"$o\"; pms-admin refuses it"
	done

	# each subcommand: its own options from the usage, plus the common
	# options, which the subcommands take too; nothing else.  $c may be
	# two words ("user add"): left unquoted on purpose.
	common=$(complete_words pms-admin check -)
	while read -r c; do
		own=$(signatures <<<"$USAGE" | awk -F'\t' -v c="$c" '$1 == c {
		    print $2 }' | tr ' ' '\n' | grep -v '^$' || true)
		diff -u <(printf '%s\n' $own $common | sort -u) \
		    <(complete_words pms-admin $c -)
		for o in $(complete_words pms-admin $c -); do
			values=$(complete_words pms-admin $c "$o" '')
			if [ -n "$values" ]; then
				diff -u <(usage_values "$o") <(echo "$values")
				for v in $values; do
					run pms-admin $c "$o" "$v" --help </dev/null
					assert_success
				done
				continue
			fi
			# "3" is an argument, or an operand that getopt moves
			# after --help; never let an option eat the --help
			run pms-admin $c "$o" 3 --help </dev/null
			[ "$status" -eq 0 ] ||
			    fail "completion offers \"$c $o\"; refused"
		done
	done <<<"$SUBCMDS"

	# every role offered is one the program takes (it then looks for
	# the store, which is not there: 66, not the usage error 64)
	for v in $(complete_words pms-admin user add x --role ''); do
		run -66 pms-admin -S "$BATS_TEST_TMPDIR/none" user add x \
		    --role "$v" </dev/null
	done
	# a list of roles: the last one is completed
	[ "$(complete_words pms-admin keyfile create x --role admin,cl)" = \
	    admin,clinician ]

	# file names after -S, --store, --keyfile, --out and --to, and for
	# the backup that restore reads; nothing at all after -u, nor for a
	# user's name: the completion never looks into a store
	touch practice.pms
	[ "$(complete_words pms-admin -S prac)" = practice.pms ]
	[ "$(complete_words pms-admin --store = prac)" = practice.pms ]
	[ "$(complete_words pms-admin --keyfile prac)" = practice.pms ]
	[ "$(complete_words pms-admin backup --out prac)" = practice.pms ]
	[ "$(complete_words pms-admin keyfile create x --out = prac)" = \
	    practice.pms ]
	[ "$(complete_words pms-admin restore prac)" = practice.pms ]
	[ "$(complete_words pms-admin restore b --to prac)" = practice.pms ]
	[ -z "$(complete_words pms-admin restore b prac)" ]
	[ -z "$(complete_words pms-admin -u '')" ]
	[ -z "$(complete_words pms-admin --passphrase-fd '')" ]
	[ -z "$(complete_words pms-admin --new-passphrase-fd '')" ]
	[ -z "$(complete_words pms-admin user remove '')" ]
	[ -z "$(complete_words pms-admin user passwd '')" ]
	[ -z "$(complete_words pms-admin unlock --for '')" ]
}

@test "docs: bash completion works the same through bash-completion" {
	local bc=/usr/share/bash-completion/bash_completion

	# bash-completion is not among the packages make deps installs:
	# where it is missing, the previous test covered the plain path
	[ -r "$bc" ] || return 0
	source "$bc"
	source "$TOP/completions/bash/pms-admin"
	COMPFN=_pms_admin
	diff -u <(sort <<<"$CMDS") <(complete_words pms-admin '')
	[ "$(complete_words pms-admin init --kdf m)" = moderate ]
	[ "$(complete_words pms-admin status --un)" = --unlock ]
	[ -z "$(complete_words pms-admin -u '')" ]
	[ "$(complete_words pms-admin --recovery user p)" = passwd ]
	[ "$(complete_words pms-admin user add x --ro)" = --role ]
	[ "$(complete_words pms-admin user add x --role front-desk,b)" = \
	    front-desk,billing ]
	[ "$(complete_words pms-admin keyfile cr)" = create ]
	[ "$(complete_words pms-admin unlock --f)" = --for ]
}

@test "docs: the zsh completion lists the same subcommands and options" {
	zcomp="$TOP/completions/zsh/_pms"
	head -1 "$zcomp" | grep -qE '^#compdef pms( |$)'
	for p in $(programs); do
		head -1 "$zcomp" | grep -qw -- "$p" ||
		    fail "_pms: #compdef does not name $p"
	done
	# the subcommands in _pms_admin's list, and in each group's
	cmds=$(sed -n '/^_pms_admin()/,/^}/p' "$zcomp" |
	    sed -n '/cmds=(/,/)/p' | grep -oE "^[[:space:]]*'[a-z-]+:" |
	    sed -E "s/[[:space:]':]//g" | sort)
	diff -u <(sort <<<"$CMDS") <(echo "$cmds")
	for g in $CMD_GROUPS; do
		cmds=$(sed -n "/^[[:space:]]*${g}_cmds=(/,/)/p" "$zcomp" |
		    grep -oE "^[[:space:]]*'[a-z-]+:" |
		    sed -E "s/[[:space:]':]//g" | sort)
		diff -u <(awk -v g="$g" '$1 == g { print $2 }' <<<"$SUBCMDS" |
		    sort) <(echo "$cmds")
	done
	# the options in the specs: {-S+,--store=} and '--kdf=[...]'
	# the program's own functions and the options every subcommand takes
	zopts=$(awk '/^_pms_admin(_[a-z]+)?\(\)/ || /^_pms_common_opts=/ {
	    on = 1 } on { print } on && /^[})]/ { on = 0 }' "$zcomp" |
	    grep -v '^[[:space:]]*#' |
	    grep -oE "\{-[^}]*\}|'--?[A-Za-z][a-z-]*=?\[" |
	    tr -d "{}'[" | tr ',' '\n' | sed -E 's/[+=]$//' | sort -u)
	source "$TOP/completions/bash/pms-admin"
	COMPFN=_pms_admin
	bopts=$( { complete_words pms-admin -
	    while read -r c; do complete_words pms-admin $c -; done \
	    <<<"$SUBCMDS"; } | sort -u)
	diff -u <(echo "$bopts") <(echo "$zopts")
	# the fixed values: costs, and the roles the program names
	grep -q "(interactive moderate)" "$zcomp"
	zroles=$(grep -oE "_values -s , role [a-z -]+" "$zcomp" | cut -d' ' -f5- |
	    tr ' ' '\n' | grep -v '^$' | sort -u)
	diff -u <(echo "$ROLES") <(echo "$zroles")
	if command -v zsh >/dev/null; then
		run zsh -n "$zcomp"
		assert_success
	fi
}

@test "docs: every program has a man page and completions" {
	for p in $(programs); do
		assert_file_exists "$TOP/man/man1/$p.1"
		assert_file_exists "$TOP/completions/bash/$p"
	done
	assert_file_exists "$TOP/man/man7/pms.7"
}

@test "docs: every man page passes mandoc -Tlint -W warning" {
	n=0
	for m in "$TOP"/man/man*/*.[1-9]; do
		run mandoc -Tlint -W warning "$m"
		assert_success
		assert_output ''
		n=$((n + 1))
	done
	[ "$n" -ge 2 ]
}

@test "docs: pms-admin(1) lists no exit status that pms(7) does not" {
	codes() {
		section "$1" 'EXIT STATUS' | grep -oE '^ {5}[0-9]+ ' |
		    xargs -n1 | sort -n
	}
	[ -n "$(codes "$MAN1")" ]
	missing=$(comm -23 <(codes "$MAN1") <(codes "$TOP/man/man7/pms.7"))
	[ -z "$missing" ] || fail "not in pms(7) EXIT STATUS: $missing"
}

@test "docs: the man page EXAMPLES run" {
	# Each "$ " line of EXAMPLES, in order, in one shell; the examples'
	# directory /tmp/x becomes one of this test's own, the passphrase
	# comes from a file as in a script, and what make install puts in
	# /usr/local/share/pms/ is taken from share/ of the source tree.
	dir="$BATS_TEST_TMPDIR"
	printf '%s\n' 'correct horse battery staple' >"$dir/pass"
	section "$MAN1" EXAMPLES | sed -n 's/^ *\$ //p' |
	    sed -e "s|/tmp/x|$dir/x|g" -e "s|/usr/local/share/pms/|$TOP/share/|g" \
	    >"$dir/examples"
	[ "$(wc -l <"$dir/examples")" -ge 3 ]
	grep -q ' init' "$dir/examples"
	if grep -n '/tmp/' "$dir/examples" | grep -v "$dir"; then
		fail "an example works outside /tmp/x"
	fi
	# every subcommand has an example
	while read -r c; do
		grep -qE -- "pms-admin( [^ ]+)* $c( |\$)" "$dir/examples" ||
		    fail "no example runs \"pms-admin $c\""
	done <<<"$SUBCMDS"
	run --separate-stderr env PMS_PASSPHRASE_FILE="$dir/pass" \
	    PMS_USER=admin bash -e -x "$dir/examples"
	assert_success
	assert_file_exists "$dir/x/practice.pms"
}

@test "docs: the README names the two commands, and the Makefile has them" {
	readme="$TOP/README.md"
	grep -qF 'make demo' "$readme"
	grep -qF 'make check' "$readme"
	for t in demo check check-asan install bench; do
		if grep -qF "make $t" "$readme"; then
			grep -qE "^$t:" "$TOP/Makefile" ||
			    fail "README names make $t; no such target"
		fi
	done
}
