#!/usr/bin/env bats
# bats file_tags=pms-report
# pms-report denials: denied against adjudicated claim lines, from the
# 835s that pms-claim era posted.  A small practice whose every figure
# is known by hand: claims of two payers sent through the programs
# (tests/helpers/claims.bash), four 835s on three days with a CO-45
# write-off and patient amounts (PR) that are no denials, a denial paid
# on a later 835, a claim denied then reversed and paid, a payment
# reversed and paid again; each row asserted whole, the period's edges,
# the filters, the totals against the source tables, the HTML page, the
# access log's entry, and bad input.

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
	# the 835s' days (BPR16): D1, D2, D3; the claims' date of service
	# is 20 days back
	D0=$(date -d '-9 days' +%F)
	D1=$(date -d '-8 days' +%F)
	D2=$(date -d '-5 days' +%F)
	D3=$(date -d '-2 days' +%F)
	export CLAIM_DAYS_AGO=20
}

# An 835 of one transaction set paid on day $1 around the segments on
# standard input (one a line, "~" included), SE counted: era_on DAY
# ISA13 BPR02 TRN02 TRN03 PAYER-NAME.
era_on() {
	local day=${1//-/} isa=$2 pay=$3 trace=$4 key=$5 name=$6 body n
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 6))
	printf 'ISA*00*          *00*          *ZZ*PAYERA         *ZZ*RIVERSIDE01    *250610*0900*^*00501*%09d*0*P*:~\n' "$isa"
	printf 'GS*HP*PAYERA*RIVERSIDE01*%s*0900*%d*X*005010X221A1~\n' "$day" "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*CHK************%s~\n' "$pay" "$day"
	printf 'TRN*1*%s*%s~\nN1*PR*%s~\n' "$trace" "$key" "$name"
	printf 'N1*PE*DEMO CLINIC*XX*1234567893~\n'
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}

# The practice of the figures below.  Claims (acme: patients 1 and 3;
# bluecross: patient 2):
#   K1 patient 1, lee at main:     99213 100.00, 36415 20.00
#   K2 patient 1, ortiz at main:   99214 150.00
#   K3 patient 3, lee at main:     99213 100.00
#   K4 patient 2, lee at lakeside: 99213 60.00, 81002 20.00, 36415 20.00
# 835s:
#   D1 acme A1: K1 line 1 paid 70 and CO-45 30 (a write-off), line 2
#      denied CO-50 20 (remark N130); K2 paid 100, CO-45 30, PR-3 20;
#      K3 denied as a whole (CLP02 4), CO-197 100
#   D2 acme A2: K2 reversed (CLP02 22) and paid again 110, CO-45 20,
#      PR-3 20; K3 reversed and paid 80, CO-45 20
#   D2 bluecross B1: K4 line 1 paid 35, CO-45 15, PR-1 10; line 2
#      denied OA-18 20; line 3 paid 10, CO-97 10 (remark M15); MOA
#      remark MA130 on the claim
#   D3 acme A3: K1 line 2 paid 15 on appeal, CO-45 5 (its denial closed)
practice() {
	local k1 k2 k3 k4
	k1=$(claim_sent K1 1 99213:100.00 36415:20.00)
	k2=$(CLAIM_PROVIDER=ortiz claim_sent K2 1 99214:150.00)
	k3=$(claim_sent K3 3 99213:100.00)
	k4=$(CLAIM_LOCATION=lakeside claim_sent K4 2 99213:60.00 \
	    81002:20.00 36415:20.00)
	[ "$k1 $k2 $k3 $k4" = '1 2 3 4' ]
	era_on "$D1" 41 170 A1 1512345678 'EXAMPLE HEALTH PLAN' \
	    >"$BATS_TEST_TMPDIR/a1.835" <<'EOF'
LX*1~
CLP*K1*1*120*70*0*12*PA1~
SVC*HC:99213*100*70**1~
CAS*CO*45*30~
SVC*HC:36415*20*0**1~
CAS*CO*50*20~
LQ*HE*N130~
CLP*K2*1*150*100*20*12*PA2~
SVC*HC:99214*150*100**1~
CAS*CO*45*30~
CAS*PR*3*20~
CLP*K3*4*100*0*0*12*PA3~
CAS*CO*197*100~
EOF
	era_on "$D2" 42 90 A2 1512345678 'EXAMPLE HEALTH PLAN' \
	    >"$BATS_TEST_TMPDIR/a2.835" <<'EOF'
LX*1~
CLP*K2*22*-150*-100*-20*12*PA2~
CAS*CO*45*-30~
CAS*PR*3*-20~
CLP*K2*1*150*110*20*12*PA2~
SVC*HC:99214*150*110**1~
CAS*CO*45*20~
CAS*PR*3*20~
CLP*K3*22*-100*0*0*12*PA3~
CAS*CO*197*-100~
CLP*K3*1*100*80*0*12*PA3~
SVC*HC:99213*100*80**1~
CAS*CO*45*20~
EOF
	era_on "$D2" 43 45 B1 1999999999 'SAMPLE COUNTY PLAN' \
	    >"$BATS_TEST_TMPDIR/b1.835" <<'EOF'
LX*1~
CLP*K4*1*100*45*10*12*PB1~
MOA***MA130~
SVC*HC:99213*60*35**1~
CAS*CO*45*15~
CAS*PR*1*10~
SVC*HC:81002*20*0**1~
CAS*OA*18*20~
SVC*HC:36415*20*10**1~
CAS*CO*97*10~
LQ*HE*M15~
EOF
	era_on "$D3" 44 15 A3 1512345678 'EXAMPLE HEALTH PLAN' \
	    >"$BATS_TEST_TMPDIR/a3.835" <<'EOF'
LX*1~
CLP*K1*1*20*15*0*12*PA1~
SVC*HC:36415*20*15**1~
CAS*CO*45*5~
EOF
	local f
	for f in a1 a2 b1 a3; do
		pms-claim era "$BATS_TEST_TMPDIR/$f.835" -o csv \
		    >"$BATS_TEST_TMPDIR/$f.out" 2>&1 ||
		    { cat "$BATS_TEST_TMPDIR/$f.out"; return 1; }
	done
}

