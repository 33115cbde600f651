using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CloudTargets.Tests.Infrastructure;
using CloudTargets.Tests.Schemas;
using Contracts.Specs;
using Runner.Agent;

namespace CloudTargets.Tests.Packaging;

/// <summary>
/// The Kustomize base under <c>deploy/kustomize</c> and the Dockerfiles. Images cannot be built here (no container
/// engine): what can be checked without one is, that every manifest is what the API server would accept, that the
/// pods are hardened and probed, that the runner's Role is the README's and its arguments parse, and that every file
/// a Dockerfile copies exists.
/// </summary>
public sealed partial class PackagingTests
{
    private static readonly string Root = RepoPaths.Root;
    private static readonly string Base = Path.Combine(Root, "deploy", "kustomize");

    /// <summary>Kinds that shared/schemas/kubernetes has no document for (it holds core/v1, apps/v1 and batch/v1 only).</summary>
    private static readonly string[] WithoutSchema = ["PodDisruptionBudget", "Role", "RoleBinding"];

    [Fact]
    public void Base_EveryResourceIsAcceptedByTheKubernetesSchemas()
    {
        var resources = Resources();

        Assert.Equal(["ConfigMap", "Deployment", "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount"],
            resources.Select(r => Kind(r.Body)).Distinct().Order(StringComparer.Ordinal).ToList());
        foreach (var (file, body) in resources.Where(r => !WithoutSchema.Contains(Kind(r.Body))))
        {
            var (strict, required) = KubeSchema.Instance.Validate(Kind(body), body);
            Assert.True(strict.Count == 0 && required.Count == 0, $"{file}: {string.Join("; ", strict.Concat(required))}");
            Assert.False(string.IsNullOrEmpty((string?)body["metadata"]?["name"]), $"{file}: no metadata.name");
        }
    }

    [Fact]
    public void Base_ObjectsWithoutASchemaReferToWhatExists()
    {
        var resources = Resources().Select(r => r.Body).ToList();
        var pdb = resources.Single(r => Kind(r) == "PodDisruptionBudget");
        var role = resources.Single(r => Kind(r) == "Role");
        var binding = resources.Single(r => Kind(r) == "RoleBinding");
        var orchestrator = Deployment(resources, "orchestrator");

        Assert.Equal("policy/v1", (string?)pdb["apiVersion"]);
        Assert.Equal(1L, (long?)pdb["spec"]!["minAvailable"]);
        Assert.True(JsonNode.DeepEquals(orchestrator["spec"]!["selector"], pdb["spec"]!["selector"]));
        Assert.Equal("rbac.authorization.k8s.io/v1", (string?)role["apiVersion"]);
        Assert.Equal("rbac.authorization.k8s.io/v1", (string?)binding["apiVersion"]);
        Assert.Equal(("Role", (string?)role["metadata"]!["name"]), ((string?)binding["roleRef"]!["kind"], (string?)binding["roleRef"]!["name"]));
        var subject = binding["subjects"]!.AsArray().Single()!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Contains(resources, r => Kind(r) == "ServiceAccount" && (string?)r["metadata"]!["name"] == (string?)subject["name"]);
        Assert.Equal((string?)subject["name"], (string?)Deployment(resources, "orchestrator-runner")["spec"]!["template"]!["spec"]!["serviceAccountName"]);
    }

