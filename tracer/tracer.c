/*
 * The tracer: vm_hooks that observe system calls from outside the guest.
 *
 * Boot: a hardware breakpoint on the kernel's first instruction tells whether
 * debug registers reach the monitor here (else: instruction patching). The
 * MSR filter traps the kernel's WRMSRs; SYSENTER_EIP names KiFastCallEntry.
 * When the first user instruction is about to run (a breakpoint on the
 * program's entry), IDT vector 0x2E names KiSystemService, a forward decode
 * of the dispatcher finds its IRETD and SYSEXIT, and the service table is
 * located and remembered for integrity checks.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include "../vmm/guest_mem.h"
#include "breakpoints.h"
#include "decode.h"
#include "ntstatus_names.h"
#include "trace_output.h"
#include "tracer.h"

#define SLOT_SYSTEM_SERVICE   0
#define SLOT_FAST_CALL_ENTRY  1
#define SLOT_IRET             2
#define SLOT_SYSEXIT          3     /* before boot: the program's entry point */

#define MAX_THREADS     64
#define MAX_DEPTH       32
#define MAX_SPACES      64
#define SWEEP_BYTES     1024
#define IDT_VECTOR      0x2E

static const uint32_t watched_msrs[] = { 0x174, 0x175, 0x176, 0xC0000080, 0xC0000081, 0xC0000082,
                                         0xC0000083, 0xC0000084 };
#define N_MSRS (sizeof(watched_msrs) / sizeof(watched_msrs[0]))

struct open_call {
    struct trace_call call;
    bool announced;         /* text: printed as <unfinished ...> */
    bool reached;           /* deep mode: the dispatcher has called the routine */
    int return_slot;        /* direct calls: the one-shot breakpoint on the return address, or -1 */
};

/* --deep: a breakpoint inside a service routine's prologue. */
struct deep_point {
    unsigned index;         /* the service */
    int slot;
    uint32_t esp_delta;     /* bytes the skipped prologue pushed */
};
#define MAX_DEEP 16

struct thread_state {
    uint32_t esp0;
    unsigned tid;
    struct open_call stack[MAX_DEPTH];
    int depth;
};

struct summary_row {
    const char *name;
    uint64_t calls, errors, ns;
};

struct tracer {
    struct tracer_options opt;
    struct vm_hooks hooks;
    struct breakpoints bp;
    enum trace_trap trap;
    bool selftest_pending;
    uint32_t kernel_entry, user_entry;
    uint32_t fast_call_entry, system_service, iret_addr, sysexit_addr;
    uint32_t before_iret;       /* the instruction that falls into the IRETD (patch mode) */
    uint64_t msr_value[N_MSRS];
    bool booted;
    struct thread_state threads[MAX_THREADS];
    int n_threads;
    uint32_t spaces[MAX_SPACES];
    bool space_has_user[MAX_SPACES];    /* ring-3 code has made calls from it: the program's */
    int n_spaces;
    uint64_t seq;
    struct timespec t0;
    struct tracer_stats stats;
    /* integrity */
    uint8_t idt_gate[8];
    uint32_t idt_gate_gpa;
    uint32_t sst_base, sst_limit;          /* KiServiceTable (VA) and its length */
    uint32_t *sst_copy;
    uint64_t *dirty;                        /* KVM dirty-log bitmap */
    size_t dirty_words;
    bool dirty_log;
    struct summary_row *rows;
    size_t n_rows;
    struct deep_point deep[MAX_DEEP];
    int n_deep;
    char error[160];
};

static void place_deep(struct tracer *t, struct kvm_vm *vm, const struct guest_view *v);

/* ------------------------------------------------------------------ small helpers */

static uint64_t now_ns(const struct tracer *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)(ts.tv_sec - t->t0.tv_sec) * 1000000000ull + (uint64_t)(ts.tv_nsec - t->t0.tv_nsec);
}

static bool wants(const struct tracer *t, enum trace_event_kind k)
{
    return t->opt.out && !t->opt.summary && (t->opt.events & (1u << k));
}

static bool listed(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (name && !strcmp(*list, name))
            return true;
    return false;
}

static bool call_shown(const struct tracer *t, const struct trace_call *c)
{
    if (t->opt.trace_only && !listed(t->opt.trace_only, c->name))
        return false;
    return !listed(t->opt.trace_not, c->name);
}

static int get_state(struct kvm_vm *vm, struct kvm_regs *r, struct kvm_sregs *s)
{
    if (r && ioctl(vm->vcpu_fd, KVM_GET_REGS, r) < 0)
        return -1;
    if (s && ioctl(vm->vcpu_fd, KVM_GET_SREGS, s) < 0)
        return -1;
    return 0;
}

static void view_of(struct kvm_vm *vm, const struct kvm_sregs *s, struct guest_view *v)
{
    v->mem.mem = vm->mem;
    v->mem.size = vm->mem_size;
    v->cr0 = (uint32_t)s->cr0;
    v->cr3 = (uint32_t)s->cr3;
    v->cr4 = (uint32_t)s->cr4;
}

/* The paused vCPU's registers, and memory as its current address space sees it. */
static int pause_state(struct kvm_vm *vm, struct kvm_regs *r, struct kvm_sregs *s, struct guest_view *v)
{
    if (get_state(vm, r, s) < 0)
        return -1;
    view_of(vm, s, v);
    return 0;
}

static bool read_u32(const struct guest_view *v, uint32_t va, uint32_t *out)
{
    return view_read(v, va, out, 4);
}

