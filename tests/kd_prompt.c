/* kd's prompt without a guest, for tests/test_kd_tmux.c: the real prompt
 * (kd/kd_line.c on libedit, kd/kd_complete.c) and the real commands
 * (kd_exec) over the real images' symbols (kd_load_symbols: nt, ntdll, the
 * program), with a guest whose memory reads as unreadable and whose registers
 * are zero. `g` stands for a stop further on; `q` or Ctrl-D ends it.
 *
 *   kd_prompt PROGRAM [KERNEL NTDLL]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kd/kd.h"
#include "kd/kd_complete.h"
#include "kd/kd_line.h"
#include "kd/kd_symbols.h"
#include "ntdb/symbols.h"
#include "vmm/session.h"

static size_t no_memory(void *ctx, uint32_t va, void *buf, size_t len)
{
    (void)ctx, (void)va, (void)buf, (void)len;
    return 0;
}

static int zero_regs(void *ctx, struct kd_regs *r)
{
    (void)ctx;
    memset(r, 0, sizeof(*r));
    return 0;
}

static int no_msr(void *ctx, uint32_t index, uint64_t *value)
{
    (void)ctx, (void)index, (void)value;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: kd_prompt PROGRAM [KERNEL NTDLL]\n");
        return 2;
    }
    struct session_options o;
    session_defaults(&o);
    o.program = argv[1];
    if (argc == 4)
        o.kernel = argv[2], o.ntdll = argv[3];
    struct symtab syms;
    kd_load_symbols(&syms, &o);
    static const struct kd_target target = { NULL, no_memory, zero_regs, no_msr };
    struct kd kd;
    if (kd_init(&kd, &target, &syms, stdout) < 0)
        return 125;
    struct kd_line line = { .complete = kd_complete, .complete_ctx = &syms };
    unsigned stop = 1;
    printf("*** kd: stop %u (kd_prompt: no guest)\n", stop);
    fflush(stdout);
    enum kd_action a = KD_STAY;
    for (char *cmd; a != KD_QUIT && (cmd = kd_line_read(&line, "kd> ", STDIN_FILENO, STDOUT_FILENO));) {
        a = kd_exec(&kd, cmd);
        free(cmd);
        if (a == KD_GO)
            printf("*** kd: stop %u (kd_prompt: no guest)\n", ++stop);
        fflush(stdout);
    }
    printf("*** kd: quit after %u stops\n", stop);
    kd_line_free(&line);
    kd_free(&kd);
    symtab_free(&syms);
    return 0;
}
