#!/usr/bin/env bats
# bats file_tags=pms-claim
# pms-claim and pms-bill: a claim not sent yet follows its charges and
# policies (findings E12, E14, E19: a void line, a new line, a recoded
# diagnosis, a corrected policy), the ledger and the claim agreeing on
# who owes a line, and the billing side's smaller findings (E7, E10,
# E13, E15, E22, E24).  Each test checks the exit code, the messages
# and the store's contents after (pms-sql).

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures"

# The template: the demo practice, the test fee schedule, two patients.
#   1 000201  self, Acme (policy 1)
#   2 000202  Medicaid (policy 2), which needs prior authorisations
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template"
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-patient add --mrn 000201 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --sex f --street '1 Elm Street' \
	    --city Springfield --state OH --zip 45501 >/dev/null 2>&1
	pms-patient add --mrn 000202 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 --sex m --street '5 Pine Street' \
	    --city Springfield --state OH --zip 45503 >/dev/null 2>&1
	pms-patient policy add 1 --payer acme --member-id A100 \
	    --from 2020-01-01 >/dev/null 2>&1
	pms-patient policy add 2 --payer medicaid --member-id M400 \
	    --from 2020-01-01 >/dev/null 2>&1
	pms-bill fees import "$FIX/bill/fees.csv" >/dev/null 2>&1
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	TODAY=$(TZ=America/New_York date +%F)
	D=$(date -d "$TODAY -10 days" +%F)
	OUT="$BATS_TEST_TMPDIR"
}

# Charge one visit of patient $1 on $ON (default $D) with lee at main;
# the rest are pms-bill charge's options.  Prints the charge ids.
charge() {
	pms-bill charge --patient "$1" --on "${ON:-$D}" --provider lee \
	    --location main "${@:2}" -o csv | tail -n +2 | cut -d, -f1
}

# The claims: "id|state|payer_id|policy_id|dx|total" one a line.
claims() {
	pms-sql "SELECT id || '|' || state || '|' || payer_id || '|' ||
	    policy_id || '|' || dx || '|' || total_cents FROM claims ORDER BY id"
}

# The lines of claim $1: "lx|charge|code|pointers".
lines() {
	pms-sql "SELECT lx || '|' || charge_id || '|' || code || '|' ||
	    dx_pointers FROM claim_lines WHERE claim_id = $1 ORDER BY lx"
}

# ---- E12: a void line and a new line of a visit on an unsent claim ----

@test "E12: a charge voided while its claim is a draft leaves the claim: the claim is voided, nothing exported" {
	local c
	c=$(charge 1 --code 99214 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 --separate-stderr pms-bill void "$c" --reason 'wrong code'
	run -0 --separate-stderr pms-claim validate -o csv
	assert_stderr "claim 1 (C000001): not sent yet, and no line of its visit is left to claim (void, or the patient's own): voided"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = 1")" = voided ]
	run -0 --separate-stderr pms-claim export --out "$OUT/v.837"
	[ ! -e "$OUT/v.837" ]
	[ "$(pms-sql "SELECT count(*) FROM claim_batches")" = 0 ]
	[ "$(pms-sql "SELECT coalesce(billed_on, '-') FROM charges WHERE id = $c")" = - ]
	run -0 pms-sql "SELECT from_state || '>' || to_state || ':' || note FROM
	    claim_history WHERE claim_id = 1 ORDER BY id DESC LIMIT 1"
	[[ "$output" == "draft>voided:never sent: no line of its visit"* ]]
	# the recharge of the visit is claimed: a new claim
	ON=$D charge 1 --code 99213 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	assert_stderr "1 claim made from 1 visit; 0 already claimed, 0 waiting for coding, 0 self-pay, 0 refused"
	run -0 claims
	[ "${lines[1]}" = "2|draft|$(pms-sql "SELECT payer_id FROM policies WHERE id = 1")|1|I10|8000" ]
	run -0 lines 2
	[ "$output" = "1|2|99213|1" ]
}

