#!/usr/bin/env bash
# bench/run.sh: kakao-auth's benchmarks (see bench/README.md).
#
#   bash bench/run.sh                  # from any directory
#   BENCH_RUNS=30 bash bench/run.sh    # quicker, noisier
#
# Environment:
#   BENCH_RUNS          timed runs per command for the one-process figures (default 200)
#                       (a., c., e. and f.)
#   BENCH_BURST_ROUNDS  rounds of the 50-process refresh burst (default 15)
#   BENCH_LOGIN_COUNT   go test -count for BenchmarkLoginOverhead (default 10)
#   BENCH_BEFORE        a git revision: its kakao-auth joins table a. as
#                       token@before and version@before (default: none)
#   BENCH_PROFILE       0 skips h., the start-up profile (default 1)
#   BENCH_EMULATOR      0 skips i., the emulator under load (default 1; see bench/emulator.sh)
#
# Every figure is a median of repeated runs, given as a ratio against a
# baseline measured in the same run, with candidate and baselines
# interleaved run by run. Targets are reported as met or MISSED, never
# asserted; the script exits 1 only when something does not work (a build,
# the emulator login, or a correctness check such as "one refresh per burst").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${BENCH_RUNS:-200}
BURST_ROUNDS=${BENCH_BURST_ROUNDS:-15}
BURST_PROCS=50
LOGIN_COUNT=${BENCH_LOGIN_COUNT:-10}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kakao-auth-bench.XXXXXX")
PIDS=()
cleanup() {
	local pid
	for pid in ${PIDS[@]+"${PIDS[@]}"}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
	echo "bench: $*" >&2
	exit 1
}

# retry N CMD...: others edit cmd/ and internal/ concurrently, so a build may
# break for a moment; try again before giving up.
retry() {
	local tries=$1 i
	shift
	for ((i = 1; ; i++)); do
		if "$@"; then
			return 0
		fi
		((i < tries)) || return 1
		echo "bench: '$*' failed (try $i of $tries); retrying in 20 s" >&2
		sleep 20
	done
}

size() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }

command -v go >/dev/null || die "go is not on PATH"

# ---------------------------------------------------------------- machine

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n1)
echo "kakao-auth benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  machine: $(nproc) cores, ${cpu:-unknown CPU}"
echo "  $(go version | cut -d' ' -f3-), kernel $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo

# ---------------------------------------------------------------- builds

# kakao-auth is built as the README says (CGO_ENABLED=0, -trimpath,
# -ldflags "-s -w"); e. compares the default cgo builds with it.
KA=$TMP/kakao-auth
KA_FULL=$TMP/kakao-auth-unstripped
KA_CGO=$TMP/kakao-auth-cgo
KA_PLAIN=$TMP/kakao-auth-plain
MAIN_EXIT=$TMP/main-exit
MAIN_EXIT_FULL=$TMP/main-exit-unstripped
FLOOR=$TMP/floor
NOOP=$TMP/go-noop
MEASURE=$TMP/measure
WEBGET=$TMP/webget
SHAREDTOOL=$TMP/sharedtool
(
	cd "$ROOT"
	retry 3 env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$KA" . &&
		retry 3 env CGO_ENABLED=0 go build -trimpath -o "$KA_FULL" . &&
		retry 3 env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$MAIN_EXIT" ./bench/mainexit &&
		retry 3 env CGO_ENABLED=0 go build -trimpath -o "$MAIN_EXIT_FULL" ./bench/mainexit &&
		env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$FLOOR" ./bench/floor &&
		go build -trimpath -ldflags "-s -w" -o "$MEASURE" ./bench/measure &&
		go build -trimpath -ldflags "-s -w" -o "$WEBGET" ./bench/webget &&
		go build -trimpath -ldflags "-s -w" -o "$SHAREDTOOL" ./bench/sharedtool &&
		retry 3 go build -trimpath -ldflags "-s -w" -o "$KA_CGO" . && # for e. only
		retry 3 go build -o "$KA_PLAIN" .                              # for e. only
) || die "build failed"
mkdir "$TMP/noop"
printf 'package main\n\nfunc main() {}\n' >"$TMP/noop/main.go"
printf 'module noop\n\ngo 1.22\n' >"$TMP/noop/go.mod"
(cd "$TMP/noop" && GOWORK=off GOFLAGS= go build -trimpath -ldflags "-s -w" -o "$NOOP" .) || die "go-noop build failed"
NOOP_FULL=$TMP/go-noop-unstripped
(cd "$TMP/noop" && GOWORK=off GOFLAGS= go build -trimpath -o "$NOOP_FULL" .) || die "go-noop build failed"

