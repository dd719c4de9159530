#!/usr/bin/env bats
# bats file_tags=config
# pms-admin config load and dump, pms.yaml(5): the demo practice loads,
# loading it again changes nothing, every kind of mistake in a file is
# refused with its line and column and leaves the store as it was,
# entries that leave the file become inactive, a dump loads back
# unchanged, and the C API (through tests/helpers/pms-cfg) sees it all.

load helpers/common

setup_file() { make_template; }

setup() {
	use_store
	DEMO="$TOP/share/demo/practice.yaml"
	cd "$BATS_TEST_TMPDIR"
}

# Everything the configuration tables and the access log hold, to
# compare before and after.
config_state() {
	pms-sql "SELECT count(*), max(id) FROM audit;
	    SELECT * FROM config; SELECT * FROM locations;
	    SELECT * FROM providers; SELECT * FROM appointment_types;
	    SELECT * FROM payers"
}

load_demo() {
	run -0 --separate-stderr pms-admin config load "$DEMO"
}

# A small configuration that loads, with known lines, to break below.
minimal() {
	cat <<'EOF'
practice:
  name: Small Town Clinic
  npi: "1234567893"
  taxonomy: 207Q00000X
  ein: 12-3456789
  time_zone: America/Chicago
  address: { street: 1 Main Street, city: Springfield, state: IL, zip: "62701" }
locations:
  - code: main
    name: Main office
    address: { street: 1 Main Street, city: Springfield, state: IL, zip: "62701" }
providers:
  - code: lee
    first_name: Ann
    last_name: Lee
    npi: "1245319599"
    taxonomy: 207Q00000X
EOF
}

# Load file $1 on a store that holds the demo; it must be refused with
# exit 78, stderr naming each error as "file:LINE:COL: ..." and
# containing every further argument, and the store left as it was.
refused() {
	local file=$1 before line
	shift
	load_demo
	before=$(config_state)
	run -78 --separate-stderr pms-admin config load "$file"
	[ -z "$output" ]
	for m in "$@"; do
		assert_stderr "$m"
	done
	while IFS= read -r line; do
		[[ $line == "pms-admin: $file:"[0-9]*:[0-9]*": "* ||
		    $line == "pms-admin: $file: "*" error"*"; nothing was written" ]] ||
		    fail "a message without line and column: $line"
	done <<<"$stderr"
	[ "$(config_state)" = "$before" ]
}

@test "config: the demo practice loads, with its entities and one audit entry" {
	run -0 --separate-stderr pms-admin config load "$DEMO"
	assert_stderr "practice.yaml: loaded; changed: practice trading_partner locations providers appointment_types payers schedule billing reminders templates"
	assert_stderr "pms-admin: providers: 3 added"
	assert_stderr "pms-admin: payers: 4 added"
	run -0 pms-sql "SELECT code, active, time_zone, place_of_service, zip, rooms FROM locations ORDER BY id"
	assert_output $'main|1|America/New_York|11|455021234|["exam-1","exam-2","exam-3","procedure"]\nlakeside|1|America/Chicago|11|463601234|["exam-1","exam-2"]'
	run -0 pms-sql "SELECT code, npi, taxonomy, locations FROM providers ORDER BY id"
	assert_output $'lee|1245319599|207Q00000X|["main","lakeside"]\nortiz|1598765430|207R00000X|["main"]\npatel|1987654328|363LF0000X|["lakeside"]'
	run -0 pms-sql "SELECT code, length_secs, codes, may_overlap FROM appointment_types ORDER BY id"
	assert_output $'newpatient|2400|["99203"]|0\nfollowup|1200|["99213"]|0\nlong|1800|["99214"]|0\nphysical|2700|["99396"]|0\nphone|300|[]|1'
	run -0 pms-sql "SELECT code, payer_id, filing_indicator, timely_filing_days, prior_auth_required, fee_schedule FROM payers ORDER BY id"
	assert_output $'medicare|15202|MB|365|0|\nmedicaid|OHMCD|MC|365|1|\nbluecross|00834|BL|180|0|\nacme|60054|CI|90|0|acme'
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output "config.load|practice,trading_partner,locations,providers,appointment_types,payers,schedule,billing,reminders,templates"
	# the document, for SQL: canonical values, units in the key names
	run -0 pms-sql "SELECT json_extract(doc, '$.schedule.late_cancel_notice_secs'),
	    json_extract(doc, '$.billing.no_show_fee.price_cents'),
	    json_extract(doc, '$.practice.ein'),
	    json_extract(doc, '$.reminders.rules[1].day_before_at'),
	    json_extract(doc, '$.trading_partner.gs_sender'),
	    loaded_by FROM config"
	assert_output "86400|2500|123456789|10:00|RIVERSIDE01|admin"
}

