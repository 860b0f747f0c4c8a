/* Check suite: kd's prompt as a person uses it, in a terminal under tmux
 * (new-session -d, send-keys, capture-pane): a command, an edited command,
 * history recall, Ctrl-R, Tab completion of a module!symbol, g, q, and the
 * history file afterwards. The prompt is tests/kd_prompt.c (the real prompt
 * and commands over the real images' symbols, no guest) everywhere, and
 * `ntvisor kd` itself where KVM runs the guest natively (a guest in the SVM
 * lab cannot reach a terminal). Run from the top of the tree. */
#include <check.h>
#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KD_PROMPT
#define KD_PROMPT   "build/tests/kd_prompt"
#define NTVISOR_BIN "build/ntvisor"
#define GUEST_DIR   "build/guest"
#define HELLO_EXE   "build/examples/hello.exe"
#endif

static char sock[64], dir[64], hist[128];

static void tmux(const char *fmt, const char *arg)
{
    char cmd[1024], args[900];
    snprintf(args, sizeof(args), fmt, arg);
    snprintf(cmd, sizeof(cmd), "tmux -L %s -f /dev/null %s >/dev/null 2>&1", sock, args);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

/* The pane's text, its history included. */
static const char *screen(void)
{
    static char text[65536];
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p -S - -t kd 2>/dev/null", sock);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(text, 1, sizeof(text) - 1, p);
    text[n] = '\0';
    pclose(p);
    return text;
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* Waits up to `seconds` until the pane shows `what` at least `times` times. */
static void wait_for(const char *what, int times, int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (count(screen(), what) >= times)
            return;
        usleep(50000);
    }
    ck_abort_msg("the pane never showed '%s' %d times:\n%s", what, times, screen());
}

/* Keys as tmux names them (Enter, BSpace, Up, Tab, C-r), or literal text with -l. */
static void keys(const char *k)
{
    tmux("send-keys -t kd %s", k);
}

static void text(const char *t)
{
    char quoted[512];
    snprintf(quoted, sizeof(quoted), "-l '%s'", t);
    tmux("send-keys -t kd %s", quoted);
}

static void start(const char *command)
{
    snprintf(dir, sizeof(dir), "/tmp/ntv-kd-tmux-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(hist, sizeof(hist), "%s/history", dir);
    char session[900];
    /* the pane stays after the program ends, so that its last lines can be read */
    snprintf(session, sizeof(session), "new-session -d -x 160 -y 50 -s kd "
             "'env TERM=xterm NTVISOR_KD_HISTORY=%s ASAN_OPTIONS=detect_leaks=0 %s; echo \"[exit $?]\"; sleep 60'",
             hist, command);
    tmux("%s", session);
}

static void stop(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server >/dev/null 2>&1; rm -rf '%s'", sock, dir);
    if (system(cmd) < 0)
        abort();
}

/* In the runner's own process, after the tests: a failed check ends a test's process before its stop(). */
static void kill_server(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server >/dev/null 2>&1", sock);
    if (system(cmd) < 0)
        abort();
}

static void expect_history_file(const char *line)
{
    FILE *f = fopen(hist, "r");
    ck_assert_ptr_nonnull(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(buf, line), "history file lacks '%s':\n%s", line, buf);
}

/* What a person does at the prompt; stop_word is how the program names a stop. */
static void session_as_a_person(const char *stop_word)
{
    wait_for("kd>", 1, 60);   /* capture-pane drops the trailing space */
    text("ln 0x7ffe0300");                                    /* a command */
    keys("Enter");
    wait_for("SharedUserData!SystemCallStub", 2, 20);
    text("x nt!KiSystemServicX");                             /* a typo, rubbed out and fixed */
    keys("BSpace");
    text("e");
    keys("Enter");
    wait_for("kd> x nt!KiSystemService\n", 1, 20);
    wait_for("nt!KiSystemService", 2, 20);                    /* the line, and x's answer */
    keys("Up");                                               /* history: two back is the ln */
    keys("Up");
    keys("Enter");
    wait_for("Exact matches:", 2, 20);
    keys("C-r");                                              /* Ctrl-R: search back for it */
    text("7ffe");
    keys("Enter");
    wait_for("Exact matches:", 3, 20);
    text("u nt!KiFastC");                                     /* Tab completes the symbol */
    keys("Tab");
    text("L2");
    keys("Enter");
    wait_for("kd> u nt!KiFastCallEntry L2", 1, 20);
    text("g");
    keys("Enter");
    wait_for(stop_word, 2, 120);
    text("q");
    keys("Enter");
    wait_for("[exit 0]", 1, 60);
    expect_history_file("u\\040nt!KiFastCallEntry\\040L2");
    expect_history_file("x\\040nt!KiSystemService");
}

START_TEST(the_prompt_under_tmux)
{
    start(KD_PROMPT " " HELLO_EXE " " GUEST_DIR "/ntoskrnl.exe " GUEST_DIR "/ntdll.dll");
    session_as_a_person("*** kd: stop ");
    stop();
}
END_TEST

/* The same against a booted guest, where the terminal reaches kd (not through the SVM lab). */
START_TEST(ntvisor_kd_under_tmux_where_kvm_is_native)
{
    if (system(NTVISOR_BIN " info --native") != 0) {
        printf("test_kd_tmux: this host runs the guest in the SVM lab, which a terminal cannot reach: "
               "ntvisor kd's own prompt is not driven here\n");
        return;
    }
    start(NTVISOR_BIN " kd --stop=NtDisplayString " HELLO_EXE);
    session_as_a_person("*** kd: stop ");
    stop();
}
END_TEST

static Suite *kd_tmux_suite(void)
{
    Suite *s = suite_create("kd_tmux");
    TCase *tc = tcase_create("tmux");
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, NULL, kill_server);
    tcase_add_test(tc, the_prompt_under_tmux);
    tcase_add_test(tc, ntvisor_kd_under_tmux_where_kvm_is_native);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(sock, sizeof(sock), "ntv-kd-%d", (int)getpid());   /* one tmux server per run, this one's */
    return check_run(kd_tmux_suite());
}
