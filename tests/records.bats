#!/usr/bin/env bats
# bats file_tags=records
# The record reader and writer (lib/record.c) through tests/helpers/pms-rec:
# every spreadsheet quirk the reader takes or refuses, JSON Lines, the
# typed getters, and the writer's formats, guard, quoting and --out.

load helpers/common

FIX="$TOP/tests/fixtures/records"

# Compare the file $1 with the fixture $2 in full.
same_as() {
	diff -u "$FIX/$2" "$1"
}

# ---- CSV: encodings and byte order marks ----

@test "csv: a UTF-8 BOM is dropped and the first header is exact (B10)" {
	printf '\xef\xbb\xbfmrn,last_name,first_name,dob\nMRN0001,Example,Pat,1980-01-15\n' \
	    >"$BATS_TEST_TMPDIR/bom.csv"
	run -0 --separate-stderr pms-rec read --header --get text:mrn \
	    "$BATS_TEST_TMPDIR/bom.csv"
	assert_line -n 0 'format: csv'
	assert_line -n 1 'header: mrn|last_name|first_name|dob'
	assert_line -n 2 'line 2: mrn:text=MRN0001|last_name:text=Example|first_name:text=Pat|dob:text=1980-01-15'
	assert_line -n 3 'line 2: mrn: text MRN0001'
	[ -z "$stderr" ]
}

@test "csv: a UTF-16LE BOM is refused: save as UTF-8 (B10)" {
	printf '\xff\xfem\x00r\x00n\x00\n\x00M\x00\n\x00' >"$BATS_TEST_TMPDIR/u16.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/u16.csv"
	[ -z "$output" ]
	assert_stderr 'u16.csv: UTF-16 not supported, save as UTF-8'
}

@test "csv: UTF-16BE and UTF-32 marks are refused too" {
	printf '\xfe\xff\x00m\x00\n' >"$BATS_TEST_TMPDIR/be.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/be.csv"
	assert_stderr 'UTF-16 not supported, save as UTF-8'
	printf '\xff\xfe\x00\x00m\x00\x00\x00' >"$BATS_TEST_TMPDIR/u32.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/u32.csv"
	assert_stderr 'UTF-32 not supported, save as UTF-8'
}

@test "csv: UTF-16 without a BOM is refused at the header, not read as garbage" {
	printf 'm\x00r\x00n\x00\n\x00' >"$BATS_TEST_TMPDIR/u16.csv"
	run -65 --separate-stderr pms-rec read - <"$BATS_TEST_TMPDIR/u16.csv"
	[ -z "$output" ]
	assert_stderr 'pms-rec: line 1: header: column 1: a NUL byte (UTF-16 not supported, save as UTF-8)'
}

# ---- CSV: lines, delimiters, blanks ----

@test "csv: CRLF, quoted newlines, and the line numbers after them" {
	run -0 --separate-stderr pms-rec read "$FIX/crlf-quoted.csv"
	assert_output - <<-'EOF'
	line 2: mrn:text=MRN0001|last_name:text=Zztest|first_name:text=Pat|note:text=two\r\nlines
	line 4: mrn:text=MRN0002|last_name:text=Zztest|first_name:text=Sam "the" second|note:null
	line 5: mrn:text=MRN0003|last_name:text=Zztest|first_name:text=Jo|note:text=one\r\ntwo\r\nthree
	line 8: mrn:text=MRN0004|last_name:text=Zztest|first_name:text=Ann|note:text=last
	EOF
	[ -z "$stderr" ]
}

@test "csv: an error after quoted newlines names the line the record starts on" {
	printf 'a,b\n"x\ny\nz",1\n"p\nq",\xff\nlast,2\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-rec read - <"$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	line 2: a:text=x\ny\nz|b:text=1
	line 7: a:text=last|b:text=2
	EOF
	assert_stderr 'pms-rec: line 5: b: not valid UTF-8'
}

@test "csv: old Mac line ends (a lone CR) count as lines" {
	printf 'a,b\r1,2\r\r3,4\r' >"$BATS_TEST_TMPDIR/cr.csv"
	run -0 pms-rec read - <"$BATS_TEST_TMPDIR/cr.csv"
	assert_output - <<-'EOF'
	line 2: a:text=1|b:text=2
	line 4: a:text=3|b:text=4
	EOF
}

