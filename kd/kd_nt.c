/*
 * kd: the guest kernel's own structures -- dt for KTHREAD, EPROCESS,
 * KTRAP_FRAME, KSERVICE_TABLE_DESCRIPTOR and HANDLE_TABLE, !sst (the service
 * table, with hooks flagged), !thread and !handle. Layouts: kd_layout.h.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "kd.h"
#include "kd_layout.h"

enum field_kind { FK_U8, FK_U32, FK_PTR, FK_MODE, FK_CHARS, FK_STATUS, FK_BOOL, FK_EMBED };

struct kd_field {
    uint32_t offset;
    const char *name;
    enum field_kind kind;
    const char *type;      /* FK_PTR: what it points to; FK_EMBED: the embedded type */
    uint32_t len;          /* FK_CHARS: bytes */
};

struct kd_type {
    const char *name;      /* "_KTHREAD" */
    uint32_t size;
    const struct kd_field *fields;
    size_t n;
};

#define FIELDS(a) a, sizeof(a) / sizeof(a[0])

static const struct kd_field kthread_fields[] = {
    { KD_KTHREAD_PREVIOUS_MODE, "PreviousMode", FK_MODE, NULL, 1 },
    { KD_KTHREAD_PROCESS, "Process", FK_PTR, "_EPROCESS", 0 },
    { KD_KTHREAD_THREAD_ID, "ThreadId", FK_U32, NULL, 0 },
    { KD_KTHREAD_INITIAL_STACK, "InitialStack", FK_PTR, "Void", 0 },
    { KD_KTHREAD_TRAP_FRAME, "TrapFrame", FK_PTR, "_KTRAP_FRAME", 0 },
};
static const struct kd_field eprocess_fields[] = {
    { KD_EPROCESS_UNIQUE_PROCESS_ID, "UniqueProcessId", FK_U32, NULL, 0 },
    { KD_EPROCESS_DIRECTORY_TABLE_BASE, "DirectoryTableBase", FK_U32, NULL, 0 },
    { KD_EPROCESS_PEB, "Peb", FK_PTR, "_PEB", 0 },
    { KD_EPROCESS_EXIT_STATUS, "ExitStatus", FK_STATUS, NULL, 0 },
    { KD_EPROCESS_IMAGE_FILE_NAME, "ImageFileName", FK_CHARS, NULL, KD_EPROCESS_IMAGE_FILE_NAME_LEN },
    { KD_EPROCESS_OBJECT_TABLE, "ObjectTable", FK_EMBED, "_HANDLE_TABLE", 0 },
    { KD_EPROCESS_VAD_ROOT, "VadRoot", FK_PTR, "_MMVAD", 0 },
};
static const struct kd_field trap_fields[] = {
    { 0x00, "PreviousPreviousMode", FK_U32, NULL, 0 }, { 0x04, "SegFs", FK_U32, NULL, 0 },
    { 0x08, "SegEs", FK_U32, NULL, 0 }, { 0x0C, "SegDs", FK_U32, NULL, 0 },
    { 0x10, "Edx", FK_U32, NULL, 0 }, { 0x14, "Ecx", FK_U32, NULL, 0 },
    { 0x18, "Eax", FK_U32, NULL, 0 }, { 0x1C, "Edi", FK_U32, NULL, 0 },
    { 0x20, "Esi", FK_U32, NULL, 0 }, { 0x24, "Ebx", FK_U32, NULL, 0 },
    { 0x28, "Ebp", FK_U32, NULL, 0 }, { 0x2C, "TrapNumber", FK_U32, NULL, 0 },
    { 0x30, "ErrCode", FK_U32, NULL, 0 }, { 0x34, "Eip", FK_PTR, "Void", 0 },
    { 0x38, "SegCs", FK_U32, NULL, 0 }, { 0x3C, "EFlags", FK_U32, NULL, 0 },
    { 0x40, "HardwareEsp", FK_U32, NULL, 0 }, { 0x44, "HardwareSegSs", FK_U32, NULL, 0 },
};
static const struct kd_field sdt_fields[] = {
    { KD_KSERVICE_TABLE_BASE, "Base", FK_PTR, "Uint4B", 0 },
    { KD_KSERVICE_TABLE_COUNT, "Count", FK_PTR, "Uint4B", 0 },
    { KD_KSERVICE_TABLE_LIMIT, "Limit", FK_U32, NULL, 0 },
    { KD_KSERVICE_TABLE_NUMBER, "Number", FK_PTR, "UChar", 0 },
};
static const struct kd_field handle_table_fields[] = {
    { KD_HANDLE_TABLE_TABLE, "Table", FK_PTR, "_HANDLE_TABLE_ENTRY", 0 },
    { KD_HANDLE_TABLE_CAPACITY, "Capacity", FK_U32, NULL, 0 },
    { KD_HANDLE_TABLE_FIRST_FREE, "FirstFree", FK_U32, NULL, 0 },
    { KD_HANDLE_TABLE_HANDLE_COUNT, "HandleCount", FK_U32, NULL, 0 },
    { KD_HANDLE_TABLE_KERNEL_TABLE, "KernelTable", FK_BOOL, NULL, 1 },
};

