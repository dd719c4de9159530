#!/usr/bin/env bats
# bats file_tags=rights
# Who may do what: the matrix of roles by actions.  Each row of
# tests/fixtures/rights.tsv is an action of lib/rights.c and a command
# line that takes it; each is run as a key file of every role, on a
# fresh copy of one template store.  A role that lacks the right (as
# the table says, through the pms-rights helper) must be refused, exit
# 77, with a "denied:<action>" entry of its own in the access log; a
# role that has it must not be refused.  A later program adds rows to
# the fixture (and, if its rows need data, a file to
# tests/fixtures/rights-setup/), never code here.

load helpers/common

ROLES='admin front-desk clinician billing auditor reminder-bot'

setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" r f
	export PMS_STORE="$t/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$t/pass"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-patient add --mrn U-1 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --ssn 000-12-3456 >/dev/null
	pms-patient add --mrn U-2 --last-name Sample --first-name Sam \
	    --dob 1975-07-04 >/dev/null
	pms-patient policy add 1 --payer acme --member-id XK0001 >/dev/null
	printf '%s\n' 'the spare passphrase here' >"$t/newpass"
	PMS_NEW_PASSPHRASE_FILE="$t/newpass" pms-admin user add spare \
	    --role front-desk --kdf interactive >/dev/null 2>&1
	mkdir "$t/keys"
	for r in $ROLES; do
		pms-admin keyfile create "r-$r" --role "$r" \
		    --out "$t/keys/r-$r.key" >/dev/null 2>&1
	done
	for f in "$TOP"/tests/fixtures/rights-setup/*.sh; do
		[ -e "$f" ] || continue
		# shellcheck source=/dev/null
		source "$f"
	done
	pms-admin maintain >/dev/null 2>&1
	unset PMS_STORE PMS_USER PMS_PASSPHRASE_FILE
}

# The fixture's rows, "action<TAB>before<TAB>command", comments and
# blank lines left out.
rows() {
	grep -vE '^[[:space:]]*(#|$)' "$TOP/tests/fixtures/rights.tsv"
}

# The program that takes an action: "patient.show" is pms-patient's.
program_of() {
	echo "pms-${1%%.*}"
}

# Does role $1 hold a right that the roles list $2 ("admin,billing")
# names?
holds() {
	[[ ",$2," == *",$1,"* ]]
}

# Run every row whose program passes the filter $1 (a program name, or
# "other" for every program but pms-admin, pms-patient and pms-audit);
# report each cell of the matrix that is wrong, all of them, at the end.
check_rows() {
	local want=$1 action before cmd prog role lacking a roles n=0
	local -a bad=() needs
	local T FIX="$TOP/tests/fixtures" TODAY TOMORROW NEXT_WEEK
	TODAY=$(date +%F)
	TOMORROW=$(date -d '+1 day' +%F)
	NEXT_WEEK=$(date -d '+7 days' +%F)
	export FIX TOP TODAY TOMORROW NEXT_WEEK
	export PMS_NEW_PASSPHRASE_FILE="$BATS_FILE_TMPDIR/template/newpass"
	while IFS=$'\t' read -r action before cmd; do
		prog=$(program_of "$action")
		case $want in
		other)
			[[ $prog == @(pms-admin|pms-patient|pms-audit) ]] &&
			    continue
			;;
		*)
			[ "$prog" = "$want" ] || continue
			;;
		esac
		[ -x "$BUILD_DIR/$prog" ] || continue
		if [ -z "$cmd" ]; then
			bad+=("$action: the row has no command line")
			continue
		fi
		needs=()
		[ "$before" = - ] || IFS=, read -ra needs <<<"$before"
		needs+=("$action")
		n=$((n + 1))
		# a fresh store and directory for each row
		rm -rf "$BATS_TEST_TMPDIR/row"
		mkdir "$BATS_TEST_TMPDIR/row"
		T="$BATS_TEST_TMPDIR/row"
		export T
		cp "$BATS_FILE_TMPDIR/template/store" \
		    "$BATS_FILE_TMPDIR/template/store.keys" "$T/"
		mkdir -m 2770 "$T/store.lock.d"
		for role in $ROLES; do
			# the first right the command checks that the role lacks
			lacking=
			for a in "${needs[@]}"; do
				if ! roles=$(pms-rights "$a" 2>/dev/null); then
					bad+=("$action: \"$a\" is not in lib/rights.c")
					continue 3
				fi
				if ! holds "$role" "$roles"; then
					lacking=$a
					break
				fi
			done
			run --separate-stderr env -u PMS_USER \
			    -u PMS_PASSPHRASE_FILE PMS_STORE="$T/store" \
			    PMS_KEYFILE="$BATS_FILE_TMPDIR/template/keys/r-$role.key" \
			    ROLE="$role" bash -c "cd \"\$T\" && eval \"\$1\"" \
			    row "$cmd" </dev/null
			if [ -n "$lacking" ]; then
				if [ "$status" -ne 77 ]; then
					bad+=("$action as $role: exit $status, not 77 ($cmd): $stderr")
					continue
				fi
				last=$(PMS_STORE="$T/store" PMS_USER=admin \
				    PMS_PASSPHRASE_FILE="$BATS_FILE_TMPDIR/template/pass" \
				    pms-sql "SELECT user || ' ' || action FROM audit
				    ORDER BY id DESC LIMIT 1")
				[ "$last" = "r-$role denied:$lacking" ] ||
				    bad+=("$action as $role: the last entry is \"$last\", not \"r-$role denied:$lacking\"")
				refute_phi "$stderr"
			elif [ "$status" -eq 77 ]; then
				bad+=("$action as $role: refused, 77 ($cmd): $stderr")
			elif [ "$status" -eq 86 ]; then
				bad+=("$action as $role: the sanitizer stopped it ($cmd)")
			fi
		done
	done < <(rows)
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}" >&2
		fail "${#bad[@]} cells of the matrix are wrong"
	fi
	echo "# $n rows" >&3
}

@test "rights: the fixture's rows are well formed and name actions of the table" {
	local action before cmd
	while IFS= read -r line; do
		IFS=$'\t' read -r action before cmd <<<"$line"
		[ "$(tr -cd '\t' <<<"$line" | wc -c)" -eq 2 ] ||
		    fail "not three tab-separated columns: $line"
		[ -n "$cmd" ] || fail "no command line: $line"
		pms-rights "$action" >/dev/null ||
		    fail "\"$action\" is not in lib/rights.c"
		if [ "$before" != - ]; then
			IFS=, read -ra a <<<"$before"
			pms-rights "${a[@]}" >/dev/null ||
			    fail "\"$before\" names an action not in lib/rights.c"
		fi
		[[ $cmd == "$(program_of "$action")"\ * ||
		    $cmd == env\ * ]] ||
		    fail "\"$action\" is not run by $(program_of "$action"): $cmd"
	done < <(rows)
}

@test "rights: every action of a built program has a row" {
	local action roles p f a
	# the actions the table names one by one
	while IFS=$'\t' read -r action roles; do
		[[ $action == *'*' ]] && continue
		p=$(program_of "$action")
		[ -x "$BUILD_DIR/$p" ] || continue
		rows | cut -f1 | grep -qxF -- "$action" ||
		    fail "no row in tests/fixtures/rights.tsv for $action ($p)"
	done < <(pms-rights)
	# and the actions the code checks, wildcard rows and all: the
	# literals on the lines that open or authorize, and the next line
	for f in "$TOP"/cmd/pms-*.c "$TOP"/lib/*.c; do
		[[ $f == */rights.c ]] && continue
		grep -hE -A1 \
		    'pms_cli_open|_authorize\(|pms_rights_need\(|action = "' \
		    "$f" | grep -oE '"[a-z]+\.[a-z][a-z.-]*"' | tr -d '"' |
		    sort -u | while read -r a; do
			pms-rights "$a" >/dev/null 2>&1 || continue
			p=$(program_of "$a")
			[ -x "$BUILD_DIR/$p" ] || continue
			rows | cut -f1 | grep -qxF -- "$a" ||
			    echo "$a (${f#"$TOP"/})"
		done
	done >"$BATS_TEST_TMPDIR/missing"
	if [ -s "$BATS_TEST_TMPDIR/missing" ]; then
		cat "$BATS_TEST_TMPDIR/missing" >&2
		fail "actions the code checks without a row in rights.tsv"
	fi
}

