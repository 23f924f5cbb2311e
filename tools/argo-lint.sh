#!/usr/bin/env bash
# Lint Argo manifests with Argo Workflows' own validator (the Go program in
# tools/argo-lint, built on first use and whenever its sources change).
#   tools/argo-lint.sh PATH...   files or directories of .yaml/.yml/.json manifests
#   tools/argo-lint.sh --build   only build (tools/setup_test_tools.sh calls this)
# Exit: 0 all valid, 1 something invalid (one line per problem, Argo's message),
# 2 usage or read error. Needs Go (a test tool only: nothing flowc ships uses it).
set -euo pipefail
src="$(cd "$(dirname "$0")/argo-lint" && pwd)"
bin="$src/bin/argo-lint"
# Go on PATH, else the usual install location of the Go toolchain.
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}

stale() {
    [ ! -x "$bin" ] && return 0
    [ -n "$(find "$src" -maxdepth 1 \( -name go.mod -o -name go.sum -o -name '*.go' \) -newer "$bin")" ]
}

if stale; then
    if [ -z "$GO" ] || [ ! -x "$GO" ]; then
        echo "argo-lint: Go is needed to build tools/argo-lint (put go on PATH or set GO)" >&2
        exit 2
    fi
    # go.sum is committed, so an empty module cache is filled from the module proxy and
    # every download is checked against it; the build cache is reused between runs.
    # A private temporary name, then a rename: concurrent callers never run half a binary.
    echo "argo-lint: building tools/argo-lint (a few minutes with an empty Go cache)" >&2
    tmp="$bin.$$"
    (cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" "$GO" build -trimpath -o "$tmp" .)
    mv -f "$tmp" "$bin"
fi

if [ "${1:-}" = "--build" ]; then
    exit 0
fi
exec "$bin" "$@"
