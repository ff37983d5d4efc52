#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temporary directory, a free port on 127.0.0.1, its Unix
# socket inside that directory, one database, trust authentication for local connections only.
#
#   scripts/pg-cluster.sh start DIR   creates and starts a cluster in DIR (which must not exist) and prints
#                                     its URL (postgresql://postgres@127.0.0.1:PORT/postern_test)
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR
#   scripts/pg-cluster.sh halt DIR    stops the server, keeping the cluster (an outage, for tests)
#   scripts/pg-cluster.sh resume DIR  starts a halted cluster again on its port
#
# With PG_TLS=1, start also makes a self-signed certificate for 127.0.0.1 and localhost (DIR/tls/server.crt,
# which clients trust as their root) and the server offers TLS with it; clients may still connect without.
#
# Binaries come from `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin, else PATH. initdb
# refuses to run as root: as root the cluster belongs to the `postgres` user (runuser).
set -euo pipefail

bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && dir=$(pg_config --bindir 2>/dev/null) && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return
    fi
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return
    fi
    dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    [ -x "$dir/initdb" ] || { echo "pg-cluster: no initdb found (install Debian's postgresql)" >&2; exit 1; }
    echo "$dir"
}

# Runs a command as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 bin port
    [ -e "$dir" ] && { echo "pg-cluster: $dir exists" >&2; exit 1; }
    bin=$(bindir)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || { echo "pg-cluster: no postgres user (install postgresql)" >&2; exit 1; }
        chown postgres "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    echo "$port" >"$dir/port"
    if [ "${PG_TLS:-0}" = 1 ]; then
        mkdir -p "$dir/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
            -keyout "$dir/tls/server.key" -out "$dir/tls/server.crt" 2>"$dir/tls/openssl.log" \
            || { cat "$dir/tls/openssl.log" >&2; exit 1; }
        chmod 600 "$dir/tls/server.key"
        [ "$(id -u)" = 0 ] && chown -R postgres "$dir/tls"
    fi
    run_server "$dir" "$bin"
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres postern_test
    echo "postgresql://postgres@127.0.0.1:$port/postern_test?sslmode=disable"
}

run_server() {
    local dir=$1 bin=$2 port
    port=$(cat "$dir/port")
    local tls=""
    [ -f "$dir/tls/server.crt" ] && tls="-c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key"
    # fsync stays on: the store's durability is what the tests check. max_connections: every conformance
    # test opens its own small pool, and several run at once.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400 $tls" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

stop() {
    local dir=$1 bin
    [ -d "$dir" ] || return 0
    bin=$(bindir)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

halt() {
    as_owner "$(bindir)/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
start) start "${2:?directory}" ;;
stop) stop "${2:?directory}" ;;
halt) halt "${2:?directory}" ;;
resume) run_server "${2:?directory}" "$(bindir)" ;;
*)
    echo "usage: $0 start|stop|halt|resume DIR" >&2
    exit 2
    ;;
esac
