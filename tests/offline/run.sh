#!/usr/bin/env bash
# The clinic's server away, on one Linux machine (issue 19): a PostgreSQL server in a network
# namespace of its own, and two desks, each in its own namespace and joined to the server by a
# veth pair (desk A on 10.231.0.0/24, desk B, the other desk, on 10.231.1.0/24). Cutting desk A's
# link (`ip link set ... down`) takes the server away from it alone. partition.py then runs the
# real frontdesk-cli as both desks (see there). Everything made here (namespaces, links, the
# server, the data folders) is removed on exit, failed or not. Needs root (or sudo) and iproute2.
#   tests/offline/run.sh            (after cargo build -p frontdesk-cli)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=PATH,CARGO_TARGET_DIR,FRONTDESK_CLI "$0" "$@"
fi
started=$(date +%s)

cli=${FRONTDESK_CLI:-${CARGO_TARGET_DIR:-target}/debug/frontdesk-cli}
[ -x "$cli" ] || cargo build --locked -p frontdesk-cli
cli=$(realpath "$cli")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "offline: PostgreSQL is not installed (run scripts/setup)" >&2; exit 1; }

# Names of this run's own, so that two runs never meet (a link's name has at most 15 characters).
tag=$$
server_ns=fd-server-$tag desk_a_ns=fd-desk-a-$tag desk_b_ns=fd-desk-b-$tag
link_a=fda$tag link_b=fdb$tag
scratch=$(mktemp -d)
chmod 0755 "$scratch"

driver=""
cleanup() {
  local ns pid
  if [ -n "$driver" ]; then
    # The driver itself, so that its private session ends as usual (bus and keyring with it).
    kill "$(cat "$scratch/driver.pid" 2>/dev/null)" 2>/dev/null || kill "$driver" 2>/dev/null || true
    wait "$driver" 2>/dev/null || true
  fi
  for ns in "$desk_a_ns" "$desk_b_ns" "$server_ns"; do
    # Only processes in the namespaces this run made: its desks and its server.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for ns in "$server_ns" "$desk_a_ns" "$desk_b_ns"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "$link_a" netns "$desk_a_ns" type veth peer name "${link_a}s" netns "$server_ns"
ip link add "$link_b" netns "$desk_b_ns" type veth peer name "${link_b}s" netns "$server_ns"
ip -n "$server_ns" addr add 10.231.0.1/24 dev "${link_a}s"
ip -n "$server_ns" addr add 10.231.1.1/24 dev "${link_b}s"
ip -n "$desk_a_ns" addr add 10.231.0.2/24 dev "$link_a"
ip -n "$desk_b_ns" addr add 10.231.1.2/24 dev "$link_b"
for pair in "$server_ns ${link_a}s" "$server_ns ${link_b}s" "$desk_a_ns $link_a" "$desk_b_ns $link_b"; do
  read -r ns dev <<<"$pair"
  ip -n "$ns" link set "$dev" up
done

# The clinic's server, as the README sets one up: a role that owns its database, a password over
# TCP, listening on the server's two links only. A throwaway cluster: speed, not durability.
pg="$scratch/pg"
mkdir "$pg" && chown postgres "$pg"
as_postgres=(runuser -u postgres --)
password=offline-test-password
echo "$password" >"$pg/password"
chown postgres "$pg/password"
"${as_postgres[@]}" "$bin/initdb" -D "$pg/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  --pwfile="$pg/password" -E UTF8 --locale=C.UTF-8 >/dev/null
echo "host all all 10.231.0.0/16 scram-sha-256" >>"$pg/data/pg_hba.conf"
ip netns exec "$server_ns" "${as_postgres[@]}" "$bin/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
  -o "-c listen_addresses=10.231.0.1,10.231.1.1 -p 5432 -c unix_socket_directories=$pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
psql=("${as_postgres[@]}" "$bin/psql" -q -X -v ON_ERROR_STOP=1 -h "$pg" -p 5432 -d postgres)
"${psql[@]}" -c "CREATE ROLE frontdesk LOGIN PASSWORD '$password'"
"${psql[@]}" -c "CREATE DATABASE frontdesk OWNER frontdesk"

mkdir "$scratch/desk-a" "$scratch/desk-b"
export OFFLINE_CLI="$cli" OFFLINE_SCRATCH="$scratch" OFFLINE_PSQL="${psql[*]}" \
  OFFLINE_DESK_A_NS="$desk_a_ns" OFFLINE_DESK_B_NS="$desk_b_ns" OFFLINE_LINK_A="$link_a" \
  OFFLINE_URL_A="postgres://frontdesk:$password@10.231.0.1:5432/frontdesk" \
  OFFLINE_URL_B="postgres://frontdesk:$password@10.231.1.1:5432/frontdesk"
# The desks keep their read copy's key in the OS keyring: a private session with its own.
# In the background and waited for, so that a stop (Ctrl+C, a CI timeout) cleans up at once.
scripts/session python3 tests/offline/partition.py &
driver=$!
wait "$driver"
driver=""
echo "offline stage: $(( $(date +%s) - started )) s"
