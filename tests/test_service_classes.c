/*
 * Check suite for ntdb/service_classes.c: the classes of -e trace=%file...
 * against every build's table in data/nt-syscalls/: members and non-members
 * the rules were written for, every class present in every build, and no
 * rule that names nothing (a typo in the table would).
 */
#include <check.h>
#include "check_run.h"
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include "ntdb/service_classes.h"
#include "ntdb/service_table.h"

#define MAX_BUILDS 32
static struct svc_table builds[MAX_BUILDS];
static int n_builds;

static void load_builds(void)
{
    DIR *d = opendir("data/nt-syscalls");
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".tsv"))
            continue;
        char path[512], err[256];
        snprintf(path, sizeof(path), "data/nt-syscalls/%s", e->d_name);
        ck_assert_int_lt(n_builds, MAX_BUILDS);
        ck_assert_msg(svc_table_load(path, &builds[n_builds], err, sizeof(err)) == 0, "%s", err);
        n_builds++;
    }
    closedir(d);
    ck_assert_int_ge(n_builds, 19);
}

static void free_builds(void)
{
    for (int i = 0; i < n_builds; i++)
        svc_table_free(&builds[i]);
    n_builds = 0;
}

static bool in(const char *class_name, const char *service)
{
    const struct svc_class *c = svc_class_find(class_name);
    ck_assert_ptr_nonnull(c);
    return svc_class_has(c, service);
}

START_TEST(members_and_not)
{
    static const struct { const char *class_name, *service; bool member; } cases[] = {
        { "file", "NtCreateFile", true }, { "file", "NtReadFile", true }, { "file", "NtDeviceIoControlFile", true },
        { "file", "NtQueryDirectoryFile", true }, { "file", "NtCreateNamedPipeFile", true },
        { "file", "NtClose", false }, { "file", "NtInitializeNlsFiles", false }, { "file", "NtCreateProfile", false },
        { "memory", "NtAllocateVirtualMemory", true }, { "memory", "NtMapViewOfSection", true },
        { "memory", "NtFlushInstructionCache", true }, { "memory", "NtCreateSection", true },
        { "memory", "NtAlpcCreatePortSection", false }, { "memory", "NtGetNlsSectionPtr", false },
        { "memory", "NtReplacePartitionUnit", false }, { "memory", "NtReadFile", false },
        { "sync", "NtWaitForSingleObject", true }, { "sync", "NtCreateKeyedEvent", true }, { "sync", "NtSetTimer", true },
        { "sync", "NtReleaseMutant", true }, { "sync", "NtReleaseSemaphore", true },
        { "sync", "NtSignalAndWaitForSingleObject", true },
        { "sync", "NtTraceEvent", false }, { "sync", "NtQueryTimerResolution", false },
        { "sync", "NtWaitForDebugEvent", false }, { "sync", "NtDelayExecution", false },
        { "process", "NtTerminateProcess", true }, { "process", "NtOpenThread", true },
        { "process", "NtCreateUserProcess", true }, { "process", "NtAssignProcessToJobObject", true },
        { "process", "NtOpenProcessToken", false }, { "process", "NtGetCurrentProcessorNumber", false },
        { "process", "NtSetWnfProcessNotificationEvent", false }, { "process", "NtAlpcOpenSenderProcess", false },
        { "registry", "NtCreateKey", true }, { "registry", "NtNotifyChangeMultipleKeys", true },
        { "registry", "NtCreateKeyedEvent", false }, { "registry", "NtLockProductActivationKeys", false },
        { "handle", "NtClose", true }, { "handle", "NtDuplicateObject", true }, { "handle", "NtCreateFile", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(in(cases[i].class_name, cases[i].service) == cases[i].member, "%s %s %%%s", cases[i].service,
                      cases[i].member ? "is not in" : "is in", cases[i].class_name);
    ck_assert_ptr_null(svc_class_find("nope"));
    ck_assert_ptr_null(svc_class_find(NULL));
    ck_assert_ptr_null(svc_class_find("%file"));
    ck_assert(!in("file", NULL));
    ck_assert(!in("file", "ZwCreateFile"));   /* classes hold Nt names, as the tables do */
    ck_assert(!in("file", "File"));
}
END_TEST

/* Whether some service of some build contains part (after its "Nt"), or is named name. */
static bool names_something(const char *part, const char *name)
{
    for (int b = 0; b < n_builds; b++)
        for (size_t i = 0; i < builds[b].count; i++) {
            const char *s = builds[b].entries[i].name;
            if ((part && strstr(s + 2, part)) || (name && !strcmp(s, name)))
                return true;
        }
    return false;
}

START_TEST(every_rule_names_a_service)
{
    load_builds();
    for (const struct svc_class *c = svc_classes; c->name; c++) {
        ck_assert_msg(c->summary && c->summary[0], "%%%s has no summary", c->name);
        for (const char *const *p = c->contains; *p; p++)
            ck_assert_msg(names_something(*p, NULL), "%%%s: no service contains %s", c->name, *p);
        for (const char *const *p = c->except; *p; p++)
            ck_assert_msg(names_something(*p, NULL), "%%%s: no service contains %s", c->name, *p);
        for (const char *const *p = c->names; *p; p++)
            ck_assert_msg(names_something(NULL, *p), "%%%s: no build has %s", c->name, *p);
    }
    free_builds();
}
END_TEST

START_TEST(every_class_in_every_build)
{
    load_builds();
    for (int b = 0; b < n_builds; b++)
        for (const struct svc_class *c = svc_classes; c->name; c++) {
            size_t members = 0;
            for (size_t i = 0; i < builds[b].count; i++)
                members += svc_class_has(c, builds[b].entries[i].name);
            ck_assert_msg(members >= 5, "%%%s has %zu services in a build", c->name, members);
        }
    /* the guest's services are each in a class, but for the clock, the console and the scheduler's */
    static const char *const unclassed[] = { "NtDisplayString", "NtQuerySystemTime", "NtQueryPerformanceCounter",
                                             "NtYieldExecution", "NtDelayExecution" };
    static const char *const classed[] = { "NtClose", "NtCreateFile", "NtOpenFile", "NtReadFile", "NtWriteFile",
                                           "NtDeviceIoControlFile", "NtQueryInformationFile", "NtCreateEvent",
                                           "NtSetEvent", "NtResetEvent", "NtClearEvent", "NtWaitForSingleObject",
                                           "NtAllocateVirtualMemory", "NtFreeVirtualMemory", "NtProtectVirtualMemory",
                                           "NtTerminateProcess" };
    for (size_t i = 0; i < sizeof(classed) / sizeof(classed[0]); i++) {
        int n = 0;
        for (const struct svc_class *c = svc_classes; c->name; c++)
            n += svc_class_has(c, classed[i]);
        ck_assert_msg(n >= 1, "%s is in no class", classed[i]);
    }
    for (size_t i = 0; i < sizeof(unclassed) / sizeof(unclassed[0]); i++)
        for (const struct svc_class *c = svc_classes; c->name; c++)
            ck_assert_msg(!svc_class_has(c, unclassed[i]), "%s is in %%%s", unclassed[i], c->name);
    free_builds();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("service_classes");
    TCase *tc = tcase_create("classes");
    tcase_add_test(tc, members_and_not);
    tcase_add_test(tc, every_rule_names_a_service);
    tcase_add_test(tc, every_class_in_every_build);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(suite());
}
