#!/usr/bin/env bats
# bats file_tags=pms-report
#
# The money of the reports against the books (findings E): collections
# nets what was given back (a reversal's take-back, a patient's refund)
# and counts the payers' provider adjustments (PLB), so that it is the
# deposits, the 835s' BPR02 to the cent; ar-aging --as-of a past day is
# the books as pms-bill aging has them then; the day sheet books a
# payer's payment to the provider of the lines it paid; a denial worked
# by hand leaves the work queue; a payer's money on a voided charge is
# the payer's to refund; filters that name nothing are refused.
# Claims are made and answered through the programs (helpers/claims).

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
	TODAY=$(TZ=America/New_York date +%F)
	export COLUMNS=400
}

reconciles() {
	run -0 --separate-stderr pms-bill check
}

# The 835s' BPR02 of payer $1, in cents, summed.
bpr02() {
	pms-sql "SELECT coalesce(sum(m.payment_cents), 0) FROM claim_remits m
	    JOIN payers y ON y.id = m.payer_id WHERE y.code = '$1'"
}

# A claim K1 of patient 1 (acme) for 100.00, paid 80.00 with 20.00 the
# patient's (BPR02 80.00); then a second 835 reversing that and paying
# 90.00, with 1.25 interest (PLB L6): BPR02 11.25.
paid_reversed_repaid() {
	claim_sent K1 1 99213:100.00 >/dev/null
	era_file 21 80 T21 >"$BATS_TEST_TMPDIR/1.835" <<'EOF'
LX*1~
CLP*K1*1*100*80*20*12*P1~
CAS*PR*2*20~
EOF
	era_file 22 11.25 T22 >"$BATS_TEST_TMPDIR/2.835" <<'EOF'
LX*1~
CLP*K1*22*-100*-80*-20*12*P1~
CAS*PR*2*-20~
CLP*K1*1*100*90*10*12*P1B~
CAS*PR*2*10~
PLB*1234567893*20251231*L6*-1.25~
EOF
	pms-claim era "$BATS_TEST_TMPDIR/1.835" -o csv >/dev/null 2>&1
	pms-claim era "$BATS_TEST_TMPDIR/2.835" -o csv >/dev/null 2>&1
}

@test "E3 E1: collections are the deposits: a reversal's take-back netted, PLB counted" {
	paid_reversed_repaid
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims")" = 3 ]
	# the remittances are dated 2025-06-10 (BPR16), the take-back today
	run -0 --separate-stderr pms-report collections --from 2025-01-01 \
	    -o csv
	assert_output "source,payments,payments_share,contractual,charges,net_collection_rate,refunds,provider_adjustments
acme,91.25,100.0,0.00,,,80.00,1.25
total,91.25,100.0,0.00,100.00,91.3,80.00,1.25"
	# the two checks: 80.00 + 11.25
	[ "$(bpr02 acme)" = 9125 ]
	# from the source tables: 170.00 in, 80.00 back, 1.25 interest
	run -0 pms-sql "SELECT (SELECT sum(amount_cents) FROM payments) -
	    (SELECT sum(amount_cents) FROM ledger WHERE kind = 'refund') -
	    (SELECT sum(amount_cents) FROM claim_plb)"
	assert_output 9125
	# --payer: the same row
	run -0 pms-report collections --from 2025-01-01 --payer acme -o csv
	assert_line --index 1 'acme,91.25,100.0,0.00,,,80.00,1.25'
	# JSON in cents
	run -0 pms-report collections --from 2025-01-01 -o json
	assert_line --index 0 --partial '"payments_cents":9125,'
	assert_line --index 0 --partial '"refunds_cents":8000,"provider_adjustments_cents":125}'
	reconciles
}

