using System.Text.Json.Nodes;

namespace CloudTargets.Plan;

/// <summary>What one step would send: the Google Cloud calls (<c>{method, url, body}</c> exactly as sent when creating
/// from nothing) and the Kubernetes objects it would apply, secrets redacted.</summary>
public sealed record StepPreview(JsonArray Requests, JsonArray Manifests);
