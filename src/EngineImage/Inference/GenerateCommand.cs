using System.Globalization;
using EngineImage.Checkpoints;
using EngineImage.Cli;
using EngineImage.Model;
using EngineImage.Tokenization;

namespace EngineImage.Inference;

/// <summary>
/// <c>generate --model_name … --size … --checkpoint_path … --tokenizer_path … (--prompt TEXT | --token-ids 1,2,3)
/// --max-tokens N [--bf16_enable false] [--quantize_weights] [--quantize_kv_cache]</c>: offline greedy generation in
/// slot 0. Prints the generated ids as one comma-separated line, then their text. <c>--token-ids</c> adds no BOS.
/// </summary>
public static class GenerateCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var flags = Flags.Parse(args, new HashSet<string> { "bf16_enable", "quantize_weights", "quantize_kv_cache" });
        var modelName = flags.Required("model_name");
        var size = flags.String("size", "") ?? "";
        var checkpoint = flags.Required("checkpoint_path");
        var tokenizerPath = flags.Required("tokenizer_path");
        var prompt = flags.String("prompt");
        var tokenIds = flags.String("token-ids");
        var maxTokens = flags.Int("max-tokens", 16);
        var bf16 = flags.Bool("bf16_enable", true);
        var quantizeWeights = flags.Bool("quantize_weights", false);
        var quantizeKv = flags.Bool("quantize_kv_cache", false);
        flags.RejectUnknown();
        if ((prompt is null) == (tokenIds is null)) throw new FlagException("give exactly one of --prompt and --token-ids");
        if (maxTokens <= 0) throw new FlagException($"--max-tokens must be positive, got {maxTokens}");
        try
        {
            CheckpointValidator.Validate(checkpoint, tokenizerPath, modelName);
        }
        catch (CheckpointInvalidException e)
        {
            Console.Error.WriteLine($"generate: {e.Message}");
            return Task.FromResult(1);
        }
        var tokenizer = TokenizerLoader.Load(modelName, tokenizerPath);
        var input = tokenIds is not null ? ParseIds(tokenIds) : tokenizer.Encode(prompt!, addBos: true).ToArray();
        if (input.Length == 0) throw new FlagException("the prompt encodes to no tokens");
        var options = new EngineOptions
        {
            ModelName = modelName, Size = size, CheckpointPath = checkpoint, TokenizerPath = tokenizerPath,
            BatchSize = 1, MaxCacheLength = input.Length + maxTokens, QuantizeWeights = quantizeWeights,
            QuantizeKvCache = quantizeKv, Bf16Enable = bf16,
        };
        tokenizer = WithEndTokens.Wrap(tokenizer, ModelLoader.ReadConfig(options).EosTokenIds);
        using var model = ModelLoader.Load(options);
        var generated = Generate(model, tokenizer, input, maxTokens);
        Console.WriteLine(string.Join(",", generated));
        Console.WriteLine(tokenizer.Decode(generated));
        return Task.FromResult(0);
    }

    /// <summary>Greedy tokens after <paramref name="prompt"/> in slot 0, up to an end-of-sequence token (included) or
    /// <paramref name="maxTokens"/>.</summary>
    public static List<int> Generate(IInferenceModel model, ITextTokenizer tokenizer, int[] prompt, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        var output = new List<int> { model.Prefill(0, prompt, SamplingParams.Greedy) };
        var position = prompt.Length;
        while (output.Count < maxTokens && !tokenizer.IsEndOfSequence(output[^1]) && position < model.MaxCacheLength)
        {
            output.Add(model.Decode([0], [output[^1]], [position], [SamplingParams.Greedy])[0]);
            position++;
        }
        return output;
    }

    private static int[] ParseIds(string text)
    {
        try
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (FormatException)
        {
            throw new FlagException($"--token-ids must be comma-separated integers, got '{text}'");
        }
    }
}