static const struct kd_type types[] = {
    { "_KTHREAD", KD_KTHREAD_SIZE, FIELDS(kthread_fields) },
    { "_EPROCESS", KD_EPROCESS_SIZE, FIELDS(eprocess_fields) },
    { "_KTRAP_FRAME", KD_KTRAP_FRAME_SIZE, FIELDS(trap_fields) },
    { "_KSERVICE_TABLE_DESCRIPTOR", KD_KSERVICE_TABLE_SIZE, FIELDS(sdt_fields) },
    { "_HANDLE_TABLE", KD_HANDLE_TABLE_SIZE, FIELDS(handle_table_fields) },
};

/* "KTHREAD", "_KTHREAD", "nt!_KTHREAD", "nt!KTHREAD" (any case). */
static const struct kd_type *find_type(const char *name)
{
    const char *bang = strchr(name, '!');
    if (bang) {
        if (strncasecmp(name, "nt!", 3))
            return NULL;
        name = bang + 1;
    }
    if (*name == '_')
        name++;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcasecmp(name, types[i].name + 1))
            return &types[i];
    return NULL;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *mode_name(unsigned m)
{
    return m == 0 ? "KernelMode" : m == 1 ? "UserMode" : "invalid";
}

static const char *type_text(const struct kd_field *f, char *buf, size_t len)
{
    switch (f->kind) {
    case FK_U8:     return "UChar";
    case FK_U32:    return "Uint4B";
    case FK_MODE:   return "Char (KPROCESSOR_MODE)";
    case FK_STATUS: return "Int4B (NTSTATUS)";
    case FK_BOOL:   return "UChar (BOOLEAN)";
    case FK_EMBED:  return f->type;
    case FK_CHARS:  snprintf(buf, len, "[%u] Char", f->len); return buf;
    case FK_PTR:    snprintf(buf, len, "Ptr32 %s", f->type); return buf;
    }
    return "?";
}

/* A type's fields; with data (the struct's bytes, read from addr) their values too. */
static void print_type(struct kd *kd, const struct kd_type *t, const uint8_t *data, int indent)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct kd_field *f = &t->fields[i];
        char buf[300];
        fprintf(kd->out, "%*s+0x%03x %-20s : ", indent, "", f->offset, f->name);
        if (!data) {
            fprintf(kd->out, "%s\n", type_text(f, buf, sizeof(buf)));
            continue;
        }
        const uint8_t *p = data + f->offset;
        switch (f->kind) {
        case FK_U8:
        case FK_BOOL:
            fprintf(kd->out, "0x%02x\n", p[0]);
            break;
        case FK_U32:
            fprintf(kd->out, "0x%x\n", get_u32(p));
            break;
        case FK_STATUS:
            fprintf(kd->out, "0x%08x\n", get_u32(p));
            break;
        case FK_MODE:
            fprintf(kd->out, "%u (%s)\n", p[0], mode_name(p[0]));
            break;
        case FK_PTR: {
            uint32_t v = get_u32(p);
            fprintf(kd->out, "0x%08x", v);
            if (v && symtab_format(kd->syms, v, buf, sizeof(buf)))
                fprintf(kd->out, " (%s)", buf);
            fputc('\n', kd->out);
            break;
        }
        case FK_CHARS:
            fputc('"', kd->out);
            for (uint32_t k = 0; k < f->len && p[k]; k++)
                fputc(isprint(p[k]) && p[k] != '"' ? p[k] : '.', kd->out);
            fprintf(kd->out, "\"\n");
            break;
        case FK_EMBED: {
            const struct kd_type *sub = find_type(f->type);
            fprintf(kd->out, "%s\n", f->type);
            if (sub && indent < 12)
                print_type(kd, sub, p, indent + 3);
            break;
        }
        }
    }
}

