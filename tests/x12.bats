#!/usr/bin/env bats
# bats file_tags=x12,pms-claim
# The X12 reader and writer (lib/x12.c) through pms-claim inspect and
# the pms-x12 helper: every external sample's expected outcome
# (tests/fixtures/x12-expect.tsv), the real-world cases B17, B20 and
# B23, the writer's round trip, and bad input.  No store is needed:
# inspect never opens one.

load helpers/common

FIX="$TOP/tests/fixtures"
EXT="$FIX/external"

# The rows of the expectations, comments left out.
rows() {
	grep -v '^#' "$FIX/x12-expect.tsv"
}

# What --summary -o csv of file $1 says, in the TSV's columns:
# interchanges, sets, kinds, claims, lines, charge, paid, payment.
# Amounts are summed in integer cents, as the TSV writes them.
summary_of() {
	pms-claim inspect --summary -o csv "$1" | tail -n +2 | awk -F, '
	function cents(s,   neg, p) {
		neg = s ~ /^-/
		sub(/^-/, "", s)
		split(s, p, ".")
		return (neg ? -1 : 1) * (p[1] * 100 + p[2])
	}
	function money(v, has,   neg) {
		if (!has)
			return "-"
		neg = v < 0
		if (neg)
			v = -v
		return sprintf("%s%d.%02d", neg ? "-" : "", int(v / 100),
		    v % 100)
	}
	{
		isa[$1] = 1
		n++
		if (!($4 in seen)) {
			seen[$4] = 1
			kinds = kinds (kinds == "" ? "" : ",") $4
		}
		c += $12
		l += $13
		if ($14 != "") {
			hc = 1
			ch += cents($14)
		}
		if ($16 != "") {
			hp = 1
			pd += cents($15)
			py += cents($16)
		}
	}
	END {
		for (k in isa)
			ni++
		printf "%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s\n", ni, n, kinds, c, l,
		    money(ch, hc), money(pd, hp), money(py, hp)
	}'
}

# An 835 in the shape of case B20: two transaction sets in one group.
b20() {
	cat <<'EOF'
ISA*00*          *00*          *ZZ*PAYERA         *ZZ*CLINIC01       *250610*0900*^*00501*000000101*0*P*:~
GS*HP*PAYERA*CLINIC01*20250610*0900*101*X*005010X221A1~
ST*835*0001~
BPR*I*80*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20250610~
TRN*1*EFT1001*1512345678~
N1*PR*EXAMPLE HEALTH PLAN~
N1*PE*DEMO CLINIC*XX*1234567893~
LX*1~
CLP*ACCT001*1*100*80*20*12*PCN0001~
NM1*QC*1*EXAMPLE*PAT****MI*MEM0001~
SVC*HC:99213*100*80**1~
DTM*472*20250601~
CAS*PR*2*20~
SE*12*0001~
ST*835*0002~
BPR*I*45*C*CHK************20250610~
TRN*1*CHK2002*1512345678~
N1*PR*SAMPLE COUNTY PLAN~
N1*PE*DEMO CLINIC*XX*1234567893~
LX*1~
CLP*ACCT002*1*60*45*0*MC*PCN0002~
CAS*CO*45*15~
NM1*QC*1*SAMPLE*SAM****MI*MEM0002~
SE*10*0002~
GE*2*101~
IEA*1*000000101~
EOF
}

# Case B23: every segment followed by CR LF, an empty line and a line of
# three spaces between the interchanges, the second with "|" and ">",
# and the file ending in CR LF CR LF.
b23() {
	{
		cat <<'EOF'
ISA*00*          *00*          *ZZ*PAYERA         *ZZ*CLINIC01       *250620*1200*^*00501*000000201*0*P*:~
GS*HP*PAYERA*CLINIC01*20250620*1200*201*X*005010X221A1~
ST*835*0001~
BPR*I*40*C*CHK************20250620~
TRN*1*CHK5001*1512345678~
N1*PR*EXAMPLE HEALTH PLAN~
N1*PE*DEMO CLINIC*XX*1234567893~
LX*1~
CLP*ACCT0050*1*40*40*0*12*PCN0050~
NM1*QC*1*EXAMPLE*LISA****MI*MEM0050~
SVC*HC:99212*40*40**1~
SE*10*0001~
GE*1*201~
IEA*1*000000201~

   
ISA|00|          |00|          |ZZ|PAYERA         |ZZ|CLINIC01       |250620|1200|^|00501|000000202|0|P|>~
GS|HP|PAYERA|CLINIC01|20250620|1200|202|X|005010X221A1~
ST|835|0001~
BPR|I|40|C|CHK||||||||||||20250620~
TRN|1|CHK5002|1512345678~
N1|PR|EXAMPLE HEALTH PLAN~
N1|PE|DEMO CLINIC|XX|1234567893~
LX|1~
CLP|ACCT0051|1|40|40|0|12|PCN0051~
NM1|QC|1|SAMPLE|NARCISA||||MI|MEM0051~
SVC|HC>99212|40|40||1~
SE|10|0001~
GE|1|202~
IEA|1|000000202~
EOF
		echo
	} | sed 's/$/\r/'
}