static const char *msr_name(uint32_t index)
{
    switch (index) {
    case 0x174: return "SYSENTER_CS";
    case 0x175: return "SYSENTER_ESP";
    case 0x176: return "SYSENTER_EIP";
    case 0xC0000080: return "EFER";
    case 0xC0000081: return "STAR";
    case 0xC0000082: return "LSTAR";
    case 0xC0000083: return "CSTAR";
    case 0xC0000084: return "SFMASK";
    }
    return "?";
}

/* ------------------------------------------------------------------ events */

static void emit_ring(struct tracer *t, unsigned from, unsigned to, const char *via, uint32_t rip)
{
    t->stats.ring_changes++;
    if (!wants(t, TEV_RING))
        return;
    uint64_t seq = ++t->seq;
    if (t->opt.json)
        fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"ring\",\"from\":%u,\"to\":%u,"
                            "\"via\":\"%s\",\"rip\":\"0x%08x\"}\n",
                (unsigned long long)seq, (unsigned long long)now_ns(t), from, to, via, rip);
    else
        fprintf(t->opt.out, "--- ring %u -> %u via %s at 0x%08x ---\n", from, to, via, rip);
}

static void emit_alert(struct tracer *t, const char *what, const char *detail, uint64_t old, uint64_t new_value,
                       uint32_t rip)
{
    t->stats.alerts++;
    if (!wants(t, TEV_ALERT))
        return;
    uint64_t seq = ++t->seq;
    if (t->opt.json) {
        fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"alert\",\"what\":",
                (unsigned long long)seq, (unsigned long long)now_ns(t));
        json_string(t->opt.out, what);
        fprintf(t->opt.out, ",\"detail\":");
        json_string(t->opt.out, detail);
        fprintf(t->opt.out, ",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"rip\":\"0x%08x\"}\n",
                (unsigned long long)old, (unsigned long long)new_value, rip);
    } else {
        fprintf(t->opt.out, "!!! alert: %s: %s: 0x%llx -> 0x%llx (rip 0x%08x) !!!\n", what, detail,
                (unsigned long long)old, (unsigned long long)new_value, rip);
    }
}

/* ------------------------------------------------------------------ learning the guest */

/* Where a 32-bit interrupt gate points, read through the guest's IDTR. */
static bool read_idt_gate(struct kvm_vm *vm, const struct kvm_sregs *s, unsigned vector, uint8_t raw[8],
                          uint32_t *target, uint32_t *gpa)
{
    struct guest_view v;
    uint64_t pa;
    view_of(vm, s, &v);
    if ((vector + 1) * 8 - 1 > s->idt.limit)
        return false;
    uint32_t va = (uint32_t)s->idt.base + vector * 8;
    if (!view_read(&v, va, raw, 8) || !gmem_translate(&v.mem, v.cr0, v.cr3, v.cr4, va, &pa, NULL, NULL))
        return false;
    *gpa = (uint32_t)pa;
    *target = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[6] << 16 | (uint32_t)raw[7] << 24;
    return (raw[5] & 0x80) != 0;   /* present */
}

/* Decodes forward from KiSystemService to its first IRETD and SYSEXIT. */
static void find_returns(struct tracer *t, const struct guest_view *v, uint32_t start)
{
    uint8_t code[SWEEP_BYTES];
    size_t n = gmem_read_virt(&v->mem, v->cr0, v->cr3, v->cr4, start, code, sizeof(code));
    /* decode the guest's own bytes, not our patches */
    for (int i = 0; i < BP_SLOTS; i++) {
        const struct bp_slot *bs = &t->bp.slot[i];
        for (unsigned k = 0; bs->patched && k < 2; k++)
            if (bs->patched_addr + k >= start && bs->patched_addr + k - start < n)
                code[bs->patched_addr + k - start] = bs->saved[k];
    }
    csh cs;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return;
    /* a hook that jumps elsewhere has no returns of its own: keep the dispatcher's */
    uint32_t old_iret = t->iret_addr, old_sysexit = t->sysexit_addr, old_before = t->before_iret;
    t->iret_addr = t->sysexit_addr = 0;
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = n;
    uint64_t addr = start;
    uint32_t previous = 0;
    bool previous_falls_through = false;
    t->before_iret = 0;
    while (insn && cs_disasm_iter(cs, &p, &left, &addr, insn)) {
        if (!t->iret_addr && (insn->id == X86_INS_IRETD || insn->id == X86_INS_IRET)) {
            t->iret_addr = (uint32_t)insn->address;
            if (previous_falls_through)
                t->before_iret = previous;
        }
        if (!t->sysexit_addr && insn->id == X86_INS_SYSEXIT)
            t->sysexit_addr = (uint32_t)insn->address;
        if (t->iret_addr && t->sysexit_addr)
            break;
        previous = (uint32_t)insn->address;
        /* a 2-byte patch fits it, and it runs straight into what follows */
        previous_falls_through = insn->size >= 2 && !cs_insn_group(cs, insn, CS_GRP_JUMP) &&
                                 !cs_insn_group(cs, insn, CS_GRP_CALL) && !cs_insn_group(cs, insn, CS_GRP_RET);
    }
    cs_free(insn, 1);
    cs_close(&cs);
    if (!t->iret_addr && !t->sysexit_addr) {
        t->iret_addr = old_iret;
        t->sysexit_addr = old_sysexit;
        t->before_iret = old_before;
    }
}

/*
 * Finds KeServiceDescriptorTable[0] without symbols: a {Base, Count, Limit,
 * Number} record in the kernel's memory whose Limit is the build's service
 * count and whose Base is an array of that many kernel addresses.
 */
