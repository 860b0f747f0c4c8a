# mk/deps.mk -- is what the goals need installed? Included by the top-level Makefile
# right after BUILD and CC, so that it runs before any rule, once per make invocation.
#
# scripts/check-deps.sh checks a profile (build; test for make test, unit, e2e and
# the fuzzers; lab for the goals that boot a guest, where the host needs the SVM lab)
# and leaves a stamp per profile in $(BUILD)/.deps/; a profile is checked again only
# when its stamp is missing or older than the script. Missing pieces stop make with
# the script's one line (as root on Debian/Ubuntu it runs scripts/install-deps.sh
# first). A no-op make costs one `test`.

DEPS_STAMPS := $(BUILD)/.deps
DEPS_SKIP_GOALS := clean distclean uninstall
DEPS_TEST_GOALS := test unit e2e differential fuzz fuzz-build test-lab
DEPS_LAB_GOALS  := run test e2e differential bench lab test-lab
DEPS_GOALS := $(if $(MAKECMDGOALS),$(MAKECMDGOALS),all)

ifneq ($(filter-out $(DEPS_SKIP_GOALS),$(DEPS_GOALS)),)
DEPS_PROFILES := build $(if $(filter $(DEPS_TEST_GOALS) $(BUILD)/tests/% $(BUILD)/fuzz/%,$(DEPS_GOALS)),test) \
                 $(if $(filter $(DEPS_LAB_GOALS),$(DEPS_GOALS)),lab)
DEPS_STALE := $(shell for p in $(DEPS_PROFILES); do \
                  test $(DEPS_STAMPS)/$$p -nt scripts/check-deps.sh || echo $$p; done)
ifneq ($(DEPS_STALE),)
DEPS_ERROR := $(shell CC='$(CC)' bash scripts/check-deps.sh --stamp-dir=$(DEPS_STAMPS) $(DEPS_STALE))
ifneq ($(DEPS_ERROR),)
$(error $(DEPS_ERROR))
endif
endif
endif
