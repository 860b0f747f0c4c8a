/*
 * Host classification. kvm_pvm (page-table-based nesting, no VMX/SVM)
 * cannot run our guest: it refuses 32-bit paging and turns ring-3 INT n
 * into #UD. Only VMX or SVM hardware virtualization runs it natively.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host.h"

#define CPUINFO_MAX (1 << 20)

/* Whether a "flags" line of /proc/cpuinfo lists the word flag. */
static bool has_flag(const char *cpuinfo, const char *flag)
{
    size_t n = strlen(flag);
    const char *line = cpuinfo;
    while (*line) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if (!strncmp(line, "flags", 5) && (line[5] == ' ' || line[5] == '\t' || line[5] == ':')) {
            for (const char *p = line + 5; p + n <= end; p++)
                if ((p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':') && !strncmp(p, flag, n) &&
                    (p + n == end || p[n] == ' ' || p[n] == '\t' || p[n] == '\r'))
                    return true;
        }
        line = *end ? end + 1 : end;
    }
    return false;
}

const char *host_virt_name(enum host_virt v)
{
    switch (v) {
    case HOST_VIRT_VMX: return "VMX (Intel VT-x)";
    case HOST_VIRT_SVM: return "SVM (AMD-V)";
    case HOST_VIRT_PVM: return "kvm_pvm (no VMX/SVM)";
    default:            return "none";
    }
}

void host_classify(const char *cpuinfo, bool pvm_loaded, bool kvm_present, struct host_info *info)
{
    memset(info, 0, sizeof(*info));
    if (pvm_loaded)
        info->virt = HOST_VIRT_PVM;
    else if (has_flag(cpuinfo, "vmx"))
        info->virt = HOST_VIRT_VMX;
    else if (has_flag(cpuinfo, "svm"))
        info->virt = HOST_VIRT_SVM;
    else
        info->virt = HOST_VIRT_NONE;

    if (info->virt == HOST_VIRT_PVM)
        snprintf(info->reason, sizeof(info->reason),
                 "/dev/kvm is kvm_pvm, which refuses 32-bit paging and ring-3 INT n");
    else if (info->virt == HOST_VIRT_NONE)
        snprintf(info->reason, sizeof(info->reason), "the CPU shows neither VMX nor SVM");
    else if (!kvm_present)
        snprintf(info->reason, sizeof(info->reason), "/dev/kvm is missing");
    else
        info->can_run_guest = true;
}

void host_probe(struct host_info *info)
{
    char *cpuinfo = calloc(1, CPUINFO_MAX + 1);
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (cpuinfo && f)
        fread(cpuinfo, 1, CPUINFO_MAX, f);
    if (f)
        fclose(f);
    host_classify(cpuinfo ? cpuinfo : "", access("/sys/module/kvm_pvm", F_OK) == 0,
                  access("/dev/kvm", F_OK) == 0, info);
    free(cpuinfo);
}

#define CPUID_EXT_FEATURES     0x80000001u
#define CPUID_EXT_EDX_SYSCALL  (1u << 11)

bool host_cpu_has_legacy_syscall(const char *vendor, uint32_t ext_features_edx)
{
    return !strncmp(vendor, "AuthenticAMD", 12) && (ext_features_edx & CPUID_EXT_EDX_SYSCALL);
}

bool host_has_legacy_syscall(char vendor[13])
{
    unsigned a, b, c, d;
    memset(vendor, 0, 13);
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return false;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    if (!__get_cpuid(CPUID_EXT_FEATURES, &a, &b, &c, &d))
        return false;
    return host_cpu_has_legacy_syscall(vendor, d);
}
