#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim's answers: 835 remittances posted to the ledger (balancing,
# exactly once, each posting rule, reversal and re-payment, crossover,
# PLB), the denials work queue, acknowledgements (TA1, 999, 277CA), the
# real-world cases B20, B22 and B23, and a merge moving what they wrote.
# Claims are made and sent through the programs (tests/helpers/
# claims.bash); after each posting the ledger must reconcile
# (pms-bill check) and agree with the 835 to the cent.

load helpers/common
load helpers/claims

FIX="$TOP/tests/fixtures"
ANS="$FIX/claim-answers"

setup_file() {
	make_template
	export PMS_STORE="$TEMPLATE/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$TEMPLATE/pass"
	claims_practice
	# the copies take the main file alone: nothing may wait in the WAL
	pms-admin maintain >/dev/null 2>&1
}

setup() {
	use_store
}

# The ledger reconciles, or the test fails with pms-bill check's words.
reconciles() {
	run -0 --separate-stderr pms-bill check
}

# What party (payer code or "patient", "pending:CODE") owes on the
# charges of claim $1, in cents, summed.
owed_on_claim() {
	pms-sql "SELECT coalesce(sum(b.amount_cents), 0) FROM balances b
	    LEFT JOIN payers y ON y.id = b.payer_id WHERE b.charge_id IN
	    (SELECT charge_id FROM claim_lines WHERE claim_id = $1) AND
	    CASE b.party WHEN 'patient' THEN 'patient' WHEN 'pending' THEN
	    'pending:' || y.code ELSE y.code END = '$2'"
}

@test "era: B20, two transaction sets of two payers in one file" {
	c1=$(claim_sent ACCT001 1 99213:100.00)
	c2=$(claim_sent ACCT002 2 99213:60.00)
	run -0 --separate-stderr pms-claim era "$ANS/b20.835" -o csv
	# the fixture's BPR16 (2025-06-10) is before the claims' day: said
	[ "${lines[1]}" = "1,1,9,EFT1001,acme,$c1,ACCT001,1,1,posted,100.00,80.00,20.00,0.00,0.00,PCN0001,\"claim $c1: BPR16 is before its date of service: kept as the remittance's date only, every entry is dated the day posted\"" ]
	[ "${lines[2]}" = "1,2,21,CHK2002,bluecross,$c2,ACCT002,2,1,posted,60.00,45.00,0.00,15.00,0.00,PCN0002,\"claim $c2: BPR16 is before its date of service: kept as the remittance's date only, every entry is dated the day posted\"" ]
	assert_stderr '2 remittances (2 new, 125.00), 2 claims: 2 posted'
	refute_phi "$stderr"
	# each remittance its own payer and trace, never the other's
	run -0 pms-sql "SELECT trn02, payer_name, payment_cents FROM
	    claim_remits ORDER BY id"
	assert_output - <<'EOF'
EFT1001|EXAMPLE HEALTH PLAN|8000
CHK2002|SAMPLE COUNTY PLAN|4500
EOF
	[ "$(owed_on_claim "$c1" patient)" = 2000 ]
	[ "$(owed_on_claim "$c1" acme)" = 0 ]
	[ "$(owed_on_claim "$c2" bluecross)" = 0 ]
	[ "$(owed_on_claim "$c2" patient)" = 0 ]
	run -0 pms-sql "SELECT kind, group_code, reason, amount_cents FROM
	    ledger WHERE kind IN ('adjustment', 'transfer') AND amount_cents
	    < 0 ORDER BY id"
	assert_output - <<'EOF'
transfer|PR|2|-2000
adjustment|CO|45|-1500
EOF
	run -0 pms-sql "SELECT amount_cents, method, ref FROM payments
	    ORDER BY id"
	assert_output - <<'EOF'
8000|eft|EFT1001
4500|check|CHK2002
EOF
	run -0 pms-sql "SELECT state, payer_claim_number FROM claims
	    ORDER BY id"
	assert_output - <<'EOF'
paid|PCN0001
paid|PCN0002
EOF
	reconciles
}

