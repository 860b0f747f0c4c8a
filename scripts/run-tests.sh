#!/usr/bin/env bash
# Runs test programs one after another, shows their output, and closes with
# one line that totals what Check reported: "N passed, N failed".
# A program that dies without Check's summary counts as one failure.
set -u
passed=0
failed=0
for t in "$@"; do
    label=$t   # a long command (the e2e suite's lab run names every input) is shown cut short
    [ ${#label} -gt 120 ] && label="${label:0:100} ... (${#t} characters)"
    echo "== $label"
    out=$(mktemp)
    eval "$t" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    summary=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$summary" ]; then
        echo "== $label: exited with $rc and no Check summary"
        failed=$((failed + 1))
        continue
    fi
    checks=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 + \2/' <<<"$summary")
    bad=$((bad))
    passed=$((passed + checks - bad))
    failed=$((failed + bad))
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        echo "== $label: exited with $rc"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