static void locate_service_table(struct tracer *t, const struct guest_view *v)
{
    uint32_t count = (uint32_t)t->opt.services->count;
    size_t scan = v->mem.size < (32u << 20) ? v->mem.size : (32u << 20);
    for (size_t pa = 0x100000; pa + 16 <= scan; pa += 4) {
        uint32_t d[4];
        memcpy(d, v->mem.mem + pa, 16);
        if (d[2] != count || d[0] < 0x80000000u || d[3] < 0x80000000u)
            continue;
        uint32_t first, last;
        if (!read_u32(v, d[0], &first) || !read_u32(v, d[0] + (count - 1) * 4, &last) ||
            first < 0x80000000u || last < 0x80000000u)
            continue;
        free(t->sst_copy);
        t->sst_copy = calloc(count, 4);
        if (!t->sst_copy || !view_read(v, d[0], t->sst_copy, count * 4u)) {
            free(t->sst_copy);
            t->sst_copy = NULL;
            continue;
        }
        t->sst_base = d[0];
        t->sst_limit = count;
        return;
    }
}

static int arm(struct tracer *t, struct kvm_vm *vm)
{
    bp_set(&t->bp, SLOT_FAST_CALL_ENTRY, t->fast_call_entry);
    bp_set(&t->bp, SLOT_SYSTEM_SERVICE, t->system_service);
    /* IRETD is one byte: in patch mode, catch the instruction before it and step into it */
    bp_set(&t->bp, SLOT_IRET, t->trap == TRACE_TRAP_PATCH ? t->before_iret : t->iret_addr);
    /* no SYSEXIT runs before the first system call: until boot, that slot watches the program's entry */
    bp_set(&t->bp, SLOT_SYSEXIT, t->booted || t->trap == TRACE_TRAP_PATCH ? t->sysexit_addr : t->user_entry);
    return bp_apply(&t->bp, vm, t->error, sizeof(t->error));
}

/* Reads IDT[0x2E] and the dispatcher's returns. */
static void learn_system_service(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s)
{
    uint8_t raw[8];
    uint32_t target, gpa;
    struct guest_view v;
    if (!read_idt_gate(vm, s, IDT_VECTOR, raw, &target, &gpa))
        return;
    view_of(vm, s, &v);
    t->system_service = target;
    memcpy(t->idt_gate, raw, 8);
    t->idt_gate_gpa = gpa;
    find_returns(t, &v, target);
}

static void enable_dirty_log(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_userspace_memory_region region = {
        .slot = 0, .flags = KVM_MEM_LOG_DIRTY_PAGES, .guest_phys_addr = 0,
        .memory_size = vm->mem_size, .userspace_addr = (uintptr_t)vm->mem,
    };
    size_t pages = vm->mem_size / 4096;
    t->dirty_words = (pages + 63) / 64;
    t->dirty = calloc(t->dirty_words, 8);
    t->dirty_log = t->dirty && ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) == 0;
}

static bool fetch_dirty(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_dirty_log log = { .slot = 0 };
    if (!t->dirty_log)
        return false;
    memset(t->dirty, 0, t->dirty_words * 8);
    log.dirty_bitmap = t->dirty;
    return ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log) == 0;
}

static bool page_dirty(const struct tracer *t, uint64_t gpa)
{
    uint64_t page = gpa / 4096;
    return page / 64 < t->dirty_words && (t->dirty[page / 64] >> (page % 64)) & 1;
}

/* Compares what was written since the last look with what boot left. */
static void check_integrity(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s, uint32_t rip)
{
    if (!t->booted || !fetch_dirty(t, vm))
        return;
    struct guest_view v;
    view_of(vm, s, &v);
    if (t->idt_gate_gpa && page_dirty(t, t->idt_gate_gpa)) {
        uint8_t raw[8];
        uint32_t target, gpa;
        if (read_idt_gate(vm, s, IDT_VECTOR, raw, &target, &gpa) && memcmp(raw, t->idt_gate, 8)) {
            char detail[96];
            snprintf(detail, sizeof(detail), "IDT vector 0x2E now points at 0x%08x", target);
            emit_alert(t, "IDT gate 0x2E changed", detail, t->system_service, target, rip);
            memcpy(t->idt_gate, raw, 8);
            t->system_service = target;
            find_returns(t, &v, target);
            arm(t, vm);
        }
    }
    for (uint32_t i = 0; t->sst_copy && i < t->sst_limit; i++) {
        uint64_t gpa;
        uint32_t now;
        if (!gmem_translate(&v.mem, v.cr0, v.cr3, v.cr4, t->sst_base + i * 4, &gpa, NULL, NULL) ||
            !page_dirty(t, gpa) || !read_u32(&v, t->sst_base + i * 4, &now) || now == t->sst_copy[i])
            continue;
        char detail[128];
        snprintf(detail, sizeof(detail), "KiServiceTable[0x%X] (%s) rewritten", i,
                 i < t->opt.services->count ? t->opt.services->entries[i].name : "?");
        emit_alert(t, "service table entry changed", detail, t->sst_copy[i], now, rip);
        t->sst_copy[i] = now;
    }
}

/*
 * The kernel has booted: the first user instruction is about to run (rip:
 * the breakpoint on the program's entry fired), or a first system call
 * arrived without that being seen (rip 0).
 */
