#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim era, the fresh user's findings F5, F8, F11, F12, F16, F19 and
# F25 (era): codes outside their lists refused (CLP02, CAS02, CAS04,
# PLB03-1), a remittance that does not say it is for the practice
# refused, the same CLP twice in one remittance reported, money on an
# informational CLP warned, a reversal's record the same on re-reading,
# and no configuration 78.

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
# counted: x835 ISA13 BPR02 TRN02.  PEL, the N1*PE segment (the
# practice's NPI; empty: none), may be set.
x835() {
	local isa=$1 pay=$2 trace=$3 body n pe
	pe=${PEL-N1*PE*RIVERSIDE FAMILY MEDICINE*XX*1234567893~}
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 5 + $(grep -c . <<<"$pe" || true)))
	printf 'ISA*00*          *00*          *ZZ*60054          *ZZ*RIVERSIDE01    *261204*0900*^*00501*%09d*0*T*:~\n' "$isa"
	printf 'GS*HP*60054*RIVERSIDE01*20261204*0900*%d*X*005010X221A1~\n' "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*%s~\n' "$pay" "$TODAY8"
	printf 'TRN*1*%s*1512345678~\n' "$trace"
	printf 'N1*PR*ACME HEALTH PLAN*XV*60054~\n'
	[ -z "$pe" ] || printf '%s\n' "$pe"
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}

# Claim K1 of patient 1 (acme), 99213 at 100.00, paid 80.00 with a CO-45
# of 20.00, CLP02 $1 (default 1), as the body of x835.
paid_k1() {
	printf 'LX*1~\nCLP*K1*%s*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO*45*20~\n' "${1:-1}"
}

nothing_posted() {
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM ledger WHERE kind <> 'charge'")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims")" = 0 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $1")" = submitted ]
	[ "$(owed_on_claim "$1" acme)" = 10000 ]
}

@test "F5: a CLP02 outside its code list is refused, naming the segment" {
	c=$(claim_sent K1 1 99213:100.00)
	for code in 99 5 13 A 0 -1; do
		paid_k1 "$code" | x835 501 80 ST5 >"$BATS_TEST_TMPDIR/s.835"
		run -65 --separate-stderr pms-claim era -o csv \
		    "$BATS_TEST_TMPDIR/s.835"
		assert_equal "$output" ''
		assert_equal "$stderr" "pms-claim: $BATS_TEST_TMPDIR/s.835: segment 9 (CLP, line 9): CLP02: not a claim status code (1, 2, 3, 4, 19, 20, 21, 22, 23, 25)"
	done
	nothing_posted "$c"
	# every code of the list still reads: 1 posts
	paid_k1 1 | x835 502 80 ST1 >"$BATS_TEST_TMPDIR/ok.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/ok.835"
	[ "$(cut -d, -f9,10 <<<"${lines[1]}")" = 1,posted ]
	reconciles
}

@test "F11: an empty CAS02, a reason-less amount or a CAS04 not a number is refused" {
	c=$(claim_sent K1 1 99213:100.00)
	printf 'LX*1~\nCLP*K1*1*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO**20~\n' |
	    x835 511 80 CAS1 >"$BATS_TEST_TMPDIR/a.835"
	run -65 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	assert_equal "$stderr" "pms-claim: $BATS_TEST_TMPDIR/a.835: segment 11 (CAS, line 11): CAS02: empty: an adjustment needs its claim adjustment reason code"
	# an amount in a later triple without its reason
	printf 'LX*1~\nCLP*K1*1*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO*45*15***5~\n' |
	    x835 512 80 CAS2 >"$BATS_TEST_TMPDIR/b.835"
	run -65 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/b.835"
	assert_equal "$stderr" "pms-claim: $BATS_TEST_TMPDIR/b.835: segment 11 (CAS, line 11): CAS05: empty: an adjustment needs its claim adjustment reason code"
	printf 'LX*1~\nCLP*K1*1*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO*45*20*x~\n' |
	    x835 513 80 CAS3 >"$BATS_TEST_TMPDIR/q.835"
	run -65 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/q.835"
	assert_equal "$stderr" "pms-claim: $BATS_TEST_TMPDIR/q.835: segment 11 (CAS, line 11): CAS04: not a quantity (a number, such as 1 or 2.5)"
	nothing_posted "$c"
	# a quantity that is a number, and triples left out whole, post
	printf 'LX*1~\nCLP*K1*1*100*80*0*12*P1~\nSVC*HC:99213*100*80**1~\nCAS*CO*45*20*1.5***~\n' |
	    x835 514 80 CAS4 >"$BATS_TEST_TMPDIR/ok.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/ok.835"
	[ "$(cut -d, -f10,14 <<<"${lines[1]}")" = posted,20.00 ]
	reconciles
}

