/* The kernel's PsLoadedModuleList, walked through the kd_target, and the driver modules kd makes of it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "kd_modules.h"
#include "vmm/session.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool read_all(const struct kd_target *t, uint32_t va, void *buf, size_t len)
{
    return t->read_virt(t->ctx, va, buf, len) == len;
}

/* A UNICODE_STRING's text as printable ASCII ('?' for anything else), at most KD_LDR_NAME_MAX
   characters; "" when its buffer cannot be read. us points at the 8-byte structure, already read. */
static void read_name(const struct kd_target *t, const uint8_t *us, char out[KD_LDR_NAME_MAX + 1])
{
    uint8_t wide[2 * KD_LDR_NAME_MAX];
    size_t chars = (size_t)(us[0] | us[1] << 8) / 2;   /* Length is in bytes; an odd last byte is dropped */
    if (chars > KD_LDR_NAME_MAX)
        chars = KD_LDR_NAME_MAX;
    size_t got = t->read_virt(t->ctx, le32(us + 4), wide, chars * 2) / 2;
    for (size_t i = 0; i < got; i++) {
        unsigned c = (unsigned)(wide[2 * i] | wide[2 * i + 1] << 8);
        out[i] = c > 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[got] = '\0';
}

static bool seen(const struct kd_ldr_module *out, size_t n, uint32_t va)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].entry_va == va)
            return true;
    return false;
}

int kd_walk_loaded_modules(const struct kd_target *t, uint32_t head, struct kd_ldr_module *out, size_t max)
{
    uint8_t links[8];
    if (!read_all(t, head, links, sizeof(links)))
        return -1;
    if (max > KD_MAX_LDR_MODULES)
        max = KD_MAX_LDR_MODULES;
    size_t n = 0;
    /* InLoadOrderLinks is at +0: a Flink is the next entry's address; back at the head is the end */
    for (uint32_t va = le32(links); va != head && n < max && !seen(out, n, va);) {
        uint8_t e[KLDR_ENTRY_SIZE];
        if (!read_all(t, va, e, sizeof(e)))
            break;   /* a hostile or torn list: what was read so far stands */
        struct kd_ldr_module *m = &out[n++];
        m->entry_va = va;
        m->dll_base = le32(e + KLDR_DLL_BASE);
        m->entry_point = le32(e + KLDR_ENTRY_POINT);
        m->size_of_image = le32(e + KLDR_SIZE_OF_IMAGE);
        read_name(t, e + KLDR_BASE_DLL_NAME, m->base_name);
        va = le32(e + KLDR_IN_LOAD_ORDER_LINKS);
    }
    return (int)n;
}

/* ---------------------------------------------------------------- driver modules */

/* "ntzw.sys" -> "ntzw": BaseDllName without ".sys", as a module name ('_' for what one cannot hold). */
static void module_name_of(const char *base_name, char *out, size_t len)
{
    size_t n = strlen(base_name);
    if (n > 4 && !strcasecmp(base_name + n - 4, ".sys"))
        n -= 4;
    if (n > SYM_MAX_MODULE_NAME - 9)
        n = SYM_MAX_MODULE_NAME - 9;   /* room for a "_<base>" suffix */
    if (n + 1 > len)
        n = len - 1;
    for (size_t i = 0; i < n; i++) {
        char c = base_name[i];
        out[i] = isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' ? c : '_';
    }
    out[n] = '\0';
}

/* The --driver file whose name (its last path component) is base_name; NULL if none. */
static const char *driver_file(const char *base_name, const char *const *drivers, int n)
{
    for (int i = 0; i < n; i++) {
        const char *name = session_driver_name(drivers[i]);
        if (name && !strcasecmp(name, base_name))
            return drivers[i];
    }
    return NULL;
}

/* One driver as a module: the file's symbols at DllBase, or an empty module where there is no file. */
static bool add_driver(struct symtab *syms, const struct kd_ldr_module *d, const char *const *drivers, int n)
{
    char name[SYM_MAX_MODULE_NAME + 1], err[512];
    module_name_of(d->base_name, name, sizeof(name));
    if (!name[0] || symtab_module(syms, name))   /* taken (say, by the program ntzw.exe): WinDbg's name_<base> */
        snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%08x", d->dll_base);
    const char *file = driver_file(d->base_name, drivers, n);
    if (file && symtab_load_image_file(syms, name, file, d->dll_base, err, sizeof(err)) == 0)
        return true;
    if (file)
        fprintf(stdout, "*** kd: no symbols for %s: %s\n", d->base_name, err);
    uint64_t end = (uint64_t)d->dll_base + d->size_of_image;
    struct sym_module *m = symtab_add_module(syms, name, d->dll_base, end > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)end);
    if (!m)
        return false;
    snprintf(m->image, sizeof(m->image), "%s", d->base_name[0] ? d->base_name : "?");
    return true;
}

int kd_add_driver_modules(struct symtab *syms, const struct kd_target *t, const char *const *drivers, int n)
{
    uint32_t head;
    struct kd_ldr_module mods[KD_MAX_LDR_MODULES];
    if (!symtab_lookup(syms, "nt!PsLoadedModuleList", &head))
        return 0;   /* a kernel without the list: the modules stay as they are */
    int count = kd_walk_loaded_modules(t, head, mods, KD_MAX_LDR_MODULES), added = 0;
    const struct sym_module *nt = symtab_module(syms, "nt");
    for (int i = 0; i < count && syms->n < SYM_MAX_MODULES; i++) {   /* a full table: the rest go unnamed */
        const struct kd_ldr_module *d = &mods[i];
        if (!d->size_of_image || (nt && d->dll_base >= nt->base && d->dll_base < nt->end) ||
            !strcasecmp(d->base_name, "ntoskrnl.exe") || symtab_module_at(syms, d->dll_base))
            continue;   /* the kernel itself, an empty entry, or a driver added at an earlier stop */
        added += add_driver(syms, d, drivers, n);
    }
    return added;
}
