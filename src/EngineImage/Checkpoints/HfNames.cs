using EngineImage.Model;

namespace EngineImage.Checkpoints;

/// <summary>Hugging Face tensor names of Llama and Gemma checkpoints, and their engine (JetStream-PyTorch) names.</summary>
public static class HfNames
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    private static string Layer(int l, string rest) => $"model.layers.{l}.{rest}";

    /// <summary>Every tensor a model of <paramref name="config"/> has, as (HF name, engine name, shape).</summary>
    public static IReadOnlyList<(string Hf, string Engine, long[] Shape)> Expected(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize, q = (long)config.Heads * config.HeadDim, kv = (long)config.KvHeads * config.HeadDim, f = config.IntermediateSize;
        var list = new List<(string, string, long[])> { (Embedding, EngineWeightNames.Embedding, [config.VocabSize, h]) };
        for (var l = 0; l < config.Layers; l++)
        {
            list.Add((Layer(l, "input_layernorm.weight"), EngineWeightNames.AttentionNorm(l), [h]));
            list.Add((Layer(l, "self_attn.q_proj.weight"), EngineWeightNames.Wq(l), [q, h]));
            list.Add((Layer(l, "self_attn.k_proj.weight"), EngineWeightNames.Wk(l), [kv, h]));
            list.Add((Layer(l, "self_attn.v_proj.weight"), EngineWeightNames.Wv(l), [kv, h]));
            list.Add((Layer(l, "self_attn.o_proj.weight"), EngineWeightNames.Wo(l), [h, q]));
            list.Add((Layer(l, "post_attention_layernorm.weight"), EngineWeightNames.FfnNorm(l), [h]));
            list.Add((Layer(l, "mlp.gate_proj.weight"), EngineWeightNames.W1(l), [f, h]));
            list.Add((Layer(l, "mlp.down_proj.weight"), EngineWeightNames.W2(l), [h, f]));
            list.Add((Layer(l, "mlp.up_proj.weight"), EngineWeightNames.W3(l), [f, h]));
        }
        list.Add((FinalNorm, EngineWeightNames.FinalNorm, [h]));
        if (!config.TiedOutput) list.Add((LmHead, EngineWeightNames.Output, [config.VocabSize, h]));
        return list;
    }
}
