/*
 * The tracer's sweep of a hostile IDT (tracer/trace_traps.c): handlers in
 * unmapped memory, handlers that jump to themselves or to each other, an IDT
 * that runs off mapped memory, and a handler hit with ESP on an unmapped
 * page. Each must give a clear answer -- no trap point, a trap point without
 * an IRETD, no ring event -- and end (Check's timeout catches a hang).
 *
 * The guest is a fake: MEM_SIZE bytes with 32-bit page tables, KSEG0
 * (0x80000000, one 4 MiB supervisor page) onto physical 0, and a vCPU with
 * no file descriptors, so that arming the breakpoints fails as it does when
 * KVM refuses them and only the sweep's own decisions are seen.
 *
 * Physical: 0x1000 page directory, 0x8000 the IDT, 0x9000 handlers, 0xC000
 * the stack page, 0xD000 a second stack page left unmapped in linear space.
 */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tracer/trace_internal.h"

#define MEM_SIZE   0x40000u
#define PD         0x1000u
#define PT_KSTACK  0x2000u       /* the page table of 0x00000000-0x003FFFFF */
#define IDT        0x8000u
#define CODE       0x9000u
#define STACK      0xC000u
#define KSEG0      0x80000000u
#define LOW_STACK  0x00300000u   /* linear: 0x00300000 -> STACK; 0x00301000 not present */
#define UNMAPPED   0x90000000u   /* no page directory entry */

static uint8_t *mem;
static struct kvm_vm vm;
static struct trace_stop st;
static struct kvm_regs regs;     /* the stop's registers, as the exit state would hold them */
static struct kvm_sregs sregs;
static struct tracer *t;
static char *out_text;
static size_t out_len;
static FILE *out;

static void put32(uint32_t gpa, uint32_t v)
{
    memcpy(mem + gpa, &v, 4);
}

static void gate(unsigned vector, uint32_t target)
{
    uint8_t g[8] = { (uint8_t)target, (uint8_t)(target >> 8), 8, 0, 0, 0x8E,
                     (uint8_t)(target >> 16), (uint8_t)(target >> 24) };
    memcpy(mem + IDT + vector * 8, g, 8);
}

static void code(uint32_t gpa, const void *bytes, size_t len)
{
    memcpy(mem + gpa, bytes, len);
}

/* A jmp rel32 at gpa (running at KSEG0 + gpa) to KSEG0 + to. */
static void jmp(uint32_t gpa, uint32_t to)
{
    uint8_t j[5] = { 0xE9 };
    uint32_t rel = to - gpa - 5;
    memcpy(j + 1, &rel, 4);
    code(gpa, j, sizeof(j));
}

/* KiSystemService's stand-in at gate 0x2E: add esp,4; iretd. */
static const uint8_t ki_code[] = { 0x6A, 0x00, 0x83, 0xC4, 0x04, 0xCF };
/* A handler that returns: push 0; pushad; popad; add esp,4; iretd. */
static const uint8_t returning[] = { 0x6A, 0x00, 0x60, 0x61, 0x83, 0xC4, 0x04, 0xCF };