@test "era: the same file again posts nothing and says so" {
	claim_sent ACCT001 1 99213:100.00 >/dev/null
	claim_sent ACCT002 2 99213:60.00 >/dev/null
	pms-claim era "$ANS/b20.835" -o csv >/dev/null 2>&1
	before=$(pms-sql "SELECT count(*) FROM ledger")
	run -0 --separate-stderr pms-claim era "$ANS/b20.835" -o csv
	assert_stderr 'every claim of it was posted before: nothing was done'
	assert_stderr '0 posted, 2 posted before'
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = already ]
	[ "$(pms-sql "SELECT count(*) FROM ledger")" = "$before" ]
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 2 ]
	reconciles
}

@test "era: B22, a reversal and the corrected claim on a later 835" {
	c=$(claim_sent ACCT020 1 99213:100.00)
	run -0 pms-claim era "$ANS/b22-1.835" -o csv
	[ "$(owed_on_claim "$c" patient)" = 2000 ]
	run -0 --separate-stderr pms-claim era "$ANS/b22-2.835" -o csv
	[ "$(cut -d, -f9-13 <<<"${lines[1]}")" = "22,reversed,-100.00,-80.00,-20.00" ]
	[ "$(cut -d, -f9-13 <<<"${lines[2]}")" = "1,posted,100.00,90.00,10.00" ]
	# +8000, -8000, +9000 from the payer: net 9000; the patient 1000
	run -0 pms-sql "SELECT kind, amount_cents FROM ledger WHERE
	    payment_id IS NOT NULL AND charge_id IS NOT NULL AND kind =
	    'apply' ORDER BY id"
	assert_output - <<'EOF'
apply|-8000
apply|8000
apply|-9000
EOF
	run -0 pms-sql "SELECT sum(amount_cents) FROM payments"
	assert_output 17000
	run -0 pms-sql "SELECT sum(amount_cents) FROM ledger WHERE kind =
	    'refund'"
	assert_output 8000
	# BPR02 of #2 (10.00) reconciles: 9000 in, 8000 taken back
	run -0 pms-sql "SELECT (SELECT amount_cents FROM payments ORDER BY
	    id DESC LIMIT 1) - (SELECT sum(amount_cents) FROM ledger WHERE
	    kind = 'refund')"
	assert_output 1000
	[ "$(owed_on_claim "$c" patient)" = 1000 ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	# nothing undistributed: no payer credit left over
	run -0 pms-sql "SELECT count(*) FROM balances WHERE payment_id IS
	    NOT NULL"
	assert_output 0
	reconciles
	# #2 again: nothing
	before=$(pms-sql "SELECT count(*) FROM ledger")
	run -0 --separate-stderr pms-claim era "$ANS/b22-2.835" -o csv
	assert_stderr 'posted before: nothing was done'
	[ "$(pms-sql "SELECT count(*) FROM ledger")" = "$before" ]
	[ "$(owed_on_claim "$c" patient)" = 1000 ]
	reconciles
}

@test "era: B22 variant, a denial stays open until the payment closes it" {
	c=$(claim_sent ACCT020 1 99213:100.00)
	run -0 --separate-stderr pms-claim era "$ANS/b22-denied.835" -o csv
	[ "$(cut -d, -f10-15 <<<"${lines[1]}")" = "posted,100.00,0.00,0.00,0.00,100.00" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = denied ]
	# not written off: still owed by the payer, and in the work queue
	[ "$(owed_on_claim "$c" acme)" = 10000 ]
	run -0 pms-sql "SELECT count(*) FROM ledger WHERE kind =
	    'adjustment'"
	assert_output 0
	run -0 --separate-stderr pms-claim denials -o csv
	[ "${#lines[@]}" -eq 2 ]
	[ "$(cut -d, -f3,4,12-14 <<<"${lines[1]}")" = "$c,ACCT020,CO,50,100.00" ]
	[[ ${lines[1]} == *'not deemed a medical necessity'* ]]
	reconciles
	# then paid: a trace of its own
	sed 's/CHK4001/CHK4009/' "$ANS/b22-1.835" >"$BATS_TEST_TMPDIR/paid.835"
	run -0 pms-claim era "$BATS_TEST_TMPDIR/paid.835" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 2000 ]
	run -0 pms-claim denials -o csv
	[ "${#lines[@]}" -eq 1 ]
	reconciles
}

