# mk/fuzz.mk -- libFuzzer harnesses (fuzz/fuzz_<target>.c), one per parser of
# untrusted input, with ASan and UBSan. Included by the top-level Makefile
# after mk/unit.mk. The rooms are compiled a third time, with clang and
# coverage instrumentation, into $(BUILD)/fuzz/lib<room>.a.
#
#   make fuzz              each harness for FUZZ_SECONDS (default 60), one after another
#   make fuzz FUZZ_ONLY=pe only those harnesses
#   FUZZ_REGRESS           make test's commands: each harness over its corpus, then
#                          FUZZ_TEST_SECONDS of fuzzing (fuzz/regress.sh)
#
# Seeds: fuzz/corpus/<target>/ (committed), and $(BUILD)/fuzz/seeds/<target>/,
# the PE and ELF images this build makes (no binaries in git). New inputs go to
# $(BUILD)/fuzz/corpus/<target>/, crashes to $(BUILD)/fuzz/crash-<target>-*.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 3
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang warns of the GNU extension gcc accepts in gnu11 (vmm/kvm.c's kvm_msrs with its entry)
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-gnu-variable-sized-type-not-at-end -Iinclude -I. \
                -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_TARGETS_ALL := multiboot pe services decode lab_result kd idt
FUZZ_ONLY    ?= $(FUZZ_TARGETS_ALL)
FUZZ_BINS    := $(foreach t,$(FUZZ_TARGETS_ALL),$(BUILD)/fuzz/fuzz_$(t))
FUZZ_LIBS    := $(foreach r,$(HOST_ROOMS),$(BUILD)/fuzz/lib$(r).a)
FUZZ_OPTS    := -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

fuzz_of = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(1))

define FUZZ_ROOM_RULE
$(BUILD)/fuzz/lib$(1).a: $(call fuzz_of,$(call room_srcs,$(1)) $(if $(filter ntdb,$(1)),$(NTDB_GEN)))
	$$(Q_AR)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach r,$(HOST_ROOMS),$(eval $(call FUZZ_ROOM_RULE,$(r))))

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/obj/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

# the harnesses that read a guest memory share fuzz/fake_guest.c
FUZZ_GUEST := decode kd idt
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/fuzz/fuzz_%.o $(FUZZ_LIBS)
	@mkdir -p $(@D)
	$(Q_LD)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< \
	    $(if $(filter $*,$(FUZZ_GUEST)),$(call fuzz_of,fuzz/fake_guest.c)) $(FUZZ_LIBS) $(HOST_LDLIBS)
$(foreach t,$(FUZZ_GUEST),$(BUILD)/fuzz/fuzz_$(t)): $(call fuzz_of,fuzz/fake_guest.c)

# seeds from this build's images: ELF kernels for the loader, PE files for the parser
FUZZ_ELF_SEEDS := $(TEST_KERNELS) $(BUILD)/guest/ntoskrnl.exe
FUZZ_PE_SEEDS  := $(PE_HOST_FIXTURES)
$(BUILD)/fuzz/seeds/.stamp: $(FUZZ_ELF_SEEDS) $(FUZZ_PE_SEEDS)
	@rm -rf $(BUILD)/fuzz/seeds && mkdir -p $(BUILD)/fuzz/seeds/multiboot $(BUILD)/fuzz/seeds/pe
	@cp $(FUZZ_ELF_SEEDS) $(BUILD)/fuzz/seeds/multiboot/
	@cp $(FUZZ_PE_SEEDS) $(BUILD)/fuzz/seeds/pe/
	@touch $@

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS) $(BUILD)/fuzz/seeds/.stamp
fuzz: fuzz-build
	@failed=; for t in $(FUZZ_ONLY); do \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	    $(BUILD)/fuzz/fuzz_$$t $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(BUILD)/fuzz/crash-$$t- $$(test -f fuzz/$$t.dict && echo -dict=fuzz/$$t.dict) \
	        $(BUILD)/fuzz/corpus/$$t fuzz/corpus/$$t $$(test -d $(BUILD)/fuzz/seeds/$$t && echo $(BUILD)/fuzz/seeds/$$t) \
	        || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "== fuzz: crashes in:$$failed (inputs: $(BUILD)/fuzz/crash-*)"; exit 1; fi

# make test: one command per harness, reported through scripts/run-tests.sh
FUZZ_REGRESS := $(foreach t,$(FUZZ_TARGETS_ALL),"FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) fuzz/regress.sh $(BUILD) $(t)")
