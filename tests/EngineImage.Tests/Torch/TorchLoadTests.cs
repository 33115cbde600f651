using TorchSharp;

namespace EngineImage.Tests.Torch;

public sealed class TorchLoadTests
{
    // Proves the build's libstdc++ fix: without it libLibTorchSharp.so does not load on Debian 12.
    [Fact]
    public void OnesSum_OnThisHost_RunsNatively()
    {
        using var sum = torch.ones(2).sum();
        Assert.Equal(2f, sum.item<float>());
    }
}