static void on_boot(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s, uint32_t rip)
{
    struct guest_view v;
    t->booted = true;
    if (!t->system_service)
        learn_system_service(t, vm, s);
    view_of(vm, s, &v);
    if (t->opt.services)
        locate_service_table(t, &v);
    if (t->opt.deep)
        place_deep(t, vm, &v);
    fetch_dirty(t, vm);     /* what boot wrote is not an alert */
    if (rip)
        emit_ring(t, 0, 3, "iret", rip);
}

/* ------------------------------------------------------------------ threads and spaces */

static struct thread_state *thread_of(struct tracer *t, struct kvm_vm *vm, const struct kvm_sregs *s)
{
    struct guest_view v;
    uint32_t esp0 = 0;
    view_of(vm, s, &v);
    read_u32(&v, (uint32_t)s->tr.base + 4, &esp0);   /* TSS.Esp0: one kernel stack per thread */
    for (int i = 0; i < t->n_threads; i++)
        if (t->threads[i].esp0 == esp0)
            return &t->threads[i];
    if (t->n_threads == MAX_THREADS)
        return &t->threads[MAX_THREADS - 1];
    struct thread_state *th = &t->threads[t->n_threads++];
    memset(th, 0, sizeof(*th));
    th->esp0 = esp0;
    th->tid = (unsigned)t->n_threads;
    return th;
}

/*
 * The image of an address space: the program's where ring 3 has called
 * from it (a single user process), "System" where only kernel code ever has.
 */
static const char *image_of(struct tracer *t, unsigned pid, unsigned cpl)
{
    if (pid == 0 || pid > (unsigned)t->n_spaces)
        return "System";
    if (cpl == 3)
        t->space_has_user[pid - 1] = true;
    return t->space_has_user[pid - 1] ? t->opt.image : "System";
}

static unsigned space_of(struct tracer *t, uint32_t cr3)
{
    for (int i = 0; i < t->n_spaces; i++)
        if (t->spaces[i] == cr3)
            return (unsigned)i + 1;
    if (t->n_spaces == MAX_SPACES)
        return MAX_SPACES;
    t->spaces[t->n_spaces++] = cr3;
    return (unsigned)t->n_spaces;
}

/* ------------------------------------------------------------------ calls */

static struct summary_row *row_of(struct tracer *t, const char *name)
{
    const char *key = name ? name : "<invalid service>";
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].name, key))
            return &t->rows[i];
    struct summary_row *rows = realloc(t->rows, (t->n_rows + 1) * sizeof(*rows));
    if (!rows)
        return NULL;
    t->rows = rows;
    t->rows[t->n_rows] = (struct summary_row){ .name = key };
    return &t->rows[t->n_rows++];
}

static void on_entry(struct tracer *t, struct kvm_vm *vm, enum trace_via via)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct guest_view v;
    if (pause_state(vm, &r, &s, &v) < 0)
        return;

    struct trace_call c;
    memset(&c, 0, sizeof(c));
    uint32_t eax = (uint32_t)r.rax, edx = (uint32_t)r.rdx;
    if (via == VIA_SYSENTER) {
        c.prev_mode = 1;
        c.cpl = 3;
        c.arg_ptr = edx + 8;
        read_u32(&v, edx, &c.return_rip);
    } else {
        uint32_t frame[2] = { 0, 0 };   /* EIP, CS pushed by INT 2Eh or the Zw stub */
        view_read(&v, (uint32_t)r.rsp, frame, sizeof(frame));
        c.cpl = frame[1] & 3;
        c.prev_mode = c.cpl ? 1 : 0;
        via = c.cpl ? VIA_INT2E : VIA_KERNEL_ZW;
        c.arg_ptr = edx;
        c.return_rip = frame[0];
    }
    c.via = via;
    c.table = (eax >> 12) & 3;
    c.index = eax & 0xFFF;
    if (c.table == 0 && t->opt.services && c.index < t->opt.services->count) {
        c.name = t->opt.services->entries[c.index].name;
        c.argc = t->opt.services->entries[c.index].argc;
        if (c.argc > TRACE_MAX_ARGS)
            c.argc = TRACE_MAX_ARGS;   /* the tables allow more; no build has more */
    }
    c.args_ok = c.argc == 0 || view_read(&v, c.arg_ptr, c.args, c.argc * 4u);
    c.cr3 = (uint32_t)s.cr3;
    c.pid = space_of(t, c.cr3);
    const char *image = image_of(t, c.pid, c.cpl);
    struct thread_state *th = thread_of(t, vm, &s);
    c.tid = th->tid;
    t->stats.syscalls++;

    if (!t->booted) {
        /* the program's entry was not seen (patch mode, or it never ran as such):
           the first system call marks the end of boot */
        on_boot(t, vm, &s, 0);
        arm(t, vm);
    }
    check_integrity(t, vm, &s, (uint32_t)r.rip);
    if (c.cpl == 3)
        emit_ring(t, 3, 0, trace_via_name(via), c.return_rip);
    c.seq = ++t->seq;
    c.t_ns = now_ns(t);

    if (wants(t, TEV_SYSCALL) && call_shown(t, &c)) {
        if (t->opt.json) {
            emit_syscall_json(t->opt.out, &v, &c, image);
        } else if (th->depth > 0 && !th->stack[th->depth - 1].announced &&
                   call_shown(t, &th->stack[th->depth - 1].call)) {
            emit_unfinished_text(t->opt.out, &v, &th->stack[th->depth - 1].call);
            th->stack[th->depth - 1].announced = true;
        }
    }
    if (th->depth < MAX_DEPTH)
        th->stack[th->depth++] = (struct open_call){ .call = c, .return_slot = -1 };
    if (t->opt.on_syscall)
        t->opt.on_syscall(t->opt.on_syscall_ctx, vm, &c);
}

