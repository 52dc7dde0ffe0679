#!/usr/bin/env bash
# scalelint side by side with the tools a team would otherwise use, on one pinned corpus.
#
#   benches/compare.sh [WORKDIR]        (default: target/bench)
#
# 1. Builds a corpus from pinned registry source packages (PyPI sdists, npm tarballs, crates,
#    Maven sources jars when Maven Central is reachable) and a deterministic scale-up (2x, 4x
#    copies), all under WORKDIR. Everything is cached: a second run downloads nothing.
# 2. Installs the peers into WORKDIR/tools: ripgrep (cargo install), semgrep and ast-grep (a
#    Python virtualenv), at pinned versions.
# 3. Runs each tool RUNS times (default 3) after one warm-up run, with /usr/bin/time, and prints
#    one table: files, MB, lines, findings, wall, CPU and peak RSS per tool, and the ratios.
#    ripgrep searches for the union of scalelint's trigger literals (`scalelint detectors`): the
#    floor of reading every file once. semgrep and ast-grep run benches/peers/, rules equivalent to
#    scalelint's detectors.
# 4. Runs scalelint and ripgrep on the 1x, 2x and 4x trees: cost must grow linearly, memory not.
#
# Environment: RUNS=N, SCALES="1 2 4", SKIP_PEERS=1 (only scalelint and ripgrep).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mkdir -p "${1:-$root/target/bench}" && cd "${1:-$root/target/bench}" && pwd)
runs=${RUNS:-3}
scales=${SCALES:-1 2 4}
tools=$work/tools
corpus=$work/corpus
results=$work/results
mkdir -p "$tools" "$results"

die() { echo "compare.sh: $*" >&2; exit 1; }
for cmd in cargo python3 npm curl tar unzip /usr/bin/time; do
  command -v "$cmd" >/dev/null || die "needs $cmd"
done

# ---------------------------------------------------------------- corpus
PYPI="django==5.1.4 wagtail==6.3.1 flask==3.1.0 fastapi==0.115.6 starlette==0.41.3"
NPM="ghost@5.130.6 @nestjs/core@10.4.22 @nestjs/common@10.4.22 express@4.22.3 socket.io@4.8.4 koa@2.15.3 fastify@5.2.0"
CRATES="axum/0.7.9 actix-web/4.9.0 actix-session/0.10.1 tower-sessions/0.13.0 rocket/0.5.1 poem/3.1.5"
MAVEN="org/springframework/spring-webmvc/6.2.0/spring-webmvc-6.2.0-sources.jar org/springframework/session/spring-session-core/3.4.0/spring-session-core-3.4.0-sources.jar"

