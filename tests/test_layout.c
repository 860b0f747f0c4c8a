/*
 * The host side's house rules, checked on the source tree (run from its top):
 * each room includes only itself and the rooms below it
 * (cli -> kd -> tracer -> vmm -> ntdb -> base -> include), and the guest's build
 * tools use only ntdb, base and include.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check_run.h"

/* Rooms from the top down; a room may include its own rank or any rank below. */
static const struct room { const char *dir; int rank; } rooms[] = {
    { "cli", 6 }, { "kd", 5 }, { "tracer", 4 }, { "vmm", 3 }, { "ntdb", 2 }, { "base", 1 }, { "include", 0 },
};

/* The room of a path from the top of the tree ("vmm/lab/lab.h" is in vmm); -1 for none. */
static int rank_of(const char *path)
{
    for (size_t i = 0; i < sizeof(rooms) / sizeof(rooms[0]); i++) {
        size_t n = strlen(rooms[i].dir);
        if (!strncmp(path, rooms[i].dir, n) && path[n] == '/')
            return rooms[i].rank;
    }
    return -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "a/b/../c/x.h" -> "a/c/x.h", in place. */
static void normalize(char *p)
{
    char *parts[64];
    int n = 0;
    for (char *tok = strtok(p, "/"); tok && n < 64; tok = strtok(NULL, "/")) {
        if (!strcmp(tok, ".."))
            n = n > 0 ? n - 1 : 0;
        else if (strcmp(tok, "."))
            parts[n++] = tok;
    }
    char out[512] = "";
    for (int i = 0; i < n; i++) {
        strncat(out, parts[i], sizeof(out) - strlen(out) - 2);
        if (i + 1 < n)
            strcat(out, "/");
    }
    strcpy(p, out);
}

/* Where #include "name" in file resolves: beside the file, else from the top (-I.), else include/. */
static bool resolve(const char *file, const char *name, char *out, size_t len)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", file);
    char *slash = strrchr(dir, '/');
    *(slash ? slash : dir) = '\0';
    const char *bases[] = { dir, ".", "include" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(out, len, "%s/%s", bases[i], name);
        if (exists(out)) {
            normalize(out);
            return true;
        }
    }
    return false;
}

typedef void (*file_fn)(const char *path, void *ctx);

static void walk(const char *dir, file_fn fn, void *ctx)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "%s: run the test from the top of the tree", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        size_t n = strlen(e->d_name);
        if (S_ISDIR(st.st_mode))
            walk(path, fn, ctx);
        else if (n > 2 && (!strcmp(e->d_name + n - 2, ".c") || !strcmp(e->d_name + n - 2, ".h")))
            fn(path, ctx);
    }
    closedir(d);
}

struct include_ctx { int max_rank; int checked; };

/* Every #include "..." of path must resolve to a file of a room no higher than the limit. */
static void check_includes(const char *path, void *vctx)
{
    struct include_ctx *ctx = vctx;
    int limit = ctx->max_rank < 0 ? rank_of(path) : ctx->max_rank;
    char *text = slurp(path);
    ck_assert_msg(text != NULL, "%s: unreadable", path);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char name[256];
        if (sscanf(line, " #include \"%255[^\"]\"", name) != 1)
            continue;
        char target[512];
        ck_assert_msg(resolve(path, name, target, sizeof(target)), "%s: #include \"%s\" resolves to no file",
                      path, name);
        int r = rank_of(target);
        ck_assert_msg(r >= 0 && r <= limit, "%s includes %s: a room may only use the rooms below it", path,
                      target);
        ctx->checked++;
    }
    free(text);
}

START_TEST(rooms_use_only_rooms_below)
{
    struct include_ctx ctx = { -1, 0 };
    for (size_t i = 0; i + 1 < sizeof(rooms) / sizeof(rooms[0]); i++)
        walk(rooms[i].dir, check_includes, &ctx);
    ck_assert_int_gt(ctx.checked, 100);
}
END_TEST

START_TEST(guest_tools_use_ntdb_not_the_tracer)
{
    struct include_ctx ctx = { 2, 0 };   /* ntdb, base and include only */
    walk("guest/tools", check_includes, &ctx);
    ck_assert_int_gt(ctx.checked, 0);
}
END_TEST

/* Files allowed to hold the guest's RAM pointer: KVM maps it, the door reads and
   patches it, and the session hands it to the Multiboot loader before the first KVM_RUN. */
static const char *const ram_owners[] = { "vmm/kvm.c", "vmm/kvm.h", "vmm/guest_mem.c", "vmm/guest_mem.h",
                                          "vmm/session.c" };

static void check_no_raw_ram(const char *path, void *vctx)
{
    int *checked = vctx;
    for (size_t i = 0; i < sizeof(ram_owners) / sizeof(ram_owners[0]); i++)
        if (!strcmp(path, ram_owners[i]))
            return;
    char *text = slurp(path);
    ck_assert_msg(text != NULL, "%s: unreadable", path);
    ck_assert_msg(!strstr(text, "vm->mem") && !strstr(text, "vm.mem"),
                  "%s touches the guest's RAM directly: use vmm/guest_mem.h", path);
    free(text);
    (*checked)++;
}

START_TEST(guest_memory_has_one_door)
{
    int checked = 0;
    for (size_t i = 0; i + 1 < sizeof(rooms) / sizeof(rooms[0]); i++)
        walk(rooms[i].dir, check_no_raw_ram, &checked);
    ck_assert_int_gt(checked, 50);
}
END_TEST


static Suite *layout_suite(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tcase_create("rooms");
    tcase_add_test(tc, rooms_use_only_rooms_below);
    tcase_add_test(tc, guest_tools_use_ntdb_not_the_tracer);
    tcase_add_test(tc, guest_memory_has_one_door);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(layout_suite());
}