@test "csv: ';' as delimiter, detected outside quotes; leading zeros kept" {
	run -0 --separate-stderr pms-rec read --header "$FIX/semicolon.csv"
	assert_output - <<-'EOF'
	format: csv
	header: mrn|last_name|city
	line 2: mrn:text=000123|last_name:text=Zztest|city:text=Lyon; Rhone
	line 3: mrn:text=000456|last_name:text=Zztest|city:text=Paris
	EOF
}

@test "csv: TAB as delimiter; ZIP codes kept as text (B13)" {
	run -0 --separate-stderr pms-rec read --header "$FIX/tab.tsv"
	assert_output - <<-'EOF'
	format: csv
	header: mrn|last_name|zip
	line 2: mrn:text=000123|last_name:text=Zztest|zip:text=02138
	line 3: mrn:text=000456|last_name:text=Zztest|zip:text=02139-1234
	EOF
}

@test "csv: commas inside quotes do not outvote the delimiter" {
	printf 'a;"b,c,d";e\n1;2;3\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -0 pms-rec read --header - <"$BATS_TEST_TMPDIR/in.csv"
	assert_line -n 1 'header: a|b,c,d|e'
	assert_line -n 2 'line 2: a:text=1|b,c,d:text=2|e:text=3'
}

@test "csv: blank lines, blank rows and lines of spaces are skipped; empty trailing columns are null" {
	run -65 --separate-stderr pms-rec read "$FIX/trailing.csv"
	assert_output - <<-'EOF'
	line 2: mrn:text=MRN0001|last_name:text=Zztest|first_name:text=Pat|dob:text=1980-01-15
	line 3: mrn:text=MRN0002|last_name:text=Zztest|first_name:null|dob:null
	line 7: mrn:text=MRN0003|last_name:text=Zztest|first_name:text=Jo|dob:null
	line 9: mrn:text=MRN0005|last_name:text=Zztest|first_name:text=Zoe|dob:text=1991-03-03
	EOF
	# the one row with a value past the header is refused, alone
	[ "$stderr" = "pms-rec: $FIX/trailing.csv: line 8: 5 cells, the header has 4 columns" ]
	refute_phi "$stderr"
}

@test "csv: blank lines before the header are skipped and counted" {
	printf '\n\r\n  \nmrn,x\n\nA,1\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -0 pms-rec read --header - <"$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	format: csv
	header: mrn|x
	line 6: mrn:text=A|x:text=1
	EOF
}

@test "csv: unquoted cells are trimmed, quoted ones kept; header names trimmed and matched in any case" {
	printf ' MRN , Last Name \n  a  ," b "\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -0 pms-rec read --header --get 'text:mrn' --get 'text:LAST NAME' - \
	    <"$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	format: csv
	header: MRN|Last Name
	line 2: MRN:text=a|Last Name:text= b 
	line 2: mrn: text a
	line 2: LAST NAME: text  b 
	EOF
}

@test "csv: a header with an empty or repeated name is refused" {
	printf 'mrn,,dob\n1,2,3\n' >"$BATS_TEST_TMPDIR/a.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/a.csv"
	[ -z "$output" ]
	assert_stderr 'a.csv: line 1: header: column 2 has no name'
	printf 'mrn,dob,MRN\n1,2,3\n' >"$BATS_TEST_TMPDIR/b.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/b.csv"
	assert_stderr 'b.csv: line 1: header: column 3 "MRN" repeats column 1'
}

@test "csv: an empty input, or a header alone, is no records" {
	run -0 --separate-stderr pms-rec read - </dev/null
	[ -z "$output" ] && [ -z "$stderr" ]
	printf '\n\n' >"$BATS_TEST_TMPDIR/blank.csv"
	run -0 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/blank.csv"
	[ -z "$output" ] && [ -z "$stderr" ]
	printf 'mrn,dob\r\n' >"$BATS_TEST_TMPDIR/h.csv"
	run -0 --separate-stderr pms-rec read --header "$BATS_TEST_TMPDIR/h.csv"
	assert_output $'format: csv\nheader: mrn|dob'
}

# ---- CSV: bad rows, and reading on after them ----

@test "csv: a row with more cells than the header is refused, the next read" {
	printf 'a,b\n1,2,3\n4,5,,\n6,7\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-rec read - <"$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	line 3: a:text=4|b:text=5
	line 4: a:text=6|b:text=7
	EOF
	[ "$stderr" = 'pms-rec: line 2: 3 cells, the header has 2 columns' ]
}