H='payer,reason,description,remarks,lines,denied_lines,denial_rate,denied,still_open'
W50='contractual obligation: not deemed a medical necessity by the payer'
W97='contractual obligation: the benefit for this service is included in another service already adjudicated'
W18='other adjustment: exact duplicate claim or service'
W197='contractual obligation: precertification or authorization absent'

@test "denials: fixture: the 835s posted as the figures say" {
	practice
	# every claim posted; the reversals undid their postings (each
	# reversal posted with its correction, claim by claim)
	run -0 pms-sql "SELECT c.clm01, r.status, r.reverses IS NOT NULL,
	    r.reversed_by IS NOT NULL, m.paid_on FROM claim_remit_claims r
	    JOIN claims c ON c.id = r.claim_id JOIN claim_remits m ON m.id =
	    r.remit_id ORDER BY r.id"
	assert_output "K1|1|0|0|$D1
K2|1|0|1|$D1
K3|4|0|1|$D1
K2|22|1|0|$D2
K2|1|0|0|$D2
K3|22|1|0|$D2
K3|1|0|0|$D2
K4|1|0|0|$D2
K1|1|0|0|$D3"
	run -0 pms-sql "SELECT d.charge_id, d.group_code, d.reason,
	    d.amount_cents, d.remarks, d.closed_by IS NULL FROM claim_denials
	    d ORDER BY d.id"
	assert_output '2|CO|50|2000|N130|0
4|CO|197|10000||0
6|OA|18|2000|MA130|1
7|CO|97|1000|M15,MA130|1'
	run -0 pms-bill check
}

