"""Golden files for DecoderGoldenTest: tiny random llama, qwen2 and qwen3 models and their logits.

An independent reference forward in plain PyTorch that follows transformers' modeling code
(src/transformers/models/llama/modeling_llama.py, qwen2/modeling_qwen2.py, qwen3/modeling_qwen3.py
and modeling_rope_utils.py's _compute_default_rope_parameters / _compute_llama3_parameters):
RMSNorm in fp32 then weight * x, rotary embeddings with rotate_half (half-split), repeat_kv for
grouped-query attention, eager attention with softmax in fp32, SwiGLU MLP, tied or untied lm_head,
position ids of left-padded rows from the attention mask (cumsum - 1, as generate() does).

Rerun from the repository root (Debian bookworm: apt-get install -y python3-torch; no transformers
or safetensors package needed):
    /usr/bin/python3 model/src/test/python/make_decoder_golden.py
It rewrites model/src/test/resources/decoder/<arch>/{config.json, model.safetensors, golden.safetensors}.
The Java tests need no Python. Generated with torch 1.13.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from st_format import save, load

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "decoder")

# ---- the reference forward -------------------------------------------------------------------


def rms_norm(x, weight, eps):
    input_dtype = x.dtype
    x = x.to(torch.float32)
    variance = x.pow(2).mean(-1, keepdim=True)
    x = x * torch.rsqrt(variance + eps)
    return weight * x.to(input_dtype)


def default_inv_freq(cfg):
    base = cfg["rope_theta"]
    dim = cfg["head_dim"]
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def llama3_inv_freq(inv_freq, rope_scaling):
    factor = rope_scaling["factor"]
    low_freq_factor = rope_scaling["low_freq_factor"]
    high_freq_factor = rope_scaling["high_freq_factor"]
    old_context_len = rope_scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def rotary_cos_sin(inv_freq, position_ids):
    inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    position_ids_expanded = position_ids[:, None, :].float()
    freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin):
    cos = cos.unsqueeze(1)
    sin = sin.unsqueeze(1)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(hidden_states, n_rep):
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


def attention(cfg, w, i, x, cos, sin, mask):
    p = f"model.layers.{i}.self_attn."
    bsz, q_len, _ = x.shape
    hidden_shape = (bsz, q_len, -1, cfg["head_dim"])
    q = F.linear(x, w[p + "q_proj.weight"], w.get(p + "q_proj.bias")).view(hidden_shape)
    k = F.linear(x, w[p + "k_proj.weight"], w.get(p + "k_proj.bias")).view(hidden_shape)
    v = F.linear(x, w[p + "v_proj.weight"], w.get(p + "v_proj.bias")).view(hidden_shape)
    if cfg["model_type"] == "qwen3":
        q = rms_norm(q, w[p + "q_norm.weight"], cfg["rms_norm_eps"])
        k = rms_norm(k, w[p + "k_norm.weight"], cfg["rms_norm_eps"])
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    q, k = apply_rotary_pos_emb(q, k, cos, sin)
    n_rep = cfg["num_attention_heads"] // cfg["num_key_value_heads"]
    k = repeat_kv(k, n_rep)
    v = repeat_kv(v, n_rep)
    scores = torch.matmul(q, k.transpose(2, 3)) * cfg["head_dim"] ** -0.5
    scores = scores + mask
    probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    out = torch.matmul(probs, v).transpose(1, 2).reshape(bsz, q_len, -1).contiguous()
    return F.linear(out, w[p + "o_proj.weight"], w.get(p + "o_proj.bias"))


def mlp(w, i, x):
    p = f"model.layers.{i}.mlp."
    return F.linear(F.silu(F.linear(x, w[p + "gate_proj.weight"])) * F.linear(x, w[p + "up_proj.weight"]),
                    w[p + "down_proj.weight"])


def forward(cfg, w, input_ids, attention_mask):
    """Logits (B, T, V) of a left-padded batch."""
    position_ids = attention_mask.long().cumsum(-1) - 1
    position_ids.masked_fill_(attention_mask == 0, 1)
    inv_freq = default_inv_freq(cfg)
    if cfg.get("rope_scaling"):
        inv_freq = llama3_inv_freq(inv_freq, cfg["rope_scaling"])
    cos, sin = rotary_cos_sin(inv_freq, position_ids)
    bsz, t = input_ids.shape
    min_value = torch.finfo(torch.float32).min
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    allowed = causal[None, :, :] & attention_mask.bool()[:, None, :]
    mask = torch.zeros(bsz, 1, t, t).masked_fill(~allowed[:, None, :, :], min_value)

    x = F.embedding(input_ids, w["model.embed_tokens.weight"])
    eps = cfg["rms_norm_eps"]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        x = x + attention(cfg, w, i, rms_norm(x, w[p + "input_layernorm.weight"], eps), cos, sin, mask)
        x = x + mlp(w, i, rms_norm(x, w[p + "post_attention_layernorm.weight"], eps))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return F.linear(x, head)

# ---- tiny random models ----------------------------------------------------------------------


def config(model_type, **overrides):
    cfg = {
        "architectures": [{"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM",
                           "qwen3": "Qwen3ForCausalLM"}[model_type]],
        "model_type": model_type,
        "vocab_size": 64, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "rope_scaling": None,
        "tie_word_embeddings": False, "attention_bias": False, "max_position_embeddings": 128,
        "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "torch_dtype": "float32",
        "use_cache": True,
    }
    cfg.update(overrides)
    return cfg


def random_weights(cfg, g):
    h, hd = cfg["hidden_size"], cfg["head_dim"]
    nq, nkv, inter = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd, cfg["intermediate_size"]
    qkv_bias = cfg["model_type"] == "qwen2" or cfg["attention_bias"]
    o_bias = cfg["model_type"] != "qwen2" and cfg["attention_bias"]

    def n(*shape, std):
        return torch.randn(*shape, generator=g) * std

    def norm(dim):
        return 1.0 + n(dim, std=0.2)

    w = {"model.embed_tokens.weight": n(cfg["vocab_size"], h, std=1.0)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = n(nq, h, std=h ** -0.5)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = n(nq, std=0.3)
        w[p + "self_attn.k_proj.weight"] = n(nkv, h, std=h ** -0.5)
        if qkv_bias:
            w[p + "self_attn.k_proj.bias"] = n(nkv, std=0.3)
        w[p + "self_attn.v_proj.weight"] = n(nkv, h, std=h ** -0.5)
        if qkv_bias:
            w[p + "self_attn.v_proj.bias"] = n(nkv, std=0.3)
        w[p + "self_attn.o_proj.weight"] = n(h, nq, std=nq ** -0.5)
        if o_bias:
            w[p + "self_attn.o_proj.bias"] = n(h, std=0.3)
        if cfg["model_type"] == "qwen3":
            w[p + "self_attn.q_norm.weight"] = norm(hd)
            w[p + "self_attn.k_norm.weight"] = norm(hd)
        w[p + "mlp.gate_proj.weight"] = n(inter, h, std=h ** -0.5)
        w[p + "mlp.up_proj.weight"] = n(inter, h, std=h ** -0.5)
        w[p + "mlp.down_proj.weight"] = n(h, inter, std=inter ** -0.5)
        w[p + "input_layernorm.weight"] = norm(h)
        w[p + "post_attention_layernorm.weight"] = norm(h)
    w["model.norm.weight"] = norm(h)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = n(cfg["vocab_size"], h, std=h ** -0.5)
    return w


CASES = {
    # Llama 3 layout with llama3 rope scaling chosen so that head_dim 8's four frequencies fall in
    # every band: wavelengths 6.3 (kept), 62.8 (interpolated), 628 and 6283 (divided by 8)
    "llama": config("llama", rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                           "high_freq_factor": 4.0, "original_max_position_embeddings": 128}),
    # Qwen2.5 layout: q/k/v biases, tied embeddings, rope_theta 1e6; weights stored as BF16
    "qwen2": config("qwen2", tie_word_embeddings=True, rope_theta=1000000.0, torch_dtype="bfloat16"),
    # Qwen3 layout: explicit head_dim 16 != hidden / heads, q_norm/k_norm; attention_bias on to cover
    # the o_proj bias (real Qwen3 checkpoints have it off)
    "qwen3": config("qwen3", head_dim=16, attention_bias=True, tie_word_embeddings=True, rope_theta=1000000.0),
}


def main():
    g = torch.Generator().manual_seed(16)
    # left-padded batch: lengths 7, 4 and 1, pad id 0
    lengths = [7, 4, 1]
    t = max(lengths)
    input_ids = torch.zeros(len(lengths), t, dtype=torch.int64)
    attention_mask = torch.zeros(len(lengths), t, dtype=torch.int64)
    for r, n in enumerate(lengths):
        input_ids[r, t - n:] = torch.randint(3, 64, (n,), generator=g)
        attention_mask[r, t - n:] = 1
    for name, cfg in CASES.items():
        w = random_weights(cfg, g)
        if cfg["torch_dtype"] == "bfloat16":
            stored = {k: v.to(torch.bfloat16) for k, v in w.items()}
            w = {k: v.float() for k, v in stored.items()}  # the reference sees the rounded weights
        else:
            stored = w
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        save(os.path.join(folder, "model.safetensors"), stored, metadata={"format": "pt"})
        assert all(torch.equal(load(os.path.join(folder, "model.safetensors"))[k].float(), w[k]) for k in w)
        with torch.no_grad():
            logits = forward(cfg, w, input_ids, attention_mask)
            # sanity of the reference itself: each row alone gives the same logits as in the batch
            for r, n in enumerate(lengths):
                alone = forward(cfg, w, input_ids[r:r + 1, t - n:], attention_mask[r:r + 1, t - n:])
                assert torch.allclose(alone[0], logits[r, t - n:], atol=1e-5), name
        save(os.path.join(folder, "golden.safetensors"), {
            "input_ids": input_ids, "attention_mask": attention_mask, "logits": logits.contiguous(),
        }, metadata={"generator": "make_decoder_golden.py", "torch": torch.__version__})
        print(name, "logits std", float(logits[attention_mask.bool()].std()),
              "files", sorted(os.listdir(folder)))


if __name__ == "__main__":
    main()
