#!/usr/bin/env bash
# Start a throwaway PostgreSQL for the integration tests.
#
#   . .ci/postgres.sh      # sourced: exports TEST_POSTGRES_URL and defines ci_postgres_stop
#   .ci/postgres.sh        # executed: starts the server, prints the export and the stop command
#
# The server listens on 127.0.0.1:${PGPORT_CI:-54329} with trust authentication, keeps its data in
# a temporary folder and has the database nastavnik_test. PostgreSQL is installed with apt-get when
# no binaries are found. initdb refuses to run as root, so as root the server runs as `postgres`.

_ci_pg_main() {
    local port="${PGPORT_CI:-54329}"
    local database="nastavnik_test"
    local bindir=""

    if command -v initdb >/dev/null 2>&1; then
        bindir="$(dirname "$(readlink -f "$(command -v initdb)")")"
    else
        bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    fi
    if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
        echo "postgres.sh: no PostgreSQL binaries found; installing them with apt-get" >&2
        local sudo=""
        [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
        if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
            echo "postgres.sh: PostgreSQL binaries still missing after apt-get install" >&2
            return 1
        fi
    fi

    local base
    base="$(mktemp -d "${TMPDIR:-/tmp}/nastavnik-pg.XXXXXX")"
    local data="$base/data"
    export CI_PG_BASE="$base"
    export CI_PG_BINDIR="$bindir"
    local run_as=()
    if [[ "$(id -u)" -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            useradd --system --user-group --home-dir "$base" --shell /bin/bash postgres
        fi
        chown postgres: "$base"
        chmod 700 "$base"
        run_as=(runuser -u postgres --)
    fi

    "${run_as[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale >"$base/initdb.log" 2>&1 || {
        cat "$base/initdb.log" >&2
        return 1
    }
    # The unix socket goes into the base folder: /var/run/postgresql may not exist or be writable.
    "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $base -c fsync=off" start >&2 || {
        cat "$base/server.log" >&2
        return 1
    }

    local psql="$bindir/psql"
    [[ -x "$psql" ]] || psql="psql"
    "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE DATABASE $database" >&2

    export TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$port/$database"
}

# Stop the server started above and delete its data.
ci_postgres_stop() {
    [[ -n "${CI_PG_BASE:-}" && -d "${CI_PG_BASE:-}/data" ]] || return 0
    local run_as=()
    [[ "$(id -u)" -ne 0 ]] || run_as=(runuser -u postgres --)
    "${run_as[@]}" "$CI_PG_BINDIR/pg_ctl" -D "$CI_PG_BASE/data" -m fast -w stop >&2 || true
    rm -rf "$CI_PG_BASE"
    unset CI_PG_BASE
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    _ci_pg_main
    echo "export TEST_POSTGRES_URL=$TEST_POSTGRES_URL"
    echo "# stop with: ${CI_PG_BINDIR}/pg_ctl -D $CI_PG_BASE/data stop" \
        "(as postgres when root), then rm -rf $CI_PG_BASE"
else
    _ci_pg_main
fi
