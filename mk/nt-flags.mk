# mk/nt-flags.mk -- the build-time check that ntdb/nt_flags.def's names have NT's values: each
# DDK entry static-asserted against mingw-w64's DDK headers (<ddk/ntifs.h>), each WINNT one
# against its user-mode headers (<windows.h>, <winternl.h>, <winioctl.h>). Part of `make`
# (all), `make unit` and `make test`. Included by the top-level Makefile after mk/ddk-layout.mk
# (MINGW_CC, DDK_CFLAGS, DDK_DIR).
#
#   $(BUILD)/tests/ddk/nt_flags_ddk.o     tests/ddk/nt_flags_ddk.c
#   $(BUILD)/tests/ddk/nt_flags_winnt.o   tests/ddk/nt_flags_winnt.c

NT_FLAGS_CHECKS := $(DDK_DIR)/nt_flags_ddk.o $(DDK_DIR)/nt_flags_winnt.o
all test unit: $(NT_FLAGS_CHECKS)

$(DDK_DIR)/nt_flags_ddk.o: tests/ddk/nt_flags_ddk.c tests/ddk/nt_flags_check.h ntdb/nt_flags.def
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) $(DDK_CFLAGS) -I. -c -o $@ $<
$(DDK_DIR)/nt_flags_winnt.o: tests/ddk/nt_flags_winnt.c tests/ddk/nt_flags_check.h ntdb/nt_flags.def
	@mkdir -p $(@D)
	$(Q_CC)$(MINGW_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -I. -c -o $@ $<
