#!/usr/bin/env bats
# bats file_tags=pms-claim
# pms-claim: claims from charged visits (one per visit and payer, the
# 50-line split, more than 12 diagnoses refused or split), validation
# (each rule's message, naming the claim, the loop and segment and what
# to fix), the 837P export (segment counts, control numbers never used
# twice, the HL hierarchy, the ISA's fixed widths, the separators), a
# full disk and a broken pipe leaving claims unsubmitted, the round
# trip export -> inspect, list/show/status, a patient merge moving the
# claims, and the real-world cases B17 and B19.  Each test checks the
# exit code, the messages and the store's contents after (pms-sql).

load helpers/common

FIX="$BATS_TEST_DIRNAME/fixtures"

# The template: the demo practice (its trading partner writes a line
# break after each segment), the test fee schedule, five patients and
# their insurance, a billing user and a front-desk user.
#   1 000201  self, Acme (policy 1), complete
#   2 000202  self, Blue Cross (policy 2), no sex or address on record
#   3 000203  a child on a parent's Blue Cross plan (policy 3)
#   4 000204  Medicaid (policy 4), which needs prior authorisations;
#             carries the PHI markers
#   5 000205  no insurance: self-pay
setup_file() {
	make_template
	local t="$BATS_FILE_TMPDIR/template" u
	export PMS_PASSPHRASE_FILE="$t/pass" PMS_USER=admin PMS_STORE="$t/store"
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	for u in desk:front-desk biller:billing; do
		printf '%s\n' "passphrase of ${u%%:*} here" >"$t/pass-${u%%:*}"
		PMS_NEW_PASSPHRASE_FILE="$t/pass-${u%%:*}" pms-admin \
		    user add "${u%%:*}" --role "${u#*:}" \
		    --kdf interactive >/dev/null 2>&1
	done
	pms-patient add --mrn 000201 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --sex f --street '1 Elm Street' \
	    --city Springfield --state OH --zip 45501 >/dev/null 2>&1
	pms-patient add --mrn 000202 --last-name Sample --first-name Sam \
	    --dob 1975-05-05 >/dev/null 2>&1
	pms-patient add --mrn 000203 --last-name Demo --first-name Dana \
	    --dob 2015-02-02 --sex f --street '9 Oak Road' \
	    --city Springfield --state OH --zip 45502 >/dev/null 2>&1
	pms-patient add --mrn 000204 --last-name Zztest --first-name Zebediah \
	    --dob 1957-03-14 --sex m --street '5 Pine Street' \
	    --city Springfield --state OH --zip 45503 >/dev/null 2>&1
	pms-patient add --mrn 000205 --last-name Selfpay --first-name Sally \
	    --dob 1990-09-09 --sex f >/dev/null 2>&1
	pms-patient policy add 1 --payer acme --member-id A100 >/dev/null 2>&1
	pms-patient policy add 2 --payer bluecross --member-id B200 \
	    >/dev/null 2>&1
	pms-patient policy add 3 --payer bluecross --member-id B300 \
	    --relationship child --subscriber-last-name Demo \
	    --subscriber-first-name Robin --subscriber-dob 1985-06-06 \
	    --subscriber-sex f --subscriber-street '9 Oak Road' \
	    --subscriber-city Springfield --subscriber-state OH \
	    --subscriber-zip 45502 >/dev/null 2>&1
	pms-patient policy add 4 --payer medicaid --member-id M400 \
	    >/dev/null 2>&1
	pms-bill fees import "$FIX/bill/fees.csv" >/dev/null 2>&1
	pms-admin maintain
	unset PMS_PASSPHRASE_FILE PMS_USER PMS_STORE
}

setup() {
	use_store
	local u
	for u in desk biller; do
		cp "$BATS_FILE_TMPDIR/template/pass-$u" "$BATS_TEST_TMPDIR/"
	done
	# the practice's day (America/New_York), whatever the machine's zone
	TODAY=$(TZ=America/New_York date +%F)
	D=$(date -d "$TODAY -10 days" +%F)
	DX8=$(date -d "$D" +%Y%m%d)
	OUT="$BATS_TEST_TMPDIR"
}

# Run as another user of the store: as biller pms-claim create ...
as() {
	local u=$1
	shift
	PMS_USER=$u PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass-$u" "$@"
}

# Charge one visit of patient $1 on $ON (default $D) with lee at main;
# the rest are pms-bill charge's options.  Prints the charge ids.
charge() {
	pms-bill charge --patient "$1" --on "${ON:-$D}" --provider lee \
	    --location main "${@:2}" -o csv | tail -n +2 | cut -d, -f1
}

# The segments of 837 file $1 (one a line) whose id is $2.
seg() {
	grep -E "^$2\*" "$1"
}

# The envelope of 837 file $1 adds up: every SE01 counts its set's
# segments and SE02 is its ST02, GE01 counts the sets and GE02 is GS06,
# IEA01 counts the groups and IEA02 is ISA13.
envelope_ok() {
	awk -F'*' '{ sub(/~$/, "") }
	    $1 == "ISA" { isa = $14; groups = 0 }
	    $1 == "GS" { gs = $7; sets = 0; groups++ }
	    $1 == "ST" { st = $3; n = 0; sets++ }
	    { n++ }
	    $1 == "SE" && ($2 != n || $3 != st) { print "SE " $0; bad = 1 }
	    $1 == "GE" && ($2 != sets || $3 != gs) { print "GE " $0; bad = 1 }
	    $1 == "IEA" && ($2 != groups || $3 != isa) { print "IEA"; bad = 1 }
	    END { exit bad }' "$1"
}

# The HL hierarchy of 837 file $1: ids from 1 in each set, the billing
# provider (20) first with no parent, each subscriber (22) under a
# billing provider, each patient (23) under a subscriber, and HL04 is
# 1 exactly when an HL has children.
hl_ok() {
	awk -F'*' '{ sub(/~$/, "") }
	    $1 == "ST" { last = 0; delete lvl; delete kids; delete has }
	    $1 == "HL" {
		if ($2 != last + 1) { print "HL01 " $0; bad = 1 }
		last = $2; lvl[$2] = $4; has[$2] = $5
		if ($4 == "20" && $3 != "") { print "20 " $0; bad = 1 }
		if ($4 == "22" && lvl[$3] != "20") { print "22 " $0; bad = 1 }
		if ($4 == "23" && lvl[$3] != "22") { print "23 " $0; bad = 1 }
		if ($3 != "") kids[$3]++
	    }
	    $1 == "SE" {
		for (h in has)
			if ((has[h] == "1") != (kids[h] > 0)) {
				print "HL04 of " h; bad = 1
			}
	    }
	    END { exit bad }' "$1"
}

# The claims' states, by id: "1|validated 2|draft".
states() {
	pms-sql "SELECT group_concat(id || '|' || state, ' ') FROM
	    (SELECT id, state FROM claims ORDER BY id)"
}

# ---- create ----------------------------------------------------------

