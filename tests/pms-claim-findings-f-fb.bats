#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim era after the ledger moved on (findings F4, F20, F9): a
# reversal (CLP02 22) and its corrected claim post when what the
# reversed posting moved on was paid since, by the patient or by the
# secondary (the payments go back to the credit of whoever paid them,
# as pms-bill void does), or when its denial was written off by hand
# (the write-off is taken back); an 835 asking more of a payer than it
# owes on a line is refused naming the line, the amounts and what
# stands in the way.  The ledger reconciles after each.

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

# What a party ("patient", "pending:CODE", a payer's code, "credit:"
# the patient's credit, "credit:CODE" a payer's) has open on patient
# $1's account, in cents.
open_of() {
	pms-sql "SELECT coalesce(sum(b.amount_cents), 0) FROM balances b
	    LEFT JOIN payers y ON y.id = b.payer_id WHERE b.patient_id = $1
	    AND CASE WHEN b.charge_id IS NULL THEN 'credit:' ||
	    coalesce(y.code, '') WHEN b.party = 'patient' THEN 'patient'
	    WHEN b.party = 'pending' THEN 'pending:' || y.code ELSE y.code
	    END = '$2'"
}

# An 835 of one set around the segments on stdin (one a line), SE
# counted: x835 ISA13 BPR02 TRN02.  PR (the N1*PR segment, acme's) and
# FROM (ISA06, acme's 60054) may be set.
x835() {
	local isa=$1 pay=$2 trace=$3 body n pr from
	pr=${PR-N1*PR*ACME HEALTH PLAN*XV*60054~}
	from=${FROM-60054}
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 6))
	printf 'ISA*00*          *00*          *ZZ*%-15s*ZZ*RIVERSIDE01    *261204*0900*^*00501*%09d*0*T*:~\n' "$from" "$isa"
	printf 'GS*HP*%s*RIVERSIDE01*20261204*0900*%d*X*005010X221A1~\n' "$from" "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*%s~\n' "$pay" "$TODAY8"
	printf 'TRN*1*%s*1512345678~\n%s\n' "$trace" "$pr"
	printf 'N1*PE*RIVERSIDE FAMILY MEDICINE*XX*1234567893~\n'
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}

BC='N1*PR*BLUE CROSS OF EXAMPLE*XV*00834~'

# acme's answer to claim CLM01 $1 of 99213 92.00 and 36415 15.00:
# 80.00 paid, CO-45 12.00, PR-3 10.00, CO-97 5.00 denied on line 2.
acme_paid() {
	cat <<EOS
LX*1~
CLP*$1*1*107*80*10*12*ACME1~
SVC*HC:99213*92*70**1~
CAS*CO*45*12~
CAS*PR*3*10~
REF*6R*$1-1~
SVC*HC:36415*15*10**1~
CAS*CO*97*5~
REF*6R*$1-2~
EOS
}

# acme reverses that and pays again: 90.00, CO-45 7.00, PR-3 10.00,
# line 2 in full.
acme_again() {
	cat <<EOS
LX*1~
CLP*$1*22*-107*-80*-10*12*ACME1~
SVC*HC:99213*-92*-70**1~
CAS*CO*45*-12~
CAS*PR*3*-10~
REF*6R*$1-1~
SVC*HC:36415*-15*-10**1~
CAS*CO*97*-5~
REF*6R*$1-2~
CLP*$1*1*107*90*10*12*ACME1~
SVC*HC:99213*92*75**1~
CAS*CO*45*7~
CAS*PR*3*10~
REF*6R*$1-1~
SVC*HC:36415*15*15**1~
REF*6R*$1-2~
EOS
}

