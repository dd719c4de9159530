# pms: plain GNU make.  `make` builds, `make check` builds and runs every
# test, `make demo` runs the day at the practice, `make bench` measures.
# check, check-asan, demo and bench first install what is missing
# (`make deps`); plain `make` and `make install` do not.

SHELL	 = /bin/bash
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
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
BINS	 = $(PROGS:%=$(BUILD)/%) $(HELPERS:%=$(BUILD)/%) $(BENCH:%=$(BUILD)/%)
FUZZ	 = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz-*.c))
FUZZ_SECONDS ?= 60

# Debian packages the build, tests, demo and benchmarks need.
DEPS	 = build-essential pkg-config xxd libsqlite3-dev sqlite3 \
	   libsodium-dev libyaml-dev libcsv-dev libjansson-dev \
	   libunistring-dev bats \
	   bats-assert bats-support bats-file keyutils mandoc tzdata \
	   faketime util-linux strace clang time \
	   libclang-rt-14-dev

ASAN_ENV = ASAN_OPTIONS=exitcode=86:detect_leaks=1:verify_asan_link_order=0 \
	   UBSAN_OPTIONS=halt_on_error=1:exitcode=86:print_stacktrace=1

.PHONY: all check check-asan demo bench deps install uninstall clean lint \
	test fuzz

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

# Test helpers: built from libpms, never installed.
$(HELPERS:%=$(BUILD)/%): $(BUILD)/%: tests/helpers/%.c $(BUILD)/libpms.a \
    $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

# Benchmarks (bench/): never installed.  bench-gen needs nothing of
# libpms but pms.h, so a generated practice does not depend on the code
# it measures.
$(BUILD)/store-bench: bench/store-bench.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

$(BUILD)/rec-bench: bench/rec-bench.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

$(BUILD)/bench-gen: bench/gen.c lib/pms.h | $(BUILD)/lib
	$(CC) $(ALL_CFLAGS) -o $@ $<

# Fuzz targets (libFuzzer, Debian's clang): fuzz/fuzz-NAME.c, seeds in
# fuzz/corpus/fuzz-NAME/; what they find new goes to build-fuzz/corpus/.
$(BUILD)/fuzz-%: fuzz/fuzz-%.c $(BUILD)/libpms.a $(HDRS)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libpms.a $(LDLIBS)

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang SAN=fuzz CFLAGS='-O1 -g' \
	  $(FUZZ:%=build-fuzz/%)
	@for f in $(FUZZ); do \
	  echo "== $$f ($(FUZZ_SECONDS)s)"; \
	  mkdir -p build-fuzz/corpus/$$f fuzz/corpus/$$f; \
	  $(ASAN_ENV) build-fuzz/$$f -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=build-fuzz/$$f- \
	    build-fuzz/corpus/$$f fuzz/corpus/$$f || exit 1; \
	done

# Install what is missing, and only that.
deps:
	@missing=; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "make deps: installing$$missing"; \
	cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$$missing"; \
	if [ "$$(id -u)" = 0 ]; then sh -c "$$cmd"; \
	elif sudo -n true 2>/dev/null; then sudo -n sh -c "$$cmd"; \
	else echo "make deps: cannot install as $$(id -un); run as root:" >&2; \
	  echo "  $$cmd" >&2; exit 1; fi

check: deps
	$(MAKE) all
	$(MAKE) lint
	BUILD=$(BUILD) tests/run

check-asan: deps
	$(MAKE) BUILD=build-asan SAN=1 CFLAGS='-O1 -g' all
	BUILD=build-asan $(ASAN_ENV) tests/run

demo: deps all
	BUILD=$(BUILD) keyctl session - share/demo/run

# make bench [SIZE=small|clinic|group] [SEED=n] [RUNS=n]; built stores
# are cached in bench/.cache/ (rm -rf it to rebuild).
bench: deps all
	BUILD=$(BUILD) SEED=$(SEED) RUNS=$(RUNS) bench/run $(SIZE)

lint:
	@for m in man/man*/*.[1-9]; do \
	  mandoc -Tlint -W warning "$$m" || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(PREFIX)/share/pms/demo $(DESTDIR)$(PREFIX)/share/pms/maps \
	  $(DESTDIR)$(PREFIX)/share/pms/cron \
	  $(DESTDIR)$(PREFIX)/share/pms/systemd \
	  $(DESTDIR)$(PREFIX)/share/pms/codes \
	  $(DESTDIR)$(PREFIX)/share/pms/templates \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(PROGS:%=$(BUILD)/%) $(DESTDIR)$(BINDIR)
	install -m 0644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/man5/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7
	install -m 0644 share/demo/practice.yaml share/demo/patients.csv \
	  share/demo/policies.csv share/demo/synthea-patients.csv \
	  share/demo/remit.835 share/demo/answer.835 share/demo/answer.999 \
	  share/demo/fees.csv \
	  $(DESTDIR)$(PREFIX)/share/pms/demo
	install -m 0644 share/maps/*.yaml $(DESTDIR)$(PREFIX)/share/pms/maps
	install -m 0644 share/cron/pms-remind.crontab \
	  $(DESTDIR)$(PREFIX)/share/pms/cron
	install -m 0644 share/systemd/pms-remind.service \
	  share/systemd/pms-remind.timer $(DESTDIR)$(PREFIX)/share/pms/systemd
	install -m 0644 share/codes/*.csv share/codes/NOTICE \
	  $(DESTDIR)$(PREFIX)/share/pms/codes
	install -m 0644 $(TEMPLATES) $(DESTDIR)$(PREFIX)/share/pms/templates
	install -m 0644 completions/bash/* \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 completions/zsh/_pms \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) \
	  $(PROGS:%=$(DESTDIR)$(MANDIR)/man1/%.1) \
	  $(DESTDIR)$(MANDIR)/man5/pms.yaml.5 \
	  $(DESTDIR)$(MANDIR)/man7/pms.7 \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/practice.yaml \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/patients.csv \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/policies.csv \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/synthea-patients.csv \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/remit.835 \
	  $(DESTDIR)$(PREFIX)/share/pms/maps/synthea.yaml \
	  $(DESTDIR)$(PREFIX)/share/pms/cron/pms-remind.crontab \
	  $(DESTDIR)$(PREFIX)/share/pms/systemd/pms-remind.service \
	  $(DESTDIR)$(PREFIX)/share/pms/systemd/pms-remind.timer \
	  $(DESTDIR)$(PREFIX)/share/pms/demo/fees.csv \
	  $(patsubst share/%,$(DESTDIR)$(PREFIX)/share/pms/%,$(wildcard share/codes/*)) \
	  $(patsubst share/%,$(DESTDIR)$(PREFIX)/share/pms/%,$(TEMPLATES)) \
	  $(PROGS:%=$(DESTDIR)$(PREFIX)/share/bash-completion/completions/%) \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_pms

clean:
	rm -rf build build-asan build-fuzz
