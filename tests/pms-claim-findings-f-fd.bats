#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# Findings F6, F7, F17, F18, F24, F25 (ack), F28 of the trial of the
# insurance side: acknowledgement notes kept whole, --dry-run keeping
# no audit entry, a 999 of an earlier sending, a 277CA split, ack with
# no configuration, a replacement's posting closing its original's
# denials, a crossover's next payer and a secondary answered under the
# primary's number.

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

# An acknowledgement interchange around the segments on stdin:
# ack_file ISA13 GS01 GS08 [ISA08].
ack_file() {
	printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*%-15s*261203*1200*^*00501*%09d*0*T*:~\n' "${4:-RIVERSIDE01}" "$1"
	printf 'GS*%s*CLEARHOUSE1*%s*20261203*1200*%d*X*%s~\n' "$2" "${4:-RIVERSIDE01}" "$1" "$3"
	cat
	printf 'GE*1*%d~\nIEA*1*%09d~\n' "$1" "$1"
}

# The ISA13 of the batch claim $1 went in.
isa_of() {
	pms-sql "SELECT isa13 FROM claim_batches WHERE id = (SELECT batch_id FROM claims WHERE id = $1)"
}

# The ST02 of the set claim $1 went in, as the 837 has it.
set_of() {
	printf %04d "$(pms-sql "SELECT st02 FROM claim_submissions WHERE claim_id = $1 ORDER BY batch_id LIMIT 1")"
}

# A 999 rejecting set $3 (0001) of group $2, as F6 has it:
# rej999 ISA13 GROUP [SET [ISA08]]
rej999() {
	ack_file "$1" FA 005010X231A1 "${4:-RIVERSIDE01}" <<EOF
ST*999*0001*005010X231A1~
AK1*HC*$2*005010X222A1~
AK2*837*${3:-0001}*005010X222A1~
IK3*NM1*19*2010BA*8~
IK4*9*67*7*A100~
IK5*R*5~
AK9*R*1*1*0~
SE*8*0001~
EOF
}

# An 835 of one set around the segments on stdin (one a line), SE
# counted: x835 ISA13 BPR02 TRN02.  PR (the N1*PR segment, acme's) may
# be set.
x835() {
	local isa=$1 pay=$2 trace=$3 body n pr
	pr=${PR-N1*PR*ACME HEALTH PLAN*XV*60054~}
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 6))
	printf 'ISA*00*          *00*          *ZZ*60054          *ZZ*RIVERSIDE01    *261204*0900*^*00501*%09d*0*T*:~\n' "$isa"
	printf 'GS*HP*60054*RIVERSIDE01*20261204*0900*%d*X*005010X221A1~\n' "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*%s~\n' "$pay" "$TODAY8"
	printf 'TRN*1*%s*1512345678~\n' "$trace"
	printf '%s\n' "$pr"
	printf 'N1*PE*RIVERSIDE FAMILY MEDICINE*XX*1234567893~\n'
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}

@test "F6: a 999's reasons are whole in the claim's history (show), the record and standard error" {
	c=$(claim_sent K1 1 99213:92.00)
	rej999 801 "$(isa_of "$c")" "$(set_of "$c")" >"$BATS_TEST_TMPDIR/r.999"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.999"
	want='999 set 0001: IK5 R, rejected; NM1 segment at position 19 in loop 2010BA: segment has data element errors, element 9 (data element 67): invalid code value'
	[ "$(cut -d, -f4,8 <<<"${lines[1]}")" = "$c,rejected" ]
	[[ ${lines[1]} == *"$want"* ]]
	assert_stderr "$want"
	refute_phi "$stderr"
	run -0 --separate-stderr pms-claim show "$c" -o csv
	[[ ${lines[-1]} == *"$want"* ]]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
}

