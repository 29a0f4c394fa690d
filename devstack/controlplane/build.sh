#!/usr/bin/env bash
# Builds the Kubernetes control plane that tests and ./driftless up run (kube-apiserver, kube-controller-manager,
# etcd) and the tools beside it (kubectl, kustomize, helm), from the Go module proxy, once per version, into a cache:
#
#   ${DRIFTLESS_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/driftless}/controlplane/<version>-<hash>/bin
#
# The hash covers go.mod, go.sum and this script, so a change to any of them builds anew; an unchanged input is
# never built twice. Prints the bin directory as its last line of standard output (progress goes to standard
# error). Needs Go (the version go.mod names, or newer). On failure: one line naming the part and the log, exit 1.
#
#   devstack/controlplane/build.sh            build if needed, print the bin directory
#   devstack/controlplane/build.sh --print    print the bin directory, exit 3 if it is not built
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.1
# render-service runs helm template out of its process (a timed-out render is killed, Go's heap is not the JVM's)
HELM_VERSION=v3.22.0
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the release go.mod requires: one place to bump
KUBERNETES_VERSION="$(awk '$1 == "k8s.io/kubernetes" { print $2 }' "$HERE/go.mod")"
CACHE_ROOT="${DRIFTLESS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/driftless}/controlplane"
HASH="$(cat "$HERE/go.mod" "$HERE/go.sum" "$HERE/etcd/main.go" "$0" | sha256sum | cut -c1-12)"
TARGET="$CACHE_ROOT/$KUBERNETES_VERSION-$HASH"
BINARIES=(kube-apiserver kube-controller-manager etcd kubectl kustomize helm)

built() {
  local b
  for b in "${BINARIES[@]}"; do
    [ -x "$TARGET/bin/$b" ] || return 1
  done
}

if built; then
  echo "$TARGET/bin"
  exit 0
fi
if [ "${1:-}" = "--print" ]; then
  exit 3
fi

if ! command -v go >/dev/null 2>&1; then
  echo "controlplane: Go is not installed (go on PATH); it builds kube-apiserver, kube-controller-manager and etcd" >&2
  exit 1
fi
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
flock 9 # another build of the same cache (a second test JVM, the launcher) waits for this one
if built; then
  echo "$TARGET/bin"
  exit 0
fi

LOG="$CACHE_ROOT/build-$KUBERNETES_VERSION-$HASH.log"
PARTIAL="$(mktemp -d "$CACHE_ROOT/partial-XXXXXX")"
trap 'rm -rf "$PARTIAL"' EXIT
: >"$LOG"

# version stamps, as Kubernetes' own release build sets them (kubectl version and /version report them)
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done

export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -trimpath -buildvcs=false" CGO_ENABLED=0
start=$(date +%s)
progress() {
  echo "▸ controlplane: $1 ($(($(date +%s) - start)) s)" >&2
}

echo "▸ controlplane: building Kubernetes $KUBERNETES_VERSION (kube-apiserver, kube-controller-manager, kubectl)," \
  "etcd, kustomize $KUSTOMIZE_VERSION and helm $HELM_VERSION from the Go module proxy, once; about 5 min on 2 cores, then cached in" \
  "$TARGET (log: $LOG)" >&2
(
  # a progress line every 30 s while the compiler runs
  while sleep 30; do progress "still compiling"; done
) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true; rm -rf "$PARTIAL"' EXIT

fail() {
  kill $ticker 2>/dev/null || true
  echo "controlplane: $1 failed; see $LOG" >&2
  tail -5 "$LOG" | sed 's/^/  /' >&2
  exit 1
}

(cd "$HERE" && go mod download >>"$LOG" 2>&1) || fail "downloading the Kubernetes $KUBERNETES_VERSION modules"
progress "modules downloaded"
(cd "$HERE" && go build -ldflags "$LDFLAGS" -o "$PARTIAL/bin/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl \
  ./etcd >>"$LOG" 2>&1) || fail "building kube-apiserver, kube-controller-manager, kubectl and etcd"
progress "kube-apiserver, kube-controller-manager, kubectl and etcd built"
(cd "$PARTIAL" && GOBIN="$PARTIAL/bin" GOFLAGS="-trimpath" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" \
  >>"$LOG" 2>&1) || fail "building kustomize $KUSTOMIZE_VERSION"
progress "kustomize built"
(cd "$PARTIAL" && GOBIN="$PARTIAL/bin" GOFLAGS="-trimpath" go install \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
  >>"$LOG" 2>&1) || fail "building helm $HELM_VERSION"
kill $ticker 2>/dev/null || true

rm -rf "$TARGET"
mv "$PARTIAL" "$TARGET"
# earlier builds (another version or input) are not kept: a rebuild from Go's build cache takes seconds
find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 \( -name 'v*' -o -name 'build-*.log' \) \
  ! -name "$(basename "$TARGET")" ! -name "$(basename "$LOG")" -exec rm -rf {} +
progress "done"
echo "$TARGET/bin"