@test "E1: a PLB recoupment (WO) keeps money back from the payer's payments" {
	claim_sent K2 1 99213:100.00 >/dev/null
	era_file 23 77 T23 >"$BATS_TEST_TMPDIR/3.835" <<'EOF'
LX*1~
CLP*K2*1*100*80*20*12*P2~
CAS*PR*2*20~
PLB*1234567893*20251231*WO:OVERPAY1*3~
EOF
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/3.835" -o csv
	run -0 pms-report collections --from 2025-01-01 -o csv
	assert_line --index 1 'acme,77.00,100.0,0.00,,,0.00,-3.00'
	[ "$(bpr02 acme)" = 7700 ]
}

@test "E3: a patient's refund is money out of the patient's payments" {
	claim_sent K3 2 99213:100.00 >/dev/null
	era_file 24 80 T24 >"$BATS_TEST_TMPDIR/4.835" <<'EOF'
LX*1~
CLP*K3*1*100*80*20*12*P3~
CAS*PR*2*20~
EOF
	pms-claim era "$BATS_TEST_TMPDIR/4.835" -o csv >/dev/null 2>&1
	run -0 pms-bill pay --patient 2 --amount 25.00 --method cash -o csv
	run -0 pms-bill refund --patient 2 --amount 5.00 --method cash \
	    --reason overpaid
	run -0 pms-report collections --from 2025-01-01 -o csv
	assert_output "source,payments,payments_share,contractual,charges,net_collection_rate,refunds,provider_adjustments
patient,20.00,20.0,0.00,,,5.00,0.00
bluecross,80.00,80.0,0.00,,,0.00,0.00
total,100.00,100.0,0.00,100.00,100.0,5.00,0.00"
	run -0 pms-sql "SELECT (SELECT sum(amount_cents) FROM payments WHERE
	    payer_id IS NULL) - (SELECT sum(amount_cents) FROM ledger WHERE
	    kind = 'refund' AND payer_id IS NULL)"
	assert_output 2000
	reconciles
}

# ar-aging's rows as pms-bill aging --summary's: "responsibility,payer,
# buckets...,total" without the total row and days in A/R.
aging_rows() {
	pms-report ar-aging "$@" -o csv | sed 1d | grep -v '^total,' |
	    cut -d, -f1,2,5-10
}
bill_rows() {
	pms-bill aging --summary "$@" -o csv | sed 1d | cut -d, -f5-12
}

