#!/usr/bin/env bash
# Installs what Runlane needs on Debian/Ubuntu (sandbox, toolchains, npm packages) and builds it. Safe to run again.
set -euo pipefail

cd "$(dirname "$0")/.."

# `--test` also makes sure the Redis and PostgreSQL the test suite needs are installed and running.
WITH_TEST_SERVICES=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST_SERVICES=1 ;;
    *) printf 'setup: unknown option %s (known: --test)\n' "$arg" >&2; exit 2 ;;
  esac
done

# Debian packages: the sandbox (bubblewrap, setpriv from util-linux, libseccomp-dev and gcc for its seccomp filter) and one
# toolchain per catalogue language.
PACKAGES=(bubblewrap util-linux libseccomp-dev pkg-config python3 gcc g++ libc6-dev default-jdk-headless golang-go rustc ruby node-typescript)
# A command each package provides, to tell quickly whether anything is missing.
COMMANDS=(bwrap setpriv pkg-config python3 gcc g++ javac java go rustc ruby tsc)
# Headers (of -dev packages, which install no command) that must be present too.
HEADERS=(/usr/include/seccomp.h)
# Toolchains are looked up where the sandbox looks: never a user's own PATH (pyenv shims, ~/.cargo).
SYSTEM_PATH=/usr/local/bin:/usr/bin:/bin

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

missing_commands() {
  local command header missing=()
  for command in "${COMMANDS[@]}"; do
    PATH="$SYSTEM_PATH" command -v "$command" >/dev/null 2>&1 || missing+=("$command")
  done
  for header in "${HEADERS[@]}"; do
    [[ -f "$header" ]] || missing+=("$header")
  done
  PATH="$SYSTEM_PATH" pkg-config --exists libseccomp 2>/dev/null || missing+=("libseccomp.pc")
  echo "${missing[*]:-}"
}

install_packages() {
  local missing
  missing="$(missing_commands)"
  if [[ -z "$missing" ]]; then
    log "system packages: all present"
    return
  fi
  log "system packages: missing $missing"
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found: install these yourself: ${PACKAGES[*]}" >&2
    exit 1
  fi
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { log "run as root (or install sudo) to install ${PACKAGES[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  missing="$(missing_commands)"
  [[ -z "$missing" ]] || { log "still missing after apt-get: $missing" >&2; exit 1; }
}

install_node_modules() {
  # npm ci only when package-lock.json changed since the last install done here (its hash is kept in node_modules).
  local stamp=node_modules/.runlane-lock.sha256 hash
  hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    log "npm packages: up to date"
    return
  fi
  log "npm packages: installing (npm ci)"
  if ! npm ci --no-audit --no-fund; then
    # npm ci refuses a lockfile that is out of step with package.json; npm install reconciles the two.
    log "npm ci failed; falling back to npm install"
    npm install --no-audit --no-fund
    hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
  fi
  echo "$hash" > "$stamp"
}

check_node() {
  command -v node >/dev/null 2>&1 || { log "Node.js 20.19+ is required: install it first (https://nodejs.org or your distribution)" >&2; exit 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { log "Node.js $(node --version) is too old: 20.19 or newer is required" >&2; exit 1; }
}

build_seccomp_filter() {
  # The sandbox refuses to start without this filter; rebuilt only when its source (or this script) changed.
  local source=native/seccomp-filter.c out=native/build
  if [[ -f "$out/seccomp.bpf" && -x "$out/seccomp-filter" && "$out/seccomp.bpf" -nt "$source" && "$out/seccomp.bpf" -nt scripts/setup.sh ]]; then
    log "seccomp filter: up to date"
    return
  fi
  log "seccomp filter: building $out/seccomp.bpf"
  mkdir -p "$out"
  # Debian's gcc and libseccomp, never a compiler or library from a user's own PATH.
  PATH="$SYSTEM_PATH" gcc -std=gnu17 -O2 -Wall -Wextra -Werror -o "$out/seccomp-filter" "$source" \
    $(PATH="$SYSTEM_PATH" pkg-config --cflags --libs libseccomp)
  "$out/seccomp-filter" "$out/seccomp.bpf"
}

# Builds one native helper from native/NAME.c into native/build/runlane-NAME unless it is newer than its source and this script.
build_native_helper() {
  local name=$1 label=$2 source="native/$1.c" out=native/build
  local target="$out/runlane-$name"
  if [[ -x "$target" && "$target" -nt "$source" && "$target" -nt scripts/setup.sh ]]; then
    log "$label: up to date"
    return
  fi
  log "$label: building $target"
  mkdir -p "$out"
  # Built to a temporary name and renamed: a running server may be starting (or a resident sandbox have bound) the old one.
  PATH="$SYSTEM_PATH" gcc -std=gnu17 -O2 -Wall -Wextra -Werror -o "$target.tmp" "$source"
  mv -f "$target.tmp" "$target"
}

build_launcher() {
  # Starts every run (cgroups, rlimits, uid drop, exec bwrap); without it runs fall back to the slower bash prologue.
  build_native_helper launcher launcher
}

build_resident_init() {
  # PID 1 of resident sandboxes (one long-lived bwrap per slot that forks each run); without it only one-shot runs exist.
  build_native_helper resident-init "resident init"
}

check_node
install_packages
build_seccomp_filter
build_launcher
build_resident_init
install_node_modules
build() {
  # Rebuild only when a source or build setting changed since the last build done here.
  local stamp=dist/.runlane-build-stamp
  if [[ -f "$stamp" && -z "$(find src tsconfig.json tsconfig.build.json package.json package-lock.json -newer "$stamp" -print -quit)" ]]; then
    log "build: up to date"
    return
  fi
  log "building"
  npm run build --silent
  touch "$stamp"
}

build
if [[ "$WITH_TEST_SERVICES" == 1 ]]; then bash scripts/test-services.sh; fi
log "ready: $(node bin/runlane.js languages | grep -vc 'not installed') languages installed"
