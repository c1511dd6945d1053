#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the built vDSO (a tiny shared object) into a C array the Sentry maps into guests."""
import sys

data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "w") as f:
    f.write("/* Generated from the vDSO image by embed.py: do not edit. */\n")
    f.write("#include <stddef.h>\n#include <stdint.h>\n\n")
    f.write("const uint8_t vdso_image[] __attribute__((aligned(4096))) = {\n")
    for i in range(0, len(data), 12):
        f.write("\t" + ", ".join(f"0x{b:02x}" for b in data[i:i + 12]) + ",\n")
    f.write("};\n")
    f.write(f"const size_t vdso_image_size = {len(data)};\n")