@test "F6: a 277CA's three status composites are all kept; too many reasons are left off whole, with a marker" {
	c=$(claim_sent K1 1 99213:107.00)
	ack_file 907 HN 005010X214 >"$BATS_TEST_TMPDIR/a3.277" <<'EOF'
ST*277*0001*005010X214~
BHT*0085*08*277X214*20261203*1200*TH~
HL*1**20*1~
NM1*PR*2*ACME HEALTH PLAN*****PI*60054~
HL*2*1*21*1~
NM1*41*2*RIVERSIDE FAMILY MEDICINE*****46*RIVERSIDE01~
HL*3*2*19*1~
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893~
HL*4*3*PT~
NM1*QC*1*ZZTEST*ANN~
TRN*2*K1~
STC*A3:21:IL*20261203*U*107******A7:562:PR*A8:153~
REF*1K*PCNX~
SE*14*0001~
EOF
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/a3.277"
	want="A3 returned as unprocessable, status 21: missing or invalid information (insured or subscriber); A7 rejected for invalid information, status 562: entity's National Provider Identifier (NPI) (payer); A8 rejected for relational field in error, status 153: a code pms does not explain"
	[[ ${lines[1]} == *"$want"* ]]
	assert_stderr "$want"
	run -0 --separate-stderr pms-claim show "$c" -o csv
	[[ ${lines[-1]} == *"$want"* ]]
	# a 999 with more errors than a note holds: whole reasons, then
	# the marker, never a reason cut
	c2=$(claim_sent K2 2 99213:60.00)
	{
		printf 'ST*999*0001*005010X231A1~\nAK1*HC*%s*005010X222A1~\nAK2*837*%s*005010X222A1~\n' "$(isa_of "$c2")" "$(set_of "$c2")"
		for i in $(seq 1 20); do
			printf 'IK3*NM1*%d*2010BA*8~\nIK4*9*67*7~\n' "$((i + 10))"
		done
		printf 'IK5*R*5~\nAK9*R*1*1*0~\nSE*46*0001~\n'
	} | ack_file 808 FA 005010X231A1 >"$BATS_TEST_TMPDIR/m.999"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/m.999"
	[[ $stderr == *'element 9 (data element 67): invalid code value; and more, in the file'* ]]
	run -0 --separate-stderr pms-claim show "$c2" -o csv
	[[ ${lines[-1]} == *'invalid code value; and more, in the file'* ]]
}

@test "F17: a 999 of a batch's earlier sending is late, not unmatched; one re-sent after the claim went again too" {
	c=$(claim_sent K1 1 99213:107.00)
	b1=$(pms-sql "SELECT batch_id FROM claims WHERE id = $c")
	isa=$(isa_of "$c")
	rej999 801 "$isa" >"$BATS_TEST_TMPDIR/r.999"
	run -0 --separate-stderr pms-claim export --batch "$b1" --out "$BATS_TEST_TMPDIR/again.837"
	b2=$(pms-sql "SELECT batch_id FROM claims WHERE id = $c")
	[ "$b2" != "$b1" ]
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.999"
	[ "$(cut -d, -f1,3,4,8,9 <<<"${lines[1]}")" = "999,$b1,$c,late,submitted" ]
	assert_stderr "claim $c was sent again since, in batch $b2: this answers its sending in batch $b1: nothing moved (999 set 0001: IK5 R, rejected;"
	assert_stderr '0 rejected, 1 other answers, 0 answering nothing of ours'
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
	# the correction loop: rejected, fixed, sent again; the same 999
	# re-sent by the clearinghouse (another ISA13) is late
	c2=$(claim_sent K2 2 99213:60.00)
	rej999 811 "$(isa_of "$c2")" "$(set_of "$c2")" >"$BATS_TEST_TMPDIR/s.999"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/s.999"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = rejected ]
	pms-claim resubmit "$c2" -o csv >/dev/null 2>&1 || true
	pms-claim validate "$c2" -o csv >/dev/null 2>&1
	run -0 --separate-stderr pms-claim export "$c2" --out "$BATS_TEST_TMPDIR/k2b.837"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = submitted ]
	sed 's/000000811/000000812/' "$BATS_TEST_TMPDIR/s.999" >"$BATS_TEST_TMPDIR/t.999"
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/t.999"
	[ "$(cut -d, -f4,8,9 <<<"${lines[1]}")" = "$c2,late,submitted" ]
	assert_stderr "claim $c2 was sent again since"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c2")" = submitted ]
	# a set the batch never had is still unmatched, named as in the file
	sed 's/AK2\*837\*0001/AK2*837*0007/' "$BATS_TEST_TMPDIR/r.999" | sed 's/000000801/000000802/' >"$BATS_TEST_TMPDIR/u.999"
	run -1 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/u.999"
	assert_stderr "999 set 0007: batch $b1 has no transaction set of that number: nothing moved"
}