@test "F16: a PLB03-1 outside its code list is refused; one of it is recorded" {
	x835 521 2 PLBONLY >"$BATS_TEST_TMPDIR/z.835" <<'EOF'
PLB*1512345678*20261231*ZZ*-2~
EOF
	run -65 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/z.835"
	assert_equal "$output" ''
	assert_equal "$stderr" "pms-claim: $BATS_TEST_TMPDIR/z.835: segment 8 (PLB, line 8): PLB03-1: not a provider adjustment reason code (such as WO, L6, FB, 72, CS)"
	# the second adjustment of a PLB is checked too, and an empty reason
	x835 522 3 PLB2 >"$BATS_TEST_TMPDIR/y.835" <<'EOF'
PLB*1512345678*20261231*L6:INT1*-1*:REF2*-2~
EOF
	run -65 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/y.835"
	assert_stderr 'segment 8 (PLB, line 8): PLB05-1: not a provider adjustment reason code'
	[ "$(pms-sql "SELECT count(*) FROM claim_plb")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remits")" = 0 ]
	x835 523 2 PLBOK >"$BATS_TEST_TMPDIR/ok.835" <<'EOF'
PLB*1512345678*20261231*CT:CAP1*-2~
EOF
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/ok.835"
	[ "$(cut -d, -f9,10,12 <<<"${lines[1]}")" = CT,adjustment,2.00 ]
	[[ ${lines[1]} == *'CT, capitation payment: 2.00 to the practice'* ]]
	[ "$(pms-sql "SELECT reason, amount_cents FROM claim_plb")" = 'CT|-200' ]
}

@test "F19: no payee, a payee without an id or of another kind is refused per claim" {
	c=$(claim_sent K1 1 99213:100.00)
	local pel msg i=530
	for pel in '' 'N1*PE*SOMEONE ELSE~' 'N1*PE*RIVERSIDE FAMILY MEDICINE*XV*1234567893~'; do
		case $pel in
		'') msg='the remittance names no payee (N1*PE): it does not say it is for the practice' ;;
		*SOMEONE*) msg='the payee (N1*PE) has no id (N103, N104): it does not say it is the practice' ;;
		*) msg="the payee's id (N1*PE N103) is neither an NPI (XX) nor an EIN (FI)" ;;
		esac
		i=$((i + 1))
		{ paid_k1; printf 'PLB*1512345678*20261231*L6:INT1*-1~\n'; } |
		    PEL=$pel x835 "$i" 81 "PE$i" >"$BATS_TEST_TMPDIR/p.835"
		run -1 --separate-stderr pms-claim era -o csv \
		    "$BATS_TEST_TMPDIR/p.835"
		[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$c,refused" ]
		[ "$(cut -d, -f10 <<<"${lines[2]}")" = refused ]
		assert_stderr "claim $c: $msg: nothing of it was posted"
		assert_stderr "provider adjustment (PLB): $msg: not recorded"
		refute_phi "$stderr"
	done
	nothing_posted "$c"
	[ "$(pms-sql "SELECT count(*) FROM claim_plb")" = 0 ]
	# the practice's NPI posts
	paid_k1 | x835 539 80 PEOK >"$BATS_TEST_TMPDIR/ok.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/ok.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = posted ]
	reconciles
}

@test "F12: a reversal's record is the same on re-reading, every amount negated" {
	c=$(claim_sent K1 1 99213:100.00 36415:15.00)
	x835 541 80 PAY1 >"$BATS_TEST_TMPDIR/a.835" <<'EOF'
LX*1~
CLP*K1*1*115*80*10*12*P1~
SVC*HC:99213*100*70**1~
CAS*CO*45*20~
CAS*PR*2*10~
SVC*HC:36415*15*10**1~
CAS*CO*97*5~
EOF
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/a.835"
	[ "$(cut -d, -f10-15 <<<"${lines[1]}")" = posted,115.00,80.00,10.00,20.00,5.00 ]
	run -0 pms-claim denials -o csv
	[ "${#lines[@]}" = 2 ]
	x835 542 5 REV1 >"$BATS_TEST_TMPDIR/r.835" <<'EOF'
LX*1~
CLP*K1*22*-115*-80*-10*12*P1~
SVC*HC:99213*-100*-70**-1~
CAS*CO*45*-20~
CAS*PR*2*-10~
SVC*HC:36415*-15*-10**-1~
CAS*CO*97*-5~
CLP*K1*1*115*85*10*12*P1~
SVC*HC:99213*100*70**1~
CAS*CO*45*20~
CAS*PR*2*10~
SVC*HC:36415*15*15**1~
EOF
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f9-16 <<<"${lines[1]}")" = 22,reversed,-115.00,-80.00,-10.00,-20.00,-5.00,P1 ]
	[ "$(cut -d, -f9-16 <<<"${lines[2]}")" = 1,posted,115.00,85.00,10.00,20.00,0.00,P1 ]
	first=$(cut -d, -f11-16 <<<"${lines[1]}")
	run -0 pms-claim denials -o csv
	[ "${#lines[@]}" = 1 ]
	# read again: posted before, the same amounts, signs and all
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/r.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = already ]
	[ "$(cut -d, -f11-16 <<<"${lines[1]}")" = "$first" ]
	[ "$(cut -d, -f9-16 <<<"${lines[2]}")" = 1,already,115.00,85.00,10.00,20.00,0.00,P1 ]
	assert_stderr '0 posted, 2 posted before'
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 1000 ]
	reconciles
}

