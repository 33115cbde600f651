namespace EngineImage.Checkpoints;

/// <summary>Who reads a converted checkpoint. Both share JetStream-PyTorch's tensor names; they differ in what the
/// tensors hold.</summary>
public enum CheckpointLayout
{
    /// <summary>This engine: query and key rows as Hugging Face orders them (the engine rotates halves), every weight in
    /// bfloat16, int8 scalers in float32 per output row (per vocabulary row for the embedding).</summary>
    Engine,

    /// <summary>The JetStream-PyTorch server, as its own <c>convert_checkpoints.py --from_hf</c> writes it: query and key
    /// rows permuted back to Meta's interleaved rotary order, weights in the checkpoint's dtype (float16 made bfloat16),
    /// int8 scalers in bfloat16 per output row for linear layers and per embedding column for the embedding.</summary>
    JetStreamPyTorch,
}

public static class CheckpointLayouts
{
    public const string EngineName = "engine";
    public const string JetStreamPyTorchName = "jetstream-pytorch";

    public static string Name(this CheckpointLayout layout) => layout == CheckpointLayout.Engine ? EngineName : JetStreamPyTorchName;

    public static CheckpointLayout? Parse(string name) => name switch
    {
        EngineName => CheckpointLayout.Engine,
        JetStreamPyTorchName => CheckpointLayout.JetStreamPyTorch,
        _ => null,
    };
}
