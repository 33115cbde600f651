#!/usr/bin/env bash
# The engine benchmark (issue 2): builds Release, makes a fresh `small` Llama-3-shaped test model, converts it, and
# runs `engine bench` on it: tokens/s, TTFT and TPOT p50/p99 at 1/4/8/16 concurrent requests for bf16, f32, int8
# weights and int8 KV; continuous batching vs one at a time; batch-1 decode vs the memory-bandwidth bound; int8
# memory ratios. Figures print with the machine's context. Extra arguments go to `engine bench`
# (e.g. --configs bf16,int8w --max_tokens 32 --threads 1; on a busy machine one torch thread degrades far less than
# two). ENGINE_BENCH_DIR=DIR keeps and reuses the converted model. Never part of the test run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${ENGINE_BENCH_DIR:-$(mktemp -d /tmp/engine-bench.XXXXXX)}
trap 'if [ -z "${ENGINE_BENCH_DIR:-}" ]; then rm -rf "$work"; fi' EXIT

cd "$root"
echo "building Release..."
dotnet build src/EngineImage -c Release -nologo -v q >/dev/null
engine=(dotnet "$root/src/EngineImage/bin/Release/net10.0/engine.dll")

if [ ! -f "$work/engine/model.safetensors" ]; then
  echo "making the small test model in $work..."
  "${engine[@]}" make-test-model --family llama-3 --size small --out "$work/hf" --seed 1
  "${engine[@]}" convert --in "$work/hf" --out "$work/engine"
fi

"${engine[@]}" bench --model_name llama-3 --size small \
  --checkpoint_path "$work/engine/model.safetensors" --tokenizer_path "$work/engine/tokenizer.model" "$@"
