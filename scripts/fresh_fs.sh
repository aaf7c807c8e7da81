# Sourced by the benchmark scripts: a new, empty ext4 file system for each
# timed run, so that no run pays for the files an earlier run deleted (ext4
# skips recently freed inodes when it makes new ones, and on this project's
# 2-core machines that made the same write take 1.6 s or 10.7 s depending on
# what ran before) and every run starts from the same state.
#
# BENCH_FRESH_FS=0 turns it off; it needs root and a free loop device, and
# without them the runs go to plain folders of BENCH_WORK (as before) with a
# note. The image is a sparse file of BENCH_FS_SIZE (default 8G) in $work.
#   fresh_fs_on WORK : sets FS to the mount point when it can be used
#   fresh_fs        : an empty file system at $FS (unmounting the last one)
#   fresh_fs_off    : unmount and remove the image
fresh_fs_on() {
  FS=""
  local work=$1
  [ "${BENCH_FRESH_FS:-1}" = 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v losetup >/dev/null || ! losetup -f >/dev/null 2>&1 \
    || ! command -v mkfs.ext4 >/dev/null; then
    echo "note: runs go to plain folders (a fresh file system per run needs root, losetup and mkfs.ext4)" >&2
    return 0
  fi
  FS="$work/fs"
  FS_IMAGE="$work/fs.img"
  mkdir -p "$FS"
  trap 'fresh_fs_off' EXIT
}
fresh_fs() {
  [ -z "$FS" ] && return 0
  mountpoint -q "$FS" && umount "$FS"
  rm -f "$FS_IMAGE"
  truncate -s "${BENCH_FS_SIZE:-8G}" "$FS_IMAGE"
  mkfs.ext4 -q -F "$FS_IMAGE"
  mount -o loop "$FS_IMAGE" "$FS"
  sync
}
fresh_fs_off() {
  [ -z "${FS:-}" ] && return 0
  mountpoint -q "$FS" && umount "$FS"
  rm -f "$FS_IMAGE"
  FS=""
}
