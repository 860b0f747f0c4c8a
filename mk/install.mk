# mk/install.mk -- make install / make uninstall, like a Unix tool (README "Install").
# Included by the top-level Makefile after the rules of what it installs.
#
#   PREFIX      /usr/local; DESTDIR stages the files (packaging), PREFIX is where they will be
#   BINDIR      $(PREFIX)/bin/ntvisor
#   NTV_LIBDIR  $(PREFIX)/lib/ntvisor: guest/ (ntoskrnl.exe, ntdll*.dll, libntdll.a), and lab/
#               when the SVM lab is built ($(LAB_DIR); INSTALL_LAB=no leaves it out)
#   NTV_SHAREDIR $(PREFIX)/share/ntvisor/examples: the example programs and drivers
#   MANDIR      $(PREFIX)/share/man: man1/ntvisor.1 (doc/ntvisor.1)
#
# ntvisor finds its images beside itself, then in the prefix it is installed in
# (PREFIX/bin -> PREFIX/lib/ntvisor), then in NTV_LIBDIR as it was built
# (vmm/paths.h); NTV_LIBDIR is baked into vmm/paths.c, which is rebuilt when it changes.

PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
NTV_LIBDIR   ?= $(PREFIX)/lib/ntvisor
NTV_SHAREDIR ?= $(PREFIX)/share/ntvisor
MANDIR       ?= $(PREFIX)/share/man
INSTALL      ?= install
INSTALL_LAB  ?= $(if $(wildcard $(LAB_DIR)/.stamp),yes,no)
MAN_PAGE     := doc/ntvisor.1

# the baked-in folder: a file whose content changes only when NTV_LIBDIR does
PREFIX_STAMP := $(BUILD)/gen/ntv-libdir
ifeq ($(filter $(DEPS_SKIP_GOALS),$(DEPS_GOALS)),)
$(shell mkdir -p $(BUILD)/gen && { echo '$(NTV_LIBDIR)' | cmp -s - $(PREFIX_STAMP) || \
          echo '$(NTV_LIBDIR)' > $(PREFIX_STAMP); })
endif
$(BUILD)/obj/vmm/paths.o $(BUILD)/san/vmm/paths.o: $(PREFIX_STAMP)
$(BUILD)/obj/vmm/paths.o: HOST_CFLAGS += -DNTV_LIBDIR='"$(NTV_LIBDIR)"'
$(BUILD)/san/vmm/paths.o: UNIT_CFLAGS += -DNTV_LIBDIR='"$(NTV_LIBDIR)"'

INSTALL_GUEST    := $(GUEST_IMAGES) $(BUILD)/guest/libntdll.a
INSTALL_GUEST64  := $(BUILD)/guest/amd64/ntoskrnl.exe $(PE64_NTDLLS) $(BUILD)/guest/amd64/libntdll.a
INSTALL_EXAMPLES := $(PE_EXAMPLE_EXES) $(filter $(PE)/examples/%,$(PE_DRIVER_SYS))
INSTALLED_GUEST  := $(addprefix $(DESTDIR)$(NTV_LIBDIR)/guest/,$(notdir $(INSTALL_GUEST))) \
                    $(addprefix $(DESTDIR)$(NTV_LIBDIR)/guest/amd64/,$(notdir $(INSTALL_GUEST64)))
INSTALLED_EXAMPLES := $(addprefix $(DESTDIR)$(NTV_SHAREDIR)/examples/,$(notdir $(INSTALL_EXAMPLES)))
INSTALLED_FILES  := $(DESTDIR)$(BINDIR)/ntvisor $(DESTDIR)$(MANDIR)/man1/ntvisor.1 $(INSTALLED_GUEST) \
                    $(INSTALLED_EXAMPLES)
Q_INSTALL = $(if $(filter 1,$(V)),,@printf '  INSTALL %s\n' $(1);)

