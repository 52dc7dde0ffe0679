#!/usr/bin/env bash
# Builds the cargo-fuzz seed corpora from fixtures/: fuzz/corpus/<target>/seed-NNNN, in the byte
# layout each target reads. The fixture selection lives in tests/fuzz.rs (`seed_corpora`), so the
# stable harness and libFuzzer start from the same inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf fuzz/corpus
SCALELINT_FUZZ_SEED_DIR="$PWD/fuzz/corpus" cargo test -q --test fuzz seed_corpora -- --exact --nocapture
