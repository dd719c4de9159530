#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim's corrections: a claim rejected at the front end (999,
# 277CA) sent again as an original, its CLM01 kept; a claim the payer
# adjudicated replaced (frequency 7) or voided (frequency 8), carrying
# the payer's claim number (REF*F8); pms-bill void --correct-claim of a
# billed charge; each claim's history naming its chain; the 835 of a
# replacement posted; refusals that write nothing.  Claims are made and
# sent through the programs (tests/helpers/claims.bash); after each
# posting the ledger must reconcile (pms-bill check).

load helpers/common
load helpers/claims

setup_file() {
	make_template
	export PMS_STORE="$TEMPLATE/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$TEMPLATE/pass"
	claims_practice
	pms-admin maintain >/dev/null 2>&1
}

setup() {
	use_store
}

reconciles() {
	run -0 --separate-stderr pms-bill check
}

# An acknowledgement interchange from the clearinghouse: ack_file
# ISA13 GS01 GS08, the segments from ST to SE on standard input (as in
# tests/pms-claim-answers.bats).
ack_file() {
	printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *250610*0900*^*00501*%09d*0*P*:~\n' "$1"
	printf 'GS*%s*CLEARHOUSE1*RIVERSIDE01*20250610*0900*%d*X*%s~\n' "$2" "$1" "$3"
	cat
	printf 'GE*1*%d~\nIEA*1*%09d~\n' "$1" "$1"
}

# The segments of 837 file $1 from the CLM of claim number $2 to the
# next CLM or SE, one a line, without their "~".
claim_segments() {
	tr -d '\n' <"$1" | tr '~' '\n' |
	    awk -v c="CLM*$2*" 'index($0, c) == 1 { on = 1; print; next }
		on && /^(CLM|SE|HL)\*/ { exit } on { print }'
}

# What party owes on the charges of claim $1 ("patient", a payer code),
# in cents.
owed_on_claim() {
	pms-sql "SELECT coalesce(sum(b.amount_cents), 0) FROM balances b
	    LEFT JOIN payers y ON y.id = b.payer_id WHERE b.charge_id IN
	    (SELECT charge_id FROM claim_lines WHERE claim_id = $1) AND
	    CASE b.party WHEN 'patient' THEN 'patient' WHEN 'pending' THEN
	    'pending:' || y.code ELSE y.code END = '$2'"
}

# What the store holds of claims, for a before/after comparison.
claims_dump() {
	pms-sql "SELECT id, clm01, state, frequency, coalesce(original_id,
	    ''), coalesce(payer_claim_number, ''), total_cents FROM claims
	    ORDER BY id"
	pms-sql "SELECT claim_id, lx, charge_id, control, amount_cents FROM
	    claim_lines ORDER BY id"
	pms-sql "SELECT count(*) FROM claim_history"
	pms-sql "SELECT id, status FROM charges ORDER BY id"
	pms-sql "SELECT count(*) FROM ledger"
}

@test "resubmit: a 999 rejection goes again as an original (frequency 1), its CLM01 kept, no REF*F8" {
	c=$(claim_sent K1 1 99213:100.00)
	st02=$(pms-sql "SELECT st02 FROM claim_submissions WHERE claim_id = $c")
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	ack_file 81 FA 005010X231A1 >"$BATS_TEST_TMPDIR/r.999" <<EOF
ST*999*0001*005010X231A1~
AK1*HC*$isa*005010X222A1~
AK2*837*$(printf %04d "$st02")*005010X222A1~
IK3*NM1*12*2010BA*8~
IK4*9*67*7*Z~
IK5*R*5~
AK9*R*1*1*0~
SE*8*0001~
EOF
	run -1 pms-claim ack "$BATS_TEST_TMPDIR/r.999" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	[ "$(cut -d, -f1-3,14 <<<"${lines[1]}")" = "$c,K1,draft,1" ]
	assert_stderr "pms-claim: claim $c: to be sent again as it was (frequency 1, its claim number kept), now draft"
	refute_phi "$stderr"
	# the same claim: no other was made
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	run -0 pms-claim validate "$c" -o csv
	run -0 pms-claim export "$c" --out "$BATS_TEST_TMPDIR/again.837"
	run -0 claim_segments "$BATS_TEST_TMPDIR/again.837" K1
	assert_line --index 0 'CLM*K1*100***11:B:1*Y*A*Y*Y'
	refute_output --partial 'REF*F8'
	assert_line --index 1 'HI*ABK:E119'
	# what went out twice stays on record: two batches, the history
	[ "$(pms-sql "SELECT count(*) FROM claim_submissions WHERE claim_id = $c")" = 2 ]
	run -0 pms-sql "SELECT coalesce(from_state, '-') || '>' || to_state
	    FROM claim_history WHERE claim_id = $c ORDER BY id"
	assert_output - <<'EOF'
->draft
draft>validated
validated>submitted
submitted>rejected
rejected>draft
draft>validated
validated>submitted
EOF
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $c
	    AND from_state = 'rejected'"
	assert_output 'resubmit: to go again as an original (frequency 1)'
	reconciles
}

