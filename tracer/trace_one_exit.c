/*
 * --one-exit: a single breakpoint, on the dispatcher's way out (the
 * instruction after KiSystemService's `call *%ebx`, KiServiceExit), sees each
 * call whole with one exit. There EAX is the NTSTATUS, the register the
 * dispatcher called through (learned from its code, callee-saved) still holds
 * the routine, and EBP the call's KTRAP_FRAME, which holds the service number
 * the caller passed in EAX, its EDX (the arguments, still on the caller's
 * stack) and where it returns. A call that never returns (NtTerminateProcess)
 * is read from the current thread's trap frame when the guest ends.
 *
 * What it gives up: a call's syscall and sysret events are written together
 * when it returns, so duration_ns is the monitor's own time, not the call's,
 * and a call made inside another (kernel-mode Zw) is written before it;
 * the on_syscall observer (kd) sees a call as it returns.
 */
#include <string.h>
#include <nt/layout.h>
#include "ntdb/x86_desc.h"
#include "trace_internal.h"

/* The guest's KTRAP_FRAME as far as the tracer reads it (the guest's own layout, guest/inc/ke.h, which
   kd mirrors too): up to EFLAGS, which every frame has; ESP and SS only from ring 3. */
#define KTF_EDX          0x10
#define KTF_EAX          0x18
#define KTF_TRAP_NUMBER  0x2C
#define KTF_EIP          0x34
#define KTF_CS           0x38
#define KTF_KERNEL_BYTES 0x40
#define KTF_LENGTH       0x48   /* a frame from ring 3: the first below the thread's Esp0 */

/* KiFastCallEntry's frame returns here, and the dispatcher's exit leaves by SYSEXIT/SYSRET for it */
#define FAST_SYSTEM_CALL_RET (MM_SHARED_USER_DATA_VA + USER_SHARED_SYSTEM_CALL_RET)

struct frame {
    uint32_t edx, eax, trap_number, eip, cs;
};

static bool read_frame(const struct guest_view *v, uint32_t base, struct frame *f)
{
    uint32_t w[KTF_KERNEL_BYTES / 4];
    if (!gview_read(v, base, w, sizeof(w)))
        return false;
    *f = (struct frame){ .edx = w[KTF_EDX / 4], .eax = w[KTF_EAX / 4], .trap_number = w[KTF_TRAP_NUMBER / 4],
                         .eip = w[KTF_EIP / 4], .cs = w[KTF_CS / 4] };
    return true;
}

int trace_arm_one_exit(struct tracer *t, struct kvm_vm *vm)
{
    bp_set(&t->bp, SLOT_KI_SYSTEM_SERVICE, t->service_exit);
    bp_set(&t->bp, SLOT_KI_FAST_CALL_ENTRY, 0);
    bp_set(&t->bp, SLOT_IRET, 0);
    /* until boot, the program's entry (as in the normal mode; patch mode learns boot from the first call) */
    bp_set(&t->bp, SLOT_SYSEXIT, !t->booted && t->trap == TRACE_TRAP_HW_BREAKPOINT ? t->user_entry : 0);
    return bp_apply(&t->bp, vm, t->error, sizeof(t->error));
}

/* The call a trap frame describes: who called and how (as the dispatcher's exit tells), the service, the arguments. */
static void call_of_frame(const struct tracer *t, const struct trace_stop *st, const struct frame *f,
                          struct trace_call *c)
{
    memset(c, 0, sizeof(*c));
    c->cpl = x86_sel_rpl((uint16_t)f->cs);
    c->prev_mode = c->cpl ? 1 : 0;
    c->arg_ptr = f->edx;
    c->return_rip = f->eip;
    if (c->cpl == 0) {
        c->via = VIA_KERNEL_ZW;
    } else if (f->eip == FAST_SYSTEM_CALL_RET) {
        /* KiFastCallEntry kept the caller's ESP in EDX: two return addresses, then the arguments */
        c->via = t->fast_via;
        c->arg_ptr = f->edx + KI_FAST_CALL_ARGUMENTS;
        gview_read_some(&st->view, f->edx, &c->return_rip, sizeof(c->return_rip));
    } else {
        c->via = VIA_INT2E;
    }
    c->table = ((f->eax >> SERVICE_TABLE_SHIFT) & SERVICE_TABLE_MASK) / KSERVICE_TABLE_DESCRIPTOR_LENGTH;
    c->index = f->eax & SERVICE_NUMBER_MASK;
}

