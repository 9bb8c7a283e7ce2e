#!/usr/bin/env bash
# Installs what the test suite needs beyond scripts/setup-host.sh: the
# PostgreSQL 15 server binaries of the `publish`/`--db` tests
# (test/helpers/postgres.ts starts a throwaway server from them, as an
# unprivileged user, on a Unix socket in a temp directory).
# Kept apart from setup-host.sh because the postgresql packages would create
# and start a cluster on port 5432 — not something to put on users' KVM hosts.
# Here the main cluster is switched off before the package is installed.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-test.sh: run as root (it installs Debian packages)" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/vblk-bench-tests.conf
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql-15
