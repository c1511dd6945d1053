#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate syscall_table.c from syscall_64.tbl.

Handlers are declared weak: a row whose handler is not (yet) linked in gets a
NULL entry and the dispatcher reports ENOSYS for it.
"""
import sys

SUPPORT = {"full": "SUPPORT_FULL", "partial": "SUPPORT_PARTIAL",
           "enosys": "SUPPORT_ENOSYS", "eperm": "SUPPORT_EPERM"}


def read_rows(tbl):
    rows = []
    for line in open(tbl):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        nr, name, entry, support = int(cols[0]), cols[1], cols[2], cols[3]
        if support.startswith("cap:"):
            support = "eperm"
        args = cols[4] if len(cols) > 4 else "-"
        note = cols[5] if len(cols) > 5 and cols[5] != "-" else ""
        rows.append((nr, name, entry, support, note, args))
    return rows


def write_doc(rows, out):
    counts = {k: sum(1 for r in rows if r[3] == k) for k in SUPPORT}
    label = {"full": "yes", "partial": "partial", "enosys": "no (ENOSYS)", "eperm": "no (EPERM)"}
    with open(out, "w") as f:
        f.write("# Linux system call compatibility (x86-64)\n\n")
        f.write("Generated from `src/sentry/syscalls/syscall_64.tbl` by `gen_table.py --doc`; do not edit.\n")
        f.write("`make compat-table` regenerates it; a test fails when it is stale.\n\n")
        f.write(f"Full: {counts['full']}, partial: {counts['partial']}, "
                f"unsupported: {counts['enosys'] + counts['eperm']} (of {len(rows)}).\n\n")
        f.write("| # | system call | supported | notes |\n|---:|---|---|---|\n")
        for nr, name, _, support, note, _ in rows:
            f.write(f"| {nr} | `{name}` | {label[support]} | {note} |\n")


def main():
    if sys.argv[1] == "--doc":
        write_doc(read_rows(sys.argv[2]), sys.argv[3])
        return
    tbl, out, decls = sys.argv[1], sys.argv[2], sys.argv[3]
    rows = [(nr, name, entry, SUPPORT[support], args) for nr, name, entry, support, _, args in read_rows(tbl)]
    with open(decls, "w") as f:
        f.write("/* Generated from syscall_64.tbl by gen_table.py: do not edit. */\n#pragma once\n\n")
        f.write("struct task;\nstruct syscall_args;\n\n")
        for _, _, entry, _, _ in rows:
            if entry != "-":
                f.write(f"long {entry}(struct task *t, const struct syscall_args *a);\n")
    with open(out, "w") as f:
        f.write("/* Generated from syscall_64.tbl by gen_table.py: do not edit. */\n")
        f.write('#include "sentry/syscalls/syscalls.h"\n\n')
        for _, _, entry, _, _ in rows:
            if entry != "-":
                f.write(f"#pragma weak {entry}\n")
        f.write("\nconst struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE] = {\n")
        for nr, name, entry, support, args in rows:
            fn = entry if entry != "-" else "NULL"
            spec = "NULL" if args == "-" else f'"{"" if args == "void" else args}"'
            f.write(f'\t[{nr}] = {{ "{name}", {fn}, {support}, {spec} }},\n')
        f.write("};\n")


if __name__ == "__main__":
    main()