@test "era: B23, CR LF, blank lines and per-interchange separators" {
	claim_sent ACCT0050 1 99212:40.00 >/dev/null
	claim_sent ACCT0051 2 99212:40.00 >/dev/null
	run -0 --separate-stderr pms-claim era "$ANS/b23.835" -o csv
	[ "$(cut -d, -f1,4,7,10,12 <<<"${lines[1]}")" = "1,CHK5001,ACCT0050,posted,40.00" ]
	[ "$(cut -d, -f1,4,7,10,12 <<<"${lines[2]}")" = "2,CHK5002,ACCT0051,posted,40.00" ]
	assert_stderr '2 remittances (2 new, 80.00), 2 claims: 2 posted'
	run -0 pms-sql "SELECT amount_cents FROM payments ORDER BY id"
	assert_output - <<'EOF'
4000
4000
EOF
	reconciles
}

@test "era: a claim that does not balance is not posted; the rest is" {
	c1=$(claim_sent K1 1 99213:100.00)
	c2=$(claim_sent K2 2 99213:60.00)
	era_file 11 110 T11 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*100*70*0*12*P1~
CAS*CO*45*20~
CLP*K2*1*60*40*0*12*P2~
CAS*CO*45*20~
EOF
	# K1: 100 - 20 = 80, not 70: BPR 110 = 70 + 40 all the same
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(cut -d, -f7,10 <<<"${lines[1]}")" = "K1,unbalanced" ]
	[ "$(cut -d, -f7,10 <<<"${lines[2]}")" = "K2,posted" ]
	assert_stderr 'segment 9 (line 9): the claim does not balance: CLP03 less adjustments is 80.00, CLP04 70.00'
	refute_phi "$stderr"
	[ "$(owed_on_claim "$c1" acme)" = 10000 ]
	[ "$(owed_on_claim "$c2" bluecross)" = 0 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c1")" = submitted ]
	reconciles
}

@test "era: a line that does not balance keeps its claim out" {
	c=$(claim_sent K1 1 99213:100.00)
	era_file 12 80 T12 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*100*80*0*12*P1~
SVC*HC:99213*100*80**1~
CAS*CO*45*10~
CAS*CO*45*10~
EOF
	# line: 100 - 20 = 80 ok; claim balances too: both hold
	run -0 pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	c2=$(claim_sent K2 2 99213:60.00)
	era_file 13 50 T13 >"$BATS_TEST_TMPDIR/f.835" <<'EOF'
LX*1~
CLP*K2*1*60*50*0*12*P2~
CAS*CO*45*10~
SVC*HC:99213*60*50**1~
CAS*CO*45*5~
EOF
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/f.835" -o csv
	assert_stderr 'the SVC at segment 11 does not balance: its charge less adjustments is 55.00, SVC03 50.00'
	[ "$(owed_on_claim "$c2" bluecross)" = 6000 ]
	reconciles
}

@test "era: a transaction set whose BPR02 does not balance posts nothing" {
	c=$(claim_sent K1 1 99213:100.00)
	era_file 14 90 T14 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*100*80*20*12*P1~
CAS*PR*2*20~
EOF
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	assert_stderr 'transaction set 1 does not balance: BPR02 90.00 is not the claims'"'"' 80.00 less provider adjustments 0.00: nothing of it was posted'
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remits")" = 0 ]
	reconciles
}

@test "era: PLB goes to the payer's account, and BPR02 balances with it" {
	c=$(claim_sent K1 1 99213:100.00)
	era_file 15 75 T15 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*100*80*20*12*P1~
CAS*PR*2*20~
PLB*1234567893*20251231*WO:OVERPAY1*3*L6*2~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	assert_stderr '2 provider adjustments'
	run -0 pms-sql "SELECT y.code, p.reason, p.reference, p.amount_cents,
	    p.period FROM claim_plb p JOIN payers y ON y.id = p.payer_id
	    ORDER BY p.id"
	assert_output - <<'EOF'
acme|WO|OVERPAY1|300|2025-12-31
acme|L6||200|2025-12-31
EOF
	# never a patient's: the ledger holds the claim's money alone
	[ "$(pms-sql "SELECT sum(amount_cents) FROM payments")" = 8000 ]
	[ "$(owed_on_claim "$c" patient)" = 2000 ]
	run -0 pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(pms-sql "SELECT count(*) FROM claim_plb")" = 2 ]
	reconciles
}