void kd_cmd_dt(struct kd *kd, const char *args)
{
    char tname[64], atext[256];
    int n = sscanf(args, "%63s %255s", tname, atext);
    if (n < 1) {
        kd_error(kd, "Usage: dt <type> [address]  (KTHREAD, EPROCESS, KTRAP_FRAME, KSERVICE_TABLE_DESCRIPTOR, "
                     "HANDLE_TABLE)");
        return;
    }
    const struct kd_type *t = find_type(tname);
    if (!t) {
        kd_error(kd, "Symbol %s not found (kd knows KTHREAD, EPROCESS, KTRAP_FRAME, KSERVICE_TABLE_DESCRIPTOR, "
                     "HANDLE_TABLE)", tname);
        return;
    }
    if (n < 2) {
        fprintf(kd->out, "nt!%s (0x%x bytes)\n", t->name, t->size);
        print_type(kd, t, NULL, 3);
        return;
    }
    uint32_t addr;
    if (kd_eval(kd, atext, &addr) < 0)
        return;
    uint8_t data[256];
    if (t->size > sizeof(data) || !kd_read(kd, addr, data, t->size)) {
        kd_error(kd, "Memory access error at %08x (nt!%s, 0x%x bytes)", addr, t->name, t->size);
        return;
    }
    fprintf(kd->out, "nt!%s at %08x\n", t->name, addr);
    print_type(kd, t, data, 3);
}

/* ---------------------------------------------------------------- !sst */

/* Reads KeServiceDescriptorTable[table]; false (printed) if it cannot. */
static bool read_sdt(struct kd *kd, unsigned table, uint32_t *at, uint32_t *base, uint32_t *limit, uint32_t *number)
{
    uint32_t sdt;
    if (!symtab_lookup(kd->syms, "nt!KeServiceDescriptorTable", &sdt)) {
        kd_error(kd, "nt!KeServiceDescriptorTable is not in the kernel's symbols");
        return false;
    }
    *at = sdt + table * KD_KSERVICE_TABLE_SIZE;
    uint8_t d[KD_KSERVICE_TABLE_SIZE];
    if (!kd_read(kd, *at, d, sizeof(d))) {
        kd_error(kd, "Memory access error at %08x (KeServiceDescriptorTable[%u])", *at, table);
        return false;
    }
    *base = get_u32(d + KD_KSERVICE_TABLE_BASE);
    *limit = get_u32(d + KD_KSERVICE_TABLE_LIMIT);
    *number = get_u32(d + KD_KSERVICE_TABLE_NUMBER);
    return true;
}

void kd_cmd_sst(struct kd *kd, const char *args)
{
    uint32_t table = 0;
    if (*args && kd_eval(kd, args, &table) < 0)
        return;
    if (table >= KD_NUMBER_SERVICE_TABLES) {
        kd_error(kd, "Table %u: there are %u descriptor tables (0..%u)", table, KD_NUMBER_SERVICE_TABLES,
                 KD_NUMBER_SERVICE_TABLES - 1);
        return;
    }
    uint32_t at, base, limit, number;
    if (!read_sdt(kd, table, &at, &base, &limit, &number))
        return;
    char bsym[300], nsym[300];
    fprintf(kd->out, "KeServiceDescriptorTable[%u] at %08x: Base %08x (%s), Limit 0x%x, Number %08x (%s)\n", table,
            at, base, kd_symbolize(kd, base, bsym, sizeof(bsym)), limit, number,
            kd_symbolize(kd, number, nsym, sizeof(nsym)));
    if (!base || !limit) {
        fprintf(kd->out, "table %u is empty\n", table);
        return;
    }
    if (limit > KD_MAX_SERVICES) {
        kd_error(kd, "Limit 0x%x is more than 0x%x (the index is 12 bits): showing 0x%x entries", limit,
                 KD_MAX_SERVICES, KD_MAX_SERVICES);
        limit = KD_MAX_SERVICES;
    }
    const struct sym_module *nt = symtab_module(kd->syms, "nt");
    unsigned hooks = 0, shown = 0;
    for (uint32_t i = 0; i < limit; i++) {
        uint32_t fn;
        uint8_t argbytes;
        if ((uint64_t)base + 4ull * i + 4 > 0x100000000ull || !kd_read_u32(kd, base + 4 * i, &fn)) {
            kd_error(kd, "Memory access error at %08x (entry 0x%x): stopping", base + 4 * i, i);
            break;
        }
        bool have_args = number && kd_read(kd, number + i, &argbytes, 1);
        char sym[300];
        bool in_nt = nt && fn >= nt->base && fn < nt->end;
        fprintf(kd->out, "%x: 0x%08x  (%s)", i, fn, kd_symbolize(kd, fn, sym, sizeof(sym)));
        if (have_args)
            fprintf(kd->out, "  args 0x%02x (%u)", argbytes, argbytes / 4);
        else
            fprintf(kd->out, "  args ??");
        if (!in_nt) {
            fprintf(kd->out, "  *** HOOK: outside nt");
            hooks++;
        }
        fputc('\n', kd->out);
        shown++;
    }
    fprintf(kd->out, "%u services, %u outside nt%s\n", shown, hooks, hooks ? " (hooked)" : "");
}