@test "csv: invalid UTF-8 is refused for that row, naming line and field, never the value" {
	printf 'mrn,last_name\nMRN0001,Zztest\xc3\x28\nMRN0002,Zz\xed\xa0\x80test\nMRN0003,\xc0\xafZztest\nMRN0004,Zztest\n' \
	    >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/in.csv"
	assert_output 'line 5: mrn:text=MRN0004|last_name:text=Zztest'
	assert_stderr - <<-'EOF'
	in.csv: line 2: last_name: not valid UTF-8
	in.csv: line 3: last_name: not valid UTF-8
	in.csv: line 4: last_name: not valid UTF-8
	EOF
	refute_phi "$stderr"
}

@test "csv: a quote in the wrong place is refused for that row, the next read" {
	printf 'a,b\n"Zztest"x,1\nZz"test,2\nok,3\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-rec read - <"$BATS_TEST_TMPDIR/in.csv"
	assert_output 'line 4: a:text=ok|b:text=3'
	assert_stderr - <<-'EOF'
	line 2: a quote in the wrong place (a quoted cell must be quoted whole, its quotes doubled)
	line 3: a quote in the wrong place (a quoted cell must be quoted whole, its quotes doubled)
	EOF
	refute_phi "$stderr"
}

@test "csv: a quote never closed ends the input with its line" {
	printf 'a,b\n1,2\n3,"Zztest\n4,5\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -65 --separate-stderr pms-rec read - <"$BATS_TEST_TMPDIR/in.csv"
	assert_output 'line 2: a:text=1|b:text=2'
	assert_stderr 'pms-rec: line 3: a quote never closed'
	refute_phi "$stderr"
}

@test "csv: a 2 MiB row is refused and the next row read" {
	{
		echo a,b
		head -c 2097152 /dev/zero | tr '\0' x
		echo ,y
		echo 1,2
	} >"$BATS_TEST_TMPDIR/big.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/big.csv"
	assert_output 'line 3: a:text=1|b:text=2'
	assert_stderr 'big.csv: line 2: record longer than 1 MiB'
}

# ---- Windows-1252 ----

@test "windows-1252: all 27 of 0x80-0x9F and the upper half convert as iconv does" {
	local b='' i
	for i in 80 82 83 84 85 86 87 88 89 8a 8b 8c 8e 91 92 93 94 95 96 97 \
	    98 99 9a 9b 9c 9e 9f; do
		b+="\\x$i"
	done
	for i in $(seq 160 255); do
		b+=$(printf '\\x%02x' "$i")
	done
	printf "name\n$b\n" >"$BATS_TEST_TMPDIR/w.csv"
	expect=$(printf "$b" | iconv -f WINDOWS-1252 -t UTF-8)
	run -0 --separate-stderr pms-rec read --encoding windows-1252 \
	    "$BATS_TEST_TMPDIR/w.csv"
	[ "$output" = "line 2: name:text=$expect" ]
	# and a few by hand: euro, curly quote, Y diaeresis, e acute
	printf 'name\n\x80\x92\x9f\xe9\n' >"$BATS_TEST_TMPDIR/x.csv"
	run -0 pms-rec read --encoding windows-1252 "$BATS_TEST_TMPDIR/x.csv"
	assert_output 'line 2: name:text=€’Ÿé'
}

@test "windows-1252: each of the 5 undefined bytes is refused for its row" {
	printf 'a,b\n1,\x81\n2,\x8d\n3,\x8f\n4,\x90\n5,\x9d\n6,ok\xe9\n' \
	    >"$BATS_TEST_TMPDIR/w.csv"
	run -65 --separate-stderr pms-rec read --encoding windows-1252 - \
	    <"$BATS_TEST_TMPDIR/w.csv"
	assert_output 'line 7: a:text=6|b:text=oké'
	assert_stderr - <<-'EOF'
	line 2: b: a byte that Windows-1252 does not define
	line 3: b: a byte that Windows-1252 does not define
	line 4: b: a byte that Windows-1252 does not define
	line 5: b: a byte that Windows-1252 does not define
	line 6: b: a byte that Windows-1252 does not define
	EOF
}

@test "windows-1252: a UTF-8 BOM wins, the file is read as UTF-8" {
	printf '\xef\xbb\xbfname\nZo\xc3\xab\n' >"$BATS_TEST_TMPDIR/u.csv"
	run -0 pms-rec read --encoding windows-1252 "$BATS_TEST_TMPDIR/u.csv"
	assert_output 'line 2: name:text=Zoë'
}