@test "era: the posting table: contractual off, OA-23 nothing, others open, PR moves" {
	c=$(claim_sent K1 1 99213:100.00 36415:50.00 81002:20.00)
	era_file 16 45 T16 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*170*45*15*12*P1~
SVC*HC:99213*100*45**1~
CAS*CO*45*30~
CAS*PR*3*15*1~
CAS*CO*253*10~
SVC*HC:36415*50*0**1~
CAS*CO*97*50~
LQ*HE*M15~
SVC*HC:81002*20*0**1~
CAS*OA*18*20~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(cut -d, -f10-15 <<<"${lines[1]}")" = "posted,170.00,45.00,15.00,40.00,70.00" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = partly-paid ]
	[ "$(owed_on_claim "$c" acme)" = 7000 ]
	[ "$(owed_on_claim "$c" patient)" = 1500 ]
	run -0 pms-claim denials -o csv
	[ "${#lines[@]}" -eq 3 ]
	[ "$(cut -d, -f9,11-15 <<<"${lines[1]}")" = "2,36415,CO,97,50.00,M15" ]
	[ "$(cut -d, -f9,11-14 <<<"${lines[2]}")" = "3,81002,OA,18,20.00" ]
	run -0 pms-claim denials --payer bluecross -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -1 --separate-stderr pms-claim denials --payer nosuch -o csv
	reconciles
}

@test "era: lines matched by REF*6R, then by code and position" {
	c=$(claim_sent K1 1 99213:100.00 36415:20.00)
	# the 835 gives the lines in the other order, with their controls
	era_file 17 95 T17 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*120*95*0*12*P1~
SVC*HC:36415*20*15**1~
CAS*CO*45*5~
REF*6R*K1-2~
SVC*HC:99213*100*80**1~
CAS*CO*45*20~
REF*6R*K1-1~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	run -0 pms-sql "SELECT l.code, -sum(g.amount_cents) FROM ledger g
	    JOIN claim_lines l ON l.charge_id = g.charge_id WHERE g.kind =
	    'apply' GROUP BY l.code ORDER BY l.code"
	assert_output - <<'EOF'
36415|1500
99213|8000
EOF
	# without REF*6R: by code
	c2=$(claim_sent K2 2 99213:60.00 36415:20.00)
	era_file 18 60 T18 >"$BATS_TEST_TMPDIR/f.835" <<'EOF'
LX*1~
CLP*K2*1*80*60*0*12*P2~
SVC*HC:36415*20*20**1~
SVC*HC:99213*60*40**1~
CAS*CO*45*20~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/f.835" -o csv
	[ "$(owed_on_claim "$c2" bluecross)" = 0 ]
	# a line of no code of the claim refuses the claim
	c3=$(claim_sent K3 4 99213:50.00)
	era_file 19 50 T19 >"$BATS_TEST_TMPDIR/g.835" <<'EOF'
LX*1~
CLP*K3*1*50*50*0*MB*P3~
SVC*HC:99214*50*50**1~
EOF
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/g.835" -o csv
	assert_stderr "claim $c3: the SVC at segment 10 matches none of its lines"
	[ "$(owed_on_claim "$c3" medicare)" = 5000 ]
	reconciles
}

@test "era: crossover, then the secondary's own 835 posts what waits for it" {
	c=$(claim_sent K1 3 99213:100.00)
	era_file 21 70 T21 >"$BATS_TEST_TMPDIR/p.835" <<'EOF'
LX*1~
CLP*K1*19*100*70*20*12*P1~
CAS*CO*45*10~
CAS*PR*2*20~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/p.835" -o csv
	[[ ${lines[1]} == *'crossed over: the next payer'* ]]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = crossed-over ]
	# the patient's part waits for bluecross: not the patient's yet
	[ "$(owed_on_claim "$c" pending:bluecross)" = 2000 ]
	[ "$(owed_on_claim "$c" patient)" = 0 ]
	reconciles
	era_file 22 15 T22 >"$BATS_TEST_TMPDIR/s.835" <<'EOF'
