#!/usr/bin/env bats
# Keep the documentation honest, for every program of the Makefile's
# PROGS: its usage against its man page SYNOPSIS, its completions against
# the usage, every man page through mandoc's linter, the EXAMPLES of the
# man pages run for real, and the README's two commands, its crontab
# and the messages of its import.  Only the EXAMPLES tests and the
# README's import make stores.
# bats file_tags=docs

load helpers/common

# The programs: the Makefile's PROGS, as make says.
programs() {
	make -s -C "$TOP" --no-print-directory -f Makefile -f - \
	    print-progs <<<'print-progs: ; @echo $(PROGS)' | tr ' ' '\n' |
	    grep -v '^$'
}

# The programs with a source file in cmd/.
sources() {
	local f

	for f in "$TOP"/cmd/pms-*.c; do
		f=${f##*/}
		echo "${f%.c}"
	done
}

# Render a man page as plain text: no overstrike, no line wrapping
# (1000 is mandoc's widest; a long SYNOPSIS line fits).
render() {
	mandoc -T ascii -O width=1000 "$1" | sed 's/.\x08//g'
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
			-)
				# standard input as an operand: "update id|-"
				after=0
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

# The usage lines of subcommand $1 ("user add"; "-" the program's own).
usage_lines() {
	paste <(signatures <<<"$USAGE" | cut -f1) <(cat <<<"$USAGE") |
	    awk -F'\t' -v c="$1" '$1 == c { print $2 }'
}

# The values option $1 shows in the usage of subcommand $2:
# "--kdf interactive|moderate"; for --role, the roles the program names.
usage_values() {
	if [ "$1" = --role ]; then
		echo "$ROLES"
		return
	fi
	usage_lines "$2" |
	    grep -oE -- "(^| |\[)$1 [a-z0-9][a-z0-9-]*(\|[a-z0-9][a-z0-9-]*)*" |
	    sed 's/^[ []//' | cut -d' ' -f2 | tr '|' '\n' | sort -u
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

# Set up what the tests know of program $1: its man page, usage,
# groups of subcommands, subcommands, options, roles, and the bash and
# zsh completion functions (_pms_admin for pms-admin).
load_prog() {
	PROG=$1
	MAN1="$TOP/man/man1/$PROG.1"
	USAGE=$("$PROG" --help | normalise)
	COMPFN=_${PROG//-/_}
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
	# the options every subcommand takes, at least: those of the
	# program's own line, and --help; and a subcommand with no others
	COMMON_MIN=$(signatures <<<"$USAGE" | awk -F'\t' '$1 == "-" ||
	    $1 == "command" { print $2 }' | head -n 1 | tr ' ' '\n' |
	    grep -v '^$'; printf '%s\n' -h --help)
	PLAIN_CMD=$(signatures <<<"$USAGE" | awk -F'\t' '$1 != "-" &&
	    $1 != "command" && $2 == "" { print $1; exit }')
	# the roles, as the program names them when it refuses one
	ROLES=
	if grep -q -- '--role' <<<"$USAGE"; then
		ROLES=$("$PROG" user add x --role '?' 2>&1 |
		    grep -oE '\(([a-z-]+, )*[a-z-]+\)' | tr -d '(),' |
		    tr ' ' '\n' | sort)
	fi
}

@test "docs: --help prints the usage on stdout and exits 0" {
	for p in $(programs); do
		run --separate-stderr "$p" --help
		assert_success
		[[ $output == usage:\ $p* ]] || fail "$p --help"
		[ -z "$stderr" ]
		help=$output
		run --separate-stderr "$p" -h
		assert_success
		[ "$output" = "$help" ]
		run -64 --separate-stderr "$p"
		[ -z "$output" ]
		[[ $stderr == usage:\ $p* ]] || fail "$p: no usage on stderr"
	done
}

@test "docs: usage and SYNOPSIS show the same subcommands and options" {
	for p in $(programs); do
		load_prog "$p"
		synopsis=$(section "$MAN1" SYNOPSIS | normalise)
		[ -n "$synopsis" ]
		diff -u <(signatures <<<"$USAGE" | sort) \
		    <(signatures <<<"$synopsis" | sort) || fail "$p"
	done
}

@test "docs: every usage line is a SYNOPSIS line, word for word" {
	for p in $(programs); do
		load_prog "$p"
		synopsis=$(section "$MAN1" SYNOPSIS | normalise)
		diff -u <(sort <<<"$USAGE") <(sort <<<"$synopsis") || fail "$p"
		# one .Nm line in the source per synopsis line
		nm=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$MAN1" |
		    grep -c '^\.Nm$')
		[ "$nm" -eq "$(wc -l <<<"$USAGE")" ] || fail "$p: .Nm lines"
	done
}

@test "docs: the man page documents every option and subcommand of the usage" {
	for p in $(programs); do
		load_prog "$p"
		description=$(section "$MAN1" DESCRIPTION)
		while read -r w; do
			grep -qE -- "(^|[ ,])$w( |,|=|\$)" <<<"$description" ||
			    fail "$p(1) DESCRIPTION does not describe \"$w\""
		done < <(printf '%s\n' "$SUBCMDS" "$USAGE_OPTS")
		# and every role the program knows
		for r in $ROLES; do
			grep -qE -- "(^|[ ,])$r( |,|;|\.|\$)" <<<"$description" ||
			    fail "$p(1) DESCRIPTION does not describe role \"$r\""
		done
	done
}

@test "docs: bash completion offers the usage's words and only what works" {
	# an empty directory: file names offered are none here
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	for p in $(programs); do
		load_prog "$p"
		source "$TOP/completions/bash/$p"
		[ "$(complete -p "$p" | grep -oE -- '-F [^ ]+' | cut -d' ' -f2)" = \
		    "$COMPFN" ] || fail "$p: completion function"

		# subcommands: exactly those of the usage, and of each group
		diff -u <(sort <<<"$CMDS") <(complete_words "$p" '') ||
		    fail "$p: subcommands"
		for g in $CMD_GROUPS; do
			diff -u <(awk -v g="$g" '$1 == g { print $2 }' \
			    <<<"$SUBCMDS" | sort) <(complete_words "$p" "$g" '') ||
			    fail "$p $g: subcommands"
		done

		# the program's own options: every one of its usage line,
		# and any other (a long or short alias) must be taken by it
		offered=$(complete_words "$p" -)
		global=$(signatures <<<"$USAGE" | awk -F'\t' '$1 == "-" ||
		    $1 == "command" { print $2 }' | tr ' ' '\n' |
		    grep -v '^$' | sort -u)
		for o in $global; do
			grep -qxF -- "$o" <<<"$offered" ||
			    fail "$p: completion does not offer \"$o\""
		done
		for o in $offered; do
			# fd 3 held open: "3" is also --passphrase-fd's fd
			run "$p" "$o" 3 --help 3</dev/null
			[ "$status" -eq 0 ] || run "$p" "$o" --help 3</dev/null
			[ "$status" -eq 0 ] ||
			    fail "completion offers \"$o\"; $p refuses it"
		done

		# each subcommand: its own options from the usage, plus the
		# common options (those of a subcommand that has no others:
		# the program's own and their long forms); nothing else.  $c
		# may be two words ("user add"): left unquoted on purpose.
		if [ -n "$PLAIN_CMD" ]; then
			COMMON=$(complete_words "$p" $PLAIN_CMD -)
		else
			# every subcommand has options: what all of them offer
			COMMON=$(while read -r c; do complete_words "$p" $c -
			    done <<<"$SUBCMDS" | sort | uniq -c | awk -v n="$(
			    wc -l <<<"$SUBCMDS")" '$1 == n { print $2 }')
		fi
		for o in $COMMON_MIN; do
			grep -qxF -- "$o" <<<"$COMMON" ||
			    fail "$p: \"$o\" is not offered after a subcommand"
		done
		while read -r c; do
			own=$(signatures <<<"$USAGE" | awk -F'\t' -v c="$c" \
			    '$1 == c { print $2 }' | tr ' ' '\n' |
			    grep -v '^$' || true)
			diff -u <(printf '%s\n' $own $COMMON | sort -u) \
			    <(complete_words "$p" $c -) || fail "$p $c: options"
			for o in $(complete_words "$p" $c -); do
				values=$(complete_words "$p" $c "$o" '')
				if [ -n "$values" ]; then
					diff -u <(usage_values "$o" "$c") \
					    <(echo "$values") ||
					    fail "$p $c $o: values"
					for v in $values; do
						run "$p" $c "$o" "$v" --help \
						    </dev/null
						[ "$status" -eq 0 ] || fail \
						    "$p $c $o $v: refused"
					done
					continue
				fi
				# "3" is an argument, or an operand that getopt
				# moves after --help; never let an option eat
				# the --help
				run "$p" $c "$o" 3 --help </dev/null 3</dev/null
				[ "$status" -eq 0 ] ||
				    fail "completion offers \"$p $c $o\"; refused"
			done
		done <<<"$SUBCMDS"
		[ -z "$(complete_words "$p" -u '')" ] || fail "$p: -u"
		[ -z "$(complete_words "$p" --passphrase-fd '')" ] ||
		    fail "$p: --passphrase-fd"
	done
}

@test "docs: bash completion: pms-admin's file names and roles, no names from the store" {
	load_prog pms-admin
	source "$TOP/completions/bash/pms-admin"
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	[ -n "$ROLES" ]
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
	[ -z "$(complete_words pms-admin --new-passphrase-fd '')" ]
	[ -z "$(complete_words pms-admin user remove '')" ]
	[ -z "$(complete_words pms-admin user passwd '')" ]
	[ -z "$(complete_words pms-admin unlock --for '')" ]
}

@test "docs: bash completion: pms-patient's file names, nothing from the store" {
	load_prog pms-patient
	source "$TOP/completions/bash/pms-patient"
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	touch patients.csv
	[ "$(complete_words pms-patient -S pat)" = patients.csv ]
	[ "$(complete_words pms-patient import pat)" = patients.csv ]
	[ "$(complete_words pms-patient import --map pat)" = patients.csv ]
	[ "$(complete_words pms-patient import x.csv --skip-invalid = pat)" = \
	    patients.csv ]
	[ "$(complete_words pms-patient policy import pat)" = patients.csv ]
	[ "$(complete_words pms-patient export --out pat)" = patients.csv ]
	[ -z "$(complete_words pms-patient import x.csv pat)" ]
	# ids, MRNs, names, payers come from the store: never offered
	[ -z "$(complete_words pms-patient show '')" ]
	[ -z "$(complete_words pms-patient show --mrn '')" ]
	[ -z "$(complete_words pms-patient find --name '')" ]
	[ -z "$(complete_words pms-patient merge 1 '')" ]
	[ -z "$(complete_words pms-patient policy add 1 --payer '')" ]
	[ -z "$(complete_words pms-patient add --last-name '')" ]
	[ -z "$(complete_words pms-patient --emergency '')" ]
	# the relationships of a guarantor and of a subscriber differ
	[ "$(complete_words pms-patient guarantor set 1 --relationship g)" = \
	    guardian ]
	[ "$(complete_words pms-patient policy add 1 --relationship s)" = \
	    $'self\nspouse' ]
}

@test "docs: bash completion: pms-schedule's file names, nothing from the store" {
	load_prog pms-schedule
	source "$TOP/completions/bash/pms-schedule"
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	touch book.csv
	[ "$(complete_words pms-schedule -S boo)" = book.csv ]
	[ "$(complete_words pms-schedule import boo)" = book.csv ]
	[ "$(complete_words pms-schedule import x.csv --skip-invalid = boo)" = \
	    book.csv ]
	[ "$(complete_words pms-schedule export --ics --out boo)" = book.csv ]
	[ "$(complete_words pms-schedule list --out boo)" = book.csv ]
	[ -z "$(complete_words pms-schedule import x.csv boo)" ]
	# ids, MRNs and the practice's codes come from the store: never
	[ -z "$(complete_words pms-schedule show '')" ]
	[ -z "$(complete_words pms-schedule book --mrn '')" ]
	[ -z "$(complete_words pms-schedule book --provider '')" ]
	[ -z "$(complete_words pms-schedule hours set --provider x --days '')" ]
	# the statuses of list are a comma-separated list
	[ "$(complete_words pms-schedule list --status booked,no)" = \
	    booked,no-show ]
	[ "$(complete_words pms-schedule cancel 1 --by p)" = \
	    $'patient\npractice' ]
}

@test "docs: bash completion: pms-remind's file names, nothing from the store" {
	load_prog pms-remind
	source "$TOP/completions/bash/pms-remind"
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	touch sender.sh
	[ "$(complete_words pms-remind -S sen)" = sender.sh ]
	[ "$(complete_words pms-remind send --exec sen)" = sender.sh ]
	[ "$(complete_words pms-remind --keyfile = sen)" = sender.sh ]
	[ "$(complete_words pms-remind mark sen)" = sender.sh ]
	[ "$(complete_words pms-remind due --out sen)" = sender.sh ]
	[ -z "$(complete_words pms-remind mark x.csv sen)" ]
	# ids, MRNs, numbers come from the store or the patient: never
	[ -z "$(complete_words pms-remind optout '')" ]
	[ -z "$(complete_words pms-remind optout --phone '')" ]
	[ -z "$(complete_words pms-remind log --mrn '')" ]
	[ -z "$(complete_words pms-remind log --appointment '')" ]
	[ "$(complete_words pms-remind log --status s)" = \
	    $'sending\nsent\nskipped' ]
	[ "$(complete_words pms-remind due --channel e)" = email ]
}

@test "docs: pms-remind(1) describes the due record, the log, the sender's environment and every placeholder" {
	load_prog pms-remind
	description=$(section "$MAN1" DESCRIPTION)
	for c in reminder_id appointment_id patient_id mrn rule channel \
	    recipient start location language due_at attempt subject text \
	    status reason attempts claimed_at sent_at delivered_at next_at \
	    updated_at line from result response outcome reply; do
		grep -qE -- "(^|[ ,(])$c( |,|\$)" <<<"$description" ||
		    fail "pms-remind(1) does not describe column \"$c\""
	done
	for v in PMS_REMINDER_ID PMS_CHANNEL PMS_RECIPIENT PMS_SUBJECT \
	    PMS_ATTEMPT PATH HOME LANG; do
		grep -qw -- "$v" <<<"$description" ||
		    fail "pms-remind(1) does not describe $v"
	done
	# every placeholder of the shipped templates and of the demo is
	# described, and every one described renders: a template using
	# them all loads and is due without an error
	described=$(grep -oE '\{[a-z_]+\}' <<<"$description" | sort -u)
	used=$(cat "$TOP"/share/templates/reminder-*.txt \
	    "$TOP/share/demo/practice.yaml" |
	    grep -oE '\{[a-z_]+\}' | sort -u)
	missing=$(comm -13 <(echo "$described") <(echo "$used"))
	[ -z "$missing" ] || fail "not in pms-remind(1): $missing"
	export PMS_STORE="$BATS_TEST_TMPDIR/store" PMS_USER=admin
	printf '%s\n' 'correct horse battery staple' >"$BATS_TEST_TMPDIR/pass"
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	pms-admin init --kdf interactive >/dev/null 2>&1
	{ sed -n '1,/^templates:/p' "$TOP/share/demo/practice.yaml"
	  printf '  - name: reminder-sms\n    channel: sms\n    body: "%s"\n' \
	      "$(echo $described)"; } >"$BATS_TEST_TMPDIR/all.yaml"
	pms-admin config load "$BATS_TEST_TMPDIR/all.yaml" >/dev/null 2>&1
	run -0 pms-remind due
}

@test "docs: bash completion works the same through bash-completion" {
	local bc=/usr/share/bash-completion/bash_completion

	# bash-completion is not among the packages make deps installs:
	# where it is missing, the previous tests covered the plain path
	[ -r "$bc" ] || return 0
	source "$bc"
	for p in $(programs); do
		load_prog "$p"
		source "$TOP/completions/bash/$p"
		diff -u <(sort <<<"$CMDS") <(complete_words "$p" '')
		[ -z "$(complete_words "$p" -u '')" ]
	done
	load_prog pms-admin
	[ "$(complete_words pms-admin init --kdf m)" = moderate ]
	[ "$(complete_words pms-admin status --un)" = --unlock ]
	[ "$(complete_words pms-admin --recovery user p)" = passwd ]
	[ "$(complete_words pms-admin user add x --ro)" = --role ]
	[ "$(complete_words pms-admin user add x --role front-desk,b)" = \
	    front-desk,billing ]
	[ "$(complete_words pms-admin keyfile cr)" = create ]
	[ "$(complete_words pms-admin unlock --f)" = --for ]
	load_prog pms-patient
	[ "$(complete_words pms-patient imp)" = import ]
	[ "$(complete_words pms-patient import --date-format d)" = dmy ]
	[ "$(complete_words pms-patient import --enc)" = --encoding ]
	[ "$(complete_words pms-patient policy e)" = end ]
	[ "$(complete_words pms-patient --store=x add --sex=)" = \
	    $'f\nm\nu\nx' ]
}

# The lines of the functions of program $1 in _pms (_pms_patient,
# _pms_patient_group), and of the option arrays they use.
zsh_functions() {
	local fn=_${1//-/_} arrays

	awk -v fn="$fn" '$0 ~ "^" fn "(_[a-z]+)?\\(\\)" { on = 1 }
	    on { print } on && /^}/ { on = 0 }' "$TOP/completions/zsh/_pms"
	arrays=$(awk -v fn="$fn" '$0 ~ "^" fn "(_[a-z]+)?\\(\\)" { on = 1 }
	    on { print } on && /^}/ { on = 0 }' "$TOP/completions/zsh/_pms" |
	    grep -oE '\$_pms_[a-z_]+_opts' | sort -u | tr -d '$')
	for a in $arrays; do
		awk -v a="$a" '$0 ~ "^" a "=\\(" { on = 1 } on { print }
		    on && /^\)/ { on = 0 }' "$TOP/completions/zsh/_pms"
	done
}

@test "docs: the zsh completion lists the same subcommands and options" {
	zcomp="$TOP/completions/zsh/_pms"
	head -1 "$zcomp" | grep -qE '^#compdef pms( |$)'
	for p in $(programs); do
		head -1 "$zcomp" | grep -qw -- "$p" ||
		    fail "_pms: #compdef does not name $p"
		grep -qE "^[[:space:]]+$p\) _${p//-/_} ;;" "$zcomp" ||
		    fail "_pms: _pms_dispatch does not run _${p//-/_}"
		grep -qE "^[[:space:]]+'${p#pms-}:" "$zcomp" ||
		    fail "_pms_programs does not list ${p#pms-}"
		load_prog "$p"
		zf=$(zsh_functions "$p")
		# the subcommands in the program's list, and each group's
		cmds=$(sed -n '/^[[:space:]]*cmds=(/,/)/p' <<<"$zf" |
		    grep -oE "^[[:space:]]*'[a-z-]+:" |
		    sed -E "s/[[:space:]':]//g" | sort)
		diff -u <(sort <<<"$CMDS") <(echo "$cmds") || fail "$p: cmds"
		for g in $CMD_GROUPS; do
			# a group's array: "opening-balance" is opening_balance_cmds
			cmds=$(sed -n "/^[[:space:]]*${g//-/_}_cmds=(/,/)/p" <<<"$zf" |
			    grep -oE "^[[:space:]]*'[a-z-]+:" |
			    sed -E "s/[[:space:]':]//g" | sort)
			diff -u <(awk -v g="$g" '$1 == g { print $2 }' \
			    <<<"$SUBCMDS" | sort) <(echo "$cmds") ||
			    fail "$p $g: cmds"
		done
		# the options in the specs: {-S+,--store=}, '--kdf=[...]',
		# '-o+[...]'
		zopts=$(grep -v '^[[:space:]]*#' <<<"$zf" |
		    grep -oE "\{-[^}]*\}|'--?[A-Za-z][a-z0-9-]*[+=]?\[" |
		    tr -d "{}'[" | tr ',' '\n' | sed -E 's/[+=]$//' | sort -u)
		source "$TOP/completions/bash/$p"
		bopts=$( { complete_words "$p" -
		    while read -r c; do complete_words "$p" $c -; done \
		    <<<"$SUBCMDS"; } | sort -u)
		diff -u <(echo "$bopts") <(echo "$zopts") || fail "$p: options"
		# the fixed values of the usage, each list as the zsh one
		while read -r v; do
			[ -n "$v" ] || continue
			grep -qF "(${v//|/ })" <<<"$zf" ||
			    fail "$p: zsh does not offer ($v)"
		done < <(grep -oE -- " -[a-z-]+ [a-z0-9][a-z0-9-]*(\|[a-z0-9][a-z0-9-]*)+" \
		    <<<"$USAGE" | cut -d' ' -f3 | sort -u)
		if [ -n "$ROLES" ]; then
			zroles=$(grep -oE "_values -s , role [a-z -]+" <<<"$zf" |
			    cut -d' ' -f5- | tr ' ' '\n' | grep -v '^$' |
			    sort -u)
			diff -u <(echo "$ROLES") <(echo "$zroles")
		fi
	done
	if command -v zsh >/dev/null; then
		run zsh -n "$zcomp"
		assert_success
	fi
}

@test "docs: every program has a man page and completions, and is in PROGS" {
	for p in $(sources); do
		assert_file_exists "$TOP/man/man1/$p.1"
		assert_file_exists "$TOP/completions/bash/$p"
		programs | grep -qxF -- "$p" || fail "$p is not in PROGS"
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

@test "docs: no man page lists an exit status that pms(7) does not" {
	codes() {
		section "$1" 'EXIT STATUS' | grep -oE '^ {5}[0-9]+ ' |
		    xargs -n1 | sort -n
	}
	for p in $(programs); do
		man1="$TOP/man/man1/$p.1"
		[ -n "$(codes "$man1")" ] || fail "$p(1): no EXIT STATUS"
		missing=$(comm -23 <(codes "$man1") \
		    <(codes "$TOP/man/man7/pms.7"))
		[ -z "$missing" ] || fail "$p(1): not in pms(7): $missing"
	done
}

# The "$ " lines of the EXAMPLES of man page $1, in order, into
# $2/examples: the examples' directory /tmp/x becomes $2/x, and what make
# install puts in /usr/local/share/pms/ is taken from share/ of the
# source tree.  Fails for an example that works outside /tmp/x, or a page
# with fewer than 3.
examples_of() {
	section "$1" EXAMPLES | sed -n 's/^ *\$ //p' |
	    sed -e "s|/tmp/x|$2/x|g" \
	    -e "s|/usr/local/share/pms/|$TOP/share/|g" >"$2/examples"
	[ "$(wc -l <"$2/examples")" -ge 3 ] || fail "$1: under 3 examples"
	if grep -n '/tmp/' "$2/examples" | grep -v "$2"; then
		fail "$1: an example works outside /tmp/x"
	fi
}

# Run $1/examples in one shell, in directory $1, the passphrase from a
# file as in a script; examples that use a store start by making it
# (pms-claim inspect, say, reads files and needs none).
run_examples() {
	local dir=$1 store=0

	printf '%s\n' 'correct horse battery staple' >"$dir/pass"
	if grep -qE 'PMS_STORE|practice\.pms' "$dir/examples"; then
		store=1
		grep -q ' init' "$dir/examples" || fail "$dir: no init"
	fi
	run --separate-stderr env -C "$dir" PMS_PASSPHRASE_FILE="$dir/pass" \
	    PMS_USER=admin bash -e -x "$dir/examples"
	[ "$status" -eq 0 ] || fail "${dir##*/} EXAMPLES: $stderr"
	[ "$store" -eq 0 ] || assert_file_exists "$dir/x/practice.pms"
}

@test "docs: the man page EXAMPLES run" {
	for p in $(programs); do
		load_prog "$p"
		dir="$BATS_TEST_TMPDIR/$p"
		mkdir "$dir"
		examples_of "$MAN1" "$dir"
		# every subcommand has an example
		while read -r c; do
			grep -qE -- "$p( [^ ]+)* $c( |\$)" "$dir/examples" ||
			    fail "no example runs \"$p $c\""
		done <<<"$SUBCMDS"
		run_examples "$dir"
	done
}

@test "docs: the EXAMPLES of pms(1) and pms.yaml(5) run, and every page's are run" {
	# pms(1): the umbrella, each of its commands
	dir="$BATS_TEST_TMPDIR/pms"
	mkdir "$dir"
	examples_of "$TOP/man/man1/pms.1" "$dir"
	for c in help --version admin patient audit; do
		grep -qE -- "^pms( [^ ]+)* $c( |\$)" "$dir/examples" ||
		    fail "no example runs \"pms $c\""
	done
	run_examples "$dir"
	# pms.yaml(5): the first literal block is the file the examples
	# load, saved as practice.yaml where they run
	dir="$BATS_TEST_TMPDIR/pms.yaml"
	mkdir "$dir"
	examples_of "$TOP/man/man5/pms.yaml.5" "$dir"
	awk '/^\.Sh EXAMPLES/ { ex = 1 } ex && /^\.Bd -literal/ { on = 1
	    next } on && /^\.Ed/ { exit } on' "$TOP/man/man5/pms.yaml.5" \
	    >"$dir/practice.yaml"
	grep -q '^practice:' "$dir/practice.yaml"
	run_examples "$dir"
	run -0 env -C "$dir" PMS_STORE="$dir/x/practice.pms" \
	    PMS_PASSPHRASE_FILE="$dir/pass" PMS_USER=admin pms-cfg provider lee
	# every page with EXAMPLES is one of those run here or above
	for m in "$TOP"/man/man*/*.[1-9]; do
		section "$m" EXAMPLES | grep -q . || continue
		n=${m##*/}
		case $n in
		pms.1|pms.yaml.5) ;;
		*) programs | grep -qxF -- "${n%.1}" ||
			fail "the EXAMPLES of $n are not run" ;;
		esac
	done
}

