/* The KVM wrapper's checks: a missing or wrong device is a clear error, never a crash. */
#include <check.h>
#include "check_run.h"
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

int main(void)
{
    Suite *s = suite_create("kvm");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, missing_device_is_reported);
    tcase_add_test(tc, device_that_is_not_kvm_fails_the_version_check);
    tcase_add_test(tc, api_version_of_missing_device);
    suite_add_tcase(s, tc);
    return check_run(s);
}
