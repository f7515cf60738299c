#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of OTKit's file readers: the CSV
# reader, the NPY reader, the safetensors reader and the model loader.
#
#   scripts/fuzz/run.sh [SECONDS_PER_FUZZER] [FUZZER...]     # default: 60 s, all four
#
# The libraries are built by SwiftPM with coverage instrumentation and AddressSanitizer
# (-sanitize=fuzzer,address passed here, never in Package.swift) into .build-fuzz; each
# fuzzer (Fuzzers/<Name>Fuzzer.swift) is linked with swiftc -sanitize=fuzzer,address and run
# from its seed corpus (corpus/<name>, copied so that the repository's seeds stay as they
# are). A crash, a leak-free trap or an ASan report fails the script (exit 1) and leaves the
# input in .build-fuzz/crashes/<name>; once fixed, such an input goes to
# scripts/fuzz/corpus/<name>/regressions/, which Tests/OTKitDataTests/FuzzCorpusTests.swift
# runs in every swift test.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
fuzzers=("${@:-csv npy safetensors model}")
fuzzers=(${fuzzers[@]})
scratch=.build-fuzz
flags=(-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)

echo "== building the libraries with coverage and ASan ($scratch)"
swift build --scratch-path "$scratch" --target OTKitTabular "${flags[@]}" 2>&1 | tail -n 3
bin="$scratch/debug"
# Every object of the libraries (not the CLI, not the tests), and their modules.
objects=$(find "$bin/" -path '*.build/*.o' | grep -v -E '/(otkit|OTKitExperiments|OTKitReport|ArgumentParser[^/]*|[^/]*Tests?[^/]*|[^/]*-tool)\.build/' | sort)
# The C modules the Swift modules import: OTKit's shims and swift-numerics'.
modulemaps="-Xcc -fmodule-map-file=$bin/_OTKitShims.build/module.modulemap -Xcc -fmodule-map-file=$scratch/checkouts/swift-numerics/Sources/_NumericsShims/include/module.modulemap"
mkdir -p "$scratch/fuzzers" "$scratch/crashes"

status=0
for name in "${fuzzers[@]}"; do
  case "$name" in
    csv) source=CSVFuzzer ;; npy) source=NPYFuzzer ;; safetensors) source=SafetensorsFuzzer ;; model) source=ModelFuzzer ;;
    *) echo "unknown fuzzer $name (csv, npy, safetensors, model)"; exit 64 ;;
  esac
  echo "== $name: linking"
  # shellcheck disable=SC2086
  swiftc -sanitize=fuzzer,address -parse-as-library -g -Onone \
    -I "$bin/Modules" -I Sources/_OTKitShims/include $modulemaps \
    "scripts/fuzz/Fuzzers/$source.swift" $objects -lstdc++ -o "$scratch/fuzzers/$name" >"$scratch/fuzzers/$name.link.log" 2>&1 \
    || { grep -v 'Cannot export local symbol' "$scratch/fuzzers/$name.link.log" | tail -n 20; exit 1; }
  corpus="$scratch/corpus/$name"
  mkdir -p "$corpus" "$scratch/crashes/$name"
  find scripts/fuzz/corpus/"$name" -type f -exec cp -n {} "$corpus"/ \;
  export OTKIT_FUZZ_SAFETENSORS="$PWD/scripts/fuzz/corpus/model.safetensors"
  echo "== $name: fuzzing for $seconds s"
  log="$scratch/crashes/$name/log.txt"
  # Leaks are reported except those of FoundationEssentials (its FileManager.contents(atPath:)
  # leaks 4 KiB on an empty file, which the model fuzzer reaches): .ci/lsan.supp.
  export LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp"
  if "$scratch/fuzzers/$name" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
      -timeout=20 -print_final_stats=1 -artifact_prefix="$scratch/crashes/$name/" >"$log" 2>&1; then
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "$name: no crash in ${runs:-?} executions ($(ls "$corpus" | wc -l) corpus inputs)"
  else
    status=1
    echo "$name: CRASH; input and log in $scratch/crashes/$name"
    grep -E 'ERROR|Fatal|runtime failure|SUMMARY' "$log" | head -n 10 || true
  fi
done
exit $status