@test "denials: by payer and reason over the three days, every figure by hand" {
	practice
	run -0 --separate-stderr pms-report denials --from "$D1" --to "$D3" \
	    -o csv
	# acme: K1's two lines, K2's and K3's one each (each counted once
	# through its reversal and payment again); one denied (K1 line 2,
	# paid later: denied all the same; K3's denial was reversed);
	# bluecross: three lines, two denied
	assert_output "$H
acme,CO-50,$W50,N130,4,1,25.0,20.00,0.00
acme,,,,4,1,25.0,20.00,0.00
bluecross,CO-97,$W97,\"M15,MA130\",3,1,33.3,10.00,10.00
bluecross,OA-18,$W18,MA130,3,1,33.3,20.00,20.00
bluecross,,,,3,2,66.7,30.00,30.00
total,CO-50,$W50,N130,7,1,14.3,20.00,0.00
total,CO-97,$W97,\"M15,MA130\",7,1,14.3,10.00,10.00
total,OA-18,$W18,MA130,7,1,14.3,20.00,20.00
total,,,,7,3,42.9,50.00,30.00"
	refute_phi "$stderr"
	# the lines adjudicated, against the source tables: each payer's
	# distinct charges that a posting standing paid, wrote off, moved
	# or denied
	run -0 pms-sql "SELECT count(*) FROM (SELECT DISTINCT coalesce(o.payer_id,
	    k.payer_id), l.charge_id FROM claim_remit_claims r JOIN claims k
	    ON k.id = r.claim_id JOIN claim_lines l ON l.claim_id = k.id LEFT
	    JOIN policies o ON o.id = r.policy_id WHERE r.status <> '22' AND
	    r.reversed_by IS NULL AND (EXISTS (SELECT 1 FROM claim_remit_ops p
	    WHERE p.remit_claim_id = r.id AND p.charge_id = l.charge_id) OR
	    EXISTS (SELECT 1 FROM claim_denials d WHERE d.remit_claim_id =
	    r.id AND d.charge_id = l.charge_id)))"
	assert_output 7
	# denied: the denials of the postings standing; still open: those
	# pms-claim denials lists
	run -0 pms-sql "SELECT count(DISTINCT d.charge_id), sum(d.amount_cents),
	    sum(CASE WHEN d.closed_by IS NULL THEN d.amount_cents END) FROM
	    claim_denials d JOIN claim_remit_claims r ON r.id =
	    d.remit_claim_id WHERE r.reversed_by IS NULL"
	assert_output '3|5000|3000'
	run -0 --separate-stderr pms-claim denials -o json
	[ "${#lines[@]}" -eq 2 ]
	[ "$(printf '%s\n' "$output" | grep -o '"amount_cents":[0-9]*' |
	    cut -d: -f2 | paste -sd+ | bc)" = 3000 ]
	# the CO-45 write-offs and the PR amounts are no denials
	run -0 pms-sql "SELECT count(*) FROM claim_denials WHERE reason IN
	    ('45', '1', '2', '3')"
	assert_output 0
	# JSON: integer cents
	run -0 pms-report denials --from "$D1" --to "$D3" --payer acme -o json
	assert_line --index 1 '{"payer":"acme","reason":null,"description":null,"remarks":null,"lines":4,"denied_lines":1,"denial_rate":"25.0","denied_cents":2000,"still_open_cents":0}'
}

