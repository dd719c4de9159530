#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# Findings F1, F2, F3, F13, F14, F22, F26 and F29 of the trial of the
# insurance side after the first claim: a secondary's 835 answering a
# line that had nothing for it, a tertiary claim of a line the payer
# before did not adjudicate, corrections of a secondary claim and of a
# claim whose replacement waits, and a few messages.

load helpers/common
load helpers/claims

setup_file() {
	make_template
	export PMS_STORE="$TEMPLATE/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$TEMPLATE/pass"
	claims_practice
	# patient 5: acme, bluecross and medicare, a tertiary
	pms-patient add --mrn A-5 --last-name Zztest --first-name Eve \
	    --dob 1980-01-15 --sex f --street '5 Elm Street' \
	    --city Springfield --state OH --zip 45502 >/dev/null
	pms-patient policy add 5 --payer acme --member-id XK0005 \
	    --from 2020-01-01 >/dev/null
	pms-patient policy add 5 --payer bluecross --member-id BC0005 \
	    --priority secondary --from 2020-01-01 >/dev/null
	pms-patient policy add 5 --payer medicare --member-id 1EG4TE5MK75 \
	    --priority tertiary --from 2020-01-01 >/dev/null
	pms-admin maintain >/dev/null 2>&1
}

setup() {
	use_store
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

clm01_of() {
	pms-sql "SELECT clm01 FROM claims WHERE id = $1"
}

# The primary's 835 (ISA13 $1, trace $2) of claim CLM01 $3, lines 92.00
# and 15.00: line 1 paid 80.00, CO-45 2.00, PR-3 10.00 left for the
# next payer; line 2 paid 10.00, a CO-97 denial of 5.00 left open.
primary_835() {
	era_file "$1" 90 "$2" <<EOS
LX*1~
CLP*$3*1*107*90*10*12*P$2~
SVC*HC:99213*92*80**1~
CAS*CO*45*2~
CAS*PR*3*10~
REF*6R*$3-1~
SVC*HC:36415*15*10**1~
CAS*CO*97*5~
REF*6R*$3-2~
EOS
}

# The secondary's 835 of claim CLM01 $3 answering both lines: line 1
# takes the 10.00, pays 8.00, PR-2 2.00; line 2, with nothing for it,
# pays 0.00 with only the prior payer's OA-23.
secondary_835() {
	era_file "$1" 8 "$2" <<EOS
LX*1~
CLP*$3*2*107*8*2*12*S$2~
SVC*HC:99213*92*8**1~
CAS*OA*23*82~
CAS*PR*2*2~
REF*6R*$3-1~
SVC*HC:36415*15*0**1~
CAS*OA*23*15~
REF*6R*$3-2~
EOS
}

# A primary claim of patient $2 (CLM01 $1) posted and its secondary
# made, validated and sent: prints "primary secondary".
secondary_sent() {
	local c s
	c=$(claim_sent "$1" "$2" 99213:92.00 36415:15.00)
	primary_835 "$3" "P$1" "$1" >"$BATS_TEST_TMPDIR/p$1.835"
	pms-claim era "$BATS_TEST_TMPDIR/p$1.835" -o csv >/dev/null 2>&1
	s=$(pms-claim secondary "$c" -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	pms-claim validate "$s" -o csv >/dev/null 2>&1
	pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s$1.837" \
	    >/dev/null 2>&1
	echo "$c $s"
}

@test "F1: a secondary's 835 line with nothing for it and only OA-23 posts nothing, the rest posts" {
	read -r c s < <(secondary_sent K1 3 41)
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = submitted ]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 1000 ]
	secondary_835 42 T42 "$(clm01_of "$s")" >"$BATS_TEST_TMPDIR/s.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	[[ $stderr != *'nothing waits'* ]]
	[[ ${lines[1]} == *",$s,"*",posted,"* ]]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 200 ]
	# line 2 stays acme's denial of 5.00
	[ "$(owed_on_claim "$c" acme)" = 500 ]
	[ "$(pms-sql "SELECT sum(amount_cents) FROM payments")" = 9800 ]
	reconciles
}