# The column named $2 of the CSV rows in file $1 whose id is $3.
column_of() {
	awk -F, -v col="$2" -v id="$3" 'NR == 1 {
		for (i = 1; i <= NF; i++)
			if ($i == col)
				c = i
		next
	} $7 == id { print $c }' "$1"
}

@test "every external X12 sample: its expected outcome" {
	local path outcome ni ns kinds segs claims nlines charge paid payment
	local msg why got want n=0
	local -a bad=()

	while IFS=$'\t' read -r path outcome ni ns kinds segs claims nlines \
	    charge paid payment msg why; do
		n=$((n + 1))
		f="$EXT/$path"
		if [ ! -f "$f" ]; then
			bad+=("$path: no such file")
			continue
		fi
		if [ "$outcome" = read ]; then
			run --separate-stderr pms-claim inspect --summary \
			    -o csv "$f"
			if [ "$status" -ne 0 ]; then
				bad+=("$path: --summary exit $status: $stderr")
				continue
			fi
			got=$(summary_of "$f")
			want=$(printf '%s\t' "$ni" "$ns" "$kinds" "$claims" \
			    "$nlines" "$charge" "$paid")
			want+=$payment
			[ "$got" = "$want" ] ||
			    bad+=("$path: summary $got, expected $want")
			run --separate-stderr pms-claim inspect -o csv "$f"
			if [ "$status" -ne 0 ] ||
			    [ "$(($(wc -l <<<"$output") - 1))" != "$segs" ]; then
				bad+=("$path: inspect: exit $status or not" \
				    "$segs segments")
			fi
			run --separate-stderr pms-x12 roundtrip "$f"
			[ "$status" -eq 0 ] ||
			    bad+=("$path: round trip: $stderr")
		else
			for mode in '' --summary; do
				run --separate-stderr pms-claim inspect $mode \
				    -o csv "$f"
				if [ "$status" -ne 65 ]; then
					bad+=("$path: $mode exit $status, not 65")
				elif [[ $stderr != "pms-claim: $f: "*"$msg"* ]]; then
					bad+=("$path: $mode message: $stderr")
				fi
				refute_phi "$stderr"
			done
		fi
	done < <(rows)
	[ "$n" -ge 70 ]
	if [ ${#bad[@]} -gt 0 ]; then
		printf '%s\n' "${bad[@]}"
		false
	fi
}

@test "every X12 file copied in has a row, and every row its file" {
	# (the Synthea spreadsheets are not X12: pms-patient's fixtures)
	diff -u <(cd "$EXT" && find . -type f ! -path './synthea/*' |
	    sed 's|^\./||' | sort) \
	    <(rows | cut -f1 | sort)
	# and each is the shared file, byte for byte, where that is at hand
	if [ -d "$TOP/../shared/data/external" ]; then
		while read -r p; do
			cmp "$EXT/$p" "$TOP/../shared/data/external/$p"
		done < <(rows | cut -f1)
	fi
}

@test "every copied file has a NOTICE row with its source and licence" {
	while read -r p; do
		grep -qF "| tests/fixtures/external/$p | " "$TOP/NOTICE" ||
		    fail "no NOTICE row for $p"
	done < <(rows | cut -f1)
	for f in "$TOP"/fuzz/corpus/fuzz-x12/*; do
		# pms-*: seeds of our own, written by the tests' helper
		[[ ${f##*/} == pms-* ]] && continue
		grep -qF "| fuzz/corpus/fuzz-x12/${f##*/} | " "$TOP/NOTICE" ||
		    fail "no NOTICE row for ${f##*/}"
	done
	# the answers' seeds: ours are tests-* and answers-*
	for f in "$TOP"/fuzz/corpus/fuzz-era/* "$TOP"/fuzz/corpus/fuzz-ack/*; do
		[[ ${f##*/} == tests-* || ${f##*/} == answers-* ]] && continue
		p=${f#"$TOP"/}
		grep -qF "| $p | " "$TOP/NOTICE" || fail "no NOTICE row for $p"
	done
	# nothing under the GPL is copied in
	run ! grep -E '^\| .*codes-openemr' "$TOP/NOTICE"
	[ ! -e "$EXT/codes-openemr" ]
}

@test "ISA11 U is no repetition separator: names with U stay whole" {
	# x12_valid.txt says SE*25 for its 34 segments (imsweb does not
	# check SE01): a copy with the count put right, derived here
	sed 's/^SE\*25\*/SE*34*/' "$EXT/imsweb-x12-parser/837P/x12_valid.txt" \
	    >"$BATS_TEST_TMPDIR/valid.837"
	run -0 pms-x12 dump "$BATS_TEST_TMPDIR/valid.837"
	assert_line 'NM1 [["PR"]] [["2"]] [["HEALTH INSURANCE COMPANY"]] [[""]] [[""]] [[""]] [[""]] [["PI"]] [["11122333"]]'
	assert_line --partial 'SBR [["P"]] [[""]] [["SUBSCRIBER GROUP"]]'
	assert_line --partial 'SV1 [["HC","99211","25"]]'
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/valid.837"
	[ "$(column_of <(echo "$output") e06 ISA)" = '"SUBMITTERS.ID  "' ]
	run -0 pms-claim inspect --summary -o csv \
	    "$BATS_TEST_TMPDIR/valid.837"
	assert_line --index 1 '1,1,1,837P,005010X222A1,SUBMITTERS.ID,RECEIVERS.ID,000000905,1,987654,34,2,2,1000.00,,'
	# the other separators' copy reads the same
	sed 's/^SE~25~/SE~34~/' \
	    "$EXT/imsweb-x12-parser/837P/x12_valid_different_separators.txt" \
	    >"$BATS_TEST_TMPDIR/other.837"
	run -0 pms-x12 dump "$BATS_TEST_TMPDIR/other.837"
	assert_line 'NM1 [["PR"]] [["2"]] [["HEALTH INSURANCE COMPANY"]] [[""]] [[""]] [[""]] [[""]] [["PI"]] [["11122333"]]'
	diff <(pms-x12 dump "$BATS_TEST_TMPDIR/valid.837" | tail -n +2) \
	    <(pms-x12 dump "$BATS_TEST_TMPDIR/other.837" | tail -n +2)
}

@test "a repetition separator splits, whichever ISA11 declares" {
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*U*00501*7*0*T*:' \
	    'GS*HC*A*B*20250602*1015*7*X*005010X222A1' 'ST*837*0001' \
	    'REF*X*A^B:C^D' 'NM1*QC*1*DU^PONT' 'SE' 'GE' 'IEA' \
	    >"$BATS_TEST_TMPDIR/in"
	pms-x12 write --repetition '!' <"$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/bang.x12"
	run -0 pms-x12 dump "$BATS_TEST_TMPDIR/bang.x12"
	assert_line 'REF [["X"]] [["A"],["B","C"],["D"]]'
	grep -qF 'REF*X*A!B:C!D~' "$BATS_TEST_TMPDIR/bang.x12"
	# with no repetition separator (ISA11 U), "^" is not one: the writer
	# refuses a repetition, and "^" in data is refused by neither
	run -65 --separate-stderr pms-x12 write --repetition none \
	    <"$BATS_TEST_TMPDIR/in"
	assert_stderr 'line 4: segment 4 (REF): a repetition, but the delimiters have no repetition separator'
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*U*00501*7*0*T*>' \
	    'GS*HC*A*B*20250602*1015*7*X*005010X222A1' 'ST*837*0001' \
	    'SE' 'GE' 'IEA' | pms-x12 write --repetition none \
	    --component '>' --eol lf >"$BATS_TEST_TMPDIR/u.x12"
	sed 's/^SE\*2/NM1*QC*1*DU^PONT*UU~SE*3/' "$BATS_TEST_TMPDIR/u.x12" \
	    >"$BATS_TEST_TMPDIR/u2.x12"
	run -0 pms-x12 dump "$BATS_TEST_TMPDIR/u2.x12"
	assert_line 'NM1 [["QC"]] [["1"]] [["DU^PONT"]] [["UU"]]'
	assert_line --partial 'ISA [["00"]]'
	[[ $(head -c 106 "$BATS_TEST_TMPDIR/u.x12") == *'*U*00501*'* ]]
}

@test "B17: the ISA is padded to its fixed widths, 106 bytes, never cut" {
	# trading partner: ISA01 00, ISA02 empty, ISA03 01, ISA04 ABC,
	# sender SUBMIT01, receiver PAYER01, usage T, control number 42, a
	# batch on 2025-06-02 at 10:15
	printf '%s\n' \
	    'ISA*00**01*ABC*ZZ*SUBMIT01*ZZ*PAYER01*250602*1015*^*00501*42*0*T*:' \
	    'GS*HC*SUBMIT01*PAYER01*20250602*1015*42*X*005010X222A1' \
	    'ST*837*0001*005010X222A1' 'BHT*0019*00*B42*20250602*1015*CH' \
	    'SE' 'GE' 'IEA' >"$BATS_TEST_TMPDIR/in"
	run -0 pms-x12 write --eol lf <"$BATS_TEST_TMPDIR/in"
	assert_line --index 0 'ISA*00*          *01*ABC       *ZZ*SUBMIT01       *ZZ*PAYER01        *250602*1015*^*00501*000000042*0*T*:~'
	[ "${#lines[0]}" -eq 106 ]
	assert_line --index 4 'SE*3*0001~'
	assert_line --index 5 'GE*1*42~'
	assert_line --index 6 'IEA*1*000000042~'
	# and it reads back: IEA02 = ISA13, GE02 = GS06, SE02 = ST02
	echo "$output" >"$BATS_TEST_TMPDIR/b17.x12"
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/b17.x12"
	assert_line --index 1 '1,1,1,837P,005010X222A1,SUBMIT01,PAYER01,000000042,42,0001,3,0,0,0.00,,'
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/b17.x12"
	[ "$(column_of <(echo "$output") e02 ISA)" = '"          "' ]
	[ "$(column_of <(echo "$output") e04 ISA)" = '"ABC       "' ]

	# a sender id of 16 characters is refused, not cut; nothing written
	sed 's/SUBMIT01\*ZZ/SUBMITTER-ID-0016*ZZ/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/long"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/long"
	assert_stderr 'line 1: ISA06 longer than 15 characters'
	[ -z "$output" ]
	# and so is every field past its width
	for f in '2 ABCDEFGHIJK' '4 ABCDEFGHIJK' '8 RECEIVER-ID-0016'; do
		set -- $f
		awk -F'*' -v OFS='*' -v i="$(($1 + 1))" -v v="$2" \
		    'NR == 1 { $i = v } 1' "$BATS_TEST_TMPDIR/in" \
		    >"$BATS_TEST_TMPDIR/long"
		run -65 --separate-stderr pms-x12 write \
		    <"$BATS_TEST_TMPDIR/long"
		assert_stderr "ISA0$1 longer than"
	done
	# a qualifier of the wrong width, a control number past 9 digits
	sed 's/^ISA\*00\*/ISA*0*/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/bad"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/bad"
	assert_stderr 'ISA01: must be exactly 2 characters'
	sed 's/\*42\*0\*T/*1000000000*0*T/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/bad"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/bad"
	assert_stderr 'ISA13: more than 9 digits'
}

@test "B20: two transaction sets in one group, each counted and closed" {
	b20 >"$BATS_TEST_TMPDIR/b20.835"
	run -0 --separate-stderr pms-claim inspect --summary -o csv \
	    "$BATS_TEST_TMPDIR/b20.835"
	assert_output - <<'EOF'
interchange,group,transaction,kind,version,sender,receiver,isa13,gs06,st02,segments,claims,lines,charge,paid,payment
1,1,1,835,005010X221A1,PAYERA,CLINIC01,000000101,101,0001,12,1,1,100.00,80.00,80.00
1,1,2,835,005010X221A1,PAYERA,CLINIC01,000000101,101,0002,10,1,0,60.00,45.00,45.00
EOF
	run -0 pms-claim inspect --summary -o json "$BATS_TEST_TMPDIR/b20.835"
	assert_line --index 1 --partial '"charge_cents":6000,"paid_cents":4500,"payment_cents":4500}'
	# each set's segments are its own: positions start again at ST
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/b20.835"
	assert_line --index 15 --partial '1,1,2,15,1,15,ST,2,835,0002,'
	assert_line --index 24 --partial '1,1,2,24,10,24,SE,2,10,0002,'
	assert_line --index 25 --partial '1,1,,25,,25,GE,2,2,101,'

	# every count and control number of the envelope is checked, and
	# the message names the segment, never a value
	local -A want=(
	    ['s/^GE\*2\*/GE*1*/']='segment 25 (GE, line 25): GE01: does not match the number of transaction sets in the group (2)'
	    ['s/^GE\*2\*101/GE*2*102/']='segment 25 (GE, line 25): GE02: does not match GS06'
	    ['s/^SE\*12\*/SE*11*/']='segment 14 (SE, line 14): SE01: does not match the number of segments in the transaction set (12)'
	    ['s/^SE\*10\*0002/SE*10*0003/']='segment 24 (SE, line 24): SE02: does not match the ST02 of segment 15'
	    ['s/^IEA\*1\*/IEA*2*/']='segment 26 (IEA, line 26): IEA01: does not match the number of functional groups in the interchange (1)'
	    ['s/^IEA\*1\*000000101/IEA*1*000000100/']='segment 26 (IEA, line 26): IEA02: does not match ISA13'
	    ['/^SE\*12/d']='segment 14 (ST, line 14): an ST inside a transaction set: the SE of the set at segment 3 is missing'
	    ['/^GE/d']='segment 25 (IEA, line 25): the group is not closed: GE missing'
	    ['/^IEA/d']='the input ends inside interchange 1 (after segment 25): its IEA is missing'
	    ['s/^LX\*1~$/LX*1~ZZZZ*1~/']='segment 9 (line 8): not a segment id (2 or 3 capital letters and digits) at its start'
	    ['3i N1*PR*OUTSIDE~']='segment 3 (N1, line 3): outside a transaction set (ST..SE)'
	    ['s/^SE\*12\*/SE*X12*/']='segment 14 (SE, line 14): SE01: not a number'
	)
	for e in "${!want[@]}"; do
		b20 | sed "$e" >"$BATS_TEST_TMPDIR/bad.835"
		run -65 --separate-stderr pms-claim inspect -o csv \
		    "$BATS_TEST_TMPDIR/bad.835"
		[ "$stderr" = "pms-claim: $BATS_TEST_TMPDIR/bad.835: ${want[$e]}" ] ||
		    fail "$e: $stderr"
		refute_phi "$stderr"
	done
}

@test "B23: CR LF, blank lines, another interchange with | and >" {
	b23 >"$BATS_TEST_TMPDIR/b23.835"
	# the file is what the case says: CR LF after each segment, and
	# the blank lines between the interchanges
	[ "$(grep -c $'\r$' "$BATS_TEST_TMPDIR/b23.835")" -eq 31 ]
	grep -qx $'   \r' "$BATS_TEST_TMPDIR/b23.835"
	run -0 --separate-stderr pms-claim inspect --summary -o csv \
	    "$BATS_TEST_TMPDIR/b23.835"
	assert_output - <<'EOF'
interchange,group,transaction,kind,version,sender,receiver,isa13,gs06,st02,segments,claims,lines,charge,paid,payment
1,1,1,835,005010X221A1,PAYERA,CLINIC01,000000201,201,0001,10,1,1,40.00,40.00,40.00
2,1,1,835,005010X221A1,PAYERA,CLINIC01,000000202,202,0001,10,1,1,40.00,40.00,40.00
EOF
	[ -z "$stderr" ]
	# 28 segments, none empty; "ISA" inside LISA and NARCISA is data
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/b23.835"
	[ "${#lines[@]}" -eq 29 ]
	[ "$(column_of <(echo "$output") e04 NM1 | xargs)" = 'LISA NARCISA' ]
	[ "$(column_of <(echo "$output") e01 SVC | xargs)" = 'HC:99212 HC>99212' ]
	[ "$(column_of <(echo "$output") interchange ISA | xargs)" = '1 2' ]
	# the second interchange's line numbers count the blank lines
	assert_line --index 15 --partial '2,,,15,,17,ISA,16,'
	# its components split at its own ">"
	run -0 pms-x12 dump "$BATS_TEST_TMPDIR/b23.835"
	assert_line --index 24 'SVC [["HC","99212"]] [["40"]] [["40"]] [[""]] [["1"]]'
	assert_line --index 10 'SVC [["HC","99212"]] [["40"]] [["40"]] [[""]] [["1"]]'
	run -0 pms-x12 roundtrip "$BATS_TEST_TMPDIR/b23.835"
	# a line break inside a segment, before a name that starts with
	# ISA, joins the segment; it never starts an interchange
	b23 | sed 's/\*EXAMPLE\*LISA\*/*EXAMPLE*\r\nISAAC*/' \
	    >"$BATS_TEST_TMPDIR/isaac.835"
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/isaac.835"
	[ "$(column_of <(echo "$output") e04 NM1 | head -1)" = ISAAC ]
	# an error in the second interchange names the place, not the names
	b23 | sed 's/^SE|10|0001/SE|11|0001/' >"$BATS_TEST_TMPDIR/bad.835"
	run -65 --separate-stderr pms-claim inspect "$BATS_TEST_TMPDIR/bad.835"
	assert_stderr 'segment 26 (SE, line 28): SE01: does not match the number of segments in the transaction set (10)'
	refute_phi "$stderr"
	[[ $stderr != *LISA* && $stderr != *MEM005* ]]
}

@test "round trip: the writer's interchange reads back the same, whatever the delimiters" {
	cat >"$BATS_TEST_TMPDIR/claim" <<'EOF'
# an 837P claim, in pms's own notation
ISA*00**00**ZZ*SUBMIT01*ZZ*PAYER01*250602*1015*^*00501*7*1*T*:
GS*HC*SUBMIT01*PAYER01*20250602*1015*7*X*005010X222A1
ST*837*0001*005010X222A1
BHT*0019*00*B7*20250602*1015*CH
NM1*41*2*DEMO CLINIC*****46*SUBMIT01
HL*1**20*1
NM1*85*2*DEMO CLINIC*****XX*1234567893
HL*2*1*22*0
SBR*P*18*******CI
NM1*IL*1*EXAMPLE*PAT****MI*MEM0001
CLM*ACCT040*125***11:B:1*Y*A*Y*Y
HI*ABK:E119*ABF:I10*ABF:Z7984
LX*1
SV1*HC:99213*125*UN*1***1:3
DTP*472*D8*20250601
REF*6R*ACCT040-1
SE
GE
IEA
EOF
	pms-x12 write --eol lf <"$BATS_TEST_TMPDIR/claim" \
	    >"$BATS_TEST_TMPDIR/plain.837"
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/plain.837"
	assert_line --index 1 '1,1,1,837P,005010X222A1,SUBMIT01,PAYER01,000000007,7,0001,15,1,1,125.00,,'
	grep -qxF 'SV1*HC:99213*125*UN*1***1:3~' "$BATS_TEST_TMPDIR/plain.837"
	grep -qxF 'HI*ABK:E119*ABF:I10*ABF:Z7984~' "$BATS_TEST_TMPDIR/plain.837"
	# the same segments, as the reader gives them
	pms-x12 dump "$BATS_TEST_TMPDIR/plain.837" >"$BATS_TEST_TMPDIR/plain.dump"
	grep -v '^#' "$BATS_TEST_TMPDIR/claim" | cut -d'*' -f1 |
	    diff - <(cut -d' ' -f1 "$BATS_TEST_TMPDIR/plain.dump")
	grep -qxF 'CLM [["ACCT040"]] [["125"]] [[""]] [[""]] [["11","B","1"]] [["Y"]] [["A"]] [["Y"]] [["Y"]]' \
	    "$BATS_TEST_TMPDIR/plain.dump"
	# other delimiters, one long line, a newline as terminator, CR LF:
	# the same segments, element for element
	for d in "--element | --component > --repetition ! --eol none" \
	    "--element ~ --component ^ --repetition { --segment _ --eol lf" \
	    "--segment lf" "--element > --component + --segment cr --eol crlf"
	do
		pms-x12 write $d <"$BATS_TEST_TMPDIR/claim" \
		    >"$BATS_TEST_TMPDIR/other.837"
		run -0 pms-x12 dump "$BATS_TEST_TMPDIR/other.837"
		# only the ISA's own delimiters differ
		diff <(tail -n +2 "$BATS_TEST_TMPDIR/plain.dump") \
		    <(echo "$output" | tail -n +2)
		run -0 pms-claim inspect --summary -o csv \
		    "$BATS_TEST_TMPDIR/other.837"
		assert_line --index 1 '1,1,1,837P,005010X222A1,SUBMIT01,PAYER01,000000007,7,0001,15,1,1,125.00,,'
		run -0 pms-x12 roundtrip "$BATS_TEST_TMPDIR/other.837"
	done
	# trailing empty elements and components are dropped, as X12 wants
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*^*00501*7*0*T*:' \
	    'GS*HC*A*B*20250602*1015*7*X*005010X222A1' 'ST*837*0001' \
	    'NM1*QC*1*SMITH***' 'CLM*A1*10***11::' 'SE' 'GE' 'IEA' |
	    pms-x12 write --eol lf >"$BATS_TEST_TMPDIR/trim.837"
	grep -qxF 'NM1*QC*1*SMITH~' "$BATS_TEST_TMPDIR/trim.837"
	grep -qxF 'CLM*A1*10***11~' "$BATS_TEST_TMPDIR/trim.837"
	grep -qxF 'SE*4*0001~' "$BATS_TEST_TMPDIR/trim.837"
}

@test "the writer refuses a value that holds a delimiter, naming no value" {
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*^*00501*7*0*T*:' \
	    'GS*HC*A*B*20250602*1015*7*X*005010X222A1' 'ST*837*0001' \
	    'NM1*IL*1*Zztest|Quixotefield*Zebediah' 'SE' 'GE' 'IEA' \
	    >"$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr pms-x12 write --element '|' \
	    <"$BATS_TEST_TMPDIR/in"
	assert_stderr 'pms-x12: line 4: segment 4 (NM1): NM103: holds a delimiter character'
	refute_phi "$stderr"
	# a component separator in a component, a terminator, a control
	# character, bytes that are not UTF-8
	sed '4s/.*/CLM*A1*10***11:B>1/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/t"
	run -65 --separate-stderr pms-x12 write --component '>' \
	    <"$BATS_TEST_TMPDIR/t"
	assert_stderr 'segment 4 (CLM): CLM05-2: holds a delimiter character'
	sed '4s/.*/NM1*IL*1*A~B/' "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/t"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/t"
	assert_stderr 'segment 4 (NM1): NM103: holds a delimiter character'
	printf '4s/.*/NM1*IL*1*A\tB/\n' >"$BATS_TEST_TMPDIR/sed"
	sed -f "$BATS_TEST_TMPDIR/sed" "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/t"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/t"
	assert_stderr 'NM103: holds a control character'
	printf '4s/.*/NM1*IL*1*A\xffB/\n' >"$BATS_TEST_TMPDIR/sed"
	LC_ALL=C sed -f "$BATS_TEST_TMPDIR/sed" "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/t"
	run -65 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/t"
	assert_stderr 'NM103: holds bytes that are not UTF-8'
	# UTF-8 itself is fine
	sed '4s/.*/NM1*IL*1*MÜLLER*JOSÉ/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/t"
	run -0 pms-x12 write <"$BATS_TEST_TMPDIR/t"
	assert_output --partial 'NM1*IL*1*MÜLLER*JOSÉ~SE*3*0001~'
	# delimiters that cannot be: the same twice, a letter, a space
	run -65 --separate-stderr pms-x12 write --component '*' </dev/null
	assert_stderr 'the component separator is the same character as the element separator'
	run -65 --separate-stderr pms-x12 write --element A </dev/null
	assert_stderr 'the element separator is a letter, a digit or a space'
	run -65 --separate-stderr pms-x12 write --segment ' ' </dev/null
	assert_stderr 'the segment terminator is a letter, a digit or a space'
	# the envelope is the writer's to count: a wrong SE is refused
	sed -e '4d' -e 's/^SE$/SE*9*0001/' "$BATS_TEST_TMPDIR/in" \
	    >"$BATS_TEST_TMPDIR/t"
	run -70 --separate-stderr pms-x12 write <"$BATS_TEST_TMPDIR/t"
	assert_stderr 'SE does not close the transaction set'
}

@test "the reader refuses what is not a 5010 interchange, each with its own message" {
	local t=$BATS_TEST_TMPDIR
	b20 >"$t/good"
	# no ISA
	sed '1d' "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr "pms-claim: $t/f: not an X12 interchange: it does not start with an ISA segment"
	# 4010, in the ISA and in a GS
	sed '1s/\*00501\*/*00401*/; 1s/\*\^\*/*U*/' "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'segment 1 (ISA, line 1): ISA12: an X12 4010 (or older) interchange: only 5010 (00501) is read'
	sed '2s/005010X221A1/004010X091A1/' "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'segment 2 (GS, line 2): GS08: an X12 4010 (or older) functional group: only 5010 is read'
	# UTF-16, with a byte order mark and without
	iconv -f UTF-8 -t UTF-16 "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr "pms-claim: $t/f: UTF-16 text: X12 is ASCII or UTF-8 (save the file as UTF-8)"
	iconv -f UTF-8 -t UTF-16BE "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'UTF-16 text'
	iconv -f UTF-8 -t UTF-32 "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'UTF-32 text'
	# an ISA that is not fixed width
	sed '1s/\*PAYERA         \*/*PAYERA*/' "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'segment 1 (ISA, line 1): not fixed width (106 bytes): ISA06 is 6 bytes wide, not 15'
	# a UTF-8 byte order mark, leading blanks and CR LF are fine
	{ printf '\xef\xbb\xbf  \r\n'; sed 's/^/  /; s/$/\r/' "$t/good"; } \
	    >"$t/f"
	run -0 pms-claim inspect --summary -o csv "$t/f"
	[ "${#lines[@]}" -eq 3 ]
	# a segment after the IEA that is not an ISA
	{ cat "$t/good"; echo 'GS*HP*X*Y*20250610*0900*5*X*005010X221A1~'; } \
	    >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'segment 27 (line 27): after an IEA only an ISA may come'
	# an ISA inside an interchange
	sed '3i ISA*00*          *00*          *ZZ*PAYERA         *ZZ*CLINIC01       *250610*0900*^*00501*000000102*0*P*:~' \
	    "$t/good" >"$t/f"
	run -65 --separate-stderr pms-claim inspect "$t/f"
	assert_stderr 'segment 3 (ISA, line 3): an ISA inside an interchange: the IEA of interchange 1 is missing'
}

@test "bad input: missing, empty, a directory, binary, a 10 MB line" {
	local t=$BATS_TEST_TMPDIR
	run -66 --separate-stderr pms-claim inspect "$t/none.835"
	assert_stderr "pms-claim: cannot open \"$t/none.835\": No such file or directory"
	run -66 --separate-stderr pms-claim inspect "$t"
	assert_stderr 'is a directory'
	: >"$t/empty"
	run -65 --separate-stderr pms-claim inspect "$t/empty"
	assert_stderr "pms-claim: $t/empty: empty input: no X12 interchange"
	printf ' \r\n\r\n\t\n' >"$t/blank"
	run -65 --separate-stderr pms-claim inspect "$t/blank"
	assert_stderr 'empty input'
	# binary: the same bytes on every run
	seq 1 2000 | sha256sum | xxd -r -p >"$t/bin"
	for i in $(seq 1 200); do echo "$i" | sha256sum | xxd -r -p; done \
	    >>"$t/bin"
	run -65 --separate-stderr pms-claim inspect "$t/bin"
	assert_stderr 'not an X12 interchange'
	# a 10 MB line: of garbage, and inside an interchange
	head -c 10485760 /dev/zero | tr '\0' 'A' >"$t/long"
	run -65 --separate-stderr pms-claim inspect "$t/long"
	assert_stderr 'not an X12 interchange: it does not start with an ISA segment'
	{ b20 | head -4; head -c 10485760 /dev/zero | tr '\0' 'A'; echo '~'; } \
	    >"$t/long"
	run -65 --separate-stderr pms-claim inspect "$t/long"
	assert_stderr 'segment 5 (line 5): longer than 65536 bytes: not an X12 segment (is the segment terminator right?)'
	# standard input, and a closed one
	run -0 pms-claim inspect --summary -o csv - <"$FIX/external/pyx12/835/835_mult_loops.txt"
	assert_line --index 1 --partial '835,005010X221A1,'
	run -65 --separate-stderr pms-claim inspect - </dev/null
	assert_stderr 'pms-claim: empty input: no X12 interchange'
}

@test "a 10 MB 835 on one line is read as a stream" {
	local t=$BATS_TEST_TMPDIR n=140000
	{
		b20 | head -8 | tr -d '\n'
		awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++)
		    printf "CLP*ACCT%06d*1*100*80*20*12*PCN%06d~SVC*HC:99213*100*80**1~CAS*PR*2*20~", i, i }'
		printf 'SE*%d*0001~GE*1*101~IEA*1*000000101~\n' $((6 + 3 * n + 1))
	} >"$t/big.835"
	[ "$(stat -c %s "$t/big.835")" -gt 10000000 ]
	run -0 --separate-stderr pms-claim inspect --summary -o csv "$t/big.835"
	assert_line --index 1 "1,1,1,835,005010X221A1,PAYERA,CLINIC01,000000101,101,0001,$((6 + 3 * n + 1)),$n,$n,14000000.00,11200000.00,80.00"
}

