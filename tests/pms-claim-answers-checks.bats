#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim era and ack check whom an answer is for and from before it
# moves anything (findings E23, E4, E5, E6), post a reversal with its
# correction or not at all (E26), date a posting on the day it was
# posted (E17), show the provider adjustments (E1), say what was posted
# (E2), what happened when the output failed (E20), read files wrapped
# at 80 columns (E16), and a few messages (E21).

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
	TODAY8=$(date +%Y%m%d)
}

reconciles() {
	run -0 --separate-stderr pms-bill check
}

owed_on_claim() {
	pms-sql "SELECT coalesce(sum(b.amount_cents), 0) FROM balances b
	    LEFT JOIN payers y ON y.id = b.payer_id WHERE b.charge_id IN
	    (SELECT charge_id FROM claim_lines WHERE claim_id = $1) AND
	    CASE b.party WHEN 'patient' THEN 'patient' WHEN 'pending' THEN
	    'pending:' || y.code ELSE y.code END = '$2'"
}

# An 835 of one set around the segments on stdin (one a line), SE
# counted: x835 ISA13 BPR02 TRN02.  RECV (ISA08, RIVERSIDE01), PR (the
# N1*PR segment, acme's), PE (N1*PE N103*N104, the practice's NPI) and
# BPR16 (today) may be set.
x835() {
	local isa=$1 pay=$2 trace=$3 body n pr recv
	recv=${RECV-RIVERSIDE01}
	pr=${PR-N1*PR*ACME HEALTH PLAN*XV*60054~}
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 5 + $(grep -c . <<<"$pr" || true)))
	printf 'ISA*00*          *00*          *ZZ*60054          *ZZ*%-15s*261204*0900*^*00501*%09d*0*T*:~\n' "$recv" "$isa"
	printf 'GS*HP*60054*%s*20261204*0900*%d*X*005010X221A1~\n' "$recv" "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*%s~\n' "$pay" "${BPR16-$TODAY8}"
	printf 'TRN*1*%s*1512345678~\n' "$trace"
	[ -z "$pr" ] || printf '%s\n' "$pr"
	printf 'N1*PE*RIVERSIDE FAMILY MEDICINE*%s~\n' "${PE-XX*1234567893}"
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}

# A claim K1 of patient 1 (acme) for 99213 at 100.00, paid 80.00 with a
# CO-45 of 20.00, as the body of x835.
paid_k1() {
	printf 'LX*1~\nCLP*K1*1*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO*45*20~\n'
}

@test "E23: an 835 addressed to another receiver or payee posts nothing of ours" {
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 | RECV=OTHERCLINIC x835 960 80 OTH1 >"$BATS_TEST_TMPDIR/r.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$c,refused" ]
	assert_stderr "claim $c: the interchange is addressed to another receiver (ISA08 is not trading_partner.sender_id): nothing of it was posted"
	refute_phi "$stderr"
	paid_k1 | PE='XX*1999999992' x835 961 80 OTH2 >"$BATS_TEST_TMPDIR/p.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/p.835"
	assert_stderr "claim $c: the payee (N1*PE N104) is not the practice's NPI nor one of its providers': nothing of it was posted"
	paid_k1 | PE='FI*987654321' x835 962 80 OTH3 >"$BATS_TEST_TMPDIR/f.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/f.835"
	assert_stderr "the payee (N1*PE N104) is not the practice's EIN"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM ledger WHERE kind <> 'charge'")" = 0 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
	[ "$(owed_on_claim "$c" acme)" = 10000 ]
	# ours: a provider's NPI, the practice's EIN with its dash
	paid_k1 | PE='FI*12-3456789' x835 963 80 OK1 >"$BATS_TEST_TMPDIR/o.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	reconciles
}