# Patient 3 (acme, then bluecross): claim K3 answered by acme, the
# secondary claim made and sent.  Sets c (the claim), s (the secondary
# claim) and k (its CLM01).
secondary_sent() {
	c=$(claim_sent K3 3 99213:92.00 36415:15.00)
	acme_paid K3 | x835 801 80 A801 >"$BATS_TEST_TMPDIR/a.835"
	pms-claim era "$BATS_TEST_TMPDIR/a.835" >/dev/null 2>&1
	s=$(pms-claim secondary "$c" -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	pms-claim validate "$s" >/dev/null 2>&1
	pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837" >/dev/null 2>&1
	k=$(pms-sql "SELECT clm01 FROM claims WHERE id = $s")
}

# secondary_sent, and bluecross's 835 posted (of the 10.00 pending on
# line 1, 8.00 paid, PR-2 2.00 to the patient).
secondary_paid() {
	secondary_sent
	PR=$BC FROM=00834 x835 802 8 B802 >"$BATS_TEST_TMPDIR/b.835" <<EOS
LX*1~
CLP*$k*2*92*8*2*12*BC1~
SVC*HC:99213*92*8**1~
CAS*OA*23*82~
CAS*PR*2*2~
REF*6R*$k-1~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/b.835"
	[ "$(open_of 3 patient)" = 200 ]
	[ "$(open_of 3 pending:bluecross)" = 0 ]
}

@test "F4: the patient paid the share the payer left: its reversal and corrected claim post, the payment back to the patient's credit" {
	c=$(claim_sent K1 1 99213:92.00 36415:15.00)
	acme_paid K1 | x835 811 80 A811 >"$BATS_TEST_TMPDIR/a.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/a.835"
	run -0 --separate-stderr pms-bill pay --patient 1 --amount 10 \
	    --method card -o csv
	[ "$(open_of 1 patient)" = 0 ]
	acme_again K1 | x835 812 10 A812 >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f6,9,10 <<<"${lines[1]}")" = "$c,22,reversed" ]
	[ "$(cut -d, -f6,9,10,12 <<<"${lines[2]}")" = "$c,1,posted,90.00" ]
	[[ ${lines[1]} == *"claim $c: reverses the posting 1; 10.00 the patient paid on what it takes back is the patient's credit (pms-bill apply)"* ]]
	assert_stderr "2 posted, 0 posted before"
	refute_phi "$stderr"
	# the new PR-3 is owed again, the patient's 10.00 is their credit
	[ "$(open_of 1 patient)" = 1000 ]
	[ "$(open_of 1 credit:)" = -1000 ]
	[ "$(open_of 1 acme)" = 0 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	reconciles
	# the credit applies, to the cent
	run -0 --separate-stderr pms-bill apply --patient 1
	[ "$(open_of 1 patient)" = 0 ]
	[ "$(open_of 1 credit:)" = 0 ]
	reconciles
	# read again: nothing more
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = already ]
	reconciles
}

@test "F4: the secondary paid what the primary left: the primary's reversal and corrected claim post, the secondary's payment back to its credit, refunded to it" {
	secondary_paid
	acme_again K3 | x835 813 10 A813 >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f6,9,10 <<<"${lines[1]}")" = "$c,22,reversed" ]
	[ "$(cut -d, -f6,9,10 <<<"${lines[2]}")" = "$c,1,posted" ]
	[[ ${lines[1]} == *"8.00 a later payer paid on it is that payer's credit (pms-bill refund --payer)"* ]]
	# the new PR-3 waits for bluecross again; what it paid is its
	# credit, and the 2.00 it left the patient came back
	[ "$(open_of 3 pending:bluecross)" = 1000 ]
	[ "$(open_of 3 credit:bluecross)" = -800 ]
	[ "$(open_of 3 patient)" = 0 ]
	[ "$(open_of 3 acme)" = 0 ]
	reconciles
	run -0 --separate-stderr pms-bill refund --patient 3 --payer bluecross \
	    --amount 8 --method eft
	[ "$(open_of 3 credit:bluecross)" = 0 ]
	reconciles
}

@test "F4: after the primary's re-adjudication, the secondary's own reversal and correction post too" {
	secondary_paid
	acme_again K3 | x835 814 10 A814 >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835"
	PR=$BC FROM=00834 x835 815 0 B815 >"$BATS_TEST_TMPDIR/br.835" <<EOS
LX*1~
CLP*$k*22*-92*-8*-2*12*BC1~
SVC*HC:99213*-92*-8**1~
CAS*OA*23*-82~
CAS*PR*2*-2~
REF*6R*$k-1~
CLP*$k*2*92*8*2*12*BC1~
SVC*HC:99213*92*8**1~
CAS*OA*23*82~
CAS*PR*2*2~
REF*6R*$k-1~
EOS
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/br.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$s,reversed" ]
	[ "$(cut -d, -f6,10 <<<"${lines[2]}")" = "$s,posted" ]
	# its reversal drew on its credit; as after its first answer
	[ "$(open_of 3 credit:bluecross)" = 0 ]
	[ "$(open_of 3 pending:bluecross)" = 0 ]
	[ "$(open_of 3 patient)" = 200 ]
	reconciles
}

@test "F4: the patient paid what the secondary left: the secondary's reversal and correction post" {
	secondary_paid
	run -0 --separate-stderr pms-bill pay --patient 3 --amount 2 \
	    --method card
	[ "$(open_of 3 patient)" = 0 ]
	PR=$BC FROM=00834 x835 816 0 B816 >"$BATS_TEST_TMPDIR/br.835" <<EOS
LX*1~
CLP*$k*22*-92*-8*-2*12*BC1~
SVC*HC:99213*-92*-8**1~
CAS*OA*23*-82~
CAS*PR*2*-2~
REF*6R*$k-1~
CLP*$k*2*92*8*2*12*BC1~
SVC*HC:99213*92*8**1~
CAS*OA*23*82~
CAS*PR*2*2~
REF*6R*$k-1~
EOS
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/br.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$s,reversed" ]
	[[ ${lines[1]} == *"2.00 the patient paid on what it takes back is the patient's credit (pms-bill apply)"* ]]
	[ "$(cut -d, -f6,10 <<<"${lines[2]}")" = "$s,posted" ]
	[ "$(open_of 3 patient)" = 200 ]
	[ "$(open_of 3 credit:)" = -200 ]
	reconciles
	run -0 --separate-stderr pms-bill apply --patient 3
	[ "$(open_of 3 patient)" = 0 ]
	[ "$(open_of 3 credit:)" = 0 ]
	reconciles
}

