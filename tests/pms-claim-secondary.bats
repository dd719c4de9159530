#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# pms-claim secondary: the next payer's claim after the primary's 835
# (issue 12).  A primary 835 leaving coinsurance, the secondary claim
# made, validated and exported, its COB loops (2320, 2330A, 2330B,
# 2430) checked segment by segment, then the secondary's 835 moving the
# rest to the patient; a tertiary; a crossover making nothing; no next
# policy refused; idempotence; a reversal of the secondary's posting.
# The ledger reconciles after each (pms-bill check).

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

# What a party ("patient", "pending:CODE", a payer's code) owes on the
# charges of claim $1, in cents.
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

# The 837 file $1, one segment a line.
segments() {
	tr -d '\n' <"$1" | tr '~' '\n'
}

# The primary's 835 (ISA13 $1, trace $2) of claim CLM01 $3 (two lines:
# 100.00 and 50.00): CO-45 written off, PR-2 coinsurance left.
primary_835() {
	era_file "$1" 108 "$2" <<EOS
LX*1~
CLP*$3*1*150*108*27*12*P$2~
SVC*HC:99213*100*72**1~
CAS*CO*45*10~
CAS*PR*2*18~
REF*6R*$3-1~
SVC*HC:99214*50*36**1~
CAS*CO*45*5~
CAS*PR*2*9~
REF*6R*$3-2~
EOS
}

# The secondary's 835 of claim CLM01 $3: of the 27.00 left, 20.00 paid,
# 7.00 coinsurance of its own; the primary's part OA-23.
secondary_835() {
	era_file "$1" 20 "$2" <<EOS
LX*1~
CLP*$3*2*150*20*7*12*S$2~
SVC*HC:99213*100*14**1~
CAS*OA*23*82~
CAS*PR*2*4~
REF*6R*$3-1~
SVC*HC:99214*50*6**1~
CAS*OA*23*41~
CAS*PR*2*3~
REF*6R*$3-2~
EOS
}

@test "secondary: the primary's coinsurance, the COB loops, then the secondary's 835 to the patient" {
	c=$(claim_sent K1 3 99213:100.00 99214:50.00)
	primary_835 31 T31 K1 >"$BATS_TEST_TMPDIR/p.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/p.835" -o csv
	[ "$(owed_on_claim "$c" pending:bluecross)" = 2700 ]
	reconciles
	# what posting kept of the adjudication, line by line
	run -0 pms-sql "SELECT l.lx, a.code, a.units, a.paid_cents FROM
	    claim_adjudication_lines a JOIN claim_lines l ON l.id =
	    a.claim_line_id ORDER BY l.lx"
	assert_output - <<'EOF'
1|99213|1|7200
2|99214|1|3600
EOF
	run -0 pms-sql "SELECT group_code || '-' || reason || ':' ||
	    amount_cents FROM claim_adjudication_cas ORDER BY id"
	assert_output - <<'EOF'
CO-45:1000
PR-2:1800
CO-45:500
PR-2:900
EOF

	run -0 --separate-stderr pms-claim secondary "$c" -o csv
	assert_stderr 'pms-claim: 1 claim made from 1 claim; 0 with theirs already, 0 crossed over, 0 with nothing left, 0 refused'
	refute_phi "$stderr"
	s=$(sed -n 2p <<<"$output" | cut -d, -f1)
	[ "${lines[0]##*,payer_seq,prior_claim_id}" = '' ]
	[[ ${lines[1]} == "$s,C00000$s,draft,3,A-3,"*",bluecross,"*",150.00,,,"*",S,$c" ]]
	run -0 pms-sql "SELECT payer_seq, prior_claim_id, total_cents,
	    (SELECT group_concat(l.lx || ':' || l.code || ':' ||
	    l.amount_cents || ':' || l.control, ' ') FROM claim_lines l
	    WHERE l.claim_id = $s) FROM claims WHERE id = $s"
	assert_output "2|$c|15000|1:99213:10000:C00000$s-1 2:99214:5000:C00000$s-2"
	# made once: again, nothing new
	run -0 --separate-stderr pms-claim secondary "$c" -o csv
	assert_stderr "claim $c has its secondary claim already: claim $s"
	assert_stderr '0 claims made from 1 claim; 1 with theirs already'
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr pms-claim secondary --ready -o csv
	assert_stderr '0 claims made'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 2 ]
	# list and show name the payer's place and the primary
	run -0 pms-claim list -o csv
	assert_line --regexp ",P,\$"
	assert_line --regexp ",S,$c\$"
	run -0 pms-claim show "$s" -o csv
	assert_line --index 1 --regexp ",S,$c\$"

	run -0 --separate-stderr pms-claim validate "$s" -o csv
	assert_line --index 1 "$s,C00000$s,validated,0,0"
	run -0 --separate-stderr pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837"
	segments "$BATS_TEST_TMPDIR/s.837" >"$BATS_TEST_TMPDIR/s.seg"
	run -0 sed -n '/^HL\*2\*1\*22/,/^SE\*/{/^SE\*/!p}' \
	    "$BATS_TEST_TMPDIR/s.seg"
	dos=$(date -d '-10 days' +%Y%m%d)
	# 2000B: to bluecross as the secondary payer; 2320 for acme, the
	# primary, with its paid amount, what it left the patient and its
	# claim-level adjustments (none: they are the lines'); 2330A the
	# other subscriber with the acme member id; 2330B acme's payer id;
	# per line SVD with that id, the line's CAS and the day acme paid
	assert_output - <<EOS