@test "E4: an 835 from an unknown payer, another payer or none posts nothing" {
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 | PR='N1*PR*SOMEBODY ELSE*XV*99999~' x835 970 80 UP1 \
	    >"$BATS_TEST_TMPDIR/u.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/u.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$c,refused" ]
	assert_stderr "claim $c: the remittance's payer (N1*PR N104 99999) is not a payer of the configuration: nothing of it was posted"
	paid_k1 | PR='N1*PR*MEDICARE PART B*XV*15202~' x835 971 80 WP1 \
	    >"$BATS_TEST_TMPDIR/w.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/w.835"
	assert_stderr "claim $c: the remittance is from medicare (N1*PR), not acme, who owes it: nothing of it was posted"
	# a payer named only, by another payer's name
	paid_k1 | PR='N1*PR*Medicare Part B~' x835 972 80 WP2 \
	    >"$BATS_TEST_TMPDIR/n.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/n.835"
	assert_stderr "is from medicare (N1*PR), not acme"
	paid_k1 | PR='' x835 973 80 NOPR >"$BATS_TEST_TMPDIR/x.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/x.835"
	assert_stderr "claim $c: the remittance names no payer (N1*PR): nothing of it was posted"
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	[ "$(owed_on_claim "$c" acme)" = 10000 ]
	# the claim's own payer, by id (REF*2U too) or by name, posts
	paid_k1 | PR=$'N1*PR*ACME~\nREF*2U*60054~' x835 974 80 OK1 \
	    >"$BATS_TEST_TMPDIR/o.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	[ "$(cut -d, -f5,10 <<<"${lines[1]}")" = "acme,posted" ]
	[ "$(pms-sql "SELECT y.code FROM payments p JOIN payers y ON y.id = p.payer_id")" = acme ]
	reconciles
}

@test "E4: the rest of a file posts when one claim's payer is not its own" {
	c1=$(claim_sent K1 1 99213:100.00)
	c2=$(claim_sent K2 2 99213:60.00)
	# acme pays K1 and, wrongly, bluecross's K2
	x835 975 125 MIX1 >"$BATS_TEST_TMPDIR/m.835" <<'EOF'
LX*1~
CLP*K1*1*100*80*0*12*P1~
CAS*CO*45*20~
CLP*K2*1*60*45*0*12*P2~
CAS*CO*45*15~
EOF
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/m.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$c1,posted" ]
	[ "$(cut -d, -f6,10 <<<"${lines[2]}")" = "$c2,refused" ]
	assert_stderr "claim $c2: the remittance is from acme (N1*PR), not bluecross, who owes it"
	[ "$(owed_on_claim "$c1" acme)" = 0 ]
	[ "$(owed_on_claim "$c2" bluecross)" = 6000 ]
	reconciles
}

@test "E26: a reversal whose corrected claim is refused posts neither" {
	c=$(claim_sent K1 1 99213:100.00 36415:15.00)
	x835 980 80 PAY1 >"$BATS_TEST_TMPDIR/a.835" <<'EOF'
LX*1~
CLP*K1*1*115*80*10*12*P1~
SVC*HC:99213*100*70**1~
CAS*CO*45*20~
CAS*PR*2*10~
SVC*HC:36415*15*10**1~
CAS*CO*45*5~
EOF
	run -0 pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	before=$(pms-sql "SELECT count(*) FROM ledger")
	# the correction pays 20.00 on a 15.00 line: it cannot post
	x835 981 10 REV1 >"$BATS_TEST_TMPDIR/r.835" <<'EOF'
LX*1~
CLP*K1*22*-115*-80*-10*12*P1~
SVC*HC:99213*-100*-70**-1~
CAS*CO*45*-20~
CAS*PR*2*-10~
SVC*HC:36415*-15*-10**-1~
CAS*CO*45*-5~
CLP*K1*1*115*90*10*12*P1~
SVC*HC:99213*100*70**1~
CAS*CO*45*20~
CAS*PR*2*10~
SVC*HC:36415*15*20**1~
CAS*CO*45*-5~
EOF
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = refused ]
	[ "$(cut -d, -f10 <<<"${lines[2]}")" = refused ]
	assert_stderr "claim $c: a reversal and its corrected claim post together, and the one at segment 15 was not posted: nothing of either was"
	assert_stderr '0 posted'
	assert_stderr '2 refused'
	[ "$(pms-sql "SELECT count(*) FROM ledger")" = "$before" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	[ "$(owed_on_claim "$c" patient)" = 1000 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims")" = 1 ]
	reconciles
	# the payer's corrected file posts both, whatever their order
	x835 982 10 REV2 >"$BATS_TEST_TMPDIR/r2.835" <<'EOF'
LX*1~
CLP*K1*1*115*90*10*12*P1~
SVC*HC:99213*100*80**1~
CAS*CO*45*10~
CAS*PR*2*10~
SVC*HC:36415*15*10**1~
CAS*CO*45*5~
CLP*K1*22*-115*-80*-10*12*P1~
SVC*HC:99213*-100*-70**-1~
CAS*CO*45*-20~
CAS*PR*2*-10~
SVC*HC:36415*-15*-10**-1~
CAS*CO*45*-5~
EOF
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r2.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	[ "$(cut -d, -f10 <<<"${lines[2]}")" = reversed ]
	assert_stderr '(1 new, 10.00)'
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 1000 ]
	reconciles
}

