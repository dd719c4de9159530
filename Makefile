# pms: plain GNU make.  `make` builds, `make check` builds and runs every
# test, `make demo` runs the day at the practice, `make bench` measures.
# check, check-asan, demo and bench first install what is missing
# (`make deps`); plain `make` and `make install` do not.

SHELL	 = /bin/bash
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/pms
LIBEXECDIR ?= $(PREFIX)/libexec
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DESTDIR	?=
BUILD	?= build

CC	?= cc
PKGS	 = libsodium sqlite3 jansson yaml-0.1
WARN	 = -Wall -Wextra -Werror
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) \
	     -Ilib -I$(BUILD) $(shell pkg-config --cflags $(PKGS))
LDLIBS	 = $(shell pkg-config --libs $(PKGS)) -lcsv -lunistring

ifeq ($(SAN),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
endif
ifeq ($(SAN),fuzz)
SAN_FLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	    -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

# Every program, library module, header and test helper is found by
# name, so that adding one needs no edit here.
PROGS	 = $(sort $(patsubst cmd/%.c,%,$(wildcard cmd/pms-*.c)))
LIB_SRC	 = $(sort $(wildcard lib/*.c))
LIB_OBJ	 = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o) $(BUILD)/lib/migrations.o \
	   $(BUILD)/lib/templates.o
HDRS	 = $(sort $(wildcard lib/*.h))
SQL	 = $(sort $(wildcard share/sql/*.sql))
TEMPLATES = $(sort $(wildcard share/templates/*.txt share/templates/*.html))
HELPERS	 = $(sort $(patsubst tests/helpers/%.c,%,\
	     $(wildcard tests/helpers/*.c)))
BENCH	 = store-bench bench-gen rec-bench
FUZZ	 = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz-*.c))
REPLAY	 = $(FUZZ:fuzz-%=replay-%)
FUZZ_HDRS = $(sort $(wildcard fuzz/*.h))
BINS	 = $(BUILD)/pms $(PROGS:%=$(BUILD)/%) $(HELPERS:%=$(BUILD)/%) \
	   $(BENCH:%=$(BUILD)/%) $(REPLAY:%=$(BUILD)/%)
FUZZ_SECONDS ?= 60

# Debian packages the build, tests, demo and benchmarks need.
DEPS	 = build-essential pkg-config xxd libsqlite3-dev sqlite3 \
	   libsodium-dev libyaml-dev libcsv-dev libjansson-dev \
	   libunistring-dev bats \
	   bats-assert bats-support bats-file keyutils mandoc tzdata \
	   faketime util-linux strace clang time \
	   libclang-rt-14-dev valgrind libxml2-utils

ASAN_ENV = ASAN_OPTIONS=exitcode=86:detect_leaks=1:verify_asan_link_order=0 \
	   UBSAN_OPTIONS=halt_on_error=1:exitcode=86:print_stacktrace=1

.PHONY: all check check-asan demo bench deps install uninstall clean lint \
	test fuzz valgrind soak pictures

all: $(BINS)

$(BUILD)/lib $(BUILD)/cmd $(BUILD)/bench:
	mkdir -p $@

# Migrations are embedded in the library with xxd -i.
$(BUILD)/lib/migrations.c: $(SQL) Makefile | $(BUILD)/lib
	{ echo '/* generated from share/sql by the Makefile; do not edit */'; \
	  echo '#include "pms_int.h"'; \
	  for f in $(SQL); do xxd -i "$$f" | sed -e 's/^unsigned/static const unsigned/' -e '/_len = /d'; done; \
	  echo 'const struct pms_migration pms_migrations[] = {'; \
	  for f in $(SQL); do \
	    b=$$(basename "$$f"); v=$${b%%-*}; n=$$(echo "$$f" | tr './-' '___'); \
	    echo "	{ $$((10#$$v)), \"$$b\", $$n, sizeof($$n) },"; \
	  done; \
	  echo '};'; \
	  echo 'const unsigned int pms_nmigrations = sizeof(pms_migrations) / sizeof(pms_migrations[0]);'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/migrations.o: $(BUILD)/lib/migrations.c lib/pms_int.h lib/pms.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The shipped templates (share/templates: reminders NAME.LANGUAGE.txt,
# statements), the same way; name is the file's name.
$(BUILD)/lib/templates.c: $(TEMPLATES) Makefile | $(BUILD)/lib
	{ echo '/* generated from share/templates by the Makefile; do not edit */'; \
	  echo '#include "pms_int.h"'; \
	  for f in $(TEMPLATES); do xxd -i "$$f" | sed -e 's/^unsigned/static const unsigned/' -e '/_len = /d'; done; \
	  echo 'const struct pms_template_file pms_template_files[] = {'; \
	  for f in $(TEMPLATES); do \
	    b=$$(basename "$$f"); n=$$(echo "$$f" | tr './-' '___'); \
	    echo "	{ \"$$b\", $$n, sizeof($$n) },"; \
	  done; \
	  echo '};'; \
	  echo 'const unsigned int pms_ntemplate_files = sizeof(pms_template_files) / sizeof(pms_template_files[0]);'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/lib/templates.o: $(BUILD)/lib/templates.c lib/pms_int.h lib/pms.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/%.o: lib/%.c $(HDRS) | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libpms.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/pms-%: cmd/pms-%.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

# The umbrella: "pms schedule list" runs pms-schedule; it needs nothing
# of libpms but PMS_VERSION.
$(BUILD)/pms: cmd/pms.c lib/pms.h | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -o $@ $<

# Test helpers: built from libpms, never installed.
$(HELPERS:%=$(BUILD)/%): $(BUILD)/%: tests/helpers/%.c $(BUILD)/libpms.a \
    $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

# Benchmarks (bench/): never installed, but for bench-gen, which the
# installed demo runs as a private helper (see install).  bench-gen
# needs nothing of libpms but pms.h, so a generated practice does not
# depend on the code it measures.
$(BUILD)/store-bench: bench/store-bench.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

$(BUILD)/rec-bench: bench/rec-bench.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

$(BUILD)/bench-gen: bench/gen.c lib/pms.h | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -o $@ $<

# Fuzz targets (libFuzzer, Debian's clang): fuzz/fuzz-NAME.c, seeds in
# fuzz/corpus/fuzz-NAME/; what they find new goes to build-fuzz/corpus/,
# what crashes to build-fuzz/fuzz-NAME-crash-* (keep it, with its fix,
# in tests/fixtures/fuzz/fuzz-NAME/).  The same targets linked with
# fuzz/replay.c by any compiler replay those corpora in every build
# (tests/fuzz.bats, so in make check and check-asan).
$(BUILD)/fuzz-%: fuzz/fuzz-%.c $(BUILD)/libpms.a $(HDRS) $(FUZZ_HDRS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

$(BUILD)/replay-%: fuzz/fuzz-%.c fuzz/replay.c $(BUILD)/libpms.a $(HDRS) \
    $(FUZZ_HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< fuzz/replay.c $(BUILD)/libpms.a $(LDLIBS)

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang SAN=fuzz CFLAGS='-O1 -g' \
	  $(FUZZ:%=build-fuzz/%)
	@for f in $(FUZZ); do \
	  echo "== $$f ($(FUZZ_SECONDS)s)"; \
	  mkdir -p build-fuzz/corpus/$$f fuzz/corpus/$$f; \
	  seeds=fuzz/corpus/$$f; \
	  [ -d tests/fixtures/fuzz/$$f ] && seeds="$$seeds tests/fixtures/fuzz/$$f"; \
	  $(ASAN_ENV) build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=build-fuzz/$$f- \
	    build-fuzz/corpus/$$f $$seeds || exit 1; \
	done

# Install what is missing, and only that.
deps:
	@missing=; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make deps: installing$$missing"; sh -c "$$cmd"; \
	elif sudo -n true 2>/dev/null; then \
	  echo "make deps: installing$$missing"; sudo -n sh -c "$$cmd"; \
	else echo "make deps: missing$$missing;" \
	    "cannot install as $$(id -un); run as root:" >&2; \
	  echo "  $$cmd" >&2; exit 1; fi

check: deps
	$(MAKE) all
	$(MAKE) lint
	BUILD=$(BUILD) tests/run

# make valgrind: the tests tagged valgrind (bats test_tags), with every
# program and fuzz replay run under valgrind (errors: exit 86), through
# wrappers in $(BUILD)/valgrind/ that the tests find first on PATH.
VALGRIND = valgrind -q --error-exitcode=86 --leak-check=full \
	   --errors-for-leak-kinds=definite --show-leak-kinds=definite
valgrind: deps all
	rm -rf $(BUILD)/valgrind
	mkdir -p $(BUILD)/valgrind
	@for n in $(PROGS) $(REPLAY); do \
	  printf '#!/bin/sh\nexec $(VALGRIND) %s "$$@"\n' \
	    "$(CURDIR)/$(BUILD)/$$n" >$(BUILD)/valgrind/$$n; \
	  chmod 0755 $(BUILD)/valgrind/$$n; \
	done
	@for n in $(HELPERS) $(BENCH); do \
	  ln -s "$(CURDIR)/$(BUILD)/$$n" $(BUILD)/valgrind/$$n; \
	done
	BUILD=$(BUILD)/valgrind BATS_FILTER_TAGS=valgrind tests/run \
	  $$(grep -l "test_tags=.*valgrind" tests/*.bats)

# make soak: the crash harness at length (CRASH_KILLS kills a command).
CRASH_KILLS ?= 300
soak: deps all
	BUILD=$(BUILD) CRASH_KILLS=$(CRASH_KILLS) tests/run tests/crash.bats

check-asan: deps
	$(MAKE) BUILD=build-asan SAN=1 CFLAGS='-O1 -g' all
	BUILD=build-asan $(ASAN_ENV) tests/run

demo: deps all
	BUILD=$(BUILD) keyctl session - share/demo/run

# make bench [SIZE=small|clinic|group] [SEED=n] [RUNS=n]; built stores
# are cached in bench/.cache/ (rm -rf it to rebuild).
bench: deps all
	BUILD=$(BUILD) SEED=$(SEED) RUNS=$(RUNS) bench/run $(SIZE)

# make pictures: every report as HTML and as a PNG that headless
# Chromium renders, in $(BUILD)/pictures/, for a person to look at; not
# part of make check.  Chromium is installed as DEPS are, on its own.
PICTURE_DEPS = chromium
pictures: all
	@$(MAKE) -s deps DEPS='$(PICTURE_DEPS)'
	BUILD=$(BUILD) share/pictures

lint:
	@for m in man/man*/*.[1-9]; do \
	  mandoc -Tlint -W warning "$$m" || exit 1; done

# What make install puts where: the programs and the umbrella, the man
# pages, the completions, and share/ (but for the migrations, which are
# in the programs) under $(DATADIR), the demo's run script executable;
# the demo's private helper, bench-gen (it makes the insurers' 835 that
# answers the demo's claims), under $(LIBEXECDIR)/pms, off PATH, where
# the installed demo finds it beside its share/.  make uninstall removes
# exactly these, and the directories of DATADIR and $(LIBEXECDIR)/pms
# once they are empty; tests/install.bats checks both into a DESTDIR.
INST_BINS = pms $(PROGS)
INST_LIBEXEC = bench-gen
PKGLIBEXECDIR = $(LIBEXECDIR)/pms
INST_MAN  = $(sort $(wildcard man/man1/*.1 man/man5/*.5 man/man7/*.7))
SHARE_DIRS = demo maps cron systemd codes templates
SHARE_FILES = $(sort $(foreach d,$(SHARE_DIRS),$(wildcard share/$(d)/*)))
BASH_COMP = $(sort $(wildcard completions/bash/*))

# A directory with a space or a tab would be split into words here (and
# part of it made under the current directory): refused before anything.
INST_VARS = DESTDIR PREFIX BINDIR MANDIR DATADIR LIBEXECDIR BASHCOMPDIR \
	    ZSHCOMPDIR
INST_SPACED = $(strip $(foreach v,$(INST_VARS),$(if $(word 2,$($(v))),$(v))))
define inst_check
	@if [ -n "$(INST_SPACED)" ]; then \
	  echo "make $@: $(INST_SPACED): a directory with a space or tab in" \
	    "its name cannot be used (make would split it in two)" >&2; \
	  exit 1; fi
endef

install: all
	$(inst_check)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(SHARE_DIRS:%=$(DESTDIR)$(DATADIR)/%) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(PKGLIBEXECDIR)
	install -m 0755 $(INST_BINS:%=$(BUILD)/%) $(DESTDIR)$(BINDIR)
	install -m 0755 $(INST_LIBEXEC:%=$(BUILD)/%) $(DESTDIR)$(PKGLIBEXECDIR)
	for m in $(INST_MAN); do \
	  s=$${m##*.}; install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$$s || \
	  exit 1; done
	for f in $(SHARE_FILES); do \
	  mode=0644; [ -x "$$f" ] && mode=0755; \
	  install -m $$mode "$$f" "$(DESTDIR)$(DATADIR)/$${f#share/}" || \
	  exit 1; done
	install -m 0644 $(BASH_COMP) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 completions/zsh/_pms $(DESTDIR)$(ZSHCOMPDIR)

uninstall:
	$(inst_check)
	rm -f $(INST_BINS:%=$(DESTDIR)$(BINDIR)/%) \
	  $(INST_LIBEXEC:%=$(DESTDIR)$(PKGLIBEXECDIR)/%) \
	  $(foreach m,$(INST_MAN),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	  $(SHARE_FILES:share/%=$(DESTDIR)$(DATADIR)/%) \
	  $(BASH_COMP:completions/bash/%=$(DESTDIR)$(BASHCOMPDIR)/%) \
	  $(DESTDIR)$(ZSHCOMPDIR)/_pms
	for d in $(SHARE_DIRS:%=$(DESTDIR)$(DATADIR)/%) $(DESTDIR)$(DATADIR) \
	    $(DESTDIR)$(PKGLIBEXECDIR); do \
	  [ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || true; done

clean:
	rm -rf build build-asan build-fuzz