@test "E8: ar-aging --as-of a past day is the books then, as pms-bill aging" {
	d60=$(date -d "$TODAY -60 days" +%F)
	d20=$(date -d "$TODAY -20 days" +%F)
	d10=$(date -d "$TODAY -10 days" +%F)
	d5=$(date -d "$TODAY -5 days" +%F)
	# 20 days ago: a visit of 60 days ago charged (acme); 5 days ago a
	# payment of 30.00 on patient 2's charge of 10 days ago
	faketime "$d20 15:00" pms-bill charge --patient 1 --on "$d60" \
	    --provider lee --location main --code 99213 --amount 100.00 \
	    --dx I10 -o csv >/dev/null
	faketime "$d10 15:00" pms-bill charge --patient 2 --on "$d10" \
	    --provider lee --location main --code 99213 --amount 60.00 \
	    --dx I10 -o csv >/dev/null
	faketime "$d10 15:00" pms-bill transfer 2 --to patient --reason \
	    'not covered' -o csv >/dev/null
	faketime "$d5 15:00" pms-bill pay --patient 2 --amount 30.00 \
	    --method cash -o csv >/dev/null
	# today: another charge and a credit
	pms-bill charge --patient 3 --on "$TODAY" --provider lee --location \
	    main --code 99213 --amount 80.00 --dx I10 -o csv >/dev/null
	pms-bill pay --patient 1 --amount 5.00 --method card -o csv >/dev/null
	# as of 15 days ago: acme's 100.00 of 60 days ago (31-60), nothing
	# of patient 2's (posted after)
	d15=$(date -d "$TODAY -15 days" +%F)
	run -0 --separate-stderr pms-report ar-aging --as-of "$d15" -o csv
	assert_output "responsibility,payer,patient_id,mrn,days_0_30,days_31_60,days_61_90,days_91_120,days_121_plus,total,days_in_ar
insurance,acme,,,0.00,100.00,0.00,0.00,0.00,100.00,
total,,,,0.00,100.00,0.00,0.00,0.00,100.00,90.0"
	[ "$(aging_rows --as-of "$d15")" = "$(bill_rows --as-of "$d15")" ]
	# as of 7 days ago: patient 2 owes 60.00, not yet the 30.00 less
	d7=$(date -d "$TODAY -7 days" +%F)
	run -0 pms-report ar-aging --as-of "$d7" --by-patient -o csv
	assert_line 'patient,,2,A-2,60.00,0.00,0.00,0.00,0.00,60.00,'
	assert_line 'patient,,,,60.00,0.00,0.00,0.00,0.00,60.00,'
	[ "$(aging_rows --as-of "$d7")" = "$(bill_rows --as-of "$d7")" ]
	# yesterday: 30.00 left; today: the new charge and the credit too
	d1=$(date -d "$TODAY -1 days" +%F)
	run -0 pms-report ar-aging --as-of "$d1" -o csv
	assert_line 'patient,,,,30.00,0.00,0.00,0.00,0.00,30.00,'
	refute_line --regexp '^credit,'
	[ "$(aging_rows --as-of "$d1")" = "$(bill_rows --as-of "$d1")" ]
	run -0 pms-report ar-aging -o csv
	assert_line 'credit,,,,-5.00,0.00,0.00,0.00,0.00,-5.00,'
	assert_line 'insurance,acme,,,80.00,100.00,0.00,0.00,0.00,180.00,'
	[ "$(aging_rows)" = "$(bill_rows)" ]
	# the ledger as of yesterday, by hand: 130.00 open, no credit
	run -0 pms-sql "SELECT sum(amount_cents) FROM ledger WHERE posted_on
	    <= '$d1'"
	assert_output 13000
}

@test "E11: day-sheet books a payer's payment to the providers of the lines it paid" {
	claim_sent K5 1 99213:100.00 >/dev/null
	# a claim of ortiz's for patient 2 (bluecross), sent the same way
	dos=$(date -d '-10 days' +%F)
	id=$(pms-bill charge --patient 2 --on "$dos" --provider ortiz \
	    --location main --code 99214 --amount 150.00 --dx I10 -o csv |
	    sed -n 2p | cut -d, -f1)
	printf 'charge_id,claim\n%s,K6\n' "$id" | pms-claim create -o csv - \
	    >/dev/null 2>&1
	pms-claim validate -o csv >/dev/null 2>&1
	pms-claim export --out "$BATS_TEST_TMPDIR/k6.837" >/dev/null 2>&1
	# one 835 (dated today) paying both: 80.00 for lee's, 120.00 for
	# ortiz's; the patients' shares 20.00 and 30.00
	era_file 25 200 T25 <<'EOF2' | sed "s/20250610~/$(date -d "$TODAY" +%Y%m%d)~/" \
	    >"$BATS_TEST_TMPDIR/5.835"
LX*1~
CLP*K5*1*100*80*20*12*P5~
CAS*PR*2*20~
CLP*K6*1*150*120*30*12*P6~
CAS*PR*2*30~
EOF2
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/5.835" -o csv
	# patient 1 pays 20.00 at the desk, applied at once; patient 2 pays
	# 50.00: 30.00 applied, 20.00 left as a credit
	run -0 pms-bill pay --patient 1 --amount 20.00 --method card -o csv
	run -0 pms-bill pay --patient 2 --amount 50.00 --method cash -o csv
	run -0 --separate-stderr pms-report day-sheet -o csv
	assert_output "date,provider,appointments,completed,no_shows,cancelled,charges,payments,adjustments,other,net
$TODAY,lee,0,0,0,0,100.00,-100.00,0.00,0.00,0.00
$TODAY,ortiz,0,0,0,0,150.00,-150.00,0.00,0.00,0.00
$TODAY,,0,0,0,0,0.00,-20.00,0.00,0.00,-20.00
,total,0,0,0,0,250.00,-270.00,0.00,0.00,-20.00"
	# the day's money received, from the source table: 270.00
	run -0 pms-sql "SELECT sum(amount_cents) FROM payments WHERE
	    received_on = '$TODAY'"
	assert_output 27000
	# --provider: ortiz's alone
	run -0 pms-report day-sheet --provider ortiz -o csv
	assert_line --index 1 "$TODAY,ortiz,0,0,0,0,150.00,-150.00,0.00,0.00,0.00"
	# the credit applied tomorrow is "other" then, not a payment again
	tomorrow=$(date -d "$TODAY +1 day" +%F)
	pms-bill charge --patient 2 --on "$TODAY" --provider ortiz --location \
	    main --code 99213 --amount 20.00 --dx I10 -o csv >/dev/null
	pms-bill transfer 3 --to patient --reason 'not covered' -o csv \
	    >/dev/null 2>&1
	faketime "$tomorrow 15:00" pms-bill apply --patient 2 >/dev/null 2>&1
	run -0 pms-report day-sheet --on "$tomorrow" -o csv
	assert_line --index 1 "$tomorrow,ortiz,0,0,0,0,0.00,0.00,0.00,-20.00,-20.00"
	assert_line --index 2 "$tomorrow,,0,0,0,0,0.00,0.00,0.00,20.00,20.00"
	reconciles
}

