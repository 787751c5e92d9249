#!/bin/busybox sh
# PID 1 of the cgroup v2 test VM: mounts the host's root read-only under a tmpfs overlay, mounts cgroup2 and runs the job.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "vm: $*" > /dev/console; }

# The kernel package ships virtio and 9p as modules; busybox insmod needs them in dependency order.
for module in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay; do
  [ -f "/modules/$module.ko" ] && { insmod "/modules/$module.ko" || say "insmod $module failed"; }
done

mkdir -p /host /share /layers /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host || { say "cannot mount the host root"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 share /share || { say "cannot mount the share"; poweroff -f; }
# Writes land in guest memory; the host's files are never changed.
mount -t tmpfs -o size=6g,mode=0755 layers /layers
mkdir -p /layers/upper /layers/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/layers/upper,workdir=/layers/work /newroot || { say "overlay mount failed"; poweroff -f; }

mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
# /tmp stays the host's (under the overlay): the repository under test may live there.
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
# The point of the VM: a pure cgroup v2 hierarchy, as on most hosts.
mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup || say "cgroup2 mount failed"
mkdir -p /newroot/run/share
mount --bind /share /newroot/run/share
ip link set lo up

say "kernel $(uname -r), cgroup controllers: $(cat /newroot/sys/fs/cgroup/cgroup.controllers)"
# Stage two runs in the new root. Through a pipe, so test reporters print plain lines rather than redrawing a terminal;
# job.sh records its own exit code. The host's static busybox powers the VM off: the initramfs is gone by then.
cat > /newroot/run/stage-two.sh <<'STAGE_TWO'
/bin/bash /run/share/job.sh 2>&1 | cat > /dev/console
sync
/bin/busybox poweroff -f
STAGE_TWO
# switch_root, not chroot: the kernel refuses new user namespaces (bwrap's) to a chrooted process.
exec switch_root /newroot /bin/bash /run/stage-two.sh