static void setup(void)
{
    mem = calloc(1, MEM_SIZE);
    ck_assert_ptr_nonnull(mem);
    put32(PD, PT_KSTACK | 7);
    put32(PT_KSTACK + (LOW_STACK >> 12) * 4, STACK | 7);
    put32(PD + (KSEG0 >> 22) * 4, 0 | 0x83);   /* present, writable, 4 MiB */
    code(CODE + 0xF00, ki_code, sizeof(ki_code));
    gate(0x2E, KSEG0 + CODE + 0xF00);

    vm = (struct kvm_vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .mem = mem, .mem_size = MEM_SIZE };
    memset(&st, 0, sizeof(st));
    memset(&regs, 0, sizeof(regs));
    memset(&sregs, 0, sizeof(sregs));
    st.vm = &vm;
    st.regs = &regs;
    st.sregs = &sregs;
    st.slot = -1;
    st.view = gmem_view((struct guest_mem){ mem, MEM_SIZE }, 0x80000001u, PD, 0x10);
    sregs.idt.base = KSEG0 + IDT;
    sregs.idt.limit = 0x2F * 8 - 1;

    out = open_memstream(&out_text, &out_len);
    ck_assert_ptr_nonnull(out);
    t = calloc(1, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    t->opt.out = out;
    t->opt.events = 1u << TEV_RING;
    t->trap = TRACE_TRAP_PATCH;
    bp_init(&t->bp, BP_PATCH);
    t->trap_from_user = -1;
}

static void teardown(void)
{
    free(t->rows);   /* the -c rows a finished call adds */
    free(t);
    fclose(out);
    free(out_text);
    out_text = NULL;
    free(mem);
}

/* Learns gate 0x2E and sweeps the others, as trace_on_boot does. */
static void sweep(void)
{
    trace_learn_ki_system_service(t, &st);
    ck_assert_uint_eq(t->ki_system_service, KSEG0 + CODE + 0xF00);
    trace_place_traps(t, &st);
}

/* The trap point of vector, or NULL. */
static const struct trap_point *trap_of(unsigned vector)
{
    for (int i = 0; i < t->n_traps; i++)
        if (t->traps[i].vector == vector)
            return &t->traps[i];
    return NULL;
}

/* Hits vector's trap point with ESP at esp; returns what the tracer wrote. */
static const char *hit(unsigned vector, uint32_t esp)
{
    const struct trap_point *p = trap_of(vector);
    ck_assert_ptr_nonnull(p);
    st.slot = p->slot;
    regs.rsp = esp;
    ck_assert_int_eq(trace_stop_kind(t, &st), STOP_TRAP_HANDLER);
    trace_on_trap_hit(t, &st);
    fflush(out);
    return out_text ? out_text : "";
}

START_TEST(a_returning_handler_is_followed_to_its_iretd)
{
    jmp(CODE, CODE + 0x100);
    code(CODE + 0x100, returning, sizeof(returning));
    gate(0x0E, KSEG0 + CODE);
    sweep();
    ck_assert_int_eq(t->n_traps, 1);
    ck_assert_int_eq(t->n_trap_returns, 1);
    ck_assert_uint_eq(t->trap_returns[0].iret, KSEG0 + CODE + 0x100 + 7);
}
END_TEST

START_TEST(a_handler_in_unmapped_memory_gets_no_trap_point)
{
    gate(0x0E, UNMAPPED);
    gate(0x0D, KSEG0 + MEM_SIZE + 0x1000);   /* inside KSEG0's page, past the guest's memory */
    sweep();
    ck_assert_int_eq(t->n_traps, 0);
    ck_assert_int_eq(t->n_trap_returns, 0);
}
END_TEST

START_TEST(a_handler_that_jumps_to_itself_has_no_iretd)
{
    static const uint8_t self[] = { 0xEB, 0xFE };   /* jmp $: too short for a patch */
    jmp(CODE, CODE);                               /* jmp rel32 to itself */
    code(CODE + 0x10, self, sizeof(self));
    gate(0x0E, KSEG0 + CODE);
    gate(0x0D, KSEG0 + CODE + 0x10);
    sweep();
    ck_assert_int_eq(t->n_traps, 2);
    ck_assert_int_eq(t->n_trap_returns, 0);
}
END_TEST

START_TEST(handlers_that_jump_to_each_other_have_no_iretd)
{
    jmp(CODE, CODE + 0x100);         /* A -> B */
    jmp(CODE + 0x100, CODE);         /* B -> A */
    gate(0x0E, KSEG0 + CODE);
    gate(0x0D, KSEG0 + CODE + 0x100);
    sweep();
    ck_assert_int_eq(t->n_traps, 2);
    ck_assert_int_eq(t->n_trap_returns, 0);
}
END_TEST

START_TEST(a_handler_that_runs_off_mapped_memory_has_no_iretd)
{
    static const uint8_t nops[] = { 0x8B, 0xC0, 0x8B, 0xC0 };   /* mov eax,eax: no IRETD before the end */
    code(MEM_SIZE - sizeof(nops), nops, sizeof(nops));
    gate(0x0E, KSEG0 + MEM_SIZE - sizeof(nops));
    jmp(CODE, MEM_SIZE - 0x10);        /* and a jump into the last bytes */
    gate(0x0D, KSEG0 + CODE);
    sweep();
    ck_assert_int_eq(t->n_traps, 2);
    ck_assert_int_eq(t->n_trap_returns, 0);
}
END_TEST

START_TEST(an_idt_past_mapped_memory_is_swept_where_it_is_readable)
{
    code(CODE, returning, sizeof(returning));
    for (unsigned v = 0; v < 0x2E; v++)
        gate(v, KSEG0 + CODE);
    sregs.idt.limit = 0xFFFF;                    /* 8192 vectors claimed: 256 swept */
    sweep();
    ck_assert_int_eq(t->n_traps, 0x2E);              /* the rest of the IDT is zeros: not present */
    memcpy(mem + MEM_SIZE - 0x10, mem + IDT, 0x10);  /* two gates, then memory ends */
    sregs.idt.base = KSEG0 + MEM_SIZE - 0x10;
    t->n_traps = 0;
    trace_place_traps(t, &st);
    ck_assert_int_eq(t->n_traps, 2);
}
END_TEST

START_TEST(an_esp_on_an_unmapped_page_gives_no_ring_event)
{
    code(CODE, returning, sizeof(returning));
    gate(0x0E, KSEG0 + CODE);
    gate(0x20, KSEG0 + CODE);
    sweep();
    ck_assert_str_eq(hit(0x20, UNMAPPED), "");
    ck_assert_str_eq(hit(0x0E, LOW_STACK + 0x1000 - 8), "");   /* error code, EIP; CS on the next page */
    ck_assert_uint_eq(t->stats.ring_changes, 0);
    ck_assert_int_eq(t->trap_from_user, -1);
}
END_TEST

START_TEST(an_esp_on_a_mapped_page_gives_the_ring_event)
{
    code(CODE, returning, sizeof(returning));
    gate(0x0E, KSEG0 + CODE);
    sweep();
    put32(STACK + 0x100, 0x0004);       /* error code */
    put32(STACK + 0x104, 0x00401000);   /* EIP */
    put32(STACK + 0x108, 0x1B);         /* CS: ring 3 */
    ck_assert_str_eq(hit(0x0E, LOW_STACK + 0x100), "--- ring 3 -> 0 via exception 0x0e at 0x00401000 ---\n");
    ck_assert_int_eq(t->trap_from_user, 0x0E);
}
END_TEST

/* --one-exit's breakpoint: after the dispatcher's call of the routine through a callee-saved register. */
START_TEST(the_service_exit_follows_a_call_through_a_callee_saved_register)
{
    static const uint8_t dispatcher[] = { 0x6A, 0x00, 0x8B, 0x1F, 0xFF, 0xD3, 0x83, 0xC4, 0x04, 0xCF };
    code(CODE + 0xF00, dispatcher, sizeof(dispatcher));   /* push 0; mov ebx,[edi]; call ebx; add esp,4; iretd */
    trace_learn_ki_system_service(t, &st);
    ck_assert_uint_eq(t->service_exit, KSEG0 + CODE + 0xF06);
    ck_assert_uint_eq(t->service_reg, 3);   /* EBX */
    ck_assert_uint_eq(t->iret_addr, KSEG0 + CODE + 0xF09);
}
END_TEST

START_TEST(a_call_through_a_scratch_register_is_no_service_exit)
{
    static const uint8_t dispatcher[] = { 0xFF, 0xD0, 0xFF, 0xD1, 0xCF };   /* call eax; call ecx; iretd */
    code(CODE + 0xF00, dispatcher, sizeof(dispatcher));
    trace_learn_ki_system_service(t, &st);
    ck_assert_uint_eq(t->service_exit, 0);
}
END_TEST

/* A hook at gate 0x2E that jumps on to the dispatcher: what follows its jump is not its code. */
START_TEST(a_call_past_a_jump_is_no_service_exit)
{
    static const uint8_t after_jump[] = { 0xFF, 0xD3, 0xCF };                /* call ebx; iretd */
    jmp(CODE + 0xF00, CODE);
    code(CODE + 0xF05, after_jump, sizeof(after_jump));
    trace_learn_ki_system_service(t, &st);
    ck_assert_uint_eq(t->service_exit, 0);
}
END_TEST

/* What --one-exit reads at the service exit, as the on_syscall observer is given it. */
static struct trace_call seen;
static int n_seen;
static bool observe(void *ctx, struct kvm_vm *v, const struct trace_call *c)
{
    (void)ctx;
    (void)v;
    seen = *c;
    n_seen++;
    return false;
}

#define FRAME     0xD000u   /* a KTRAP_FRAME on the kernel stack (KSEG0 + FRAME) */
#define ROUTINE   0x80123450u

/* A SYSENTER call's frame: EDX the user ESP (two return addresses, then the arguments), EIP KiFastSystemCallRet. */
static void one_exit_call(uint32_t frame_eax, uint32_t routine)
{
    static uint32_t table[0x40];
    put32(FRAME + 0x10, LOW_STACK + 0x200);   /* EDX */
    put32(FRAME + 0x18, frame_eax);           /* EAX: the service number the caller passed */
    put32(FRAME + 0x2C, 0x2E);                /* TrapNumber */
    put32(FRAME + 0x34, 0x7FFE0304);          /* EIP */
    put32(FRAME + 0x38, 0x1B);                /* CS: ring 3 */
    put32(STACK + 0x200, 0x00401234);         /* the stub's caller */
    put32(STACK + 0x208, 0xAAAA0001);         /* the first argument */
    memset(table, 0, sizeof(table));
    table[0x25] = ROUTINE;
    table[0x26] = ROUTINE + 0x100;
    t->ki_service_copy = table;
    t->ki_service_limit = 0x40;
    t->booted = true;
    t->fast_via = VIA_SYSENTER;
    t->service_reg = 3;
    t->opt.on_syscall = observe;
    n_seen = 0;
    regs.rbp = KSEG0 + FRAME;
    regs.rax = 0xC0000008;                    /* STATUS_INVALID_HANDLE */
    regs.rbx = routine;
    trace_on_service_exit(t, &st);
    t->ki_service_copy = NULL;
}

START_TEST(one_exit_reads_a_call_whole_from_its_trap_frame)
{
    one_exit_call(0x25, ROUTINE);
    ck_assert_int_eq(n_seen, 1);
    ck_assert_int_eq(seen.via, VIA_SYSENTER);
    ck_assert_uint_eq(seen.cpl, 3);
    ck_assert_uint_eq(seen.index, 0x25);
    ck_assert_uint_eq(seen.arg_ptr, LOW_STACK + 0x208);
    ck_assert_uint_eq(seen.return_rip, 0x00401234);
    ck_assert_uint_eq(t->stats.syscalls, 1);
    ck_assert_uint_eq(t->stats.sysrets, 1);   /* opened and finished at the one exit */
    ck_assert_int_eq(t->threads[0].depth, 0);
}
END_TEST

/* The frame's EAX can be rewritten by the service (NtContinue); the routine called cannot. */
START_TEST(one_exit_names_the_service_by_the_routine_called)
{
    one_exit_call(0x25, ROUTINE + 0x100);
    ck_assert_uint_eq(seen.index, 0x26);
    one_exit_call(0x3F, 0x3F);                /* an invalid number: no routine, the frame's number stays */
    ck_assert_uint_eq(seen.index, 0x3F);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("idt_sweep");
    TCase *tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_returning_handler_is_followed_to_its_iretd);
    tcase_add_test(tc, a_handler_in_unmapped_memory_gets_no_trap_point);
    tcase_add_test(tc, a_handler_that_jumps_to_itself_has_no_iretd);
    tcase_add_test(tc, handlers_that_jump_to_each_other_have_no_iretd);
    tcase_add_test(tc, a_handler_that_runs_off_mapped_memory_has_no_iretd);
    tcase_add_test(tc, an_idt_past_mapped_memory_is_swept_where_it_is_readable);
    tcase_add_test(tc, an_esp_on_an_unmapped_page_gives_no_ring_event);
    tcase_add_test(tc, an_esp_on_a_mapped_page_gives_the_ring_event);
    tcase_add_test(tc, the_service_exit_follows_a_call_through_a_callee_saved_register);
    tcase_add_test(tc, a_call_through_a_scratch_register_is_no_service_exit);
    tcase_add_test(tc, a_call_past_a_jump_is_no_service_exit);
    tcase_add_test(tc, one_exit_reads_a_call_whole_from_its_trap_frame);
    tcase_add_test(tc, one_exit_names_the_service_by_the_routine_called);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