HL*2*1*22*0
SBR*S*18*******BL
NM1*IL*1*ZZTEST*CAL****MI*BC0003
N3*3 ELM STREET
N4*SPRINGFIELD*OH*45502
DMG*D8*19800113*F
NM1*PR*2*BLUE CROSS OF EXAMPLE*****PI*00834
CLM*C00000$s*150***11:B:1*Y*A*Y*Y
HI*ABK:E119
NM1*82*1*LEE*ANN****XX*1245319599
PRV*PE*PXC*207Q00000X
SBR*P*18*******CI
AMT*D*108
AMT*EAF*27
OI***Y*P**Y
NM1*IL*1*ZZTEST*CAL****MI*XK0003
NM1*PR*2*ACME HEALTH PLAN*****PI*60054
LX*1
SV1*HC:99213*100*UN*1***1
DTP*472*D8*$dos
REF*6R*C00000$s-1
SVD*60054*72*HC:99213**1
CAS*CO*45*10
CAS*PR*2*18
DTP*573*D8*20250610
LX*2
SV1*HC:99214*50*UN*1***1
DTP*472*D8*$dos
REF*6R*C00000$s-2
SVD*60054*36*HC:99214**1
CAS*CO*45*5
CAS*PR*2*9
DTP*573*D8*20250610
EOS
	# each line's charge is SVD02 plus its CAS
	run -0 awk -F'*' '/^SV1/ { c = $3 } /^SVD/ { s = $3 } /^CAS/ {
	    for (i = 4; i <= NF; i += 3) s += $i } /^DTP\*573/ {
	    if (s != c) { print "line: " c " <> " s; bad = 1 } }
	    END { exit bad }' "$BATS_TEST_TMPDIR/s.seg"

	# the secondary's own 835: what waits for bluecross is its, it pays
	# 20.00 of the 27.00, and its 7.00 coinsurance is the patient's
	secondary_835 32 T32 "C00000$s" >"$BATS_TEST_TMPDIR/s.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	[ "$(cut -d, -f5,6,10,12,13 <<<"${lines[1]}")" = "bluecross,$s,posted,20.00,7.00" ]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" acme)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 700 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = paid ]
	run -0 pms-bill balance --mrn A-3 -o csv
	assert_line --partial 'patient,,7.00'
	refute_line --partial 'pending'
	refute_line --partial 'insurance'
	run -0 pms-sql "SELECT y.code, p.amount_cents FROM payments p JOIN
	    payers y ON y.id = p.payer_id ORDER BY p.id"
	assert_output - <<'EOF'
