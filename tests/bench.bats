#!/usr/bin/env bats
# bats file_tags=bench
# bench-gen: the generated practice is the same for the same seed and
# differs for another, its NPIs carry their check digit, its patients
# spreadsheet has the header and rows the small size promises with the
# quirks real exports have, and its config loads.  Small size only.

load helpers/common

setup_file() {
	G="$BATS_FILE_TMPDIR"
	bench-gen --seed 7 --out "$G/a"
	bench-gen --seed 7 --out "$G/b"
	bench-gen --seed 8 --out "$G/c"
}

setup() {
	G="$BATS_FILE_TMPDIR"
}

# Luhn over "80840" and the ten digits of an NPI: 0 if it checks.
npi_ok() {
	local s="80840$1" sum=0 i d dbl=0

	[[ $1 =~ ^[0-9]{10}$ ]] || return 1
	for ((i = ${#s} - 1; i >= 0; i--)); do
		d=${s:i:1}
		if ((dbl)); then
			((d *= 2, d > 9 ? d -= 9 : 0))
		fi
		((sum += d, dbl = !dbl))
	done
	((sum % 10 == 0))
}

# A query over patients.csv of directory $1, in a plain in-memory database.
csv_query() {
	sqlite3 :memory: ".import --csv $1/patients.csv p" "$2"
}

@test "the same seed gives the same bytes" {
	run -0 cmp "$G/a/practice.yaml" "$G/b/practice.yaml"
	run -0 cmp "$G/a/patients.csv" "$G/b/patients.csv"
}

@test "another seed gives other files" {
	run -1 cmp -s "$G/a/practice.yaml" "$G/c/practice.yaml"
	run -1 cmp -s "$G/a/patients.csv" "$G/c/patients.csv"
}

@test "a kind written alone is the same as written with the others" {
	run -0 bench-gen --seed 7 --out "$BATS_TEST_TMPDIR/one" patients
	assert_output ''
	run -0 cmp "$G/a/patients.csv" "$BATS_TEST_TMPDIR/one/patients.csv"
	assert_file_not_exists "$BATS_TEST_TMPDIR/one/practice.yaml"
}

@test "the output does not move: version 4, seed 1, small" {
	# A change to what bench-gen writes must bump GEN_VERSION in
	# bench/gen.c (bench/.cache is keyed by it) and these sums.
	run -0 bench-gen --version
	assert_output 'bench-gen 4'
	bench-gen --seed 1 --out "$BATS_TEST_TMPDIR/v"
	cd "$BATS_TEST_TMPDIR/v"
	yaml=1c03f3dcab0766712d10a479369702d4e254087ea6088dd2d4d748ec4dcbafa0
	csv=4c56025834360e7f5e599329e547e946896efb6160b9bcf3586808cc1666fb8c
	pol=1fa63ef24fa465b1397fec68cc8aa201a2f069b23aa441ab065d4d5de22a9b2d
	appt=10eee8ef33e92687de340273f8ca4b9e2a77a587f94be9bea419314e44cde0e8
	fee=69ee25936a81a4887adecbdfa9509766f4f880355a5d7eb13ec309a934a180a5
	chg=b892f6444635b5ee3a3e0185d7c23b66ae3630a6437302af16f0790a2612f119
	pay=d297b14e92d6eeb0fe3bd612bcc21d0269ddefa67f10017e69a12807a20e281f
	run -0 sha256sum practice.yaml patients.csv policies.csv \
	    appointments.csv fees.csv charges.csv payments.csv
	assert_output "$yaml  practice.yaml
$csv  patients.csv
$pol  policies.csv
$appt  appointments.csv
$fee  fees.csv
$chg  charges.csv
$pay  payments.csv"
}

@test "appointments.csv: a year of full days, about 8% no-shows, real MRNs" {
	run -0 head -n 1 "$G/a/appointments.csv"
	assert_output 'source_id,mrn,provider,location,type,start,status,cancelled_by,confirmed_at'
	sqlite3 "$BATS_TEST_TMPDIR/a.db" \
	    ".import --csv $G/a/appointments.csv a" \
	    ".import --csv $G/a/patients.csv p"
	# the rows, by status; no-shows near 8% of the past
	run -0 sqlite3 "$BATS_TEST_TMPDIR/a.db" "SELECT count(*) > 8000,
	    count(DISTINCT source_id) = count(*),
	    round(100.0 * sum(status = 'no-show') / sum(start < '2026-01-01'))
	    BETWEEN 7 AND 9,
	    sum(status = 'completed' AND start >= '2026-01-01'),
	    sum(status = 'booked' AND start >= '2026-01-01') > 0,
	    sum(status IN ('cancelled', 'late-cancel')) > 0,
	    min(start) >= '2025-01-01', max(start) < '2026-02-27'
	    FROM a"
	assert_output '1|1|1|0|1|1|1|1'
	# every MRN is a patient of patients.csv; weekdays only, in hours
	run -0 sqlite3 "$BATS_TEST_TMPDIR/a.db" "SELECT
	    (SELECT count(*) FROM a WHERE mrn NOT IN (SELECT mrn FROM p)),
	    sum(strftime('%w', substr(start, 1, 10)) IN ('0', '6')),
	    sum(substr(start, 12) < '08:00' OR substr(start, 12) >= '17:30' OR
	    substr(start, 12) BETWEEN '12:00' AND '12:59') FROM a"
	assert_output '0|0|0'
}

@test "appointments.csv imports into pms-schedule without a conflict" {
	[ -x "$BUILD_DIR/pms-schedule" ] || skip "pms-schedule not built"
	printf '%s\n' 'correct horse battery staple' >"$BATS_TEST_TMPDIR/pass"
	export PMS_STORE="$BATS_TEST_TMPDIR/store" PMS_USER=admin \
	    PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	pms-admin init --kdf interactive >/dev/null 2>&1
	pms-admin config load "$G/a/practice.yaml" 2>/dev/null
	pms-patient import "$G/a/patients.csv" >/dev/null 2>&1
	n=$(($(wc -l <"$G/a/appointments.csv") - 1))
	run -0 --separate-stderr pms-schedule import "$G/a/appointments.csv"
	assert_stderr "$n rows: $n added, 0 there already, 0 rejected"
}

@test "--as-of moves the dates" {
	bench-gen --seed 7 --as-of 2030-06-30 --out "$BATS_TEST_TMPDIR/x" \
	    patients
	run -1 cmp -s "$G/a/patients.csv" "$BATS_TEST_TMPDIR/x/patients.csv"
	run -0 csv_query "$BATS_TEST_TMPDIR/x" "SELECT
	    max(dob) BETWEEN '2030-01-01' AND '2030-06-30',
	    max(first_visit) BETWEEN '2030-01-01' AND '2030-06-30' FROM p"
	assert_output '1|1'
}

@test "every NPI carries its check digit, and providers' are distinct" {
	mapfile -t npis < <(sed -n 's/^ *npi: "\([0-9]*\)"$/\1/p' \
	    "$G/a/practice.yaml")
	# the practice and the small size's two providers
	[ "${#npis[@]}" -eq 3 ]
	for n in "${npis[@]}"; do
		npi_ok "$n" || fail "NPI $n fails its check digit"
	done
	[ "$(printf '%s\n' "${npis[@]}" | sort -u | wc -l)" -eq 3 ]
	# and the check itself refuses a changed digit
	bad=${npis[0]:0:9}$(((${npis[0]:9:1} + 1) % 10))
	run ! npi_ok "$bad"
}

@test "the clinic and group sizes' NPIs check too" {
	for s in clinic group; do
		bench-gen --size "$s" --out "$BATS_TEST_TMPDIR/$s" config
		mapfile -t npis < <(sed -n 's/^ *npi: "\([0-9]*\)"$/\1/p' \
		    "$BATS_TEST_TMPDIR/$s/practice.yaml")
		for n in "${npis[@]}"; do
			npi_ok "$n" || fail "$s: NPI $n fails its check digit"
		done
		[ "$(printf '%s\n' "${npis[@]}" | sort -u | wc -l)" -eq \
		    "${#npis[@]}" ]
	done
	[ "${#npis[@]}" -eq 21 ]	# group: the practice and 20 providers
}

@test "patients.csv: the header and 1000 rows for small" {
	run -0 head -n 1 "$G/a/patients.csv"
	assert_output "mrn,first_name,middle_name,last_name,suffix,\
preferred_name,dob,sex,street,street2,city,state,zip,phone,mobile_phone,\
email,preferred_contact,sms_consent,email_consent,language,first_visit,\
status"
	# no cell holds a newline, so lines are rows
	run -0 wc -l <"$G/a/patients.csv"
	assert_output 1001
	run -0 csv_query "$G/a" "SELECT count(*), count(DISTINCT mrn) FROM p"
	assert_output '1000|1000'
}

@test "patients.csv: the quirks of a real export are there" {
	# MRNs of 8 digits, some with leading zeros; ZIPs with leading zeros
	# and ZIP+4; apostrophes straight and typographic, hyphens, accents;
	# some without e-mail or phone; commas inside quoted cells
	run -0 csv_query "$G/a" "SELECT
	    sum(mrn GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]') = 1000,
	    sum(mrn LIKE '0%') > 0,
	    sum(zip LIKE '0%') > 0, sum(zip LIKE '_____-____') > 0,
	    sum(last_name LIKE '%''%') > 0, sum(last_name LIKE '%’%') > 0,
	    sum(last_name LIKE '%-%') > 0, sum(first_name LIKE '% %') > 0,
	    sum(last_name GLOB '*[^ -~]*' OR first_name GLOB '*[^ -~]*') > 0,
	    sum(email = '') > 0, sum(email <> '') > 0,
	    sum(phone = '' AND mobile_phone = '') > 0,
	    sum(street LIKE '%,%') > 0,
	    sum(dob NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]') = 0,
	    sum(sex NOT IN ('F', 'M', 'U')) = 0
	    FROM p"
	assert_output '1|1|1|1|1|1|1|1|1|1|1|1|1|1|1'
}

@test "policies.csv: pms-patient policy import's columns, one to two a patient" {
	run -0 head -n 1 "$G/a/policies.csv"
	assert_output "mrn,payer,priority,member_id,group_number,relationship,\
subscriber_last_name,subscriber_first_name,subscriber_dob,subscriber_sex,\
effective_from,effective_to"
	run -0 sqlite3 :memory: ".import --csv $G/a/policies.csv o" \
	    ".import --csv $G/a/patients.csv p" "SELECT
	    count(DISTINCT o.mrn) BETWEEN 800 AND 950,
	    sum(o.mrn NOT IN (SELECT mrn FROM p)) = 0,
	    sum(priority = 'secondary') > 0,
	    sum(relationship = 'child') > 0, sum(relationship = 'spouse') > 0,
	    sum(relationship <> 'self' AND subscriber_dob = '') = 0,
	    sum(payer = 'medicare') > 0, sum(member_id LIKE '%0%') > 0,
	    (SELECT count(*) FROM (SELECT mrn, priority FROM o GROUP BY 1, 2
	    HAVING count(*) > 1)) = 0
	    FROM o"
	assert_output '1|1|1|1|1|1|1|1|1'
}

@test "fees, charges, payments: pms-bill's columns; every patient, code and visit known" {
	run -0 head -n 1 "$G/a/charges.csv"
	assert_output 'source_id,mrn,date_of_service,provider,location,code,units,dx'
	run -0 head -n 1 "$G/a/payments.csv"
	assert_output 'source_id,mrn,amount,method,ref,received_on'
	run -0 sqlite3 :memory: ".import --csv $G/a/charges.csv c" \
	    ".import --csv $G/a/payments.csv y" ".import --csv $G/a/fees.csv f" \
	    ".import --csv $G/a/patients.csv p" "SELECT
	    (SELECT count(*) FROM c) BETWEEN 900 AND 1400,
	    (SELECT count(*) FROM y) BETWEEN 400 AND 800,
	    (SELECT count(*) FROM c WHERE mrn NOT IN (SELECT mrn FROM p)) = 0,
	    (SELECT count(*) FROM c WHERE code NOT IN (SELECT code FROM f)) = 0,
	    (SELECT count(DISTINCT source_id) FROM c) = (SELECT count(*) FROM c),
	    (SELECT count(*) FROM y WHERE 'C' || substr(source_id, 2) NOT IN
	    (SELECT source_id FROM c)) = 0,
	    (SELECT count(*) FROM y JOIN c ON c.source_id = 'C' ||
	    substr(y.source_id, 2) WHERE y.received_on <> c.date_of_service
	    OR y.mrn <> c.mrn) = 0,
	    (SELECT max(date_of_service) < '2026-01-01' AND
	    min(date_of_service) >= '2025-01-01' FROM c),
	    (SELECT count(*) FROM y WHERE amount NOT GLOB '[0-9]*.00') = 0"
	assert_output '1|1|1|1|1|1|1|1|1'
}

@test "the record reader takes every generated row" {
	run -0 --separate-stderr rec-bench read "$G/a/patients.csv"
	assert_output --regexp '^1000 records, '
	# and the writer's copy reads back as the same number of rows
	rec-bench copy "$G/a/patients.csv" >"$BATS_TEST_TMPDIR/copy.csv"
	run -0 rec-bench read "$BATS_TEST_TMPDIR/copy.csv"
	assert_output --regexp '^1000 records, '
}

@test "--patients sets the rows; 0 leaves the header alone" {
	bench-gen --patients 25 --out "$BATS_TEST_TMPDIR/p" patients
	run -0 wc -l <"$BATS_TEST_TMPDIR/p/patients.csv"
	assert_output 26
	bench-gen --patients 0 --out "$BATS_TEST_TMPDIR/p" patients
	run -0 wc -l <"$BATS_TEST_TMPDIR/p/patients.csv"
	assert_output 1
	# the first rows of a longer file are the rows of a shorter one
	bench-gen --seed 7 --patients 2000 --out "$BATS_TEST_TMPDIR/q" \
	    patients
	run -0 cmp "$G/a/patients.csv" <(head -n 1001 \
	    "$BATS_TEST_TMPDIR/q/patients.csv")
}

@test "the config loads with pms-admin config load" {
	if ! pms-admin --help | grep -q 'config load'; then
		skip "pms-admin has no config load yet (branch i4-config)"
	fi
	make_template
	use_store
	run -0 --separate-stderr pms-admin config load "$G/a/practice.yaml"
	for s in clinic group; do
		bench-gen --size "$s" --out "$BATS_TEST_TMPDIR/$s" config
		run -0 --separate-stderr pms-admin config load \
		    "$BATS_TEST_TMPDIR/$s/practice.yaml"
	done
}

@test "bad options are usage errors, and nothing is written" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR/empty"
	run -64 --separate-stderr bench-gen --size huge
	assert_stderr 'bench-gen: --size: unknown size "huge"'
	run -64 --separate-stderr bench-gen --seed -1
	assert_stderr 'bench-gen: --seed: not a number'
	run -64 --separate-stderr bench-gen --seed 12x
	assert_stderr 'bench-gen: --seed: not a number'
	run -64 --separate-stderr bench-gen --as-of 2026-02-30
	assert_stderr 'bench-gen: --as-of: not a date'
	run -64 --separate-stderr bench-gen claims
	assert_stderr 'bench-gen: unknown kind of file "claims"'
	run -64 --separate-stderr bench-gen --frobnicate
	[ -z "$(ls -A)" ]
}

@test "--list names every kind of file, --help prints usage" {
	run -0 bench-gen --list
	assert_line --regexp '^config +practice\.yaml '
	assert_line --regexp '^patients +patients\.csv '
	assert_line --regexp '^appointments +appointments\.csv '
	run -0 bench-gen --help
	assert_line --index 0 --partial 'usage: bench-gen [--seed n]'
}

@test "bench/run refuses an unknown size" {
	run -64 --separate-stderr "$TOP/bench/run" huge
	assert_stderr 'bench: unknown size "huge"'
}
