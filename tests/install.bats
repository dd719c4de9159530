#!/usr/bin/env bats
# bats file_tags=install
# make install and make uninstall into a DESTDIR: every file where it
# belongs, with its mode, and nothing else; the installed programs, man
# pages, completions and demo work from there; uninstall leaves no file
# and none of pms's directories.

load helpers/common

# make in the source tree, with this run's build.
mk() {
	make -s -C "$TOP" --no-print-directory BUILD="${BUILD:-build}" "$@"
}

# What make install must put under $1 (PREFIX) for MANDIR $2: one path
# and mode a line, sorted.
expected() {
	local p=$1 man=$2 f

	for f in pms $(mk -f Makefile -f - print-progs \
	    <<<'print-progs: ; @echo $(PROGS)'); do
		echo "$p/bin/$f 755"
	done
	for f in "$TOP"/man/man*/*.[1-9]; do
		echo "$man/man${f##*.}/${f##*/} 644"
	done
	for f in "$TOP"/share/{demo,maps,cron,systemd,codes,templates}/*; do
		if [ -x "$f" ]; then
			echo "$p/share/pms/${f#"$TOP"/share/} 755"
		else
			echo "$p/share/pms/${f#"$TOP"/share/} 644"
		fi
	done
	echo "$p/libexec/pms/bench-gen 755"
	for f in "$TOP"/completions/bash/*; do
		echo "$p/share/bash-completion/completions/${f##*/} 644"
	done
	echo "$p/share/zsh/site-functions/_pms 644"
}

# What is under $1: one path (without $1) and mode a line, sorted.
installed() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '/%P %m\n' | sort)
}

@test "install: into a DESTDIR, every file where it belongs and nothing else; uninstall removes them all" {
	dest="$BATS_TEST_TMPDIR/dest"
	run -0 mk install DESTDIR="$dest"
	diff -u <(expected /usr/local /usr/local/share/man | sort) \
	    <(installed "$dest")
	# the installed files are the built and the shipped ones
	cmp "$dest/usr/local/bin/pms-admin" "$BUILD_DIR/pms-admin"
	cmp "$dest/usr/local/share/pms/demo/practice.yaml" \
	    "$TOP/share/demo/practice.yaml"
	# the demo's helper is the built one, off PATH
	cmp "$dest/usr/local/libexec/pms/bench-gen" "$BUILD_DIR/bench-gen"
	# nothing of the tests, the benchmarks or the migrations
	[ ! -e "$dest/usr/local/bin/pms-sql" ]
	[ ! -e "$dest/usr/local/bin/bench-gen" ]
	[ ! -e "$dest/usr/local/bin/store-bench" ]
	[ ! -e "$dest/usr/local/share/pms/sql" ]
	run -0 mk uninstall DESTDIR="$dest"
	[ -z "$(installed "$dest")" ] || fail "left: $(installed "$dest")"
	[ ! -e "$dest/usr/local/share/pms" ]
	[ ! -e "$dest/usr/local/libexec/pms" ]
	# uninstalling again is no error
	run -0 mk uninstall DESTDIR="$dest"
}

@test "install: PREFIX and MANDIR move everything" {
	dest="$BATS_TEST_TMPDIR/dest"
	run -0 mk install DESTDIR="$dest" PREFIX=/usr MANDIR=/usr/man
	diff -u <(expected /usr /usr/man | sort) <(installed "$dest")
	run -0 mk uninstall DESTDIR="$dest" PREFIX=/usr MANDIR=/usr/man
	[ -z "$(installed "$dest")" ]
	[ ! -e "$dest/usr/share/pms" ]
	[ ! -e "$dest/usr/libexec/pms" ]
	# LIBEXECDIR moves the demo's helper
	run -0 mk install DESTDIR="$dest" PREFIX=/usr LIBEXECDIR=/usr/lib
	[ -x "$dest/usr/lib/pms/bench-gen" ]
	[ ! -e "$dest/usr/libexec/pms" ]
	# where the installed demo finds it
	run -0 bash -c "source '$dest/usr/share/pms/demo/run'
	    demo_where; echo \"\$DEMO_GEN\""
	[ "$output" = "$dest/usr/lib/pms/bench-gen" ]
	run -0 mk uninstall DESTDIR="$dest" PREFIX=/usr LIBEXECDIR=/usr/lib
	[ -z "$(installed "$dest")" ]
	[ ! -e "$dest/usr/lib/pms" ]
}

@test "install: make deps names what is missing, and as a user without sudo says what to run as root" {
	# bats is there (nothing to do); a package that is not, as nobody
	run -0 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups make -s -C "$TOP" --no-print-directory deps \
	    DEPS=bats
	[ -z "$output$stderr" ]
	run -2 --separate-stderr setpriv --reuid=65534 --regid=65534 \
	    --clear-groups make -s -C "$TOP" --no-print-directory deps \
	    DEPS='bats pms-no-such-package'
	[ -z "$output" ]
	assert_stderr - <<-'EOF'
	make deps: missing pms-no-such-package; cannot install as nobody; run as root:
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pms-no-such-package
	EOF
}

