/*
 * Raw KVM ioctls: API version and capability checks, VM creation with an
 * in-kernel interrupt controller and PIT, guest memory, one vCPU with the
 * host-supported CPUID.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "base/errbuf.h"
#include "kvm.h"

/* Where VMX wants its real-mode TSS and identity map: above guest RAM, below 4 GiB. */
#define KVM_TSS_ADDRESS          0xFFFBD000u
#define KVM_IDENTITY_MAP_ADDRESS 0xFFFBC000u
#define KVM_CPUID_MAX_ENTRIES    256

static int open_kvm(const char *path, enum kvm_error *why, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (e == ENOENT || e == ENXIO || e == ENODEV) {
        *why = KVM_ERR_NO_DEVICE;
        return errbuf_fail(err, errlen,
                "%s: no KVM on this host (%s); load kvm_intel or kvm_amd", path, strerror(e));
    }
    if (e == EACCES || e == EPERM) {
        *why = KVM_ERR_PERMISSION;
        return errbuf_fail(err, errlen, "%s: permission denied; add your user to the kvm group", path);
    }
    *why = KVM_ERR_SYSTEM;
    return errbuf_fail(err, errlen, "%s: %s", path, strerror(e));
}

int kvm_api_version(const char *path, char *err, size_t errlen)
{
    enum kvm_error why;
    int fd = open_kvm(path, &why, err, errlen);
    if (fd < 0)
        return -1;
    int v = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v < 0)
        errbuf_fail(err, errlen, "KVM_GET_API_VERSION: %s", strerror(errno));
    close(fd);
    return v;
}

const char *const kvm_ioctl_names[KVM_IOC_KINDS] = {
    "KVM_RUN", "KVM_GET_REGS", "KVM_SET_REGS", "KVM_GET_SREGS", "KVM_SET_SREGS",
    "KVM_GET_MSRS", "KVM_SET_MSRS", "KVM_SET_GUEST_DEBUG", "KVM_GET_MP_STATE", "other",
};

int kvm_vcpu_ioctl(struct kvm_vm *vm, enum kvm_ioctl_kind kind, unsigned long request, void *arg)
{
    vm->ioctls[kind < KVM_IOC_KINDS ? kind : KVM_IOC_OTHER]++;
    return ioctl(vm->vcpu_fd, request, arg);
}

#define SYNC_REGS_WANTED (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

/* Registers changed at this exit go to the vCPU: through the sync area, else by KVM_SET_REGS. */
static int write_back_regs(struct kvm_vm *vm)
{
    if (!vm->exit.regs_changed)
        return 0;
    vm->exit.regs_changed = false;
    if (vm->sync_regs) {
        vm->run->s.regs.regs = vm->exit.regs;
        vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        return 0;
    }
    return kvm_vcpu_ioctl(vm, KVM_IOC_SET_REGS, KVM_SET_REGS, &vm->exit.regs);
}

int kvm_exit_regs_flush(struct kvm_vm *vm)
{
    if (!vm->exit.regs_changed)
        return 0;
    vm->exit.regs_changed = false;
    vm->run->kvm_dirty_regs &= ~(uint64_t)KVM_SYNC_X86_REGS;
    return kvm_vcpu_ioctl(vm, KVM_IOC_SET_REGS, KVM_SET_REGS, &vm->exit.regs);
}

int kvm_run_vcpu(struct kvm_vm *vm)
{
    if (write_back_regs(vm) < 0)
        return -1;
    vm->exit.have_regs = vm->exit.have_sregs = false;
    if (vm->sync_regs)
        vm->run->kvm_valid_regs = SYNC_REGS_WANTED;
    int rc = kvm_vcpu_ioctl(vm, KVM_IOC_RUN, KVM_RUN, 0);
    int e = errno;
    vm->sync_fresh = vm->sync_regs;   /* KVM stores them on every return, EINTR included */
    errno = e;
    return rc;
}