@test "create: one claim per visit and payer of its coded service lines; a visit to code waits, a self-pay one makes none, again nothing new" {
	charge 1 --code 99213 --code 36415 --dx 'E11.9, I10' >/dev/null
	charge 2 --code 99213 >/dev/null
	charge 5 --code 99213 --dx I10 >/dev/null
	run -0 --separate-stderr as biller pms-claim create --unbilled -o csv
	assert_output - <<-EOF
	claim_id,claim,state,patient_id,mrn,visit_id,date_of_service,payer,policy_id,provider,location,part,parts,frequency,lines,dx,total,batch_id,submitted_on,updated_at,payer_seq,prior_claim_id
	$(pms-sql "SELECT '1,C000001,draft,1,000201,1,$D,acme,1,lee,main,1,1,1,2,\"E119,I10\",95.00,,,' || updated_at || ',P,' FROM claims")
	EOF
	assert_stderr - <<-'EOF'
	pms-claim: visit 2: line 1 (charge 3) has no diagnosis pointer: code it first (pms-bill code 3); the visit waits for it
	pms-claim: 1 claim made from 3 visits; 0 already claimed, 1 waiting for coding, 1 self-pay, 0 refused
	EOF
	refute_phi "$stderr"
	run -0 pms-sql "SELECT lx, charge_id, control, dos, code, units,
	    amount_cents, dx_pointers FROM claim_lines ORDER BY id"
	assert_output $'1|1|C000001-1|'"$D"$'|99213|1|8000|1,2\n2|2|C000001-2|'"$D"'|36415|1|1500|1,2'
	run -0 pms-sql "SELECT claim_id, by_user, coalesce(from_state, '-'),
	    to_state, note FROM claim_history"
	assert_output '1|biller|-|draft|made'
	run -0 pms-sql "SELECT a.user, a.action, group_concat(p.patient_id)
	    FROM audit a JOIN audit_patient p ON p.audit_id = a.id
	    WHERE a.action = 'claim.create' GROUP BY a.id"
	assert_output 'biller|claim.create|1'
	# again: nothing new
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	assert_output 'claim_id,claim,state,patient_id,mrn,visit_id,date_of_service,payer,policy_id,provider,location,part,parts,frequency,lines,dx,total,batch_id,submitted_on,updated_at,payer_seq,prior_claim_id'
	assert_stderr 'pms-claim: 0 claims made from 2 visits; 0 already claimed, 1 waiting for coding, 1 self-pay, 0 refused'
	# coded, the waiting visit is claimed, to its own payer
	pms-bill code 3 --dx I10 -o csv >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	assert_line --index 1 --partial '2,C000002,draft,2,000202,2,'"$D"',bluecross,2,lee,main,1,1,1,1,I10,100.00,'
	run -0 pms-sql "SELECT count(*) FROM claims"
	assert_output 2
	# the front desk makes no claims
	run -77 --separate-stderr as desk pms-claim create --unbilled
	assert_stderr 'claim.create'
	# --dry-run: said, and nothing kept
	charge 1 --code 81002 --dx I10 --on "$(date -d "$D -1 day" +%F)" \
	    >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled --dry-run -o csv
	assert_stderr '1 claim made from 2 visits'
	assert_stderr 'nothing was written'
	run -0 pms-sql "SELECT count(*) FROM claims"
	assert_output 2
}

@test "create: records name visits by charge or visit, with the practice's own claim numbers; a bad record makes nothing" {
	charge 1 --code 99213 --dx I10 >/dev/null
	ON=$(date -d "$D -1 day" +%F) charge 1 --code 99214 --dx I10 >/dev/null
	printf 'charge_id,claim\n1,ACCT-0001\n' >"$OUT/c.csv"
	run -0 --separate-stderr pms-claim create "$OUT/c.csv" -o csv
	assert_line --index 1 --partial '1,ACCT-0001,draft,1,000201,1,'
	run -0 pms-sql "SELECT control FROM claim_lines"
	assert_output 'ACCT-0001-1'
	# every kind of bad record: nothing made, exit 65
	for rec in 'charge_id\n99' 'visit_id\n77' 'mrn\n000201' \
	    'visit_id,claim\n2,C000009' 'visit_id,claim\n2,ACCT*2' \
	    'visit_id,claim\n2,ACCOUNT-NUMBER-OF-21C'; do
		run -65 --separate-stderr pms-claim create - -o csv \
		    < <(printf "$rec\n")
		[ "${#lines[@]}" -le 1 ]
	done
	run -65 --separate-stderr pms-claim create - < <(printf 'charge_id\n99\n')
	assert_stderr 'pms-claim: line 2: charge_id: no charge 99'
	run -65 --separate-stderr pms-claim create - < <(printf 'mrn\n000201\n')
	assert_stderr 'a record needs a visit_id or a charge_id'
	refute_phi "$stderr"
	run -65 --separate-stderr pms-claim create - < <(printf 'visit_id,claim\n2,C000009\n')
	assert_stderr 'claim: not a claim number'
	run -0 pms-sql "SELECT count(*) FROM claims"
	assert_output 1
	# a claim number once taken is not given again
	run -1 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'visit_id,claim\n2,ACCT-0001\n')
	assert_stderr 'visit 2: claim: that claim number is on claim 1 already'
	run -0 --separate-stderr pms-claim create - -o json \
	    < <(printf '{"visit_id":2,"claim":"ACCT-0002"}\n')
	assert_output --partial '"claim":"ACCT-0002"'
	# --unbilled and records are one or the other
	run -64 --separate-stderr pms-claim create --unbilled "$OUT/c.csv"
	assert_stderr 'not both'
}

@test "create: past 50 lines a visit is split; each part carries the diagnoses its lines point at, renumbered" {
	{
		echo 'mrn,date_of_service,provider,location,code,amount,dx,source_id'
		for i in $(seq 1 50); do
			echo "000201,$D,lee,main,36415,1.00,E11.9,S$i"
		done
		echo "000201,$D,lee,main,99213,80.00,I10,S51"
	} >"$OUT/lines.csv"
	pms-bill charge "$OUT/lines.csv" -o csv >/dev/null
	run -0 --separate-stderr pms-claim create --unbilled -o csv
	assert_line --index 1 --partial '1,C000001,draft,1,000201,1,'"$D"',acme,1,lee,main,1,2,1,50,E119,50.00,'
	assert_line --index 2 --partial '2,C000002,draft,1,000201,1,'"$D"',acme,1,lee,main,2,2,1,1,I10,80.00,'
	assert_stderr 'visit 1: 51 lines and 2 diagnoses: on 2 claims'
	run -0 pms-sql "SELECT claim_id, lx, charge_id, dx_pointers FROM
	    claim_lines WHERE lx IN (1, 50) OR claim_id = 2 ORDER BY id"
	assert_output $'1|1|1|1\n1|50|50|1\n2|1|51|1'
	run -0 --separate-stderr pms-claim validate -o csv
	assert_stderr 'pms-claim: 2 claims checked, 0 failed'
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	[ "$(seg "$OUT/b.837" CLM | wc -l)" -eq 2 ]
	[ "$(seg "$OUT/b.837" LX | wc -l)" -eq 51 ]
	run -0 seg "$OUT/b.837" HI
	assert_output $'HI*ABK:E119~\nHI*ABK:I10~'
	run -0 seg "$OUT/b.837" LX
	assert_line --index 49 'LX*50~'
	assert_line --index 50 'LX*1~'
	envelope_ok "$OUT/b.837"
	hl_ok "$OUT/b.837"
}

