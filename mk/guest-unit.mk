# mk/guest-unit.mk -- host builds of guest code that is plain C, and their Check tests.
# Included by the top-level Makefile, which defines BUILD, CC, SAN_FLAGS,
# CHECK_CFLAGS and CHECK_LIBS first.
#
#   $(BUILD)/tests/test_ob   the object manager and handle tables (guest/ob/object.c, handle.c)

GUEST_UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Iguest/inc
OB_HOST_SRCS      := guest/ob/object.c guest/ob/handle.c
OB_HOST_HDRS      := guest/inc/ob.h guest/inc/ex.h guest/inc/ntdef.h guest/inc/rtl.h include/nt/ntstatus.h

UNIT_TESTS += $(BUILD)/tests/test_ob

$(BUILD)/tests/test_ob: tests/test_ob.c $(OB_HOST_SRCS) $(OB_HOST_HDRS) mk/guest-unit.mk
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(GUEST_UNIT_CFLAGS) $(SAN_FLAGS) $(CHECK_CFLAGS) -o $@ tests/test_ob.c $(OB_HOST_SRCS) $(CHECK_LIBS)