@test "inspect needs no store and asks for no passphrase" {
	# a store that is not there, no terminal, no passphrase anywhere
	run -0 --separate-stderr pms-claim -S "$BATS_TEST_TMPDIR/no/store" \
	    inspect --summary -o csv "$EXT/linuxforhealth-x12/835/managed-care.835" \
	    </dev/null
	assert_line --index 1 '1,1,1,835,005010X221A1,000000005,12345,000000907,1,112233,26,2,2,2000.00,945.00,945.00'
	[ -z "$stderr" ]
}

@test "inspect: the output formats, and --out left out on a refused file" {
	local f="$EXT/herophilus-assets/999/999_sample_accepted.txt"
	run -0 pms-claim inspect -o json "$f"
	assert_line --index 0 '{"interchange":1,"group":null,"transaction":null,"segment":1,"position":null,"line":1,"id":"ISA","elements":16,"e01":"00","e02":"          ","e03":"00","e04":"          ","e05":"ZZ","e06":"EMEDNYBAT      ","e07":"ZZ","e08":"ETIN           ","e09":"110311","e10":"0521","e11":"^","e12":"00501","e13":"052127406","e14":"0","e15":"P","e16":"|","e17":null,"e18":null,"e19":null,"e20":null,"e21":null,"e22":null,"e23":null,"e24":null,"e25":null,"e26":null,"e27":null,"e28":null,"e29":null,"e30":null,"e31":null,"e32":null}'
	COLUMNS=1000 run -0 pms-claim inspect -o table "$f"
	assert_line --index 0 --regexp '^interchange +group +transaction +segment +position +line +id +elements +e01 '
	# too wide for 80 columns: a block of lines a segment
	run -0 pms-claim inspect -o table "$f"
	assert_line --index 0 'interchange: 1'
	assert_line --index 6 'id:          ISA'
	COLUMNS=1000 run -0 pms-claim inspect --summary -o table "$f"
	assert_line --index 2 --regexp '^ +1 +1 +1 +999 +005010X231A1 +EMEDNYBAT +ETIN +052127406 '
	# --out: 0600, and nothing left behind when the file is refused
	pms-claim inspect --summary -o csv --out "$BATS_TEST_TMPDIR/s.csv" "$f"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/s.csv")" = 600 ]
	run -65 pms-claim inspect -o csv --out "$BATS_TEST_TMPDIR/bad.csv" \
	    "$EXT/imsweb-x12-parser/837P/x12_many_claims.txt"
	[ ! -e "$BATS_TEST_TMPDIR/bad.csv" ]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep -v '^s.csv$')" ]
	# a negative amount is text in CSV, guarded as every text cell is
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*^*00501*7*0*T*:' \
	    'GS*HP*A*B*20250602*1015*7*X*005010X221A1' 'ST*835*0001' \
	    'BPR*I*-10*C*CHK' 'CLP*ACCT020*22*-100*-80*-20*12*PCN0020' \
	    'SE' 'GE' 'IEA' | pms-x12 write --eol lf >"$BATS_TEST_TMPDIR/rev.835"
	run -0 pms-claim inspect --summary -o csv "$BATS_TEST_TMPDIR/rev.835"
	assert_line --index 1 '1,1,1,835,005010X221A1,A,B,000000007,7,0001,4,1,0,-100.00,-80.00,-10.00'
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/rev.835"
	assert_line --index 5 --partial ",CLP,7,ACCT020,22,'-100,'-80,'-20,12,PCN0020,"
}