@test "windows-1252: the default is UTF-8, which refuses the same bytes" {
	printf 'name\nZo\xeb\n' >"$BATS_TEST_TMPDIR/w.csv"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/w.csv"
	assert_stderr 'line 2: name: not valid UTF-8'
	run -0 pms-rec read --encoding cp1252 "$BATS_TEST_TMPDIR/w.csv"
	assert_output 'line 2: name:text=Zoë'
	run -64 --separate-stderr pms-rec read --encoding latin9 "$BATS_TEST_TMPDIR/w.csv"
	assert_stderr 'unknown encoding "latin9"'
}

# ---- JSON Lines ----

@test "json: types, nested values, and every bad line reported while reading on" {
	run -65 --separate-stderr pms-rec read --header "$FIX/mixed.jsonl"
	assert_output - <<-'EOF'
	format: json
	line 1: mrn:text=MRN0001|visits:other=[1,2,{"on":"2026-01-02"}]|flags:other={"vip":true}|n:int=42|r:real=2.5|ok:bool=false|none:null
	line 7: mrn:text=MRN0005|big:int=9007199254740993|neg:int=-9223372036854775808
	line 10: mrn:text=MRN0008
	EOF
	assert_stderr - <<-'EOF'
	mixed.jsonl: line 2: column 22: duplicate object key
	mixed.jsonl: line 3: column 14: invalid token
	mixed.jsonl: line 4: a line must be a JSON object ({"name": value, ...})
	mixed.jsonl: line 6: two keys that differ only in case
	mixed.jsonl: line 8: column 42: too big integer
	mixed.jsonl: line 9: column 26: end of file expected
	EOF
	# jansson's "near '...'" would have quoted the value
	refute_phi "$stderr"
}

@test "json: integers beyond 2^53 stay exact through the getters" {
	printf '{"n":9007199254740993,"m":"-9223372036854775808","o":9223372036854775807}\n' \
	    >"$BATS_TEST_TMPDIR/in.json"
	run -0 pms-rec read --get int:n --get int:m --get int:o - \
	    <"$BATS_TEST_TMPDIR/in.json"
	assert_line 'line 1: n: int 9007199254740993'
	assert_line 'line 1: m: int -9223372036854775808'
	assert_line 'line 1: o: int 9223372036854775807'
}

@test "json: a 2 MiB line is refused and the next line read" {
	{
		printf '{"a":"'
		head -c 2097152 /dev/zero | tr '\0' x
		printf '"}\n{"b":1}\n'
	} >"$BATS_TEST_TMPDIR/big.json"
	run -65 --separate-stderr pms-rec read "$BATS_TEST_TMPDIR/big.json"
	assert_output 'line 2: b:int=1'
	assert_stderr 'big.json: line 1: record longer than 1 MiB'
}

@test "json: the first non-blank byte tells JSON from CSV; a BOM and CRLF are fine" {
	printf '\xef\xbb\xbf\r\n  {"a":"x"}\r\n\r\n{"a":"y"}' >"$BATS_TEST_TMPDIR/in"
	run -0 pms-rec read --header "$BATS_TEST_TMPDIR/in"
	assert_output - <<-'EOF'
	format: json
	line 2: a:text=x
	line 4: a:text=y
	EOF
	# told it is CSV, it is CSV
	printf '{a}\n1\n' >"$BATS_TEST_TMPDIR/c"
	run -0 pms-rec read --format csv "$BATS_TEST_TMPDIR/c"
	assert_output 'line 2: {a}:text=1'
}

@test "json: reals are refused as money, integer cents and strings are not" {
	run -65 --separate-stderr pms-rec read --get money:amount "$FIX/money.jsonl"
	assert_line 'line 1: amount: money -2500'
	assert_line 'line 2: amount: money 123456'
	assert_line 'line 3: amount: money -1500'
	assert_line 'line 9: amount: none'
	assert_line 'line 10: amount: money -25'
	assert_stderr - <<-'EOF'
	money.jsonl: line 4: amount: a JSON number (give amount_cents, or the amount as a string)
	money.jsonl: line 5: amount: a JSON number (give amount_cents, or the amount as a string)
	money.jsonl: line 6: amount: not an amount: more than two decimals
	money.jsonl: line 7: amount: given both as amount and as amount_cents
	money.jsonl: line 8: amount_cents: not a whole number of cents
	money.jsonl: line 11: amount: not an amount: exponents are not accepted
	EOF
}

# ---- typed getters on CSV ----