/* ---------------------------------------------------------------- !thread, !handle */

static bool current_thread(struct kd *kd, uint32_t *thread, uint8_t kt[KD_KTHREAD_SIZE])
{
    uint32_t p;
    if (!symtab_lookup(kd->syms, "nt!KiCurrentThread", &p)) {
        kd_error(kd, "nt!KiCurrentThread is not in the kernel's symbols");
        return false;
    }
    if (!kd_read_u32(kd, p, thread)) {
        kd_error(kd, "Memory access error at %08x (nt!KiCurrentThread)", p);
        return false;
    }
    if (!*thread) {
        kd_error(kd, "No current thread yet (nt!KiCurrentThread is NULL)");
        return false;
    }
    if (!kd_read(kd, *thread, kt, KD_KTHREAD_SIZE)) {
        kd_error(kd, "Memory access error at %08x (the current KTHREAD)", *thread);
        return false;
    }
    return true;
}

static void image_name(const uint8_t *ep, char out[KD_EPROCESS_IMAGE_FILE_NAME_LEN + 1])
{
    size_t k = 0;
    for (; k < KD_EPROCESS_IMAGE_FILE_NAME_LEN && ep[KD_EPROCESS_IMAGE_FILE_NAME + k]; k++) {
        uint8_t c = ep[KD_EPROCESS_IMAGE_FILE_NAME + k];
        out[k] = isprint(c) ? (char)c : '.';
    }
    out[k] = '\0';
}

void kd_cmd_thread(struct kd *kd, const char *args)
{
    (void)args;
    uint32_t thread;
    uint8_t kt[KD_KTHREAD_SIZE], ep[KD_EPROCESS_SIZE];
    if (!current_thread(kd, &thread, kt))
        return;
    uint32_t process = get_u32(kt + KD_KTHREAD_PROCESS);
    bool have_process = process && kd_read(kd, process, ep, sizeof(ep));
    unsigned pid = have_process ? get_u32(ep + KD_EPROCESS_UNIQUE_PROCESS_ID) : 0;
    fprintf(kd->out, "THREAD %08x  Cid %04x.%04x  RUNNING on processor 0\n", thread, pid,
            get_u32(kt + KD_KTHREAD_THREAD_ID));
    fprintf(kd->out, "    PreviousMode       %s (%u)\n", mode_name(kt[KD_KTHREAD_PREVIOUS_MODE]),
            kt[KD_KTHREAD_PREVIOUS_MODE]);
    if (have_process) {
        char name[KD_EPROCESS_IMAGE_FILE_NAME_LEN + 1];
        image_name(ep, name);
        fprintf(kd->out, "    Owning Process     %08x  Cid %04x  Image: %s  DirBase: %08x\n", process, pid, name,
                get_u32(ep + KD_EPROCESS_DIRECTORY_TABLE_BASE));
    } else {
        fprintf(kd->out, "    Owning Process     %08x  (unreadable)\n", process);
    }
    fprintf(kd->out, "    InitialStack       %08x\n", get_u32(kt + KD_KTHREAD_INITIAL_STACK));
    fprintf(kd->out, "    TrapFrame          %08x\n", get_u32(kt + KD_KTHREAD_TRAP_FRAME));
    struct kd_regs r;
    if (kd->target->get_regs(kd->target->ctx, &r) == 0) {
        char sym[300];
        fprintf(kd->out, "    vCPU               CPL %u (%s), eip %08x (%s)\n", r.cs & 3,
                (r.cs & 3) ? "user mode" : "kernel mode", r.eip, kd_symbolize(kd, r.eip, sym, sizeof(sym)));
    }
}