@test "inspect --summary: an amount that is not one is refused, naming the element" {
	printf '%s\n' 'ISA*00**00**ZZ*A*ZZ*B*250602*1015*^*00501*7*0*T*:' \
	    'GS*HC*A*B*20250602*1015*7*X*005010X222A1' 'ST*837*0001' \
	    'CLM*ACCT1*12.5.0' 'SE' 'GE' 'IEA' |
	    pms-x12 write >"$BATS_TEST_TMPDIR/a.837"
	run -65 --separate-stderr pms-claim inspect --summary \
	    "$BATS_TEST_TMPDIR/a.837"
	assert_stderr 'segment 4 (CLM, line 1): CLM02: not an X12 amount'
	# the segments themselves are fine
	run -0 pms-claim inspect -o csv "$BATS_TEST_TMPDIR/a.837"
	# amounts as X12 writes them
	for a in '125:125.00' '40.5:40.50' '.5:0.50' '-100:-100.00' \
	    '12.340:12.34' '0012:12.00' '7.:7.00'; do
		sed "s/12\.5\.0/${a%%:*}/" "$BATS_TEST_TMPDIR/a.837" \
		    >"$BATS_TEST_TMPDIR/b.837"
		run -0 pms-claim inspect --summary -o csv \
		    "$BATS_TEST_TMPDIR/b.837"
		assert_line --index 1 --partial ",${a#*:},,"
	done
	for a in '12.345' '1e3' '$5' '1,000' '+5' '-' '.' ''; do
		sed "s/12\.5\.0/$a/" "$BATS_TEST_TMPDIR/a.837" \
		    >"$BATS_TEST_TMPDIR/b.837"
		run -65 --separate-stderr pms-claim inspect --summary \
		    "$BATS_TEST_TMPDIR/b.837"
		assert_stderr 'CLM02: not an X12 amount'
	done
}

@test "inspect: usage errors" {
	run -64 --separate-stderr pms-claim inspect
	[[ $stderr == *'usage: pms-claim'* ]]
	run -64 --separate-stderr pms-claim inspect a b
	run -64 --separate-stderr pms-claim inspect --frobnicate x
	assert_stderr 'unknown option "--frobnicate"'
	run -64 --separate-stderr pms-claim inspect -o xml x
	assert_stderr '-o: expected table, csv or json, not "xml"'
}