@test "create: a visit of more than 12 diagnoses is refused, none left off; --split-dx puts its lines on several claims (B19 ACCT043)" {
	# one visit, four lines of four, four, four and one diagnoses
	charge 1 --code 99213:25 --dx 'E11.9,I10,Z79.84,J06.9' >/dev/null
	charge 1 --code 36415 --dx 'M54.50,R51.9,K21.9,F41.9' >/dev/null
	charge 1 --code 81002 --dx 'E78.5,N39.0,L30.9,H10.45' >/dev/null
	charge 1 --code 99214 --dx 'G47.00' >/dev/null
	run -0 pms-sql "SELECT count(*) FROM visits"
	assert_output 1
	run -0 pms-sql "SELECT length(dx) - length(replace(dx, ',', '')) + 1
	    FROM visits"
	assert_output 13
	run -1 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'visit_id,claim\n1,ACCT043\n')
	assert_stderr 'pms-claim: visit 1: more than 12 diagnoses (13): a claim carries at most 12, and none is left out: code fewer, or put its lines on several claims with --split-dx'
	assert_stderr '0 claims made from 1 visit; 0 already claimed, 0 waiting for coding, 0 self-pay, 1 refused'
	run -0 pms-sql "SELECT count(*) FROM claims"
	assert_output 0
	run -0 --separate-stderr pms-claim create --split-dx - -o csv \
	    < <(printf 'visit_id,claim\n1,ACCT043\n')
	assert_line --index 1 --partial ',ACCT043,draft,1,000201,1,'"$D"',acme,1,lee,main,1,2,1,3,"E119,I10,Z7984,J069,M5450,R519,K219,F419,E785,N390,L309,H1045",'
	assert_line --index 2 --partial ',ACCT043-2,draft,1,000201,1,'"$D"',acme,1,lee,main,2,2,1,1,G4700,'
	run -0 pms-sql "SELECT c.clm01, l.lx, l.dx_pointers FROM claim_lines l
	    JOIN claims c ON c.id = l.claim_id ORDER BY l.id"
	assert_output $'ACCT043|1|1,2,3,4\nACCT043|2|5,6,7,8\nACCT043|3|9,10,11,12\nACCT043-2|1|1'
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	run -0 seg "$OUT/b.837" HI
	assert_line --index 0 'HI*ABK:E119*ABF:I10*ABF:Z7984*ABF:J069*ABF:M5450*ABF:R519*ABF:K219*ABF:F419*ABF:E785*ABF:N390*ABF:L309*ABF:H1045~'
	assert_line --index 1 'HI*ABK:G4700~'
	run -0 seg "$OUT/b.837" SV1
	assert_line --index 3 'SV1*HC:99214*150*UN*1***1~'
}

# ---- validate --------------------------------------------------------

@test "validate: a draft that passes becomes validated; the subscriber's missing sex and address are named, with the patient to fix" {
	charge 1 --code 99213 --dx I10 >/dev/null
	charge 2 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled 2>/dev/null >/dev/null
	run -1 --separate-stderr as biller pms-claim validate -o csv
	assert_output $'claim_id,claim,state,errors,warnings\n1,C000001,validated,0,0\n2,C000002,draft,2,0'
	assert_stderr - <<-'EOF'
	pms-claim: claim 2: 2010BA DMG03: the subscriber's sex is not recorded (F, M or X): set it on patient 2
	pms-claim: claim 2: 2010BA N3: the subscriber's address is missing: set it on patient 2
	pms-claim: 2 claims checked, 1 failed
	EOF
	[ "$(states)" = '1|validated 2|draft' ]
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action =
	    'claim.validate'"
	assert_output --partial 'claim.validate|'
	pms-patient update 2 --sex m --street '2 Ash Lane' --city Springfield \
	    --state OH --zip 45504 >/dev/null 2>&1
	run -0 --separate-stderr pms-claim validate 2 -o csv
	assert_output $'claim_id,claim,state,errors,warnings\n2,C000002,validated,0,0'
	# a validated claim that fails again is a draft again
	pms-patient update 2 --sex u >/dev/null 2>&1
	run -1 --separate-stderr pms-claim validate 2 -o csv
	assert_stderr 'claim 2: 2010BA DMG03'
	[ "$(states)" = '1|validated 2|draft' ]
	# no such claim
	run -1 --separate-stderr pms-claim validate 9
	assert_stderr 'pms-claim: no claim 9'
	run -64 --separate-stderr pms-claim validate x
	refute_phi "$stderr"
}

@test "validate: each rule of the practice, providers and payers names its loop, segment and where to fix it" {
	charge 1 --code 99213 --dx I10 --referring-name 'Ann Referrer' \
	    --referring-npi 1245319599 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	run -0 --separate-stderr pms-claim validate -o csv
	# what config load and pms-bill would never let in, put in the
	# store as an insider or an older version could have
	pms-sql "UPDATE providers SET npi = '1245319598', taxonomy = '207Q',
	    doc = json_set(doc, '\$.npi', '1245319598', '\$.taxonomy', '207Q')
	    WHERE code = 'lee';
	    UPDATE visits SET referring_npi = '1234567890';
	    UPDATE payers SET payer_id = '', filing_indicator = 'QQ',
	    doc = json_set(doc, '\$.payer_id', '', '\$.filing_indicator', 'QQ')
	    WHERE code = 'acme';
	    UPDATE charges SET code = '9921', modifiers = '2'"
	# (an unsent claim is made again from its charges: the claim's own
	# total can no longer disagree with its lines)
	run -1 --separate-stderr pms-claim validate 1 -o csv
	assert_output $'claim_id,claim,state,errors,warnings\n1,C000001,draft,7,0'
	assert_stderr - <<-'EOF'
	pms-claim: claim 1: 2010BB NM109: the payer's id is missing: set it on payer "acme" in the configuration
	pms-claim: claim 1: 2000B SBR09: the claim filing indicator is not one of the 837's: fix it on payer "acme" in the configuration
	pms-claim: claim 1: 2310B NM109: the rendering provider's NPI fails its check digit (Luhn over 80840 and its first nine digits): fix it on provider "lee" in the configuration
	pms-claim: claim 1: 2310B PRV03: the rendering provider's taxonomy is not a NUCC taxonomy code: fix it on provider "lee" in the configuration
	pms-claim: claim 1: 2310A NM109: the referring provider's NPI fails its check digit (Luhn over 80840 and its first nine digits): fix it on visit 1 (pms-bill code 1 --referring-name NAME --referring-npi NPI)
	pms-claim: claim 1: 2400 SV101-2 (line 1): not a CPT or HCPCS code: fix charge 1
	pms-claim: claim 1: 2400 SV101-3 (line 1): modifier 1 is not two capital letters or digits: fix charge 1
	pms-claim: 1 claim checked, 1 failed
	EOF
}