static void finish_call(struct tracer *t, const struct guest_view *v, struct open_call *oc, uint32_t status,
                        uint32_t rip, bool unfinished)
{
    uint64_t t_ns = now_ns(t);
    uint64_t seq = ++t->seq;
    if (unfinished)
        t->stats.unfinished++;
    else
        t->stats.sysrets++;
    struct summary_row *row = row_of(t, oc->call.name);
    if (row) {
        row->calls++;
        if (!unfinished && (status >> 30) == 3)
            row->errors++;
        row->ns += unfinished ? 0 : t_ns - oc->call.t_ns;
    }
    if (!wants(t, TEV_SYSRET) || !call_shown(t, &oc->call))
        return;
    if (t->opt.json)
        emit_sysret_json(t->opt.out, v, &oc->call, seq, t_ns, status, rip, unfinished);
    else if (wants(t, TEV_SYSCALL))
        emit_call_text(t->opt.out, v, &oc->call, status, unfinished, oc->announced);
}

static void on_return(struct tracer *t, struct kvm_vm *vm, bool sysexit)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct guest_view v;
    if (pause_state(vm, &r, &s, &v) < 0)
        return;
    uint32_t to_cpl = 3, rip = (uint32_t)r.rdx;
    if (!sysexit) {
        uint32_t frame[2] = { 0, 0 };   /* the IRETD's EIP and CS */
        view_read(&v, (uint32_t)r.rsp, frame, sizeof(frame));
        rip = frame[0];
        to_cpl = frame[1] & 3;
    }
    check_integrity(t, vm, &s, (uint32_t)r.rip);   /* a hook may have been placed by this very call */
    struct thread_state *th = thread_of(t, vm, &s);
    /* a direct call whose return was not caught cannot still be running */
    while (th->depth > 0 && th->stack[th->depth - 1].call.via == VIA_DIRECT) {
        th->depth--;
        bp_drop(&t->bp, vm, th->stack[th->depth].return_slot);
        finish_call(t, &v, &th->stack[th->depth], 0, 0, true);
    }
    if (th->depth > 0) {
        th->depth--;
        finish_call(t, &v, &th->stack[th->depth], (uint32_t)r.rax, rip, false);
    }
    if (to_cpl == 3)
        emit_ring(t, 0, 3, sysexit ? "sysexit" : "iret", rip);
}

/* ------------------------------------------------------------------ deep mode */

/*
 * Where a 2-byte patch can go at the start of a routine: its first
 * instruction, or past one-byte pushes (counting what they push) to the first
 * instruction long enough. 0 when the prologue does not allow it.
 */
static uint32_t patch_point(const struct guest_view *v, uint32_t routine, uint32_t *esp_delta)
{
    uint8_t code[64];
    size_t n = gmem_read_virt(&v->mem, v->cr0, v->cr3, v->cr4, routine, code, sizeof(code));
    csh cs;
    uint32_t found = 0;
    *esp_delta = 0;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return 0;
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    size_t left = n;
    uint64_t addr = routine;
    for (int k = 0; insn && k < 8 && cs_disasm_iter(cs, &p, &left, &addr, insn); k++) {
        if (insn->size >= 2) {
            found = (uint32_t)insn->address;
            break;
        }
        if (insn->id == X86_INS_PUSH)
            *esp_delta += 4;
        else if (insn->id != X86_INS_NOP)
            break;
    }
    cs_free(insn, 1);
    cs_close(&cs);
    return found;
}

/* Whether a 2-byte patch fits the instruction at va. */
static bool patchable(const struct guest_view *v, uint32_t va)
{
    uint8_t code[16];
    size_t n = gmem_read_virt(&v->mem, v->cr0, v->cr3, v->cr4, va, code, sizeof(code));
    csh cs;
    bool ok = false;
    if (n == 0 || cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK)
        return false;
    cs_insn *insn;
    if (cs_disasm(cs, code, n, va, 1, &insn) == 1) {
        ok = insn->size >= 2;
        cs_free(insn, 1);
    }
    cs_close(&cs);
    return ok;
}

static void place_deep(struct tracer *t, struct kvm_vm *vm, const struct guest_view *v)
{
    for (const char *const *name = t->opt.deep; name && *name && t->n_deep < MAX_DEEP; name++) {
        const struct svc_entry *e = svc_table_find(t->opt.services, *name);
        uint32_t delta, point;
        int slot = bp_free_patch_slot(&t->bp);
        if (!e || !t->sst_copy || e->index >= t->sst_limit || slot < 0 ||
            !(point = patch_point(v, t->sst_copy[e->index], &delta))) {
            fprintf(stderr, "ntvisor: --deep=%s: no breakpoint could be placed in its routine\n", *name);
            continue;
        }
        t->deep[t->n_deep++] = (struct deep_point){ .index = e->index, .slot = slot, .esp_delta = delta };
        bp_set(&t->bp, slot, point);
    }
    if (t->n_deep)
        arm(t, vm);
}

static const struct deep_point *deep_of(const struct tracer *t, int slot)
{
    for (int i = 0; i < t->n_deep; i++)
        if (t->deep[i].slot == slot)
            return &t->deep[i];
    return NULL;
}