@test "F1: a secondary's 835 with nothing for it on any line is still refused" {
	c=$(claim_sent K2 3 99213:92.00 36415:15.00)
	era_file 43 0 T43 >"$BATS_TEST_TMPDIR/s.835" <<'EOS'
LX*1~
CLP*K2*2*107*0*0*12*S43~
SVC*HC:99213*92*0**1~
CAS*OA*23*92~
REF*6R*K2-1~
SVC*HC:36415*15*0**1~
CAS*OA*23*15~
REF*6R*K2-2~
EOS
	run -1 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	assert_stderr "claim $c line 1: nothing waits for the payer of priority 2 (post the earlier payer's 835 first)"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = submitted ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE claim_id = $c")" = 0 ]
	reconciles
}

# The tertiary claim of patient 5 after a secondary's 835 ($1) of claim
# CLM01 K5's secondary: prints "primary secondary tertiary".
tertiary_made() {
	local c s t
	read -r c s < <(secondary_sent K5 5 51)
	"$1" 52 T52 "$(clm01_of "$s")" >"$BATS_TEST_TMPDIR/s.835"
	pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv >/dev/null 2>&1
	t=$(pms-claim secondary --ready -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	echo "$c $s $t"
}

# The secondary's 835 answering line 1 only (the one left for it).
secondary_835_line1() {
	era_file "$1" 8 "$2" <<EOS
LX*1~
CLP*$3*2*92*8*2*12*S$2~
SVC*HC:99213*92*8**1~
CAS*OA*23*82~
CAS*PR*2*2~
REF*6R*$3-1~
EOS
}

@test "F2: a tertiary claim of a line the secondary did not adjudicate validates, with no 2430 of that payer for it" {
	read -r c s t < <(tertiary_made secondary_835_line1)
	[ "$(owed_on_claim "$c" pending:medicare)" = 200 ]
	[ -n "$t" ]
	[ "$(pms-sql "SELECT payer_seq || ':' || prior_claim_id FROM claims WHERE id = $t")" = "3:$s" ]
	run -0 --separate-stderr pms-claim validate "$t" -o csv
	assert_line --index 1 --partial ',validated,0,'
	run -0 --separate-stderr pms-claim export "$t" --out "$BATS_TEST_TMPDIR/t.837"
	tr -d '\n' <"$BATS_TEST_TMPDIR/t.837" | tr '~' '\n' |
	    grep -E '^(AMT\*D|SV1|SVD|CAS)' >"$BATS_TEST_TMPDIR/t.seg"
	run -0 cat "$BATS_TEST_TMPDIR/t.seg"
	assert_output - <<'EOF'
AMT*D*90
AMT*D*8
SV1*HC:99213*92*UN*1***1
SVD*60054*80*HC:99213**1
CAS*CO*45*2
CAS*PR*3*10
SVD*00834*8*HC:99213**1
CAS*OA*23*82
CAS*PR*2*2
SV1*HC:36415*15*UN*1***1
SVD*60054*10*HC:36415**1
CAS*CO*97*5
EOF
}

@test "F2: after a secondary's 835 answering every line, the tertiary claim validates" {
	read -r c s t < <(tertiary_made secondary_835)
	[ -n "$t" ]
	run -0 --separate-stderr pms-claim validate "$t" -o csv
	assert_line --index 1 --partial ',validated,0,'
	reconciles
}

# Claim CLM01 $1 of patient 1 (acme), lines 92.00 and 15.00, sent and
# paid by acme (CLP07 PCN$1): prints the claim's id.
paid_claim() {
	local c
	c=$(claim_sent "$1" 1 99213:92.00 36415:15.00)
	era_file "$2" 107 "T$1" >"$BATS_TEST_TMPDIR/$1.835" <<EOS
LX*1~
CLP*$1*1*107*107*0*12*PCN$1~
SVC*HC:99213*92*92**1~
REF*6R*$1-1~
SVC*HC:36415*15*15**1~
REF*6R*$1-2~
EOS
	pms-claim era "$BATS_TEST_TMPDIR/$1.835" -o csv >/dev/null 2>&1
	echo "$c"
}

charge_of() {
	pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $1 AND lx = $2"
}

@test "F26: voiding the last charge of a claim whose replacement waits: the replacement is voided unsent, the claim gets a void (frequency 8)" {
	c=$(paid_claim K26 61)
	ch1=$(charge_of "$c" 1)
	ch2=$(charge_of "$c" 2)
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --reason x -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	assert_stderr "pms-bill: claim $r: replaces claim $c (frequency 7): validate and export it (pms-claim)"
	run -0 --separate-stderr pms-bill void "$ch1" --correct-claim --reason x -o csv
	v=$(pms-sql "SELECT id FROM claims WHERE original_id = $c AND frequency = '8'")
	[ -n "$v" ]
	assert_stderr - <<EOF
pms-bill: claim $r: never sent, and no line of it is left to claim: voided
pms-bill: claim $v: voids claim $c (frequency 8): validate and export it (pms-claim)
EOF
	run -0 pms-sql "SELECT id || ':' || state || ':' || frequency FROM claims ORDER BY id"
	assert_output - <<EOF
$c:paid:1
$r:voided:7
$v:draft:8
EOF
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $r ORDER BY id DESC LIMIT 1"
	assert_output 'never sent: no line of it is left to claim (void)'
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-claim export --out "$BATS_TEST_TMPDIR/v.837"
	run -0 grep -oE 'CLM\*[^~]*|REF\*F8\*[^~]*' "$BATS_TEST_TMPDIR/v.837"
	assert_output - <<EOF
CLM*$(clm01_of "$v")*107***11:B:8*Y*A*Y*Y
REF*F8*PCNK26
EOF
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = voided ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $r")" = voided ]
	reconciles
}