@test "E17: every entry of a posting is dated the day posted; BPR16 bounded" {
	c=$(claim_sent K1 1 99213:100.00)
	today=$(date +%F)
	paid_k1 | BPR16=19990101 x835 990 80 OLD1 >"$BATS_TEST_TMPDIR/o.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	[[ ${lines[1]} == *'BPR16 is before its date of service'* ]]
	run -0 pms-sql "SELECT DISTINCT posted_on FROM ledger WHERE kind <> 'charge'"
	assert_output "$today"
	[ "$(pms-sql "SELECT received_on FROM payments")" = "$today" ]
	[ "$(pms-sql "SELECT paid_on FROM claim_remits")" = 1999-01-01 ]
	# the day sheet of the day posted has the payment and its write-off
	run -0 pms-report collections -o csv
	[[ $output == *acme,80.00,20.00* ]] || [[ $output == *acme*80.00*20.00* ]]
	c2=$(claim_sent K2 2 99213:60.00)
	body=$'LX*1~\nCLP*K2*1*60*45*0*12*P2~\nCAS*CO*45*15~'
	PR='N1*PR*BLUE CROSS*XV*00834~' BPR16=20261340 x835 991 45 BAD1 \
	    <<<"$body" >"$BATS_TEST_TMPDIR/b.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/b.835"
	assert_stderr "claim $c2: BPR16 is not a date (CCYYMMDD): nothing of it was posted"
	PR='N1*PR*BLUE CROSS*XV*00834~' BPR16=$(date -d '+60 days' +%Y%m%d) \
	    x835 992 45 BAD2 <<<"$body" >"$BATS_TEST_TMPDIR/f.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/f.835"
	assert_stderr "BPR16, the payment's date, is more than a month ahead"
	[ "$(owed_on_claim "$c2" bluecross)" = 6000 ]
	reconciles
}

@test "E2: the summary says what this run posted, not what it saw" {
	c=$(claim_sent K1 1 99213:100.00)
	# off by 10.00 on the line: not posted
	x835 1001 60 BCU1 >"$BATS_TEST_TMPDIR/u.835" <<'EOF2'
LX*1~
CLP*K1*1*100*60*10*12*P1~
SVC*HC:99213*100*60**1~
CAS*CO*45*20~
CAS*PR*2*10~
EOF2
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/u.835"
	assert_stderr '1 remittance (0 new, 0.00), 1 claim: 0 posted'
	sed 's/CAS\*CO\*45\*20/CAS*CO*45*30/' "$BATS_TEST_TMPDIR/u.835" \
	    >"$BATS_TEST_TMPDIR/f.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/f.835"
	assert_stderr '1 remittance (1 new, 60.00), 1 claim: 1 posted'
	[ "$(pms-sql "SELECT sum(amount_cents) FROM payments")" = 6000 ]
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/f.835"
	assert_stderr '1 remittance (0 new, 0.00), 1 claim: 0 posted, 1 posted before'
	reconciles
}

