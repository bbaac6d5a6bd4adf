#!/bin/sh
# fpfind's test support: start or stop a single-node Slurm (munged,
# slurmctld, slurmd) on this machine, as root, without systemd, from
# .ci/slurm/slurm.conf.in. Needs Debian's slurmctld, slurmd, slurm-client
# and munge (.ci/run installs them).
#
#   .ci/slurm/local.sh start    # start the daemons; the node is idle when it returns
#   .ci/slurm/local.sh stop     # stop them by their pid files
set -eu
here=$(cd "$(dirname "$0")" && pwd)
conf=/etc/slurm/slurm.conf
marker="fpfind's test support"

stop() {
  for pid in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    if [ -f "$pid" ]; then
      kill "$(cat "$pid")" 2>/dev/null || true
    fi
  done
  for pid in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null || break
      sleep 0.5
    done
    rm -f "$pid"
  done
}

start() {
  if [ -f "$conf" ] && ! grep -q "$marker" "$conf"; then
    echo "$conf exists and is not fpfind's; not replacing it" >&2
    exit 1
  fi
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory below the machine's (in MB), as slurmd refuses a node that
  # claims more than it has.
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  sed -e "s/@HOST@/$host/g" -e "s/@CPUS@/$cpus/g" -e "s/@MEMORY@/$mem/g" "$here/slurm.conf.in" > "$conf"
  # munged needs /run/munge owned by munge; Debian made /etc/munge/munge.key.
  mkdir -p /run/munge
  chown munge:munge /run/munge
  if ! [ -f /run/munge/munged.pid ] || ! kill -0 "$(cat /run/munge/munged.pid)" 2>/dev/null; then
    runuser -u munge -- /usr/sbin/munged
  fi
  [ -f /run/slurmctld.pid ] && kill -0 "$(cat /run/slurmctld.pid)" 2>/dev/null || slurmctld
  [ -f /run/slurmd.pid ] && kill -0 "$(cat /run/slurmd.pid)" 2>/dev/null || slurmd
  for _ in $(seq 1 60); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    case "$state" in
      idle*|mix*|alloc*) echo "slurm: node $host is $state"; return 0 ;;
    esac
    sleep 0.5
  done
  echo "slurm: node $host did not come up (state: ${state:-none}); see /var/log/slurm/" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