LX*1~
CLP*K1*2*100*15*5*12*S1~
CAS*OA*23*80~
CAS*PR*2*5~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	[ "$(cut -d, -f5,10,12,13 <<<"${lines[1]}")" = "bluecross,posted,15.00,5.00" ]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 500 ]
	run -0 pms-sql "SELECT y.code, p.amount_cents FROM payments p JOIN
	    payers y ON y.id = p.payer_id ORDER BY p.id"
	assert_output - <<'EOF'
acme|7000
bluecross|1500
EOF
	reconciles
}

@test "era: a secondary's 835 with nothing pending for it is refused" {
	c=$(claim_sent K1 3 99213:100.00)
	era_file 23 15 T23 >"$BATS_TEST_TMPDIR/s.835" <<'EOF'
LX*1~
CLP*K1*2*100*15*5*12*S1~
CAS*OA*23*80~
CAS*PR*2*5~
EOF
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	assert_stderr "claim $c line 1: nothing waits for the payer of priority 2"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	reconciles
}

@test "era: claims that match nothing are reported, not dropped" {
	c=$(claim_sent K1 1 99213:100.00)
	era_file 24 130 T24 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*NOSUCH*1*60*50*0*12*P9~
CAS*CO*45*10~
CLP*K1*1*100*80*20*12*P1~
CAS*PR*2*20~
EOF
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(cut -d, -f7,10 <<<"${lines[1]}")" = "NOSUCH,unmatched" ]
	[ "$(cut -d, -f7,10 <<<"${lines[2]}")" = "K1,posted" ]
	assert_stderr 'segment 9 (line 9): CLP01 matches no claim of this store'
	[[ $stderr != *NOSUCH* ]]
	# and again: still reported, the other posted before
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	assert_stderr '1 posted before'
	assert_stderr 'CLP01 matches no claim'
	reconciles
}

@test "era: a claim not sent, predeterminations and forwarded claims post nothing" {
	c=$(claim_sent K1 1 99213:100.00)
	c2=$(claim_sent K2 2 99213:60.00)
	era_file 25 0 T25 NON >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*25*100*0*0*12*P1~
CAS*OA*101*100~
CLP*K2*23*60*0*0*12*P2~
CAS*OA*109*60~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = informational ]
	[ "$(cut -d, -f10 <<<"${lines[2]}")" = informational ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials")" = 0 ]
	[ "$(owed_on_claim "$c" acme)" = 10000 ]
	reconciles
}

@test "era: --dry-run posts nothing and says so" {
	claim_sent ACCT001 1 99213:100.00 >/dev/null
	claim_sent ACCT002 2 99213:60.00 >/dev/null
	before=$(pms-sql "SELECT count(*) FROM ledger")
	run -0 --separate-stderr pms-claim era --dry-run "$ANS/b20.835" -o csv
	assert_stderr '(--dry-run: nothing was written)'
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	[ "$(pms-sql "SELECT count(*) FROM ledger")" = "$before" ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remits")" = 0 ]
	run -0 pms-claim era "$ANS/b20.835" -o csv
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
}

@test "era: an audit entry names the patients posted" {
	claim_sent ACCT001 1 99213:100.00 >/dev/null
	claim_sent ACCT002 2 99213:60.00 >/dev/null
	pms-claim era "$ANS/b20.835" -o csv >/dev/null 2>&1
	run -0 pms-sql "SELECT group_concat(p.patient_id) FROM audit a
	    JOIN audit_patient p ON p.audit_id = a.id WHERE a.action =
	    'claim.era'"
	assert_output '1,2'
}

@test "era: bad input: not X12, not an 835, a bad amount, no file" {
	run -65 --separate-stderr pms-claim era /dev/null
	printf 'claim,amount\nK1,10\n' >"$BATS_TEST_TMPDIR/x.csv"
	run -65 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/x.csv"
	assert_stderr 'does not start with an ISA'
	run -65 --separate-stderr pms-claim era \
	    "$FIX/external/herophilus-assets/999/999_sample_accepted.txt"
	assert_stderr 'a 999, not an 835 (pms-claim ack reads acknowledgements)'
	claim_sent K1 1 99213:100.00 >/dev/null
	era_file 26 80 T26 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K1*1*100*8O*20*12*P1~
EOF
	run -65 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/e.835"
	assert_stderr 'segment 9 (CLP, line 9): CLP04: not an X12 amount'
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT count(*) FROM claim_remits")" = 0 ]
	run -66 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/nothing.835"
	run -64 --separate-stderr pms-claim era
	run -64 --separate-stderr pms-claim era --payer acme x.835
}

