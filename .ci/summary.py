#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prints 'LANE: N passed, N failed, N skipped' from meson's testlog.json
files (one per build dir given), then the total."""
import json
import sys

total = [0, 0, 0]
for spec in sys.argv[1:]:
    lane, path = spec.split("=", 1)
    counts = [0, 0, 0]
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line).get("result", "")
                if r in ("OK", "EXPECTEDFAIL"):
                    counts[0] += 1
                elif r == "SKIP":
                    counts[2] += 1
                else:
                    counts[1] += 1
    except OSError:
        counts[1] += 1  # a lane that left no log failed
    print(f"{lane}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
    total = [a + b for a, b in zip(total, counts)]
print(f"total: {total[0]} passed, {total[1]} failed, {total[2]} skipped")
