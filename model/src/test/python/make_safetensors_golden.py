"""Golden file for SafetensorsGoldenTest: how PyTorch rounds fp32 to bfloat16 and widens fp16.

Rerun (Debian: apt-get install -y python3-torch) from the repository root:
    /usr/bin/python3 model/src/test/python/make_safetensors_golden.py
It rewrites model/src/test/resources/safetensors/torch-rounding.safetensors; the Java test needs
no Python. Generated with torch 1.13 (Debian bookworm python3-torch).
"""
import os
import struct

import torch

from st_format import save

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "safetensors", "torch-rounding.safetensors")


def from_bits(bits):
    return [struct.unpack("<f", struct.pack("<I", b & 0xFFFFFFFF))[0] for b in bits]


# Hand-picked fp32 values: exact, ties (to even up and down), just above/below ties, subnormals,
# the largest finite values, infinities, negative values; then seeded random ones.
special_bits = [0x3F800000, 0x3EAAAAAB, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF,
                0x00000001, 0x00008000, 0x00018000, 0x007FFFFF, 0x7F7FFFFF, 0x7F7F7FFF, 0x7F7F8000,
                0x7F800000, 0xFF800000, 0x80000000, 0xBF818000, 0xC2F6E979, 0x33800000]
g = torch.Generator().manual_seed(16)
random_values = (torch.randn(200, generator=g) * torch.exp(torch.randn(200, generator=g) * 4)).tolist()
src = torch.tensor(from_bits(special_bits) + random_values, dtype=torch.float32)

bf16 = src.to(torch.bfloat16)
# fp16: every 61st bit pattern plus the edges (zeros, subnormals, max, infinities), minus NaNs,
# widened by torch
edges = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0x3C01, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x3555]
f16_bits = torch.tensor(edges + list(range(0, 65536, 61)), dtype=torch.int32)
f16 = f16_bits.to(torch.int16).view(torch.float16)
keep = ~torch.isnan(f16)
f16 = f16[keep]

save(OUT, {
    "source_f32": src,
    "torch_bf16": bf16,
    "bf16_widened_f32": bf16.to(torch.float32),
    "f16_sample": f16,
    "f16_sample_widened_f32": f16.to(torch.float32),
}, metadata={"format": "pt", "generator": "make_safetensors_golden.py", "torch": torch.__version__})
print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")