@test "validate: the billing provider's NPI, taxonomy, EIN, street address and ZIP+4, and the pay-to address" {
	charge 1 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	# the practice as an older version could have stored it
	pms-sql "UPDATE config SET doc = json_set(doc,
	    '\$.practice.npi', '1234567890',
	    '\$.practice.taxonomy', 'X',
	    '\$.practice.ein', '12-34567',
	    '\$.practice.address.street', 'PO Box 12',
	    '\$.practice.address.zip', '45502',
	    '\$.practice.pay_to.city', '')"
	run -1 --separate-stderr pms-claim validate 1 -o csv
	assert_stderr - <<-'EOF'
	pms-claim: claim 1: 2010AA NM109: the billing provider's NPI fails its check digit (Luhn over 80840 and its first nine digits): fix it on the practice in the configuration
	pms-claim: claim 1: 2000A PRV03: the billing provider's taxonomy is not a NUCC taxonomy code (three digits, six letters or digits, X): fix it on the practice in the configuration
	pms-claim: claim 1: 2010AA REF*EI: the billing provider's EIN is not nine digits: fix it on the practice in the configuration
	pms-claim: claim 1: 2010AA N301: the billing provider's address is a PO box: the 837 needs a street address here: fix it on the practice in the configuration
	pms-claim: claim 1: 2010AA N403: the billing provider's ZIP code needs its four more digits (ZIP+4): fix it on the practice in the configuration
	pms-claim: claim 1: 2010AB N401: the pay-to city is missing: set it on practice.pay_to in the configuration
	EOF
}

@test "validate: the patient's own loop when the subscriber is another; prior authorisation; timely filing warns; pointers and dates of service" {
	charge 3 --code 99213 --dx I10 >/dev/null
	charge 4 --code 99213 --dx I10 >/dev/null
	ON=$(date -d "$TODAY -100 days" +%F) charge 1 --code 99213 --dx I10 \
	    >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	run -1 --separate-stderr pms-claim validate -o csv
	assert_output $'claim_id,claim,state,errors,warnings\n1,C000001,validated,0,0\n2,C000002,draft,1,0\n3,C000003,validated,0,1'
	assert_stderr - <<-'EOF'
	pms-claim: claim 2: 2300 REF*G1: payer "medicaid" in the configuration needs a prior authorisation number: give it for visit 2 (pms-bill code 2 --prior-auth NUMBER)
	pms-claim: claim 3: warning: 2300: the date of service is 100 days ago, past the timely filing limit of payer "acme" in the configuration (90 days): send it with proof of timely filing, or write it off
	pms-claim: 3 claims checked, 1 failed
	EOF
	refute_phi "$stderr"
	# the patient who is not the subscriber, without a sex on record
	pms-patient update 3 --sex u >/dev/null 2>&1
	run -1 --separate-stderr pms-claim validate 1 -o csv
	assert_stderr "claim 1: 2010CA DMG03: the patient's sex is not recorded (F, M or X): set it on patient 3"
	# pointers past the diagnoses, more than four, twice the same (B19
	# ACCT042, ACCT044); a date of service ahead of today: an unsent
	# claim is made again from its charges, which are what is refused
	pms-sql "UPDATE charges SET dx_pointers = '1,4' WHERE id = 3"
	run -1 --separate-stderr pms-claim validate 3
	assert_stderr "visit 3: line 1 (charge 3): pointer 4 points past the visit's 1 diagnoses"
	pms-sql "UPDATE charges SET dx_pointers = '1,1,1,1,1' WHERE id = 3"
	run -1 --separate-stderr pms-claim validate 3
	assert_stderr "visit 3: line 1 (charge 3): more than 4 diagnosis pointers: a line points at one to four diagnoses"
	pms-sql "UPDATE charges SET dx_pointers = '1,1' WHERE id = 3"
	run -1 --separate-stderr pms-claim validate 3
	assert_stderr "visit 3: line 1 (charge 3): pointer 1 given more than once (duplicates)"
	pms-sql "UPDATE charges SET dx_pointers = '' WHERE id = 3"
	run -1 --separate-stderr pms-claim validate 3
	assert_stderr "visit 3: line 1 (charge 3) has no diagnosis pointer: code it first (pms-bill code 3)"
	pms-sql "UPDATE charges SET dx_pointers = '1',
	    dos = '$(date -d "$TODAY +2 days" +%F)' WHERE id = 3"
	run -1 --separate-stderr pms-claim validate 3
	assert_stderr "claim 3: 2400 DTP*472 (line 1): the date of service is in the future: a claim goes out after the visit"
}

# ---- export ----------------------------------------------------------

# Three validated claims: patient 1 (the subscriber), patient 3 (a
# child: her own HL 23) and patient 1 again, another day.
three_claims() {
	charge 1 --code 99213 --code 36415 --dx 'E11.9,I10' >/dev/null
	charge 3 --code 99214 --dx J06.9 >/dev/null
	ON=$(date -d "$D -1 day" +%F) charge 1 --code 81002 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	pms-claim validate >/dev/null 2>&1
}