@test "config: loading the same file twice changes nothing and writes nothing" {
	load_demo
	before=$(config_state)
	run -0 --separate-stderr pms-admin config load "$DEMO"
	assert_stderr "practice.yaml: the store holds this configuration already; nothing was written"
	[ "$(config_state)" = "$before" ]
	# the same configuration written differently is the same, too
	sed -e 's/"12-3456789"/123456789/' -e 's/zip: "45502-1234"/zip: "455021234"/' \
	    -e 's/^  separators: .*/  separators: { segment: "~" }/' \
	    "$DEMO" >same.yaml
	run -0 --separate-stderr pms-admin config load same.yaml
	assert_stderr "nothing was written"
	[ "$(config_state)" = "$before" ]
}

@test "config: --dry-run checks and says what would change, and writes nothing" {
	before=$(config_state)
	run -0 --separate-stderr pms-admin config load --dry-run "$DEMO"
	assert_stderr "checked; loading it would change: practice trading_partner"
	assert_stderr "pms-admin: providers: 3 added"
	assert_stderr "--dry-run: nothing was written"
	[ "$(config_state)" = "$before" ]
	run -0 pms-sql "SELECT count(*) FROM config"
	assert_output 0
}

@test "config: a changed file writes one audit entry naming the sections that changed" {
	load_demo
	run -0 pms-sql "SELECT count(*) FROM audit"
	n=$output
	sed -e 's/late_cancel_notice: 24h/late_cancel_notice: 2d/' \
	    -e 's/timely_filing_days: 180/timely_filing_days: 120/' "$DEMO" >changed.yaml
	run -0 --separate-stderr pms-admin config load changed.yaml
	assert_stderr "changed.yaml: loaded; changed: payers schedule"
	assert_stderr "pms-admin: payers: 1 changed"
	[[ $stderr != *"providers:"* ]]
	run -0 pms-sql "SELECT count(*) FROM audit"
	[ "$output" -eq $((n + 1)) ]
	run -0 pms-sql "SELECT action, fields FROM audit ORDER BY id DESC LIMIT 1"
	assert_output "config.load|payers,schedule"
	run -0 pms-sql "SELECT timely_filing_days FROM payers WHERE code = 'bluecross'"
	assert_output 120
}

@test "config: a provider removed from the file becomes inactive, and active again when back" {
	load_demo
	run -0 pms-sql "SELECT id FROM providers WHERE code = 'ortiz'"
	id=$output
	# the file without ortiz: the lines of his entry
	awk '/^  - code: ortiz/ { skip = 1; next } /^  - code: / { skip = 0 }
	    /^[a-z]/ { skip = 0 } !skip' "$DEMO" >without.yaml
	run -0 --separate-stderr pms-admin config load without.yaml
	assert_stderr "changed: providers"
	assert_stderr "pms-admin: providers: 1 made inactive (no longer in the file)"
	run -0 pms-sql "SELECT id, active FROM providers WHERE code = 'ortiz'"
	assert_output "$id|0"
	run -0 pms-sql "SELECT count(*) FROM providers WHERE active = 1"
	assert_output 2
	# the API: by code it is gone, by id (old appointments) it is there
	run -1 --separate-stderr pms-cfg provider ortiz
	assert_stderr 'provider "ortiz" is inactive (no longer in the configuration)'
	run -0 pms-cfg provider-id "$id"
	assert_line "active=0"
	assert_line "last_name=Ortiz"
	# rows are never deleted
	run -70 --separate-stderr pms-sql "DELETE FROM providers WHERE code = 'ortiz'"
	assert_stderr "never deleted"
	# back in the file: active again, with the same id
	run -0 --separate-stderr pms-admin config load "$DEMO"
	assert_stderr "pms-admin: providers: 1 active again"
	run -0 pms-sql "SELECT id, active FROM providers WHERE code = 'ortiz'"
	assert_output "$id|1"
	run -0 pms-cfg provider ortiz
	assert_line "id=$id"
}

