/* Check suite for doc/ntvisor.1: it renders without a warning, and it names every
 * command, every option and every exit code that ntvisor's own --help texts give
 * (read from the binary each time, so an option added to a --help and not to the
 * man page fails here). Run from the top of the tree. */
#include <check.h>
#include "check_run.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef NTVISOR_BIN
#define NTVISOR_BIN "build/ntvisor"
#endif
#define MAN_PAGE "doc/ntvisor.1"
#define TEXT_MAX (256 * 1024)

/* What COMMAND prints (stdout and stderr); its exit status in *status. */
static char *run(const char *command, int *status)
{
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    char *text = calloc(1, TEXT_MAX);
    ck_assert_ptr_nonnull(text);
    size_t n = fread(text, 1, TEXT_MAX - 1, p);
    text[n] = '\0';
    *status = pclose(p);
    return text;
}

static char *help_of(const char *command)
{
    char cmd[256];
    int status;
    snprintf(cmd, sizeof(cmd), NTVISOR_BIN " %s --help 2>&1", command);
    char *text = run(cmd, &status);
    ck_assert_msg(status == 0, "%s exited with %d", cmd, status);
    return text;
}

/* The man page as it reads: font changes, \& and \c gone, \- a hyphen, \e a backslash. */
static char *man_text(void)
{
    int status;
    char *src = run("cat " MAN_PAGE, &status);
    ck_assert_int_eq(status, 0);
    char *out = calloc(1, strlen(src) + 1), *o = out;
    for (const char *s = src; *s; s++) {
        if (s[0] == '\\' && s[1] == 'f' && s[2]) {
            s += 2;
        } else if (s[0] == '\\' && (s[1] == '&' || s[1] == 'c' || s[1] == '|')) {
            s += 1;
        } else if (s[0] == '\\' && s[1] == '-') {
            *o++ = '-';
            s += 1;
        } else if (s[0] == '\\' && s[1] == 'e') {
            *o++ = '\\';
            s += 1;
        } else {
            *o++ = *s;
        }
    }
    free(src);
    return out;
}

static int option_char(char c)
{
    return isalnum((unsigned char)c) || c == '-';
}

/* WORD in TEXT as a whole option: not inside a longer word or option. */
static int has_option(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word))
        if ((p == text || !option_char(p[-1])) && !option_char(p[n]))
            return 1;
    return 0;
}

/* Calls fn for each option a --help text names: --long (up to '=' or '['), or -x. */
static void each_option(const char *help, void (*fn)(const char *opt, void *ctx), void *ctx)
{
    for (const char *p = help; *p; p++) {
        if (*p != '-' || (p > help && !strchr(" [,|(\"`\n", p[-1])))
            continue;
        char opt[64];
        size_t n = 0;
        if (p[1] == '-' && islower((unsigned char)p[2])) {
            for (n = 0; n < sizeof(opt) - 1 && (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) ||
                                                 p[n] == '-'); n++)
                opt[n] = p[n];
            while (n && opt[n - 1] == '-')
                n--;
        } else if (isalpha((unsigned char)p[1]) && !option_char(p[2])) {
            opt[0] = '-', opt[1] = p[1], n = 2;
        }
        if (n < 2)
            continue;
        opt[n] = '\0';
        fn(opt, ctx);
        p += n - 1;
    }
}

struct seen { const char *command, *man; int count; };

static void expect_in_man(const char *opt, void *ctx)
{
    struct seen *s = ctx;
    s->count++;
    ck_assert_msg(has_option(s->man, opt), "ntvisor %s --help names %s, which " MAN_PAGE " does not", s->command,
                  opt);
}

/* The commands `ntvisor --help` lists, one per line under "commands:". */
static int commands(char names[][32], int max)
{
    char *help = help_of("");
    int n = 0;
    char *list = strstr(help, "commands:\n");
    ck_assert_ptr_nonnull(list);
    for (char *line = strchr(list, '\n') + 1; n < max && line[0] == ' ' && line[1] == ' '; line = strchr(line, '\n') + 1) {
        ck_assert_int_eq(sscanf(line, " %31s", names[n]), 1);
        n++;
    }
    free(help);
    return n;
}

