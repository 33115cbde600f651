using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Api.Fuzz;

/// <summary>One operation of the OpenAPI document: its method, path template, parameters and request-body schema.</summary>
public sealed record FuzzOperation(HttpMethod Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, JsonObject? BodySchema)
{
    public static IReadOnlyList<FuzzOperation> Read(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var operations = new List<FuzzOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description") continue;
                var parameters = operation!["parameters"]?.AsArray().Select(p => p!) ?? [];
                var inPath = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
                var inQuery = parameters.Where(p => (string?)p["in"] == "query").Select(p => (string)p["name"]!).ToList();
                var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
                operations.Add(new FuzzOperation(new HttpMethod(method.ToUpperInvariant()), path, inPath, inQuery,
                    schema is null ? null : OpenApiSchemas.Resolve(document, schema)));
            }
        }
        return operations;
    }

    /// <summary>The path with every parameter replaced by <paramref name="value"/>, already percent-encoded.</summary>
    public string PathWith(string value) =>
        PathParameters.Aggregate(Path, (path, name) => path.Replace("{" + name + "}", value, StringComparison.Ordinal));

    public override string ToString() => $"{Method} {Path}";
}
