#!/usr/bin/env bats
# bats file_tags=time
# Dates, times, zone conversions and durations (lib/ptime.c) through
# the pms-when helper.  Zone conversions run under TZ=UTC, TZ=Asia/Tokyo
# and with TZ unset, and must give the same answer each time: the
# practice's zone decides, never the process's.

load helpers/common

# everywhere STATUS STDOUT STDERR ARGS...: pms-when ARGS exits STATUS
# with exactly that output and message under each process TZ.
everywhere() {
	local rc=$1 out=$2 err=$3 tz
	shift 3
	for tz in UTC Asia/Tokyo unset; do
		if [ "$tz" = unset ]; then
			run "-$rc" --separate-stderr env -u TZ pms-when "$@"
		else
			run "-$rc" --separate-stderr env TZ="$tz" pms-when "$@"
		fi
		[ "$output" = "$out" ] ||
		    fail "TZ=$tz: pms-when $*: output \"$output\", not \"$out\""
		[ "$stderr" = "$err" ] ||
		    fail "TZ=$tz: pms-when $*: stderr \"$stderr\", not \"$err\""
	done
}

# at ZONE LOCAL INSTANT SHOWN: LOCAL at ZONE is INSTANT, shown as SHOWN
# (with its offset); and INSTANT at ZONE reads SHOWN again.
at() {
	everywhere 0 "$3 $4" '' local "$1" "$2"
	everywhere 0 "$3 $4" '' instant "$1" "$3"
}

GAP='pms-when: local time does not exist on that date (the clocks go forward then)'

# ambiguous ZONE LOCAL FIRST SECOND: refused, naming both readings.
ambiguous() {
	everywhere 65 '' "pms-when: ambiguous local time: it comes twice as the clocks go back; give the offset, as in $3 or $4" \
	    local "$1" "$2"
}

# date_is [--form F] TEXT DATE / date_refused [--form F] TEXT MESSAGE
date_is() {
	local form=()
	if [ "$1" = --form ]; then
		form=(--form "$2")
		shift 2
	fi
	run -0 --separate-stderr pms-when date "${form[@]}" "$1"
	assert_output "$2"
	[ -z "$stderr" ]
}