@test "F24: a 277CA A5 split is counted once and its REF*1K is not shown as the claim's number; resubmit names the split" {
	c=$(claim_sent K1 1 99213:107.00)
	ack_file 920 HN 005010X214 >"$BATS_TEST_TMPDIR/a5.277" <<'EOF'
ST*277*0001*005010X214~
BHT*0085*08*277X214*20261203*1200*TH~
HL*1**20*1~
NM1*PR*2*ACME HEALTH PLAN*****PI*60054~
HL*2*1*21*1~
NM1*41*2*RIVERSIDE FAMILY MEDICINE*****46*RIVERSIDE01~
HL*3*2*19*1~
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893~
HL*4*3*PT~
NM1*QC*1*ZZTEST*ANN~
TRN*2*K1~
STC*A5:20*20261203*U*107~
REF*1K*SPLIT1~
REF*1K*SPLIT2~
SE*15*0001~
EOF
	run -0 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/a5.277"
	[ "$(cut -d, -f4,7-10 <<<"${lines[1]}")" = "$c,A5:20,split,acknowledged," ]
	[[ ${lines[1]} == *'the payer split it into its claims SPLIT1, SPLIT2 (REF*1K), none of them this claim'* ]]
	assert_stderr 'pms-claim: 1 acknowledgement (0 read before): 0 claims accepted, 0 rejected, 1 other answers, 0 answering nothing of ours'
	run -0 pms-sql "SELECT coalesce(payer_claim_number, '') FROM claims WHERE id = $c"
	assert_output ''
	run -0 pms-sql "SELECT value FROM claim_refs WHERE claim_id = $c ORDER BY value"
	assert_output - <<'EOF'
SPLIT1
SPLIT2
EOF
	run -1 --separate-stderr pms-claim resubmit "$c" -o csv
	assert_stderr "pms-claim: claim $c was split by the payer (277CA A5) into SPLIT1, SPLIT2: it has no number of its own; give the one of the part to resubmit with --payer-claim-number"
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
}

@test "F25: ack on a store with no configuration is 78, saying so" {
	local d="$BATS_TEST_TMPDIR/bare"
	mkdir "$d"
	export PMS_STORE="$d/store" PMS_USER=admin
	pms-admin init --kdf interactive >/dev/null 2>&1
	rej999 801 1 >"$BATS_TEST_TMPDIR/r.999"
	run -78 --separate-stderr pms-claim ack -o csv "$BATS_TEST_TMPDIR/r.999"
	assert_stderr 'pms-claim: no configuration loaded (pms-admin config load)'
	[ "$(pms-sql "SELECT count(*) FROM claim_acks")" = 0 ]
}

@test "F7: --dry-run of a refused secondary and of an ack answering nothing of ours writes no audit entry" {
	c=$(claim_sent K1 3 99213:107.00)
	n=$(pms-sql "SELECT count(*) FROM audit")
	run -1 --separate-stderr pms-claim secondary "$c" --dry-run -o csv
	assert_stderr '(--dry-run: nothing was written)'
	[ "$(pms-sql "SELECT count(*) FROM audit")" = "$n" ]
	rej999 801 "$(isa_of "$c")" "$(set_of "$c")" SOMEONEELSE >"$BATS_TEST_TMPDIR/o.999"
	run -1 --separate-stderr pms-claim ack --dry-run -o csv "$BATS_TEST_TMPDIR/o.999"
	assert_stderr '1 answering nothing of ours (--dry-run: nothing was written)'
	[ "$(pms-sql "SELECT count(*) FROM audit")" = "$n" ]
	# without --dry-run the refusal is on record, as before
	run -1 --separate-stderr pms-claim secondary "$c" -o csv
	[ "$(pms-sql "SELECT count(*) FROM audit")" -gt "$n" ]
}

# A denial of both lines of claim K (CLM01 $1, payer acme): CLP02 4.
denied_both() {
	printf 'LX*1~\nCLP*%s*4*107*0*0*12*ACME0009~\nSVC*HC:99213*92*0**1~\nCAS*CO*50*92~\nSVC*HC:36415*15*0**1~\nCAS*CO*97*15~\nLQ*HE*N115~\n' "$1"
}