@test "E12: a visit voided and charged again before validate: its draft claim carries the new line, not the void one, and the 837 bills it" {
	local c1 c2
	c1=$(charge 1 --code 99214 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 --separate-stderr pms-bill void "$c1" --reason 'wrong code'
	c2=$(charge 1 --code 99213 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	assert_stderr "claim 1 (C000001): not sent yet, and its visit's charges or policies changed since it was made: made again from them"
	assert_stderr "0 claims made from 1 visit; 1 already claimed, 0 waiting for coding, 0 self-pay, 0 refused"
	run -0 lines 1
	[ "$output" = "1|$c2|99213|1" ]
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	run -0 --separate-stderr pms-claim export --out "$OUT/v.837"
	run -1 grep 'SV1\*HC:99214' "$OUT/v.837"
	run -0 grep 'SV1\*HC:99213\*80' "$OUT/v.837"
	[ "$(pms-sql "SELECT id || ':' || coalesce(billed_on, '-') FROM charges ORDER BY id")" = "$c1:-
$c2:$TODAY" ]
}

@test "E12: a void line of a two-line draft claim leaves it at validate; a new line joins it at export" {
	local c
	c=$(charge 1 --code 99213 --dx I10 --code 36415 | head -1)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 --separate-stderr pms-bill void "$((c + 1))" --reason 'not drawn'
	run -0 --separate-stderr pms-claim validate -o csv
	assert_stderr "made again from them"
	run -0 lines 1
	[ "$output" = "1|$c|99213|1" ]
	[ "$(pms-sql "SELECT state || total_cents FROM claims")" = validated8000 ]
	ON=$D charge 1 --code 81002 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim export --out "$OUT/v.837"
	assert_stderr "made again from them"
	run -0 lines 1
	[ "${lines[1]}" = "2|$((c + 2))|81002|1" ]
	run -0 grep -c '^LX\*' "$OUT/v.837"
	[ "$output" = 2 ]
	[ "$(pms-sql "SELECT total_cents FROM claims")" = "$(pms-sql "SELECT
	    sum(amount_cents) FROM charges WHERE id IN ($c, $((c + 2)))")" ]
}

@test "E12: a line added to a visit whose claim was sent is named by create, not claimed twice" {
	charge 1 --code 99213 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled
	run -0 --separate-stderr pms-claim export --out "$OUT/a.837"
	ON=$D charge 1 --code 36415 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled
	assert_stderr "visit 1: line 2 (charge 2) is on none of its claims, and claim 1 was sent: put it on a replacement (pms-claim resubmit 1)"
	assert_stderr "0 claims made from 1 visit; 1 already claimed"
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
}

# ---- E14: a recoded line ----

@test "E14: a line recoded after its claim was made goes out with the new diagnosis" {
	local c
	c=$(charge 1 --code 99214 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-bill code "$c" --dx E11.9
	run -0 --separate-stderr pms-claim export --out "$OUT/d.837"
	assert_stderr "claim 1 (C000001): not sent yet, and its visit's charges or policies changed since it was made: made again from them"
	run -0 grep '^HI\*' "$OUT/d.837"
	[[ "$output" == *"E119"* ]]
	run -0 grep '^SV1\*' "$OUT/d.837"
	[[ "$output" == *"*UN*1***2~" || "$output" == *"*UN*1**2~" ]]
	run -0 lines 1
	[ "$output" = "1|$c|99214|2" ]
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = 1 AND
	    note LIKE 'made again%'"
	[ -n "$output" ]
}

# ---- E19: a policy corrected after the charge ----

@test "E19: a policy corrected after charging: the draft goes to the new payer, and validate says to move what the old one owes" {
	local c acme bc
	c=$(charge 1 --code 99214 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 pms-patient policy end 1 --on "$(date -d "$D -30 days" +%F)"
	run -0 pms-patient policy add 1 --payer bluecross --member-id BC55 \
	    --from "$(date -d "$D -29 days" +%F)"
	acme=$(pms-sql "SELECT id FROM payers WHERE code = 'acme'")
	bc=$(pms-sql "SELECT id FROM payers WHERE code = 'bluecross'")
	run -1 --separate-stderr pms-claim validate -o csv
	assert_stderr "claim 1: line 1: charge $c is owed by the payer \"acme\" (another policy), but the policy covering the date of service now is \"bluecross\"'s: move it first (pms-bill transfer $c --from acme --to bluecross --reason 'policy corrected')"
	[ "$(claims)" = "1|draft|$bc|3|I10|15000" ]
	run -1 --separate-stderr pms-claim export --out "$OUT/q.837"
	[ ! -e "$OUT/q.837" ]
	run -0 --separate-stderr pms-bill transfer "$c" --from acme --to bluecross \
	    --reason 'policy corrected'
	run -0 --separate-stderr pms-claim validate -o csv
	[ "$(claims)" = "1|validated|$bc|3|I10|15000" ]
	run -0 --separate-stderr pms-claim export --out "$OUT/q.837"
	run -0 grep '^NM1\*PR\*' "$OUT/q.837"
	[[ "$output" == *"BLUE CROSS"* ]]
	[ "$(pms-sql "SELECT payer_id FROM balances WHERE charge_id = $c")" = "$bc" ]
	[ "$acme" != "$bc" ]
}

@test "E19: a draft whose policy ended before the date of service, with none after it, is voided and says what the payer still owes" {
	local c
	c=$(charge 1 --code 99214 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	run -0 pms-patient policy end 1 --on "$(date -d "$D -30 days" +%F)"
	run -0 --separate-stderr pms-claim validate -o csv
	assert_stderr "claim 1 (C000001): not sent yet, and no policy covers its date of service any more (what a payer owes on its charges stays with it: pms-bill transfer CHARGE --to patient): voided"
	[ "$(pms-sql "SELECT state FROM claims")" = voided ]
	run -0 --separate-stderr pms-claim export --out "$OUT/q.837"
	[ ! -e "$OUT/q.837" ]
}

# ---- E7: inspect --out over the store's own files ----

@test "E7: inspect --out refuses the store, its key slots, its WAL, a backup and a key file (64), with or without PMS_STORE" {
	local f sum
	run -0 pms-admin backup --out "$OUT/b.pmsbak"
	run -0 pms-admin keyfile create cronx --role billing --out "$OUT/k.key"
	pms-bill list >/dev/null	# a WAL there
	for f in "$STORE" "$STORE.keys" "$STORE-wal" "$OUT/b.pmsbak" \
	    "$OUT/k.key"; do
		[ -e "$f" ] || continue
		sum=$(sha256sum "$f")
		run -64 --separate-stderr pms-claim inspect -o csv --out "$f" \
		    "$TOP/share/demo/remit.835"
		[[ "$stderr" == "pms-claim: --out: that is "* ]]
		[[ "$stderr" == *"write somewhere else" ]]
		[ "$(sha256sum "$f")" = "$sum" ]
	done
	for f in "$STORE" "$OUT/b.pmsbak" "$OUT/k.key"; do
		run -64 --separate-stderr env -u PMS_STORE pms-claim inspect \
		    -o csv --out "$f" "$TOP/share/demo/remit.835"
		assert_stderr "which it would replace: write somewhere else"
	done
	run -0 pms-admin check
	run -0 pms-claim inspect -o csv --out "$OUT/ok.csv" \
	    "$TOP/share/demo/remit.835"
	run -0 head -1 "$OUT/ok.csv"
	[[ "$output" == segment,* || "$output" == *,* ]]
}

# ---- E24: several --code, and their --dx and --units ----

@test "E24: each --dx after a --code is that line's; one --dx is every line's; the claim carries them all" {
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main \
	    --code 99213 --dx A00.0,A01.0 --code 36415 --dx B00.0 \
	    --code 81002 --dx C00.0,C01.0 -o csv
	run -0 pms-sql "SELECT code || '|' || dx_pointers FROM charges ORDER BY id"
	[ "$output" = $'99213|1,2\n36415|3\n81002|4,5' ]
	[ "$(pms-sql "SELECT dx FROM visits")" = "A000,A010,B000,C000,C010" ]
	run -0 --separate-stderr pms-bill charge --patient 2 --on "$D" \
	    --provider lee --location main --code 99213 --code 36415 \
	    --dx I10 -o csv
	run -0 pms-sql "SELECT code || '|' || dx_pointers FROM charges WHERE
	    patient_id = 2 ORDER BY id"
	[ "$output" = $'99213|1\n36415|1' ]
	run -0 --separate-stderr pms-claim create --unbilled
	run -0 pms-sql "SELECT dx FROM claims WHERE patient_id = 1"
	[ "$output" = "A000,A010,B000,C000,C010" ]
	run -0 pms-sql "SELECT group_concat(dx_pointers, ';') FROM (SELECT
	    dx_pointers FROM claim_lines WHERE claim_id = 1 ORDER BY lx)"
	[ "$output" = "1,2;3;4,5" ]
}

@test "E24: --units is the --code's before it; ambiguous --units, --dx and --amount are refused (64) and charge nothing" {
	run -0 --separate-stderr pms-bill charge --patient 1 --on "$D" \
	    --provider lee --location main --code 99213:25 --code 36415 \
	    --units 3 --dx I10 -o csv
	run -0 pms-sql "SELECT code || '|' || units FROM charges ORDER BY id"
	[ "$output" = $'99213|1\n36415|3' ]
	local on
	on=$(date -d "$D -1 day" +%F)
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$on" \
	    --provider lee --location main --units 3 --code 99213 \
	    --code 36415 --dx I10
	assert_stderr "pms-bill: --units: with several --code, give it after the --code it multiplies"
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$on" \
	    --provider lee --location main --code 99213 --units 2 --units 3
	assert_stderr "--units: given twice for one --code"
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$on" \
	    --provider lee --location main --code 99213 --dx I10 --dx E11.9
	assert_stderr "pms-bill: --dx: given twice for one --code: give a line's diagnoses once, comma separated, after its --code"
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$on" \
	    --provider lee --location main --dx I10 --code 99213 \
	    --code 36415 --dx E11.9
	assert_stderr "pms-bill: --dx: give it once for every line, or after each --code it is for, not both"
	run -64 --separate-stderr pms-bill charge --patient 1 --on "$on" \
	    --provider lee --location main --code 99213 --amount 5 --amount 6
	assert_stderr "pms-bill: --amount given twice: give it once"
	run -64 --separate-stderr pms-bill pay --patient 1 --amount 5 \
	    --amount 500 --method cash
	assert_stderr "pms-bill: --amount given twice: give it once"
	[ "$(pms-sql "SELECT count(*) FROM charges")" = 2 ]
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
}

# ---- E13: a prior authorisation for a visit charged already ----

@test "E13: validate's advice works: pms-bill code CHARGE --prior-auth sets the visit's number and the claim carries it" {
	local c
	c=$(charge 2 --code 99213 --dx I10)
	run -0 --separate-stderr pms-claim create --unbilled
	run -1 --separate-stderr pms-claim validate -o csv
	assert_stderr "claim 1: 2300 REF*G1: payer \"medicaid\" in the configuration needs a prior authorisation number: give it for visit 1 (pms-bill code $c --prior-auth NUMBER)"
	# charging again changes nothing of the visit, and says so
	run -0 --separate-stderr pms-bill charge --patient 2 --on "$D" \
	    --provider lee --location main --code 99213 --dx I10 \
	    --prior-auth PA12345
	assert_stderr "99213: charged already (charge $c)"
	assert_stderr "99213: charging again changes nothing of the visit: set its prior authorisation or referring provider with pms-bill code $c --prior-auth NUMBER"
	[ "$(pms-sql "SELECT coalesce(prior_auth, '-') FROM visits")" = - ]
	run -0 --separate-stderr pms-bill code "$c" --prior-auth PA12345 -o csv
	[ "$(pms-sql "SELECT prior_auth FROM visits")" = PA12345 ]
	[ "$(pms-sql "SELECT dx_pointers || status FROM charges")" = 1ready ]
	run -0 pms-sql "SELECT fields FROM audit WHERE action = 'bill.code'"
	[ "$output" = "prior_auth,referring_name,referring_npi" ]
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	run -0 grep '^REF\*G1\*PA12345~' "$OUT/b.837"
	# sent: corrected by a replacement, not here
	run -1 --separate-stderr pms-bill code "$c" --prior-auth PA9
	assert_stderr "charge $c is of a visit on a claim sent already: correct the claim with a replacement instead"
	[ "$(pms-sql "SELECT prior_auth FROM visits")" = PA12345 ]
	# bad input
	run -64 --separate-stderr pms-bill code "$c" --referring-name 'Ann Ref'
	assert_stderr "--referring-name and --referring-npi: give both"
	run -64 --separate-stderr pms-bill code "$c" --prior-auth A --prior-auth B
	assert_stderr "--prior-auth given twice"
	run -64 --separate-stderr pms-bill code "$c"
}

# ---- E22: the service facility's ZIP+4 ----

@test "E22: a service facility (2310C) with a five-digit ZIP fails validate, naming the location to fix; the demo's lakeside has its ZIP+4" {
	pms-bill charge --patient 1 --on "$D" --provider ortiz \
	    --location lakeside --code 99213 --dx I10 >/dev/null 2>&1
	run -0 --separate-stderr pms-claim create --unbilled
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-claim export --dry-run --out "$OUT/b.837"
	sed 's/zip: "46360-1234"/zip: "46360"/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/p5.yaml"
	run -0 --separate-stderr pms-admin config load "$OUT/p5.yaml"
	run -1 --separate-stderr pms-claim validate -o csv
	assert_output $'claim_id,claim,state,errors,warnings\n1,C000001,draft,1,0'
	assert_stderr "pms-claim: claim 1: 2310C N403: the service facility's ZIP code needs its four more digits (ZIP+4): fix it on location \"lakeside\" in the configuration"
	run -1 --separate-stderr pms-claim export --out "$OUT/b.837"
	[ ! -e "$OUT/b.837" ]
	[ "$(pms-sql "SELECT state FROM claims")" = draft ]
}

# ---- E10: a separator every claim holds ----

@test "E10: config load refuses \"-\" and \".\" as separators (78), naming the line, column and key; the configuration stays as it was" {
	local before
	before=$(pms-sql "SELECT doc FROM config")
	sed 's/component: ":"/component: "-"/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/p2.yaml"
	run -78 --separate-stderr pms-admin config load "$OUT/p2.yaml"
	assert_stderr "p2.yaml:44:42: trading_partner.separators.component: \"-\" is in the values every claim carries (its line control numbers, its amounts), so no claim could be sent: choose another character"
	assert_stderr "1 error; nothing was written"
	sed 's/repetition: "^"/repetition: "."/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/p3.yaml"
	run -78 --separate-stderr pms-admin config load "$OUT/p3.yaml"
	assert_stderr "trading_partner.separators.repetition: \".\" is in the values"
	[ "$(pms-sql "SELECT doc FROM config")" = "$before" ]
	# another character is fine, and a claim goes out with it
	sed 's/component: ":"/component: ">"/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/p4.yaml"
	run -0 --separate-stderr pms-admin config load "$OUT/p4.yaml"
	charge 1 --code 99213:25 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	run -0 grep '^SV1\*HC>99213>25\*' "$OUT/b.837"
}

# ---- E15: claim numbers and case ----

# An 835 from acme (ISA13 $1) paying claim number $2 its line: charge
# $3, paid $4, the rest CO-45, line control $5.
acme835() {
	local body cnt
	body=$(printf '%s\n' \
	    "BPR*I*$4*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*$(date +%Y%m%d)~" \
	    "TRN*1*EFT$1*1512345678~" \
	    'N1*PR*ACME HEALTH PLAN*XV*60054~' \
	    'N1*PE*RIVERSIDE FAMILY MEDICINE*XX*1234567893~' \
	    'LX*1~' \
	    "CLP*$2*1*$3*$4*0*12*X$1~" \
	    "SVC*HC:99213*$3*$4**1~" \
	    "CAS*CO*45*$(($3 - $4))~" \
	    "REF*6R*$5~")
	cnt=$(( $(printf '%s\n' "$body" | grep -c .) + 2 ))
	printf 'ISA*00*          *00*          *ZZ*60054          *ZZ*RIVERSIDE01    *261204*0900*^*00501*%09d*0*T*:~\n' "$1"
	printf 'GS*HP*60054*RIVERSIDE01*20261204*0900*%d*X*005010X221A1~\n' "$1"
	printf 'ST*835*0001~\n%s\nSE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' \
	    "$body" "$cnt" "$1" "$1"
}

@test "E15: a claim number given in another case is the same number: kept in capitals, refused twice; an answer's CLP01 is matched without case or padding" {
	ON=$(date -d "$D -1 day" +%F) charge 1 --code 99213 --dx I10 >/dev/null
	charge 1 --code 99213 --dx I10 >/dev/null
	run -0 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'visit_id,claim\n1,dup-1\n')
	[ "$(pms-sql "SELECT clm01 FROM claims")" = DUP-1 ]
	run -1 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'visit_id,claim\n2,Dup-1\n')
	assert_stderr "visit 2: claim: that claim number is on claim 1 already"
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	run -65 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'visit_id,claim\n2,c000123\n')
	assert_stderr "(\"C\" and digits alone are pms's own)"
	run -0 --separate-stderr pms-claim create --unbilled
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	run -0 grep -c '^CLM\*DUP-1\*80\*' "$OUT/b.837"
	# the payer answers in lower case, and pads another
	acme835 701 'dup-1' 80 60 'dup-1-1' >"$OUT/a.835"
	run -0 --separate-stderr pms-claim era -o csv "$OUT/a.835"
	assert_stderr "1 posted"
	acme835 702 'C000002  ' 80 60 'c000002-1' >"$OUT/b.835"
	run -0 --separate-stderr pms-claim era -o csv "$OUT/b.835"
	assert_stderr "1 posted"
	run -0 pms-sql "SELECT group_concat(state, ' ') FROM (SELECT state
	    FROM claims ORDER BY id)"
	[ "$output" = "paid paid" ]
}
