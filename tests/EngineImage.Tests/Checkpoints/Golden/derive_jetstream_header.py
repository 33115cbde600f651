#!/usr/bin/env python3
"""Derives the safetensors header JetStream-PyTorch's converter writes for a Hugging Face Llama checkpoint.

The rules below restate google/jetstream-pytorch's convert_checkpoints.py (removed upstream in commit 3afdc43,
"Delete convert_checkpoints and helper classmethods"; read at its parent) with quantize.py and
third_party/llama/model_exportable.py; `--from_hf --output_safetensors`, optionally `--quantize_weights
--quantize_type int8_per_channel`:
  * `_load_hf_llama_weight`: drop `rotary_emb.inv_freq`, strip the `model.` prefix, then map the first matching
    substring: lm_head->output, embed_tokens->tok_embeddings, input_layernorm->attention_norm,
    post_attention_layernorm->ffn_norm, self_attn.{q,k,v,o}_proj->attention.w{q,k,v,o},
    mlp.gate_proj->feed_forward.w1, mlp.down_proj->feed_forward.w2, mlp.up_proj->feed_forward.w3, norm stays norm.
    float16 becomes bfloat16, other dtypes stay. wq/wk rows are permuted (values, not shapes).
  * `_quantize_state_dict` with Transformer.get_quantized_linear_weight_to_scaler_map() (attention.w{q,k,v,o}.weight,
    feed_forward.w{1,2,3}.weight, output.weight) and get_quantized_embedding_weight_to_scaler_map()
    (tok_embeddings.weight): weight_axis is 0 for the embedding, -1 otherwise; quantize_tensor reduces that axis with
    keepdim; load_q_weight_helper makes the weight int8 and the scale `squeeze(-1).to(bfloat16)`; the converter stores
    `scaler.squeeze()` under NAME_scaler (x.weight -> x.weight_scaler).
Usage: derive_jetstream_header.py HF_DIR > golden.json   (HF_DIR: config.json + model.safetensors)
"""
import json, struct, sys

MAPPING = [("lm_head", "output"), ("embed_tokens", "tok_embeddings"), ("input_layernorm", "attention_norm"),
           ("post_attention_layernorm", "ffn_norm"), ("self_attn.q_proj", "attention.wq"),
           ("self_attn.k_proj", "attention.wk"), ("self_attn.v_proj", "attention.wv"),
           ("self_attn.o_proj", "attention.wo"), ("mlp.gate_proj", "feed_forward.w1"),
           ("mlp.down_proj", "feed_forward.w2"), ("mlp.up_proj", "feed_forward.w3"), ("model.norm.weight", "norm.weight")]
LINEAR = ["attention.wq.weight", "attention.wk.weight", "attention.wv.weight", "attention.wo.weight",
          "feed_forward.w1.weight", "feed_forward.w2.weight", "feed_forward.w3.weight", "output.weight"]
EMBEDDING = ["tok_embeddings.weight"]


def header(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    h.pop("__metadata__", None)
    return h


def convert(hf):
    out = {}
    for key, entry in hf.items():
        if "inv_freq" in key:
            continue
        new = key.removeprefix("model.")
        for a, b in MAPPING:
            if a in key:
                new = new.replace(a, b)
                break
        else:
            raise SystemExit(f"no substitute for {key}")
        dtype = "BF16" if entry["dtype"] == "F16" else entry["dtype"]
        out[new] = {"dtype": dtype, "shape": entry["shape"]}
    return out


def quantize(state):
    out = dict(state)
    for name, entry in state.items():
        suffix = next((k for k in EMBEDDING if name.endswith(k)), None)
        axis = 0
        if suffix is None:
            suffix = next((k for k in LINEAR if name.endswith(k)), None)
            axis = -1
        if suffix is None:
            continue
        shape = list(entry["shape"])
        del shape[axis]
        out[name] = {"dtype": "I8", "shape": entry["shape"]}
        out[name[: -len(suffix)] + suffix + "_scaler"] = {"dtype": "BF16", "shape": shape}
    return out


hf = header(sys.argv[1] + "/model.safetensors")
bf16 = convert(hf)
print(json.dumps({"bf16": dict(sorted(bf16.items())), "int8": dict(sorted(quantize(bf16).items()))}, indent=1))