date_refused() {
	local form=()
	if [ "$1" = --form ]; then
		form=(--form "$2")
		shift 2
	fi
	run -65 --separate-stderr pms-when date "${form[@]}" "$1"
	assert_output ''
	[ "$stderr" = "pms-when: $2" ] ||
	    fail "date $1: stderr \"$stderr\""
	if [ ${#1} -ge 3 ]; then
		[[ $stderr != *"$1"* ]]
	fi
}

# ---- zone conversions: America/New_York, 2026 ----

@test "New York, 2026-03-08: the hour before the clocks go forward" {
	at America/New_York 2026-03-08T00:00 2026-03-08T05:00:00Z \
	    2026-03-08T00:00:00-05:00
	at America/New_York 2026-03-08T01:59:59 2026-03-08T06:59:59Z \
	    2026-03-08T01:59:59-05:00
}

@test "New York, 2026-03-08: 02:00 to 02:59:59 does not exist" {
	everywhere 65 '' "$GAP" local America/New_York 2026-03-08T02:00
	everywhere 65 '' "$GAP" local America/New_York 2026-03-08T02:30
	everywhere 65 '' "$GAP" local America/New_York 2026-03-08T02:59:59
	everywhere 65 '' "$GAP" local America/New_York '2026-03-08 02:30'
	# an offset does not make it exist
	everywhere 65 '' "$GAP" local America/New_York 2026-03-08T02:30-05:00
	everywhere 65 '' "$GAP" local America/New_York 2026-03-08T02:30-04:00
}

@test "New York, 2026-03-08: 03:00 is daylight time" {
	at America/New_York 2026-03-08T03:00 2026-03-08T07:00:00Z \
	    2026-03-08T03:00:00-04:00
	at America/New_York 2026-03-08T12:00 2026-03-08T16:00:00Z \
	    2026-03-08T12:00:00-04:00
}

@test "New York, 2026-11-01: before the overlap" {
	at America/New_York 2026-11-01T00:59:59 2026-11-01T04:59:59Z \
	    2026-11-01T00:59:59-04:00
}

@test "New York, 2026-11-01: 01:00 to 01:59:59 is ambiguous" {
	ambiguous America/New_York 2026-11-01T01:00 \
	    2026-11-01T01:00:00-04:00 2026-11-01T01:00:00-05:00
	ambiguous America/New_York 2026-11-01T01:30 \
	    2026-11-01T01:30:00-04:00 2026-11-01T01:30:00-05:00
	ambiguous America/New_York '2026-11-01 01:59:59' \
	    2026-11-01T01:59:59-04:00 2026-11-01T01:59:59-05:00
}

@test "New York, 2026-11-01: with an offset, either reading of 01:30" {
	everywhere 0 '2026-11-01T05:30:00Z 2026-11-01T01:30:00-04:00' '' \
	    local America/New_York 2026-11-01T01:30-04:00
	everywhere 0 '2026-11-01T06:30:00Z 2026-11-01T01:30:00-05:00' '' \
	    local America/New_York 2026-11-01T01:30-05:00
	everywhere 65 '' \
	    "pms-when: the offset is not the zone's at that time (it is -04:00 or -05:00)" \
	    local America/New_York 2026-11-01T01:30-06:00
	# the instants of the overlap read back with their offsets
	at America/New_York 2026-11-01T01:59:59-04:00 2026-11-01T05:59:59Z \
	    2026-11-01T01:59:59-04:00
	at America/New_York 2026-11-01T01:00-05:00 2026-11-01T06:00:00Z \
	    2026-11-01T01:00:00-05:00
}

@test "New York, 2026-11-01: 02:00 is standard time" {
	at America/New_York 2026-11-01T02:00 2026-11-01T07:00:00Z \
	    2026-11-01T02:00:00-05:00
}

@test "New York: an offset the zone does not have then is refused" {
	everywhere 65 '' \
	    "pms-when: the offset is not the zone's at that time (it is -04:00)" \
	    local America/New_York 2026-07-01T09:00-05:00
	everywhere 65 '' \
	    "pms-when: the offset is not the zone's at that time (it is -04:00)" \
	    local America/New_York 2026-07-01T13:00Z
	everywhere 0 '2026-07-01T13:00:00Z 2026-07-01T09:00:00-04:00' '' \
	    local America/New_York 2026-07-01T09:00-04:00
}

# ---- zone conversions: Europe/Berlin, 2026 ----

@test "Berlin, 2026-03-29: 02:00 to 02:59:59 does not exist" {
	at Europe/Berlin 2026-03-29T01:59:59 2026-03-29T00:59:59Z \
	    2026-03-29T01:59:59+01:00
	everywhere 65 '' "$GAP" local Europe/Berlin 2026-03-29T02:00
	everywhere 65 '' "$GAP" local Europe/Berlin 2026-03-29T02:30
	everywhere 65 '' "$GAP" local Europe/Berlin 2026-03-29T02:59:59
	at Europe/Berlin 2026-03-29T03:00 2026-03-29T01:00:00Z \
	    2026-03-29T03:00:00+02:00
}

@test "Berlin, 2026-10-25: 02:00 to 02:59:59 is ambiguous" {
	at Europe/Berlin 2026-10-25T01:59:59 2026-10-24T23:59:59Z \
	    2026-10-25T01:59:59+02:00
	ambiguous Europe/Berlin 2026-10-25T02:00 \
	    2026-10-25T02:00:00+02:00 2026-10-25T02:00:00+01:00
	ambiguous Europe/Berlin 2026-10-25T02:30 \
	    2026-10-25T02:30:00+02:00 2026-10-25T02:30:00+01:00
	ambiguous Europe/Berlin 2026-10-25T02:59:59 \
	    2026-10-25T02:59:59+02:00 2026-10-25T02:59:59+01:00
	at Europe/Berlin 2026-10-25T03:00 2026-10-25T02:00:00Z \
	    2026-10-25T03:00:00+01:00
}

@test "Berlin, 2026-10-25: with an offset, either reading of 02:30" {
	at Europe/Berlin 2026-10-25T02:30+02:00 2026-10-25T00:30:00Z \
	    2026-10-25T02:30:00+02:00
	at Europe/Berlin 2026-10-25T02:30+01:00 2026-10-25T01:30:00Z \
	    2026-10-25T02:30:00+01:00
	everywhere 65 '' \
	    "pms-when: the offset is not the zone's at that time (it is +02:00 or +01:00)" \
	    local Europe/Berlin 2026-10-25T02:30Z
}

# ---- other zones ----

@test "zones with half-hour offsets and half-hour changes" {
	at Asia/Kolkata 2026-03-08T09:00 2026-03-08T03:30:00Z \
	    2026-03-08T09:00:00+05:30
	at America/St_Johns 2026-01-15T09:00 2026-01-15T12:30:00Z \
	    2026-01-15T09:00:00-03:30
	# Lord Howe Island moves its clocks by thirty minutes
	ambiguous Australia/Lord_Howe 2026-04-05T01:45 \
	    2026-04-05T01:45:00+11:00 2026-04-05T01:45:00+10:30
	everywhere 65 '' "$GAP" local Australia/Lord_Howe 2026-10-04T02:15
}

@test "a day that never was: Samoa skipped 2011-12-30" {
	everywhere 65 '' "$GAP" local Pacific/Apia 2011-12-30T12:00
	at Pacific/Apia 2011-12-29T23:59 2011-12-30T09:59:00Z \
	    2011-12-29T23:59:00-10:00
	at Pacific/Apia 2011-12-31T00:00 2011-12-30T10:00:00Z \
	    2011-12-31T00:00:00+14:00
}

@test "local mean time before 1883 has an offset with seconds" {
	at America/New_York 1850-06-01T12:00 1850-06-01T16:56:02Z \
	    1850-06-01T12:00:00-04:56:02
}

@test "UTC and aliases of the tz database convert too" {
	at UTC 2026-12-03T09:30 2026-12-03T09:30:00Z 2026-12-03T09:30:00+00:00
	at US/Eastern 2026-12-03T09:30 2026-12-03T14:30:00Z \
	    2026-12-03T09:30:00-05:00
	at Etc/GMT+5 2026-07-01T09:30 2026-07-01T14:30:00Z \
	    2026-07-01T09:30:00-05:00
}

@test "instants: seconds since the epoch, and the range of years" {
	everywhere 0 '1970-01-01T00:00:00Z 1969-12-31T19:00:00-05:00' '' \
	    instant America/New_York @0
	everywhere 0 '2026-03-08T07:00:00Z 2026-03-08T03:00:00-04:00' '' \
	    instant America/New_York @1772953200
	everywhere 0 '1969-12-31T23:59:59Z 1970-01-01T00:59:59+01:00' '' \
	    instant Europe/Berlin @-1
}

@test "instants: a reading whose date is out of range is refused" {
	everywhere 65 '' \
	    'pms-when: not a valid instant: its date is out of range (years 1800 to 2999)' \
	    instant Europe/Berlin 2999-12-31T23:00:00Z
	everywhere 0 '2999-12-31T22:59:59Z 2999-12-31T23:59:59+01:00' '' \
	    instant Europe/Berlin 2999-12-31T22:59:59Z
	everywhere 65 '' \
	    'pms-when: not a valid instant: its date is out of range (years 1800 to 2999)' \
	    instant America/New_York 1800-01-01T04:00Z
}

@test "instants: one without an offset is refused" {
	everywhere 65 '' \
	    'pms-when: not an instant: the time has no offset (add Z or one like -05:00)' \
	    instant America/New_York 2026-12-03T14:30
}

@test "the Excel date-time of case B12 at the clinic's zone" {
	everywhere 0 '2024-01-01T17:00:00Z 2024-01-01T12:00:00-05:00' '' \
	    local --form excel America/New_York 45292.5
}

# ---- zone names ----

@test "zones: names of the tz database are accepted" {
	local z
	for z in America/New_York Europe/Berlin UTC Etc/UTC US/Eastern \
	    America/Argentina/Buenos_Aires Etc/GMT-14 EST5EDT; do
		run -0 --separate-stderr pms-when zone "$z"
		assert_output ''
		[ -z "$stderr" ]
	done
}

@test "zones: an unknown zone is refused, never taken for UTC" {
	local z
	for z in Mars/Olympus America/Nowhere america/new_york EST5 \
	    America/New_York/ /America/New_York America//New_York \
	    ../zoneinfo/UTC America/../UTC ./UTC /etc/localtime \
	    /usr/share/zoneinfo/UTC localtime posixrules right/UTC \
	    posix/UTC zone.tab tzdata.zi iso3166.tab America Etc '' \
	    'UTC ' ' UTC' $'UTC\n' 'America/New York'; do
		run -65 --separate-stderr pms-when zone "$z"
		[ "$stderr" = 'pms-when: unknown time zone' ] ||
		    fail "zone \"$z\" accepted"
	done
	everywhere 65 '' \
	    'pms-when: unknown time zone "Mars/Olympus" (not in the tz database)' \
	    local Mars/Olympus 2026-12-03T09:30
	everywhere 65 '' \
	    'pms-when: unknown time zone "../etc/passwd" (not in the tz database)' \
	    instant ../etc/passwd @0
	everywhere 65 '' \
	    'pms-when: unknown time zone "Nowhere" (not in the tz database)' \
	    today Nowhere
}

@test "zones: the database is the one TZDIR names, if any" {
	run -0 env TZDIR=/usr/share/zoneinfo pms-when zone Europe/Berlin
	run -65 --separate-stderr env TZDIR="$BATS_TEST_TMPDIR" \
	    pms-when local UTC 2026-12-03T09:30
	[ "$stderr" = 'pms-when: unknown time zone "UTC" (not in the tz database)' ]
}

@test "zones: a process TZ that is junk or a POSIX rule changes nothing" {
	local tz
	for tz in Nowhere/Atall 'EST5EDT,M3.2.0,M11.1.0' ':Asia/Tokyo' ''; do
		run -0 --separate-stderr env TZ="$tz" \
		    pms-when local Europe/Berlin 2026-07-01T09:00
		assert_output '2026-07-01T07:00:00Z 2026-07-01T09:00:00+02:00'
	done
}

# ---- today ----

@test "today: the practice's day, not the process's" {
	local tz
	# the helper faketime runs env (env faketime would run the wrapper,
	# whose named semaphore collides under load)
	for tz in UTC Asia/Tokyo America/Los_Angeles; do
		run -0 faketime '2026-03-08 04:30:00 UTC' env TZ="$tz" \
		    pms-when today America/New_York
		assert_output 2026-03-07
		run -0 faketime '2026-03-08 04:30:00 UTC' env TZ="$tz" \
		    pms-when today Asia/Tokyo
		assert_output 2026-03-08
		run -0 faketime '2026-03-08 04:30:00 UTC' env TZ="$tz" \
		    pms-when today Pacific/Kiritimati
		assert_output 2026-03-08
		run -0 faketime '2026-03-08 10:30:00 UTC' env TZ="$tz" \
		    pms-when today Pacific/Kiritimati
		assert_output 2026-03-09
	done
}

@test "today: without faketime, today at UTC is the system's UTC day" {
	local before after
	before=$(date -u +%F)
	run -0 pms-when today UTC
	after=$(date -u +%F)
	[[ $output == "$before" || $output == "$after" ]]
}

# ---- dates ----

@test "dates: ISO 8601" {
	date_is 2026-12-03 2026-12-03
	date_is ' 2026-12-03 ' 2026-12-03
	date_is 1800-01-01 1800-01-01
	date_is 2999-12-31 2999-12-31
	date_refused 1799-12-31 \
	    'not a valid date: the year is out of range (1800 to 2999)'
	date_refused 3000-01-01 \
	    'not a valid date: the year is out of range (1800 to 2999)'
	date_refused 0000-00-00 \
	    'not a valid date: the year is out of range (1800 to 2999)'
	date_refused 2026-13-01 'not a valid date: no such month'
	date_refused 2026-00-10 'not a valid date: no such month'
	date_refused 2026-04-31 'not a valid date: no such day in that month'
	date_refused 2026-01-00 'not a valid date: no such day in that month'
	date_refused 2026-1-1 'not a valid date (expected YYYY-MM-DD)'
	date_refused 20261203 'not a valid date (expected YYYY-MM-DD)'
	date_refused 2026-12-03T09:30 'not a valid date (expected YYYY-MM-DD)'
	date_refused '2026-12-03 x' 'not a valid date (expected YYYY-MM-DD)'
	date_refused abc 'not a valid date (expected YYYY-MM-DD)'
	date_refused '' 'no date'
	date_refused '   ' 'no date'
}

@test "dates: leap days" {
	date_is 2024-02-29 2024-02-29
	date_is 2000-02-29 2000-02-29
	date_refused 2026-02-29 'not a valid date: no such day in that month'
	date_refused 1900-02-29 'not a valid date: no such day in that month'
	date_refused 2100-02-29 'not a valid date: no such day in that month'
	date_is --form mdy 02/29/2024 2024-02-29
	date_refused --form mdy 02/29/2026 \
	    'not a valid date: no such day in that month'
	date_is --form dmy 29/02/2000 2000-02-29
	date_refused --form dmy 29/02/1900 \
	    'not a valid date: no such day in that month'
}

@test "dates: spreadsheet forms are read only when asked for" {
	date_refused 12/03/2026 'not a valid date (expected YYYY-MM-DD)'
	date_refused 45292 'not a valid date (expected YYYY-MM-DD)'
	date_refused 03.12.2026 'not a valid date (expected YYYY-MM-DD)'
	# and ISO is read in every form
	date_is --form mdy 2026-12-03 2026-12-03
	date_is --form dmy 2026-12-03 2026-12-03
	date_is --form excel 2026-12-03 2026-12-03
}

@test "dates: MM/DD/YYYY against DD/MM/YYYY" {
	date_is --form mdy 12/03/2026 2026-12-03
	date_is --form dmy 12/03/2026 2026-03-12
	date_is --form mdy 3/4/2026 2026-03-04
	date_is --form dmy 3/4/2026 2026-04-03
	date_is --form dmy 03.12.2026 2026-12-03
	date_is --form dmy 25/12/2026 2026-12-25
	date_refused --form mdy 25/12/2026 'not a valid date: no such month'
	date_refused --form mdy 03.12.2026 \
	    'not a valid date (expected YYYY-MM-DD or MM/DD/YYYY)'
	date_refused --form dmy 03/12.2026 \
	    'not a valid date (expected YYYY-MM-DD or DD/MM/YYYY)'
	date_refused --form mdy 12/3/26 \
	    'not a valid date: a two-digit year (write all four digits)'
	date_refused --form dmy 3/12/26 \
	    'not a valid date: a two-digit year (write all four digits)'
	date_refused --form mdy 123/1/2026 \
	    'not a valid date (expected YYYY-MM-DD or MM/DD/YYYY)'
	date_refused --form mdy 12/03/02026 \
	    'not a valid date (expected YYYY-MM-DD or MM/DD/YYYY)'
	date_refused --form mdy 00/10/2026 'not a valid date: no such month'
	date_refused --form mdy 12/03/1799 \
	    'not a valid date: the year is out of range (1800 to 2999)'
}

@test "dates: Excel serials, 1900 leap-year bug included" {
	date_is --form excel 61 1900-03-01
	date_is --form excel 62 1900-03-02
	date_is --form excel 30438 1983-05-02
	date_is --form excel 25569 1970-01-01
	date_is --form excel 45292 2024-01-01
	date_is --form excel 45292.0 2024-01-01
	date_is --form excel 45292.000 2024-01-01
	date_is --form excel ' 45292 ' 2024-01-01
	date_is --form excel 401768 2999-12-31
	local below='not a valid date: Excel serials below 61 are not dates (Excel counts a 1900-02-29 that never was)'
	date_refused --form excel 0 "$below"
	date_refused --form excel 1 "$below"
	date_refused --form excel 59 "$below"
	date_refused --form excel 60 "$below"
	date_refused --form excel 0.0 "$below"
	local past='not a valid date: the Excel serial is past 2999'
	date_refused --form excel 401769 "$past"
	date_refused --form excel 2958465 "$past"
	date_refused --form excel 99999999999999999999 "$past"
	local tod='not a valid date: an Excel serial with a time of day'
	date_refused --form excel 45292.5 "$tod"
	date_refused --form excel 45292.0000001 "$tod"
	local bad='not a valid date (expected YYYY-MM-DD or an Excel serial)'
	date_refused --form excel -1 "$bad"
	date_refused --form excel 45292. "$bad"
	date_refused --form excel .5 "$bad"
	date_refused --form excel 4.5e4 "$bad"
	date_refused --form excel 45,292 "$bad"
	date_refused --form excel abc "$bad"
}

@test "B12: serials and junk are never a zero date" {
	date_is --form excel 30438 1983-05-02
	run -65 --separate-stderr pms-when date --form excel 0
	assert_output ''
	run -65 --separate-stderr pms-when date --form excel abc
	assert_output ''
	run -0 pms-when datetime --form excel 45292.5
	assert_output 2024-01-01T12:00:00
	run -65 --separate-stderr pms-when date --form excel 45292.5
	assert_output ''
}

@test "dates: weekdays" {
	run -0 pms-when weekday 1970-01-01
	assert_output thursday
	run -0 pms-when weekday 2026-03-08
	assert_output sunday
	run -0 pms-when weekday 2024-02-29
	assert_output thursday
	run -0 pms-when weekday 1800-01-01
	assert_output wednesday
	run -0 pms-when weekday "$(date -d '+14 days' +%F)"
	assert_output "$(LC_ALL=C date -d '+14 days' +%A | tr A-Z a-z)"
}

@test "dates: an unknown --form is a usage error" {
	run -64 --separate-stderr pms-when date --form ymd 2026-12-03
	[ "$stderr" = 'pms-when: --form: unknown form "ymd" (iso, mdy, dmy, excel)' ]
}

# ---- times and date-times ----

@test "times of day" {
	local -A want=([09:30]=09:30 [09:30:00]=09:30 [09:30:15]=09:30:15
	    [00:00]=00:00 [23:59:59]=23:59:59 [' 07:05 ']=07:05)
	local t
	for t in "${!want[@]}"; do
		run -0 pms-when time "$t"
		assert_output "${want[$t]}"
	done
	for t in 24:00 23:60 12:00:60 9:30 0930 09:30:1 09:30pm '' 09-30; do
		run -65 --separate-stderr pms-when time "$t"
		[[ $stderr == 'pms-when: no time' ||
		    $stderr == 'pms-when: not a valid time'* ]] ||
		    fail "time \"$t\" not refused as expected: $stderr"
	done
	run -65 --separate-stderr pms-when time 24:00
	[ "$stderr" = 'pms-when: not a valid time: no such time of day' ]
	run -65 --separate-stderr pms-when time 9:30
	[ "$stderr" = 'pms-when: not a valid time (expected HH:MM)' ]
}

@test "date-times: ISO 8601 with and without offsets" {
	local -A want=(
		[2026-12-03T09:30]=2026-12-03T09:30:00
		['2026-12-03 09:30:15']=2026-12-03T09:30:15
		[2026-12-03T09:30Z]=2026-12-03T09:30:00+00:00
		[2026-12-03T09:30-05:00]=2026-12-03T09:30:00-05:00
		[2026-12-03T09:30+05:45]=2026-12-03T09:30:00+05:45
		[2026-12-03T09:30+18:00]=2026-12-03T09:30:00+18:00
		[1850-06-01T12:00-04:56:02]=1850-06-01T12:00:00-04:56:02
	)
	local t
	for t in "${!want[@]}"; do
		run -0 pms-when datetime "$t"
		assert_output "${want[$t]}"
	done
	run -0 pms-when datetime --form mdy '12/03/2026 09:30'
	assert_output 2026-12-03T09:30:00
	run -0 pms-when datetime --form dmy '03.12.2026 09:30'
	assert_output 2026-12-03T09:30:00
}

@test "date-times: malformed ones are refused" {
	local t
	for t in 2026-12-03 2026-12-03T 2026-12-03T9:30 2026-12-03t09:30 \
	    2026-12-03T09:30+5 2026-12-03T09:30+0500 2026-12-03T09:30z \
	    '2026-12-03  09:30' 2026-12-03T09:30:00.000Z 2026-02-29T09:30 \
	    2026-12-03T25:00 45292.5; do
		run -65 --separate-stderr pms-when datetime "$t"
		[[ $stderr == 'pms-when: not a valid '* ]] ||
		    fail "datetime \"$t\": $stderr"
	done
	run -65 --separate-stderr pms-when datetime 2026-12-03T09:30+18:01
	[ "$stderr" = 'pms-when: not a valid time: the offset is out of range' ]
	run -65 --separate-stderr pms-when datetime 2026-12-03
	[ "$stderr" = 'pms-when: not a valid date and time (expected YYYY-MM-DDTHH:MM)' ]
}

@test "date-times: Excel serials with a fraction, to the second" {
	local -A want=([45292.5]=2024-01-01T12:00:00
	    [45292]=2024-01-01T00:00:00 [30438.25]=1983-05-02T06:00:00
	    [45292.99998]=2024-01-01T23:59:58 [61.0001]=1900-03-01T00:00:09
	    [45292.999999]=2024-01-02T00:00:00 [401768.9999]=2999-12-31T23:59:51)
	local t
	for t in "${!want[@]}"; do
		run -0 pms-when datetime --form excel "$t"
		assert_output "${want[$t]}"
	done
	run -65 --separate-stderr pms-when datetime --form excel 60.5
	[[ $stderr == 'pms-when: not a valid date: Excel serials below 61'* ]]
	run -65 --separate-stderr pms-when datetime --form excel 401768.99999999
	[ "$stderr" = 'pms-when: not a valid date: the Excel serial is past 2999' ]
}

# ---- durations ----

@test "durations" {
	local -A want=([15m]=900 [48h]=172800 [2d]=172800 [90s]=90
	    [1h30m]=5400 [2d12h30m15s]=217815 [1d1s]=86401 [366d]=31622400
	    [0h5m]=300)
	local d
	for d in "${!want[@]}"; do
		run -0 pms-when duration "$d"
		assert_output "${want[$d]}"
	done
}

@test "durations: junk, zero and too long are refused" {
	local d bad='pms-when: not a duration (expected a number and a unit, d h m or s: 15m, 48h, 2d, 1h30m)'
	for d in 5 15 m 1x 15M 1H ' 15m' '15m ' '1h 30m' 1h1h 30m1h 1.5h \
	    -15m +15m 1w 15mm h1; do
		run -65 --separate-stderr pms-when duration "$d"
		[ "$stderr" = "$bad" ] || fail "duration \"$d\": $stderr"
	done
	run -65 --separate-stderr pms-when duration 0m
	[ "$stderr" = 'pms-when: not a duration: it must be more than zero' ]
	run -65 --separate-stderr pms-when duration 0d0h
	[ "$stderr" = 'pms-when: not a duration: it must be more than zero' ]
	run -65 --separate-stderr pms-when duration ''
	[ "$stderr" = 'pms-when: no duration' ]
	for d in 367d 366d1s 8785h 99999999999999999999d; do
		run -65 --separate-stderr pms-when duration "$d"
		[ "$stderr" = 'pms-when: not a duration: longer than 366d' ] ||
		    fail "duration \"$d\": $stderr"
	done
}