# Every binary the tables time is copied once after its build, so that all
# sit in the page cache the same way, as an installed binary does. The Go
# linker writes its output through a memory map; on this machine's kernel
# (ext4 with large folios) a binary straight from go build started about
# 0.1-0.3 ms slower than a copy of itself (10% for kakao-auth), which made
# rows built at different moments hard to compare.
settle() {
	local f
	for f in "$@"; do
		[[ -f $f ]] || continue
		cp "$f" "$f.copy" && mv "$f.copy" "$f" || return 1
	done
}

# The same binary without internal/emulator, for a measurement only (its
# emulator command and login --emulator panic): bench/noemulator rewrites
# the files of cmd/ that use the emulator into an overlay. When that no
# longer compiles, the rows are left out with a note, not the whole run.
NOEMU_ROWS=()
mkdir "$TMP/noemu"
if (cd "$ROOT" && go run ./bench/noemulator "$TMP/noemu" >"$TMP/noemu.json" &&
	env CGO_ENABLED=0 go build -overlay "$TMP/noemu.json" -trimpath -ldflags "-s -w" -o "$TMP/kakao-auth-noemu" . &&
	env CGO_ENABLED=0 go build -overlay "$TMP/noemu.json" -trimpath -ldflags "-s -w" -o "$TMP/main-exit-noemu" ./bench/mainexit) 2>"$TMP/noemu.err"; then
	NOEMU_ROWS=(:: token-noemu "$TMP/kakao-auth-noemu" token :: main-exit-noemu "$TMP/main-exit-noemu")
else
	echo "bench: no build without the emulator (rows left out of a.): $(head -n3 "$TMP/noemu.err")" >&2
fi

# BENCH_BEFORE: the same documented build of another revision, for a
# before/after comparison in one interleaved table.
BEFORE_ROWS=()
if [[ -n ${BENCH_BEFORE:-} ]]; then
	before_rev=$(git -C "$ROOT" rev-parse --short "$BENCH_BEFORE^{commit}") || die "BENCH_BEFORE=$BENCH_BEFORE is not a revision"
	mkdir "$TMP/before"
	git -C "$ROOT" archive "$before_rev" | tar -x -C "$TMP/before" || die "could not unpack $before_rev"
	(cd "$TMP/before" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$TMP/kakao-auth-before" .) ||
		die "could not build $before_rev"
	BEFORE_ROWS=(:: "token@$before_rev" "$TMP/kakao-auth-before" token :: "version@$before_rev" "$TMP/kakao-auth-before" --version)
fi

settle "$KA" "$KA_FULL" "$KA_CGO" "$KA_PLAIN" "$MAIN_EXIT" "$MAIN_EXIT_FULL" "$FLOOR" "$NOOP" "$NOOP_FULL" \
	"$TMP/kakao-auth-noemu" "$TMP/main-exit-noemu" "$TMP/kakao-auth-before" || die "could not copy the binaries"

# ---------------------------------------------------------------- a private world for kakao-auth

# kakao-auth only ever sees these directories and no KAKAO_* settings of the
# caller (KAKAO_REFRESH_TOKEN alone would switch "token" to env-only mode);
# measure's own temp files land in $TMP too, so the trap removes them even
# when measure is interrupted. The go commands keep the caller's HOME, so
# their caches are found.
mkdir -p "$TMP/config" "$TMP/home" "$TMP/run" "$TMP/tmp" "$TMP/cache"
chmod 700 "$TMP/config" "$TMP/home" "$TMP/run" "$TMP/tmp" "$TMP/cache"
KENV=(env -u KAKAO_CLIENT_ID -u KAKAO_CLIENT_SECRET -u KAKAO_REFRESH_TOKEN
	-u KAKAO_AUTH_PROFILE -u KAKAO_AUTH_STORE -u KAKAO_AUTH_URL -u KAKAO_API_URL
	-u KAKAO_REDIRECT_URI -u KAKAO_AUTH_BROWSER -u BROWSER -u GITHUB_ACTIONS
	-u GITHUB_ENV -u GITHUB_OUTPUT
	"HOME=$TMP/home" "XDG_CONFIG_HOME=$TMP/config" "XDG_CACHE_HOME=$TMP/cache" "XDG_RUNTIME_DIR=$TMP/run" "TMPDIR=$TMP/tmp")
VERDICTS=$TMP/verdicts
: >"$VERDICTS"
FAILED=0

# The emulator picks its own port (--addr :0) and prints its base URL when ready.
CB_PORT=$("$WEBGET" freeport)
REDIRECT=http://127.0.0.1:$CB_PORT/callback
"${KENV[@]}" "$KA" emulator --auto-approve --addr 127.0.0.1:0 --redirect-uri "$REDIRECT" \
	>"$TMP/emulator.out" 2>"$TMP/emulator.err" &
PIDS+=($!)
for _ in $(seq 100); do
	[[ -s $TMP/emulator.out ]] && break
	sleep 0.1
done
BASE=$(head -n1 "$TMP/emulator.out")
[[ $BASE == http://127.0.0.1:* ]] || die "the emulator did not start: $(cat "$TMP/emulator.err")"

# One real login into the file store; the "browser" is webget, which follows
# the emulator's redirect back to kakao-auth's loopback listener.
"${KENV[@]}" "$KA" login --store file --client-id emulator-rest-api-key \
	--redirect-uri "$REDIRECT" --auth-url "$BASE" --api-url "$BASE" \
	--browser-command "'$WEBGET' get -q" --timeout 30s \
	>"$TMP/login.out" 2>"$TMP/login.err" || die "login against the emulator failed: $(cat "$TMP/login.err")"
TOKFILE=$TMP/config/kakao-auth/tokens/default.json
[[ -f $TOKFILE ]] || die "login stored no token file at $TOKFILE"
stored=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$TOKFILE")
printed=$("${KENV[@]}" "$KA" token) || die "kakao-auth token failed"
[[ -n $stored && $printed == "$stored" ]] || die "kakao-auth token printed something other than the stored access token"
# shellcheck disable=SC2016 # expanded by the command's shell
"${KENV[@]}" "$KA" exec -- sh -c '[ "$KAKAO_ACCESS_TOKEN" = "$1" ]' sh "$stored" ||
	die "kakao-auth exec did not give its command the stored access token"

run_measure() { # run measure; exit status 3 means a FAIL line was printed
	local rc=0
	"${KENV[@]}" "$MEASURE" "$@" || rc=$?
	case $rc in
	0) ;;
	3) FAILED=1 ;;
	*) die "measure $1 failed" ;;
	esac
}