.PHONY: install uninstall
install: $(BUILD)/ntvisor $(INSTALL_GUEST) $(INSTALL_GUEST64) $(INSTALL_EXAMPLES) $(MAN_PAGE)
	$(call Q_INSTALL,$(DESTDIR)$(BINDIR)/ntvisor)$(INSTALL) -D -m 755 $(BUILD)/ntvisor $(DESTDIR)$(BINDIR)/ntvisor
	$(call Q_INSTALL,$(DESTDIR)$(NTV_LIBDIR)/guest)$(INSTALL) -d $(DESTDIR)$(NTV_LIBDIR)/guest && \
	    $(INSTALL) -m 644 $(INSTALL_GUEST) $(DESTDIR)$(NTV_LIBDIR)/guest/
	$(call Q_INSTALL,$(DESTDIR)$(NTV_LIBDIR)/guest/amd64)$(INSTALL) -d $(DESTDIR)$(NTV_LIBDIR)/guest/amd64 && \
	    $(INSTALL) -m 644 $(INSTALL_GUEST64) $(DESTDIR)$(NTV_LIBDIR)/guest/amd64/
	$(call Q_INSTALL,$(DESTDIR)$(NTV_SHAREDIR)/examples)$(INSTALL) -d $(DESTDIR)$(NTV_SHAREDIR)/examples && \
	    $(INSTALL) -m 644 $(INSTALL_EXAMPLES) $(DESTDIR)$(NTV_SHAREDIR)/examples/
	$(call Q_INSTALL,$(DESTDIR)$(MANDIR)/man1/ntvisor.1)$(INSTALL) -D -m 644 $(MAN_PAGE) \
	    $(DESTDIR)$(MANDIR)/man1/ntvisor.1
ifeq ($(INSTALL_LAB),yes)
	$(call Q_INSTALL,$(DESTDIR)$(NTV_LIBDIR)/lab)rm -rf $(DESTDIR)$(NTV_LIBDIR)/lab && \
	    $(INSTALL) -d $(DESTDIR)$(NTV_LIBDIR)/lab/modules && \
	    $(INSTALL) -m 644 $(LAB_DIR)/vmlinux $(LAB_DIR)/base.cpio $(DESTDIR)$(NTV_LIBDIR)/lab/ && \
	    { [ ! -d $(LAB_DIR)/modules ] || find $(LAB_DIR)/modules -maxdepth 1 -type f \
	        -exec $(INSTALL) -m 644 {} $(DESTDIR)$(NTV_LIBDIR)/lab/modules/ \; ; } && \
	    $(INSTALL) -m 644 $(LAB_DIR)/.stamp $(DESTDIR)$(NTV_LIBDIR)/lab/.stamp
endif

# only what install puts there; the folders go when they are empty
uninstall:
	$(if $(filter 1,$(V)),,@printf '  UNINSTALL %s\n' $(DESTDIR)$(PREFIX);)rm -f $(INSTALLED_FILES) && rm -rf $(DESTDIR)$(NTV_LIBDIR)/lab && \
	    for d in $(DESTDIR)$(NTV_LIBDIR)/guest/amd64 $(DESTDIR)$(NTV_LIBDIR)/guest $(DESTDIR)$(NTV_LIBDIR) $(DESTDIR)$(NTV_SHAREDIR)/examples \
	             $(DESTDIR)$(NTV_SHAREDIR); do [ ! -d $$d ] || rmdir $$d 2>/dev/null || true; done

# tests/test_manpage.c reads the --help texts of this build's ntvisor
$(BUILD)/san/tests/test_manpage.o: UNIT_CFLAGS += -DNTVISOR_BIN='"$(BUILD)/ntvisor"'
$(BUILD)/tests/test_manpage: $(BUILD)/ntvisor

# tests/test_install.c stages `make install` of this build (all of it built first, so the
# install only copies) and checks what the staged ntvisor finds
$(BUILD)/san/tests/test_install.o: UNIT_CFLAGS += -DINSTALL_BUILD='"$(BUILD)"' -DINSTALL_PREFIX='"$(PREFIX)"' \
                                                  -DINSTALL_LIBDIR='"$(NTV_LIBDIR)"'
$(BUILD)/san/tests/test_install.o: $(PREFIX_STAMP)
$(BUILD)/tests/test_install: $(BUILD)/ntvisor $(INSTALL_GUEST) $(INSTALL_GUEST64) $(INSTALL_EXAMPLES) $(MAN_PAGE)