@test "getters: money, dates in a chosen form, Excel serials, ints, booleans, times" {
	cat >"$BATS_TEST_TMPDIR/in.csv" <<-'EOF'
	amount,dob,serial,n,sms_ok,at,start
	"$1,234.56",01/02/2003,30438,-7,Y,09:30,2026-11-01T01:30-04:00
	(15.00),12/31/1999,45292,+3,no,23:59:59,2026-03-08 03:00
	EOF
	run -0 --separate-stderr pms-rec read --get money:amount \
	    --get date:dob:mdy --get date:serial:excel --get int:n \
	    --get bool:sms_ok --get time:at --get local:start \
	    "$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	line 2: amount:text=$1,234.56|dob:text=01/02/2003|serial:text=30438|n:text=-7|sms_ok:text=Y|at:text=09:30|start:text=2026-11-01T01:30-04:00
	line 2: amount: money 123456
	line 2: dob: date 2003-01-02
	line 2: serial: date 1983-05-02
	line 2: n: int -7
	line 2: sms_ok: bool 1
	line 2: at: time 09:30
	line 2: start: local 2026-11-01T01:30:00-04:00
	line 3: amount:text=(15.00)|dob:text=12/31/1999|serial:text=45292|n:text=+3|sms_ok:text=no|at:text=23:59:59|start:text=2026-03-08 03:00
	line 3: amount: money -1500
	line 3: dob: date 1999-12-31
	line 3: serial: date 2024-01-01
	line 3: n: int 3
	line 3: sms_ok: bool 0
	line 3: at: time 23:59:59
	line 3: start: local 2026-03-08T03:00:00
	EOF
}

@test "getters: refusals name line and field, never the value" {
	cat >"$BATS_TEST_TMPDIR/in.csv" <<-'EOF'
	mrn,dob,amount,n,ok
	Zztest,1957-03-14x,12.345,123-45-6789,Zztest
	EOF
	run -65 --separate-stderr pms-rec read --get date:dob --get money:amount \
	    --get int:n --get bool:ok --get date:mrn --get money:mrn \
	    --get int:mrn "$BATS_TEST_TMPDIR/in.csv"
	assert_stderr - <<-'EOF'
	in.csv: line 2: dob: not a valid date (expected YYYY-MM-DD)
	in.csv: line 2: amount: not an amount: more than two decimals
	in.csv: line 2: n: not a whole number
	in.csv: line 2: ok: not yes or no
	EOF
	refute_phi "$stderr"
}

@test "getters: an absent or empty field is none, not an error" {
	printf 'x,a,b\n1,,\n' >"$BATS_TEST_TMPDIR/in.csv"
	run -0 --separate-stderr pms-rec read --get money:a --get date:b \
	    --get int:zz "$BATS_TEST_TMPDIR/in.csv"
	assert_output - <<-'EOF'
	line 2: x:text=1|a:null|b:null
	line 2: a: none
	line 2: b: none
	line 2: zz: none
	EOF
}

# ---- the writer ----

@test "writer: the formula guard is on text cells only, never money, integers, times" {
	run -0 pms-rec write -o csv --cols name:text,amount:money,n:int,when:time \
	    <"$FIX/guard.tsv"
	echo "$output" >"$BATS_TEST_TMPDIR/out.csv"
	same_as "$BATS_TEST_TMPDIR/out.csv" guard.csv
	# a text "-5" is guarded; money -5.00, integer -5 and the date are not
	assert_line -n 1 "'-5,-5.00,-5,2026-01-02"
}

@test "writer: guarded cells read back as they were" {
	pms-rec write -o csv --cols name:text,amount:money,n:int,when:time \
	    <"$FIX/guard.tsv" >"$BATS_TEST_TMPDIR/out.csv"
	run -0 --separate-stderr pms-rec read --get money:amount \
	    "$BATS_TEST_TMPDIR/out.csv"
	assert_line -n 0 'line 2: name:text=-5|amount:text=-5.00|n:text=-5|when:text=2026-01-02'
	assert_line -n 1 'line 2: amount: money -500'
	assert_line 'line 3: name:text==SUM(A1)|amount:text=1234.56|n:text=7|when:null'
	assert_line 'line 5: name:text=@cmd|amount:null|n:null|when:text=09:30'
	assert_line 'line 6: name:text=\tx|amount:text=1.00|n:text=1|when:null'
	assert_line "line 7: name:text=\\rx|amount:text=1.00|n:text=1|when:null"
	# (the quoted CR counts as a line break)
	# a cell that itself looked guarded gets one "'" more, and keeps it
	assert_line "line 9: name:text='=x|amount:text=1.00|n:text=1|when:null"
	assert_line 'line 10: name:text=plain|amount:text=1.00|n:text=1|when:null'
}