# ---------------------------------------------------------------- a. token, valid token in the file store

# main-exit is kakao-auth's code with a main that returns at once: Go's
# start-up and every package's initialisation in this binary, no command;
# the floor of any kakao-auth command. version is that plus the root
# command printing the version, no file or network access. floor is a
# do-nothing main linking only the packages any kakao-auth needs.
# token ÷ main-exit is what the token path adds, main included (target ≤
# 1.15×); version ÷ go-noop is what the binary costs before any real work
# (target: under 3× on a quiet machine); token ÷ go-noop is the start-up
# target (≤ 2×).
run_measure run -n "$RUNS" -baseline version,main-exit,go-noop -verdicts "$VERDICTS" \
	-check 'token<5ms' -check 'token/go-noop<=2' -check 'token/main-exit<=1.15' -check 'version/go-noop<=3' \
	-title "a. kakao-auth token, valid access token in the file store, against kakao-auth --version (version), the same binary with main returning at once (main-exit), the packages alone (floor), cat of the token file, the do-nothing Go binary, and both kakao-auth rows built without the emulator (-noemu)" \
	token "$KA" token :: version "$KA" --version :: main-exit "$MAIN_EXIT" :: floor "$FLOOR" :: \
	cat cat "$TOKFILE" :: go-noop "$NOOP" ${NOEMU_ROWS[@]+"${NOEMU_ROWS[@]}"} ${BEFORE_ROWS[@]+"${BEFORE_ROWS[@]}"}

# ---------------------------------------------------------------- b. 50 concurrent token processes on an expired token

run_measure burst -n "$BURST_PROCS" -rounds "$BURST_ROUNDS" -expire "$TOKFILE" \
	-counter refreshes -want expired=1 -want valid=0 -baseline valid,go-noop -verdicts "$VERDICTS" \
	-title "b. $BURST_PROCS kakao-auth token processes at once (expired: stored access token expired, so one refresh; valid: right after)" \
	@count "$WEBGET" field "$BASE/_emulator/stats" refreshes :: \
	expired "$KA" token :: valid "$KA" token :: go-noop "$NOOP"

