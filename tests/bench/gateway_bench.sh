#!/bin/sh
# Runs the gateway-vs-libvirtd benchmark from the repository root (see gateway_bench.ts).
cd "$(dirname "$0")/../.." && exec npx -y deno@2.9.6 run -A tests/bench/gateway_bench.ts "$@"