@test "era: front desk may not post remittances" {
	claim_sent ACCT001 1 99213:100.00 >/dev/null
	pms-admin keyfile create desk --role front-desk \
	    --out "$BATS_TEST_TMPDIR/desk.key" >/dev/null 2>&1
	run -77 --separate-stderr env -u PMS_USER \
	    PMS_KEYFILE="$BATS_TEST_TMPDIR/desk.key" pms-claim era \
	    "$ANS/b20.835"
	assert_stderr 'front-desk'
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
}

@test "merge: what the 835s wrote follows the patient kept" {
	# patient 5 and its duplicate 6, without a policy of its own
	for m in A-5 A-6; do
		pms-patient add --mrn "$m" --last-name Zztest --first-name Eve \
		    --dob 1980-01-15 --sex f --street "5 Elm Street" \
		    --city Springfield --state OH --zip 45502 >/dev/null
	done
	pms-patient policy add 5 --payer bluecross --member-id BC0005 \
	    --from 2020-01-01 >/dev/null
	c=$(claim_sent K5 5 99213:60.00)
	era_file 31 45 T31 >"$BATS_TEST_TMPDIR/e.835" <<'EOF'
LX*1~
CLP*K5*1*60*45*0*12*P5~
CAS*CO*97*15~
EOF
	run -0 pms-claim era "$BATS_TEST_TMPDIR/e.835" -o csv
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE patient_id = 5")" = 1 ]
	run -0 --separate-stderr pms-patient merge 6 5
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE patient_id = 5")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE patient_id = 5")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE patient_id = 6")" = 1 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE patient_id = 6")" = 1 ]
	run -0 pms-claim denials -o csv
	[ "$(cut -d, -f3,5 <<<"${lines[1]}")" = "$c,6" ]
	reconciles
}

# An acknowledgement interchange from the clearinghouse: ack_file
# ISA13 GS01 GS08, the segments from ST to SE on standard input.
ack_file() {
	printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *250610*0900*^*00501*%09d*0*P*:~\n' "$1"
	printf 'GS*%s*CLEARHOUSE1*RIVERSIDE01*20250610*0900*%d*X*%s~\n' "$2" "$1" "$3"
	cat
	printf 'GE*1*%d~\nIEA*1*%09d~\n' "$1" "$1"
}

@test "ack: a 999 rejecting a whole transaction set rejects its claims, in words" {
	c=$(claim_sent K1 1 99213:100.00)
	st02=$(pms-sql "SELECT st02 FROM claim_submissions WHERE claim_id = $c")
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	ack_file 71 FA 005010X231A1 >"$BATS_TEST_TMPDIR/r.999" <<EOF
ST*999*0001*005010X231A1~
AK1*HC*$isa*005010X222A1~
AK2*837*$(printf %04d "$st02")*005010X222A1~
IK3*CLM*23*2300*8~
IK4*5:3*1325*7*Z~
IK5*R*5~
AK9*R*1*1*0~
SE*8*0001~
EOF
	run -1 --separate-stderr pms-claim ack "$BATS_TEST_TMPDIR/r.999" -o csv
	[ "$(cut -d, -f4,7,8,9 <<<"${lines[1]}")" = "$c,R,rejected,rejected" ]
	assert_stderr 'IK5 R, rejected; CLM segment at position 23 in loop 2300: segment has data element errors, element 5-3 (data element 1325): invalid code value'
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	[[ $output == *'invalid code value'* ]]
	# read again: nothing moves
	run -0 --separate-stderr pms-claim ack "$BATS_TEST_TMPDIR/r.999" -o csv
	assert_stderr '(1 read before)'
	# fixed and sent again as an original
	run -0 pms-claim validate "$c" -o csv
	run -0 pms-claim export "$c" --out "$BATS_TEST_TMPDIR/again.837"
	grep -q 'CLM\*K1\*100\*\*\*11:B:1\*' "$BATS_TEST_TMPDIR/again.837"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
}