    [Fact]
    public void Base_TwoProbedOrchestratorsAndAHardenedRunner_BothWithAReadOnlyRootFileSystem()
    {
        var resources = Resources().Select(r => r.Body).ToList();
        var orchestrator = Deployment(resources, "orchestrator");
        var runner = Deployment(resources, "orchestrator-runner");
        var serving = Container(orchestrator);

        Assert.Equal(2L, (long?)orchestrator["spec"]!["replicas"]);
        Assert.Equal("/healthz", (string?)serving["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)serving["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)serving["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("orchestrator-database", (string?)serving["env"]!.AsArray().Single(e => (string?)e!["name"] == "ORCHESTRATOR_DB")!["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("orchestrator", (string?)serving["envFrom"]![0]!["configMapRef"]!["name"]);
        var service = resources.Single(r => Kind(r) == "Service");
        Assert.True(JsonNode.DeepEquals(orchestrator["spec"]!["selector"]!["matchLabels"], service["spec"]!["selector"]));
        foreach (var deployment in new[] { orchestrator, runner })
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            var container = Container(deployment);
            var name = (string?)deployment["metadata"]!["name"];
            Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"], name);
            Assert.True((bool?)container["securityContext"]!["readOnlyRootFilesystem"], name);
            Assert.False((bool?)container["securityContext"]!["allowPrivilegeEscalation"], name);
            Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string?)c).ToList());
            // What .NET writes (and the runner's work directory) are volumes, not the image's file system.
            var mounts = container["volumeMounts"]!.AsArray().Select(m => (string?)m!["mountPath"]).ToList();
            Assert.Contains("/tmp", mounts);
        }

        var args = Container(runner)["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Equal("run", args[0]);
        var options = RunnerArguments.ToRunnerOptions(args.Skip(1).ToList());
        Assert.Equal(["kubernetes"], options.Labels);
        Assert.Equal("/var/lib/runner", options.WorkDir);
        Assert.Contains("/var/lib/runner", Container(runner)["volumeMounts"]!.AsArray().Select(m => (string?)m!["mountPath"]));
        Assert.Equal(new Uri("http://orchestrator:8080/"), options.Server);
    }

    [Fact]
    public void RunnerRole_GrantsExactlyTheRulesTheReadmeNames()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var block = ReadmeRules().Match(readme);
        Assert.True(block.Success, "README.md has no `rules:` block for the kubernetes target");
        var documented = SpecYaml.ToJson("rules:\n" + block.Groups[1].Value)!["rules"]!;
        var role = Resources().Single(r => Kind(r.Body) == "Role").Body;

        Assert.True(JsonNode.DeepEquals(documented, role["rules"]), $"README: {documented.ToJsonString()}\nRole: {role["rules"]!.ToJsonString()}");
    }

    [Theory]
    [InlineData("src/Orchestrator/Dockerfile")]
    [InlineData("src/Runner/Dockerfile")]
    [InlineData("src/EngineImage/Dockerfile")]
    public void Dockerfile_MultiStage_NonRoot_CopiesOnlyWhatExists(string path)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, path)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var stages = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("FROM ", StringComparison.Ordinal)).Select(x => x.i).ToList();
        var final = lines.Skip(stages[^1]).ToList();

        Assert.True(stages.Count >= 2, $"{path}: one stage");
        Assert.Contains(final, l => l.StartsWith("USER ", StringComparison.Ordinal) && !l.EndsWith(" root", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(final, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        Assert.DoesNotContain(final, l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal));
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
            {
                Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"{path}: {copy}: {source} does not exist");
            }
        }

        Assert.True(File.Exists(Path.Combine(Root, path + ".dockerignore")), $"{path}.dockerignore is missing: the build context would carry bin/ and obj/");
    }

    private static List<(string File, JsonObject Body)> Resources()
    {
        var kustomization = SpecYaml.ToJson(File.ReadAllText(Path.Combine(Base, "kustomization.yaml")))!;
        Assert.Equal("Kustomization", (string?)kustomization["kind"]);
        var files = kustomization["resources"]!.AsArray().Select(r => (string)r!).ToList();
        Assert.Equal(Directory.GetFiles(Base, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal),
            files.Order(StringComparer.Ordinal)); // nothing left out of the base, nothing listed that is not there
        return files.Select(f => (f, SpecYaml.ToJson(File.ReadAllText(Path.Combine(Base, f)))!.AsObject())).ToList();
    }

    private static string Kind(JsonNode body) => (string?)body["kind"] ?? "";

    private static JsonObject Deployment(List<JsonObject> resources, string name) =>
        resources.Single(r => Kind(r) == "Deployment" && (string?)r["metadata"]!["name"] == name);

    private static JsonNode Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;

    [GeneratedRegex(@"```yaml\n\s*rules:\n((?:\s*- \{.*\n)+)\s*```")]
    private static partial Regex ReadmeRules();
}