@test "rights: pms-admin: each role may do what the table says, no more" {
	check_rows pms-admin
}

@test "rights: pms-patient: each role may do what the table says, no more" {
	check_rows pms-patient
}

@test "rights: pms-audit: each role may do what the table says, no more" {
	[ -x "$BUILD_DIR/pms-audit" ] || skip "pms-audit is not built"
	check_rows pms-audit
}

@test "rights: the other programs: each role may do what the table says" {
	check_rows other
}

# may ROLE ACTION...: the table lets the role take every action named.
may() {
	local role=$1 a r
	shift
	for a in "$@"; do
		r=$(pms-rights "$a") || fail "\"$a\" is not in lib/rights.c"
		holds "$role" "$r" || fail "$role may not do $a ($r)"
	done
}

# may_not ROLE ACTION...: the table lets the role take none of them.
may_not() {
	local role=$1 a r
	shift
	for a in "$@"; do
		r=$(pms-rights "$a") || fail "\"$a\" is not in lib/rights.c"
		holds "$role" "$r" && fail "$role may do $a ($r)"
	done
	return 0
}

@test "rights: the table gives each role what issue 14 says" {
	# admin may do everything
	while IFS=$'\t' read -r a r; do
		holds admin "$r" || fail "admin may not do $a"
		holds portal "$r" && fail "portal, kept for later, may do $a"
	done < <(pms-rights)
	# the front desk registers, books, checks in, takes payments at
	# the desk; it does not adjust, void, refund or post remittances
	may front-desk patient.add patient.update patient.import \
	    patient.policy.add schedule.book schedule.checkin schedule.move \
	    schedule.cancel bill.pay
	may_not front-desk bill.adjust bill.void bill.refund claim.era \
	    claim.post patient.reveal audit.log
	# clinicians read the schedule and the patients, complete visits
	# and code charges
	may clinician schedule.list schedule.show patient.show patient.find \
	    schedule.complete bill.code
	may_not clinician schedule.book schedule.cancel patient.add \
	    patient.reveal bill.pay bill.adjust claim.create audit.log
	# billing: charges, claims, remittances, statements, reports; no
	# change to the schedule
	may billing bill.charge bill.adjust bill.void bill.refund \
	    bill.statement claim.create claim.export claim.era report.ar-aging \
	    patient.reveal schedule.list
	may_not billing schedule.book schedule.move schedule.cancel \
	    schedule.checkin schedule.complete audit.log
	# auditors: the access log and reports only
	may auditor audit.log audit.verify audit.checkpoint audit.export \
	    audit.exports audit.disclosures report.ar-aging
	while IFS=$'\t' read -r a r; do
		[[ $a == @(audit|report|admin).* ]] && continue
		holds auditor "$r" && fail "an auditor may do $a"
	done < <(pms-rights)
	# the reminder job: the coming days' appointments and contacts,
	# the outcomes of reminders, nothing else (but keeping the store
	# small and backed up, which every slot may)
	may reminder-bot remind.due remind.send remind.mark
	while IFS=$'\t' read -r a r; do
		[[ $a == remind.@(due|render|send|mark) ]] && continue
		[[ $a == admin.@(check|maintain|backup|config.dump|user.passwd) ]] &&
		    continue
		holds reminder-bot "$r" && fail "the reminder job may do $a"
	done < <(pms-rights)
	# the SSN unmasked: admin and billing only
	[ "$(pms-rights patient.reveal)" = admin,billing ]
}