@test "export: an 837P whose envelope adds up, HL parents right, the ISA in its fixed widths; the claims submitted only then" {
	three_claims
	run -0 --separate-stderr as biller pms-claim export --out "$OUT/b1.837"
	assert_output ''
	assert_stderr "pms-claim: batch 1: 3 claims (257.34), interchange 000000001, 1 transaction set from 0001, written to $OUT/b1.837"
	[ "$(stat -c %a "$OUT/b1.837")" = 600 ]
	# the ISA: 106 characters with its terminator, each field its width
	isa=$(head -n 1 "$OUT/b1.837")
	[ "${#isa}" -eq 106 ]
	[[ $isa == 'ISA*00*          *00*          *ZZ*RIVERSIDE01    *ZZ*CLEARHOUSE1    *'??????'*'????'*^*00501*000000001*0*T*:~' ]]
	run -0 awk -F'*' 'NR == 1 { for (i = 2; i <= NF; i++)
	    printf "%d ", length($i); print "" }' "$OUT/b1.837"
	assert_output '2 10 2 10 2 15 2 15 6 4 1 5 9 1 1 2 '
	envelope_ok "$OUT/b1.837"
	hl_ok "$OUT/b1.837"
	run -0 seg "$OUT/b1.837" HL
	assert_output $'HL*1**20*1~\nHL*2*1*22*0~\nHL*3*1*22*1~\nHL*4*3*23*0~\nHL*5*1*22*0~'
	run -0 seg "$OUT/b1.837" SBR
	assert_output $'SBR*P*18*******CI~\nSBR*P********BL~\nSBR*P*18*******CI~'
	run -0 seg "$OUT/b1.837" PAT
	assert_output 'PAT*19~'
	run -0 seg "$OUT/b1.837" CLM
	assert_output $'CLM*C000001*95***11:B:1*Y*A*Y*Y~\nCLM*C000002*150***11:B:1*Y*A*Y*Y~\nCLM*C000003*12.34***11:B:1*Y*A*Y*Y~'
	run -0 seg "$OUT/b1.837" REF
	assert_output $'REF*EI*123456789~\nREF*6R*C000001-1~\nREF*6R*C000001-2~\nREF*6R*C000002-1~\nREF*6R*C000003-1~'
	run -0 seg "$OUT/b1.837" DTP
	assert_line --index 0 "DTP*472*D8*$DX8~"
	[ "$(grep -c '' "$OUT/b1.837")" -eq "$(grep -o '~' "$OUT/b1.837" | wc -l)" ]
	# submitted, with their batch and history; charges billed
	[ "$(states)" = '1|submitted 2|submitted 3|submitted' ]
	run -0 pms-sql "SELECT id, isa13, status, claims, total_cents, path
	    FROM claim_batches"
	assert_output "1|1|sent|3|25734|$OUT/b1.837"
	run -0 pms-sql "SELECT claim_id, batch_id, st02 FROM claim_submissions
	    ORDER BY claim_id"
	assert_output $'1|1|1\n2|1|1\n3|1|1'
	run -0 pms-sql "SELECT to_state, batch_id, note FROM claim_history
	    WHERE claim_id = 2 ORDER BY id DESC LIMIT 1"
	assert_output 'submitted|1|sent in batch 1 (interchange 000000001)'
	run -0 pms-sql "SELECT count(*) FROM charges WHERE billed_on IS NULL"
	assert_output 0
	# two entries: what the file discloses, committed before it was
	# written, then the claims' move once it was
	run -0 pms-sql "SELECT a.action, a.fields, group_concat(p.patient_id)
	    FROM audit a JOIN audit_patient p ON p.audit_id = a.id WHERE
	    a.action = 'claim.export' GROUP BY a.id ORDER BY a.id"
	assert_output $'claim.export|last_name,first_name,middle_name,suffix,dob,sex,street,street2,city,state,zip,member_id,group_number,relationship,subscriber,dx,lines,claims|1,3\nclaim.export|state,billed_on|1,3'
	# nothing left to send: no batch, exit 0
	run -0 --separate-stderr pms-claim export --out "$OUT/b2.837"
	assert_stderr 'pms-claim: no claim to send'
	assert_not_exist "$OUT/b2.837"
}

@test "export: control numbers are never used twice, a resend and a failed run included" {
	three_claims
	pms-claim export --out "$OUT/b1.837" 2>/dev/null
	run -0 --separate-stderr pms-claim export --batch 1 --out "$OUT/b2.837"
	assert_stderr 'batch 2: 3 claims (257.34), interchange 000000002, 1 transaction set from 0002'
	# a run that fails has used its numbers too
	run -74 --separate-stderr pms-claim export --batch 1 --out /dev/full
	run -0 --separate-stderr pms-claim export --batch 1 --out "$OUT/b4.837"
	assert_stderr 'interchange 000000004, 1 transaction set from 0004'
	run -0 --separate-stderr pms-claim export 2 --out "$OUT/b5.837"
	assert_stderr 'batch 5: 1 claim (150.00), interchange 000000005'
	for f in b1 b2 b4 b5; do
		envelope_ok "$OUT/$f.837"
		hl_ok "$OUT/$f.837"
	done
	for f in 1:000000001:1 2:000000002:2 4:000000004:4 5:000000005:5; do
		IFS=: read -r n isa gs <<<"$f"
		[ "$(head -n 1 "$OUT/b$n.837" | cut -d'*' -f14)" = "$isa" ]
		[ "$(seg "$OUT/b$n.837" GS | cut -d'*' -f7)" = "$gs" ]
		[ "$(seg "$OUT/b$n.837" IEA)" = "IEA*1*$isa~" ]
	done
	[ "$(seg "$OUT/b2.837" ST)" = 'ST*837*0002*005010X222A1~' ]
	# every number once, in the store as in the files
	run -0 bash -c "cat '$OUT'/b[1245].837 | grep -E '^(ISA|ST)\*' |
	    awk -F'*' '\$1 == \"ISA\" { print \"i\" \$14 } \$1 == \"ST\" {
	    print \"s\" \$3 }' | sort | uniq -d"
	assert_output ''
	run -0 pms-sql "SELECT id, isa13, status, coalesce(resend_of, '-')
	    FROM claim_batches ORDER BY id"
	assert_output $'1|1|sent|-\n2|2|sent|1\n3|3|failed|1\n4|4|sent|1\n5|5|sent|-'
	run -0 pms-sql "SELECT group_concat(st02) FROM claim_sets"
	assert_output '1,2,3,4,5'
	run -0 pms-sql "SELECT name, next FROM claim_counters ORDER BY name"
	assert_output $'interchange|6\ntransaction|6'
	# a batch that is none
	run -1 --separate-stderr pms-claim export --batch 9
	assert_stderr 'batch 9'
	run -64 --separate-stderr pms-claim export --batch 1 2
	assert_stderr 'not both'
}

@test "export: a full disk or a broken pipe leaves the claims unsubmitted, the batch failed" {
	three_claims
	run -74 --separate-stderr pms-claim export --out /dev/full
	assert_stderr 'No space left on device'
	[ "$(states)" = '1|validated 2|validated 3|validated' ]
	run -74 --separate-stderr bash -c 'pms-claim export >/dev/full'
	[ "$(states)" = '1|validated 2|validated 3|validated' ]
	# a reader that went away before anything was written: the
	# program opens the store (an Argon2 unlock) long after true exits
	run -74 --separate-stderr bash -c \
	    'pms-claim export | true; exit ${PIPESTATUS[0]}'
	[ "$(states)" = '1|validated 2|validated 3|validated' ]
	run -0 pms-sql "SELECT id, status FROM claim_batches ORDER BY id"
	assert_output $'1|failed\n2|failed\n3|failed'
	run -0 pms-sql "SELECT count(*) FROM claim_history WHERE to_state =
	    'submitted'"
	assert_output 0
	run -0 pms-sql "SELECT count(*) FROM charges WHERE billed_on IS NOT
	    NULL"
	assert_output 0
	# and the next run sends them, with numbers of its own
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	assert_stderr 'batch 4: 3 claims (257.34), interchange 000000004'
	[ "$(states)" = '1|submitted 2|submitted 3|submitted' ]
	# to standard output, the file is the output
	charge 2 --code 99213 --dx I10 >/dev/null
	pms-patient update 2 --sex m --street '2 Ash Lane' --city Springfield \
	    --state OH --zip 45504 >/dev/null 2>&1
	pms-claim create --unbilled >/dev/null 2>&1
	pms-claim export >"$OUT/stdout.837" 2>/dev/null
	envelope_ok "$OUT/stdout.837"
	[ "$(seg "$OUT/stdout.837" CLM | cut -d'*' -f2)" = C000004 ]
}

