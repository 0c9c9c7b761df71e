"""Rewrites the siglip2_vision + siglip2_text pair of a golden copy in another shape, without recomputing anything.

The generator scripts of ../shared/golden-gen only cover the t2i cases. For the SigLIP-2 pair the batch rows are
independent, so a permutation or a subset of the rows of every batch-first tensor is again a valid case:
  - siglip2_vision: the two images swapped (order P), every tensor of io.safetensors permuted along dim 0;
  - siglip2_text:   texts S (a subset: 3 → 2, so the logits change shape, the full-length row moves), image rows P (in.image_embeds is the
                    vision case's out.pooler_output, copied bit for bit, so it follows P), the logits reindexed
                    [S, P] / [P, S]; config.json's lengths and batch sizes follow.
Weights are untouched. Every tensor keeps its bytes, dtype and the golden-v1 file layout.

usage: python3 permute_cases.py <golden copy>   (numpy only; edits the copy in place)
"""
import json
import os
import struct
import sys

import numpy as np

VISION_ORDER = [1, 0]   # P: a permutation of the 2 images
TEXT_ROWS = [1, 2]      # S: 2 of the 3 texts; the one filling all 16 positions moves from row 1 to row 0

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "U8": "u1", "I32": "<i4"}


def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", None)
    tensors = {}
    for k, v in header.items():
        lo, hi = v["data_offsets"]
        tensors[k] = (v["dtype"], np.frombuffer(b[8 + n + lo:8 + n + hi], dtype=DTYPES[v["dtype"]]).reshape(v["shape"]))
    return tensors, meta


def save(path, tensors, meta):
    """golden-v1: keys sorted, __metadata__ last, header padded with spaces to 8 bytes, data contiguous, sorted."""
    header, blobs, offset = {}, [], 0
    for k in sorted(tensors):
        dtype, a = tensors[k]
        raw = np.ascontiguousarray(a, dtype=DTYPES[dtype]).tobytes()
        header[k] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if meta is not None:
        header["__metadata__"] = meta
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-(8 + len(h)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    back, _ = load(path)
    assert all(back[k][0] == d and np.array_equal(back[k][1], a) for k, (d, a) in tensors.items()), path


def rows(tensors, key, order):
    dtype, a = tensors[key]
    tensors[key] = (dtype, a[order])


def vision(case):
    io = os.path.join(case, "io.safetensors")
    t, meta = load(io)
    cfg = json.load(open(os.path.join(case, "config.json")))
    for k in t:
        assert t[k][1].shape[0] == cfg["batch"], (k, t[k][1].shape)
        rows(t, k, VISION_ORDER)
    save(io, t, meta)
    cfg["variant"] = f"rows {VISION_ORDER} of the shared case (permuted, nothing recomputed)"
    write_json(os.path.join(case, "config.json"), cfg)


def text(case):
    io = os.path.join(case, "io.safetensors")
    t, meta = load(io)
    cfg = json.load(open(os.path.join(case, "config.json")))
    n_text, n_image = cfg["pairing"]["text_batch"], cfg["pairing"]["image_batch"]
    for k in list(t):
        if k in ("in.image_embeds", "out.image_embeds_normalized"):
            assert t[k][1].shape[0] == n_image, k
            rows(t, k, VISION_ORDER)
        elif k == "out.logits_per_text":
            t[k] = (t[k][0], t[k][1][TEXT_ROWS][:, VISION_ORDER])
        elif k == "out.logits_per_image":
            t[k] = (t[k][0], t[k][1][VISION_ORDER][:, TEXT_ROWS])
        else:
            assert t[k][1].shape[0] == n_text, (k, t[k][1].shape)
            rows(t, k, TEXT_ROWS)
    save(io, t, meta)
    cfg["input"]["lengths_incl_eos"] = [cfg["input"]["lengths_incl_eos"][i] for i in TEXT_ROWS]
    cfg["pairing"]["text_batch"] = len(TEXT_ROWS)
    cfg["variant"] = (f"text rows {TEXT_ROWS} and image rows {VISION_ORDER} of the shared case "
                      "(subset/permuted, nothing recomputed)")
    write_json(os.path.join(case, "config.json"), cfg)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    root = sys.argv[1]
    vision(os.path.join(root, "siglip2_vision"))
    text(os.path.join(root, "siglip2_text"))
    print(f"permuted siglip2_vision (rows {VISION_ORDER}) and siglip2_text (texts {TEXT_ROWS}) in {root}")