/* A service routine was entered: by the dispatcher, or by a direct call from kernel mode. */
static void on_deep_entry(struct tracer *t, struct kvm_vm *vm, const struct deep_point *d)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct guest_view v;
    if (pause_state(vm, &r, &s, &v) < 0)
        return;
    struct thread_state *th = thread_of(t, vm, &s);
    struct open_call *top = th->depth > 0 ? &th->stack[th->depth - 1] : NULL;
    if (top && top->call.via != VIA_DIRECT && top->call.table == 0 && top->call.index == d->index &&
        !top->reached) {
        top->reached = true;   /* dispatched through KiSystemService: already traced */
        return;
    }

    struct trace_call c;
    memset(&c, 0, sizeof(c));
    uint32_t esp = (uint32_t)r.rsp + d->esp_delta;
    c.via = VIA_DIRECT;
    c.cpl = 0;
    /* a direct call keeps the previous mode of the system call it is made in */
    c.prev_mode = top ? top->call.prev_mode : 0;
    c.index = d->index;
    c.name = t->opt.services->entries[d->index].name;
    c.argc = t->opt.services->entries[d->index].argc;
    if (c.argc > TRACE_MAX_ARGS)
        c.argc = TRACE_MAX_ARGS;
    c.arg_ptr = esp + 4;
    read_u32(&v, esp, &c.return_rip);
    c.args_ok = c.argc == 0 || view_read(&v, c.arg_ptr, c.args, c.argc * 4u);
    c.cr3 = (uint32_t)s.cr3;
    c.pid = space_of(t, c.cr3);
    const char *image = image_of(t, c.pid, c.cpl);
    c.tid = th->tid;
    c.seq = ++t->seq;
    c.t_ns = now_ns(t);
    t->stats.syscalls++;

    int slot = -1;
    if (c.return_rip >= 0x80000000u && patchable(&v, c.return_rip) && (slot = bp_free_patch_slot(&t->bp)) >= 0) {
        bp_set(&t->bp, slot, c.return_rip);
        arm(t, vm);
    }
    if (wants(t, TEV_SYSCALL) && call_shown(t, &c)) {
        if (t->opt.json)
            emit_syscall_json(t->opt.out, &v, &c, image);
        else if (top && !top->announced && call_shown(t, &top->call)) {
            emit_unfinished_text(t->opt.out, &v, &top->call);
            top->announced = true;
        }
    }
    if (th->depth < MAX_DEPTH)
        th->stack[th->depth++] = (struct open_call){ .call = c, .return_slot = slot };
    if (t->opt.on_syscall)
        t->opt.on_syscall(t->opt.on_syscall_ctx, vm, &c);
}

/* A direct call's one-shot return breakpoint: true if slot was one. */
static bool on_direct_return(struct tracer *t, struct kvm_vm *vm, int slot)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct guest_view v;
    if (pause_state(vm, &r, &s, &v) < 0)
        return false;
    struct thread_state *th = thread_of(t, vm, &s);
    for (int i = th->depth - 1; i >= 0; i--) {
        if (th->stack[i].call.via != VIA_DIRECT || th->stack[i].return_slot != slot)
            continue;
        struct open_call oc = th->stack[i];
        memmove(&th->stack[i], &th->stack[i + 1], (size_t)(th->depth - i - 1) * sizeof(th->stack[0]));
        th->depth--;
        bp_drop(&t->bp, vm, slot);
        finish_call(t, &v, &oc, (uint32_t)r.rax, (uint32_t)r.rip, false);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ MSRs */

static int handle_wrmsr(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_run *run = vm->run;
    uint32_t index = run->msr.index;
    uint64_t value = run->msr.data;
    size_t k;
    for (k = 0; k < N_MSRS && watched_msrs[k] != index; k++)
        ;
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } m;
    memset(&m, 0, sizeof(m));
    m.hdr.nmsrs = 1;
    m.e.index = index;
    m.e.data = value;
    /* the filter only reports the write: it is applied here */
    run->msr.error = ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m) == 1 ? 0 : 1;

    struct kvm_regs r;
    struct kvm_sregs s;
    get_state(vm, &r, &s);
    uint64_t old = k < N_MSRS ? t->msr_value[k] : 0;
    if (k < N_MSRS)
        t->msr_value[k] = value;
    t->stats.msr_writes++;
    if (wants(t, TEV_MSR)) {
        uint64_t seq = ++t->seq;
        if (t->opt.json)
            fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"msr\",\"msr\":\"0x%x\","
                                "\"msr_name\":\"%s\",\"old\":\"0x%llx\",\"new\":\"0x%llx\",\"rip\":\"0x%08llx\"}\n",
                    (unsigned long long)seq, (unsigned long long)now_ns(t), index, msr_name(index),
                    (unsigned long long)old, (unsigned long long)value, (unsigned long long)r.rip);
        else
            fprintf(t->opt.out, "--- msr 0x%x (%s): 0x%llx -> 0x%llx at 0x%08llx ---\n", index, msr_name(index),
                    (unsigned long long)old, (unsigned long long)value, (unsigned long long)r.rip);
    }
    if (index == 0x176) {
        if (t->booted && value != old) {
            char detail[96];
            snprintf(detail, sizeof(detail), "SYSENTER_EIP (KiFastCallEntry) repointed to 0x%08llx",
                     (unsigned long long)value);
            emit_alert(t, "SYSENTER_EIP changed", detail, old, value, (uint32_t)r.rip);
        }
        t->fast_call_entry = (uint32_t)value;
        if (!t->system_service)
            learn_system_service(t, vm, &s);   /* the IDT is loaded before the MSRs are written */
        arm(t, vm);
    }
    return 1;
}