@test "denials: each day alone; a reversal counts from its own day" {
	practice
	# D1: K3's denial stands (reversed only on D2), K2's first payment
	# too
	run -0 --separate-stderr pms-report denials --on "$D1" -o csv
	assert_output "$H
acme,CO-50,$W50,N130,4,1,25.0,20.00,0.00
acme,CO-197,$W197,,4,1,25.0,100.00,0.00
acme,,,,4,2,50.0,120.00,0.00
total,CO-50,$W50,N130,4,1,25.0,20.00,0.00
total,CO-197,$W197,,4,1,25.0,100.00,0.00
total,,,,4,2,50.0,120.00,0.00"
	# D2: the reversals are no adjudications, their payments again are
	run -0 pms-report denials --on "$D2" -o csv
	assert_output "$H
acme,,,,2,0,0.0,0.00,0.00
bluecross,CO-97,$W97,\"M15,MA130\",3,1,33.3,10.00,10.00
bluecross,OA-18,$W18,MA130,3,1,33.3,20.00,20.00
bluecross,,,,3,2,66.7,30.00,30.00
total,CO-97,$W97,\"M15,MA130\",5,1,20.0,10.00,10.00
total,OA-18,$W18,MA130,5,1,20.0,20.00,20.00
total,,,,5,2,40.0,30.00,30.00"
	# D3: K1's second line, paid on appeal; its first line is not in
	# that 835, so not adjudicated by it
	run -0 pms-report denials --on "$D3" -o csv
	assert_output "$H
acme,,,,1,0,0.0,0.00,0.00
total,,,,1,0,0.0,0.00,0.00"
	# the edges: from D2 on, D1's postings are out
	run -0 pms-report denials --from "$D2" --to "$D3" -o csv
	assert_line --index 1 'acme,,,,3,0,0.0,0.00,0.00'
	assert_line 'total,,,,6,2,33.3,30.00,30.00'
	# up to D2, K2 and K3 are each their payment again, once
	run -0 pms-report denials --from "$D1" --to "$D2" -o csv
	assert_line 'acme,,,,4,1,25.0,20.00,0.00'
	assert_line 'total,,,,7,3,42.9,50.00,30.00'
	# the day before and the day after: nothing, a total without a rate
	run -0 pms-report denials --on "$D0" -o csv
	assert_output "$H
total,,,,0,0,,0.00,0.00"
	run -0 pms-report denials --from "$(date -d "$D3 +1 day" +%F)" -o csv
	assert_output "$H
total,,,,0,0,,0.00,0.00"
	# without --from: the month so far (the days of the month before
	# today that are ours, whichever they are)
	run -0 pms-report denials -o csv
	assert_line --index 0 "$H"
	assert_line --regexp '^total,,,,[0-9]+,'
}

@test "denials: --payer, --provider, --location" {
	practice
	run -0 --separate-stderr pms-report denials --from "$D1" --payer \
	    bluecross -o csv
	assert_output "$H
bluecross,CO-97,$W97,\"M15,MA130\",3,1,33.3,10.00,10.00
bluecross,OA-18,$W18,MA130,3,1,33.3,20.00,20.00
bluecross,,,,3,2,66.7,30.00,30.00
total,CO-97,$W97,\"M15,MA130\",3,1,33.3,10.00,10.00
total,OA-18,$W18,MA130,3,1,33.3,20.00,20.00
total,,,,3,2,66.7,30.00,30.00"
	# ortiz: K2 alone, paid, reversed, paid again
	run -0 pms-report denials --from "$D1" --provider ortiz -o csv
	assert_output "$H
acme,,,,1,0,0.0,0.00,0.00
total,,,,1,0,0.0,0.00,0.00"
	run -0 pms-report denials --from "$D1" --location lakeside -o csv
	assert_line --index 1 "bluecross,CO-97,$W97,\"M15,MA130\",3,1,33.3,10.00,10.00"
	assert_line 'total,,,,3,2,66.7,30.00,30.00'
	run -0 pms-report denials --from "$D1" --provider lee --location \
	    main -o csv
	assert_output "$H
acme,CO-50,$W50,N130,3,1,33.3,20.00,0.00
acme,,,,3,1,33.3,20.00,0.00
total,CO-50,$W50,N130,3,1,33.3,20.00,0.00
total,,,,3,1,33.3,20.00,0.00"
	run -0 pms-report denials --from "$D1" --payer medicare -o csv
	assert_output "$H
total,,,,0,0,,0.00,0.00"
}