static uint32_t reg_by_number(const struct kvm_regs *r, unsigned n)
{
    switch (n) {
    case 3: return (uint32_t)r->rbx;
    case 5: return (uint32_t)r->rbp;
    case 6: return (uint32_t)r->rsi;
    default: return (uint32_t)r->rdi;
    }
}

/*
 * The service by the routine the dispatcher called, which no service can
 * change (the frame's EAX it can: NtContinue, NtSetContextThread): the frame's
 * number where the table agrees (services may share a routine), else the
 * routine's first entry; an invalid number (no routine called) keeps the frame's.
 */
static void service_of_routine(const struct tracer *t, uint32_t routine, struct trace_call *c)
{
    if (!t->ki_service_copy || (c->table == 0 && c->index < t->ki_service_limit &&
                                t->ki_service_copy[c->index] == routine))
        return;
    for (uint32_t i = 0; i < t->ki_service_limit; i++) {
        if (t->ki_service_copy[i] == routine) {
            c->table = 0;
            c->index = i;
            return;
        }
    }
}

static const char *return_name(enum trace_via via)
{
    return via == VIA_SYSENTER ? "sysexit" : via == VIA_SYSCALL ? "sysret" : "iret";
}

bool trace_on_service_exit(struct tracer *t, struct trace_stop *st)
{
    struct frame f;
    struct trace_call c;
    if (!read_frame(&st->view, (uint32_t)st->regs->rbp, &f))
        return false;
    if (!t->booted) {
        trace_on_boot(t, st, 0);   /* as at the normal mode's first entry */
        trace_arm(t, st->vm);
    }
    trace_check_integrity(t, st, (uint32_t)st->regs->rip);   /* a new routine in the table is named first */
    call_of_frame(t, st, &f, &c);
    service_of_routine(t, reg_by_number(st->regs, t->service_reg), &c);
    trace_identify_call(t, st, &c);
    if (c.cpl == 3)
        trace_emit_ring(t, 3, 0, trace_via_name(c.via), -1, c.return_rip);
    bool ended = trace_open_call(t, st, &c, -1);
    struct thread_state *th = trace_stop_thread(t, st);
    if (th->depth > 0) {
        th->depth--;
        trace_finish_call(t, &st->view, &th->stack[th->depth], (uint32_t)st->regs->rax, f.eip, false);
    }
    if (c.cpl == 3)
        trace_emit_ring(t, 0, 3, return_name(c.via), -1, f.eip);
    return ended;
}

/*
 * The guest ended in ring 0: if the current thread entered from ring 3 by a
 * system call (the frame below its Esp0 is a system-service frame), that call
 * is still open. In ring 3 the frame there is an old one: no call is open.
 * Other threads' open calls are not known in this mode.
 */
void trace_one_exit_unfinished(struct tracer *t, struct trace_stop *st)
{
    uint32_t esp0;
    struct frame f;
    struct trace_call c;
    if (!t->booted || (st->sregs->cs.selector & 3) != 0 ||
        !gview_read_u32(&st->view, (uint32_t)st->sregs->tr.base + KTSS_ESP0, &esp0) ||
        !read_frame(&st->view, esp0 - KTF_LENGTH, &f) || f.trap_number != IDT_SYSTEM_SERVICE ||
        x86_sel_rpl((uint16_t)f.cs) != 3)
        return;
    call_of_frame(t, st, &f, &c);
    trace_identify_call(t, st, &c);
    trace_emit_ring(t, 3, 0, trace_via_name(c.via), -1, c.return_rip);
    trace_open_call(t, st, &c, -1);   /* finished as unfinished with the others */
}
