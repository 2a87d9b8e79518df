#!/usr/bin/env bash
# Regenerates deploy/conf/<service>.conf from each service's reference.conf, the one
# place defaults live. e2e's DeployConfigTest fails when the two disagree, so run this
# after adding or changing a key.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
for s in comet logic job router; do
  {
    echo "# $s configuration: every key, with its default and what it does."
    echo "# Copy to /etc/goim/$s.conf and change what differs; keys left out keep their defaults."
    echo "# Generated from $s/src/main/resources/reference.conf by deploy/conf/generate.sh."
    echo
    cat "$root/$s/src/main/resources/reference.conf"
  } > "$here/$s.conf"
done
echo "wrote $(ls "$here"/*.conf | wc -l) files in deploy/conf"