@test "denials: a read: the store unchanged but for one entry naming the patients" {
	practice
	n=$(pms-sql "SELECT count(*) FROM audit")
	sum=$(pms-sql "SELECT count(*), sum(amount_cents) FROM ledger")
	run -0 --separate-stderr pms-report denials --from "$D1" -o csv \
	    --out "$BATS_TEST_TMPDIR/d.csv"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/d.csv")" = 600 ]
	[ "$(sed -n '$p' "$BATS_TEST_TMPDIR/d.csv")" = 'total,,,,7,3,42.9,50.00,30.00' ]
	[ "$(pms-sql "SELECT count(*), sum(amount_cents) FROM ledger")" = "$sum" ]
	run -0 pms-sql "SELECT a.action, group_concat(p.patient_id) FROM audit
	    a JOIN audit_patient p ON p.audit_id = a.id WHERE a.id > $n GROUP
	    BY a.id"
	assert_output 'report.denials|1,2,3'
	run -0 pms-sql "SELECT kind, patients FROM exports ORDER BY id DESC
	    LIMIT 1"
	assert_output 'report-denials|3'
	# the front desk and clinicians may not; billing and auditors may
	pms-admin keyfile create desk --role front-desk \
	    --out "$BATS_TEST_TMPDIR/desk.key" >/dev/null 2>&1
	pms-admin keyfile create aud --role auditor \
	    --out "$BATS_TEST_TMPDIR/aud.key" >/dev/null 2>&1
	run -77 --separate-stderr env -u PMS_USER -u PMS_PASSPHRASE_FILE \
	    PMS_KEYFILE="$BATS_TEST_TMPDIR/desk.key" pms-report denials -o csv
	run -0 --separate-stderr env -u PMS_USER -u PMS_PASSPHRASE_FILE \
	    PMS_KEYFILE="$BATS_TEST_TMPDIR/aud.key" pms-report denials \
	    --from "$D1" -o csv
	assert_line 'total,,,,7,3,42.9,50.00,30.00'
}

# The HTML page of a report is well-formed XML with an SVG chart and the
# table, and nothing that fetches or links anywhere (as pms-report.bats).
html_ok() {
	xmllint --noout "$1"
	run -0 xmllint --xpath 'count(//svg)' "$1"
	assert_output 1
	run -0 xmllint --xpath 'count(//table)' "$1"
	assert_output 1
	run -0 xmllint --xpath 'count(//script | //link | //img | //iframe |
	    //object | //embed | //@src | //@*[local-name()="href"])' "$1"
	assert_output 0
	run grep -ci 'http\|url(\|@import' "$1"
	assert_output 0
}

@test "denials: -o html: the rate by payer as bars, the table as the CSV" {
	practice
	run -0 --separate-stderr pms-report denials --from "$D1" --to "$D3" \
	    -o html --out "$BATS_TEST_TMPDIR/d.html"
	assert_output ''
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/d.html")" = 600 ]
	html_ok "$BATS_TEST_TMPDIR/d.html"
	run -0 grep -c "<title>pms-report denials</title>" \
	    "$BATS_TEST_TMPDIR/d.html"
	run -0 grep -c "$D1 to $D3" "$BATS_TEST_TMPDIR/d.html"
	# a bar a payer, its rate beside it
	run -0 xmllint --xpath 'count(//svg/rect)' "$BATS_TEST_TMPDIR/d.html"
	assert_output 2
	run -0 xmllint --xpath '//svg/text[@class="lab"]/text()' \
	    "$BATS_TEST_TMPDIR/d.html"
	assert_output $'acme\nbluecross'
	run -0 xmllint --xpath '//svg/text[@class="num"]/text()' \
	    "$BATS_TEST_TMPDIR/d.html"
	assert_output $'25.0\n66.7'
	# the table: every row of the CSV
	run -0 xmllint --xpath 'count(//tbody/tr)' "$BATS_TEST_TMPDIR/d.html"
	assert_output 9
	run -0 xmllint --xpath 'string(//tbody/tr[td[1]="total" and
	    td[2]=""]/td[7])' "$BATS_TEST_TMPDIR/d.html"
	assert_output '42.9'
	run -0 xmllint --xpath 'string(//tbody/tr[td[2]="OA-18"]/td[3])' \
	    "$BATS_TEST_TMPDIR/d.html"
	assert_output "$W18"
	# nothing in the period: the page holds, with nothing to show
	run -0 pms-report denials --on "$D0" -o html
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/none.html"
	html_ok "$BATS_TEST_TMPDIR/none.html"
	run -0 grep -c 'nothing to show' "$BATS_TEST_TMPDIR/none.html"
}

