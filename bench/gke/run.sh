#!/usr/bin/env bash
# A whole gke rollout through the real runner providers against the in-process fakes (GKE, IAM, Resource Manager,
# Cloud Storage, Kubernetes API server), operations completing at once: the product's own overhead and the API calls
# per step. Usage: bench/gke/run.sh [ITERATIONS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet run -c Release --project "$here/GkeBench/GkeBench.csproj" -- "${1:-5}"
