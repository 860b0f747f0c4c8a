/*
 * NT's flags and enumerations by name (ntdb/nt_flags.def): access masks,
 * NtCreateFile's dispositions, options, share access and attributes,
 * OBJECT_ATTRIBUTES' attributes, MEM_ and PAGE_ values, FILE_INFORMATION_CLASS,
 * EVENT_TYPE, and I/O control codes as CTL_CODE(...).
 */
#ifndef NTVISOR_NT_FLAGS_H
#define NTVISOR_NT_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nt_flag {
    const char *name;
    uint64_t value;
};

/* One type's names. */
struct nt_flags {
    const char *type;               /* as NT's headers call it: "ACCESS_MASK", "FILE_INFORMATION_CLASS" */
    bool is_enum;                   /* the value is one name, not a set of bits */
    const struct nt_flag *names;
    size_t count;
    const struct nt_flags *more;    /* names matched after these: an access mask's standard and generic rights */
};

/* An access mask: the standard and generic rights only, or those and an object type's specific rights. */
extern const struct nt_flags nt_access_mask, nt_file_access, nt_event_access, nt_process_access;
extern const struct nt_flags nt_create_disposition, nt_create_options, nt_share_access, nt_file_attributes;
extern const struct nt_flags nt_obj_attributes, nt_mem_type, nt_page_protect, nt_event_type;
extern const struct nt_flags nt_file_information_class;
extern const struct nt_flags nt_device_type, nt_ioctl_method, nt_ioctl_access;

/* Every table above, for tests and listings; NULL-terminated. */
extern const struct nt_flags *const nt_flags_all[];

/*
 * value by name into out (NUL-terminated, cut to outlen): an enumeration's
 * name, or its number in decimal; a flag set's names joined by '|', with the
 * bits no name covers as a hex remainder ("FILE_SHARE_READ|0x80"), and 0 as
 * the type's name for 0 if it has one, else "0". Returns out.
 */
char *nt_flags_format(const struct nt_flags *t, uint64_t value, char *out, size_t outlen);

/* The name of an enumeration's value (or of a flag's exact value); NULL if none. */
const char *nt_flags_name(const struct nt_flags *t, uint64_t value);

/* An I/O control code as CTL_CODE(DeviceType, Function, Method, Access), the parts by name where known. */
char *nt_ioctl_format(uint32_t code, char *out, size_t outlen);

#endif