@test "ack: a 999 accepting, a TA1 rejecting an interchange" {
	c=$(claim_sent K1 1 99213:100.00)
	isa=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c)")
	ack_file 72 FA 005010X231A1 >"$BATS_TEST_TMPDIR/a.999" <<EOF
ST*999*0001*005010X231A1~
AK1*HC*$isa*005010X222A1~
AK2*837*0001*005010X222A1~
IK5*A~
AK9*A*1*1*1~
SE*6*0001~
EOF
	run -0 pms-claim ack "$BATS_TEST_TMPDIR/a.999" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = acknowledged ]
	c2=$(claim_sent K2 2 99213:60.00)
	isa2=$(pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $c2)")
	{
		printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *250610*0900*^*00501*000000073*0*P*:~\n'
		printf 'TA1*%09d*250610*0900*R*006~\nIEA*0*000000073~\n' "$isa2"
	} >"$BATS_TEST_TMPDIR/r.ta1"
	run -1 --separate-stderr pms-claim ack "$BATS_TEST_TMPDIR/r.ta1" -o csv
	assert_stderr 'TA1 R: interchange rejected; invalid interchange sender id'
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = rejected ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = acknowledged ]
}

@test "ack: a 277CA accepts one claim (its payer number kept) and rejects another" {
	c1=$(claim_sent K1 1 99213:100.00)
	c2=$(claim_sent K2 2 99213:60.00)
	ack_file 74 HN 005010X214 >"$BATS_TEST_TMPDIR/a.277" <<'EOF'
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
TRN*2*K1~
STC*A2:20*20250610*WQ*100~
REF*1K*PAYER0001~
HL*5*3*PT~
NM1*QC*1*ZZTEST*BEA~
TRN*2*K2~
STC*A7:562:85*20250610*U*60~
SE*18*0001~
EOF
	run -1 --separate-stderr pms-claim ack "$BATS_TEST_TMPDIR/a.277" -o csv
	[ "$(cut -d, -f4,8,9,10 <<<"${lines[1]}")" = "$c1,accepted,acknowledged,PAYER0001" ]
	[ "$(cut -d, -f4,8,9 <<<"${lines[2]}")" = "$c2,rejected,rejected" ]
	assert_stderr "A7 rejected for invalid information, status 562: entity's National Provider Identifier (NPI) (billing provider)"
	refute_phi "$stderr"
	run -0 pms-sql "SELECT state, payer_claim_number FROM claims ORDER BY id"
	assert_output - <<'EOF'
acknowledged|PAYER0001
rejected|
EOF
	run -65 --separate-stderr pms-claim ack "$ANS/b20.835"
	assert_stderr 'pms-claim era posts remittances'
}

@test "every external 835, 999, TA1 and 277CA: reported, as none answers a claim here" {
	local path outcome ni ns kinds rest n=0 cmd
	local -a bad=()

	while IFS=$'\t' read -r path outcome ni ns kinds rest; do
		# a file refused has no kinds: its directory says
		case $kinds/$path in
		835/* | -/*/835/*) cmd=era ;;
		999/* | TA1/* | 277CA/* | -/*/999/* | -/*/TA1/* | -/*/277CA/*)
			cmd=ack ;;
		*) continue ;;
		esac
		n=$((n + 1))
		run --separate-stderr pms-claim "$cmd" -o csv \
		    "$FIX/external/$path"
		refute_phi "$stderr"
		if [ "$outcome" = refused ]; then
			[ "$status" -eq 65 ] || bad+=("$path: exit $status")
			continue
		fi
		# read: each claim or answer is reported, nothing posted
		[ "$status" -eq 1 ] || [ "$status" -eq 0 ] ||
		    bad+=("$path: $cmd exit $status: $stderr")
		if [ "$cmd" = era ] && [ "$(tail -n +2 <<<"$output" |
		    grep -cvE ',(unmatched|unbalanced),|,provider adjustment \(PLB\)')" != 0 ]
		then
			bad+=("$path: a claim neither unmatched nor unbalanced")
		fi
	done < <(grep -v '^#' "$FIX/x12-expect.tsv")
	[ "$n" -ge 20 ]
	[ "$(pms-sql "SELECT count(*) FROM ledger")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims")" = 0 ]
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}"
		false
	fi
}