base=$corpus/x1
if [ ! -f "$base/.complete" ]; then
  echo "== building the corpus in $base"
  rm -rf "$base" && mkdir -p "$base"
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' EXIT
  (cd "$dl" && pip download -q --no-deps --no-binary :all: $PYPI)
  (cd "$dl" && npm pack -q $NPM >/dev/null)
  for c in $CRATES; do
    name=${c%/*} version=${c#*/}
    curl -fsSL -o "$dl/$name-$version.crate" "https://static.crates.io/crates/$name/$name-$version.crate" \
      || die "cannot download crate $c"
  done
  for f in "$dl"/*.tar.gz "$dl"/*.tgz "$dl"/*.crate; do
    n=$(basename "$f"); n=${n%.tar.gz}; n=${n%.tgz}; n=${n%.crate}
    mkdir -p "$base/$n" && tar -xzf "$f" -C "$base/$n"
  done
  maven_note="maven: included"
  for jar in $MAVEN; do
    if curl -fsSL --max-time 20 -o "$dl/src.jar" "https://repo1.maven.org/maven2/$jar" 2>/dev/null; then
      n=$(basename "$jar" .jar) && mkdir -p "$base/$n" && unzip -q "$dl/src.jar" -d "$base/$n"
    else
      maven_note="maven: Maven Central unreachable from this machine, Java sources left out"
    fi
  done
  echo "$maven_note" >"$base/.maven"
  touch "$base/.complete"
fi
echo "== $(cat "$base/.maven")"
for s in $scales; do
  [ "$s" = 1 ] && continue
  dir=$corpus/x$s
  if [ ! -f "$dir/.complete" ]; then
    echo "== scale-up x$s (deterministic copies of x1)"
    rm -rf "$dir" && mkdir -p "$dir"
    for i in $(seq 1 "$s"); do cp -r "$base" "$dir/copy$i"; rm -f "$dir/copy$i/.complete"; done
    touch "$dir/.complete"
  fi
done

# ---------------------------------------------------------------- tools
echo "== building scalelint (release)"
(cd "$root" && cargo build --release --quiet)
scalelint=$root/target/release/scalelint
if [ ! -x "$tools/bin/rg" ]; then
  echo "== installing ripgrep 14.1.1"
  cargo install --quiet --locked ripgrep --version 14.1.1 --root "$tools"
fi
rg=$tools/bin/rg
if [ -z "${SKIP_PEERS:-}" ] && [ ! -x "$tools/venv/bin/semgrep" ]; then
  echo "== installing semgrep 1.99.0 and ast-grep 0.33.0"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q semgrep==1.99.0 ast-grep-cli==0.33.0
fi
"$scalelint" detectors --format json \
  | python3 -c 'import json,sys; print("\n".join(sorted({t for d in json.load(sys.stdin) for t in d["triggers"]})))' \
  >"$work/triggers.txt"
[ -s "$work/triggers.txt" ] || die "no trigger literals from scalelint detectors"

# ---------------------------------------------------------------- runs
# measure NAME DIR CMD...: one warm-up, then RUNS timed runs; stdout of the last in NAME.out.
measure() {
  local name=$1; shift
  "$@" >"$results/$name.out" 2>"$results/$name.err" || true
  for i in $(seq 1 "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$results/$name.time.$i" "$@" \
      >"$results/$name.out" 2>"$results/$name.err" || true
  done
}

: >"$results/index"
for s in $scales; do
  dir=$corpus/x$s
  echo "== x$s: scalelint"
  measure "scalelint-x$s" "$scalelint" check "$dir" --format json --exit-zero
  echo "scalelint x$s $dir" >>"$results/index"
  echo "== x$s: ripgrep"
  measure "ripgrep-x$s" "$rg" -l -F -f "$work/triggers.txt" "$dir"
  "$rg" --files "$dir" >"$results/ripgrep-x$s.files"
  echo "ripgrep x$s $dir" >>"$results/index"
done
if [ -z "${SKIP_PEERS:-}" ]; then
  echo "== x1: ast-grep"
  measure "ast-grep-x1" "$tools/venv/bin/ast-grep" scan -c "$root/benches/peers/ast-grep/sgconfig.yml" --json=stream "$base"
  echo "ast-grep x1 $base" >>"$results/index"
  echo "== x1: semgrep"
  measure "semgrep-x1" "$tools/venv/bin/semgrep" scan --config "$root/benches/peers/semgrep.yml" \
    --metrics=off --disable-version-check --json -j "$(nproc)" "$base"
  echo "semgrep x1 $base" >>"$results/index"
fi

# ---------------------------------------------------------------- table
python3 - "$results" "$runs" <<'EOF' | tee "$work/results.md"
import json, os, statistics, sys
results, runs = sys.argv[1], int(sys.argv[2])

def corpus_size(d):
    files = size = lines = 0
    for dp, dn, fn in os.walk(d):
        dn[:] = [x for x in dn if not x.startswith(".")]
        for f in fn:
            if f.startswith("."):
                continue
            p = os.path.join(dp, f)
            files += 1
            size += os.path.getsize(p)
            with open(p, "rb") as fh:
                lines += fh.read().count(b"\n")
    return files, size, lines

def timing(name):
    rows = []
    for i in range(1, runs + 1):
        with open(f"{results}/{name}.time.{i}") as fh:
            wall, user, sys_, rss = fh.read().split()[-4:]
        rows.append((float(wall), float(user) + float(sys_), int(rss)))
    wall = statistics.median(r[0] for r in rows)
    cpu = statistics.median(r[1] for r in rows)
    return wall, cpu, max(r[2] for r in rows) / 1024

def findings(tool, name):
    out = open(f"{results}/{name}.out").read()
    if tool == "scalelint":
        report = json.loads(out)
        return report["summary"]["files_scanned"], len(report["findings"])
    if tool == "ripgrep":
        return sum(1 for _ in open(f"{results}/{name}.files")), len(out.splitlines())
    if tool == "ast-grep":
        return None, sum(1 for l in out.splitlines() if l.strip())
    if tool == "semgrep":
        report = json.loads(out)
        return len(report["paths"]["scanned"]), len(report["results"])

rows = []
sizes = {}
for line in open(f"{results}/index"):
    tool, scale, path = line.split()
    if scale not in sizes:
        sizes[scale] = corpus_size(path)
    name = f"{tool}-{scale}"
    try:
        scanned, found = findings(tool, name)
    except (ValueError, KeyError, OSError) as e:
        sys.exit(f"compare.sh: {tool} on {scale} produced no usable output ({e}); see {results}/{name}.err")
    wall, cpu, rss = timing(name)
    rows.append((tool, scale, scanned, found, wall, cpu, rss))

for scale, (files, size, lines) in sizes.items():
    print(f"corpus {scale}: {files} files, {size / 1e6:.1f} MB, {lines:,} lines")
print()
rg = {r[1]: r[4] for r in rows if r[0] == "ripgrep"}
sl = {r[1]: r[4] for r in rows if r[0] == "scalelint"}
print("| tool | corpus | files scanned | findings | wall s (median) | CPU s | peak RSS MB | wall / ripgrep | wall / scalelint |")
print("|---|---|---|---|---|---|---|---|---|")
for tool, scale, scanned, found, wall, cpu, rss in rows:
    print(f"| {tool} | {scale} | {scanned if scanned is not None else '-'} | {found} | {wall:.2f} | "
          f"{cpu:.2f} | {rss:.0f} | {wall / rg[scale]:.1f}x | {wall / sl[scale]:.1f}x |")
print()
if "x1" in sl:
    for scale in sorted(sl, key=lambda s: int(s[1:])):
        print(f"scalelint {scale}: {sl[scale] / sl['x1']:.2f}x the x1 wall time "
              f"(input {int(scale[1:])}x)")
EOF
