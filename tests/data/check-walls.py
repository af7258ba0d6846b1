#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the walls between the rooms of src/ (DESIGN.md, "The rooms").

Reads every #include "…" of every .c and .h under SOURCE_ROOT/src and fails when a file includes
a header of a room it may not use, another room's -private.h, or a header that no room holds (a
generated one aside). Usage: check-walls.py SOURCE_ROOT
"""
import os
import re
import sys

# Which rooms each room may use (itself always). The arrows point down only.
ALLOWED = {
    "trace": set(),
    "record": {"trace"},
    "study": {"record", "trace"},
    "render": {"trace"},
    "worker": {"record", "trace"},
    "cli": {"render", "study", "record", "trace"},
    "app": {"render", "study", "record", "trace"},
}
# Written by the build, not kept in a room.
GENERATED = {"config.h", "il-app-resources.h", "il-enum-types.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    root = os.path.join(sys.argv[1], "src")
    home = {}
    for room in sorted(os.listdir(root)):
        path = os.path.join(root, room)
        if not os.path.isdir(path):
            continue
        if room not in ALLOWED:
            print(f"src/{room}/ is not a room DESIGN.md names (add it to check-walls.py with its arrows)")
            return 1
        for name in os.listdir(path):
            if name.endswith(".h"):
                if name in home:
                    print(f"{name} is in both src/{home[name]}/ and src/{room}/")
                    return 1
                home[name] = room

    problems = []
    for room in sorted(ALLOWED):
        path = os.path.join(root, room)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(path, name), encoding="utf-8") as f:
                text = f.read()
            for match in INCLUDE.finditer(text):
                header = os.path.basename(match.group(1))
                line = text.count("\n", 0, match.start()) + 1
                where = f"src/{room}/{name}:{line}"
                if header in GENERATED:
                    continue
                if header not in home:
                    problems.append(f"{where}: includes {header}, which no room holds")
                    continue
                other = home[header]
                if other == room:
                    continue
                if header.endswith("-private.h"):
                    problems.append(f"{where}: includes {header}, private to src/{other}/")
                elif other not in ALLOWED[room]:
                    problems.append(f"{where}: includes {header} from src/{other}/, "
                                    f"which src/{room}/ may not use")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break a wall")
        return 1
    print(f"every #include of {len(home)} headers keeps to the walls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