@test "F13: pms-bill void --correct-claim names the pms-claim command that takes the payer's claim number; --dry-run names no claim it did not make" {
	c=$(claim_sent K13 1 99213:92.00 36415:15.00)
	ch2=$(charge_of "$c" 2)
	before=$(pms-sql "SELECT count(*) FROM claims")
	run -1 --separate-stderr pms-bill void "$ch2" --correct-claim --reason x -o csv
	assert_stderr "pms-bill: charge $ch2 is on a claim sent: claim $c: the payer's claim number (835 CLP07, 277CA REF*1K) is not known, and a replacement carries it (REF*F8): wait for the payer's answer, or give it with pms-claim resubmit $c --payer-claim-number N, then void the charge again"
	[ "$(pms-sql "SELECT status FROM charges WHERE id = $ch2")" != void ]
	# the advice, followed
	run -0 --separate-stderr pms-claim resubmit "$c" --payer-claim-number ACME1 -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --reason x --dry-run -o csv
	assert_stderr - <<EOF
pms-bill: claim $r: replaces claim $c (frequency 7): its lines would be read again (pms-claim)
pms-bill: --dry-run: nothing was written
EOF
	[ "$(pms-sql "SELECT status FROM charges WHERE id = $ch2")" != void ]
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --reason x -o csv
	assert_stderr "pms-bill: claim $r: replaces claim $c (frequency 7): validate and export it (pms-claim)"
	[ "$(pms-sql "SELECT group_concat(code) FROM claim_lines WHERE claim_id = $r")" = 99213 ]
	reconciles
}

@test "F13: pms-bill void --correct-claim --dry-run says what would be made, and nothing was written" {
	c=$(paid_claim K14 62)
	ch2=$(charge_of "$c" 2)
	n=$(pms-sql "SELECT count(*) FROM claims")
	run -0 --separate-stderr pms-bill void "$ch2" --correct-claim --reason x --dry-run -o csv
	assert_stderr - <<EOF
pms-bill: claim $c: would be replaced by a new claim (frequency 7)
pms-bill: --dry-run: nothing was written
EOF
	[[ $stderr != *"claim $((c + 1))"* ]]
	[ "$(pms-sql "SELECT count(*) FROM claims")" = "$n" ]
	[ "$(pms-sql "SELECT status FROM charges WHERE id = $ch2")" != void ]
}

ack_file() {
	printf 'ISA*00*          *00*          *ZZ*CLEARHOUSE1    *ZZ*RIVERSIDE01    *250610*0900*^*00501*%09d*0*P*:~\n' "$1"
	printf 'GS*%s*CLEARHOUSE1*RIVERSIDE01*20250610*0900*%d*X*%s~\n' "$2" "$1" "$3"
	cat
	printf 'GE*1*%d~\nIEA*1*%09d~\n' "$1" "$1"
}