@test "F28: a replacement's posting that pays the lines closes the original's denials (pms-claim denials, pms-report denials)" {
	c=$(claim_sent K1 1 99213:92.00 36415:15.00)
	denied_both K1 | x835 701 0 DEN1 >"$BATS_TEST_TMPDIR/den.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/den.835"
	run -0 --separate-stderr pms-claim denials -o csv
	[ "${#lines[@]}" -eq 3 ]
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	r=$(cut -d, -f1 <<<"${lines[1]}")
	rclm=$(cut -d, -f2 <<<"${lines[1]}")
	pms-claim validate "$r" -o csv >/dev/null 2>&1
	run -0 --separate-stderr pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = replaced ]
	printf 'LX*1~\nCLP*%s*1*107*85*10*12*ACME0010~\nSVC*HC:99213*92*70**1~\nCAS*CO*45*12~\nCAS*PR*3*10~\nSVC*HC:36415*15*15**1~\n' "$rclm" |
	    x835 2201 85 REP2 >"$BATS_TEST_TMPDIR/rep.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/rep.835"
	[ "$(cut -d, -f6,10 <<<"${lines[1]}")" = "$r,posted" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $r")" = paid ]
	# acme owes nothing: the work queue has nothing to chase
	run -0 --separate-stderr pms-claim denials -o csv
	[ "${#lines[@]}" -le 1 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE claim_id = $c AND closed_by IS NULL")" = 0 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_denials WHERE claim_id = $c AND closed_by = (SELECT max(id) FROM claim_remit_claims WHERE claim_id = $r)")" = 2 ]
	run -0 --separate-stderr pms-report denials -o csv
	[[ ${lines[-1]} == total,*,0.00 ]]
	reconciles
}

# Claim K3 of patient 3 (acme, then bluecross), its 835 from acme:
# CLP02 $2 (1 or 19): 80.00 paid, PR-3 10.00, CO-97 5.00 left open.
primary_k3() {
	printf 'LX*1~\nCLP*K3*%s*107*80*10*12*ACME0001~\nSVC*HC:99213*92*70**1~\nCAS*CO*45*12~\nCAS*PR*3*10~\nSVC*HC:36415*15*10**1~\nCAS*CO*97*5~\n' "$1"
}

# bluecross's 835 for claim CLM01 $1: 8.00 paid on line 1, PR-2 2.00.
bluecross_k3() {
	printf 'LX*1~\nCLP*%s*2*92*8*2*12*BC0001~\nSVC*HC:99213*92*8**1~\nCAS*OA*23*82~\nCAS*PR*2*2~\n' "$1"
}

@test "F18: a crossed-over claim leaves crossed-over, with a history row, when the next payer's 835 is posted" {
	c=$(claim_sent K3 3 99213:92.00 36415:15.00)
	primary_k3 19 | x835 1901 80 XO1 >"$BATS_TEST_TMPDIR/xo.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/xo.835"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = crossed-over ]
	bluecross_k3 K3 | PR='N1*PR*BLUE CROSS OF EXAMPLE*XV*00834~' x835 1902 8 XO2 >"$BATS_TEST_TMPDIR/xo2.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/xo2.835"
	[ "$(cut -d, -f5,6,10 <<<"${lines[1]}")" = "bluecross,$c,posted" ]
	# acme's CO-97 is still open: partly paid, its wait over
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = partly-paid ]
	run -0 --separate-stderr pms-claim list --state crossed-over -o csv
	[ "${#lines[@]}" -le 1 ]
	run -0 pms-sql "SELECT from_state || '>' || to_state || ': ' || note FROM claim_history WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	assert_output 'crossed-over>partly-paid: 835 CLP02 2, trace XO2: the payer of priority 2 answered the crossover: its wait is over'
	[ "$(owed_on_claim "$c" patient)" = 200 ]
	reconciles
}

@test "F18: a secondary claim answered under the primary's CLP01 leaves submitted" {
	c=$(claim_sent K3 3 99213:92.00 36415:15.00)
	primary_k3 1 | x835 1911 80 P1 >"$BATS_TEST_TMPDIR/p.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/p.835"
	run -0 --separate-stderr pms-claim secondary "$c" -o csv
	s=$(cut -d, -f1 <<<"${lines[1]}")
	pms-claim validate "$s" -o csv >/dev/null 2>&1
	run -0 --separate-stderr pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = submitted ]
	bluecross_k3 K3 | PR='N1*PR*BLUE CROSS OF EXAMPLE*XV*00834~' x835 1912 8 S1 >"$BATS_TEST_TMPDIR/s.835"
	run -0 --separate-stderr pms-claim era -o csv "$BATS_TEST_TMPDIR/s.835"
	[ "$(cut -d, -f5,6,10 <<<"${lines[1]}")" = "bluecross,$c,posted" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = paid ]
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $s ORDER BY id DESC LIMIT 1"
	assert_output "835 CLP02 2, trace S1, under the number of claim $c (CLP01), which it follows"
	run -0 pms-sql "SELECT to_state || ': ' || note FROM claim_history WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	assert_output "partly-paid: 835 CLP02 2, trace S1: the payer of priority 2 answered claim $s under this claim's number"
	[ "$(owed_on_claim "$c" patient)" = 200 ]
	reconciles
}