@test "resubmit: a 277CA A3 rejection; the lines read again from the visit's charges (a line added since)" {
	c=$(claim_sent K2 2 99213:60.00)
	ack_file 82 HN 005010X214 >"$BATS_TEST_TMPDIR/a3.277" <<'EOF'
ST*277*0001*005010X214~
BHT*0085*08*1*20250610*0900*TH~
HL*1**20*1~
NM1*PR*2*ACME HEALTH PLAN*****PI*60054~
HL*2*1*21*1~
NM1*41*2*RIVERSIDE FAMILY MEDICINE*****46*RIVERSIDE01~
HL*3*2*19*1~
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893~
HL*4*3*PT~
NM1*QC*1*ZZTEST*BEA~
TRN*2*K2~
STC*A3:21*20250610*U*60~
SE*13*0001~
EOF
	run -1 pms-claim ack "$BATS_TEST_TMPDIR/a3.277" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
	dos=$(pms-sql "SELECT dos_from FROM claims WHERE id = $c")
	run -0 pms-bill charge --patient 2 --on "$dos" --provider lee \
	    --location main --code 36415 --amount 15.00 --dx E11.9 -o csv
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	[ "$(cut -d, -f1-3,14,15 <<<"${lines[1]}")" = "$c,K2,draft,1,2" ]
	run -0 pms-sql "SELECT lx, control, code, amount_cents FROM
	    claim_lines WHERE claim_id = $c ORDER BY lx"
	assert_output - <<'EOF'
1|K2-1|99213|6000
2|K2-2|36415|1500
EOF
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $c
	    ORDER BY id DESC LIMIT 1"
	assert_output 'resubmit: to go again as an original (frequency 1); lines read again from the charges'
	run -0 pms-claim validate "$c" -o csv
	run -0 pms-claim export "$c" --out "$BATS_TEST_TMPDIR/again.837"
	run -0 claim_segments "$BATS_TEST_TMPDIR/again.837" K2
	assert_line --index 0 'CLM*K2*75***11:B:1*Y*A*Y*Y'
	refute_output --partial 'REF*F8'
	assert_output --partial 'REF*6R*K2-2'
	reconciles
}