# ---------------------------------------------------------------- c. size and start-up

echo "c. binary size"
ka_s=$(size "$KA") ka_u=$(size "$KA_FULL") noop_s=$(size "$NOOP") noop_u=$(size "$NOOP_FULL")
row() { printf '  %-10s  %10s  %10s  %s\n' "$@"; }
row binary stripped unstripped "stripped ÷ go-noop"
row kakao-auth "$(mb "$ka_s")" "$(mb "$ka_u")" "$(ratio "$ka_s" "$noop_s")"
row go-noop "$(mb "$noop_s")" "$(mb "$noop_u")" "1.00×"
echo "  (MB = 10^6 bytes; built with CGO_ENABLED=0 go build -trimpath, stripped with -ldflags \"-s -w\")"
echo
for which in stripped unstripped; do
	bytes=$ka_s
	[[ $which == unstripped ]] && bytes=$ka_u
	if ((bytes < 15000000)); then v="met   "; else v="MISSED"; fi
	echo "$v  kakao-auth $which size: $(mb "$bytes") (target < 15 MB)" >>"$VERDICTS"
	echo "  $v  kakao-auth $which size: $(mb "$bytes") (target < 15 MB)"
done
echo

run_measure run -n "$RUNS" -baseline go-noop -rss-runs 0 \
	-title "c. start-up: kakao-auth --help (cobra builds the whole command tree and prints usage)" \
	help "$KA" --help :: go-noop "$NOOP"

# ---------------------------------------------------------------- d. login overhead

echo "d. login overhead (go test -bench BenchmarkLoginOverhead -count $LOGIN_COUNT ./internal/authflow/)"
(cd "$ROOT" && retry 3 go test -c -o "$TMP/authflow.test" ./internal/authflow/) || die "could not build the authflow tests"
if (cd "$ROOT/internal/authflow" && "$TMP/authflow.test" -test.run '^$' -test.bench BenchmarkLoginOverhead -test.count "$LOGIN_COUNT") >"$TMP/login-bench.txt" 2>&1; then
	rc=0
	"$MEASURE" benchsum -ratio 'overhead-ns/login:loopback-get-ns' -ratio 'after-page-ns/login:overhead-ns/login' \
		-zero lost-pages/login -verdicts "$VERDICTS" <"$TMP/login-bench.txt" || rc=$?
	case $rc in
	0) ;;
	3)
		FAILED=1
		echo "  first lost page: $(grep -m1 'did not get its page' "$TMP/login-bench.txt" | sed 's/^[[:space:]]*//')"
		echo
		;;
	*) die "could not summarise: $(cat "$TMP/login-bench.txt")" ;;
	esac
else
	FAILED=1
	why=$(grep -m1 -E 'bench_test.go|panic|FAIL' "$TMP/login-bench.txt" | sed 's/^[[:space:]]*//')
	echo "  FAIL    BenchmarkLoginOverhead: $why"
	echo "FAIL    BenchmarkLoginOverhead: $why" >>"$VERDICTS"
	echo
fi

# ---------------------------------------------------------------- e. what-if: the default cgo builds

# Not a target: the same source built the default way, with cgo (the net
# resolver and os/user, through godbus), so dynamically linked: stripped
# (go build -trimpath -ldflags "-s -w") and plain (go build), against the
# documented CGO_ENABLED=0 build, in the same run.
run_measure run -n "$RUNS" -baseline token,go-noop -rss-runs 0 \
	-title "e. what-if (not a target): token from the default cgo builds against the documented CGO_ENABLED=0 build ($(mb "$(size "$KA")"))" \
	token "$KA" token :: token-cgo "$KA_CGO" token :: token-plain "$KA_PLAIN" token :: go-noop "$NOOP"

# ---------------------------------------------------------------- f. api against curl

