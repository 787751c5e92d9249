#!/usr/bin/env bash
# Runs a command (by default the sandbox suites) inside a Debian kernel booted with a pure cgroup v2 hierarchy under
# qemu, so the v2 driver is tested on a real v2 kernel whatever the host mounts. Software emulation: no KVM needed.
#
#   bash scripts/vm/cgroup-v2-vm.sh                 # the sandbox conformance, cgroup v2 and hostile suites
#   bash scripts/vm/cgroup-v2-vm.sh -- CMD ARGS…    # any command, run as root in the repository inside the VM
#
# The host's root file system is shared read-only (9p) under an in-memory overlay; nothing on the host changes. The
# kernel and initramfs are cached in $RUNLANE_VM_CACHE (default /var/cache/runlane-vm) and rebuilt only when missing.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$REPO/scripts/vm"
CACHE="${RUNLANE_VM_CACHE:-/var/cache/runlane-vm}"
TIMEOUT="${RUNLANE_VM_TIMEOUT:-40m}"
# Enough that the guest kernel does not refuse a test's large allocation before the run's memory limit is reached.
MEMORY="${RUNLANE_VM_MEMORY:-8G}"
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay)
DEFAULT_SUITES=(test/integration/sandbox-cgroup-v2.test.ts test/integration/sandbox-conformance.test.ts test/integration/hostile-programs.test.ts test/integration/sandbox-escapes.test.ts test/integration/sandbox-reset.test.ts test/integration/sandbox-pid1.test.ts)
# The default implementation only: under software emulation both would take about twice the step's budget. The per-run
# path shares the cgroup code and runs both on this host; RUNLANE_VM_IMPLEMENTATIONS=resident,bwrap runs it here too.
IMPLEMENTATIONS="${RUNLANE_VM_IMPLEMENTATIONS:-resident}"

log() { printf '\033[1mvm:\033[0m %s\n' "$*"; }

ensure_packages() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
  command -v cpio >/dev/null 2>&1 || missing+=(cpio)
  [[ -x /bin/busybox ]] && /bin/busybox --list 2>/dev/null | grep -qx insmod || missing+=(busybox-static)
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Debian's own kernel, unpacked into the cache; the host's kernel and /boot are left alone.
ensure_kernel() {
  [[ -f "$CACHE/vmlinuz" ]] && return
  local package work
  package="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')"
  [[ -n "$package" ]] || { log "cannot find Debian's kernel package (linux-image-amd64)" >&2; exit 1; }
  log "fetching $package"
  work="$(mktemp -d)"
  # Removed on a failed download too (errexit ends the script, which runs the EXIT trap).
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && chmod 777 . && apt-get download "$package" >/dev/null)
  dpkg-deb -x "$work"/*.deb "$work/root"
  mkdir -p "$CACHE/modules"
  local module path
  for module in "${MODULES[@]}"; do
    path="$(find "$work/root/lib/modules" -name "$module.ko*" | head -n1)"
    [[ -n "$path" ]] || continue
    case "$path" in
      *.xz) xz -dc "$path" > "$CACHE/modules/$module.ko" ;;
      *.zst) zstd -qdc "$path" > "$CACHE/modules/$module.ko" ;;
      *) cp "$path" "$CACHE/modules/$module.ko" ;;
    esac
  done
  # The kernel last: its presence is what marks the cache complete.
  cp "$work"/root/boot/vmlinuz-* "$CACHE/vmlinuz"
  rm -rf "$work"
  trap - EXIT
}

# A busybox initramfs whose init is guest-init.sh; rebuilt when that script changes.
ensure_initramfs() {
  local stamp="$CACHE/initramfs.sha256" hash
  hash="$(cat "$HERE/guest-init.sh" /bin/busybox "$CACHE"/modules/*.ko | sha256sum | cut -d' ' -f1)"
  [[ -f "$CACHE/initramfs.gz" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]] && return
  log "building the initramfs"
  local root
  root="$(mktemp -d)"
  mkdir -p "$root"/{bin,dev,proc,sys,modules}
  cp /bin/busybox "$root/bin/busybox"
  cp "$HERE/guest-init.sh" "$root/init"
  chmod 755 "$root/init"
  cp "$CACHE"/modules/*.ko "$root/modules/"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initramfs.gz"
  rm -rf "$root"
  echo "$hash" > "$stamp"
}

main() {
  local command=()
  if [[ "${1:-}" == "--" ]]; then shift; command=("$@"); fi
  [[ "$(id -u)" == 0 ]] || { log "run as root (qemu shares the host's root file system read-only)" >&2; exit 1; }
  ensure_packages
  mkdir -p "$CACHE"
  ensure_kernel
  ensure_initramfs

  local share
  share="$(mktemp -d)"
  trap 'rm -rf "$share"' EXIT
  {
    echo "set -u"
    echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root CI=${CI:-} RUNLANE_REQUIRE_CGROUP_V2=1 RUNLANE_TEST_SANDBOX_FLAVOURS=v2 RUNLANE_TEST_TIME_SCALE=${RUNLANE_VM_TIME_SCALE:-10} RUNLANE_TEST_SANDBOX_IMPLEMENTATIONS=$IMPLEMENTATIONS"
    printf 'cd %q\n' "$REPO"
    if ((${#command[@]})); then
      printf '%q ' "${command[@]}"
    else
      printf 'npx vitest run --project integration'; printf ' %q' "${DEFAULT_SUITES[@]}"
    fi
    echo
    echo 'echo $? > /run/share/exit-code'
  } > "$share/job.sh"

  log "booting Debian's kernel under qemu (software emulation; this takes minutes)"
  local started=$SECONDS status=0
  timeout --foreground "$TIMEOUT" qemu-system-x86_64 \
    -machine q35 -accel tcg,thread=multi -cpu max -smp "$(nproc)" -m "$MEMORY" \
    -nographic -no-reboot -nodefaults -serial stdio \
    -kernel "$CACHE/vmlinuz" -initrd "$CACHE/initramfs.gz" \
    -append "console=ttyS0 quiet panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$share,mount_tag=share,security_model=none,multidevs=remap" || status=$?
  if [[ ! -f "$share/exit-code" ]]; then
    log "the VM stopped without reporting (qemu exit $status after $((SECONDS - started)) s)" >&2
    exit 1
  fi
  status="$(cat "$share/exit-code")"
  log "finished in $((SECONDS - started)) s with exit code $status"
  exit "$status"
}

main "$@"
