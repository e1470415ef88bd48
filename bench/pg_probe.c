/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a PostgreSQL-store login spends its time, with libpq alone: the
 * statements libchorusauth's plugin sends for one correct TOTP login
 * (libchorusauth/store/postgresql/pg_conn.cpp, pg_store.cpp), timed part by
 * part, as the host role through the SECURITY DEFINER functions.
 *
 *   pg_probe LABEL CONNINFO USER COUNT
 *
 * Per iteration, on a new connection (what every pam_chorus call does):
 *   connect   PQconnectdb to CONNECTION_OK (TCP/socket, startup, auth, TLS)
 *   setup     the SETs (search_path, lock/statement/idle timeouts), the
 *             clock query and the schema-version check, sent together as the
 *             plugin does (pg_conn.cpp set_up_session): 1 round trip
 *   stmts     has_method (lock, user_get, unlock) + verify (lock, user_get,
 *             user_put_live, unlock): 7 round trips, one commit; the state
 *             read is written back unchanged (the version moves on)
 *   close     PQfinish
 * then COUNT times the same 7 statements on one open connection (warm: what
 * a kept connection would cost), and COUNT times the 6 of them that write
 * nothing (the difference is the commit's WAL flush). One RESULT line per
 * part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(PGconn* c, const char* what) {
    fprintf(stderr, "pg_probe: %s: %s", what, c ? PQerrorMessage(c) : "out of memory\n");
    exit(1);
}

static PGresult* q(PGconn* c, const char* sql, int n, const char* const* params) {
    PGresult* r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) die(c, sql);
    return r;
}

static void q1(PGconn* c, const char* sql, const char* key) {
    PQclear(q(c, sql, key ? 1 : 0, &key));
}

static const char* kLock = "SELECT pg_advisory_lock(1128812370, hashtext($1))";
static const char* kUnlock = "SELECT pg_advisory_unlock(1128812370, hashtext($1))";
static const char* kGet = "SELECT * FROM chorus.user_get($1)";

/* The seven statements of one correct login (six without the write). */
static void login_statements(PGconn* c, const char* key, int write) {
    q1(c, kLock, key); /* has_method */
    q1(c, kGet, key);
    q1(c, kUnlock, key);
    q1(c, kLock, key); /* verify_code */
    PGresult* r = q(c, kGet, 1, &key);
    if (PQntuples(r) != 1) die(c, "user_get: no row (is the user enrolled?)");
    const char* p[8] = {key};
    for (int i = 1; i < 8; ++i) p[i] = PQgetvalue(r, 0, i); /* last_step .. last_failure_at, version */
    if (write) {
        PGresult* w = q(c, "SELECT * FROM chorus.user_put_live($1, $2, $3, $4, $5, $6, $7, $8)", 8, p);
        if (PQntuples(w) != 1) die(c, "user_put_live: compare-and-set failed");
        PQclear(w);
    }
    PQclear(r);
    q1(c, kUnlock, key);
}

static PGconn* connect_like_chorus(const char* conninfo) {
    char buf[1024];
    snprintf(buf, sizeof buf, "connect_timeout=2 application_name=chorus client_encoding=UTF8 %s", conninfo);
    PGconn* c = PQconnectdb(buf);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) die(c, "connect");
    return c;
}

static void session_setup(PGconn* c) {
    PGresult* r = PQexec(c,
                         "SET search_path = pg_catalog, pg_temp; SET lock_timeout = '10s'; "
                         "SET statement_timeout = '15s'; SET idle_in_transaction_session_timeout = '30s'; "
                         "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint, "
                         "(SELECT coalesce(max(version), 0) FROM chorus.schema_version)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(c, "session set-up");
    PQclear(r);
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static void report(const char* label, const char* kase, double* lat, int n) {
    double sum = 0;
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    for (int i = 0; i < n; ++i) sum += lat[i];
    printf("RESULT label=%s case=%s n=%d ok=%d median_us=%.1f p99_us=%.1f mean_us=%.1f\n", label, kase, n, n,
           lat[n / 2], lat[(n * 99) / 100], sum / n);
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: pg_probe LABEL CONNINFO USER COUNT\n");
        return 2;
    }
    const char *label = argv[1], *conninfo = argv[2], *key = argv[3];
    int n = atoi(argv[4]);
    if (n < 1) return 2;
    enum { kParts = 7 };
    static const char* names[kParts] = {"probe_connect",   "probe_setup",          "probe_stmts_new_conn",
                                        "probe_close",     "probe_total_new_conn", "probe_stmts_warm",
                                        "probe_reads_warm"};
    double* lat[kParts];
    for (int k = 0; k < kParts; ++k)
        if ((lat[k] = calloc((size_t)n, sizeof(double))) == NULL) return 1;
    for (int i = 0; i < n; ++i) {
        double t0 = now_us();
        PGconn* c = connect_like_chorus(conninfo);
        double t1 = now_us();
        session_setup(c);
        double t2 = now_us();
        login_statements(c, key, 1);
        double t3 = now_us();
        PQfinish(c);
        double t4 = now_us();
        lat[0][i] = t1 - t0, lat[1][i] = t2 - t1, lat[2][i] = t3 - t2, lat[3][i] = t4 - t3,
        lat[4][i] = t4 - t0;
    }
    PGconn* c = connect_like_chorus(conninfo);
    session_setup(c);
    for (int i = 0; i < n; ++i) {
        double t0 = now_us();
        login_statements(c, key, 1);
        double t1 = now_us();
        login_statements(c, key, 0);
        lat[5][i] = t1 - t0, lat[6][i] = now_us() - t1;
    }
    PQfinish(c);
    for (int k = 0; k < kParts; ++k) {
        report(label, names[k], lat[k], n);
        free(lat[k]);
    }
    return 0;
}