@test "resubmit: an adjudicated claim replaced: frequency 7, REF*F8 = CLP07, the current charges; its 835 (reversal and payment) posts" {
	c=$(claim_sent K3 1 99213:100.00 36415:20.00)
	era_file 91 96 T91 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K3*1*120*96*24*12*PCN777~
CAS*PR*2*24~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	run -0 pms-sql "SELECT state, payer_claim_number FROM claims WHERE id = $c"
	assert_output 'paid|PCN777'
	reconciles
	# a line forgotten, charged now: the replacement carries it
	dos=$(pms-sql "SELECT dos_from FROM claims WHERE id = $c")
	pms-bill charge --patient 1 --on "$dos" --provider lee \
	    --location main --code 81002 --amount 15.00 --dx E11.9 \
	    >/dev/null
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	r=$(cut -d, -f1 <<<"${lines[1]}")
	[ "$r" -gt "$c" ]
	rc=$(printf 'C%06d' "$r")
	[ "$(cut -d, -f1-3,14,15,17 <<<"${lines[1]}")" = "$r,$rc,draft,7,3,135.00" ]
	assert_stderr "pms-claim: claim $r: replaces claim $c (frequency 7), a draft"
	refute_phi "$stderr"
	# the original is the payer's until the replacement is sent
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	run -0 pms-sql "SELECT frequency, original_id,
	    coalesce(payer_claim_number, '-') FROM claims WHERE id = $r"
	assert_output "7|$c|-"
	run -0 pms-sql "SELECT lx, control, code, amount_cents FROM
	    claim_lines WHERE claim_id = $r ORDER BY lx"
	assert_output - <<EOF
1|$rc-1|99213|10000
2|$rc-2|36415|2000
3|$rc-3|81002|1500
EOF
	# a second correction while this one waits: refused
	run -1 --separate-stderr pms-claim resubmit "$c"
	assert_stderr "pms-claim: claim $c: its correction, claim $r, is waiting to be sent: validate and export it, or pms-claim void $r to withdraw it"
	run -0 pms-claim validate "$r" -o csv
	run -0 pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837"
	d8=$(tr -d - <<<"$dos")
	run -0 claim_segments "$BATS_TEST_TMPDIR/r.837" "$rc"
	assert_output - <<EOF
CLM*$rc*135***11:B:7*Y*A*Y*Y
REF*F8*PCN777
HI*ABK:E119
NM1*82*1*LEE*ANN****XX*1245319599
PRV*PE*PXC*207Q00000X
LX*1
SV1*HC:99213*100*UN*1***1
DTP*472*D8*$d8
REF*6R*$rc-1
LX*2
SV1*HC:36415*20*UN*1***1
DTP*472*D8*$d8
REF*6R*$rc-2
LX*3
SV1*HC:81002*15*UN*1***1
DTP*472*D8*$d8
REF*6R*$rc-3
EOF
	# sent: the original is replaced
	run -0 pms-sql "SELECT id, state FROM claims ORDER BY id"
	assert_output "$c|replaced
$r|submitted"
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $c
	    ORDER BY id DESC LIMIT 1"
	assert_output "replaced by claim $r (frequency 7), sent"
	# the payer reverses the original and pays the replacement
	era_file 92 12 T92 >"$BATS_TEST_TMPDIR/2.835" <<EOF
LX*1~
CLP*K3*22*-120*-96*-24*12*PCN777~
CAS*PR*2*-24~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
CLP*$rc*1*135*108*27*12*PCN778~
CAS*PR*2*27~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/2.835" -o csv
	[ "$(cut -d, -f6,9,10 <<<"${lines[1]}")" = "$c,22,reversed" ]
	[ "$(cut -d, -f6,9,10,12,13 <<<"${lines[2]}")" = "$r,1,posted,108.00,27.00" ]
	run -0 pms-sql "SELECT id, state, payer_claim_number FROM claims ORDER BY id"
	assert_output "$c|replaced|PCN777
$r|paid|PCN778"
	[ "$(owed_on_claim "$r" patient)" = 2700 ]
	[ "$(owed_on_claim "$r" acme)" = 0 ]
	# 96 + 108 - 96 from the payer: 108 applied, nothing left over
	run -0 pms-sql "SELECT sum(amount_cents) FROM ledger WHERE kind =
	    'apply' AND charge_id IN (SELECT charge_id FROM claim_lines
	    WHERE claim_id = $r)"
	assert_output -10800
	run -0 pms-sql "SELECT count(*) FROM balances WHERE payment_id IS
	    NOT NULL"
	assert_output 0
	reconciles
}