@test "docs: the README names the two commands, and the Makefile has them" {
	readme="$TOP/README.md"
	grep -qF 'make demo' "$readme"
	grep -qF 'make check' "$readme"
	for t in demo check check-asan install bench fuzz valgrind soak; do
		if grep -qF "make $t" "$readme"; then
			grep -qE "^$t:" "$TOP/Makefile" ||
			    fail "README names make $t; no such target"
		fi
	done
}

@test "docs: pms(1) and pms(7) name every program in SEE ALSO" {
	for m in "$TOP/man/man1/pms.1" "$TOP/man/man7/pms.7"; do
		for p in $(programs); do
			sed -n '/^\.Sh SEE ALSO/,/^\.Sh /p' "$m" |
			    grep -qE "^\.Xr $p 1( ,)?\$" ||
			    fail "${m##*/}: SEE ALSO lacks $p(1)"
		done
	done
}

@test "docs: the README's crontab is the one share/cron ships, its key file outside the store's directory" {
	local line
	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] && continue
		grep -qxF "    $line" "$TOP/README.md" ||
		    fail "README lacks the crontab line: $line"
	done <"$TOP/share/cron/pms-remind.crontab"
	# pms(7): a key file is kept outside the store's directory
	run -1 grep -E -- '--keyfile /var/lib/pms/' "$TOP/README.md"
}