# The same GET /v2/user/me with the same access token on the same emulator:
# kakao-auth api (start, read the profile and the token file, call, print)
# against curl given the token. token (no HTTP at all) is the third row, so
# api ÷ token is what the call itself costs kakao-auth. Not a target.
if command -v curl >/dev/null; then
	TOKEN=$("${KENV[@]}" "$KA" token) || die "kakao-auth token failed"
	CURL=(curl -s -f -H "Authorization: Bearer $TOKEN" "$BASE/v2/user/me")
	api_body=$("${KENV[@]}" "$KA" api /v2/user/me) || die "kakao-auth api /v2/user/me failed"
	curl_body=$("${CURL[@]}") || die "curl $BASE/v2/user/me failed"
	if [[ $api_body == "$curl_body" ]]; then
		echo "ok      api /v2/user/me prints what curl prints (the same body)" >>"$VERDICTS"
	else
		FAILED=1
		echo "FAIL    api /v2/user/me printed another body than curl" >>"$VERDICTS"
	fi
	run_measure run -n "$RUNS" -baseline curl,token \
		-title "f. kakao-auth api /v2/user/me against curl with the same access token, same emulator (and token, no HTTP)" \
		api "$KA" api /v2/user/me :: curl "${CURL[@]}" :: token "$KA" token
else
	echo "f. kakao-auth api against curl: skipped, curl is not installed (command -v curl found nothing)"
	echo
	echo "note    f. skipped: no curl" >>"$VERDICTS"
fi

# ---------------------------------------------------------------- g. exec -- true against token

# exec's own cost: the same token path, then starting the command with the
# token in its environment and waiting for it. true is the command; its own
# start (fork/exec of a tiny C program) is in the exec figure, and shown on
# its own as the true row.
run_measure run -n "$RUNS" -baseline token,true -rss-runs 0 \
	-title "g. kakao-auth exec -- true (valid token in the file store) against kakao-auth token and true itself" \
	exec "$KA" exec -- true :: token "$KA" token :: true true

# ---------------------------------------------------------------- h. where the start-up goes

if [[ ${BENCH_PROFILE:-1} != 0 ]]; then
	"${KENV[@]}" "$MEASURE" inittrace -n 51 -top 15 \
		-title "h. package initialisation in kakao-auth token (GODEBUG=inittrace=1; clock time, so page faults included)" \
		"$KA" token || die "measure inittrace failed"
	# perf: CPU time of each phase, sampled over 200 starts of each command,
	# from unstripped builds (the same code); each command runs under its
	# own file name, which perf reports as the process's comm.
	if perf stat -e cpu-clock -o /dev/null true 2>/dev/null; then
		ln "$KA_FULL" "$TMP/ka-token" && ln "$KA_FULL" "$TMP/ka-version" &&
			cp "$MAIN_EXIT_FULL" "$TMP/ka-main-exit" && cp "$NOOP_FULL" "$TMP/go-noop-f" ||
			die "could not link the profiled binaries"
		"${KENV[@]}" perf record -q -o "$TMP/perf.data" -e cpu-clock -c 50000 -g -- bash -c '
			for _ in $(seq 200); do "$1/ka-token" token; "$1/ka-version" --version; "$1/ka-main-exit"; "$1/go-noop-f"; done >/dev/null
		' _ "$TMP" 2>"$TMP/perf.err" || die "perf record failed: $(cat "$TMP/perf.err")"
		perf script -i "$TMP/perf.data" -F comm,ip,sym,dso 2>/dev/null |
			"$MEASURE" perfsum -runs 200 -period-us 50 -top 12 \
				-comm go-noop-f=go-noop -comm ka-main-exit=main-exit -comm ka-version=version -comm ka-token=token \
				-title "h. CPU time per phase of start-up (perf record -e cpu-clock -g, 200 starts each; perf slows every process down, so read the shares and differences, not the absolute times)" ||
			die "measure perfsum failed"
		for c in go-noop-f ka-main-exit ka-version ka-token; do
			case $c in ka-token) args=(token) ;; ka-version) args=(--version) ;; *) args=() ;; esac
			"${KENV[@]}" perf stat -r 200 -x, -e page-faults,context-switches -o "$TMP/stat.$c" "$TMP/$c" ${args[@]+"${args[@]}"} >/dev/null ||
				die "perf stat failed"
		done
		echo "h. page faults and context switches per start (perf stat, mean of 200 runs)"
		printf '  %-10s  %11s  %16s\n' command page-faults context-switches
		for c in go-noop-f ka-main-exit ka-version ka-token; do
			label=${c#ka-}
			printf '  %-10s  %11s  %16s\n' "${label%-f}" \
				"$(awk -F, '$3 == "page-faults" { printf "%.0f", $1 }' "$TMP/stat.$c")" \
				"$(awk -F, '$3 == "context-switches" { printf "%.0f", $1 }' "$TMP/stat.$c")"
		done
		echo
	else
		echo "h. perf is not available here (install linux-perf; it needs perf_event_open): CPU profile skipped"
		echo
	fi
fi

# ---------------------------------------------------------------- i. the emulator under load

# Logins/s of `kakao-auth emulator`, in memory and with --state-file
# holding 1k, 10k and 100k logins, interleaved in one run; then kill -9
# under load (bench/emulator.sh, bench/emuload). Exit status 3: a FAIL line.
if [[ ${BENCH_EMULATOR:-1} != 0 ]]; then
	rc=0
	# Not under KENV: its go build needs the caller's HOME and caches.
	bash "$ROOT/bench/emulator.sh" "$KA" "$VERDICTS" || rc=$?
	case $rc in
	0) ;;
	3) FAILED=1 ;;
	*) die "bench/emulator.sh failed" ;;
	esac