@test "F22: resubmit of a rejected claim already back to draft says so: validate and export it" {
	c=$(claim_sent K22 1 99213:92.00 36415:15.00)
	ack_file 71 HN 005010X214 >"$BATS_TEST_TMPDIR/a3.277" <<EOS
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
TRN*2*K22~
STC*A3:21:85*20250610*U*107~
SE*13*0001~
EOS
	run pms-claim ack "$BATS_TEST_TMPDIR/a3.277" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = rejected ]
	run -0 --separate-stderr pms-bill void "$(charge_of "$c" 2)" --correct-claim --reason x -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = draft ]
	n=$(pms-sql "SELECT count(*) FROM claims")
	run -1 --separate-stderr pms-claim resubmit "$c" -o csv
	assert_stderr "pms-claim: claim $c is back to draft already, to go again as it was: nothing to resubmit with the payer; pms-claim validate and export it"
	[[ $stderr != *"never sent"* ]]
	[ "$(pms-sql "SELECT count(*) FROM claims")" = "$n" ]
	# a claim never sent still says so
	k=$(printf 'charge_id,claim\n%s,K22B\n' "$(pms-bill charge --patient 1 --on "$(date -d '-3 days' +%F)" --provider lee --location main --code 99213 --amount 92.00 --dx E11.9 -o csv | sed -n 2p | cut -d, -f1)" |
	    pms-claim create -o csv - 2>/dev/null | sed -n 2p | cut -d, -f1)
	run -1 --separate-stderr pms-claim resubmit "$k" -o csv
	assert_stderr "pms-claim: claim $k was never sent"
}

@test "F14: secondary --ready counts a crossed-over claim as the named form does" {
	c=$(claim_sent K14X 3 99213:92.00 36415:15.00)
	primary_835 81 T81 K14X | sed 's/^CLP\*K14X\*1\*/CLP*K14X*19*/' \
	    >"$BATS_TEST_TMPDIR/x.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/x.835" -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = crossed-over ]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 1000 ]
	run -0 --separate-stderr pms-claim secondary --ready -o csv
	assert_stderr 'pms-claim: 0 claims made from 1 claim; 0 with theirs already, 1 crossed over, 0 with nothing left, 0 refused'
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr pms-claim secondary "$c" -o csv
	assert_stderr '0 claims made from 1 claim; 0 with theirs already, 1 crossed over'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
}

@test "F3: a correction of a secondary claim follows the same payer before it, and validates" {
	read -r c s < <(secondary_sent K3 3 91)
	secondary_835 92 T92 "$(clm01_of "$s")" >"$BATS_TEST_TMPDIR/s.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	# a void of it follows it too
	run -0 --separate-stderr pms-claim void "$s" --dry-run -o csv
	[[ ${lines[1]} == *",S,$c" ]]
	run -0 --separate-stderr pms-claim resubmit "$s" -o csv
	[[ ${lines[1]} == *",S,$c" ]]
	r=$(cut -d, -f1 <<<"${lines[1]}")
	[ "$(pms-sql "SELECT frequency || ':' || payer_seq || ':' || prior_claim_id || ':' || original_id FROM claims WHERE id = $r")" = "7:2:$c:$s" ]
	run -0 --separate-stderr pms-claim validate "$r" -o csv
	assert_line --index 1 --partial ',validated,0,'
	run -0 --separate-stderr pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837"
	run -0 grep -oE 'CLM\*[^~]*|REF\*F8\*[^~]*|SBR\*[^~]*|AMT\*D\*[^~]*' "$BATS_TEST_TMPDIR/r.837"
	assert_output - <<EOF
SBR*S*18*******BL
CLM*$(clm01_of "$r")*107***11:B:7*Y*A*Y*Y
REF*F8*ST92
SBR*P*18*******CI
AMT*D*90
EOF
}