START_TEST(renders_without_warnings)
{
    int status;
    char *out = run("groff -ww -man -z " MAN_PAGE " 2>&1", &status);
    ck_assert_msg(status == 0 && !*out, "groff: %s", out);
    free(out);
}
END_TEST

START_TEST(every_command_has_its_section)
{
    char names[16][32];
    int n = commands(names, 16);
    ck_assert_int_ge(n, 6);   /* run trace kd services info lab */
    char *man = man_text();
    for (int i = 0; i < n; i++) {
        char heading[64];
        snprintf(heading, sizeof(heading), ".SS \"ntvisor %s ", names[i]);
        ck_assert_msg(strstr(man, heading), MAN_PAGE " has no section %s\"", heading);
    }
    free(man);
}
END_TEST

START_TEST(every_option_of_every_help)
{
    char names[16][32];
    int n = commands(names, 16);
    char *man = man_text();
    int total = 0;
    for (int i = 0; i < n; i++) {
        char *help = help_of(names[i]);
        struct seen s = { names[i], man, 0 };
        each_option(help, expect_in_man, &s);
        ck_assert_msg(s.count > 0, "no option found in ntvisor %s --help", names[i]);
        total += s.count;
        free(help);
    }
    ck_assert_int_ge(total, 30);
    free(man);
}
END_TEST

static void collect(const char *opt, void *ctx)
{
    strcat(ctx, opt);
    strcat(ctx, " ");
}

/* The parser finds options as a person reads them, and the check can fail. */
START_TEST(option_parser_and_matching)
{
    static char found[256];
    found[0] = '\0';
    each_option("usage: x [-c \"a\"] [--stop=boot|exit]\n  -o, --output=FILE  64-bit, ntdll-NAME.dll\n"
                "  -e trace=NAMES  `ntvisor <command> --help`\n", collect, found);
    ck_assert_str_eq(found, "-c --stop -o --output -e --help ");
    ck_assert(has_option("see --stop=boot", "--stop"));
    ck_assert(!has_option("see --stopper", "--stop"));
    ck_assert(!has_option("see --no-lab", "-no"));
}
END_TEST

/* Every exit code a --help gives is an entry of EXIT STATUS. */
START_TEST(every_exit_code)
{
    static const char *const with_codes[] = { "run", "services", "lab" };
    char *man = man_text();
    char *section = strstr(man, ".SH EXIT STATUS");
    ck_assert_ptr_nonnull(section);
    char *end = strstr(section + 1, ".SH ");
    if (end)
        *end = '\0';
    for (unsigned i = 0; i < sizeof(with_codes) / sizeof(with_codes[0]); i++) {
        char *help = help_of(with_codes[i]);
        char *status = strstr(help, "exit status:");
        ck_assert_ptr_nonnull(status);
        for (char *p = status; *p; p++) {
            if (!isdigit((unsigned char)*p) || isalnum((unsigned char)p[-1]))
                continue;
            long code = strtol(p, &p, 10);
            char entry[32];
            snprintf(entry, sizeof(entry), ".B %ld\n", code);
            ck_assert_msg(strstr(section, entry), "ntvisor %s --help gives exit code %ld; EXIT STATUS lacks it",
                          with_codes[i], code);
        }
        free(help);
    }
    free(man);
}
END_TEST

static Suite *manpage_suite(void)
{
    Suite *s = suite_create("manpage");
    TCase *tc = tcase_create("manpage");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, renders_without_warnings);
    tcase_add_test(tc, every_command_has_its_section);
    tcase_add_test(tc, every_option_of_every_help);
    tcase_add_test(tc, option_parser_and_matching);
    tcase_add_test(tc, every_exit_code);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(manpage_suite());
}