@test "writer: CSV quotes only where it must, lines end in LF, a null row stays a row" {
	printf '%s\n' 'a,b' 'say "hi"' 'two\nlines' 'cr\rhere' ' lead' 'trail ' \
	    'plain' ';semi' '\N' >"$BATS_TEST_TMPDIR/rows"
	run -0 pms-rec write -o csv --cols v:text <"$BATS_TEST_TMPDIR/rows"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.csv"
	same_as "$BATS_TEST_TMPDIR/out.csv" quoting.csv
	run -0 pms-rec read "$BATS_TEST_TMPDIR/out.csv"
	assert_output - <<-'EOF'
	line 2: v:text=a,b
	line 3: v:text=say "hi"
	line 4: v:text=two\nlines
	line 6: v:text=cr\rhere
	line 8: v:text= lead
	line 9: v:text=trail 
	line 10: v:text=plain
	line 11: v:text=;semi
	line 12: v:null
	EOF
}

@test "writer: JSON Lines carry money as _cents integers, nulls as null, keys in order" {
	run -0 pms-rec write -o json --cols name:text,amount:money,n:int,when:time \
	    <"$FIX/guard.tsv"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.json"
	same_as "$BATS_TEST_TMPDIR/out.json" guard.json
	run -0 pms-rec read --get money:amount "$BATS_TEST_TMPDIR/out.json"
	assert_line 'line 1: amount: money -500'
	assert_line 'line 2: amount: money 123456'
}

@test "writer: a table aligns by display width, numbers right, controls as ?" {
	printf '%s\t%s\t%s\n' 'Zoë' '-5.00' 1 '日本語' '1234.56' 12345 \
	    'tab\there' '\N' '\N' 'x' '0.10' -3 >"$BATS_TEST_TMPDIR/rows"
	run -0 pms-rec write -o table --cols name:text,balance:money,visits:int \
	    <"$BATS_TEST_TMPDIR/rows"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out.txt"
	same_as "$BATS_TEST_TMPDIR/out.txt" table.txt
}

@test "writer: a table wider than its room is written expanded, row by row" {
	printf '%s\t%s\t%s\n' 'Zoë' '-5.00' 1 '\N' '1234.56' '\N' \
	    >"$BATS_TEST_TMPDIR/rows"
	local cols=name:text,balance:money,visits:int
	# 21 columns wide: fits in 21, not in 20
	COLUMNS=21 run -0 pms-rec write -o table --cols $cols \
	    <"$BATS_TEST_TMPDIR/rows"
	assert_line --index 0 'name  balance  visits'
	COLUMNS=20 run -0 pms-rec write -o table --cols $cols \
	    <"$BATS_TEST_TMPDIR/rows"
	assert_output "$(printf '%s\n' 'name:    Zoë' 'balance: -5.00' \
	    'visits:  1' '' 'name:' 'balance: 1234.56' 'visits:')"
	# no rows: the header alone, however narrow the room
	COLUMNS=5 run -0 pms-rec write -o table --cols $cols </dev/null
	assert_output "$(printf '%s\n' 'name  balance  visits' \
	    '----  -------  ------')"
	# a COLUMNS that is no width is 80, and so is none
	printf 'x%.0s' {1..79} >"$BATS_TEST_TMPDIR/wide"
	printf '\t1\n' >>"$BATS_TEST_TMPDIR/wide"
	for c in '' 0 abc 12x; do
		COLUMNS=$c run -0 pms-rec write -o table --cols a:text,b:int \
		    <"$BATS_TEST_TMPDIR/wide"
		assert_line --index 0 --regexp '^a: +x{79}$'
	done
	printf 'x%.0s' {1..76} >"$BATS_TEST_TMPDIR/fits"
	printf '\t1\n' >>"$BATS_TEST_TMPDIR/fits"
	run -0 pms-rec write -o table --cols a:text,b:int \
	    <"$BATS_TEST_TMPDIR/fits"
	assert_line --index 0 --regexp '^a +b$'
	# on a terminal its width wins over COLUMNS
	run -0 script -qec "stty cols 20; COLUMNS=200 pms-rec write -o table \
	    --cols $cols <'$BATS_TEST_TMPDIR/rows'" /dev/null
	assert_line --index 0 $'name:    Zoë\r'
	run -0 script -qec "stty cols 21; COLUMNS=5 pms-rec write -o table \
	    --cols $cols <'$BATS_TEST_TMPDIR/rows'" /dev/null
	assert_line --index 0 $'name  balance  visits\r'
}