@test "docs: the README's import of the demo's spreadsheet shows every message pms-patient prints" {
	export PMS_STORE="$BATS_TEST_TMPDIR/x/practice.pms" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	printf '%s\n' 'correct horse battery staple' >"$PMS_PASSPHRASE_FILE"
	mkdir -m 2770 "$BATS_TEST_TMPDIR/x"
	pms-admin init --kdf interactive >/dev/null 2>&1
	cd "$TOP"
	pms-admin config load share/demo/practice.yaml 2>/dev/null
	run -65 --separate-stderr pms-patient import share/demo/patients.csv
	[ -n "$stderr" ]
	while IFS= read -r line; do
		grep -qxF "    $line" README.md ||
		    fail "README does not show: $line"
	done <<<"$stderr"
	# the README shows them in the order they come
	first='^    [$] pms-patient import share/demo/patients.csv$'
	diff -u <(echo "$stderr") <(awk -v f="$first" '$0 ~ f { on = 1; next }
	    on && /^    \$/ { exit } on' README.md |
	    sed -n 's/^    \(pms-patient: \)/\1/p')
}

@test "docs: pms(7)'s table of rights is lib/rights.c's, row for row" {
	# in the page: ".It Li action" and then the roles, as lib/rights.c
	# lists them but for admin, who may do everything
	page=$(sed -n '/^\.\\" rights: begin/,/^\.\\" rights: end/p' \
	    "$TOP/man/man7/pms.7" | awk '
	    /^\.It Li / { a = $3; next }
	    a != "" && !/^\./ {
		r = $0; gsub(/, /, ",", r); sub(/\.$/, "", r)
		if (r == "admin only") r = ""
		print a "\t" r; a = "" }')
	[ -n "$page" ]
	table=$(pms-rights | sed -E 's/\tadmin,?/\t/')
	diff -u <(echo "$table") <(echo "$page")
	# and the roles the page names are the roles there are
	for r in admin front-desk clinician billing auditor reminder-bot; do
		grep -qE "^\.It Cm $r\$" "$TOP/man/man7/pms.7" ||
		    fail "pms(7) does not describe role $r"
	done
}

@test "docs: no example books at a fixed date that will one day be past: a fixed day says --allow-past, else the day is worked out" {
	local m line bad=
	{
		sed -n 's/^    \$ //p' "$TOP/README.md"
		for m in "$TOP"/man/man*/*.[1-9]; do
			section "$m" EXAMPLES | sed -n 's/^ *\$ //p'
		done
	} >"$BATS_TEST_TMPDIR/examples"
	[ "$(grep -c 'pms-schedule book' "$BATS_TEST_TMPDIR/examples")" -ge 5 ]
	while IFS= read -r line; do
		[[ $line =~ pms-schedule\ (book|move|checkin) ]] || continue
		[[ $line =~ [0-9]{4}-[0-9]{2}-[0-9]{2} ]] || continue
		[[ $line == *--allow-past* ]] && continue
		bad+="$line"$'\n'
	done <"$BATS_TEST_TMPDIR/examples"
	[ -z "$bad" ] || fail "a fixed day without --allow-past: $bad"
	# the README's booking works out its day, and says what it was
	grep -qF -- "\$ day=\$(date -d 'next monday' +%F)" "$TOP/README.md"
	grep -qF -- '--at "${day}T09:30"' "$TOP/README.md"
}