@test "F8: the same CLP twice in one remittance is refused, not posted before" {
	c=$(claim_sent K1 1 99213:100.00)
	{ paid_k1; paid_k1 | sed 's/^LX\*1~/LX*2~/'; } |
	    x835 551 160 DUP1 >"$BATS_TEST_TMPDIR/d.835"
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/d.835"
	[ "$(cut -d, -f3,6,10,12 <<<"${lines[1]}")" = "9,$c,posted,80.00" ]
	[ "$(cut -d, -f3,6,10,12 <<<"${lines[2]}")" = "13,$c,refused,80.00" ]
	msg="segment 13 (line 13): claim $c: the same as the CLP at segment 9 of this remittance (CLP01, CLP02, CLP07, CLP03, CLP04): a claim posts once from a remittance, so this one is not posted, nor its 80.00 of the check: ask the payer about the duplicate"
	assert_stderr "$msg"
	assert_stderr '1 remittance (1 new, 80.00), 2 claims: 1 posted, 0 posted before'
	assert_stderr '1 refused'
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT group_concat(amount_cents) FROM payments")" = 8000 ]
	# read again: the first was posted before, the second is refused again
	run -1 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/d.835"
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = already ]
	[ "$(cut -d, -f10 <<<"${lines[2]}")" = refused ]
	assert_stderr "$msg"
	[ "$(pms-sql "SELECT group_concat(amount_cents) FROM payments")" = 8000 ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	reconciles
}

@test "F8: a CLP02 23 or 25 carrying money posts nothing and says so" {
	c=$(claim_sent K1 1 99213:100.00)
	paid_k1 23 | x835 561 80 FWD1 >"$BATS_TEST_TMPDIR/f.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/f.835"
	[ "$(cut -d, -f9,10,12 <<<"${lines[1]}")" = 23,informational,80.00 ]
	assert_stderr "segment 9 (line 9): claim $c: not the payer's claim, forwarded to another: nothing to post; but CLP04 says 80.00 paid: that money is in the check (BPR02) and posted nowhere: ask the payer"
	assert_stderr '1 with nothing to post'
	[ "$(pms-sql "SELECT count(*) FROM payments")" = 0 ]
	[ "$(owed_on_claim "$c" acme)" = 10000 ]
	# without money: no word on standard error but the summary
	printf 'LX*1~\nCLP*K1*25*100*0*0*12*P1~\nSVC*HC:99213*100*0**1~\nCAS*CO*45*100~\n' |
	    x835 562 0 PRE1 >"$BATS_TEST_TMPDIR/p.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/p.835"
	[ "$(cut -d, -f9,10 <<<"${lines[1]}")" = 25,informational ]
	[[ ${lines[1]} == *'a predetermination of benefits: nothing to post' ]]
	[[ $stderr != *'segment 9'* ]]
	reconciles
}

@test "F25: era on a store with no configuration is 78, posting nothing" {
	local d="$BATS_TEST_TMPDIR/bare"
	mkdir "$d"
	export PMS_STORE="$d/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	printf '%s\n' 'correct horse battery staple' >"$PMS_PASSPHRASE_FILE"
	pms-admin init --kdf interactive >/dev/null 2>&1
	run -78 --separate-stderr pms-claim era -o csv "$TOP/share/demo/answer.835"
	assert_equal "$output" ''
	assert_equal "$stderr" 'pms-claim: the practice has no configuration yet: load one with "pms-admin config load FILE"'
	run -0 pms-sql "SELECT count(*) FROM claim_remits"
	assert_output 0
}
