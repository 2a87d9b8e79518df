#!/usr/bin/env bash
# Redis memory per session, measured with a real redis-server (docs/capacity.md, "Session
# store"): loads N one-connection users in each key layout and prints used_memory per user.
#
#   bench/scripts/redis-memory.sh [USERS] [COMETS] [ROOM_SIZE]   (defaults: 200000 50 100)
#
# Layouts, one at a time on an emptied server:
#   goim-v2  goim v2's logic/dao: mid_<mid> hash {<key>: <server>} and key_<key> string
#            <server>, both with a TTL (its ol_<server> room counts are JSON blobs, 64 per
#            comet; not loaded here, docs/capacity.md computes them);
#   hash     the Redis session store's layout (logic.session.store = redis): mid_<mid> hash
#            {seq, <mid>_<seq>: "<server>,<room>,<deadline ms>"} with a TTL, olu_{<server>}
#            set of user ids, ol_{<server>} hash {n, r<room>: count}.
# A user's key is "<mid>_1", its comet 1..COMETS at random, its room mid / ROOM_SIZE.
# Also prints the ol_{<server>} room-count fields separately (they grow with rooms × comets,
# not with users).
# The server is started on a free loopback port with no persistence and stopped at the end.
set -euo pipefail
users=${1:-200000}
comets=${2:-50}
room_size=${3:-100}
command -v redis-server > /dev/null || { echo "redis-server not found (Debian: apt-get install redis-server)" >&2; exit 2; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  --daemonize no > "$dir/redis.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
cli() { redis-cli -p "$port" "$@"; }
for ((n = 0; n < 100; n++)); do cli ping > /dev/null 2>&1 && break; sleep 0.1; done
used() { cli info memory | awk -F: '/^used_memory:/ {print $2 + 0}'; }

# Writes the RESP commands of one layout for every user (awk: no client library needed).
generate() { # layout
  awk -v users="$users" -v comets="$comets" -v room_size="$room_size" -v layout="$1" '
    function cmd(n, a,    i, s) { s = "*" n "\r\n"; for (i = 1; i <= n; i++) s = s "$" length(a[i]) "\r\n" a[i] "\r\n"; printf "%s", s }
    BEGIN {
      srand(12); deadline = 1700000000000 + 3600000
      for (m = 10000001; m < 10000001 + users; m++) {
        c = int(rand() * comets) + 1; key = m "_1"; room = int(m / room_size)
        if (layout == "goim-v2") {
          a[1] = "HSET"; a[2] = "mid_" m; a[3] = key; a[4] = c; cmd(4, a)
          a[1] = "EXPIRE"; a[2] = "mid_" m; a[3] = 3600; cmd(3, a)
          a[1] = "SET"; a[2] = "key_" key; a[3] = c; a[4] = "EX"; a[5] = 3600; cmd(5, a)
        } else if (layout == "hash") {
          a[1] = "HSET"; a[2] = "mid_" m; a[3] = "seq"; a[4] = 1; a[5] = key; a[6] = c "," room "," deadline; cmd(6, a)
          a[1] = "PEXPIRE"; a[2] = "mid_" m; a[3] = 3600000; cmd(3, a)
          a[1] = "SADD"; a[2] = "olu_{" c "}"; a[3] = m; cmd(3, a)
          a[1] = "HINCRBY"; a[2] = "ol_{" c "}"; a[3] = "n"; a[4] = 1; cmd(4, a)
        } else if (layout == "rooms") {
          a[1] = "HINCRBY"; a[2] = "ol_{" c "}"; a[3] = "r" room; a[4] = 1; cmd(4, a)
        }
      }
    }'
}

load() { # layout -> prints bytes used by it
  cli flushall > /dev/null
  local before after
  before=$(used)
  generate "$1" | cli --pipe > "$dir/pipe.out" 2>&1 || { cat "$dir/pipe.out" >&2; exit 1; }
  grep -q 'errors: 0' "$dir/pipe.out" || { cat "$dir/pipe.out" >&2; exit 1; }
  after=$(used)
  echo $((after - before))
}

echo "redis $(redis-server --version | awk '{print $3}'), $users users, $comets comets, rooms of $room_size"
for layout in goim-v2 hash; do
  bytes=$(load "$layout")
  echo "$layout: used_memory +$bytes B, $((bytes / users)) B per user (keys: $(cli dbsize))"
done
bytes=$(load rooms)
pairs=$(for ((c = 1; c <= comets; c++)); do cli hlen "ol_{$c}"; done | awk '{s += $1} END {print s}')
echo "room counts: $pairs (comet, room) fields in ol_{<server>}, used_memory +$bytes B, $((bytes / pairs)) B per field"