fi

# ---------------------------------------------------------------- j. shared stores: etcd and Redis

# The same login, copied into an etcd and a Redis of this run's own (free
# loopback ports, data under $TMP, Redis with appendonly yes and
# appendfsync always, as the README asks). Every row runs through env, so
# each pays the same exec of env. Then the burst of b. on each engine.
if command -v etcd >/dev/null && command -v redis-server >/dev/null; then
	ETCD_PORT=$("$WEBGET" freeport) ETCD_PEER=$("$WEBGET" freeport) REDIS_PORT=$("$WEBGET" freeport)
	mkdir -m 700 "$TMP/etcd" "$TMP/redis"
	etcd --name bench --data-dir "$TMP/etcd/data" --log-level warn \
		--listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
		--initial-cluster "bench=http://127.0.0.1:$ETCD_PEER" >"$TMP/etcd.log" 2>&1 &
	PIDS+=($!)
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP/redis" --appendonly yes --appendfsync always \
		--save '' --loglevel warning >"$TMP/redis.log" 2>&1 &
	PIDS+=($!)
	ETCD_URL=etcd://127.0.0.1:$ETCD_PORT
	REDIS_URL=redis://127.0.0.1:$REDIS_PORT
	# b. refreshed the token: the file holds the current one.
	current=$("${KENV[@]}" "$KA" token) || die "kakao-auth token failed"
	for url in "$ETCD_URL" "$REDIS_URL"; do
		"$SHAREDTOOL" wait "$url" || die "$url did not start: $(cat "$TMP/etcd.log" "$TMP/redis.log")"
		"$SHAREDTOOL" copy "$TOKFILE" "$url" default || die "could not store the login in $url"
		[[ $("${KENV[@]}" "KAKAO_AUTH_STORE=$url" "$KA" token) == "$current" ]] ||
			die "kakao-auth token on $url printed something other than the stored access token"
	done
	run_measure run -n "$RUNS" -baseline token-file,go-noop \
		-title "j. kakao-auth token, valid access token (the fast path: one read, no lock, no write) in the file store, in etcd ($ETCD_URL) and in Redis ($REDIS_URL)" \
		token-file env KAKAO_AUTH_STORE=file "$KA" token :: token-etcd env "KAKAO_AUTH_STORE=$ETCD_URL" "$KA" token :: \
		token-redis env "KAKAO_AUTH_STORE=$REDIS_URL" "$KA" token :: go-noop env "$NOOP"
	for engine in etcd redis; do
		url=$ETCD_URL
		[[ $engine == redis ]] && url=$REDIS_URL
		run_measure burst -n "$BURST_PROCS" -rounds "$BURST_ROUNDS" -expire-cmd "'$SHAREDTOOL' expire '$url' default" \
			-counter refreshes -want expired=1 -want valid=0 -baseline valid -verdicts "$VERDICTS" \
			-title "j. $BURST_PROCS kakao-auth token processes at once on $engine (expired: one refresh under the lease; valid: right after)" \
			@count "$WEBGET" field "$BASE/_emulator/stats" refreshes :: \
			expired env "KAKAO_AUTH_STORE=$url" "$KA" token :: valid env "KAKAO_AUTH_STORE=$url" "$KA" token
	done
else
	echo "j. shared stores: skipped, etcd or redis-server is not installed (apt-get install etcd-server redis-server)"
	echo
	echo "note    j. skipped: no etcd or redis-server" >>"$VERDICTS"
fi

# ---------------------------------------------------------------- summary

echo "targets and checks"
sed 's/^/  /' "$VERDICTS"
if ((FAILED)); then
	echo
	echo "FAIL: a correctness check failed (see above)"
	exit 1
fi