static int setup_msr_filter(struct tracer *t, struct kvm_vm *vm)
{
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
        snprintf(t->error, sizeof(t->error), "KVM_CAP_X86_USER_SPACE_MSR: %s", strerror(errno));
        return -1;
    }
    static uint8_t deny[1] = { 0 };     /* a clear bit: the access exits to the monitor */
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    for (size_t i = 0; i < N_MSRS; i++) {
        f.ranges[i].flags = KVM_MSR_FILTER_WRITE;
        f.ranges[i].base = watched_msrs[i];
        f.ranges[i].nmsrs = 1;
        f.ranges[i].bitmap = deny;
    }
    if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0) {
        snprintf(t->error, sizeof(t->error), "KVM_X86_SET_MSR_FILTER: %s", strerror(errno));
        return -1;
    }
    /* the values before the guest writes any */
    for (size_t i = 0; i < N_MSRS; i++) {
        struct {
            struct kvm_msrs hdr;
            struct kvm_msr_entry e;
        } m;
        memset(&m, 0, sizeof(m));
        m.hdr.nmsrs = 1;
        m.e.index = watched_msrs[i];
        if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &m) == 1)
            t->msr_value[i] = m.e.data;
    }
    return 0;
}

/* ------------------------------------------------------------------ hooks */

static int stop_with(struct vm_outcome *out, const char *what, const char *err)
{
    out->stop = VM_STOP_KVM_FAILURE;
    snprintf(out->reason, sizeof(out->reason), "tracer: %s: %s", what, err);
    return 0;
}

static int hook_start(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct kvm_regs r;
    clock_gettime(CLOCK_MONOTONIC, &t->t0);
    if (setup_msr_filter(t, vm) < 0)
        return !stop_with(out, "MSR filter", t->error);
    enable_dirty_log(t, vm);
    if (get_state(vm, &r, NULL) < 0)
        return !stop_with(out, "registers", strerror(errno));
    t->kernel_entry = (uint32_t)r.rip;

    const char *force = getenv("NTVISOR_TRAP");
    if (force && !strcmp(force, "patch")) {
        t->trap = TRACE_TRAP_PATCH;
        bp_init(&t->bp, BP_PATCH);
        return 0;
    }
    /* self-test: does a debug-register breakpoint on the very first instruction reach us? */
    bp_init(&t->bp, BP_HARDWARE);
    bp_set(&t->bp, 0, t->kernel_entry);
    t->selftest_pending = true;
    if (bp_apply(&t->bp, vm, t->error, sizeof(t->error)) < 0)
        return !stop_with(out, "breakpoints", t->error);
    return 0;
}

static void end_selftest(struct tracer *t, struct kvm_vm *vm, bool fired)
{
    char err[128];
    t->selftest_pending = false;
    bp_set(&t->bp, 0, 0);
    if (fired) {
        t->trap = TRACE_TRAP_HW_BREAKPOINT;
    } else {
        bp_apply(&t->bp, vm, err, sizeof(err));   /* drop the hardware breakpoint */
        t->trap = TRACE_TRAP_PATCH;
        bp_init(&t->bp, BP_PATCH);
        fprintf(stderr, "ntvisor: hardware breakpoints do not reach the monitor on this host; "
                        "tracing by patching instructions instead\n");
    }
    arm(t, vm);
}

static int hook_exit(void *ctx, struct kvm_vm *vm, struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct kvm_run *run = vm->run;
    int slot;

    if (t->selftest_pending) {
        bool fired = run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.pc == t->kernel_entry;
        end_selftest(t, vm, fired);
        if (fired)
            return 1;
    }
    if (run->exit_reason == KVM_EXIT_X86_WRMSR)
        return handle_wrmsr(t, vm);

    switch (bp_classify(&t->bp, vm, &slot)) {
    case BP_NONE:
        return -1;
    case BP_STEPPED:
        if (slot == SLOT_IRET)
            on_return(t, vm, false);   /* now at the IRETD, with its frame on the stack */
        return 1;
    case BP_HIT:
        break;
    }
    t->stats.breakpoint_exits++;
    uint32_t addr = t->bp.slot[slot].addr;
    if (slot >= BP_HW_SLOTS && slot != SLOT_IRET && slot != SLOT_SYSEXIT && slot != SLOT_SYSTEM_SERVICE &&
        slot != SLOT_FAST_CALL_ENTRY) {
        const struct deep_point *d = deep_of(t, slot);
        if (d)
            on_deep_entry(t, vm, d);
        else if (on_direct_return(t, vm, slot))
            return 1;   /* one-shot: gone, the guest resumes at its own bytes */
        if (bp_step_over(&t->bp, vm, slot, t->error, sizeof(t->error)) < 0)
            return stop_with(out, "breakpoints", t->error);
        return 1;
    }
    if (slot == SLOT_SYSEXIT && !t->booted && addr == t->user_entry) {
        struct kvm_sregs s;
        if (get_state(vm, NULL, &s) == 0)
            on_boot(t, vm, &s, addr);
        if (arm(t, vm) < 0)
            return stop_with(out, "breakpoints", t->error);
        return 1;   /* the entry breakpoint is gone: nothing to step over */
    }
    if (addr == t->system_service)
        on_entry(t, vm, VIA_INT2E);
    else if (addr == t->fast_call_entry)
        on_entry(t, vm, VIA_SYSENTER);
    else if (addr == t->iret_addr && t->trap == TRACE_TRAP_HW_BREAKPOINT)
        on_return(t, vm, false);
    else if (addr == t->sysexit_addr)
        on_return(t, vm, true);
    if (bp_step_over(&t->bp, vm, slot, t->error, sizeof(t->error)) < 0)
        return stop_with(out, "breakpoints", t->error);
    return 1;
}