@test "E9: filters naming nothing are refused, as their siblings, with nothing on standard output; a bad --on is named" {
	claim_sent K7 1 99213:100.00 >/dev/null
	before=$(pms-sql "SELECT count(*) FROM claims")
	# not found: 1, the option named
	run -1 --separate-stderr pms-claim list --payer nosuch -o csv
	[ -z "$output" ]	# not even a header
	assert_stderr 'pms-claim: --payer: not a payer of the configuration'
	run -1 --separate-stderr pms-claim list --patient 99 -o csv
	[ -z "$output" ]	# not even a header
	assert_stderr 'pms-claim: no patient 99'
	run -1 --separate-stderr pms-claim list --mrn 999999 -o csv
	[ -z "$output" ]	# not even a header
	run -1 --separate-stderr pms-claim list --batch 99 -o csv
	[ -z "$output" ]	# not even a header
	assert_stderr 'pms-claim: --batch: no batch 99'
	run -1 --separate-stderr pms-claim denials --payer nosuch -o csv
	[ -z "$output" ]	# not even a header
	assert_stderr 'pms-claim: --payer: not a payer of the configuration'
	run -1 --separate-stderr pms-bill list --provider nosuch -o csv
	[ -z "$output" ]	# not even a header
	assert_stderr 'pms-bill: --provider: unknown provider'
	run -1 --separate-stderr pms-bill list --patient 99 -o csv
	[ -z "$output" ]	# not even a header
	run -1 --separate-stderr pms-report collections --payer nosuch -o csv
	[ -z "$output" ]	# not even a header
	# a period that ends before it starts: usage, 64
	run -64 --separate-stderr pms-claim list --from 2026-12-01 \
	    --to 2026-11-01 -o csv
	assert_stderr 'pms-claim: --from: after --to'
	run -64 --separate-stderr pms-bill list --from 2026-12-01 \
	    --to 2026-11-01 -o csv
	assert_stderr 'pms-bill: --from: after --to'
	run -64 --separate-stderr pms-report day-sheet --from 2026-12-01 \
	    --to 2026-11-01 -o csv
	assert_stderr 'pms-report: day-sheet: --from: after --to'
	# the option the user typed is the one blamed
	run -64 --separate-stderr pms-report day-sheet --on 2026-02-29
	assert_stderr 'pms-report: day-sheet: --on: not a date (YYYY-MM-DD)'
	refute_output --partial -- '--from: not a date'
	# what does name something still lists it
	run -0 pms-claim list --payer acme --patient 1 -o csv
	[ "${#lines[@]}" -eq 2 ]
	run -0 pms-bill list --provider lee -o csv
	[ "${#lines[@]}" -eq 2 ]
	[ "$(pms-sql "SELECT count(*) FROM claims")" = "$before" ]
}