@test "void: frequency 8 with REF*F8 and the original's lines; the original voided; a second void refused; the history in order" {
	c=$(claim_sent K4 2 99213:60.00)
	era_file 93 45 T93 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K4*1*60*45*0*12*PCN444~
CAS*CO*45*15~
NM1*QC*1*ZZTEST*BEA****MI*BC0002~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	run -0 --separate-stderr pms-claim void "$c" -o csv
	v=$(cut -d, -f1 <<<"${lines[1]}")
	vc=$(printf 'C%06d' "$v")
	[ "$(cut -d, -f1-3,14,15,17 <<<"${lines[1]}")" = "$v,$vc,draft,8,1,60.00" ]
	assert_stderr "pms-claim: claim $v: voids claim $c (frequency 8), a draft"
	run -0 pms-claim validate "$v" -o csv
	run -0 pms-claim export "$v" --out "$BATS_TEST_TMPDIR/v.837"
	d8=$(pms-sql "SELECT replace(dos_from, '-', '') FROM claims WHERE id = $c")
	run -0 claim_segments "$BATS_TEST_TMPDIR/v.837" "$vc"
	assert_output - <<EOF
CLM*$vc*60***11:B:8*Y*A*Y*Y
REF*F8*PCN444
HI*ABK:E119
NM1*82*1*LEE*ANN****XX*1245319599
PRV*PE*PXC*207Q00000X
LX*1
SV1*HC:99213*60*UN*1***1
DTP*472*D8*$d8
REF*6R*$vc-1
EOF
	run -0 pms-sql "SELECT id, state, frequency FROM claims ORDER BY id"
	assert_output "$c|voided|1
$v|submitted|8"
	# voided: neither voided nor replaced again; a void is no claim to
	# correct
	before=$(claims_dump)
	run -1 --separate-stderr pms-claim void "$c"
	assert_stderr "pms-claim: claim $c is voided already, by claim $v: correct that one instead"
	run -1 --separate-stderr pms-claim resubmit "$c"
	assert_stderr "claim $c is voided already"
	run -1 --separate-stderr pms-claim void "$v"
	assert_stderr "pms-claim: claim $v is a void (frequency 8): nothing to void"
	[ "$(claims_dump)" = "$before" ]
	# the history of either claim: the chain, oldest first, each row
	# its own claim's
	for id in "$c" "$v"; do
		run -0 pms-claim show "$id" -o csv
		[ "${#lines[@]}" -eq 9 ]
		run -0 bash -c "pms-claim show $id -o json | jq -r '[.claim_id,
		    .claim, .from, .to, .frequency, .original_id,
		    .replaced_by] | map(. // \"\") | join(\",\")'"
		assert_output - <<EOF
$c,K4,,draft,1,,$v
$c,K4,draft,validated,1,,$v
$c,K4,validated,submitted,1,,$v
$c,K4,submitted,paid,1,,$v
$v,$vc,,draft,8,$c,
$v,$vc,draft,validated,8,$c,
$v,$vc,validated,submitted,8,$c,
$c,K4,paid,voided,1,,$v
EOF
	done
	run -0 bash -c "pms-claim show $c -o json | jq -r 'select(.event ==
	    5) | .note'"
	assert_output "made: voids claim $c (frequency 8)"
	run -0 bash -c "pms-claim show $c -o json | jq -r 'select(.event ==
	    8) | .note'"
	assert_output "voided by claim $v (frequency 8), sent"
	reconciles
}

