/* Check suite for kd/kd_line.c: the prompt's editor, driven through a
 * pseudo-terminal as a person would type (keys written to the master side). */
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
    char *got = kd_line_read(l, "kd> ", slave, devnull);
    pthread_join(th, NULL);
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

static Suite *suite(void)
{
    Suite *s = suite_create("kd_line");
    TCase *tc = tcase_create("editor");
    tcase_add_test(tc, typed_and_edited_lines);
    tcase_add_test(tc, history_recall);
    tcase_add_test(tc, ctrl_c_and_ctrl_d);
    tcase_add_test(tc, plain_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
