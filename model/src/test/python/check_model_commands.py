"""By-hand check of `rlstream model score` and `rlstream model generate --temperature 0` against the
independent PyTorch reference forward of make_decoder_golden.py (transformers' modeling code).

Reads a model folder written by `rlstream model init` (config.json, model.safetensors F32 or BF16,
weights widened to fp32 as transformers does with torch_dtype=float32), the score requests and
the command's output, and the generate command's --json output; prints the largest differences.
Run from the repository root (Debian: apt-get install -y python3-torch):
    /usr/bin/python3 model/src/test/python/check_model_commands.py MODEL_DIR requests.jsonl scores.jsonl generate.json
Not part of CI (CI has no torch); the numbers are in model/README.md.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_decoder_golden import forward  # noqa: E402
from st_format import load  # noqa: E402


def main():
    folder, requests, scores, generated = sys.argv[1:5]
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    w = {k: v.float() for k, v in load(os.path.join(folder, "model.safetensors")).items()}
    print("model:", cfg["model_type"], cfg["torch_dtype"], "tensors", len(w),
          "lm_head stored" if "lm_head.weight" in w else "lm_head tied")

    worst = 0.0
    outs = [json.loads(line) for line in open(scores) if line.strip()]
    reqs = [json.loads(line) for line in open(requests) if line.strip()]
    assert len(outs) == len(reqs), (len(outs), len(reqs))
    for req, out in zip(reqs, outs):
        assert req["id"] == out["id"]
        ids = req["prompt_ids"] + req["response_ids"]
        logits = forward(cfg, w, torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))[0]
        lp = F.log_softmax(logits.double(), dim=-1)
        p = len(req["prompt_ids"])
        ref = [lp[p - 1 + j, t].item() for j, t in enumerate(req["response_ids"])]
        assert len(ref) == len(out["logprobs"])
        for a, b in zip(ref, out["logprobs"]):
            worst = max(worst, abs(a - b))
    print(f"score: {len(reqs)} requests, largest |reference - rlstream| = {worst:.2e}")

    g = json.load(open(generated))
    seq = list(g["prompt_ids"])
    eos = cfg["eos_token_id"] if isinstance(cfg["eos_token_id"], list) else [cfg["eos_token_id"]]
    tokens, worst_lp = [], 0.0
    for step, tok in enumerate(g["token_ids"]):
        logits = forward(cfg, w, torch.tensor([seq]), torch.ones(1, len(seq), dtype=torch.long))[0, -1]
        best = int(torch.argmax(logits))
        tokens.append(best)
        worst_lp = max(worst_lp, abs(F.log_softmax(logits.double(), -1)[best].item() - g["logprobs"][step]))
        seq.append(best)
        if best in eos:
            break
    print("generate: reference greedy tokens", tokens, "rlstream", g["token_ids"],
          "equal" if tokens == g["token_ids"] else "DIFFERENT", f"largest log-prob difference {worst_lp:.2e}")


if __name__ == "__main__":
    main()