@test "validate: a replacement or void without the payer's claim number is refused, naming REF*F8; --payer-claim-number gives it" {
	c=$(claim_sent K5 1 99213:100.00)
	era_file 94 80 T94 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K5*1*100*80*20*12~
CAS*PR*2*20~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	run -0 pms-sql "SELECT state, coalesce(payer_claim_number, '-') FROM claims"
	assert_output 'paid|-'
	# no number known: refused, saying where it comes from
	run -1 --separate-stderr pms-claim resubmit "$c"
	assert_stderr "pms-claim: claim $c: the payer's claim number (835 CLP07, 277CA REF*1K) is not known, and a replacement carries it (REF*F8): wait for the payer's answer, or give it with --payer-claim-number"
	run -1 --separate-stderr pms-claim void "$c"
	assert_stderr 'and a void carries it (REF*F8)'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	run -64 --separate-stderr pms-claim resubmit "$c" --payer-claim-number 'A B'
	assert_stderr '--payer-claim-number: 1 to 50 letters, digits and "-"'
	run -0 --separate-stderr pms-claim resubmit "$c" --payer-claim-number EOB-5 -o csv
	r=$(cut -d, -f1 <<<"${lines[1]}")
	run -0 pms-sql "SELECT payer_claim_number FROM claims WHERE id = $c"
	assert_output EOB-5
	run -0 pms-claim validate "$r" -o csv
	# the number lost: validate names what is missing, the claim
	# goes back to draft and export leaves it out
	pms-sql "UPDATE claims SET payer_claim_number = NULL WHERE id = $c"
	run -1 --separate-stderr pms-claim validate "$r" -o csv
	assert_stderr "claim $r: 2300 REF*F8: the payer's claim number (a replacement or void needs it)"
	refute_phi "$stderr"
	[ "$(cut -d, -f1,3,4 <<<"${lines[1]}")" = "$r,draft,1" ]
	run -1 --separate-stderr pms-claim export "$r" --out "$BATS_TEST_TMPDIR/x.837"
	assert_stderr '2300 REF*F8'
	[ ! -e "$BATS_TEST_TMPDIR/x.837" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
}

@test "pms-bill void --correct-claim: the replacement without the line, or the void of a claim of one line" {
	c=$(claim_sent K6 1 99213:100.00 36415:20.00)
	era_file 95 120 T95 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K6*1*120*120*0*12*PCN666~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	reconciles
	ch2=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c AND lx = 2")
	# without --correct-claim: refused, naming it; nothing changed
	before=$(claims_dump)
	run -1 --separate-stderr pms-bill void "$ch2"
	assert_stderr "pms-bill: charge $ch2 is on a claim sent already: void it with --correct-claim, and the claim is replaced or voided"
	[ "$(claims_dump)" = "$before" ]
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --reason 'not done' -o csv
	assert_line --index 1 --partial ',void,'
	r=$(pms-sql "SELECT max(id) FROM claims")
	assert_stderr "pms-bill: claim $r: replaces claim $c (frequency 7): validate and export it (pms-claim)"
	refute_phi "$stderr"
	run -0 pms-sql "SELECT frequency, original_id, state, total_cents FROM
	    claims WHERE id = $r"
	assert_output "7|$c|draft|10000"
	run -0 pms-sql "SELECT lx, code FROM claim_lines WHERE claim_id = $r"
	assert_output '1|99213'
	run -0 pms-sql "SELECT status, correct_claim FROM charges WHERE id = $ch2"
	assert_output 'void|1'
	run -0 pms-sql "SELECT action FROM audit WHERE action IN ('bill.void',
	    'claim.resubmit') ORDER BY id"
	assert_output $'bill.void\nclaim.resubmit'
	reconciles
	run -0 pms-claim validate "$r" -o csv
	run -0 pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837"
	rc=$(printf 'C%06d' "$r")
	run -0 claim_segments "$BATS_TEST_TMPDIR/r.837" "$rc"
	assert_line --index 0 "CLM*$rc*100***11:B:7*Y*A*Y*Y"
	assert_line --index 1 'REF*F8*PCN666'
	refute_output --partial 'SV1*HC:36415'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = replaced ]
	reconciles
	# a claim of one line: its charge voided makes the void claim
	c2=$(claim_sent K7 2 99213:60.00)
	era_file 96 60 T96 >"$BATS_TEST_TMPDIR/2.835" <<'EOF'
LX*1~
CLP*K7*1*60*60*0*12*PCN777~
NM1*QC*1*ZZTEST*BEA****MI*BC0002~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/2.835" -o csv
	ch=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c2")
	run -0 --separate-stderr pms-bill void "$ch" --correct-claim
	v=$(pms-sql "SELECT max(id) FROM claims")
	assert_stderr "pms-bill: claim $v: voids claim $c2 (frequency 8): validate and export it (pms-claim)"
	run -0 pms-sql "SELECT frequency, original_id, total_cents FROM
	    claims WHERE id = $v"
	assert_output "8|$c2|6000"
	run -0 pms-claim validate "$v" -o csv
	run -0 pms-claim export "$v" --out "$BATS_TEST_TMPDIR/v.837"
	vc=$(printf 'C%06d' "$v")
	run -0 claim_segments "$BATS_TEST_TMPDIR/v.837" "$vc"
	assert_line --index 0 "CLM*$vc*60***11:B:8*Y*A*Y*Y"
	assert_line --index 1 'REF*F8*PCN777'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = voided ]
	run -0 pms-sql "SELECT action FROM audit WHERE action IN ('bill.void',
	    'claim.resubmit', 'claim.void') ORDER BY id DESC LIMIT 2"
	assert_output $'claim.void\nbill.void'
	# the payer's 60.00 went back to its credit with the charge
	run -0 pms-sql "SELECT coalesce(sum(amount_cents), 0) FROM balances
	    WHERE charge_id = $ch"
	assert_output 0
	reconciles
}