@test "denials: bad input: unknown codes, bad periods, options it does not take" {
	practice
	run -1 --separate-stderr pms-report denials --payer nosuch -o csv
	assert_stderr 'pms-report: --payer: unknown payer "nosuch"'
	[ -z "$output" ]	# not even the header
	run -1 --separate-stderr pms-report denials --provider 'Zztest x' -o csv
	assert_stderr 'pms-report: --provider: unknown provider'
	refute_phi "$stderr"
	run -1 --separate-stderr pms-report denials --location nowhere -o csv
	assert_stderr 'pms-report: --location: unknown location "nowhere"'
	run -64 --separate-stderr pms-report denials --from "$D3" --to "$D1"
	assert_stderr 'pms-report: denials: --from: after --to'
	run -64 --separate-stderr pms-report denials --to "$D1"
	assert_stderr 'denials: --to: needs --from'
	run -64 --separate-stderr pms-report denials --on "$D1" --from "$D1"
	assert_stderr 'denials: --on or --from and --to, not both'
	run -64 --separate-stderr pms-report denials --on 2026-02-30
	assert_stderr 'denials: --on: not a date (YYYY-MM-DD)'
	run -64 --separate-stderr pms-report denials --as-of "$D1"
	assert_stderr 'denials: --as-of does not apply'
	run -64 --separate-stderr pms-report denials --by-patient
	assert_stderr 'denials: --by-patient does not apply'
	run -64 --separate-stderr pms-report denials -o pdf
	run -64 --separate-stderr pms-report denials K1
	# nothing read, nothing logged
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action =
	    'report.denials'"
	assert_output 0
	run -74 --separate-stderr pms-report denials --from "$D1" -o csv \
	    --out /dev/full
}

@test "denials: list names it" {
	run -0 --separate-stderr pms-report -S "$BATS_TEST_TMPDIR/none" list \
	    -o csv
	assert_line 'denials,"denied against adjudicated claim lines (835s), by payer and reason"'
}

@test "denials: a crossover and the secondary's 835: a line for each payer, OA-23 no denial" {
	# patient 3: acme, then bluecross
	c=$(claim_sent K5 3 99213:100.00)
	era_on "$D1" 51 70 C1 1512345678 'EXAMPLE HEALTH PLAN' \
	    >"$BATS_TEST_TMPDIR/p.835" <<'EOF2'
LX*1~
CLP*K5*19*100*70*20*12*P5~
CAS*CO*45*10~
CAS*PR*2*20~
EOF2
	era_on "$D2" 52 15 C2 1999999999 'SAMPLE COUNTY PLAN' \
	    >"$BATS_TEST_TMPDIR/s.835" <<'EOF2'
LX*1~
CLP*K5*2*100*15*5*12*S5~
CAS*OA*23*80~
CAS*PR*2*5~
EOF2
	run -0 pms-claim era "$BATS_TEST_TMPDIR/p.835" -o csv
	run -0 pms-claim era "$BATS_TEST_TMPDIR/s.835" -o csv
	[ "$(pms-sql "SELECT count(*) FROM claim_denials")" = 0 ]
	run -0 --separate-stderr pms-report denials --from "$D1" -o csv
	assert_output "$H
acme,,,,1,0,0.0,0.00,0.00
bluecross,,,,1,0,0.0,0.00,0.00
total,,,,2,0,0.0,0.00,0.00"
	# the primary's day alone: acme's
	run -0 pms-report denials --on "$D1" -o csv
	assert_output "$H
acme,,,,1,0,0.0,0.00,0.00
total,,,,1,0,0.0,0.00,0.00"
}

@test "denials: an 835 dated ahead counts on the day it was posted" {
	claim_sent K6 1 99213:100.00 >/dev/null
	ahead=$(date -d '+10 days' +%F)
	era_on "$ahead" 61 0 F1 1512345678 'EXAMPLE HEALTH PLAN' \
	    >"$BATS_TEST_TMPDIR/f.835" <<'EOF2'
LX*1~
CLP*K6*4*100*0*0*12*P6~
CAS*CO*16*100~
EOF2
	run -0 pms-claim era "$BATS_TEST_TMPDIR/f.835" -o csv
	[ "$(pms-sql "SELECT paid_on FROM claim_remits")" = "$ahead" ]
	posted=$(pms-sql "SELECT substr(imported_at, 1, 10) FROM claim_remits")
	run -0 --separate-stderr pms-report denials --on "$posted" -o csv
	assert_line 'acme,,,,1,1,100.0,100.00,100.00'
	run -0 pms-report denials --on "$ahead" -o csv
	assert_output "$H
total,,,,0,0,,0.00,0.00"
}
