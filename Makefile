# hedui - nightly economic-status cross-check engine.
#
# BUILD is one of: release debug asan
#   make               build ./hedui (release)
#   make check         install missing packages, run unit + golden tests
#   make asan-check    the same tests under AddressSanitizer + UBSan
#   make demo          install missing packages, run on fixtures/ into out/
#   make bench         benchmarks (never part of check)
#   make install       hedui, rules, man page and README under PREFIX (/usr/local)
#   make uninstall     remove them again
CC      ?= cc
BUILD   ?= release
O       := build/$(BUILD)
Q       := $(if $(filter 1,$(V)),,@)

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wvla -Wformat=2 -Wundef \
           -Wno-unused-parameter
CFLAGS.release := -O3 -g
CFLAGS.debug   := -O0 -g3
CFLAGS.asan    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                  -fno-sanitize-recover=all -DHEDUI_ARENA_DEBUG
LDFLAGS.asan   := -fsanitize=address,undefined
CFLAGS.fault   := $(CFLAGS.asan) -DHEDUI_FAULT_BUILD -include src/base/faultinj.h
LDFLAGS.fault  := $(LDFLAGS.asan)
PG_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
CK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -pthread)

ALL_CFLAGS  = -std=gnu11 -D_GNU_SOURCE $(WARN) -fopenmp -MMD -MP -Isrc $(PG_CFLAGS) \
              $(CFLAGS.$(BUILD)) $(CFLAGS)
ALL_LDFLAGS = -fopenmp $(LDFLAGS.$(BUILD)) $(LDFLAGS)
LDLIBS_ALL  = -lcsv -lxxhash -lpq -ljansson -lxlsxwriter -lzip -lexpat -lcrypto -lmicrohttpd -lgnutls -lm $(LDLIBS)