@test "install: a directory with a space in its name is refused before anything is made" {
	dest="$BATS_TEST_TMPDIR/dest"
	mkdir "$dest"
	run -2 --separate-stderr mk install DESTDIR="$dest" PREFIX='/opt/my pms'
	assert_stderr 'make install: PREFIX BINDIR MANDIR DATADIR LIBEXECDIR BASHCOMPDIR ZSHCOMPDIR: a directory with a space or tab in its name cannot be used (make would split it in two)'
	[ -z "$(ls -A "$dest")" ]
	run -2 --separate-stderr mk uninstall DESTDIR="$dest/a b"
	assert_stderr 'make uninstall: DESTDIR: a directory with a space or tab'
	# nor in the source tree ("pms/share/..." of "/opt/my pms/share")
	[ ! -e "$TOP/pms" ]
}

@test "install: the installed programs, pages and completions work where they are" {
	dest="$BATS_TEST_TMPDIR/dest"
	mk install DESTDIR="$dest" PREFIX=/opt/pms
	bin="$dest/opt/pms/bin"
	# pms runs the programs installed beside it, whatever PATH says
	run -0 env PATH=/usr/bin:/bin "$bin/pms" help
	for p in admin patient schedule remind bill audit; do
		assert_line --regexp "^   $p +"
	done
	run -0 env PATH=/usr/bin:/bin "$bin/pms" admin --version
	[[ $output == "pms-admin "* ]]
	# the pages render, pms(7) among them
	for m in "$dest"/opt/pms/share/man/man*/*; do
		run -0 mandoc -Tlint -W warning "$m"
	done
	run -0 env MANPATH="$dest/opt/pms/share/man" mandoc -a -T ascii \
	    "$dest/opt/pms/share/man/man7/pms.7"
	# the bash completion of pms loads each program's from its folder
	run -0 bash -c "source '$dest/opt/pms/share/bash-completion/completions/pms'
	    COMP_WORDS=(pms schedule li) COMP_CWORD=2
	    COMP_LINE='pms schedule li' COMP_POINT=15
	    _pms; echo \"\${COMPREPLY[*]}\""
	[ "$output" = list ]
	# the installed mapping reads Synthea's file
	export PMS_STORE="$BATS_TEST_TMPDIR/store" PMS_USER=admin
	printf '%s\n' 'correct horse battery staple' >"$BATS_TEST_TMPDIR/pass"
	export PMS_PASSPHRASE_FILE="$BATS_TEST_TMPDIR/pass"
	"$bin/pms-admin" init --kdf interactive >/dev/null 2>&1
	run -0 "$bin/pms" patient import \
	    "$dest/opt/pms/share/pms/demo/synthea-patients.csv" \
	    --map "$dest/opt/pms/share/pms/maps/synthea.yaml" -o csv
	assert_line '18,18,0,0,0,0,no'
}

@test "install: the installed demo runs the day with the installed programs" {
	dest="$BATS_TEST_TMPDIR/dest"
	mk install DESTDIR="$dest" PREFIX=/opt/pms
	mkdir -m 2770 "$BATS_TEST_TMPDIR/work"
	keyctl clear @s
	# no build directory on PATH: the demo finds the programs itself
	run -0 env -u BUILD PATH=/usr/bin:/bin \
	    DEMO_WORK="$BATS_TEST_TMPDIR/work" \
	    "$dest/opt/pms/share/pms/demo/run"
	assert_line --partial '$ pms-admin config load '"$dest/opt/pms/share/pms/demo/practice.yaml"
	# every step ran, but one whose command is not built yet
	[ "$(grep -cE '^== [0-9]+\. ' <<<"$output")" -eq \
	    "$("$dest/opt/pms/share/pms/demo/run" --list | wc -l)" ]
	refute_output --partial 'this step is skipped'
	# the remit step posted the 835 that the installed bench-gen made
	assert_file_exists "$BATS_TEST_TMPDIR/work/remit.835"
	assert_line --partial '8 claims: 8 posted, 0 posted before'
	assert_line --partial '8 claims: 0 posted, 8 posted before'
	assert_line --regexp '^entries: +[0-9]+ verified, chain and signatures$'
	assert_line '== Done.'
	# it kept its keys in a keyring session of its own, gone with it
	# (not in the user's, as the unlocks of the day would have)
	log=$output
	run -0 keyctl show @s
	refute_output --partial 'pms:v1:'
	# and a step skipped is one whose command is not built
	while read -r line; do
		cmd=${line#*has no \"}
		cmd=${cmd%%\"*}
		read -ra words <<<"$cmd"
		run ! env PATH="$dest/opt/pms/bin" "${words[@]}" --help
	done < <(grep '^(Not yet' <<<"$log")
}