@test "writer: AUTO is JSON into a file or pipe, a table on a terminal" {
	printf 'a\t1\n' >"$BATS_TEST_TMPDIR/rows"
	pms-rec write --cols name:text,n:int <"$BATS_TEST_TMPDIR/rows" \
	    >"$BATS_TEST_TMPDIR/out"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output '{"name":"a","n":1}'
	run -0 script -qec "pms-rec write --cols name:text,n:int <'$BATS_TEST_TMPDIR/rows'" /dev/null
	assert_output $'name  n\r\n----  -\r\na     1\r'
}

@test "writer: column names must be snake_case and distinct" {
	run -64 --separate-stderr pms-rec write -o csv --cols Name:text </dev/null
	assert_stderr 'column name "Name" is not snake_case'
	run -64 --separate-stderr pms-rec write -o json --cols a_cents:int,a:money </dev/null
	assert_stderr 'column "a" twice'
}

@test "writer: text that is not UTF-8 is refused, not written" {
	printf 'ok\n\xff\n' >"$BATS_TEST_TMPDIR/rows"
	run -65 --separate-stderr pms-rec write -o csv --cols v:text \
	    <"$BATS_TEST_TMPDIR/rows"
	assert_stderr 'pms-rec: row 2: v: not valid UTF-8'
}

# ---- --out ----

@test "--out: a temp file renamed into place, mode 0600, nothing else left" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo old >"$BATS_TEST_TMPDIR/d/out.csv"
	chmod 0644 "$BATS_TEST_TMPDIR/d/out.csv"
	printf 'a\t1\n-b\t-2\n' >"$BATS_TEST_TMPDIR/rows"
	run -0 pms-rec write -o csv --out "$BATS_TEST_TMPDIR/d/out.csv" \
	    --cols name:text,n:int <"$BATS_TEST_TMPDIR/rows"
	[ -z "$output" ]
	run ls -A "$BATS_TEST_TMPDIR/d"
	assert_output 'out.csv'
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/d/out.csv")" = 600 ]
	run cat "$BATS_TEST_TMPDIR/d/out.csv"
	assert_output $'name,n\na,1\n\'-b,-2'
}

@test "--out: a link is followed, the file it names replaced" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo old >"$BATS_TEST_TMPDIR/d/real.csv"
	ln -s real.csv "$BATS_TEST_TMPDIR/d/link.csv"
	printf 'a\t1\n' | pms-rec write -o csv --out "$BATS_TEST_TMPDIR/d/link.csv" \
	    --cols name:text,n:int
	[ -L "$BATS_TEST_TMPDIR/d/link.csv" ]
	run cat "$BATS_TEST_TMPDIR/d/real.csv"
	assert_output $'name,n\na,1'
}

@test "--out: an abort leaves the old file as it was and no temp file" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo old >"$BATS_TEST_TMPDIR/d/out.csv"
	printf 'a\t1\n' | pms-rec write -o csv --abort \
	    --out "$BATS_TEST_TMPDIR/d/out.csv" --cols name:text,n:int
	run ls -A "$BATS_TEST_TMPDIR/d"
	assert_output 'out.csv'
	run cat "$BATS_TEST_TMPDIR/d/out.csv"
	assert_output 'old'
	# a bad row aborts the same way
	printf 'a\t1\nb\tx\n' >"$BATS_TEST_TMPDIR/rows"
	run -65 --separate-stderr pms-rec write -o csv \
	    --out "$BATS_TEST_TMPDIR/d/out.csv" --cols name:text,n:int \
	    <"$BATS_TEST_TMPDIR/rows"
	assert_stderr 'line 2: n: not an integer'
	run ls -A "$BATS_TEST_TMPDIR/d"
	assert_output 'out.csv'
}

@test "--out /dev/full and >/dev/full: exit 74 with the reason" {
	printf 'a\t1\n' >"$BATS_TEST_TMPDIR/rows"
	run -74 --separate-stderr pms-rec write -o csv --out /dev/full \
	    --cols name:text,n:int <"$BATS_TEST_TMPDIR/rows"
	[ "$stderr" = 'pms-rec: /dev/full: write error: No space left on device' ]
	[ -c /dev/full ]
	run -74 --separate-stderr bash -c 'pms-rec write -o json --cols name:text,n:int <"$1" >/dev/full' _ "$BATS_TEST_TMPDIR/rows"
	# said once: the program's own check of stdout does not repeat it
	[ "$stderr" = 'pms-rec: standard output: write error: No space left on device' ]
}