acme|10800
bluecross|2000
EOF
	reconciles
}

@test "secondary: a reversal of the secondary's posting undoes exactly it" {
	c=$(claim_sent K2 3 99213:100.00 99214:50.00)
	primary_835 41 T41 K2 >"$BATS_TEST_TMPDIR/p.835"
	pms-claim era "$BATS_TEST_TMPDIR/p.835" >/dev/null 2>&1
	s=$(pms-claim secondary "$c" -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	pms-claim validate "$s" >/dev/null 2>&1
	pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837" 2>/dev/null
	k=$(clm01_of "$s")
	secondary_835 42 T42 "$k" >"$BATS_TEST_TMPDIR/s.835"
	pms-claim era "$BATS_TEST_TMPDIR/s.835" >/dev/null 2>&1
	[ "$(owed_on_claim "$c" patient)" = 700 ]
	ch=$(pms-sql "SELECT charge_id FROM claim_lines WHERE claim_id = $c
	    AND lx = 1")
	before=$(balances_of "$ch")
	era_file 43 -20 T43 >"$BATS_TEST_TMPDIR/r.835" <<EOS
LX*1~
CLP*$k*22*-150*-20*-7*12*ST42~
SVC*HC:99213*-100*-14**1~
CAS*OA*23*-82~
CAS*PR*2*-4~
REF*6R*$k-1~
SVC*HC:99214*-50*-6**1~
CAS*OA*23*-41~
CAS*PR*2*-3~
REF*6R*$k-2~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	[ "$(cut -d, -f6,9,10 <<<"${lines[1]}")" = "$s,22,reversed" ]
	# back to what the primary left: 27.00 waiting for bluecross
	[ "$(owed_on_claim "$c" pending:bluecross)" = 2700 ]
	[ "$(owed_on_claim "$c" bluecross)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 0 ]
	[ "$(pms-sql "SELECT sum(amount_cents) FROM ledger WHERE kind =
	    'refund'")" = 2000 ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $s")" = acknowledged ]
	reconciles
	# the secondary's 835 again, under a new trace: as before
	secondary_835 44 T44 "$k" >"$BATS_TEST_TMPDIR/s2.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/s2.835" -o csv
	[ "$(owed_on_claim "$c" patient)" = 700 ]
	[ "$(owed_on_claim "$c" pending:bluecross)" = 0 ]
	[ "$(balances_of "$ch")" = "$before" ]
	reconciles
}

@test "secondary: a tertiary claim shows both payers before it" {
	c=$(claim_sent K3 5 99213:100.00 99214:50.00)
	primary_835 51 T51 K3 >"$BATS_TEST_TMPDIR/p.835"
	pms-claim era "$BATS_TEST_TMPDIR/p.835" >/dev/null 2>&1
	s=$(pms-claim secondary "$c" -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	run -0 pms-claim validate "$s" -o csv
	pms-claim export "$s" --out "$BATS_TEST_TMPDIR/s.837" 2>/dev/null
	k=$(clm01_of "$s")
	secondary_835 52 T52 "$k" >"$BATS_TEST_TMPDIR/s.835"
	run -0 pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	# bluecross's coinsurance waits for medicare, the tertiary
	[ "$(owed_on_claim "$c" pending:medicare)" = 700 ]
	[ "$(owed_on_claim "$c" patient)" = 0 ]
	reconciles
	# a tertiary from the secondary, with its own CLM01
	run -0 --separate-stderr pms-claim secondary --ready -o csv
	assert_stderr '1 claim made from 1 claim'
	t=$(sed -n 2p <<<"$output" | cut -d, -f1)
	[[ ${lines[1]} == *",medicare,"*",T,$s" ]]
	run -0 --separate-stderr pms-claim validate "$t" -o csv
	assert_line --index 1 --partial ',validated,0,'
	run -0 --separate-stderr pms-claim export "$t" --out "$BATS_TEST_TMPDIR/t.837"
	segments "$BATS_TEST_TMPDIR/t.837" >"$BATS_TEST_TMPDIR/t.seg"
	run -0 grep -E '^(SBR|AMT|OI|NM1\*(IL|PR)|SVD|CAS|DTP\*573)' \
	    "$BATS_TEST_TMPDIR/t.seg"
	assert_output - <<'EOF'
SBR*T*18*******MB
NM1*IL*1*ZZTEST*EVE****MI*1EG4TE5MK75
NM1*PR*2*MEDICARE PART B*****PI*15202
SBR*P*18*******CI
AMT*D*108
AMT*EAF*27
OI***Y*P**Y
NM1*IL*1*ZZTEST*EVE****MI*XK0005
NM1*PR*2*ACME HEALTH PLAN*****PI*60054
SBR*S*18*******BL
AMT*D*20
AMT*EAF*7
OI***Y*P**Y
NM1*IL*1*ZZTEST*EVE****MI*BC0005
NM1*PR*2*BLUE CROSS OF EXAMPLE*****PI*00834
SVD*60054*72*HC:99213**1
CAS*CO*45*10
CAS*PR*2*18
DTP*573*D8*20250610
SVD*00834*14*HC:99213**1
CAS*OA*23*82
CAS*PR*2*4
DTP*573*D8*20250610
SVD*60054*36*HC:99214**1
CAS*CO*45*5
CAS*PR*2*9
DTP*573*D8*20250610
SVD*00834*6*HC:99214**1
CAS*OA*23*41
CAS*PR*2*3
DTP*573*D8*20250610
EOF
	# no payer after the third
	run -1 --separate-stderr pms-claim secondary "$t"
	assert_stderr "claim $t is a tertiary claim"
	# medicare's 835 of the tertiary, at claim level only: it pays 5.00
	# and leaves 2.00 to the patient, each put where something waits
	# for medicare (4.00 on line 1, 3.00 on line 2), never past it
	era_file 53 5 T53 >"$BATS_TEST_TMPDIR/t.835" <<EOS
LX*1~
CLP*$(clm01_of "$t")*3*150*5*2*12*TT53~
CAS*OA*23*143~
CAS*PR*2*2~
EOS
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/t.835" -o csv
	[ "$(owed_on_claim "$c" pending:medicare)" = 0 ]
	[ "$(owed_on_claim "$c" medicare)" = 0 ]
	[ "$(owed_on_claim "$c" patient)" = 200 ]
	run -0 pms-sql "SELECT l.lx, o.kind, o.amount_cents FROM
	    claim_remit_ops o JOIN claim_lines l ON l.charge_id = o.charge_id
	    AND l.claim_id = $t JOIN claim_remit_claims r ON r.id =
	    o.remit_claim_id WHERE r.claim_id = $t ORDER BY o.id"
	assert_output - <<'EOF'
1|take|400
1|apply|400
2|take|300
2|apply|100
2|transfer|200
EOF
	reconciles
}

@test "secondary: a crossover (CLP02 19) makes no secondary claim" {
	c=$(claim_sent K4 3 99213:100.00)
	era_file 61 70 T61 >"$BATS_TEST_TMPDIR/p.835" <<'EOF'
LX*1~
CLP*K4*19*100*70*20*12*P61~
CAS*CO*45*10~
CAS*PR*2*20~
EOF
	pms-claim era "$BATS_TEST_TMPDIR/p.835" >/dev/null 2>&1
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = crossed-over ]
	run -0 --separate-stderr pms-claim secondary "$c" -o csv
	assert_stderr "claim $c was crossed over: its payer sent it on"
	assert_stderr '0 claims made from 1 claim; 0 with theirs already, 1 crossed over'
	[ "${#lines[@]}" -eq 1 ]
	# --ready counts it as the named form does (finding F14)
	run -0 --separate-stderr pms-claim secondary --ready -o csv
	assert_stderr '0 claims made from 1 claim; 0 with theirs already, 1 crossed over'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	reconciles
}

@test "secondary: refused without a next policy, before the 835, and for bad ids" {
	# patient 1 has acme alone
	c=$(claim_sent K5 1 99213:100.00 99214:50.00)
	run -1 --separate-stderr pms-claim secondary "$c"
	assert_stderr "claim $c is submitted: its payer's 835 must be posted"
	primary_835 71 T71 K5 >"$BATS_TEST_TMPDIR/p.835"
	pms-claim era "$BATS_TEST_TMPDIR/p.835" >/dev/null 2>&1
	run -1 --separate-stderr pms-claim secondary "$c" -o csv
	assert_stderr "claim $c: patient 1 has no secondary policy covering the date of service: there is no secondary payer to bill"
	refute_phi "$stderr"
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	# --ready does not look at it
	run -0 --separate-stderr pms-claim secondary --ready
	assert_stderr '0 claims made from 0 claims'
	# patient 2's secondary ended before the visit: none covers it
	pms-patient policy add 2 --payer acme --member-id XK0002 \
	    --priority secondary --from 2020-01-01 --to 2020-12-31 >/dev/null
	c2=$(claim_sent K7 2 99213:100.00 99214:50.00)
	primary_835 72 T72 K7 >"$BATS_TEST_TMPDIR/p2.835"
	pms-claim era "$BATS_TEST_TMPDIR/p2.835" >/dev/null 2>&1
	[ "$(owed_on_claim "$c2" patient)" = 2700 ]
	run -1 --separate-stderr pms-claim secondary "$c2"
	assert_stderr "claim $c2: patient 2 has no secondary policy covering the date of service"
	run -0 --separate-stderr pms-claim secondary --ready
	assert_stderr '0 claims made from 0 claims'
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 2 ]
	# bad ids and arguments
	run -1 --separate-stderr pms-claim secondary 99
	assert_stderr 'pms-claim: no claim 99'
	run -64 --separate-stderr pms-claim secondary abc
	assert_stderr 'claim: not an id'
	run -64 --separate-stderr pms-claim secondary
	assert_stderr 'claims or --ready, one of the two'
	run -64 --separate-stderr pms-claim secondary --ready "$c"
	run -64 --separate-stderr pms-claim secondary --lines "$c"
	reconciles
}

@test "secondary: --dry-run makes nothing; a reversed primary fails its secondary's validate" {
	c=$(claim_sent K6 3 99213:100.00 99214:50.00)
	primary_835 81 T81 K6 >"$BATS_TEST_TMPDIR/p.835"
	pms-claim era "$BATS_TEST_TMPDIR/p.835" >/dev/null 2>&1
	run -0 --separate-stderr pms-claim secondary --dry-run --ready -o csv
	assert_stderr '1 claim made from 1 claim'
	assert_stderr 'nothing was written'
	[ "${#lines[@]}" -eq 2 ]
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 1 ]
	s=$(pms-claim secondary --ready -o csv 2>/dev/null | sed -n 2p |
	    cut -d, -f1)
	[ "$(pms-sql "SELECT count(*) FROM claims")" = 2 ]
	# one audit entry, the real run's, naming the patient
	run -0 pms-sql "SELECT a.user, a.action, group_concat(p.patient_id)
	    FROM audit a JOIN audit_patient p ON p.audit_id = a.id
	    WHERE a.action = 'claim.secondary' GROUP BY a.id"
	assert_output 'admin|claim.secondary|3'
	# the primary's posting reversed: its secondary no longer passes
	era_file 82 -108 T82 >"$BATS_TEST_TMPDIR/r.835" <<'EOF'
LX*1~
CLP*K6*22*-150*-108*-27*12*PT81~
CAS*CO*45*-15~
CAS*PR*2*-27~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	[ "$(cut -d, -f10 <<<"${lines[1]}")" = reversed ]
	run -1 --separate-stderr pms-claim validate "$s" -o csv
	assert_stderr "claim $s: 2320: claim $c's payer has no 835 posted (or it was reversed)"
	reconciles
}