@test "F20: a denial written off by hand, then the payer's reversal and correction: the write-off is taken back and the correction posts" {
	c=$(claim_sent K1 1 99213:92.00 36415:15.00)
	acme_paid K1 | x835 821 80 A821 >"$BATS_TEST_TMPDIR/a.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/a.835"
	ch2=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c
	    AND lx = 2")
	run -0 --separate-stderr pms-bill adjust "$ch2" --amount -5 \
	    --reason 97 --group CO
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = closed ]
	acme_again K1 | x835 822 10 A822 >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f6,9,10 <<<"${lines[1]}")" = "$c,22,reversed" ]
	[[ ${lines[1]} == *"claim $c: reverses the posting 1; 5.00 written off by hand for its denials taken back"* ]]
	[ "$(cut -d, -f6,9,10 <<<"${lines[2]}")" = "$c,1,posted" ]
	# line 2 paid in full: the hand write-off taken back with the trace
	[ "$(pms-sql "SELECT group_code || '-' || reason || ':' || amount_cents
	    FROM ledger WHERE charge_id = $ch2 AND kind = 'adjustment' AND
	    source_ref = 'A822'")" = "CO-97:500" ]
	[ "$(pms-sql "SELECT coalesce(sum(amount_cents), 0) FROM ledger
	    WHERE charge_id = $ch2 AND kind = 'adjustment'")" = 0 ]
	[ "$(open_of 1 acme)" = 0 ]
	[ "$(open_of 1 patient)" = 1000 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE closed_by IS
	    NULL")" = 0 ]
	reconciles
}

@test "F9: overpayments are refused naming the line, the amounts and what to do" {
	c=$(claim_sent K1 1 99213:92.00 36415:15.00)
	# (a) the same payment again, under a new trace
	acme_paid K1 | x835 831 80 A831 >"$BATS_TEST_TMPDIR/a.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/a.835"
	acme_paid K1 | x835 832 80 A832 >"$BATS_TEST_TMPDIR/a2.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/a2.835"
	assert_stderr "claim $c line 1 (SVC at segment 10, REF*6R K1-1): acme pays 70.00 and owes 0.00 on charge"
	assert_stderr "; it paid 70.00 on it already: pms-claim era posts no overpayment (return it, or ask acme for a corrected 835)"
	refute_phi "$stderr"
	reconciles
}

@test "F9: an allowance above the charge, and a secondary paying more than waits for it, are refused saying so" {
	c=$(claim_sent K1 1 99213:92.00)
	x835 841 85 A841 >"$BATS_TEST_TMPDIR/n.835" <<EOS
LX*1~
CLP*K1*1*92*85*10*12*ACME1~
SVC*HC:99213*92*85**1~
CAS*CO*45*-3~
CAS*PR*3*10~
REF*6R*K1-1~
EOS
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/n.835"
	assert_stderr "claim $c line 1 (SVC at segment 10, REF*6R K1-1): CO-45 -3.00 takes back more than acme wrote off on charge"
	assert_stderr "(0.00): an allowance above the charge; pms-claim era posts no overpayment"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	reconciles
	# 10.00 waits for bluecross, which pays 12.00
	secondary_sent
	PR=$BC FROM=00834 x835 842 12 B842 >"$BATS_TEST_TMPDIR/o.835" <<EOS
LX*1~
CLP*$k*2*92*12*0*12*BC2~
SVC*HC:99213*92*12**1~
CAS*OA*23*80~
REF*6R*$k-1~
EOS
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/o.835"
	assert_stderr "claim $s line 1 (SVC at segment 10, REF*6R $k-1): bluecross pays 12.00 and owes 10.00 on charge"
	assert_stderr "; pms-claim era posts no overpayment (return it, or ask bluecross for a corrected 835)"
	[ "$(open_of 3 pending:bluecross)" = 1000 ]
	reconciles
}

@test "F9 d: a transfer made by hand in the way of the payer's 835 is named, with the pms-bill transfer that lets it post" {
	c=$(claim_sent K3 3 99213:92.00 36415:15.00)
	ch2=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c
	    AND lx = 2")
	run -0 --separate-stderr pms-bill transfer "$ch2" --to patient \
	    --reason "bill the patient meanwhile"
	[ "$(open_of 3 pending:bluecross)" = 1500 ]
	acme_paid K3 | x835 851 80 A851 >"$BATS_TEST_TMPDIR/a.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	assert_stderr "claim $c line 2 (SVC at segment 14, REF*6R K3-2): acme pays 10.00 and owes 0.00 on charge $ch2; 10.00 of it was moved by hand to pending bluecross: pms-bill transfer $ch2 --from pending --to acme --amount 10.00 --reason 835 lets it post"
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	reconciles
	# the advice works
	run -0 --separate-stderr pms-bill transfer "$ch2" --from pending \
	    --to acme --amount 10.00 --reason 835
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	[ "$(cut -d, -f6,10,12 <<<"${lines[1]}")" = "$c,posted,80.00" ]
	reconciles
}
