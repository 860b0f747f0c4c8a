/* What every Check test program's main does: run the suite, exit 1 if anything failed. */
#ifndef NTVISOR_TEST_CHECK_RUN_H
#define NTVISOR_TEST_CHECK_RUN_H

#include <check.h>

static inline int check_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#endif