# ---- pms-admin user role ---------------------------------------------------

@test "user role: an admin gives a slot new roles, at once and on record" {
	use_store
	run -0 --separate-stderr pms-admin user role spare clinician,billing
	assert_stderr 'pms-admin: "spare" now has the roles clinician,billing'
	run -0 pms-admin user list
	assert_line --regexp '^[0-9]+ +spare +passphrase +clinician,billing$'
	run -0 pms-sql "SELECT user, action, fields FROM audit ORDER BY id DESC
	    LIMIT 1"
	assert_output 'admin|user.role|roles'
	# the new roles hold from the next open: the key file of a job too
	k="$BATS_FILE_TMPDIR/template/keys/r-reminder-bot.key"
	run -77 env -u PMS_USER PMS_KEYFILE="$k" pms-patient list
	run -0 pms-admin user role r-reminder-bot reminder-bot,front-desk
	run -0 env -u PMS_USER PMS_KEYFILE="$k" pms-patient list -o csv
	run -0 pms-admin user role r-reminder-bot reminder-bot
	run -77 env -u PMS_USER PMS_KEYFILE="$k" pms-patient list
}

@test "user role: the last admin keeps the role; the recovery slot its own" {
	use_store
	run -1 --separate-stderr pms-admin user role admin front-desk
	assert_stderr '"admin" is the last admin: make another user an admin first'
	run -1 --separate-stderr pms-admin user role recovery billing
	assert_stderr "the recovery slot keeps the admin role"
	run -1 --separate-stderr pms-admin user role nobody billing
	assert_stderr 'no user "nobody"'
	# with a second admin, the first may give it up
	run -0 pms-admin user role spare admin
	run -0 pms-admin user role admin front-desk,billing
	run -0 pms-admin user list
	assert_line --regexp '^1 +admin +passphrase +front-desk,billing$'
	run -77 --separate-stderr pms-admin user role spare billing
	assert_stderr 'user "admin" lacks the admin role'
	run -0 pms-sql "SELECT action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'denied:admin.user.role'
}

@test "user role: roles are checked; portal is not given out" {
	use_store
	run -64 --separate-stderr pms-admin user role spare portal
	assert_stderr 'unknown role in "portal" (admin, front-desk, clinician, billing, auditor, reminder-bot)'
	run -64 --separate-stderr pms-admin user role spare surgeon
	assert_stderr 'unknown role in "surgeon"'
	run -64 --separate-stderr pms-admin user role spare ''
	run -64 --separate-stderr pms-admin user role spare
	run -64 --separate-stderr pms-admin user role spare billing extra
	run -64 --separate-stderr pms-admin user role spare billing --kdf moderate
	assert_stderr 'role: option "--kdf" does not apply'
	run -0 pms-admin user list
	assert_line --regexp '^[0-9]+ +spare +passphrase +front-desk$'
}