struct kvm_regs *kvm_exit_regs(struct kvm_vm *vm)
{
    struct kvm_exit_state *x = &vm->exit;
    if (!x->have_regs) {
        if (vm->sync_fresh)
            x->regs = vm->run->s.regs.regs;
        else if (kvm_vcpu_ioctl(vm, KVM_IOC_GET_REGS, KVM_GET_REGS, &x->regs) < 0)
            return NULL;
        x->have_regs = true;
    }
    return &x->regs;
}

struct kvm_sregs *kvm_exit_sregs(struct kvm_vm *vm)
{
    struct kvm_exit_state *x = &vm->exit;
    if (!x->have_sregs) {
        if (vm->sync_fresh)
            x->sregs = vm->run->s.regs.sregs;
        else if (kvm_vcpu_ioctl(vm, KVM_IOC_GET_SREGS, KVM_GET_SREGS, &x->sregs) < 0)
            return NULL;
        x->have_sregs = true;
    }
    return &x->sregs;
}

void kvm_exit_regs_changed(struct kvm_vm *vm)
{
    if (vm->exit.have_regs)   /* no copy, nothing the caller can have changed */
        vm->exit.regs_changed = true;
}

static const struct { long cap; const char *name; } required_caps[] = {
    { KVM_CAP_USER_MEMORY,    "KVM_CAP_USER_MEMORY" },
    { KVM_CAP_IRQCHIP,        "KVM_CAP_IRQCHIP" },
    { KVM_CAP_PIT2,           "KVM_CAP_PIT2" },
    { KVM_CAP_EXT_CPUID,      "KVM_CAP_EXT_CPUID" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int check_caps(int kvm_fd, enum kvm_error *why, char *err, size_t errlen)
{
    int v = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
    if (v != KVM_REQUIRED_API_VERSION) {
        *why = KVM_ERR_VERSION;
        return errbuf_fail(err, errlen, "KVM API version %d, need %d", v, KVM_REQUIRED_API_VERSION);
    }
    for (size_t i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
        if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
            *why = KVM_ERR_CAPABILITY;
            return errbuf_fail(err, errlen, "this KVM lacks %s", required_caps[i].name);
        }
    }
    return 0;
}

static int setup_cpuid(struct kvm_vm *vm, char *err, size_t errlen)
{
    size_t size = sizeof(struct kvm_cpuid2) + KVM_CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
    struct kvm_cpuid2 *cpuid = calloc(1, size);
    if (!cpuid)
        return errbuf_fail(err, errlen, "out of memory");
    cpuid->nent = KVM_CPUID_MAX_ENTRIES;
    int rc = ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
    if (rc == 0)
        rc = kvm_vcpu_ioctl(vm, KVM_IOC_OTHER, KVM_SET_CPUID2, cpuid);
    if (rc < 0)
        errbuf_fail(err, errlen, "CPUID setup: %s", strerror(errno));
    free(cpuid);
    return rc;
}

int kvm_vm_create(struct kvm_vm *vm, const char *path, size_t mem_size, enum kvm_error *why,
                  char *err, size_t errlen)
{
    memset(vm, 0, sizeof(*vm));
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    vm->mem = MAP_FAILED;
    *why = KVM_ERR_NONE;

    vm->kvm_fd = open_kvm(path, why, err, errlen);
    if (vm->kvm_fd < 0 || check_caps(vm->kvm_fd, why, err, errlen) < 0)
        goto out;
    *why = KVM_ERR_SYSTEM;

    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        errbuf_fail(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
        goto out;
    }
    /* VMX needs these two pages even though the guest never uses real mode */
    if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDRESS) < 0) {
        errbuf_fail(err, errlen, "KVM_SET_TSS_ADDR: %s", strerror(errno));
        goto out;
    }
    uint64_t identity = KVM_IDENTITY_MAP_ADDRESS;
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
        ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0) {
        errbuf_fail(err, errlen, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
        goto out;
    }
    if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        errbuf_fail(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
        goto out;
    }
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        errbuf_fail(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
        goto out;
    }

    vm->mem_size = mem_size;
    vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        errbuf_fail(err, errlen, "cannot allocate %zu MiB of guest memory: %s", mem_size >> 20, strerror(errno));
        goto out;
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = mem_size, .userspace_addr = (uintptr_t)vm->mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        errbuf_fail(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
        goto out;
    }

    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0) {
        errbuf_fail(err, errlen, "KVM_CREATE_VCPU: %s", strerror(errno));
        goto out;
    }
    int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run)) {
        errbuf_fail(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
        goto out;
    }
    vm->run_size = (size_t)run_size;
    vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED) {
        vm->run = NULL;
        errbuf_fail(err, errlen, "mmap kvm_run: %s", strerror(errno));
        goto out;
    }
    if (setup_cpuid(vm, err, errlen) < 0)
        goto out;
    /* optional: without it, one KVM_GET_REGS/SREGS per exit that needs them */
    int sync = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    vm->sync_regs = sync > 0 && (sync & SYNC_REGS_WANTED) == SYNC_REGS_WANTED && !getenv("NTVISOR_NO_SYNC_REGS");
    *why = KVM_ERR_NONE;
    return 0;