static void handle_table(struct kd *kd, uint32_t at, const char *what)
{
    uint8_t ht[KD_HANDLE_TABLE_SIZE];
    if (!kd_read(kd, at, ht, sizeof(ht))) {
        kd_error(kd, "Memory access error at %08x (%s handle table)", at, what);
        return;
    }
    uint32_t entries = get_u32(ht + KD_HANDLE_TABLE_TABLE), cap = get_u32(ht + KD_HANDLE_TABLE_CAPACITY);
    uint32_t count = get_u32(ht + KD_HANDLE_TABLE_HANDLE_COUNT);
    bool kernel = ht[KD_HANDLE_TABLE_KERNEL_TABLE] != 0;
    fprintf(kd->out, "%s handle table at %08x: %u handle%s in use, capacity %u, entries at %08x%s\n", what, at,
            count, count == 1 ? "" : "s", cap, entries, kernel ? " (kernel handles 0x8000xxxx)" : "");
    if (cap > KD_MAX_HANDLES) {
        kd_error(kd, "Capacity %u is implausible: listing the first %u entries", cap, KD_MAX_HANDLES);
        cap = KD_MAX_HANDLES;
    }
    unsigned listed = 0;
    for (uint32_t i = 1; i < cap && entries; i++) {
        uint8_t e[KD_HANDLE_ENTRY_SIZE];
        uint32_t ea = entries + i * KD_HANDLE_ENTRY_SIZE;
        if (!kd_read(kd, ea, e, sizeof(e))) {
            kd_error(kd, "Memory access error at %08x (entry %u): stopping", ea, i);
            break;
        }
        uint32_t header = get_u32(e + KD_HANDLE_ENTRY_OBJECT);
        if (!header)
            continue;
        uint32_t handle = (i << 2) | (kernel ? KD_KERNEL_HANDLE_MASK : 0);
        uint8_t oh[KD_OBJECT_HEADER_SIZE];
        char tname[32] = "?";
        bool have_header = kd_read(kd, header, oh, sizeof(oh));
        uint32_t type, name_ptr;
        if (have_header && (type = get_u32(oh + KD_OBJECT_HEADER_TYPE)) &&
            kd_read_u32(kd, type + KD_OBJECT_TYPE_NAME, &name_ptr) && name_ptr) {
            size_t k = 0;
            uint8_t c;
            while (k < sizeof(tname) - 1 && kd_read(kd, name_ptr + (uint32_t)k, &c, 1) && c)
                tname[k++] = isprint(c) ? (char)c : '.';
            tname[k ? k : 1] = '\0';
        }
        fprintf(kd->out, "%04x: Object: %08x  GrantedAccess: %08x  Type: %s", handle,
                header + KD_OBJECT_HEADER_SIZE, get_u32(e + KD_HANDLE_ENTRY_ACCESS), tname);
        if (have_header)
            fprintf(kd->out, "  (PointerCount %d, HandleCount %d)", (int32_t)get_u32(oh + KD_OBJECT_HEADER_POINTER_COUNT),
                    (int32_t)get_u32(oh + KD_OBJECT_HEADER_HANDLE_COUNT));
        fputc('\n', kd->out);
        listed++;
    }
    fprintf(kd->out, "%u handle%s listed\n", listed, listed == 1 ? "" : "s");
}

void kd_cmd_handle(struct kd *kd, const char *args)
{
    bool kernel = !strcasecmp(args, "kernel");
    if (*args && !kernel && strcasecmp(args, "process")) {
        kd_error(kd, "Usage: !handle [process|kernel]");
        return;
    }
    uint32_t kt_addr;
    if (!symtab_lookup(kd->syms, "nt!ObpKernelHandleTable", &kt_addr)) {
        fprintf(kd->out, "!handle: this guest kernel has no object manager (no nt!ObpKernelHandleTable): "
                         "no handle tables to show\n");
        return;
    }
    if (kernel) {
        handle_table(kd, kt_addr, "kernel (nt!ObpKernelHandleTable)");
        return;
    }
    uint32_t thread;
    uint8_t kt[KD_KTHREAD_SIZE], ep[KD_EPROCESS_SIZE];
    if (!current_thread(kd, &thread, kt))
        return;
    uint32_t process = get_u32(kt + KD_KTHREAD_PROCESS);
    if (!process || !kd_read(kd, process, ep, sizeof(ep))) {
        kd_error(kd, "Memory access error at %08x (the current EPROCESS)", process);
        return;
    }
    char name[KD_EPROCESS_IMAGE_FILE_NAME_LEN + 1], what[64];
    image_name(ep, name);
    fprintf(kd->out, "PROCESS %08x  Cid %04x  Image: %s\n", process, get_u32(ep + KD_EPROCESS_UNIQUE_PROCESS_ID),
            name);
    snprintf(what, sizeof(what), "process");
    handle_table(kd, process + KD_EPROCESS_OBJECT_TABLE, what);
}