@test "E1: provider adjustments are records of era, with the amount in its summary" {
	c=$(claim_sent K1 1 99213:100.00)
	x835 1011 81.25 PLB1 >"$BATS_TEST_TMPDIR/p.835" <<'EOF2'
LX*1~
CLP*K1*1*100*80*0*12*P1~
CAS*CO*45*20~
PLB*1234567893*20261231*L6:INT*-1.25~
EOF2
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/p.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	[ "${lines[2]}" = "1,1,11,PLB1,acme,,,,L6,adjustment,0.00,1.25,0.00,0.00,0.00,INT,\"provider adjustment (PLB) L6, interest owed: 1.25 to the practice, on the payer's account, no claim's\"" ]
	assert_stderr '1 remittance (1 new, 81.25)'
	assert_stderr '1 provider adjustment (1.25)'
	run -0 pms-sql "SELECT y.code, p.reason, p.amount_cents FROM claim_plb p
	    JOIN payers y ON y.id = p.payer_id"
	assert_output 'acme|L6|-125'
	# BPR02 = what was applied + the PLB
	[ "$(pms-sql "SELECT sum(amount_cents) FROM payments")" = 8000 ]
	run -0 --separate-stderr pms-claim era -o json "$BATS_TEST_TMPDIR/p.835"
	assert_output --partial '"outcome":"already"'
	assert_stderr '0 provider adjustments (0.00)'
	reconciles
}

@test "E20: era and ack with an output that cannot be written say the posting was kept" {
	[ -w /dev/full ] || skip "no /dev/full"
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 | x835 1021 80 FULL1 >"$BATS_TEST_TMPDIR/o.835"
	run -74 --separate-stderr bash -c 'pms-claim era -o csv "$1" >/dev/full' \
	    _ "$BATS_TEST_TMPDIR/o.835"
	[[ $stderr == *'write error'* ]]
	[[ $stderr == *'1 remittance (1 new, 80.00), 1 claim: 1 posted'* ]]
	[[ $stderr == *'the posting above is kept; only its records could not be written'* ]]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	assert_stderr '0 posted, 1 posted before'
	isa=$(pms-sql "SELECT isa13 FROM claim_batches")
	c2=$(claim_sent K2 2 99213:60.00)
	isa2=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c2)")
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *261204*1200*^*00501*000000501*0*T*:~\n'
		printf 'TA1*%09d*261204*0900*R*006~\nIEA*0*000000501~\n' "$isa2"
	} >"$BATS_TEST_TMPDIR/r.ta1"
	run -74 --separate-stderr bash -c 'pms-claim ack -o csv "$1" >/dev/full' \
	    _ "$BATS_TEST_TMPDIR/r.ta1"
	[[ $stderr == *'0 claims accepted, 1 rejected'* ]]
	[[ $stderr == *'what the summary says was done is kept'* ]]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = rejected ]
}

# An acknowledgement file: ack_x ISA13 GS01 GS08 RECEIVER < the sets.
ack_x() {
	printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*%-15s*261204*1200*^*00501*%09d*0*T*:~\n' "$4" "$1"
	printf 'GS*%s*CLEARHOUSE1*%s*20261204*1200*%d*X*%s~\n' "$2" "$4" "$1" "$3"
	cat
	printf 'GE*1*%d~\nIEA*1*%09d~\n' "$1" "$1"
}

