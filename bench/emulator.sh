#!/usr/bin/env bash
# i. The emulator under a web app's test suite: logins per second, in
# memory and with --state-file holding 1k, 10k and 100k logins, measured
# in one interleaved run by bench/emuload; then kill -9 under load.
#
#   bash bench/emulator.sh                      # on its own (builds kakao-auth)
#   bash bench/emulator.sh KAKAO-AUTH VERDICTS  # from bench/run.sh
#
#   BENCH_EMU_LOGINS   logins per round per emulator (default 1000)
#   BENCH_EMU_ROUNDS   interleaved rounds (default 5)
#   BENCH_EMU_SIZES    stored logins of the --state-file emulators (default "1000 10000 100000")
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOGINS=${BENCH_EMU_LOGINS:-1000}
ROUNDS=${BENCH_EMU_ROUNDS:-5}
read -r -a SIZES <<<"${BENCH_EMU_SIZES:-1000 10000 100000}"

TMP=$(mktemp -d)
chmod 700 "$TMP"
PIDS=()
cleanup() {
	local p
	for p in ${PIDS[@]+"${PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
die() {
	echo "bench/emulator.sh: $*" >&2
	exit 1
}

KA=${1:-}
VERDICTS=${2:-$TMP/verdicts}
if [[ -z $KA ]]; then
	KA=$TMP/kakao-auth
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$KA" .) || die "could not build kakao-auth"
fi
(cd "$ROOT" && go build -trimpath -o "$TMP/emuload" ./bench/emuload) || die "could not build bench/emuload"

label() { # 1000 → 1k
	if (($1 % 1000 == 0)); then echo "$(($1 / 1000))k"; else echo "$1"; fi
}

# start NAME ARGS...: an emulator on a free port; its base URL in $TMP/NAME.out.
start() {
	local name=$1
	shift
	"$KA" emulator --auto-approve --addr 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PIDS+=($!)
}
url_of() {
	local name=$1 i
	for i in $(seq 1800); do
		if [[ -s $TMP/$name.out ]]; then
			head -n1 "$TMP/$name.out"
			return
		fi
		kill -0 "${PIDS[-1]}" 2>/dev/null || true
		sleep 0.1
	done
	die "emulator $name did not start: $(cat "$TMP/$name.err")"
}

echo "i. kakao-auth emulator: logins per second with 8 clients, in memory and with --state-file holding $(for s in "${SIZES[@]}"; do printf '%s ' "$(label "$s")"; done)logins"
TARGETS=()
start memory
TARGETS+=("memory=$(url_of memory)")
for n in "${SIZES[@]}"; do
	name=file-$(label "$n")
	mkdir -m 700 "$TMP/$name"
	"$TMP/emuload" seed -n "$n" -out "$TMP/$name/state.json" || die "seed $n failed"
	t0=$(date +%s.%N)
	start "$name" --state-file "$TMP/$name/state.json"
	TARGETS+=("$name=$(url_of "$name")")
	t1=$(date +%s.%N)
	printf '  %s: started in %.1f s, carrying over a version-1 JSON state file of %s logins (%s MB) into its store\n' \
		"$name" "$(echo "$t1 - $t0" | bc)" "$n" "$(du -m "$TMP/$name/state.json.v1.bak" | cut -f1)"
done
echo

CHECKS=()
for n in "${SIZES[@]}"; do
	CHECKS+=(-check "file-$(label "$n")/memory>=0.5")
done
last=$(label "${SIZES[-1]}") first=$(label "${SIZES[0]}")
if [[ $last != "$first" ]]; then
	CHECKS+=(-check "file-$last/file-$first>=0.8")
fi
rc=0
"$TMP/emuload" run -c 8 -n "$LOGINS" -rounds "$ROUNDS" -verdicts "$VERDICTS" -baseline "memory,file-$first" "${CHECKS[@]}" \
	-title "i. logins/s (median of rounds) and latency of a whole login (over all rounds)" "${TARGETS[@]}" || rc=$?
for n in "${SIZES[@]}"; do
	name=file-$(label "$n")
	printf '  %s: state file %s MB after the run\n' "$name" "$(du -m "$TMP/$name/state.json" | cut -f1)"
done
echo
mkdir -m 700 "$TMP/crash"
"$TMP/emuload" crash -ka "$KA" -dir "$TMP/crash" -verdicts "$VERDICTS" || rc=$?
if [[ -z ${2:-} ]]; then
	echo "targets and checks"
	sed 's/^/  /' "$VERDICTS"
fi
exit "$rc"