@test "--out: a write error half way (file size limit) is exit 74 and leaves nothing" {
	mkdir "$BATS_TEST_TMPDIR/d"
	echo old >"$BATS_TEST_TMPDIR/d/out.csv"
	seq 1 20000 | awk '{ print "row\t" $1 }' >"$BATS_TEST_TMPDIR/rows"
	run -74 --separate-stderr bash -c 'ulimit -f 8; trap "" XFSZ; exec pms-rec write -o csv --out "$1/out.csv" --cols name:text,n:int <"$2"' \
	    _ "$BATS_TEST_TMPDIR/d" "$BATS_TEST_TMPDIR/rows"
	assert_stderr 'out.csv: write error: File too large'
	run ls -A "$BATS_TEST_TMPDIR/d"
	assert_output 'out.csv'
	run cat "$BATS_TEST_TMPDIR/d/out.csv"
	assert_output 'old'
}

@test "--out /dev/stdout writes to the standard output and leaves /dev alone" {
	printf 'a\t1\n' >"$BATS_TEST_TMPDIR/rows"
	echo before >"$BATS_TEST_TMPDIR/so"
	pms-rec write -o csv --out /dev/stdout --cols name:text,n:int \
	    <"$BATS_TEST_TMPDIR/rows" >>"$BATS_TEST_TMPDIR/so"
	run cat "$BATS_TEST_TMPDIR/so"
	assert_output $'before\nname,n\na,1'
	[ -L /dev/stdout ]
	run -74 --separate-stderr pms-rec write -o csv --out "$BATS_TEST_TMPDIR" \
	    --cols name:text </dev/null
	assert_stderr 'is a directory'
}

# ---- streaming ----

# Peak RSS in KiB of a command: /usr/bin/time (package time).
max_rss() {
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@" >/dev/null
	cat "$BATS_TEST_TMPDIR/rss"
}

# Rows of a patients-like CSV, and the same as pms-rec write's input:
# awk, so that no test input is big in git.
gen_csv() {
	awk -v n="$1" 'BEGIN {
		print "mrn,last_name,first_name,dob,note,amount"
		for (i = 1; i <= n; i++)
			printf "MRN%07d,Zztest,Pat%d,1980-01-15,\"a note, with\nnewline\",%d.%02d\n", i, i, i, i % 100
	}'
}

gen_tsv() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "MRN%07d\tZztest\tPat%d\t1980-01-15\t%d.%02d\n", i, i, i, i % 100
	}'
}

@test "streaming: reading and writing 200k rows takes no more memory than 20k" {
	# ASan keeps freed memory in quarantine: JSON frees every line
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	gen_csv 20000 >"$BATS_TEST_TMPDIR/small.csv"
	gen_csv 200000 >"$BATS_TEST_TMPDIR/big.csv"
	s=$(max_rss pms-rec read "$BATS_TEST_TMPDIR/small.csv")
	b=$(max_rss pms-rec read "$BATS_TEST_TMPDIR/big.csv")
	echo "csv read: $s KiB, $b KiB"
	[ "$b" -lt $((s * 3 / 2)) ]
	# JSON Lines, in and out, made by the writer itself
	gen_tsv 20000 >"$BATS_TEST_TMPDIR/small.tsv"
	gen_tsv 200000 >"$BATS_TEST_TMPDIR/big.tsv"
	cols=mrn:text,last_name:text,first_name:text,dob:date,amount:money
	s=$(max_rss pms-rec write -o json --out "$BATS_TEST_TMPDIR/small.json" \
	    --cols "$cols" <"$BATS_TEST_TMPDIR/small.tsv")
	b=$(max_rss pms-rec write -o json --out "$BATS_TEST_TMPDIR/big.json" \
	    --cols "$cols" <"$BATS_TEST_TMPDIR/big.tsv")
	echo "json write: $s KiB, $b KiB"
	[ "$b" -lt $((s * 3 / 2)) ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/big.json")" -eq 200000 ]
	s=$(max_rss pms-rec read "$BATS_TEST_TMPDIR/small.json")
	b=$(max_rss pms-rec read "$BATS_TEST_TMPDIR/big.json")
	echo "json read: $s KiB, $b KiB"
	[ "$b" -lt $((s * 3 / 2)) ]
	# and every record came through
	run -0 bash -c 'pms-rec read "$1" | wc -l' _ "$BATS_TEST_TMPDIR/big.csv"
	assert_output 200000
}