@test "config: dump loads back unchanged, and a fresh store dumps the same bytes" {
	load_demo
	run -0 --separate-stderr pms-admin config dump
	pms-admin config dump >dump1.yaml
	run -0 --separate-stderr pms-admin config load dump1.yaml
	assert_stderr "dump1.yaml: the store holds this configuration already; nothing was written"
	# into a new store: the same document, the same dump
	fresh="$BATS_TEST_TMPDIR/fresh.pms"
	pms-admin -S "$fresh" init --kdf interactive >/dev/null 2>&1
	run -0 --separate-stderr pms-admin -S "$fresh" config load dump1.yaml
	assert_stderr "dump1.yaml: loaded"
	pms-admin -S "$fresh" config dump >dump2.yaml
	cmp dump1.yaml dump2.yaml
	[ "$(pms-sql "SELECT doc FROM config")" = \
	    "$(pms-sql -S "$fresh" "SELECT doc FROM config")" ]
	# the checker alone gives the same canonical JSON for file and dump
	[ "$(pms-cfg parse "$DEMO")" = "$(pms-cfg parse dump1.yaml)" ]
	# defaults are written out, and the units of the store's JSON are not
	grep -qx '  late_cancel_notice: 24h' dump1.yaml
	grep -qx '    price: "25.00"' dump1.yaml
	grep -qx '  gs_sender: RIVERSIDE01' dump1.yaml
	! grep -q '_cents\|_secs' dump1.yaml
}

@test "config: dump before any load is exit 78" {
	run -78 --separate-stderr pms-admin config dump
	[ -z "$output" ]
	assert_stderr 'the practice has no configuration yet: load one with "pms-admin config load FILE"'
}

@test "config: the C API finds entities by code and id, the practice and values by path" {
	load_demo
	run -0 pms-cfg location lakeside
	assert_line "time_zone=America/Chicago"
	assert_line "address=400 Lake Shore Drive||Michigan City|IN|463601234"
	run -0 pms-cfg type followup
	assert_line "length_secs=1200"
	assert_line "codes=99213"
	run -0 pms-cfg payer medicaid
	assert_line "filing_indicator=MC"
	assert_line "prior_auth_required=1"
	run -1 --separate-stderr pms-cfg payer nosuch
	assert_stderr 'unknown payer "nosuch"'
	run -1 --separate-stderr pms-cfg location-id 99
	assert_stderr 'no location with id 99'
	run -0 pms-cfg practice
	assert_line "time_zone=America/New_York"
	assert_line "country=US"
	assert_line "ein=123456789"
	assert_line "pay_to=PO Box 55||Springfield|OH|455010055"
	assert_line --regexp '^uuid=[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
	run -0 pms-cfg int schedule.late_cancel_notice
	assert_output 86400
	run -0 pms-cfg int billing.no_show_fee.price
	assert_output 2500
	run -0 pms-cfg int reminders.rules[1].day_before_at
	assert_output 36000
	run -0 pms-cfg text reminders.rules[0].types
	assert_output all
	run -0 pms-cfg count reminders.rules[1].types
	assert_output 2
	run -0 pms-cfg text billing.contractual_writeoffs[1]
	assert_output CO-253
	run -0 pms-cfg int trading_partner.newline
	assert_output 1
	run -1 --separate-stderr pms-cfg text practice.pay_to.street2
	assert_stderr "practice.pay_to.street2 is not set"
	run -70 --separate-stderr pms-cfg text practice.nmae
	assert_stderr 'no key "practice.nmae" in pms.yaml(5)'
	run -70 --separate-stderr pms-cfg int practice.name
	assert_stderr "practice.name is not a number"
}

