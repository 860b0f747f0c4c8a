# mk/host.mk -- the host side: one archive per room, ntvisor linked from them.
# Included by the top-level Makefile, which defines BUILD, CC and HOST_CFLAGS.
#
# Each room uses only the rooms after it in this list (tests/test_layout.c checks it):
#
#   cli/      main.c and one builtin-<command>.c per subcommand
#   kd/       the WinDbg-style debugger
#   tracer/   what watches the guest
#   vmm/      the monitor (vmm/lab/: the SVM lab)
#   ntdb/     host-side NT knowledge: service tables, NTSTATUS names, symbols, descriptors, disassembly
#   base/     host basics with no NT or KVM knowledge (the error-message convention)
#
# The archives are linked in this order too, so each resolves what the ones before it use.
#
# Objects are compiled one per source with dependency files (-MMD): twice,
# optimised for ntvisor ($(BUILD)/obj/) and with ASan/UBSan for the unit
# tests ($(BUILD)/san/), which link against the same rooms' archives.

HOST_ROOMS := kd tracer vmm ntdb base
room_srcs   = $(filter-out vmm/lab/lab_init.c,$(wildcard $(1)/*.c $(if $(filter vmm,$(1)),vmm/lab/*.c)))
NTDB_GEN    := $(BUILD)/gen/svc_builtin_tables.c
CLI_SRCS    := $(wildcard cli/*.c)

obj_of = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
san_of = $(patsubst %.c,$(BUILD)/san/%.o,$(1))

HOST_LIBS := $(foreach r,$(HOST_ROOMS),$(BUILD)/obj/lib$(r).a)
SAN_LIBS  := $(foreach r,$(HOST_ROOMS),$(BUILD)/san/lib$(r).a)
# kd's prompt is libedit (static: with terminfo and libbsd)
HOST_LDLIBS := -lcapstone -ledit -ltinfo -lbsd -lmd

define ROOM_RULES
$(BUILD)/obj/lib$(1).a: $(call obj_of,$(call room_srcs,$(1)) $(if $(filter ntdb,$(1)),$(NTDB_GEN)))
	$$(Q_AR)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/san/lib$(1).a: $(call san_of,$(call room_srcs,$(1)) $(if $(filter ntdb,$(1)),$(NTDB_GEN)))
	$$(Q_AR)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach r,$(HOST_ROOMS),$(eval $(call ROOM_RULES,$(r))))

HOST_DEP_FLAGS := -MMD -MP
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(HOST_CFLAGS) -I. $(HOST_DEP_FLAGS) -c -o $@ $<
$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(UNIT_CFLAGS) $(HOST_DEP_FLAGS) -c -o $@ $<
# the generated table lives under $(BUILD): its object sits beside the others
$(BUILD)/obj/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(HOST_CFLAGS) -I. $(HOST_DEP_FLAGS) -c -o $@ $<
$(BUILD)/san/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(UNIT_CFLAGS) $(HOST_DEP_FLAGS) -c -o $@ $<

# ntvisor is static: the very same binary runs on the host and inside the SVM lab
$(BUILD)/ntvisor: $(call obj_of,$(CLI_SRCS)) $(HOST_LIBS)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) -static -o $@ $(call obj_of,$(CLI_SRCS)) $(HOST_LIBS) $(HOST_LDLIBS)

HOST_ALL_SRCS := $(CLI_SRCS) $(foreach r,$(HOST_ROOMS),$(call room_srcs,$(r)))
-include $(patsubst %.o,%.d,$(call obj_of,$(HOST_ALL_SRCS)) $(call san_of,$(HOST_ALL_SRCS)))
