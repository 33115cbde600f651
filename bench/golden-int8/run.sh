#!/usr/bin/env bash
# int8 against bf16 golden-prompt agreement on our engine (issue 9): for each seed, the Llama-3-shaped test model that
# the end-to-end tests make (seed 0 is theirs), converted to bf16 and to int8 (`engine.quantizeWeights: true`), both
# served as the local target deploys them, 16 varied greedy prompts to each; prints exact match and token agreement of
# int8 against bf16 (the runner's GoldenComparison, compiled in) for 16 and 32 tokens, with the machine's context.
# Usage: bench/golden-int8/run.sh [--seeds 0,1,2,3] [--tokens 16,32] [--size tiny|small]. Never part of the test run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dotnet build "$root/src/EngineImage" -c Release -nologo -v q >/dev/null
dotnet run -c Release --project "$here/GoldenInt8Bench/GoldenInt8Bench.csproj" -- "$root" "$@"