@test "export: a claim that fails its checks is left out and goes back to draft; --dry-run writes and numbers nothing" {
	three_claims
	charge 2 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	run -1 --separate-stderr pms-claim export --dry-run --out "$OUT/d.837"
	assert_stderr 'claim 4: 2010BA DMG03'
	assert_stderr '3 claims (257.34) would be sent; nothing was written'
	assert_not_exist "$OUT/d.837"
	run -0 pms-sql "SELECT count(*) FROM claim_batches"
	assert_output 0
	run -1 --separate-stderr pms-claim export --out "$OUT/b.837"
	assert_stderr 'claim 4: 2010BA N3'
	assert_stderr 'pms-claim: 1 claim left out'
	[ "$(states)" = '1|submitted 2|submitted 3|submitted 4|draft' ]
	[ "$(seg "$OUT/b.837" CLM | wc -l)" -eq 3 ]
	refute_phi "$stderr"
}

@test "export: without a trading partner claims cannot go out (78)" {
	sed '/^trading_partner:/,/^$/d' "$TOP/share/demo/practice.yaml" \
	    >"$OUT/no-tp.yaml"
	pms-admin config load "$OUT/no-tp.yaml" >/dev/null 2>&1
	charge 1 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	run -78 --separate-stderr pms-claim export --out "$OUT/b.837"
	assert_stderr 'pms-claim: no trading_partner in the configuration: claims cannot be exported (pms.yaml(5))'
	[ "$(states)" = '1|draft' ]
}

@test "export: names and addresses cleaned of the delimiters and what X12 cannot carry; other separators, no line breaks" {
	pms-patient update 1 --street '1 Elm St*Apt 4~B' --city 'Spring:field' \
	    >/dev/null 2>&1
	sed -e 's/separators: {.*}/separators: { element: "|", component: ">", repetition: "!", segment: "~" }/' \
	    -e 's/newline: true/newline: false/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/sep.yaml"
	grep -q 'element: "|"' "$OUT/sep.yaml"
	run -0 --separate-stderr pms-admin config load "$OUT/sep.yaml"
	charge 1 --code 99213:25 --dx 'E11.9,I10' >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	run -0 --separate-stderr pms-claim export --out "$OUT/b.837"
	run -0 grep -c '' "$OUT/b.837"
	assert_output 1
	n=$(tr -cd '~' <"$OUT/b.837" | wc -c)
	tr '~' '\n' <"$OUT/b.837" >"$OUT/b.lines"
	run -0 head -c 110 "$OUT/b.837"
	assert_output --regexp '^ISA\|00\|          \|00\|          \|ZZ\|RIVERSIDE01    \|ZZ\|CLEARHOUSE1    \|[0-9]{6}\|[0-9]{4}\|!\|00501\|000000001\|0\|T\|>~GS\|'
	run -0 grep -E '^(N3|N4)\|' "$OUT/b.lines"
	assert_line --index 4 'N3|1 ELM ST APT 4 B'
	assert_line --index 5 'N4|SPRING FIELD|OH|45501'
	run -0 grep -E '^(HI|SV1)\|' "$OUT/b.lines"
	assert_output $'HI|ABK>E119|ABF>I10\nSV1|HC>99213>25|80|UN|1|||1>2'
	run -0 pms-claim inspect --summary -o csv "$OUT/b.837"
	assert_line --index 1 --partial ',837P,005010X222A1,RIVERSIDE01,CLEARHOUSE1,000000001,1,0001,'
	[ "$(pms-claim inspect -o csv "$OUT/b.837" | tail -n +2 | wc -l)" -eq "$n" ]
}

@test "export -> inspect: the round trip reads back every segment, claim, line and the total" {
	three_claims
	pms-claim export --out "$OUT/b.837" 2>/dev/null
	run -0 pms-claim inspect --summary -o csv "$OUT/b.837"
	assert_output - <<-'EOF'
	interchange,group,transaction,kind,version,sender,receiver,isa13,gs06,st02,segments,claims,lines,charge,paid,payment
	1,1,1,837P,005010X222A1,RIVERSIDE01,CLEARHOUSE1,000000001,1,0001,69,3,4,257.34,,
	EOF
	[ "$(sed -n '/^ST\*/,/^SE\*/p' "$OUT/b.837" | wc -l)" -eq 69 ]
	run -0 pms-claim inspect -o json "$OUT/b.837"
	[ "${#lines[@]}" -eq "$(grep -c '' "$OUT/b.837")" ]
	assert_line --index 0 --partial '"id":"ISA"'
	assert_line --partial '"id":"CLM","elements":9,"e01":"C000002","e02":"150","e03":"","e04":"","e05":"11:B:1"'
	# what list says of the claims is what the file carries
	run -0 pms-claim list --batch 1 -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f2 | xargs)" = 'C000001 C000002 C000003' ]
	# and a resend reads back the same claims under new numbers
	pms-claim export --batch 1 --out "$OUT/b2.837" 2>/dev/null
	run -0 pms-claim inspect --summary -o csv "$OUT/b2.837"
	assert_line --index 1 '1,1,1,837P,005010X222A1,RIVERSIDE01,CLEARHOUSE1,000000002,2,0002,69,3,4,257.34,,'
	diff <(sed -n '/^HL\*/,$p' "$OUT/b.837" | grep -v '^SE\|^GE\|^IEA') \
	    <(sed -n '/^HL\*/,$p' "$OUT/b2.837" | grep -v '^SE\|^GE\|^IEA')
}

# ---- list, show, status ----------------------------------------------

