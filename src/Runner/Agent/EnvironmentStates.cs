using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;

namespace Runner.Agent;

/// <summary>Reads the environment's state a claim carries and writes the new one into a step's outputs: a step changes
/// the state by deriving it from what it was told (<c>state with { … }</c>), so that what it does not touch carries over.</summary>
internal static class EnvironmentStates
{
    public static EnvironmentState Of(StepClaim claim) =>
        (claim.Inputs[EnvironmentState.OutputMember] as JsonObject)?.Deserialize<EnvironmentState>(ContractJson.Options) ?? new EnvironmentState();

    public static JsonObject Output(EnvironmentState state, JsonObject? outputs = null)
    {
        outputs ??= new JsonObject();
        outputs[EnvironmentState.OutputMember] = JsonSerializer.SerializeToNode(state, ContractJson.Options);
        return outputs;
    }
}
