#!/usr/bin/env bats
# bats file_tags=money
# The money parser, formatter and split (lib/money.c) through the
# pms-when helper: every accepted and refused form, exact cents, exact
# messages, and case B24 (sums that are exactly zero).

load helpers/common

# accept TEXT CENTS: the text parses to exactly that many cents.
accept() {
	run -0 --separate-stderr pms-when money "$1"
	assert_output "$2"
	[ -z "$stderr" ]
}

# refuse TEXT MESSAGE: refused with exit 65 and exactly that message,
# which never quotes the text.
refuse() {
	run -65 --separate-stderr pms-when money "$1"
	assert_output ''
	[ "$stderr" = "pms-when: $2" ]
	if [ ${#1} -ge 3 ]; then
		[[ $stderr != *"$1"* ]]
	fi
}

@test "money: plain amounts, with one or two decimals" {
	accept 40 4000
	accept 40.5 4050
	accept 40.50 4050
	accept 0.01 1
	accept .50 50
	accept .5 50
	accept 007.10 710
	accept 0 0
	accept 1234567 123456700
}

@test "money: dollar signs and thousands separators" {
	accept '$1,234.56' 123456
	accept '$40' 4000
	accept '$.99' 99
	accept '1,234' 123400
	accept '12,345,678.90' 1234567890
	accept '$999,999.99' 99999999
}

@test "money: negative amounts, with a sign or in parentheses" {
	accept -15.00 -1500
	accept '-$15.00' -1500
	accept '$-15.00' -1500
	accept '(15.00)' -1500
	accept '($15.00)' -1500
	accept '($1,234.56)' -123456
	accept '-.01' -1
}

@test "money: -0.00 and (0.00) are zero" {
	accept -0.00 0
	accept '(0.00)' 0
	accept '-$0' 0
}

@test "money: surrounding blanks are ignored" {
	accept '  40.50 ' 4050
	accept "$(printf '\t$1,234.56\t')" 123456
	accept ' (15.00) ' -1500
}

@test "money: the largest amount, and one cent more" {
	accept 10000000000.00 1000000000000
	accept '$10,000,000,000.00' 1000000000000
	accept -10000000000 -1000000000000
	refuse 10000000000.01 'amount too large (at most 10000000000.00)'
	refuse 99999999999999999999999 \
	    'amount too large (at most 10000000000.00)'
	refuse '(10000000001)' 'amount too large (at most 10000000000.00)'
}

@test "money: more than two decimals is refused, not rounded" {
	refuse 12.345 'not an amount: more than two decimals'
	refuse 33.333 'not an amount: more than two decimals'
	refuse 0.001 'not an amount: more than two decimals'
	refuse '$1,234.567' 'not an amount: more than two decimals'
}

@test "money: exponents are refused" {
	refuse 1e3 'not an amount: exponents are not accepted'
	refuse 1.5E2 'not an amount: exponents are not accepted'
	refuse 2e-2 'not an amount: exponents are not accepted'
}

@test "money: a decimal comma is refused" {
	refuse 12,34 'not an amount: a decimal comma (cents go after a point)'
	refuse 12,3 'not an amount: a decimal comma (cents go after a point)'
	refuse '$1234,50' \
	    'not an amount: a decimal comma (cents go after a point)'
}

@test "money: misplaced thousands separators are refused" {
	refuse 1,2345 'not an amount: misplaced thousands separator'
	refuse 1234,567 'not an amount: misplaced thousands separator'
	refuse 1,23.45 'not an amount: misplaced thousands separator'
	refuse ,123 'not an amount: misplaced thousands separator'
	refuse 1,,234 'not an amount: misplaced thousands separator'
	refuse 1.234,56 'not an amount: misplaced thousands separator'
}

@test "money: letters, blanks inside and other junk are refused" {
	refuse abc 'not an amount'
	refuse '12 34' 'not an amount'
	refuse '$ 15' 'not an amount'
	refuse 15USD 'not an amount'
	refuse '€15' 'not an amount'
	refuse 0x10 'not an amount'
	refuse +15 'not an amount'
	refuse 1.2.3 'not an amount'
	refuse inf 'not an amount'
	refuse nan 'not an amount'
}

@test "money: empty and sign-only texts are refused" {
	refuse '' 'no amount'
	refuse '   ' 'no amount'
	refuse - 'not an amount: no digits'
	refuse '$' 'not an amount: no digits'
	refuse '()' 'not an amount: no digits'
	refuse . 'not an amount: no digits after the decimal point'
	refuse 40. 'not an amount: no digits after the decimal point'
}

@test "money: two signs are refused" {
	refuse --15 'not an amount: more than one sign'
	refuse '-$-15' 'not an amount: more than one sign'
	refuse '(-15.00)' 'not an amount: more than one sign'
	refuse '-(15.00)' 'not an amount: misplaced parenthesis'
	refuse '($-15)' 'not an amount: more than one sign'
	refuse 15.00- 'not an amount: misplaced minus sign'
	refuse '(15.00' 'not an amount: an unclosed parenthesis'
	refuse '15.00)' 'not an amount: misplaced parenthesis'
}

@test "fmt: cents print as decimal strings, never -0.00" {
	local -A want=(
		[0]=0.00 [1]=0.01 [-1]=-0.01 [99]=0.99 [100]=1.00
		[-1500]=-15.00 [123456]=1234.56 [-123456]=-1234.56
		[1000000000000]=10000000000.00
		[9223372036854775807]=92233720368547758.07
		[-9223372036854775808]=-92233720368547758.08
	)
	local c
	for c in "${!want[@]}"; do
		run -0 pms-when fmt "$c"
		assert_output "${want[$c]}"
	done
}

@test "fmt: what is printed parses back to the same cents" {
	local c
	for c in 0 1 -1 5 -50 4050 -123456 99999999 1000000000000; do
		run -0 pms-when fmt "$c"
		run -0 pms-when money "$output"
		assert_output "$c"
	done
}

@test "split: 100.00 three ways is 33.33, 33.33, 33.34" {
	run -0 --separate-stderr pms-when split 100.00 3
	assert_output "$(printf '33.33\n33.33\n33.34')"
	[ -z "$stderr" ]
}

@test "split: parts differ by a cent at most, larger last, sum exact" {
	run -0 pms-when split 0.05 3
	assert_output "$(printf '0.01\n0.02\n0.02')"
	run -0 pms-when split 0.02 4
	assert_output "$(printf '0.00\n0.00\n0.01\n0.01')"
	run -0 pms-when split 10.00 4
	assert_output "$(printf '2.50\n2.50\n2.50\n2.50')"
	run -0 pms-when split 40.50 1
	assert_output '40.50'
	run -0 pms-when split 0 2
	assert_output "$(printf '0.00\n0.00')"
}

@test "split: a negative total splits as its magnitude, negated" {
	run -0 pms-when split -100.00 3
	assert_output "$(printf -- '-33.33\n-33.33\n-33.34')"
	run -0 pms-when split '(0.01)' 2
	assert_output "$(printf -- '0.00\n-0.01')"
}

@test "split: the total is parsed by the one money parser" {
	run -65 --separate-stderr pms-when split 100.001 3
	[ "$stderr" = 'pms-when: not an amount: more than two decimals' ]
	run -64 --separate-stderr pms-when split 100.00 0
	[[ $stderr == 'pms-when: not a number of parts'* ]]
}

@test "B24: charges and payments that balance are exactly 0.00" {
	run -0 pms-when sum 15.15 0.30 -15.45
	assert_output '0.00'
	run -0 pms-when sum 0.10 0.20 -0.30
	assert_output '0.00'
	run -0 pms-when sum 0.10 0.20 '(0.30)'
	assert_output '0.00'
	# and a cent either way shows
	run -0 pms-when sum 15.15 0.30 -15.44
	assert_output '0.01'
	run -0 pms-when sum 15.15 0.30 -15.46
	assert_output '-0.01'
}

@test "B24: a payment of 33.333 is refused rather than rounded" {
	run -65 --separate-stderr pms-when sum 100.00 -33.333
	[ "$stderr" = 'pms-when: amount 2: not an amount: more than two decimals' ]
	assert_output ''
}

@test "no double or float in the money and time code" {
	run grep -nwE 'double|float|strtod|atof|long double' \
	    "$TOP/lib/money.c" "$TOP/lib/money.h" "$TOP/lib/ptime.c" \
	    "$TOP/lib/ptime.h" "$TOP/tests/helpers/pms-when.c" \
	    "$TOP/fuzz/fuzz-money.c" "$TOP/fuzz/fuzz-date.c"
	[ "$status" -eq 1 ]
	assert_output ''
}