# K8: patient 1 (acme), 99213 100.00 paid 80.00 (PR 20.00) and 36415
# 15.00 denied CO-97: 15.00 open with acme, in the work queue.
denied_line() {
	claim_sent K8 1 99213:100.00 36415:15.00 >/dev/null
	era_file 26 80 T26 >"$BATS_TEST_TMPDIR/6.835" <<'EOF2'
LX*1~
CLP*K8*1*115*80*20*12*P8~
SVC*HC:99213*100*80**1~
CAS*PR*2*20~
SVC*HC:36415*15*0**1~
CAS*CO*97*15~
EOF2
	pms-claim era "$BATS_TEST_TMPDIR/6.835" -o csv >/dev/null 2>&1
}

# The open denials as "charge,group,reason,amount" lines.
open_denials() {
	pms-claim denials -o csv | sed 1d | cut -d, -f10,12-14
}

@test "E18: a denial written off or moved by hand leaves the queue, exactly, part by part" {
	denied_line
	[ "$(open_denials)" = "2,CO,97,15.00" ]
	[ "$(balances_of 2)" = "payer:acme:1500" ]
	# 5.00 of it written off: 10.00 stays open, to the cent
	run -0 --separate-stderr pms-bill adjust 2 --amount -5 --group CO \
	    --reason 97 -o csv
	[ "$(open_denials)" = "2,CO,97,10.00" ]
	# the rest moved to the patient: nothing open
	run -0 --separate-stderr pms-bill transfer 2 --to patient --reason \
	    'CO-97' -o csv
	run -0 --separate-stderr pms-claim denials -o csv
	[ "${#lines[@]}" -eq 1 ]
	# what was denied is all still on record: 5.00 + 10.00, both closed
	# by hand (their own posting) today
	run -0 pms-sql "SELECT amount_cents, closed_by = remit_claim_id,
	    closed_on = '$TODAY' FROM claim_denials ORDER BY id"
	assert_output $'500|1|1\n1000|1|1'
	[ "$(balances_of 2)" = "patient::1000" ]
	reconciles
}

@test "E18: a write-off of another reason, or a void, closes what the payer no longer owes" {
	denied_line
	# a write-off under another reason still leaves acme owing 12.00:
	# the denial is 12.00 now
	run -0 pms-bill adjust 2 --amount -3 --group CO --reason 45 -o csv
	[ "$(open_denials)" = "2,CO,97,12.00" ]
	# a write-off of patient money changes nothing of the payer's
	run -0 pms-bill pay --patient 1 --amount 20.00 --method cash -o csv
	[ "$(open_denials)" = "2,CO,97,12.00" ]
	# the charge voided: nothing open on it
	run -0 pms-bill void 2 --reason 'wrong code' --correct-claim -o csv
	run -0 pms-claim denials -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 pms-sql "SELECT sum(amount_cents) FROM claim_denials"
	assert_output 1500
	run -0 pms-sql "SELECT count(*) FROM claim_denials WHERE closed_by IS
	    NULL"
	assert_output 0
	reconciles
}