@test "F29: a secondary claim whose primary is being replaced says so and which command makes it again; that command voids it" {
	c=$(claim_sent K29 3 99213:92.00 36415:15.00)
	era_file 95 80 T95 >"$BATS_TEST_TMPDIR/p.835" <<'EOS'
LX*1~
CLP*K29*1*107*80*10*12*PT95~
SVC*HC:99213*92*80**1~
CAS*CO*45*2~
CAS*PR*3*10~
REF*6R*K29-1~
SVC*HC:36415*15*0**1~
CAS*CO*97*15~
REF*6R*K29-2~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/p.835" -o csv
	run -0 --separate-stderr pms-claim secondary --ready -o csv
	s=$(cut -d, -f1 <<<"${lines[1]}")
	run -0 --separate-stderr pms-bill void "$(charge_of "$c" 2)" --correct-claim --reason x -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	[ -n "$r" ]
	run -1 --separate-stderr pms-claim validate "$s" -o csv
	assert_stderr "pms-claim: claim $s: 2320: claim $c, of the payer before it, is replaced by claim $r: this claim waits for claim $r's 835; then pms-claim secondary $r makes it again and voids this one"
	[[ $stderr != *"AMT*D"* ]]
	# the replacement sent, the payer reverses the original and pays it
	run -0 --separate-stderr pms-claim validate "$r" -o csv
	run -0 --separate-stderr pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837"
	rc=$(clm01_of "$r")
	era_file 96 0 T96 >"$BATS_TEST_TMPDIR/r.835" <<EOS
LX*1~
CLP*K29*22*-107*-80*-10*12*PT95~
SVC*HC:99213*-92*-80**1~
CAS*CO*45*-2~
CAS*PR*3*-10~
REF*6R*K29-1~
SVC*HC:36415*-15*0**1~
CAS*CO*97*-15~
REF*6R*K29-2~
CLP*$rc*1*92*80*10*12*PT96~
SVC*HC:99213*92*80**1~
CAS*CO*45*2~
CAS*PR*3*10~
REF*6R*$rc-1~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	run -0 --separate-stderr pms-claim secondary "$r" -o csv
	n=$(cut -d, -f1 <<<"${lines[1]}")
	assert_stderr "pms-claim: claim $s: the secondary claim of claim $c, which claim $r replaces, was never sent: voided"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = voided ]
	[ "$(pms-sql "SELECT prior_claim_id FROM claims WHERE id = $n")" = "$r" ]
	run -0 --separate-stderr pms-claim validate "$n" -o csv
	assert_line --index 1 --partial ',validated,0,'
	reconciles
}

@test "F29, F3: a correction of a secondary claim whose primary is replaced follows the replacement once its 835 is posted" {
	c=$(claim_sent K30 3 99213:92.00 36415:15.00)
	era_file 97 80 T97 >"$BATS_TEST_TMPDIR/p.835" <<'EOS'
LX*1~
CLP*K30*1*107*80*10*12*PT97~
SVC*HC:99213*92*80**1~
CAS*CO*45*2~
CAS*PR*3*10~
REF*6R*K30-1~
SVC*HC:36415*15*0**1~
CAS*CO*97*15~
REF*6R*K30-2~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/p.835" -o csv
	s=$(pms-claim secondary "$c" -o csv 2>/dev/null | sed -n 2p | cut -d, -f1)
	pms-claim validate "$s" -o csv >/dev/null 2>&1
	pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837" >/dev/null 2>&1
	run -0 --separate-stderr pms-claim resubmit "$s" --payer-claim-number BC30 -o csv
	s2=$(cut -d, -f1 <<<"${lines[1]}")
	run -0 --separate-stderr pms-bill void "$(charge_of "$c" 2)" --correct-claim --reason x -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	run -1 --separate-stderr pms-claim validate "$s2" -o csv
	assert_stderr "pms-claim: claim $s2: 2320: claim $c, of the payer before it, is replaced by claim $r: this claim waits for claim $r's 835; then pms-claim secondary $r makes this correction follow it"
	pms-claim validate "$r" -o csv >/dev/null 2>&1
	pms-claim export "$r" --out "$BATS_TEST_TMPDIR/r.837" >/dev/null 2>&1
	rc=$(clm01_of "$r")
	era_file 98 0 T98 >"$BATS_TEST_TMPDIR/r.835" <<EOS
LX*1~
CLP*K30*22*-107*-80*-10*12*PT97~
SVC*HC:99213*-92*-80**1~
CAS*CO*45*-2~
CAS*PR*3*-10~
REF*6R*K30-1~
SVC*HC:36415*-15*0**1~
CAS*CO*97*-15~
REF*6R*K30-2~
CLP*$rc*1*92*80*10*12*PT98~
SVC*HC:99213*92*80**1~
CAS*CO*45*2~
CAS*PR*3*10~
REF*6R*$rc-1~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	n=$(pms-sql "SELECT count(*) FROM claims")
	run -0 --separate-stderr pms-claim secondary "$r" -o csv
	assert_stderr "pms-claim: claim $s2, the correction of a secondary claim of claim $c, now follows claim $r, which replaces it: validate and export it"
	assert_stderr '0 claims made from 1 claim; 1 with theirs already'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = "$n" ]
	[ "$(pms-sql "SELECT prior_claim_id || ':' || state FROM claims WHERE id = $s2")" = "$r:draft" ]
	run -0 --separate-stderr pms-claim validate "$s2" -o csv
	assert_line --index 1 --partial ',validated,0,'
	reconciles
}