@test "config: the practice uuid is made once and survives a load and a rekey" {
	run -0 pms-sql "SELECT value FROM meta WHERE key = 'practice_uuid'"
	uuid=$output
	[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	load_demo
	run -0 pms-admin rekey
	run -0 pms-cfg practice
	assert_line "uuid=$uuid"
}

@test "config: a location without a time zone has the practice's; defaults are filled in" {
	minimal >small.yaml
	run -0 --separate-stderr pms-admin config load small.yaml
	run -0 pms-sql "SELECT time_zone, place_of_service, rooms FROM locations"
	assert_output 'America/Chicago|11|[]'
	run -1 --separate-stderr pms-cfg text trading_partner.sender_id
	assert_stderr "not set"
	run -0 pms-cfg json billing.contractual_writeoffs
	assert_output '["CO-45","CO-253","CO-24"]'
	run -0 pms-cfg json reminders.quiet_hours
	assert_output '{"sms":{"from":"21:00","to":"08:00"}}'
	run -0 pms-cfg int schedule.slot_step
	assert_output 900
}

@test "config: the example of pms.yaml(5) loads" {
	mandoc -T ascii -O width=500 "$TOP/man/man5/pms.yaml.5" |
	    sed 's/.\x08//g' | awk '/^EXAMPLES/ { on = 1; next }
	    /^SEE ALSO/ { on = 0 } on' |
	    sed -n '/^ *practice:/,/template: reminder-sms/p' >example.yaml
	[ "$(wc -l <example.yaml)" -gt 40 ]
	run -0 --separate-stderr pms-admin config load example.yaml
	assert_stderr "example.yaml: loaded"
}

@test "config: a UTF-8 byte order mark and CRLF line ends are read" {
	{ printf '\xef\xbb\xbf'; minimal | sed 's/$/\r/'; } >bom.yaml
	run -0 --separate-stderr pms-admin config load bom.yaml
	assert_stderr "bom.yaml: loaded"
	minimal >plain.yaml
	run -0 --separate-stderr pms-admin config load plain.yaml
	assert_stderr "nothing was written"
}

@test "config: only an admin may load a configuration; others may dump it" {
	load_demo
	printf '%s\n' 'a first passphrase for desk' >desk.pass
	PMS_NEW_PASSPHRASE_FILE=desk.pass run -0 pms-admin user add desk \
	    --role front-desk --kdf interactive
	before=$(config_state)
	sed 's/late_cancel_notice: 24h/late_cancel_notice: 12h/' "$DEMO" >c.yaml
	PMS_USER=desk PMS_PASSPHRASE_FILE=desk.pass run -77 --separate-stderr \
	    pms-admin config load c.yaml
	assert_stderr 'user "desk" lacks the admin role'
	# nothing changed but the refusal, which is on record
	[ "$(config_state | tail -n +2)" = "$(tail -n +2 <<<"$before")" ]
	run -0 pms-sql "SELECT user, action FROM audit ORDER BY id DESC LIMIT 1"
	assert_output 'desk|denied:admin.config.load'
	PMS_USER=desk PMS_PASSPHRASE_FILE=desk.pass run -0 --separate-stderr \
	    pms-admin config load --dry-run c.yaml
	assert_stderr "would change: schedule"
	PMS_USER=desk PMS_PASSPHRASE_FILE=desk.pass run -0 --separate-stderr \
	    pms-admin config dump
	[[ $output == *"late_cancel_notice: 24h"* ]]
}

# ---- files with mistakes -------------------------------------------------

@test "config: a syntax error is named by line and column" {
	minimal | sed '3s/.*/  npi: [1234567893/' >syntax.yaml
	refused syntax.yaml "syntax.yaml:4:11: syntax error: did not find expected ',' or ']' while parsing a flow sequence (from line 3, column 8)"
	printf 'practice:\n\tname: x\n' >tab.yaml
	refused tab.yaml "tab.yaml:2:1: syntax error:" "(a tab: indent with spaces)"
}

@test "config: a value of the wrong type" {
	minimal >wrong.yaml
	cat >>wrong.yaml <<'EOF'
payers:
  - code: acme
    name: Acme
    payer_id: "60054"
    filing_indicator: CI
    timely_filing_days: ninety
    prior_auth_required: maybe
appointment_types: followup
EOF
	refused wrong.yaml \
	    "wrong.yaml:23:25: payers[0].timely_filing_days: expected a whole number from 1 to 3650" \
	    "wrong.yaml:24:26: payers[0].prior_auth_required: expected true or false" \
	    "wrong.yaml:25:20: appointment_types: expected a list"
	minimal | sed 's/^  name: Small Town Clinic/  name: { first: Small }/' >map.yaml
	refused map.yaml "map.yaml:2:9: practice.name: expected a single value, not a mapping"
}

@test "config: an unknown key is refused, with a suggestion" {
	minimal | sed 's/^  name: Small/  nmae: Small/' >unknown.yaml
	printf 'shedule:\n  slot_step: 15m\n' >>unknown.yaml
	refused unknown.yaml \
	    'unknown.yaml:2:3: practice.nmae: unknown key (did you mean "name"?)' \
	    'unknown.yaml:2:3: practice.name: required, but missing' \
	    'unknown.yaml:18:1: shedule: unknown key (did you mean "schedule"?)'
}

@test "config: a missing required key, or one without a value" {
	minimal | sed '/^  taxonomy: 207Q00000X$/d; s/^  ein: .*/  ein:/' >missing.yaml
	refused missing.yaml \
	    "missing.yaml:2:3: practice.taxonomy: required, but missing" \
	    "missing.yaml:4:3: practice.ein: required, but empty"
	minimal | sed '/^providers:/,$d' >noproviders.yaml
	refused noproviders.yaml "noproviders.yaml:1:1: providers: required, but missing"
}

@test "config: a key given twice" {
	minimal | sed 's/^  time_zone: America\/Chicago/&\n  time_zone: America\/Denver/' >twice.yaml
	refused twice.yaml "twice.yaml:7:3: practice.time_zone: duplicate key (first at line 6)"
}

@test "config: a code used twice in a list, and a list of codes with a repeat" {
	minimal >dup.yaml
	cat >>dup.yaml <<'EOF'
  - code: lee
    first_name: Bob
    last_name: Lee
    npi: "1598765430"
    taxonomy: 207Q00000X
    locations: [main, main]
appointment_types:
  - code: followup
    name: Follow-up
    length: 20m
    codes: ["99213", "99214", "99213"]
EOF
	refused dup.yaml \
	    "dup.yaml:18:11: providers[1].code: duplicate code (also at line 13)" \
	    "dup.yaml:23:23: providers[1].locations[1]: duplicate (also at 23:17)" \
	    "dup.yaml:28:31: appointment_types[0].codes[2]: duplicate (also at 28:13)"
}

@test "config: an NPI with a wrong check digit" {
	minimal | sed 's/"1245319599"/"1245319598"/' >npi.yaml
	refused npi.yaml "npi.yaml:16:10: providers[0].npi: check digit is wrong"
	[[ $stderr != *1245319598* ]]
	minimal | sed 's/"1245319599"/"124531959"/' >short.yaml
	refused short.yaml "short.yaml:16:10: providers[0].npi: expected an NPI: 10 digits"
}

@test "config: a country code must be one ISO 3166 assigns" {
	minimal | sed 's/^  time_zone: America\/Chicago/&\n  country: UK/' >uk.yaml
	refused uk.yaml "uk.yaml:7:12: practice.country: expected a two-letter country code (ISO 3166) such as US"
}

@test "config: a PO box is refused as the practice's address, taken as pay_to" {
	minimal | sed '7s/street: 1 Main Street/street: P.O. Box 12/' >pobox.yaml
	refused pobox.yaml "pobox.yaml:7:22: practice.address.street: a PO box: this must be a street address"
	[[ $stderr != *"Box 12"* ]]
	minimal | sed '11s/street: 1 Main Street/street: PO Box 9/' >locbox.yaml
	refused locbox.yaml "locbox.yaml:11:24: locations[0].address.street: a PO box"
	minimal | sed '7s/.*/&\n  pay_to: { street: PO Box 12, city: Springfield, state: IL, zip: "62705" }/' \
	    >payto.yaml
	run -0 --separate-stderr pms-admin config load payto.yaml
	run -0 pms-cfg practice
	assert_line "pay_to=PO Box 12||Springfield|IL|62705"
}

@test "config: an unknown time zone, never a silent UTC" {
	minimal | sed 's/America\/Chicago/America\/Chicgo/' >zone.yaml
	refused zone.yaml "zone.yaml:6:14: practice.time_zone: unknown time zone"
	minimal | sed 's/America\/Chicago/..\/..\/etc\/passwd/' >zone2.yaml
	refused zone2.yaml "zone2.yaml:6:14: practice.time_zone: unknown time zone"
}

@test "config: a bad duration" {
	minimal >dur.yaml
	printf 'appointment_types:\n  - { code: a, name: A, length: 20 }\n  - { code: b, name: B, length: 30s }\nschedule: { late_cancel_notice: 1x }\n' >>dur.yaml
	refused dur.yaml \
	    "dur.yaml:19:33: appointment_types[0].length: not a duration" \
	    "dur.yaml:20:33: appointment_types[1].length: must be from 1m to 12h" \
	    "dur.yaml:21:33: schedule.late_cancel_notice: not a duration"
}

@test "config: a bad amount of money" {
	minimal >money.yaml
	printf 'billing:\n  no_show_fee: { code: NOSHOW, price: "12.345" }\n  late_cancel_fee: { code: LATEC, price: "-5.00" }\n' >>money.yaml
	refused money.yaml \
	    "money.yaml:19:39: billing.no_show_fee.price: not an amount: more than two decimals" \
	    "money.yaml:20:42: billing.late_cancel_fee.price: must not be negative"
}

@test "config: an ISA sender id of 16 characters is refused, never truncated" {
	minimal >isa.yaml
	cat >>isa.yaml <<'EOF'
trading_partner:
  isa01: "00"
  isa02: ""
  isa03: "01"
  isa04: ABC
  sender_id: SUBMITTER-ID-0016
  receiver_id: PAYER01
  usage: T
  submitter: { name: Small Town Clinic, contact: Jo, phone: "2175550100" }
  receiver_name: Example Clearinghouse
EOF
	refused isa.yaml "isa.yaml:23:14: trading_partner.sender_id: ISA06 longer than 15 characters: shorten it (it is never truncated)"
	# B17's first configuration loads, as typed
	sed -i 's/SUBMITTER-ID-0016/SUBMIT01/' isa.yaml
	run -0 --separate-stderr pms-admin config load isa.yaml
	run -0 pms-cfg json trading_partner
	assert_output '{"first_control_number":1,"gs_receiver":"PAYER01","gs_sender":"SUBMIT01","isa01":"00","isa02":"","isa03":"01","isa04":"ABC","newline":false,"receiver_id":"PAYER01","receiver_name":"Example Clearinghouse","receiver_qualifier":"ZZ","sender_id":"SUBMIT01","sender_qualifier":"ZZ","separators":{"component":":","element":"*","repetition":"^","segment":"~"},"submitter":{"contact":"Jo","name":"Small Town Clinic","phone":"2175550100"},"usage":"T"}'
}

@test "config: X12 separators that clash, or are letters" {
	minimal >sep.yaml
	cat >>sep.yaml <<'EOF'
trading_partner:
  sender_id: SUB*01
  receiver_id: PAYER01
  submitter: { name: Clinic, contact: Jo, email: jo@example.org }
  receiver_name: Clearinghouse
  separators: { element: "*", component: "*", repetition: "^", segment: A }
EOF
	refused sep.yaml \
	    "sep.yaml:19:14: trading_partner.sender_id: holds the element separator character" \
	    "sep.yaml:23:42: trading_partner.separators.component: the same character as the element separator" \
	    "sep.yaml:23:73: trading_partner.separators.segment: expected one character that is not a letter, digit or space"
}

@test "config: a file that is not a mapping, an empty file, a second document" {
	printf -- '- practice\n- locations\n' >list.yaml
	refused list.yaml "list.yaml:1:1: expected a mapping of sections (practice:, locations:, providers:, ...), not a list"
	printf 'just some text\n' >text.yaml
	refused text.yaml "text.yaml:1:1: expected a mapping of sections"
	: >empty.yaml
	refused empty.yaml "empty.yaml:1:1: the file is empty: no configuration in it"
	printf '# nothing but a comment\n\n' >comment.yaml
	refused comment.yaml "comment.yaml:1:1: the file is empty"
	{ minimal; echo '---'; minimal; } >two.yaml
	refused two.yaml "two.yaml:18:1: a second document (---): the configuration is one document"
}

@test "config: a missing file is exit 66, a directory too" {
	load_demo
	before=$(config_state)
	run -66 --separate-stderr pms-admin config load nosuch.yaml
	assert_stderr "pms-admin: nosuch.yaml: No such file or directory"
	mkdir adir
	run -66 --separate-stderr pms-admin config load adir
	assert_stderr "pms-admin: adir: not a file"
	[ "$(config_state)" = "$before" ]
}

@test "config: a UTF-16 file is refused, and bytes that are not UTF-8" {
	minimal | iconv -f UTF-8 -t UTF-16 >utf16.yaml
	refused utf16.yaml "utf16.yaml:1:1: the file is UTF-16, not UTF-8: save it as UTF-8"
	minimal | iconv -f UTF-8 -t UTF-16LE >utf16le.yaml
	refused utf16le.yaml "utf16le.yaml:1:1: the file is UTF-16"
	minimal | sed 's/Small Town/Small \xe9 Town/' >latin1.yaml
	refused latin1.yaml "latin1.yaml:2:15: not valid UTF-8 text"
}

@test "config: aliases, tags, and references to codes that do not exist" {
	minimal | sed 's/^  name: Small Town Clinic/  name: \&n Small Town Clinic/;
	    s/^    name: Main office/    name: *n/' >alias.yaml
	refused alias.yaml "alias.yaml:10:11: aliases (*name) are not supported"
	minimal | sed 's/^  npi: "1234567893"/  npi: !!int 1234567893/' >tag.yaml
	refused tag.yaml "tag.yaml:3:8: tags (!!int, !name) are not supported"
	minimal >ref.yaml
	cat >>ref.yaml <<'EOF'
    locations: [main, annex]
reminders:
  rules:
    - { name: r1, types: [followup], before: 48h, channel: sms, template: t }
    - { name: r2, channel: sms, template: t }
EOF
	refused ref.yaml \
	    "ref.yaml:18:23: providers[0].locations[1]: no location has this code (see locations)" \
	    "ref.yaml:21:27: reminders.rules[0].types[0]: no appointment type has this code (see appointment_types)" \
	    'ref.yaml:22:7: reminders.rules[1]: give before (such as 48h), day_before_at or same_day_at (such as "10:00")'
}

@test "config: a rule says when in one way; the sender's PATH is absolute" {
	minimal >when.yaml
	cat >>when.yaml <<'EOF'
reminders:
  sender_path: [/opt/sms/bin, bin, "/a:/b"]
  rules:
    - { name: r1, before: 48h, day_before_at: "10:00", channel: sms, template: reminder-sms }
    - { name: r2, same_day_at: "08:00", channel: sms, template: reminder-sms }
EOF
	refused when.yaml \
	    'when.yaml:19:31: reminders.sender_path[1]: expected an absolute directory (starting with /, without :)' \
	    'when.yaml:19:36: reminders.sender_path[2]: expected an absolute directory (starting with /, without :)' \
	    'when.yaml:21:47: reminders.rules[0].day_before_at: give one of before, day_before_at and same_day_at, not before too'
	sed -i -e 's|, bin, "/a:/b"||' -e '/name: r1/d' when.yaml
	run -0 pms-admin config load --dry-run when.yaml
}

@test "config: every mistake of a file is reported, in the order of the file" {
	sed -e 's/"1598765430"/"1598765431"/' -e 's|America/Chicago|America/Chicgo|' \
	    -e 's/^  ein: .*/  eni: "12-3456789"/' -e 's/length: 45m/length: 45 minutes/' \
	    "$DEMO" >many.yaml
	refused many.yaml
	[ "$(grep -c 'many.yaml:[0-9]*:[0-9]*:' <<<"$stderr")" -eq 5 ]
	assert_stderr "many.yaml: 5 errors; nothing was written"
	lines=$(grep -o 'many.yaml:[0-9]*' <<<"$stderr" | cut -d: -f2)
	[ "$lines" = "$(sort -n <<<"$lines")" ]
	[[ $stderr == *"practice.eni: unknown key"* ]]
	[[ $stderr == *"practice.ein: required, but missing"* ]]
	[[ $stderr == *"locations[1].time_zone: unknown time zone"* ]]
	[[ $stderr == *"providers[1].npi: check digit is wrong"* ]]
	[[ $stderr == *"appointment_types[3].length: not a duration"* ]]
	[[ $stderr != *1598765431* && $stderr != *Chicgo* ]]
}
