"""Golden file for TokenSamplerGoldenTest: the distribution transformers samples from.

Random logits rows, each with a temperature, top_k and top_p, put through a copy of transformers'
logits warpers (src/transformers/generation/logits_process.py: TemperatureLogitsWarper,
TopKLogitsWarper, TopPLogitsWarper with min_tokens_to_keep=1, filter_value=-inf, applied in the
order _get_logits_processor applies them: temperature, top-k, top-p), then log_softmax, in fp32 as
transformers computes them. Cases where a cumulative probability lies within 1e-5 of 1 - top_p
(where fp32 and the Java code's double sums could disagree about the boundary) are redrawn.

Rerun from the repository root (Debian: apt-get install -y python3-torch):
    /usr/bin/python3 model/src/test/python/make_sampling_golden.py
It rewrites model/src/test/resources/sampling/golden.safetensors. Generated with torch 1.13.
"""
import os

import torch

from st_format import save

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "sampling", "golden.safetensors")


# ---- transformers' warpers, as in logits_process.py ---------------------------------------------

def temperature_warper(scores, temperature):
    return scores / temperature


def top_k_warper(scores, top_k, filter_value=-float("inf"), min_tokens_to_keep=1):
    top_k = min(max(top_k, min_tokens_to_keep), scores.size(-1))
    indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
    return scores.masked_fill(indices_to_remove, filter_value)


def top_p_warper(scores, top_p, filter_value=-float("inf"), min_tokens_to_keep=1):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
    sorted_indices_to_remove[..., -min_tokens_to_keep:] = 0
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, filter_value), cumulative_probs


def main():
    g = torch.Generator().manual_seed(16)
    vocab = 50
    temperatures = [0.3, 0.7, 1.0, 1.5]
    top_ks = [0, 5, 20]
    top_ps = [1.0, 0.95, 0.8, 0.5, 0.1]
    rows, params, expected = [], [], []
    redrawn = 0
    for t in temperatures:
        for k in top_ks:
            for p in top_ps:
                while True:
                    scale = float(torch.empty(1).uniform_(0.5, 4.0, generator=g))
                    logits = torch.randn(1, vocab, generator=g) * scale
                    s = temperature_warper(logits, t)
                    if k > 0:  # transformers adds TopKLogitsWarper only for top_k != 0
                        s = top_k_warper(s, k)
                    cum = None
                    if p < 1.0:  # and TopPLogitsWarper only for top_p < 1
                        s, cum = top_p_warper(s, p)
                    if cum is not None and bool(((cum - (1 - p)).abs() < 1e-5).any()):
                        redrawn += 1
                        continue
                    break
                rows.append(logits[0])
                params.append([t, k, p])
                expected.append(torch.log_softmax(s, dim=-1)[0])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save(OUT, {"logits": torch.stack(rows).float(), "params": torch.tensor(params, dtype=torch.float64),
               "logprobs": torch.stack(expected).float()}, {"format": "pt"})
    print("wrote", OUT, len(rows), "cases,", redrawn, "redrawn near the top-p boundary")


if __name__ == "__main__":
    main()
