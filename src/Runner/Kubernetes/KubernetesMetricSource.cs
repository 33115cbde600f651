using System.Globalization;
using CloudTargets.Kubernetes;
using Contracts.Specs;
using k8s.Autorest;
using k8s.Models;
using Runner.Analysis;

namespace Runner.Kubernetes;

/// <summary>
/// Metric sources on the <c>kubernetes</c> and <c>gke</c> targets: the engine measures (<see cref="EngineMeasures"/>) of
/// the ready pods of the canary (the step's revision) and of the stable revision, through the API server's pod proxy, their live traffic (<see cref="PodTrafficFeed"/>),
/// and <c>pods</c>: restarts and readiness of a revision's pods, read from the pod list and its Deployment. A read of the
/// API that fails is no data, never an exception.
/// </summary>
internal sealed class KubernetesMetricSource : IMetricSource, IDisposable
{
    private readonly KubeStep _step;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly IEngineEndpoints _endpoints;
    private readonly EngineMeasures _engines;
    private readonly TrafficMeasures _traffic;

    public KubernetesMetricSource(KubeStep step, TimeProvider time)
    {
        _step = step;
        _time = time;
        _http = step.Proxy.CreateHttpClient();
        _endpoints = new PodEndpoints(step);
        _engines = new EngineMeasures(_http, _endpoints, time);
        _traffic = new TrafficMeasures(new PodTrafficFeed(_http, _endpoints), _endpoints, time);
    }

    public async Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        try
        {
            if (TrafficMeasures.Measures(metric)) return await _traffic.MeasureAsync(metric, cancellationToken);
            if (EngineMeasures.Measures(metric.Source)) return await _engines.MeasureAsync(metric, cancellationToken);
            if (metric.Source == MetricSources.Pods) return await PodsAsync(metric, cancellationToken);
            return NoData($"source {metric.Source} is not available on the {_step.Spec.Target.Kind} target");
        }
        catch (HttpOperationException e)
        {
            return NoData($"the Kubernetes API answered {(int)e.Response.StatusCode}: {e.Response.Content}");
        }
        catch (HttpRequestException e)
        {
            return NoData($"the Kubernetes API could not be reached: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NoData("the Kubernetes API did not answer in time");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<Measurement> PodsAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        if (_endpoints.RevisionOf(metric) is not { } revision) return NoData("there is no stable revision");
        var name = Names.Deployment(revision);
        if (await KubeRead.DeploymentAsync(_step.Client, name, _step.Namespace, cancellationToken) is not { } deployment)
            return NoData($"revision {revision} has no deployment {name}");
        var pods = await RevisionPods.ListAsync(_step, revision, cancellationToken);
        var wanted = deployment.Spec.Replicas ?? 1;
        var ready = pods.Count(RevisionPods.IsReady);
        double? value = metric.Measure switch
        {
            "restarts" => pods.Count == 0 ? null : pods.Sum(RevisionPods.Restarts),
            "notReady" => wanted == 0 ? null : Math.Max(0, wanted - ready),
            _ => wanted == 0 ? null : (double)Math.Min(ready, wanted) / wanted,
        };
        var detail = string.Create(CultureInfo.InvariantCulture, $"({pods.Count} pods of {revision}, {ready} ready of {wanted} wanted{MostRestarted(pods)})");
        return Verdict.Within(metric, value, detail, _time.GetUtcNow());
    }

    // The pod that restarted most, and why its container last ended: what a person looks at first.
    private static string MostRestarted(IList<V1Pod> pods)
    {
        if (pods.OrderByDescending(RevisionPods.Restarts).FirstOrDefault() is not { } pod || RevisionPods.Restarts(pod) == 0) return "";
        var last = pod.Status.ContainerStatuses.OrderByDescending(s => s.RestartCount).First();
        var ended = last.LastState?.Terminated is { } t ? $", last {t.Reason} (exit code {t.ExitCode})" : "";
        return $"; pod {pod.Metadata.Name}: container {last.Name} restarted {last.RestartCount} times{ended}";
    }

    private Measurement NoData(string detail) => Measurement.NoData(detail, _time.GetUtcNow());
}
