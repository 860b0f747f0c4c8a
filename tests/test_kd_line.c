/* Check suite for kd/kd_line.c: the prompt on libedit, driven through a
 * pseudo-terminal as a person would type (keys written to the master side):
 * editing, history recall and its file, Ctrl-R, Tab completion. */
#include <check.h>
#include "check_run.h"
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kd/kd_line.h"
#include "kd/kd_complete.h"
#include "ntdb/symbols.h"

/* libedit keeps a wide copy of each EL_ADDFN name and help (wcsdup) that el_end never frees;
   kd's own code calls no wcsdup */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:wcsdup\n";
}
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

static int master, slave, devnull;

static void open_terminal(void)
{
    ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
    devnull = open("/dev/null", O_WRONLY);
    ck_assert_int_ge(devnull, 0);
}

static void close_terminal(void)
{
    close(master);
    close(slave);
    close(devnull);
}

/* What the editor echoed: read off the master so that it never fills up. */
static void drain(void)
{
    char buf[4096];
    int flags = fcntl(master, F_GETFL);
    fcntl(master, F_SETFL, flags | O_NONBLOCK);
    while (read(master, buf, sizeof(buf)) > 0)
        ;
    fcntl(master, F_SETFL, flags);
}

static const char *pending;   /* the keys of the next line */

/* Types the pending keys once the editor has the terminal in raw mode (entering it flushes input). */
static void *typist(void *unused)
{
    (void)unused;
    struct termios t;
    for (int i = 0; i < 20000; i++) {
        if (tcgetattr(master, &t) == 0 && !(t.c_lflag & ICANON))
            break;
        usleep(100);
    }
    if (write(master, pending, strlen(pending)) != (ssize_t)strlen(pending))
        abort();
    return NULL;
}

static void type(const char *keys)
{
    pending = keys;
}

/* The line kd's prompt returns for the pending keys ("<eof>" for end of input). */
static void expect_line(struct kd_line *l, const char *want)
{
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, typist, NULL), 0);
    char *got = kd_line_read(l, "kd> ", slave, slave);   /* libedit edits only when both are a terminal */
    pthread_join(th, NULL);
    drain();
    ck_assert_str_eq(got ? got : "<eof>", want);
    free(got);
}

START_TEST(typed_and_edited_lines)
{
    struct kd_line l = { .n = 0 };
    open_terminal();
    type("r eax\r");
    expect_line(&l, "r eax");
    type("u nt!KiSystemServicX\x7f" "e\r");          /* a typo, backspace, the right letter */
    expect_line(&l, "u nt!KiSystemService");
    type("dd esp\x1b[D\x1b[D\x1b[D\x1b[D" "w\r");    /* left four times, then insert */
    expect_line(&l, "ddw esp");
    type("ln 0x7ffe0300\x01x \x05!\r");              /* Ctrl-A, insert at the start; Ctrl-E, append */
    expect_line(&l, "x ln 0x7ffe0300!");
    type("abc\x1b[D\x1b[3~\r");                      /* Delete removes the character under the cursor */
    expect_line(&l, "ab");
    kd_line_free(&l);
    close_terminal();
}
END_TEST

START_TEST(history_recall)
{
    struct kd_line l = { .n = 0 };
    open_terminal();
    type("rdmsr 176\r");
    expect_line(&l, "rdmsr 176");
    type("!sst\r");
    expect_line(&l, "!sst");
    type("\x1b[A\r");                                /* up: the last line */
    expect_line(&l, "!sst");
    type("\x1b[A\x1b[A\x1b[A\r");                    /* up three times stops at the oldest */
    expect_line(&l, "rdmsr 176");
    type("\x1b[A\x1b[B\x1b[B\r");                    /* down past the newest: an empty line */
    expect_line(&l, "");
    ck_assert_uint_eq(l.n, 3);                       /* no empty lines, no repeat of the last one */
    kd_line_free(&l);
    close_terminal();
}
END_TEST

START_TEST(ctrl_c_and_ctrl_d)
{
    struct kd_line l = { .n = 0 };
    open_terminal();
    type("g\x03q\r");                                /* Ctrl-C drops "g"; the line is "q" */
    expect_line(&l, "q");
    type("xy\x01\x04\r");                            /* Ctrl-D on a line deletes under the cursor */
    expect_line(&l, "y");
    type("\x04");                                    /* Ctrl-D on an empty line: end of input */
    expect_line(&l, "<eof>");
    kd_line_free(&l);
    close_terminal();
}
END_TEST