LIB_SRC  := $(filter-out src/main.c src/mpi/%,$(wildcard src/*.c src/*/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(O)/%.o)
TEST_SRC := $(wildcard tests/check_*.c) tests/testkit.c
TEST_OBJ := $(TEST_SRC:tests/%.c=$(O)/tests/%.o)

# hedui-mpi (make mpi): the library above, src/mpi/ and main.c built with
# -DHEDUI_MPI by Open MPI's compiler wrapper (tests/install-deps.sh mpi)
MPICC    ?= mpicc
MPI_OBJ  := $(O)/mpi/main.o $(patsubst src/mpi/%.c,$(O)/mpi/%.o,$(wildcard src/mpi/*.c))

.PHONY: mpi mpi-test
.PHONY: all check layers sizes no-rule-ids unit golden pgtest fault check-cli review-test report-test pack-test safety-test feeds-test ops-test serve-test partition-test asan-check demo deps test-deps bench clean help install uninstall
all: hedui                                   ## build ./hedui

hedui: $(O)/hedui
	$(Q)cp $< $@

$(O)/hedui: $(O)/main.o $(LIB_OBJ)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

mpi: hedui-mpi                               ## build ./hedui-mpi (MPI: mpirun -np N ./hedui-mpi run ...)

hedui-mpi: $(O)/hedui-mpi
	$(Q)cp $< $@

$(O)/hedui-mpi: $(MPI_OBJ) $(LIB_OBJ)
	$(Q)$(MPICC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(O)/mpi/main.o: src/main.c | $(O)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MPICC) $(ALL_CFLAGS) -DHEDUI_MPI -c -o $@ $<

$(O)/mpi/%.o: src/mpi/%.c | $(O)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(MPICC) $(ALL_CFLAGS) -DHEDUI_MPI -c -o $@ $<

mpi-test: $(O)/hedui                         ## hedui-mpi under mpirun -np 1..4 (tests/mpi_test.sh)
	$(Q)sh tests/install-deps.sh mpi
	$(Q)$(MAKE) --no-print-directory $(O)/hedui-mpi
	$(Q)sh tests/mpi_test.sh $(O)/hedui-mpi $(O)/hedui

$(O)/%.o: src/%.c | $(O)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/%.o: tests/%.c | $(O)
	$(Q)mkdir -p $(O)/tests
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/check_all: $(TEST_OBJ) $(LIB_OBJ)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CK_LIBS) $(LDLIBS_ALL)

$(O):
	$(Q)mkdir -p $(O)

deps:                                        ## install missing build packages
	$(Q)sh tests/install-deps.sh build
test-deps:
	$(Q)sh tests/install-deps.sh test pg

check: test-deps                             ## unit suites, then golden and CLI tests
	$(Q)$(MAKE) --no-print-directory layers sizes no-rule-ids unit golden fault check-cli pgtest review-test report-test pack-test safety-test feeds-test ops-test serve-test partition-test mpi-test fuzz

layers:                                      ## every #include points down its layer; no circle
	$(Q)sh tests/layers.sh

sizes:                                       ## no src/ file over 800 lines; lists functions over 150
	$(Q)sh tests/sizes.sh

no-rule-ids:                                 ## src/ names no rule id (rules/catalogue.rules does)
	$(Q)sh tests/no_rule_ids.sh

unit: $(O)/check_all
	$(Q)CK_DEFAULT_TIMEOUT=120 HEDUI_TEST_ROOT=$(CURDIR) $(O)/check_all

golden: $(O)/hedui
	$(Q)sh tests/golden.sh $(O)/hedui

pgtest: $(O)/hedui                           ## PostgreSQL load/run --pg (tests/pg_test.sh)
	$(Q)sh tests/pg_test.sh $(O)/hedui

check-cli: $(O)/hedui                        ## index build + check, explain, rules/README.md's example
	$(Q)sh tests/check_cli.sh $(O)/hedui
	$(Q)sh tests/explain_test.sh $(O)/hedui
	$(Q)sh tests/readme_test.sh $(O)/hedui

feeds-test: $(O)/hedui                       ## feeds that look incomplete (tests/feeds_test.sh)
	$(Q)sh tests/feeds_test.sh $(O)/hedui

partition-test: $(O)/hedui                   ## run --memory-limit: same outputs, temporary files (tests/partition_test.sh)
	$(Q)$(MAKE) --no-print-directory BUILD=fault build/fault/hedui   # its out-of-memory loop, never a stale one
	$(Q)sh tests/partition_test.sh $(O)/hedui

review-test: $(O)/hedui                      ## fingerprints, changes, verdicts, export packs
	$(Q)sh tests/review_test.sh $(O)/hedui

pack-test: $(O)/hedui                        ## township packs as workbooks, read by openpyxl (installs it)
	$(Q)sh tests/pack_test.sh $(O)/hedui

safety-test: $(O)/hedui                      ## masking, --out refusals/lock/publish, odd inputs
	$(Q)sh tests/safety_test.sh $(O)/hedui

report-test: $(O)/hedui                      ## report.html in headless Chromium (installs it)
	$(Q)sh tests/report_test.sh $(O)/hedui

ops-test: $(O)/hedui                         ## make install/uninstall, the man page, the run's summary line
	$(Q)sh tests/ops_test.sh $(O)/hedui $(BUILD)
serve-test: $(O)/hedui                       ## hedui serve: answers, access log, swaps under load, TLS, page (tests/serve_test.sh)
	$(Q)sh tests/serve_test.sh $(O)/hedui

fault: test-deps                             ## fault injection: OOM loop, ENOSPC/EIO, kill -9 loop
	$(Q)$(MAKE) --no-print-directory BUILD=fault build/fault/hedui
	$(Q)$(MAKE) --no-print-directory hedui
	$(Q)sh tests/fault.sh build/fault/hedui ./hedui

.PHONY: fuzz
fuzz:                                        ## libFuzzer targets: replay regressions + seeds, fuzz each FUZZ_SECONDS (20)
	$(Q)sh tests/install-deps.sh fuzz
	$(Q)FUZZ_SECONDS=$(or $(FUZZ_SECONDS),20) sh tests/fuzz.sh

asan-check: test-deps                        ## all tests under ASan + UBSan
	$(Q)$(MAKE) --no-print-directory BUILD=asan unit golden check-cli pgtest review-test report-test pack-test safety-test feeds-test ops-test serve-test partition-test mpi-test

demo: deps                                   ## run the nightly job on fixtures/ into out/
	$(Q)$(MAKE) --no-print-directory hedui
	./hedui run --data fixtures --out out --as-of 2026-06-15 --seed 20260615
	@for f in flags review_queue spotcheck rejects; do \
	    printf 'demo: out/%-17s %4d rows\n' "$$f.csv" $$(($$(wc -l <out/$$f.csv) - 1)); done
	@echo "demo: the review queue starts:"; head -4 out/review_queue.csv | sed 's/^/  /'

# ---------- install (GNU conventions: PREFIX, DESTDIR; the binary finds
# its rules in ../share/hedui/rules, src/cmd/cli.c) ----------
PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL ?= install
BINDIR  := $(PREFIX)/bin
RULESDIR := $(PREFIX)/share/hedui/rules
MANDIR  := $(PREFIX)/share/man/man1
DOCDIR  := $(PREFIX)/share/doc/hedui
RULES_FILES := $(shell find rules -type f | sort)
RULES_DIRS  := $(shell find rules -mindepth 1 -type d | sort)
RULES_DIRS_DEEPEST_FIRST := $(shell find rules -mindepth 1 -depth -type d)

install: $(O)/hedui                          ## install under PREFIX (/usr/local): bin, rules, man page, README
	$(Q)$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(RULESDIR)' '$(DESTDIR)$(MANDIR)' \
	    '$(DESTDIR)$(DOCDIR)'
	$(Q)$(INSTALL) -m 755 $(O)/hedui '$(DESTDIR)$(BINDIR)/hedui'
	$(Q)for d in $(RULES_DIRS:rules/%=%); do $(INSTALL) -d "$(DESTDIR)$(RULESDIR)/$$d" || exit 1; done
	$(Q)for f in $(RULES_FILES:rules/%=%); do \
	    $(INSTALL) -m 644 "rules/$$f" "$(DESTDIR)$(RULESDIR)/$$f" || exit 1; done
	$(Q)$(INSTALL) -m 644 doc/hedui.1 '$(DESTDIR)$(MANDIR)/hedui.1'
	$(Q)$(INSTALL) -m 644 README.md doc/data-contract.md '$(DESTDIR)$(DOCDIR)/'
	@echo "hedui: installed $(DESTDIR)$(BINDIR)/hedui, rules in $(DESTDIR)$(RULESDIR), man page hedui(1), docs in $(DESTDIR)$(DOCDIR)"

uninstall:                                   ## remove what 'make install' put under PREFIX
	$(Q)rm -f '$(DESTDIR)$(BINDIR)/hedui' '$(DESTDIR)$(MANDIR)/hedui.1' \
	    '$(DESTDIR)$(DOCDIR)/README.md' '$(DESTDIR)$(DOCDIR)/data-contract.md'
	$(Q)for f in $(RULES_FILES:rules/%=%); do rm -f "$(DESTDIR)$(RULESDIR)/$$f"; done
	$(Q)for d in $(RULES_DIRS_DEEPEST_FIRST:rules/%=%); do \
	    rmdir "$(DESTDIR)$(RULESDIR)/$$d" 2>/dev/null; done; \
	    rmdir '$(DESTDIR)$(RULESDIR)' '$(DESTDIR)$(PREFIX)/share/hedui' '$(DESTDIR)$(DOCDIR)' 2>/dev/null; true
	@echo "hedui: removed hedui, its rules, man page and docs from $(DESTDIR)$(PREFIX)"

bench:                                       ## benchmarks (see bench/README.md)
	$(Q)$(MAKE) --no-print-directory -C bench bench

clean:
	rm -rf build hedui hedui-mpi

help:
	@grep -hE '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

-include $(wildcard $(O)/*.d $(O)/*/*.d $(O)/tests/*.d)