static void hook_stop(void *ctx, struct kvm_vm *vm, const struct vm_outcome *out)
{
    struct tracer *t = ctx;
    struct kvm_sregs s;
    struct guest_view v;
    bp_remove_all(&t->bp, vm);
    if (get_state(vm, NULL, &s) < 0)
        memset(&s, 0, sizeof(s));
    view_of(vm, &s, &v);
    check_integrity(t, vm, &s, 0);
    for (int i = 0; i < t->n_threads; i++) {
        struct thread_state *th = &t->threads[i];
        while (th->depth > 0)
            finish_call(t, &v, &th->stack[--th->depth], 0, 0, true);
    }
    if (wants(t, TEV_EXIT)) {
        uint64_t seq = ++t->seq;
        const char *name = out->stop == VM_STOP_PROCESS_EXIT ? ntstatus_name(out->detail) : NULL;
        if (t->opt.json) {
            fprintf(t->opt.out, "{\"seq\":%llu,\"t_ns\":%llu,\"vcpu\":0,\"ev\":\"exit\",\"reason\":\"%s\","
                                "\"status\":\"0x%08x\",\"status_name\":",
                    (unsigned long long)seq, (unsigned long long)now_ns(t), vm_stop_name(out->stop), out->detail);
            if (name)
                json_string(t->opt.out, name);
            else
                fprintf(t->opt.out, "null");
            struct tracer_stats st;   /* for benchmarks: VM exits per traced call */
            tracer_stats(t, &st);
            fprintf(t->opt.out, ",\"trap\":\"%s\",\"stats\":{\"syscalls\":%llu,\"sysrets\":%llu,\"unfinished\":%llu,"
                                "\"msr_writes\":%llu,\"ring_changes\":%llu,\"alerts\":%llu,\"breakpoint_exits\":%llu,"
                                "\"vm_exits\":%lu}}\n",
                    t->trap == TRACE_TRAP_HW_BREAKPOINT ? "hw-breakpoint" : "patch",
                    (unsigned long long)st.syscalls, (unsigned long long)st.sysrets,
                    (unsigned long long)st.unfinished, (unsigned long long)st.msr_writes,
                    (unsigned long long)st.ring_changes, (unsigned long long)st.alerts,
                    (unsigned long long)st.breakpoint_exits, out->exits);
        } else {
            fprintf(t->opt.out, "+++ %s (0x%08x%s%s), traced with %s +++\n", vm_stop_name(out->stop),
                    out->detail, name ? " " : "", name ? name : "",
                    t->trap == TRACE_TRAP_HW_BREAKPOINT ? "hardware breakpoints" : "instruction patching");
        }
    }
    if (t->opt.out)
        fflush(t->opt.out);
}

/* ------------------------------------------------------------------ public */

struct tracer *tracer_new(const struct tracer_options *opt)
{
    struct tracer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->opt = *opt;
    t->hooks = (struct vm_hooks){ .ctx = t, .on_start = hook_start, .on_exit = hook_exit, .on_stop = hook_stop };
    return t;
}

void tracer_set_user_entry(struct tracer *t, uint32_t entry)
{
    t->user_entry = entry;
}

void tracer_free(struct tracer *t)
{
    if (!t)
        return;
    free(t->sst_copy);
    free(t->dirty);
    free(t->rows);
    free(t);
}

const struct vm_hooks *tracer_hooks(struct tracer *t)
{
    return &t->hooks;
}

enum trace_trap tracer_trap(const struct tracer *t)
{
    return t->trap;
}

uint32_t tracer_ki_fast_call_entry(const struct tracer *t)
{
    return t->fast_call_entry;
}

uint32_t tracer_ki_system_service(const struct tracer *t)
{
    return t->system_service;
}

void tracer_stats(const struct tracer *t, struct tracer_stats *out)
{
    *out = t->stats;
    out->breakpoint_exits = t->bp.hits;
}

static int by_time(const void *a, const void *b)
{
    const struct summary_row *x = a, *y = b;
    return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : strcmp(x->name, y->name);
}

void tracer_print_summary(struct tracer *t, FILE *out)
{
    uint64_t total_ns = 0, calls = 0, errors = 0;
    qsort(t->rows, t->n_rows, sizeof(*t->rows), by_time);
    for (size_t i = 0; i < t->n_rows; i++) {
        total_ns += t->rows[i].ns;
        calls += t->rows[i].calls;
        errors += t->rows[i].errors;
    }
    fprintf(out, "%% time     seconds  usecs/call     calls    errors service\n");
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    for (size_t i = 0; i < t->n_rows; i++) {
        const struct summary_row *r = &t->rows[i];
        char errs[24] = "";
        if (r->errors)
            snprintf(errs, sizeof(errs), "%llu", (unsigned long long)r->errors);
        fprintf(out, "%6.2f %11.6f %11llu %9llu %9s %s\n", total_ns ? 100.0 * (double)r->ns / (double)total_ns : 0.0,
                (double)r->ns / 1e9, (unsigned long long)(r->calls ? r->ns / 1000 / r->calls : 0),
                (unsigned long long)r->calls, errs, r->name);
    }
    fprintf(out, "------ ----------- ----------- --------- --------- --------------------------------\n");
    fprintf(out, "100.00 %11.6f %11llu %9llu %9llu total\n", (double)total_ns / 1e9,
            (unsigned long long)(calls ? total_ns / 1000 / calls : 0), (unsigned long long)calls,
            (unsigned long long)errors);
}