@test "E23: a 999 or TA1 addressed to another submitter moves nothing" {
	c=$(claim_sent K1 1 99213:100.00)
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	ack_x 130 FA 005010X231A1 OTHERCLINIC >"$BATS_TEST_TMPDIR/o.999" <<EOF2
ST*999*0001*005010X231A1~
AK1*HC*$isa*005010X222A1~
AK2*837*0001*005010X222A1~
IK5*R*5~
AK9*R*1*1*0~
SE*6*0001~
EOF2
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/o.999"
	[ "$(cut -d, -f1,8 <<<"${lines[1]}")" = "999,unmatched" ]
	assert_stderr 'the interchange is addressed to another receiver (ISA08 is not trading_partner.sender_id): nothing moved'
	assert_stderr '0 claims accepted, 0 rejected, 0 other answers, 1 answering nothing of ours'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
	[ "$(pms-sql "SELECT count(*) FROM claim_acks")" = 0 ]
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*OTHERCLINIC    *261204*1200*^*00501*000000131*0*T*:~\n'
		printf 'TA1*%09d*261204*0900*R*006~\nIEA*0*000000131~\n' "$isa"
	} >"$BATS_TEST_TMPDIR/o.ta1"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/o.ta1"
	assert_stderr 'addressed to another receiver'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
	# ours, the same 999: the batch is rejected
	sed 's/OTHERCLINIC    /RIVERSIDE01    /; s/\*OTHERCLINIC\*/*RIVERSIDE01*/' \
	    "$BATS_TEST_TMPDIR/o.999" >"$BATS_TEST_TMPDIR/r.999"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.999"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
}

@test "E5: a 999 naming a set the batch does not have is reported, exit 1" {
	c=$(claim_sent K1 1 99213:100.00)
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	bid=$(pms-sql "SELECT batch_id FROM claims WHERE id = $c")
	ack_x 105 FA 005010X231A1 RIVERSIDE01 >"$BATS_TEST_TMPDIR/w.999" <<EOF2
ST*999*0001*005010X231A1~
AK1*HC*$isa*005010X222A1~
AK2*837*0009*005010X222A1~
IK5*R*5~
AK9*R*1*1*0~
SE*6*0001~
EOF2
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/w.999"
	[ "$(cut -d, -f1,3,8 <<<"${lines[1]}")" = "999,$bid,unmatched" ]
	assert_stderr "999 set 0009: batch $bid has no transaction set of that number: nothing moved"
	assert_stderr '1 answering nothing of ours'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
}

@test "E6: a late TA1 R or 999 for adjudicated claims says late, moves nothing, exit 0" {
	c=$(claim_sent K1 1 99213:100.00)
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	paid_k1 | x835 1031 80 LATE1 >"$BATS_TEST_TMPDIR/o.835"
	run -0 pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *261204*1200*^*00501*000000201*0*T*:~\n'
		printf 'TA1*%09d*261204*0209*R*022~\nIEA*0*000000201~\n' "$isa"
	} >"$BATS_TEST_TMPDIR/r.ta1"
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.ta1"
	[ "$(cut -d, -f4,8,9 <<<"${lines[1]}")" = "$c,late,paid" ]
	assert_stderr "claim $c is paid already: nothing moved (TA1 R: interchange rejected; invalid control structure)"
	assert_stderr '0 claims accepted, 0 rejected, 1 other answers, 0 answering nothing of ours'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	# a 999 accepting a claim a TA1 rejected before
	c2=$(claim_sent K2 2 99213:60.00)
	isa2=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c2)")
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *261204*1200*^*00501*000000202*0*T*:~\n'
		printf 'TA1*%09d*261204*0209*R*022~\nIEA*0*000000202~\n' "$isa2"
	} >"$BATS_TEST_TMPDIR/r2.ta1"
	run -1 pms-claim ack -o csv "$BATS_TEST_TMPDIR/r2.ta1"
	st02=$(pms-sql "SELECT st02 FROM claim_submissions WHERE claim_id = $c2")
	ack_x 140 FA 005010X231A1 RIVERSIDE01 >"$BATS_TEST_TMPDIR/a.999" <<EOF2
ST*999*0001*005010X231A1~
AK1*HC*$isa2*005010X222A1~
AK2*837*$(printf %04d "$st02")*005010X222A1~
IK5*A~
AK9*A*1*1*1~
SE*6*0001~
EOF2
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/a.999"
	[ "$(cut -d, -f4,8,9 <<<"${lines[1]}")" = "$c2,late,rejected" ]
	assert_stderr '0 claims accepted, 0 rejected, 1 other answers'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = rejected ]
	# the same rejection again: already, not counted, exit 0
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *261204*1200*^*00501*000000203*0*T*:~\n'
		printf 'TA1*%09d*261204*0209*R*022~\nIEA*0*000000203~\n' "$isa2"
	} >"$BATS_TEST_TMPDIR/r3.ta1"
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r3.ta1"
	[ "$(cut -d, -f4,8,9 <<<"${lines[1]}")" = "$c2,already,rejected" ]
}