@test "list, show, status: claims by patient, state, payer, batch and dates; one with its history or lines; counts by state" {
	three_claims
	charge 2 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	pms-claim export 1 3 --out "$OUT/b.837" 2>/dev/null
	run -0 --separate-stderr as biller pms-claim list -o csv
	[ "${#lines[@]}" -eq 5 ]
	run -0 pms-claim list --mrn 000201 -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = '1 3' ]
	run -0 pms-claim list --patient 3 -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = 2 ]
	run -0 pms-claim list --state validated -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = 2 ]
	run -0 pms-claim list --state submitted --batch 1 -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = '1 3' ]
	run -0 pms-claim list --payer bluecross -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = '2 4' ]
	run -0 pms-claim list --from "$D" --to "$D" -o csv
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | xargs)" = '1 2 4' ]
	run -0 pms-sql "SELECT action, fields FROM audit WHERE action =
	    'claim.list' ORDER BY id DESC LIMIT 1"
	assert_output --partial 'claim.list|'
	run -64 --separate-stderr pms-claim list --state lost
	assert_stderr '--state: not a state of a claim'
	run -64 --separate-stderr pms-claim list --from 2026-13-01
	run -64 --separate-stderr pms-claim list --patient 1 --mrn 000201
	# show: the history, oldest first
	run -0 pms-claim show 1 -o csv
	# (and the chain of corrections: frequency, original_id,
	# replaced_by; tests/pms-claim-corrections.bats)
	assert_line --index 0 'claim_id,claim,state,patient_id,mrn,date_of_service,payer,lines,total,event,at,user,from,to,batch_id,note,frequency,original_id,replaced_by,payer_seq,prior_claim_id'
	assert_line --index 1 --regexp '^1,C000001,submitted,1,000201,'"$D"',acme,2,95.00,1,[0-9T:Z-]+,admin,,draft,,made,1,,,P,$'
	assert_line --index 2 --regexp '^1,C000001,submitted,.*,2,[0-9T:Z-]+,admin,draft,validated,,'
	assert_line --index 3 --regexp '^1,C000001,submitted,.*,3,[0-9T:Z-]+,admin,validated,submitted,1,sent in batch 1 \(interchange 000000001\),1,,,P,$'
	run -0 pms-claim show 1 --lines -o csv
	assert_output - <<-EOF
	claim_id,claim,line,control,charge_id,date_of_service,code,modifiers,units,amount,dx_pointers,dx
	1,C000001,1,C000001-1,1,$D,99213,,1,80.00,"1,2","E119,I10"
	1,C000001,2,C000001-2,2,$D,36415,,1,15.00,"1,2","E119,I10"
	EOF
	run -1 --separate-stderr pms-claim show 99
	assert_stderr 'pms-claim: no claim 99'
	run -0 pms-sql "SELECT count(*) FROM audit WHERE action = 'claim.show'"
	assert_output 2
	# status: every state, counted, with what the claims charge
	run -0 --separate-stderr pms-claim status -o csv
	assert_output - <<-'EOF'
	state,class,claims,total
	draft,unsent,1,100.00
	validated,unsent,1,150.00
	submitted,in-flight,2,107.34
	acknowledged,in-flight,0,0.00
	rejected,front-end,0,0.00
	paid,adjudicated,0,0.00
	partly-paid,adjudicated,0,0.00
	denied,adjudicated,0,0.00
	crossed-over,adjudicated,0,0.00
	closed,done,0,0.00
	replaced,superseded,0,0.00
	voided,superseded,0,0.00
	EOF
	[ -z "$stderr" ]
}

@test "merge: a patient merge moves the dropped patient's claims to the kept one" {
	charge 1 --code 99213 --dx I10 >/dev/null
	pms-claim create --unbilled >/dev/null 2>&1
	# the same person registered again, kept; the first record dropped
	pms-patient add --mrn 000299 --last-name Example --first-name Pat \
	    --dob 1980-01-15 --sex f --street '1 Elm Street' \
	    --city Springfield --state OH --zip 45501 >/dev/null 2>&1
	run -0 pms-sql "SELECT patient_id FROM claims"
	assert_output 1
	run -0 --separate-stderr pms-patient merge 6 1
	run -0 pms-sql "SELECT c.patient_id, p.patient_id FROM claims c
	    JOIN policies p ON p.id = c.policy_id"
	assert_output '6|6'
	run -0 pms-claim list --patient 6 -o csv
	assert_line --index 1 --partial '1,C000001,draft,6,000299,'
	run -0 pms-claim list --patient 1 -o csv
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr pms-claim validate 1 -o csv
	assert_output --partial '1,C000001,validated,0,0'
	# a policy a claim was made to is never removed
	run -1 --separate-stderr pms-patient policy remove 1
}

# ---- the real-world cases ---------------------------------------------

@test "B17: the ISA's fields padded to their widths, control numbers kept and never reused; a sender id of 16 refused, not cut" {
	sed -e 's/isa03: "00"/isa03: "01"/' -e 's/isa04: ""/isa04: "ABC"/' \
	    -e 's/sender_id: RIVERSIDE01/sender_id: SUBMIT01/' \
	    -e 's/receiver_id: CLEARHOUSE1/receiver_id: PAYER01/' \
	    -e 's/first_control_number: 1/first_control_number: 42/' \
	    -e 's/newline: true/newline: false/' \
	    "$TOP/share/demo/practice.yaml" >"$OUT/b17.yaml"
	pms-admin config load "$OUT/b17.yaml" >/dev/null 2>&1
	export TZ=America/New_York
	ON=2025-05-30 faketime '2025-06-02 10:15:00' \
	    pms-bill charge --patient 1 --on 2025-05-30 --provider lee \
	    --location main --code 99213 --dx I10 -o csv >/dev/null
	faketime '2025-06-02 10:15:00' pms-claim create --unbilled \
	    >/dev/null 2>&1
	run -0 --separate-stderr faketime '2025-06-02 10:15:00' \
	    pms-claim export --out "$OUT/b17.837"
	run -0 head -c 106 "$OUT/b17.837"
	assert_output 'ISA*00*          *01*ABC       *ZZ*SUBMIT01       *ZZ*PAYER01        *250602*1015*^*00501*000000042*0*T*:~'
	run -0 tail -c 30 "$OUT/b17.837"
	assert_output --partial 'GE*1*42~IEA*1*000000042~'
	tr '~' '\n' <"$OUT/b17.837" >"$OUT/b17.lines"
	envelope_ok "$OUT/b17.lines"
	grep -q '^GS\*HC\*SUBMIT01\*PAYER01\*20250602\*1015\*42\*X\*005010X222A1$' \
	    "$OUT/b17.lines"
	# the next batch is 43, even after a failed one took its number
	run -74 --separate-stderr faketime '2025-06-02 10:16:00' \
	    pms-claim export --batch 1 --out /dev/full
	run -0 --separate-stderr faketime '2025-06-02 10:17:00' \
	    pms-claim export --batch 1 --out "$OUT/b17b.837"
	run -0 head -c 106 "$OUT/b17b.837"
	assert_output --partial '*000000044*0*T*:~'
	run -0 pms-sql "SELECT group_concat(isa13) FROM claim_batches"
	assert_output '42,43,44'
	# loading the same configuration again does not restart the numbers
	pms-admin config load "$OUT/b17.yaml" >/dev/null 2>&1
	run -0 --separate-stderr faketime '2025-06-02 10:18:00' \
	    pms-claim export --batch 1 --out "$OUT/b17c.837"
	run -0 head -c 106 "$OUT/b17c.837"
	assert_output --partial '*000000045*0*T*:~'
	# a sender id of 16 characters is refused, never truncated
	sed 's/sender_id: SUBMIT01/sender_id: SUBMITTER-ID-0016/' \
	    "$OUT/b17.yaml" >"$OUT/b17-long.yaml"
	run -78 --separate-stderr pms-admin config load "$OUT/b17-long.yaml"
	assert_stderr 'trading_partner.sender_id: ISA06 longer than 15 characters'
}