@test "pms-bill void --correct-claim of a claim sent and not answered: refused, nothing written" {
	c=$(claim_sent K8 1 99213:100.00)
	ch=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c")
	before=$(claims_dump)
	audits=$(pms-sql "SELECT count(*) FROM audit WHERE action IN
	    ('bill.void', 'claim.resubmit')")
	run -1 --separate-stderr pms-bill void "$ch" --correct-claim
	assert_stderr "pms-bill: charge $ch is on a claim sent: claim $c: the payer's claim number (835 CLP07, 277CA REF*1K) is not known, and a void carries it (REF*F8): wait for the payer's answer, or give it with pms-claim void $c --payer-claim-number N, then void the charge again"
	[ "$(claims_dump)" = "$before" ]
	[ "$(pms-sql "SELECT count(*) FROM audit WHERE action IN
	    ('bill.void', 'claim.resubmit')")" = "$audits" ]
	run -1 --separate-stderr pms-claim resubmit "$c"
	assert_stderr "wait for the payer's answer"
	[ "$(claims_dump)" = "$before" ]
	reconciles
}

@test "resubmit, void: bad ids and arguments (64), claims that cannot be corrected (1), all or nothing" {
	c=$(claim_sent K9 1 99213:100.00)
	era_file 97 100 T97 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K9*1*100*100*0*12*PCN999~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	# a draft, never sent; a claim sent, not answered
	d=$(printf 'charge_id\n%s\n' "$(pms-bill charge --patient 2 \
	    --on "$(date -d '-3 days' +%F)" --provider lee --location main \
	    --code 99213 --amount 60.00 --dx E11.9 -o csv | sed -n 2p |
	    cut -d, -f1)" | pms-claim create -o csv - 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	s=$(CLAIM_DAYS_AGO=5 claim_sent K10 4 99213:70.00)
	before=$(claims_dump)
	run -64 --separate-stderr pms-claim resubmit
	assert_stderr 'usage: pms-claim'
	run -64 --separate-stderr pms-claim void
	run -64 --separate-stderr pms-claim resubmit abc
	assert_stderr 'pms-claim: claim: not an id: a number from 1'
	run -64 --separate-stderr pms-claim void 0
	run -64 --separate-stderr pms-claim resubmit "$c" "$c"
	assert_stderr "pms-claim: claim $c named twice"
	run -64 --separate-stderr pms-claim resubmit "$c" "$d" --payer-claim-number X1
	assert_stderr 'pms-claim: --payer-claim-number names the number of one claim: name one'
	run -64 --separate-stderr pms-claim void "$c" --lines
	assert_stderr 'option "--lines" does not apply'
	run -1 --separate-stderr pms-claim resubmit 999
	assert_stderr 'pms-claim: no claim 999'
	run -1 --separate-stderr pms-bill void 999 --correct-claim
	assert_stderr 'pms-bill: no charge 999'
	run -64 --separate-stderr pms-bill void x --correct-claim
	run -1 --separate-stderr pms-claim resubmit "$d"
	assert_stderr "pms-claim: claim $d was never sent: nothing to resubmit with the payer; fix what it carries, then pms-claim validate and export it (or pms-bill void its charges)"
	run -1 --separate-stderr pms-claim void "$d"
	assert_stderr "claim $d was never sent: nothing to void"
	run -1 --separate-stderr pms-claim void "$s"
	assert_stderr "claim $s: the payer's claim number (835 CLP07, 277CA REF*1K) is not known"
	# one good, one refused: neither is done
	run -1 --separate-stderr pms-claim resubmit "$c" "$d"
	assert_stderr "claim $d was never sent"
	run -1 --separate-stderr pms-claim void "$c" 999
	assert_stderr 'pms-claim: no claim 999'
	[ "$(claims_dump)" = "$before" ]
	[ "$(pms-sql "SELECT count(*) FROM audit WHERE action IN
	    ('claim.resubmit', 'claim.void')")" = 0 ]
	# --dry-run: done, shown, not kept
	run -0 --separate-stderr pms-claim resubmit "$c" --dry-run -o csv
	[ "$(cut -d, -f14 <<<"${lines[1]}")" = 7 ]
	assert_stderr '(--dry-run: nothing was written)'
	[ "$(claims_dump)" = "$before" ]
	reconciles
}

@test "a replacement rejected at the front end goes again as it was (frequency 7, REF*F8); pms-bill void --correct-claim of a rejected claim reads its lines again; --dry-run keeps nothing" {
	c=$(claim_sent K11 1 99213:100.00 36415:20.00)
	era_file 98 120 T98 >"$BATS_TEST_TMPDIR/1.835" <<'EOF2'
LX*1~
CLP*K11*1*120*120*0*12*PCN1100~
NM1*QC*1*ZZTEST*ANN****MI*XK0001~
EOF2
	run -0 pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	r=$(cut -d, -f1 <<<"${lines[1]}")
	rc=$(printf 'C%06d' "$r")
	run -0 pms-sql "SELECT a.action, a.fields, p.patient_id FROM audit a
	    JOIN audit_patient p ON p.audit_id = a.id WHERE a.action =
	    'claim.resubmit'"
	assert_output 'claim.resubmit|claims,claim_lines,claim_history|1'
	pms-claim validate "$r" >/dev/null 2>&1
	pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837" 2>/dev/null
	ack_file 83 HN 005010X214 >"$BATS_TEST_TMPDIR/a7.277" <<EOF2
ST*277*0001*005010X214~
BHT*0085*08*1*20250610*0900*TH~
HL*1**20*1~
NM1*PR*2*ACME HEALTH PLAN*****PI*60054~
HL*2*1*21*1~
NM1*41*2*RIVERSIDE FAMILY MEDICINE*****46*RIVERSIDE01~
HL*3*2*19*1~
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893~
HL*4*3*PT~
NM1*QC*1*ZZTEST*ANN~
TRN*2*$rc~
STC*A7:562:85*20250610*U*120~
SE*13*0001~
EOF2
	run -1 pms-claim ack "$BATS_TEST_TMPDIR/a7.277" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $r")" = rejected ]
	# a charge of it voided: the rejected replacement's lines are read
	# again without it, and it is still a replacement
	ch2=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $r AND lx = 2")
	before=$(claims_dump)
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --dry-run
	[ "$(claims_dump)" = "$before" ]
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim
	assert_stderr "pms-bill: claim $r: replaces claim $c (frequency 7): validate and export it (pms-claim)"
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 2 ]
	run -0 pms-sql "SELECT state, frequency, total_cents FROM claims WHERE id = $r"
	assert_output 'draft|7|10000'
	run -0 pms-sql "SELECT lx, code FROM claim_lines WHERE claim_id = $r"
	assert_output '1|99213'
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $r
	    ORDER BY id DESC LIMIT 1"
	assert_output 'resubmit: to go again as it was (frequency 7); lines read again from the charges'
	run -0 pms-claim validate "$r" -o csv
	run -0 pms-claim export "$r" --out "$BATS_TEST_TMPDIR/again.837"
	run -0 claim_segments "$BATS_TEST_TMPDIR/again.837" "$rc"
	assert_line --index 0 "CLM*$rc*100***11:B:7*Y*A*Y*Y"
	assert_line --index 1 'REF*F8*PCN1100'
	refute_output --partial 'SV1*HC:36415'
	# the original stays replaced: sent once, replaced once
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = replaced ]
	[ "$(pms-sql "SELECT count(*) FROM claim_history WHERE claim_id = $c AND to_state = 'replaced'")" = 1 ]
	run -0 pms-bill balance 1 -o csv
	reconciles
}