@test "E16: files wrapped at 80 columns are read, the ISA too; era posts one" {
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 | x835 1041 80 WRAP1 | tr -d '\n' | fold -w 80 \
	    >"$BATS_TEST_TMPDIR/w.835"
	[ "$(head -1 "$BATS_TEST_TMPDIR/w.835" | wc -c)" = 81 ]
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/w.835"
	[ "$(cut -d, -f4,7,12 <<<"${lines[1]}")" = "835,RIVERSIDE01,1" ]
	# the break right before the ISA's terminator, and inside "ISA"
	paid_k1 | x835 1042 80 WRAP2 | sed '1s/:~$/:\n~/; 1s/^IS/IS\n/' \
	    >"$BATS_TEST_TMPDIR/b.835"
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/b.835"
	# a line break as the terminator still is one
	paid_k1 | x835 1043 80 WRAP3 | tr -d '\n' | tr '~' '\n' \
	    >"$BATS_TEST_TMPDIR/n.835"
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/n.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/w.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$c,posted" ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	reconciles
}

@test "E21: era and ack messages: no BPR, a rejected claim, already rows, ISA16, a 277CA's batch" {
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 | x835 1051 80 NOBPR | grep -v '^BPR' |
	    sed 's/^SE\*\([0-9]*\)\*/echo "SE*$((\1 - 1))*"/e' \
	    >"$BATS_TEST_TMPDIR/n.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/n.835"
	assert_stderr 'transaction set 1: it has no BPR segment: no payment to post'
	# ISA16 ">" while SVC01 says "HC:99213"
	paid_k1 | x835 1052 80 SEP1 | sed '1s/\*:~$/*>~/' \
	    >"$BATS_TEST_TMPDIR/s.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/s.835"
	assert_stderr "claim $c: the SVC at segment 10 matches none of its lines (SVC01 has no code after its qualifier: are its components split by ISA16, the component separator the file says?)"
	# posted, then again: the already row says what the posting did
	paid_k1 | x835 1053 80 AGAIN1 >"$BATS_TEST_TMPDIR/a.835"
	run -0 pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	run -0 pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	[ "$(cut -d, -f10-15 <<<"${lines[1]}")" = "already,100.00,80.00,0.00,20.00,0.00" ]
	# a 277CA: its rows carry the claim's batch; a claim it rejected
	c2=$(claim_sent K2 2 99213:60.00)
	bid=$(pms-sql "SELECT batch_id FROM claims WHERE id = $c2")
	ack_x 150 HN 005010X214 RIVERSIDE01 >"$BATS_TEST_TMPDIR/r.277" <<'EOF2'
ST*277*0001*005010X214~
BHT*0085*08*1*20261204*0900*TH~
HL*1**20*1~
NM1*PR*2*BLUE CROSS*****PI*00834~
HL*2*1*21*1~
NM1*41*2*RIVERSIDE FAMILY MEDICINE*****46*RIVERSIDE01~
HL*3*2*19*1~
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893~
HL*4*3*PT~
NM1*QC*1*ZZTEST*BEA~
TRN*2*K2~
STC*A7:562:85*20261204*U*60~
SE*13*0001~
EOF2
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.277"
	[ "$(cut -d, -f1,3,4,8 <<<"${lines[1]}")" = "277CA,$bid,$c2,rejected" ]
	body=$'LX*1~\nCLP*K2*1*60*45*0*12*P2~\nCAS*CO*45*15~'
	PR='N1*PR*BLUE CROSS*XV*00834~' x835 1054 45 REJ1 <<<"$body" \
	    >"$BATS_TEST_TMPDIR/j.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/j.835"
	assert_stderr "claim $c2 is rejected: an acknowledgement turned it back before adjudication; fix it and send it again"
	refute_phi "$stderr"
}
