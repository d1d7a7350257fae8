"""A minimal safetensors reader and writer in plain Python (no safetensors package on Debian).

Follows the format of huggingface/safetensors: u64 little-endian header length, JSON header
{name: {"dtype", "shape", "data_offsets"}} plus an optional "__metadata__", then the data.
Used by the golden-file generators in this folder; see README.md section "safetensors" in model/.
"""
import json
import struct

import torch

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
          "I64": (torch.int64, 8), "I32": (torch.int32, 4), "F64": (torch.float64, 8)}
NAMES = {v[0]: k for k, v in DTYPES.items()}


def save(path, tensors, metadata=None):
    """tensors: dict name -> torch tensor (insertion order kept; offsets in that order)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dim() > 0 else t.reshape(1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    data = buf[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, size = DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        raw = bytearray(data[b:e])
        t = torch.frombuffer(raw, dtype=torch.uint8).view(dtype) if e > b else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out
