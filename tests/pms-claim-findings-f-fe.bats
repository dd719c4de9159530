#!/usr/bin/env bats
# bats file_tags=pms-claim
#
# Findings F27 and F23 of the trial of the insurance side after the
# first claim:
# a correction (replacement or void) made by mistake and not sent yet
# is withdrawn by pms-claim void, and the next export does not send it;
# a void sent is answered by the reversal of its original.

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
}

reconciles() {
	run -0 --separate-stderr pms-bill check
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

@test "F27: pms-claim void of an unsent replacement withdraws it; the original stays as it was and the next export sends nothing" {
	c=$(paid_claim K27 71)
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	[ "$(pms-sql "SELECT state || ':' || frequency FROM claims WHERE id = $r")" = draft:7 ]
	run -0 --separate-stderr pms-claim void "$r" -o csv
	assert_line --index 1 --partial "$r,"
	assert_line --index 1 --partial ',voided,'
	assert_stderr - <<EOF
pms-claim: claim $r: withdrawn, never sent (frequency 7, now voided); claim $c stays as it was
pms-claim: 0 claims to validate and export, 1 withdrawn
EOF
	run -0 pms-sql "SELECT id || ':' || state || ':' || frequency FROM claims ORDER BY id"
	assert_output - <<EOF
$c:paid:1
$r:voided:7
EOF
	run -0 pms-sql "SELECT from_state || '>' || to_state || ' ' || note FROM claim_history WHERE claim_id = $r ORDER BY id DESC LIMIT 1"
	assert_output "draft>voided never sent: withdrawn (void); claim $c stays paid"
	run -0 pms-sql "SELECT from_state || '>' || to_state || ' ' || note FROM claim_history WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	assert_output "paid>paid its replacement, claim $r (frequency 7), withdrawn, never sent"
	# nothing left to send: export sends no claim, the original stays paid
	run -0 --separate-stderr pms-claim export --out "$BATS_TEST_TMPDIR/b.837"
	assert_stderr 'pms-claim: no claim to send'
	[ ! -e "$BATS_TEST_TMPDIR/b.837" ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = paid ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $r")" = voided ]
	# and the original can be corrected again
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	reconciles
}

@test "F27: pms-claim void of an unsent (validated) void withdraws it; the original can be voided again" {
	c=$(paid_claim K28 72)
	run -0 --separate-stderr pms-claim void "$c" -o csv
	v=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	run -0 --separate-stderr pms-claim validate "$v" -o csv
	[ "$(pms-sql "SELECT state || ':' || frequency FROM claims WHERE id = $v")" = validated:8 ]
	run -0 --separate-stderr pms-claim void "$v" -o csv
	assert_stderr - <<EOF
pms-claim: claim $v: withdrawn, never sent (frequency 8, now voided); claim $c stays as it was
pms-claim: 0 claims to validate and export, 1 withdrawn
EOF
	run -0 pms-sql "SELECT id || ':' || state || ':' || frequency FROM claims ORDER BY id"
	assert_output - <<EOF
$c:paid:1
$v:voided:8
EOF
	run -0 pms-sql "SELECT note FROM claim_history WHERE claim_id = $c ORDER BY id DESC LIMIT 1"
	assert_output "its void, claim $v (frequency 8), withdrawn, never sent"
	run -0 --separate-stderr pms-claim void "$c" -o csv
	[ "$(pms-sql "SELECT count(*) FROM claims WHERE original_id = $c AND state = 'draft'")" = 1 ]
	reconciles
}

@test "F27: --dry-run withdraws nothing" {
	c=$(paid_claim K29 73)
	run -0 --separate-stderr pms-claim resubmit "$c" -o csv
	r=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	run -0 --separate-stderr pms-claim void "$r" --dry-run -o csv
	[[ $stderr == *'1 withdrawn (--dry-run: nothing was written)'* ]]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $r")" = draft ]
}

@test "F27: a correction sent is not withdrawn: void of a sent void is refused" {
	c=$(paid_claim K30 74)
	run -0 --separate-stderr pms-claim void "$c" -o csv
	v=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	run -0 --separate-stderr pms-claim validate "$v" -o csv
	run -0 --separate-stderr pms-claim export "$v" --out "$BATS_TEST_TMPDIR/v.837"
	run -1 --separate-stderr pms-claim void "$v" -o csv
	assert_stderr "pms-claim: claim $v is a void (frequency 8): nothing to void"
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $v")" = submitted ]
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $c")" = voided ]
}

clm01_of() {
	pms-sql "SELECT clm01 FROM claims WHERE id = $1"
}

# Claim CLM01 $1 paid (835 ISA13 $2), voided and the void sent: prints
# "original void".
void_sent() {
	local c v
	c=$(paid_claim "$1" "$2")
	pms-claim void "$c" -o csv >/dev/null 2>&1
	v=$(pms-sql "SELECT id FROM claims WHERE original_id = $c")
	pms-claim validate "$v" -o csv >/dev/null 2>&1
	pms-claim export "$v" --out "$BATS_TEST_TMPDIR/v$1.837" \
	    >/dev/null 2>&1
	echo "$c $v"
}

# The payer's reversal (835 ISA13 $2) of the posting of claim K$1 (paid
# 107.00, CLP07 PCNK$1), its CLP01 $3, the money taken back by a PLB
# WO of the check.
reversal_835() {
	era_file "$2" 0 "R$1" <<EOS
LX*1~
CLP*$3*22*-107*-107*0*12*PCNK$1~
SVC*HC:99213*-92*-92**1~
REF*6R*K$1-1~
SVC*HC:36415*-15*-15**1~
REF*6R*K$1-2~
PLB*1234567893*20251231*WO:PCNK$1*-107~
EOS
}

void_answered_checks() {
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE claim_id = $c AND reversed_by IS NOT NULL")" = 1 ]
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE claim_id = $v")" = 0 ]
	run -0 pms-sql "SELECT id || ':' || state || ':' || frequency FROM claims WHERE id IN ($c, $v) ORDER BY id"
	assert_output - <<EOF
$c:voided:1
$v:acknowledged:8
EOF
	run -0 pms-sql "SELECT from_state || '>' || to_state || ' ' || note FROM claim_history WHERE claim_id = $v ORDER BY id DESC LIMIT 1"
	assert_output "submitted>acknowledged 835 reversal (CLP02 22) of claim $c: the void is answered"
	reconciles
}

@test "F23: the reversal quoting the void's own CLM01 posts against the original, and the void is acknowledged" {
	read -r c v < <(void_sent K31 81)
	[ "$(pms-sql "SELECT state FROM claims WHERE id = $v")" = submitted ]
	reversal_835 31 82 "$(clm01_of "$v")" >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	assert_line --index 1 --partial ",$c,"
	assert_line --index 1 --partial ',reversed,'
	void_answered_checks
	# read again: nothing done twice
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	[ "$(pms-sql "SELECT count(*) FROM claim_remit_claims WHERE claim_id = $c")" = 2 ]
	void_answered_checks
}

@test "F23: the reversal quoting the original's CLM01 posts, and the void is acknowledged" {
	read -r c v < <(void_sent K32 83)
	reversal_835 32 84 K32 >"$BATS_TEST_TMPDIR/r.835"
	run -0 --separate-stderr pms-claim era "$BATS_TEST_TMPDIR/r.835" -o csv
	assert_line --index 1 --partial ',reversed,'
	void_answered_checks
}