@test "B19: every line points at one to four of the claim's diagnoses; HI carries them in order, SV107 the pointers" {
	# ACCT040: HI E119, I10, Z7984, the line pointing at 1 and 3 (the
	# 36415 line that brought I10 is voided before the claim)
	b=$(charge 1 --code 36415 --dx 'E11.9,I10')
	a=$(charge 1 --code 99213 --amount 125.00 --dx 'E11.9,Z79.84')
	pms-bill void "$b" --reason 'entered in error' >/dev/null 2>&1
	run -0 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'charge_id,claim\n%s,ACCT040\n' "$a")
	assert_line --index 1 --partial ',ACCT040,draft,1,000201,1,'"$D"',acme,1,lee,main,1,1,1,1,"E119,I10,Z7984",125.00,'
	# ACCT041: a line with no pointer: the visit is refused
	c=$(ON=$(date -d "$D -1 day" +%F) charge 1 --code 99213 --amount 125.00)
	run -1 --separate-stderr pms-claim create - -o csv \
	    < <(printf 'charge_id,claim\n%s,ACCT041\n' "$c")
	assert_stderr "visit 2: line 1 (charge $c) has no diagnosis pointer: code it first (pms-bill code $c)"
	assert_stderr '1 refused'
	run -0 --separate-stderr pms-claim validate -o csv
	run -0 --separate-stderr pms-claim export --out "$OUT/b19.837"
	run -0 seg "$OUT/b19.837" HI
	assert_output 'HI*ABK:E119*ABF:I10*ABF:Z7984~'
	run -0 seg "$OUT/b19.837" SV1
	assert_output 'SV1*HC:99213*125*UN*1***1:3~'
	# ACCT042 and ACCT044 (pointer past the diagnoses, five pointers)
	# are in the validate test above; ACCT043 in the 12-diagnosis test
	run -0 pms-sql "SELECT clm01 FROM claims"
	assert_output 'ACCT040'
}

# ---- bench-gen era: an 835 answering our own claims ------------------

@test "bench-gen era: an 835 answering our export: a set per payer, CO-45 and PR, a line denied, a claim reversed and paid again, every amount balancing" {
	three_claims
	pms-claim export --out "$OUT/b.837" 2>/dev/null
	run -0 --separate-stderr bench-gen --from "$OUT/b.837" --out "$OUT/g" era
	[ -z "$stderr" ]
	era="$OUT/g/remit.835"
	# our reader reads it: the acme set (claims 1 and 3), Blue Cross's
	# (claim 2), and two weeks on the reversal of claim 1 and its
	# payment again
	run -0 pms-claim inspect --summary -o csv "$era"
	assert_line --index 1 --regexp '^1,1,1,835,005010X221A1,CLEARHOUSE1,RIVERSIDE01,000000001,1,0001,[0-9]+,2,3,'
	assert_line --index 2 --regexp '^1,1,2,835,005010X221A1,CLEARHOUSE1,RIVERSIDE01,000000001,1,0002,[0-9]+,1,1,'
	assert_line --index 3 --regexp '^1,1,3,835,005010X221A1,CLEARHOUSE1,RIVERSIDE01,000000001,1,0003,[0-9]+,2,4,0.00,'
	tr -d '\n' <"$era" | tr '~' '\n' >"$OUT/era.lines"
	envelope_ok "$OUT/era.lines"
	run -0 grep -E '^CLP\*' "$OUT/era.lines"
	assert_line --index 0 --regexp '^CLP\*C000001\*1\*95\*'
	assert_line --index 1 --regexp '^CLP\*C000003\*1\*12.34\*'
	assert_line --index 2 --regexp '^CLP\*C000002\*4\*150\*0\*\*'
	assert_line --index 3 --regexp '^CLP\*C000001\*22\*-95\*-'
	assert_line --index 4 --regexp '^CLP\*C000001\*1\*95\*'
	grep -q '^CAS\*CO\*50\*150$' "$OUT/era.lines"
	grep -q '^CAS\*CO\*45\*' "$OUT/era.lines"
	grep -qE '^CAS\*PR\*[123]\*' "$OUT/era.lines"
	# the lines keep their control numbers
	run -0 grep -c '^REF\*6R\*C00000[123]-[12]$' "$OUT/era.lines"
	assert_output 8
	# every claim and line balances, each set's BPR02 is its payments
	run -0 awk -F'*' '
	function c(s,   neg, p) {
		neg = s ~ /^-/; sub(/^-/, "", s); split(s, p, ".")
		if (length(p[2]) == 1) p[2] = p[2] "0"
		return (neg ? -1 : 1) * (p[1] * 100 + p[2])
	}
	function close_claim() {
		if (clp != "" && ch - pd != adj) { print "claim " clp; bad = 1 }
		if (svc != "" && sch - spd != sadj) { print "line " svc; bad = 1 }
		clp = ""; svc = ""
	}
	$1 == "ST" { paid = 0 }
	$1 == "BPR" { bpr = c($3) }
	$1 == "CLP" { close_claim(); clp = $2; ch = c($4); pd = c($5); adj = 0
	    paid += pd }
	$1 == "SVC" { if (svc != "" && sch - spd != sadj) { print "line " svc
	    bad = 1 } svc = $2; sch = c($3); spd = c($4); sadj = 0 }
	$1 == "CAS" { adj += c($4); sadj += c($4) }
	$1 == "SE" { close_claim(); if (paid != bpr) { print "BPR " bpr; bad = 1 } }
	END { exit bad }' "$OUT/era.lines"
	# the same 837 and seed give the same bytes; another seed another
	bench-gen --from "$OUT/b.837" --out "$OUT/g2" era
	cmp "$era" "$OUT/g2/remit.835"
	bench-gen --seed 2 --from "$OUT/b.837" --out "$OUT/g3" era
	! cmp -s "$era" "$OUT/g3/remit.835"
	# era needs its 837
	run -64 --separate-stderr bench-gen --out "$OUT/g4" era
	assert_stderr 'bench-gen: era: --from BATCH.837 names the claims to answer'
	run -65 --separate-stderr bench-gen --from "$FIX/bill/fees.csv" --out "$OUT/g4" era
	assert_stderr 'no ISA'
}

@test "create: no configuration is 78, even with nothing to claim (E21 j)" {
	local d="$BATS_TEST_TMPDIR/bare"
	mkdir "$d"
	export PMS_STORE="$d/store" PMS_USER=admin
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	printf '%s\n' 'correct horse battery staple' >"$PMS_PASSPHRASE_FILE"
	pms-admin init --kdf interactive >/dev/null 2>&1
	run -78 --separate-stderr pms-claim create --unbilled -o csv
	# the header at most, no claim
	refute_output --partial $'\n'
	assert_equal "$stderr" 'pms-claim: the practice has no configuration yet: load one with "pms-admin config load FILE"'
	run -0 pms-sql "SELECT count(*) FROM claims"
	assert_output 0
}