@test "E25: a payer's money on a voided charge is the payer's credit, refunded to it" {
	claim_sent K9 1 99213:100.00 >/dev/null
	era_file 27 80 T27 >"$BATS_TEST_TMPDIR/7.835" <<'EOF2'
LX*1~
CLP*K9*1*100*80*20*12*P9~
CAS*PR*2*20~
EOF2
	pms-claim era "$BATS_TEST_TMPDIR/7.835" -o csv >/dev/null 2>&1
	run -0 pms-bill pay --patient 1 --amount 20.00 --method card -o csv
	run -0 --separate-stderr pms-bill void 1 --reason 'wrong patient' \
	    --correct-claim -o csv
	# each one's money back to its own credit: acme 80.00, the patient 20.00
	run -0 pms-sql "SELECT coalesce(y.code, 'patient'), b.amount_cents
	    FROM balances b LEFT JOIN payers y ON y.id = b.payer_id WHERE
	    b.payment_id IS NOT NULL ORDER BY b.payment_id"
	assert_output $'acme|-8000\npatient|-2000'
	# the patient's refund cannot take the payer's money, and says where
	# it is
	run -1 --separate-stderr pms-bill refund --patient 1 --amount 100 \
	    --method check --reason voided
	assert_stderr "the patient's credit is 20.00; 100.00 cannot be refunded (80.00 more is payers' credit: refund it to the payer with --payer or --payment)"
	# to acme, by its payment: part of it, then the rest by --payer
	run -0 --separate-stderr pms-bill refund --patient 1 --amount 30 \
	    --method check --reason voided --payment 1
	run -1 --separate-stderr pms-bill refund --patient 1 --amount 60 \
	    --method check --reason voided --payer acme
	assert_stderr 'the credit is 50.00; 60.00 cannot be refunded'
	run -0 --separate-stderr pms-bill refund --patient 1 --amount 50 \
	    --method check --reason voided --payer acme
	run -0 pms-sql "SELECT party, payer_id IS NOT NULL, amount_cents FROM
	    ledger WHERE kind = 'refund' ORDER BY id"
	assert_output $'payer|1|3000\npayer|1|5000'
	# nothing of acme's left; the patient's 20.00 is the patient's
	run -0 pms-bill balance 1 -o csv
	refute_output --partial acme
	run -0 pms-sql "SELECT sum(amount_cents) FROM balances WHERE
	    payment_id IS NOT NULL"
	assert_output -- -2000
	# collections: acme's 80.00 received, 80.00 given back
	run -0 pms-report collections --from 2025-01-01 --payer acme -o csv
	assert_line --index 1 'acme,0.00,,0.00,,,80.00,0.00'
	run -1 --separate-stderr pms-bill refund --patient 1 --amount 1 \
	    --method check --payer nosuch
	reconciles
}

@test "E21 c: an html report that cannot be written names what and why" {
	run -74 --separate-stderr pms-report collections -o html --out /dev/full
	assert_stderr 'pms-report: /dev/full: write error: No space left on device'
	run -74 --separate-stderr sh -c 'pms-report ar-aging -o html >/dev/full'
	assert_stderr 'pms-report: standard output: write error: No space left on device'
}

@test "E21 h: a usage error says what is wrong before the usage" {
	run -64 --separate-stderr pms-claim show 1 2
	assert_stderr 'pms-claim: show: 1 operand at most, not 2'
	run -64 --separate-stderr pms-claim inspect a b
	assert_stderr 'pms-claim: inspect: 1 operand at most, not 2'
	run -64 --separate-stderr pms-bill statement --all 1
	assert_stderr 'pms-bill: statement: --all or a patient, not both'
	run -64 --separate-stderr pms-bill balance 1 --mrn A-1
	assert_stderr 'pms-bill: balance: a patient or --mrn, not both'
	run -64 --separate-stderr pms-bill refund --patient 1 --amount 5
	assert_stderr 'pms-bill: refund: give --patient or --mrn, --amount and --method'
	run -64 --separate-stderr pms-bill void
	assert_stderr 'pms-bill: void: give the charge (its id)'
	run -64 --separate-stderr pms-bill aging 3
	assert_stderr 'pms-bill: aging: no operand is taken'
}

