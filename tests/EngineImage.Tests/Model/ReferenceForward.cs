using System.Text.Json.Nodes;
using EngineImage.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Tests.Model;

/// <summary>
/// An independent forward pass over a Hugging Face checkpoint (HF tensor names, config.json), written from the
/// architecture definitions of transformers' LlamaForCausalLM and GemmaForCausalLM with plain TorchSharp ops in
/// float64, without any of the engine's model code: RMSNorm (Gemma: <c>(1 + w)</c>), Gemma's sqrt(hidden) embedding
/// scale, rotate-half RoPE, <c>repeat_kv</c> for GQA, causal softmax attention, SwiGLU / tanh-GELU MLP, lm_head or the
/// tied embedding.
/// </summary>
internal sealed class ReferenceForward(string hfDir) : IDisposable
{
    private readonly SafetensorsFile _file = SafetensorsFile.Open(Path.Combine(hfDir, "model.safetensors"));
    private readonly JsonNode _config = JsonNode.Parse(File.ReadAllText(Path.Combine(hfDir, "config.json")))!;

    private Tensor W(string name) => _file.Read(name).to(float64);

    private int I(string key) => _config[key]!.GetValue<int>();

    /// <summary>Logits [T, vocab] for every position of <paramref name="tokens"/>.</summary>
    public Tensor Logits(int[] tokens)
    {
        using var scope = NewDisposeScope();
        var gemma = _config["model_type"]!.GetValue<string>() == "gemma";
        int hidden = I("hidden_size"), heads = I("num_attention_heads"), kvHeads = I("num_key_value_heads"), headDim = I("head_dim");
        var eps = _config["rms_norm_eps"]!.GetValue<double>();
        var theta = _config["rope_theta"]!.GetValue<double>();
        var t = tokens.Length;

        Tensor Norm(Tensor x, string name)
        {
            var w = W(name);
            var normed = x / (x.pow(2).mean([-1], keepdim: true) + eps).sqrt();
            return normed * (gemma ? w + 1 : w);
        }

        var embed = W("model.embed_tokens.weight");
        var h = embed[tensor(tokens.Select(i => (long)i).ToArray())];
        if (gemma) h = h * Math.Sqrt(hidden);

        // inv_freq[i] = theta^(-2i/d); cos/sin of position * inv_freq, duplicated over the two halves.
        var invFreq = pow(theta, arange(0, headDim, 2, dtype: float64) / headDim).reciprocal();
        var angles = outer(arange(0, t, dtype: float64), invFreq);
        var emb = cat([angles, angles], -1);
        var cos = emb.cos().unsqueeze(0);
        var sin = emb.sin().unsqueeze(0);
        Tensor RotateHalf(Tensor x) => cat([-x[.., .., (headDim / 2)..], x[.., .., ..(headDim / 2)]], -1);
        var causal = ones(t, t, dtype: @bool).triu(1);

        for (var l = 0; ; l++)
        {
            var p = $"model.layers.{l}.";
            if (!_file.Tensors.ContainsKey(p + "input_layernorm.weight")) break;
            var x = Norm(h, p + "input_layernorm.weight");
            var q = matmul(x, W(p + "self_attn.q_proj.weight").t()).view(t, heads, headDim).transpose(0, 1);
            var k = matmul(x, W(p + "self_attn.k_proj.weight").t()).view(t, kvHeads, headDim).transpose(0, 1);
            var v = matmul(x, W(p + "self_attn.v_proj.weight").t()).view(t, kvHeads, headDim).transpose(0, 1);
            q = q * cos + RotateHalf(q) * sin;
            k = k * cos + RotateHalf(k) * sin;
            // repeat_kv: query head j uses KV head j / (heads / kvHeads).
            k = k.repeat_interleave(heads / kvHeads, 0);
            v = v.repeat_interleave(heads / kvHeads, 0);
            var scores = matmul(q, k.transpose(1, 2)) / Math.Sqrt(headDim);
            scores = scores.masked_fill(causal, double.NegativeInfinity);
            var attention = matmul(scores.softmax(-1), v).transpose(0, 1).reshape(t, heads * headDim);
            h = h + matmul(attention, W(p + "self_attn.o_proj.weight").t());
            x = Norm(h, p + "post_attention_layernorm.weight");
            var gate = matmul(x, W(p + "mlp.gate_proj.weight").t());
            var up = matmul(x, W(p + "mlp.up_proj.weight").t());
            var act = gemma
                ? 0.5 * gate * (1 + (Math.Sqrt(2 / Math.PI) * (gate + 0.044715 * gate.pow(3))).tanh())
                : gate * gate.sigmoid();
            h = h + matmul(act * up, W(p + "mlp.down_proj.weight").t());
        }
        h = Norm(h, "model.norm.weight");
        var head = gemma ? embed : W("lm_head.weight");
        return matmul(h, head.t()).MoveToOuterDisposeScope();
    }

    public void Dispose() => _file.Dispose();
}
