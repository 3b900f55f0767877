#!/usr/bin/env bash
# Copies the public interoperability vectors verbatim from ../shared/vectors into Tests/Vectors
# and records their digests in Tests/Vectors/SHA256SUMS. Never edit a vector by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/vectors}
[ -d "$src" ] || { echo "update-vectors: $src is not a folder" >&2; exit 1; }
rm -rf Tests/Vectors.new
cp -r "$src" Tests/Vectors.new
(cd Tests/Vectors.new && rm -f SHA256SUMS && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
rm -rf Tests/Vectors
mv Tests/Vectors.new Tests/Vectors
echo "Tests/Vectors: $(wc -l < Tests/Vectors/SHA256SUMS) files from $src"
