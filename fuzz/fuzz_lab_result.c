/*
 * The lab's result-stream parser (vmm/lab/result.c): the input is what the
 * lab's /init would send on ttyS3, fed in pieces whose sizes come from the
 * input's first byte, so that every record boundary falls mid-read too.
 * The two requested outputs are written to /dev/null.
 */
#include <stdint.h>
#include <stdlib.h>
#include "vmm/lab/result.h"

static const struct lab_file outputs[] = {
    { "/dev/null", "/ntv/work/trace.jsonl" },
    { "/dev/null", "/ntv/out" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t step = 1 + (data[0] & 0x3F), i = 1;
    struct lab_result *r = lab_result_new(outputs, 2);
    if (!r)
        abort();
    int rc = 0;
    while (i < size && rc == 0) {
        size_t n = size - i < step ? size - i : step;
        rc = lab_result_feed(r, data + i, n);
        i += n;
        step = step * 5 % 61 + 1;   /* vary the piece sizes */
    }
    if (rc == 1 && !lab_result_done(r))
        abort();
    if (rc == -1 && !lab_result_error(r))
        abort();
    lab_result_status(r);
    lab_result_started(r);
    lab_result_failure(r);
    lab_result_found(r, 0);
    lab_result_found(r, 1);
    lab_result_free(r);
    return 0;
}
