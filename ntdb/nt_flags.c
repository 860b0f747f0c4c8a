/* NT's flags and enumerations by name: the tables of nt_flags.def and their formatting. */
#include <stdio.h>
#include <string.h>
#include "nt_flags.h"
#include "nt_flags.def"

#define NAME_OF(name, value, where) { #name, (uint64_t)(value) },
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define TABLE(var, list, type_name, enumeration, next)                                        \
    static const struct nt_flag var##_names[] = { list(NAME_OF) };                            \
    const struct nt_flags var = { type_name, enumeration, var##_names, COUNT(var##_names), next };

TABLE(nt_access_mask, NT_ACCESS_COMMON, "ACCESS_MASK", false, NULL)
TABLE(nt_file_access, NT_ACCESS_FILE, "ACCESS_MASK", false, &nt_access_mask)
TABLE(nt_event_access, NT_ACCESS_EVENT, "ACCESS_MASK", false, &nt_access_mask)
TABLE(nt_process_access, NT_ACCESS_PROCESS, "ACCESS_MASK", false, &nt_access_mask)
TABLE(nt_create_disposition, NT_CREATE_DISPOSITION, "CreateDisposition", true, NULL)
TABLE(nt_create_options, NT_CREATE_OPTIONS, "CreateOptions", false, NULL)
TABLE(nt_share_access, NT_SHARE_ACCESS, "ShareAccess", false, NULL)
TABLE(nt_file_attributes, NT_FILE_ATTRIBUTES, "FileAttributes", false, NULL)
TABLE(nt_obj_attributes, NT_OBJ_ATTRIBUTES, "OBJECT_ATTRIBUTES.Attributes", false, NULL)
TABLE(nt_mem_type, NT_MEM_TYPE, "AllocationType", false, NULL)
TABLE(nt_page_protect, NT_PAGE_PROTECT, "Protect", false, NULL)
TABLE(nt_event_type, NT_EVENT_TYPE, "EVENT_TYPE", true, NULL)
TABLE(nt_file_information_class, NT_FILE_INFORMATION_CLASS, "FILE_INFORMATION_CLASS", true, NULL)
TABLE(nt_device_type, NT_DEVICE_TYPE, "DEVICE_TYPE", true, NULL)
TABLE(nt_ioctl_method, NT_IOCTL_METHOD, "CTL_CODE Method", true, NULL)
TABLE(nt_ioctl_access, NT_IOCTL_ACCESS, "CTL_CODE RequiredAccess", false, NULL)

const struct nt_flags *const nt_flags_all[] = {
    &nt_access_mask, &nt_file_access, &nt_event_access, &nt_process_access, &nt_create_disposition,
    &nt_create_options, &nt_share_access, &nt_file_attributes, &nt_obj_attributes, &nt_mem_type,
    &nt_page_protect, &nt_event_type, &nt_file_information_class, &nt_device_type, &nt_ioctl_method,
    &nt_ioctl_access, NULL,
};

const char *nt_flags_name(const struct nt_flags *t, uint64_t value)
{
    for (; t; t = t->more)
        for (size_t i = 0; i < t->count; i++)
            if (t->names[i].value == value)
                return t->names[i].name;
    return NULL;
}

/* Appends text to out at *n, cut to outlen; out stays NUL-terminated. */
static void append(char *out, size_t outlen, size_t *n, const char *text)
{
    size_t len = strlen(text);
    if (*n + 1 >= outlen)
        return;
    if (len > outlen - 1 - *n)
        len = outlen - 1 - *n;
    memcpy(out + *n, text, len);
    *n += len;
    out[*n] = '\0';
}

/* The names whose bits are all in *rest, in table order, each taking its bits out of *rest. */
static void append_bits(const struct nt_flags *t, uint64_t *rest, char *out, size_t outlen, size_t *n)
{
    for (; t; t = t->more)
        for (size_t i = 0; i < t->count; i++) {
            uint64_t bits = t->names[i].value;
            if (!bits || (*rest & bits) != bits)
                continue;
            if (*n)
                append(out, outlen, n, "|");
            append(out, outlen, n, t->names[i].name);
            *rest &= ~bits;
        }
}

char *nt_flags_format(const struct nt_flags *t, uint64_t value, char *out, size_t outlen)
{
    char number[24];
    size_t n = 0;
    if (!outlen)
        return out;
    out[0] = '\0';
    if (t->is_enum || value == 0) {
        const char *exact = nt_flags_name(t, value);   /* for a flag set: its name for 0 */
        if (exact)
            append(out, outlen, &n, exact);
        else {
            snprintf(number, sizeof(number), t->is_enum ? "%llu" : "0", (unsigned long long)value);
            append(out, outlen, &n, number);
        }
        return out;
    }
    uint64_t rest = value;
    append_bits(t, &rest, out, outlen, &n);
    if (rest) {
        snprintf(number, sizeof(number), "%s0x%llx", n ? "|" : "", (unsigned long long)rest);
        append(out, outlen, &n, number);
    }
    return out;
}

/* CTL_CODE(DeviceType, Function, Method, Access): ((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method) */
char *nt_ioctl_format(uint32_t code, char *out, size_t outlen)
{
    char device[24], access[48];
    const char *device_name = nt_flags_name(&nt_device_type, code >> 16);
    if (!device_name) {
        snprintf(device, sizeof(device), "0x%x", code >> 16);
        device_name = device;
    }
    nt_flags_format(&nt_ioctl_access, (code >> 14) & 3, access, sizeof(access));
    if (outlen)
        snprintf(out, outlen, "CTL_CODE(%s, 0x%x, %s, %s)", device_name, (code >> 2) & 0xFFF,
                 nt_flags_name(&nt_ioctl_method, code & 3), access);
    return out;
}
