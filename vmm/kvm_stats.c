/*
 * KVM's per-vCPU statistics: a binary file (KVM_GET_STATS_FD) of a header,
 * descriptors (flags, size, name) and u64 data; the cumulative counters whose
 * names say exits ("exits", "io_exits", "irq_exits", ...) or page faults
 * ("pf_taken": nested page faults the MMU handled) are the ones reported.
 * The file is untrusted only as far as its sizes go: each read is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kvm_stats.h"

#define MAX_NAME 128

static bool wanted(const char *name)
{
    size_t n = strlen(name);
    return !strcmp(name, "exits") || (n > 6 && !strcmp(name + n - 6, "_exits")) || !strncmp(name, "pf_", 3);
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off) == (ssize_t)len;
}

/* One descriptor's counter, if it is one of the wanted cumulative scalars. */
static void report_desc(int fd, const struct kvm_stats_header *h, off_t desc_off, bool *first, FILE *out)
{
    struct kvm_stats_desc d;
    char name[MAX_NAME + 1];
    uint64_t value;
    if (!read_at(fd, &d, sizeof(d), desc_off) || h->name_size == 0)
        return;
    size_t n = h->name_size < MAX_NAME ? h->name_size : MAX_NAME;
    if (!read_at(fd, name, n, desc_off + (off_t)sizeof(d)))
        return;
    name[n] = '\0';
    if ((d.flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE || d.size != 1 || !wanted(name) ||
        !read_at(fd, &value, sizeof(value), (off_t)h->data_offset + d.offset))
        return;
    fprintf(out, "%s\"%s\":%llu", *first ? "" : ",", name, (unsigned long long)value);
    *first = false;
}

/* The vCPU's counters from its stats file: false where the host has none. */
static bool report_stats_fd(struct kvm_vm *vm, FILE *out)
{
    int fd = kvm_vcpu_ioctl(vm, KVM_IOC_OTHER, KVM_GET_STATS_FD, NULL);
    struct kvm_stats_header h;
    if (fd < 0)
        return false;
    if (!read_at(fd, &h, sizeof(h), 0) || h.num_desc > 4096) {
        close(fd);
        return false;
    }
    bool first = true;
    fprintf(out, "\"hw_exits_source\":\"KVM_GET_STATS_FD\",\"hw_exits\":{");
    size_t desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
    for (uint32_t i = 0; i < h.num_desc; i++)
        report_desc(fd, &h, (off_t)h.desc_offset + (off_t)(i * desc_size), &first, out);
    fprintf(out, "}");
    close(fd);
    return true;
}

/* Older kernels: debugfs's count of all VMs' exits (this one's, where it is the only VM). */
static bool report_debugfs(FILE *out)
{
    FILE *f = fopen("/sys/kernel/debug/kvm/exits", "r");
    unsigned long long exits;
    if (!f)
        return false;
    bool ok = fscanf(f, "%llu", &exits) == 1;
    fclose(f);
    if (ok)
        fprintf(out, "\"hw_exits_source\":\"debugfs\",\"hw_exits\":{\"exits\":%llu}", exits);
    return ok;
}

static unsigned long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    unsigned long kib = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %lu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

void kvm_stats_report(struct kvm_vm *vm, unsigned long monitor_exits, FILE *out)
{
    fprintf(out, "ntvisor: bench-stats {\"monitor_exits\":%lu,\"sync_regs\":%s,\"ioctls\":{", monitor_exits,
            vm->sync_regs ? "true" : "false");
    for (int k = 0; k < KVM_IOC_KINDS; k++)
        fprintf(out, "%s\"%s\":%llu", k ? "," : "", kvm_ioctl_names[k], (unsigned long long)vm->ioctls[k]);
    fprintf(out, "},");
    if (!report_stats_fd(vm, out) && !report_debugfs(out))
        fprintf(out, "\"hw_exits_source\":null,\"hw_exits\":null");
    fprintf(out, ",\"rss_kib\":%lu}\n", rss_kib());
    fflush(out);
}