/* Not a terminal: plain lines, and the end of the input. */
START_TEST(plain_input)
{
    struct kd_line l = { .n = 0 };
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    devnull = open("/dev/null", O_WRONLY);
    ck_assert_int_eq(write(p[1], "lm\nq\n", 5), 5);
    close(p[1]);
    char *a = kd_line_read(&l, "kd> ", p[0], devnull), *b = kd_line_read(&l, "kd> ", p[0], devnull);
    ck_assert_str_eq(a, "lm");
    ck_assert_str_eq(b, "q");
    ck_assert_ptr_null(kd_line_read(&l, "kd> ", p[0], devnull));
    free(a);
    free(b);
    kd_line_free(&l);
    close(p[0]);
    close(devnull);
}
END_TEST

/* The history is a file: a second session (a new kd_line) recalls the first one's lines. */
START_TEST(history_kept_across_sessions)
{
    char path[] = "/tmp/ntv-kd-history-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    setenv(KD_LINE_HISTORY_ENV, path, 1);
    open_terminal();
    struct kd_line first = { .n = 0 };
    type("lm\r");
    expect_line(&first, "lm");
    type("x nt!Ki*\r");
    expect_line(&first, "x nt!Ki*");
    kd_line_free(&first);

    struct kd_line second = { .n = 0 };
    type("\x1b[A\x1b[A\r");                          /* up twice: the first session's first line */
    expect_line(&second, "lm");
    ck_assert_uint_eq(second.n, 3);
    kd_line_free(&second);
    close_terminal();
    unlink(path);
    setenv(KD_LINE_HISTORY_ENV, "", 1);
}
END_TEST

START_TEST(ctrl_r_searches_the_history)
{
    struct kd_line l = { .n = 0 };
    open_terminal();
    type("u nt!KiFastCallEntry L3\r");
    expect_line(&l, "u nt!KiFastCallEntry L3");
    type("lm\r");
    expect_line(&l, "lm");
    type("\x12" "Fast\r");                            /* Ctrl-R, a few letters, Enter */
    expect_line(&l, "u nt!KiFastCallEntry L3");
    kd_line_free(&l);
    close_terminal();
}
END_TEST

/* Tab through kd's own completer: commands, module!, module!symbol. */
START_TEST(tab_completes_commands_and_symbols)
{
    struct symtab t;
    symtab_init(&t);
    struct sym_module *nt = symtab_add_module(&t, "nt", 0x80100000u, 0x80200000u);
    ck_assert_ptr_nonnull(nt);
    ck_assert_int_eq(sym_module_add(nt, "KiFastCallEntry", 0x80101000u, 0), 0);
    ck_assert_int_eq(sym_module_add(nt, "KiSystemService", 0x80102000u, 0), 0);
    ck_assert_int_eq(sym_module_add(nt, "NtReadFile", 0x80103000u, 0), 0);
    sym_module_finish(nt);
    ck_assert_ptr_nonnull(symtab_add_module(&t, "ntdll", 0x77f50000u, 0x77f60000u));
    struct kd_line l = { .complete = kd_complete, .complete_ctx = &t };
    open_terminal();
    type("rdm\t176\r");                               /* a command, then its argument */
    expect_line(&l, "rdmsr 176");
    type("u nt!KiF\t\r");
    expect_line(&l, "u nt!KiFastCallEntry ");
    type("u nt!K\tS\t\r");                            /* as far as they agree, then one more letter */
    expect_line(&l, "u nt!KiSystemService ");
    type("ln ntd\tx\r");                              /* a module waits for its symbol: no space */
    expect_line(&l, "ln ntdll!x");
    type("!sst; u NT!Nt\t\r");                        /* after ';', and the module as typed */
    expect_line(&l, "!sst; u NT!NtReadFile ");
    kd_line_free(&l);
    close_terminal();
    symtab_free(&t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("kd_line");
    TCase *tc = tcase_create("editor");
    tcase_add_test(tc, typed_and_edited_lines);
    tcase_add_test(tc, history_recall);
    tcase_add_test(tc, ctrl_c_and_ctrl_d);
    tcase_add_test(tc, plain_input);
    tcase_add_test(tc, history_kept_across_sessions);
    tcase_add_test(tc, ctrl_r_searches_the_history);
    tcase_add_test(tc, tab_completes_commands_and_symbols);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setenv("TERM", "xterm", 1);
    setenv(KD_LINE_HISTORY_ENV, "", 1);   /* no file but where a test names one */
    return check_run(suite());
}