@test "E21 i: a payment taken on the day of a statement, after it, is on the next one" {
	pms-bill charge --patient 2 --on "$TODAY" --provider lee --location \
	    main --code 99213 --amount 60.00 --dx I10 -o csv >/dev/null
	pms-bill transfer 1 --to patient --reason 'not covered' -o csv \
	    >/dev/null 2>&1
	# the practice's day, morning to evening (New York, UTC-5 or -4)
	faketime "$TODAY 14:00 UTC" pms-bill pay --patient 2 --amount 10.00 \
	    --method cash -o csv >/dev/null
	faketime "$TODAY 15:00 UTC" pms-bill statement 2 \
	    --out "$BATS_TEST_TMPDIR/s1.txt" 2>/dev/null
	faketime "$TODAY 16:00 UTC" pms-bill pay --patient 2 --amount 5.00 \
	    --method cash -o csv >/dev/null
	faketime "$TODAY 17:00 UTC" pms-bill statement 2 \
	    --out "$BATS_TEST_TMPDIR/s2.txt" 2>/dev/null
	# the first lists the 10.00, the second the 5.00 (and not the 10.00)
	run -0 grep -E "^ +$TODAY +cash +10\.00" "$BATS_TEST_TMPDIR/s1.txt"
	run -1 grep -E "^ +$TODAY +cash +5\.00" "$BATS_TEST_TMPDIR/s1.txt"
	run -0 grep -E "^ +$TODAY +cash +5\.00" "$BATS_TEST_TMPDIR/s2.txt"
	run -1 grep -E "^ +$TODAY +cash +10\.00" "$BATS_TEST_TMPDIR/s2.txt"
	[ "$(pms-sql "SELECT count(*) FROM statements")" = 2 ]
}

@test "E21 l: a partly paid claim whose last denial is worked by hand is closed" {
	denied_line
	c=$(pms-sql "SELECT id FROM claims WHERE clm01 = 'K8'")
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = partly-paid ]
	# part of the denial worked: still with the payer, not closed
	run -0 pms-bill adjust 2 --amount -5 --group CO --reason 97 -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = partly-paid ]
	run -0 pms-bill adjust 2 --amount -10 --group CO --reason 97 -o csv
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = closed ]
	run -0 pms-sql "SELECT from_state, to_state, note FROM claim_history
	    WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	assert_output 'partly-paid|closed|nothing left with the payer: worked by hand'
	run -0 pms-claim list --state closed -o csv
	[ "${#lines[@]}" -eq 2 ]
	reconciles
}

@test "E25: a payer's reversal of a charge voided since takes its money from its credit" {
	claim_sent K10 1 99213:100.00 >/dev/null
	era_file 29 80 T29 >"$BATS_TEST_TMPDIR/9.835" <<'EOF2'
LX*1~
CLP*K10*1*100*80*20*12*P10~
CAS*PR*2*20~
EOF2
	pms-claim era "$BATS_TEST_TMPDIR/9.835" -o csv >/dev/null 2>&1
	run -0 --separate-stderr pms-bill void 1 --reason 'wrong patient' \
	    --correct-claim -o csv
	[ "$(pms-sql "SELECT sum(amount_cents) FROM balances")" = -8000 ]
	# the payer recoups by reversing its payment: posted, from the credit
	era_file 30 -80 T30 >"$BATS_TEST_TMPDIR/10.835" <<'EOF2'
LX*1~
CLP*K10*22*-100*-80*-20*12*P10~
CAS*PR*2*-20~
EOF2
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/10.835" -o csv
	[ "$(cut -d, -f9,10 <<<"${lines[1]}")" = "22,reversed" ]
	run -0 pms-sql "SELECT kind, party, amount_cents FROM ledger WHERE
	    kind = 'refund'"
	assert_output 'refund|payer|8000'
	run -0 pms-sql "SELECT count(*) FROM balances"
	assert_output 0
	# collections: 80.00 in, 80.00 back, as the two BPR02
	run -0 pms-report collections --from 2025-01-01 --payer acme -o csv
	assert_line --index 1 'acme,0.00,,0.00,,,80.00,0.00'
	[ "$(bpr02 acme)" = 0 ]
	reconciles
}
