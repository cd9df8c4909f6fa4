#!/usr/bin/env bash
# Creates .venv for training/: the pinned stack from the package index, or, where that index
# is unreachable, Debian's python3-torch 1.13 + python3-onnx + python3-pytest (same code paths).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import torch, onnx, onnxruntime, pytest' 2>/dev/null; then
  echo "training venv ready: $(.venv/bin/python -c 'import torch; print("torch", torch.__version__)')"
  exit 0
fi
rm -rf .venv
# One retry: an index that is not there fails fast instead of backing off per package.
if python3 -m venv .venv && .venv/bin/pip install -q --retries 1 -r requirements-training.txt; then
  echo "training venv from requirements-training.txt"
  exit 0
fi
echo "pip could not install requirements-training.txt; falling back to Debian's packages" >&2
rm -rf .venv
apt-get install -y -qq --no-install-recommends python3-torch python3-onnx python3-pytest python3-numpy python3-pil python3-matplotlib python3-tqdm python3-venv >/dev/null
/usr/bin/python3 -m venv --system-site-packages .venv
# onnxruntime has no Debian package; take it from pip if possible (the parity test skips without it).
.venv/bin/pip install -q --retries 1 onnxruntime || echo "onnxruntime not installable: ONNX parity tests will be skipped" >&2
