/* The KVM wrapper's checks: a missing or wrong device is a clear error, never a crash; the
   registers of an exit are read once, from kvm_run's sync area where KVM fills it, and every
   vCPU ioctl is counted. */
#include <check.h>
#include "check_run.h"
#include <stdlib.h>
#include <string.h>
#include "vmm/kvm.h"

START_TEST(missing_device_is_reported)
{
    struct kvm_vm vm;
    enum kvm_error why;
    char err[256];
    ck_assert_int_eq(kvm_vm_create(&vm, "/nonexistent/kvm", 16 << 20, &why, err, sizeof(err)), -1);
    ck_assert_int_eq(why, KVM_ERR_NO_DEVICE);
    ck_assert_ptr_nonnull(strstr(err, "no KVM on this host"));
    ck_assert_int_eq(vm.kvm_fd, -1);
}
END_TEST

START_TEST(device_that_is_not_kvm_fails_the_version_check)
{
    struct kvm_vm vm;
    enum kvm_error why;
    char err[256];
    ck_assert_int_eq(kvm_vm_create(&vm, "/dev/null", 16 << 20, &why, err, sizeof(err)), -1);
    ck_assert_int_eq(why, KVM_ERR_VERSION);
    ck_assert_ptr_nonnull(strstr(err, "KVM API version -1, need 12"));
}
END_TEST

START_TEST(api_version_of_missing_device)
{
    char err[256];
    ck_assert_int_eq(kvm_api_version("/nonexistent/kvm", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/kvm"));
}
END_TEST

/* A vm with no vCPU behind it (every ioctl fails, EBADF) and a kvm_run in plain memory. */
static struct kvm_vm fake_vm(bool sync_regs)
{
    struct kvm_vm vm;
    memset(&vm, 0, sizeof(vm));
    vm.kvm_fd = vm.vm_fd = vm.vcpu_fd = -1;
    vm.run = calloc(1, sizeof(*vm.run));
    ck_assert_ptr_nonnull(vm.run);
    vm.sync_regs = sync_regs;
    return vm;
}

static uint64_t ioctls_besides_run(const struct kvm_vm *vm)
{
    uint64_t n = 0;
    for (int k = 0; k < KVM_IOC_KINDS; k++)
        n += k == KVM_IOC_RUN ? 0 : vm->ioctls[k];
    return n;
}

START_TEST(synced_registers_cost_no_ioctl)
{
    struct kvm_vm vm = fake_vm(true);
    kvm_run_vcpu(&vm);                        /* fails, but KVM would have filled the sync area */
    vm.run->s.regs.regs.rip = 0x8010d350;
    vm.run->s.regs.sregs.cr3 = 0x39000;
    struct kvm_regs *r = kvm_exit_regs(&vm);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->rip, 0x8010d350);
    ck_assert_uint_eq(kvm_exit_sregs(&vm)->cr3, 0x39000);
    ck_assert_ptr_eq(kvm_exit_regs(&vm), r);  /* one copy per exit */
    r->rflags |= 0x10000;
    kvm_exit_regs_changed(&vm);
    kvm_run_vcpu(&vm);
    /* written back through the sync area, with the next KVM_RUN */
    ck_assert_uint_eq(vm.run->kvm_dirty_regs & KVM_SYNC_X86_REGS, KVM_SYNC_X86_REGS);
    ck_assert_uint_eq(vm.run->s.regs.regs.rflags & 0x10000, 0x10000);
    ck_assert_uint_eq(vm.run->kvm_valid_regs & (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS),
                      KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS);
    ck_assert_uint_eq(ioctls_besides_run(&vm), 0);
    ck_assert_uint_eq(vm.ioctls[KVM_IOC_RUN], 2);
    free(vm.run);
}
END_TEST

START_TEST(without_sync_registers_each_is_read_by_one_ioctl)
{
    struct kvm_vm vm = fake_vm(false);
    kvm_run_vcpu(&vm);
    ck_assert_ptr_null(kvm_exit_regs(&vm));   /* no vCPU: KVM_GET_REGS fails, and says so */
    ck_assert_ptr_null(kvm_exit_sregs(&vm));
    ck_assert_uint_eq(vm.ioctls[KVM_IOC_GET_REGS], 1);
    ck_assert_uint_eq(vm.ioctls[KVM_IOC_GET_SREGS], 1);
    ck_assert_uint_eq(vm.run->kvm_valid_regs, 0);   /* the sync area is left alone */
    free(vm.run);
}
END_TEST

START_TEST(a_flush_writes_changed_registers_once)
{
    struct kvm_vm vm = fake_vm(true);
    kvm_run_vcpu(&vm);
    kvm_exit_regs(&vm)->rip -= 2;
    kvm_exit_regs_changed(&vm);
    kvm_exit_regs_flush(&vm);                 /* KVM_SET_REGS now, for KVM_SET_GUEST_DEBUG's step */
    kvm_exit_regs_flush(&vm);
    kvm_run_vcpu(&vm);
    ck_assert_uint_eq(vm.ioctls[KVM_IOC_SET_REGS], 1);
    ck_assert_uint_eq(vm.run->kvm_dirty_regs, 0);   /* not written a second time */
    free(vm.run);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvm");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, missing_device_is_reported);
    tcase_add_test(tc, device_that_is_not_kvm_fails_the_version_check);
    tcase_add_test(tc, api_version_of_missing_device);
    suite_add_tcase(s, tc);
    TCase *regs = tcase_create("exit_state");
    tcase_add_test(regs, synced_registers_cost_no_ioctl);
    tcase_add_test(regs, without_sync_registers_each_is_read_by_one_ioctl);
    tcase_add_test(regs, a_flush_writes_changed_registers_once);
    suite_add_tcase(s, regs);
    return check_run(s);
}