out:
    kvm_vm_destroy(vm);
    return -1;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
    if (vm->run)
        munmap(vm->run, vm->run_size);
    if (vm->mem != MAP_FAILED && vm->mem)
        munmap(vm->mem, vm->mem_size);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    vm->run = NULL;
    vm->mem = NULL;
    vm->vcpu_fd = vm->vm_fd = vm->kvm_fd = -1;
}

struct one_msr {
    struct kvm_msrs hdr;
    struct kvm_msr_entry e;
};

int kvm_get_msr(struct kvm_vm *vm, uint32_t index, uint64_t *value)
{
    struct one_msr m;
    memset(&m, 0, sizeof(m));
    m.hdr.nmsrs = 1;
    m.e.index = index;
    if (kvm_vcpu_ioctl(vm, KVM_IOC_GET_MSRS, KVM_GET_MSRS, &m) != 1)
        return -1;
    *value = m.e.data;
    return 0;
}

int kvm_set_msr(struct kvm_vm *vm, uint32_t index, uint64_t value)
{
    struct one_msr m;
    memset(&m, 0, sizeof(m));
    m.hdr.nmsrs = 1;
    m.e.index = index;
    m.e.data = value;
    return kvm_vcpu_ioctl(vm, KVM_IOC_SET_MSRS, KVM_SET_MSRS, &m) == 1 ? 0 : -1;
}

int kvm_trap_msr_writes(struct kvm_vm *vm, const uint32_t *msrs, size_t n, char *err, size_t errlen)
{
    if (n > KVM_MSR_FILTER_MAX_RANGES)
        return errbuf_fail(err, errlen, "KVM_X86_SET_MSR_FILTER: %zu MSRs, at most %d", n, KVM_MSR_FILTER_MAX_RANGES);
    struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return errbuf_fail(err, errlen, "KVM_CAP_X86_USER_SPACE_MSR: %s", strerror(errno));
    static uint8_t deny[1] = { 0 };     /* a clear bit: the access exits to the monitor */
    struct kvm_msr_filter f;
    memset(&f, 0, sizeof(f));
    f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    for (size_t i = 0; i < n; i++) {
        f.ranges[i].flags = KVM_MSR_FILTER_WRITE;
        f.ranges[i].base = msrs[i];
        f.ranges[i].nmsrs = 1;
        f.ranges[i].bitmap = deny;
    }
    if (ioctl(vm->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0)
        return errbuf_fail(err, errlen, "KVM_X86_SET_MSR_FILTER: %s", strerror(errno));
    return 0;
}
