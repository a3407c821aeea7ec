#!/bin/sh
# Compiles src/app.c to prebuilt/app.wasm (WASI preview1) and records its SHA-256, which the
# Dockerfile's first stage checks. Needs Debian's clang 14+ with the WASI sysroot:
#   apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32
set -eu
cd "$(dirname "$0")"
mkdir -p prebuilt
clang --target=wasm32-wasi -O2 -s -o prebuilt/app.wasm src/app.c
(cd prebuilt && sha256sum app.wasm > app.wasm.sha256)
echo "built prebuilt/app.wasm ($(wc -c < prebuilt/app.wasm) bytes)"
