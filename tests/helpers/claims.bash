# Helpers for the tests of claims and their answers: a practice with
# patients and policies, and claims sent to payers, made through the
# programs themselves (pms-bill charge, pms-claim create, validate and
# export), so that an 835 or an acknowledgement has something to answer.

# The practice: the demo configuration and fees, and patients 1 to 4
# (MRNs A-1 .. A-4), each with a primary policy: 1 acme, 2 bluecross,
# 3 acme with a secondary bluecross, 4 medicare.  Run as admin.
claims_practice() {
	local i names=(x Ann Bea Cal Dee)
	pms-admin config load "$TOP/share/demo/practice.yaml" >/dev/null 2>&1
	pms-bill fees import "$TOP/share/demo/fees.csv" >/dev/null 2>&1
	for i in 1 2 3 4; do
		pms-patient add --mrn "A-$i" --last-name Zztest \
		    --first-name "${names[$i]}" --dob 1980-01-1"$i" --sex f \
		    --street "$i Elm Street" --city Springfield --state OH \
		    --zip 45502 >/dev/null
	done
	pms-patient policy add 1 --payer acme --member-id XK0001 \
	    --from 2020-01-01 >/dev/null
	pms-patient policy add 2 --payer bluecross --member-id BC0002 \
	    --from 2020-01-01 >/dev/null
	pms-patient policy add 3 --payer acme --member-id XK0003 \
	    --from 2020-01-01 >/dev/null
	pms-patient policy add 3 --payer bluecross --member-id BC0003 \
	    --priority secondary --from 2020-01-01 >/dev/null
	pms-patient policy add 4 --payer medicare --member-id 1EG4TE5MK73 \
	    --from 2020-01-01 >/dev/null
}

# A claim sent: claim_sent CLM01 PATIENT CODE:AMOUNT [CODE:AMOUNT ...]
# charges the lines (10 days ago, lee at main, diagnosis E11.9: or
# $CLAIM_DAYS_AGO days ago, $CLAIM_PROVIDER at $CLAIM_LOCATION), makes
# the claim with that CLM01, validates and exports it (a batch of its
# own, into $BATS_TEST_TMPDIR/CLM01.837).  Prints the claim id.
claim_sent() {
	local clm=$1 patient=$2 dos ids='' line id
	shift 2
	dos=$(date -d "-${CLAIM_DAYS_AGO:-10} days" +%F)
	for line in "$@"; do
		id=$(pms-bill charge --patient "$patient" --on "$dos" \
		    --provider "${CLAIM_PROVIDER:-lee}" \
		    --location "${CLAIM_LOCATION:-main}" --code "${line%%:*}" \
		    --amount "${line#*:}" --dx E11.9 -o csv | sed -n 2p |
		    cut -d, -f1)
		ids="$ids$id "
	done
	id=${ids%% *}
	printf 'charge_id,claim\n%s,%s\n' "$id" "$clm" |
	    pms-claim create -o csv - 2>/dev/null | sed -n 2p | cut -d, -f1 \
	    >"$BATS_TEST_TMPDIR/claim-id"
	id=$(cat "$BATS_TEST_TMPDIR/claim-id")
	pms-claim validate "$id" -o csv >/dev/null 2>&1
	pms-claim export "$id" --out "$BATS_TEST_TMPDIR/$clm.837" \
	    >/dev/null 2>&1
	echo "$id"
}

# The ledger's balances of charge $1 by party, as "party:payer:amount"
# lines (amount in cents), through the test helper's SQL.
balances_of() {
	pms-sql "SELECT b.party || ':' || coalesce(y.code, '') || ':' ||
	    b.amount_cents FROM balances b LEFT JOIN payers y ON y.id =
	    b.payer_id WHERE b.charge_id = $1 ORDER BY b.party, y.code"
}

# An 835 of one transaction set around the segments on standard input
# (one a line, "~" included), SE counted: era_file ISA13 BPR02 TRN02
# [BPR04].  Payer "EXAMPLE HEALTH PLAN", paid on 2025-06-10.
era_file() {
	local isa=$1 pay=$2 trace=$3 method=${4:-CHK} body n
	body=$(cat)
	n=$(($(grep -c . <<<"$body") + 6))
	printf 'ISA*00*          *00*          *ZZ*PAYERA         *ZZ*CLINIC01       *250610*0900*^*00501*%09d*0*P*:~\n' "$isa"
	printf 'GS*HP*PAYERA*CLINIC01*20250610*0900*%d*X*005010X221A1~\n' "$isa"
	printf 'ST*835*0001~\nBPR*I*%s*C*%s************20250610~\n' "$pay" "$method"
	printf 'TRN*1*%s*1512345678~\nN1*PR*EXAMPLE HEALTH PLAN~\n' "$trace"
	printf 'N1*PE*DEMO CLINIC*XX*1234567893~\n'
	printf '%s\n' "$body"
	printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$isa" "$isa"
}
