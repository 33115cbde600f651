namespace EngineImage.Model;

/// <summary>The engine checkpoint's tensor names, as JetStream-PyTorch names them.</summary>
public static class EngineWeightNames
{
    public const string Embedding = "tok_embeddings.weight";
    public const string FinalNorm = "norm.weight";
    public const string Output = "output.weight";
    public const string ScalerSuffix = "_scaler";

    public static string Wq(int layer) => $"layers.{layer}.attention.wq.weight";
    public static string Wk(int layer) => $"layers.{layer}.attention.wk.weight";
    public static string Wv(int layer) => $"layers.{layer}.attention.wv.weight";
    public static string Wo(int layer) => $"layers.{layer}.attention.wo.weight";
    public static string W1(int layer) => $"layers.{layer}.feed_forward.w1.weight";
    public static string W2(int layer) => $"layers.{layer}.feed_forward.w2.weight";
    public static string W3(int layer) => $"layers.{layer}.feed_forward.w3.weight";
    public static string AttentionNorm(int layer) => $"layers.{layer}.attention_norm.weight";
    public static string FfnNorm(int layer) => $"layers.{layer}.ffn_norm.weight";

    /// <summary><c>x.weight</c> → <c>x.weight_scaler</c>: the per-output-channel scales of an int8 weight.</summary>
    public static string Scaler(string weightName) => weightName + ScalerSuffix;

    /// <summary>Whether a weight is a matrix that int8 quantization applies to (norms stay in floating point).</summary>
    public static bool IsQuantizable(string name) => !name.EndsWith("norm.weight", StringComparison.Ordinal);
}
