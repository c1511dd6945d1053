#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Embed the linked systrap stub: its flat image as a C array, and the offsets
of its exported symbols (the syscall sites) as constants for the Sentry."""
import subprocess
import sys

elf, objcopy, nm, out_c, out_h = sys.argv[1:6]
BASE = 0x7ffff0000000
flat = out_c + ".bin"
subprocess.run([objcopy, "-O", "binary", elf, flat], check=True)
data = open(flat, "rb").read()
syms = {}
for line in subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout.splitlines():
    addr, kind, name = line.split()
    if kind == "T" and name.startswith("stub_"):
        syms[name] = int(addr, 16) - BASE
if syms.get("stub_image_start") != 0:
    sys.exit("embed_stub: the image must start with stub_image_start")
with open(out_h, "w") as f:
    f.write("/* Generated from the systrap stub by embed_stub.py: do not edit. */\n#pragma once\n")
    f.write("#include <stddef.h>\n#include <stdint.h>\n\n")
    for name, off in sorted(syms.items()):
        f.write(f"#define {name.upper()}_OFF {off:#x}\n")
    f.write("\nextern const uint8_t systrap_stub_image[];\nextern const size_t systrap_stub_image_size;\n")
with open(out_c, "w") as f:
    f.write("/* Generated from the systrap stub by embed_stub.py: do not edit. */\n")
    f.write("#include <stddef.h>\n#include <stdint.h>\n\n")
    f.write("const uint8_t systrap_stub_image[] __attribute__((aligned(4096))) = {\n")
    for i in range(0, len(data), 12):
        f.write("\t" + ", ".join(f"0x{b:02x}" for b in data[i:i + 12]) + ",\n")
    f.write("};\n")
    f.write(f"const size_t systrap_stub_image_size = {len(data)};\n")
