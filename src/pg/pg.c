/* pg.c - the libpq layer (see pg.h).
 *
 * Owns: connecting (with the TLS policy and password scrubbing), turning
 * every failed result into one E_PG error with its SQLSTATE, the COPY
 * protocol in both directions, transactions.  Never prints (main.c does)
 * and never exits.
 */
#include "pg/pg.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COPY_CHUNK (1 << 20)

/* ---------- messages ---------- */

/* Overwrite every occurrence of secret in s with '*'. */
static void scrub_one(char *s, const char *secret)
{
    if (!secret || !*secret)
        return;
    size_t n = strlen(secret);
    for (char *p = strstr(s, secret); p; p = strstr(p + n, secret))
        memset(p, '*', n);
}

/* Copy msg into buf: secrets scrubbed (before any truncation), without
 * libpq's "LOCATION:" lines, line ends folded into "; ", white space at the
 * ends of lines dropped. */
static void clean_msg(const struct pg *db, const char *msg, char *buf, size_t n)
{
    char *all = strdup(msg ? msg : "");
    if (!all) {
        snprintf(buf, n, "(message lost: out of memory)");
        return;
    }
    scrub_one(all, db->secret);
    scrub_one(all, db->secret_env);
    size_t o = 0;
    const char *s = all;
    while (*s && o + 1 < n) {
        while (*s == ' ' || *s == '\t')
            s++;
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        if (!(len >= 9 && strncmp(s, "LOCATION:", 9) == 0) && len > 0) {
            if (o > 0 && o + 2 < n) {
                buf[o++] = ';';
                buf[o++] = ' ';
            }
            size_t k = len < n - 1 - o ? len : n - 1 - o;
            memcpy(buf + o, s, k);
            o += k;
        }
        s = nl ? nl + 1 : s + len;
    }
    while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == '\t' || buf[o - 1] == ';'))
        o--;
    buf[o] = '\0';
    free(all);
}

static const char *hint_for(const char *state)
{
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)
        return "; the connection was lost: nothing was committed";
    if (strcmp(state, "28P01") == 0 || strcmp(state, "28000") == 0)
        return "; check the user name and password (~/.pgpass, PGPASSFILE or the service "
               "file are safer than a password on the command line)";
    if (strcmp(state, "3D000") == 0)
        return "; create the database or name another one (dbname=)";
    if (strcmp(state, "42501") == 0)
        return "; the database user lacks a privilege on the schema or its tables";
    if (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
        return "; another session held a lock or the statement timed out: run again later";
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return "; a concurrent transaction conflicted: run again";
    return "";
}

static int fail_text(struct pg *db, const char *what, const char *msg, const char *detail,
                     const char *state, struct err *e)
{
    char m[400], d[200] = "";
    clean_msg(db, msg, m, sizeof m);
    /* A data error's detail may quote row values (ID numbers): not shown. */
    if (detail && state && strncmp(state, "22", 2) != 0 && strncmp(state, "23", 2) != 0)
        clean_msg(db, detail, d, sizeof d);
    const char *mm = m[0] ? m : "unknown error";
    if (state)
        return ERR(e, E_PG, "%s: %s%s%s (SQLSTATE %s)%s", what, mm, d[0] ? "; " : "", d, state,
                   hint_for(state));
    if (db->conn && PQstatus(db->conn) == CONNECTION_BAD)
        return ERR(e, E_PG, "%s: %s (SQLSTATE 08006)%s", what, mm, hint_for("08006"));
    return ERR(e, E_PG, "%s: %s (no SQLSTATE: a client-side error); nothing was committed",
               what, mm);
}

static int fail_result(struct pg *db, const PGresult *r, const char *what, struct err *e)
{
    if (!r)
        return fail_text(db, what, PQerrorMessage(db->conn), NULL, NULL, e);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    if (!msg)
        msg = PQresultErrorMessage(r);
    if (!msg || !*msg)
        msg = PQerrorMessage(db->conn);
    if (!msg || !*msg)
        msg = PQresStatus(PQresultStatus(r));
    return fail_text(db, what, msg, detail, state, e);
}

/* ---------- connecting ---------- */

static int is_local_host(const char *h, size_t n)
{
    if (n == 0)
        return 1;                      /* the default Unix socket */
    if (h[0] == '/' || h[0] == '@')
        return 1;                      /* a socket directory / abstract socket */
    if ((n == 9 && strncmp(h, "localhost", 9) == 0) || (n == 3 && strncmp(h, "::1", 3) == 0))
        return 1;
    return n > 4 && strncmp(h, "127.", 4) == 0;
}

/* The i-th comma-separated item of list (NULL or "" gives ""). */
static const char *list_item(const char *list, int i, size_t *len)
{
    const char *s = list ? list : "";
    for (; i > 0; i--) {
        const char *c = strchr(s, ',');
        if (!c) {
            *len = 0;
            return "";
        }
        s = c + 1;
    }
    const char *c = strchr(s, ',');
    *len = c ? (size_t)(c - s) : strlen(s);
    return s;
}

static int count_items(const char *list)
{
    int n = 1;
    for (const char *s = list ? list : ""; *s; s++)
        n += *s == ',';
    return n;
}

static const char *opt_val(const PQconninfoOption *ci, const char *key)
{
    for (; ci && ci->keyword; ci++)
        if (strcmp(ci->keyword, key) == 0)
            return ci->val;
    return NULL;
}

/* Refuse a remote server without verify-full (see pg.h). */
static int tls_policy(const char *host, const char *addr, const char *sslmode, struct err *e)
{
    if (sslmode && strcmp(sslmode, "verify-full") == 0)
        return E_OK;
    const char *ok = getenv("HEDUI_PG_ALLOW_UNVERIFIED");
    if (ok && strcmp(ok, "1") == 0)
        return E_OK;
    int nh = count_items(host), na = count_items(addr);
    int n = nh > na ? nh : na;
    for (int i = 0; i < n; i++) {
        size_t lh, la;
        const char *h = list_item(host, i, &lh), *a = list_item(addr, i, &la);
        const char *t = la ? a : h;
        size_t lt = la ? la : lh;
        if (!is_local_host(t, lt))
            return ERR(e, E_PG,
                       "refusing to connect to %.*s with sslmode=%s: only sslmode=verify-full "
                       "checks that the server is who it claims to be (add sslmode=verify-full "
                       "and sslrootcert=FILE, or set HEDUI_PG_ALLOW_UNVERIFIED=1 to accept the "
                       "risk); nothing was sent", (int)lt, t,
                       sslmode && *sslmode ? sslmode : "prefer");
    }
    return E_OK;
}

/* Before any packet: the options given in conninfo or the PG* environment
 * (a service file is only read by libpq itself: see check_started). */
static int check_before(const PQconninfoOption *opts, struct err *e)
{
    const char *svc = opt_val(opts, "service");
    if ((svc && *svc) || getenv("PGSERVICE"))
        return E_OK;   /* the service file may set any of them: check_started decides */
    const char *keys[3] = {"host", "hostaddr", "sslmode"};
    const char *envs[3] = {"PGHOST", "PGHOSTADDR", "PGSSLMODE"};
    const char *v[3];
    for (int i = 0; i < 3; i++) {
        v[i] = opt_val(opts, keys[i]);
        if (!v[i] || !*v[i])
            v[i] = getenv(envs[i]);
    }
    return tls_policy(v[0], v[1], v[2], e);
}

/* After PQconnectStart, with the options libpq settled on (service file
 * included); at most a TCP handshake has been started, no data sent. */
static int check_started(struct pg *db, struct err *e)
{
    PQconninfoOption *ci = PQconninfo(db->conn);
    if (!ci)
        return ERR(e, E_NOMEM, "out of memory while reading the connection options");
    int st = tls_policy(opt_val(ci, "host"), opt_val(ci, "hostaddr"), opt_val(ci, "sslmode"), e);
    PQconninfoFree(ci);
    return st;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The SQLSTATE in a verbose libpq message ("FATAL:  28P01: ..."), removed
 * from msg; state gets "" when there is none. */
static void take_state(char *msg, char state[6])
{
    state[0] = '\0';
    static const char *const sev[] = {"FATAL:  ", "ERROR:  ", "PANIC:  "};
    for (int k = 0; k < 3; k++) {
        char *p = strstr(msg, sev[k]);
        if (!p)
            continue;
        p += strlen(sev[k]);
        int ok = 1;
        for (int i = 0; i < 5; i++)
            if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'Z')))
                ok = 0;
        if (ok && p[5] == ':' && p[6] == ' ') {
            memcpy(state, p, 5);
            state[5] = '\0';
            memmove(p, p + 7, strlen(p + 7) + 1);
            return;
        }
    }
}

static int connect_failed(struct pg *db, struct err *e)
{
    char *msg = strdup(PQerrorMessage(db->conn));
    if (!msg)
        return ERR(e, E_NOMEM, "out of memory");
    char state[6];
    take_state(msg, state);
    char m[400];
    clean_msg(db, msg, m, sizeof m);
    free(msg);
    int st;
    if (state[0])
        st = ERR(e, E_PG, "cannot connect to PostgreSQL: %s (SQLSTATE %s)%s", m, state,
                 hint_for(state));
    else
        st = ERR(e, E_PG, "cannot connect to PostgreSQL: %s (SQLSTATE 08001: the server was "
                          "not reached; check host, port and that the server is running)", m);
    return st;
}

static void ignore_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

int pg_open(struct pg *db, const char *conninfo, const char *appname, struct err *e)
{
    memset(db, 0, sizeof *db);
    if (!conninfo)
        conninfo = "";
    int is_uri = strncmp(conninfo, "postgresql://", 13) == 0 ||
                 strncmp(conninfo, "postgres://", 11) == 0;
    PQconninfoOption *opts = NULL;
    if (is_uri || strchr(conninfo, '=')) {
        char *perr = NULL;
        opts = PQconninfoParse(conninfo, &perr);
        if (!opts) {
            if (perr)
                PQfreemem(perr);   /* it quotes the string: never shown */
            return ERR(e, E_USAGE,
                       "the connection string given to --pg is malformed (not shown: it may "
                       "hold a password); use key=value pairs such as 'host=/run/postgresql "
                       "dbname=hedui' or a postgresql:// URI, with values holding spaces or "
                       "quotes in single quotes");
        }
        const char *pw = opt_val(opts, "password");
        if (pw && *pw && !(db->secret = strdup(pw))) {
            PQconninfoFree(opts);
            return ERR(e, E_NOMEM, "out of memory");
        }
    }
    int st = check_before(opts, e);
    PQconninfoFree(opts);
    if (st != E_OK)
        return st;
    const char *pw_env = getenv("PGPASSWORD");
    if (pw_env && *pw_env && !(db->secret_env = strdup(pw_env)))
        return ERR(e, E_NOMEM, "out of memory");

    /* Later keywords override those expanded from the conninfo: the engine
     * exchanges UTF-8 whatever the user's client_encoding. */
    const char *const kw[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
    const char *const val[] = {conninfo, appname, "UTF8", NULL};
    db->conn = PQconnectStartParams(kw, val, 1);
    if (!db->conn)
        return ERR(e, E_NOMEM, "out of memory while connecting to PostgreSQL");
    if (PQstatus(db->conn) == CONNECTION_BAD)
        return connect_failed(db, e);
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);   /* "already exists, skipping" */
    PQsetErrorVerbosity(db->conn, PQERRORS_VERBOSE);   /* to get the SQLSTATE of FATALs */
    st = check_started(db, e);
    if (st != E_OK)
        return st;

    double deadline = 0;
    PQconninfoOption *ci = PQconninfo(db->conn);
    if (ci) {
        const char *to = opt_val(ci, "connect_timeout");
        const char *host = opt_val(ci, "host");
        if (to && atoi(to) > 0)
            deadline = now_s() + (atoi(to) < 2 ? 2 : atoi(to)) * (double)count_items(host);
        PQconninfoFree(ci);
    }
    PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
    while (ps != PGRES_POLLING_OK && ps != PGRES_POLLING_FAILED) {
        struct pollfd pfd = {PQsocket(db->conn),
                             ps == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
        int ms = -1;
        if (deadline > 0) {
            double left = deadline - now_s();
            if (left <= 0)
                return ERR(e, E_PG, "cannot connect to PostgreSQL: timed out after "
                                    "connect_timeout (SQLSTATE 08001)");
            ms = (int)(left * 1000) + 1;
        }
        int r = poll(&pfd, 1, ms);
        if (r < 0 && errno != EINTR)
            return ERR(e, E_PG, "cannot connect to PostgreSQL: poll: %s (SQLSTATE 08001)",
                       strerror(errno));
        if (r == 0)
            continue;
        ps = PQconnectPoll(db->conn);
    }
    if (ps == PGRES_POLLING_FAILED || PQstatus(db->conn) != CONNECTION_OK)
        return connect_failed(db, e);
    PQsetErrorVerbosity(db->conn, PQERRORS_DEFAULT);
    if (PQserverVersion(db->conn) < 100000)
        return ERR(e, E_PG, "PostgreSQL %d.%d is too old: hedui needs 10 or later",
                   PQserverVersion(db->conn) / 10000, PQserverVersion(db->conn) / 100 % 100);

    /* Bounded waits, unless the user set them (e.g. with PGOPTIONS). */
    st = pg_exec(db, "SELECT set_config('lock_timeout', '300s', false) "
                     "WHERE current_setting('lock_timeout') = '0'",
                 "setting lock_timeout", e);
    if (st == E_OK)
        st = pg_exec(db, "SELECT set_config('idle_in_transaction_session_timeout', '600s', "
                         "false) WHERE current_setting('idle_in_transaction_session_timeout') "
                         "= '0'",
                     "setting idle_in_transaction_session_timeout", e);
    return st;
}

void pg_close(struct pg *db)
{
    if (db->conn) {
        pg_rollback(db);
        PQfinish(db->conn);
    }
    if (db->secret) {
        memset(db->secret, 0, strlen(db->secret));
        free(db->secret);
    }
    if (db->secret_env) {
        memset(db->secret_env, 0, strlen(db->secret_env));
        free(db->secret_env);
    }
    memset(db, 0, sizeof *db);
}

void pg_describe(const struct pg *db, char *buf, size_t n)
{
    const char *h = PQhost(db->conn);
    snprintf(buf, n, "%s@%s%s%s/%s", PQuser(db->conn), h && *h ? h : "(default socket)",
             h && *h == '/' ? "" : ":", h && *h == '/' ? "" : PQport(db->conn),
             PQdb(db->conn));
}

/* ---------- statements ---------- */

int pg_query(struct pg *db, const char *sql, int n, const char *const *params,
             PGresult **out, const char *what, struct err *e)
{
    if (out)
        *out = NULL;
    PGresult *r = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        int st = fail_result(db, r, what, e);
        PQclear(r);
        return st;
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return E_OK;
}

int pg_exec(struct pg *db, const char *sql, const char *what, struct err *e)
{
    return pg_query(db, sql, 0, NULL, NULL, what, e);
}

int pg_begin(struct pg *db, const char *mode, struct err *e)
{
    char sql[200];
    snprintf(sql, sizeof sql, "BEGIN %s", mode ? mode : "");
    int st = pg_exec(db, sql, "starting a transaction", e);
    if (st == E_OK)
        db->in_tx = 1;
    return st;
}

int pg_commit(struct pg *db, struct err *e)
{
    if (PQtransactionStatus(db->conn) != PQTRANS_INTRANS)
        return ERR(e, E_PG, "the transaction is not in a state to commit (SQLSTATE 25000); "
                            "nothing was committed");
    PGresult *r = PQexec(db->conn, "COMMIT");
    int st = E_OK;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        st = fail_result(db, r, "committing", e);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
        st = ERR(e, E_PG, "the server rolled the transaction back instead of committing "
                          "(SQLSTATE 40000)");
    PQclear(r);
    db->in_tx = 0;
    return st;
}

void pg_rollback(struct pg *db)
{
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
        return;
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    db->in_tx = 0;
}

char *pg_ident(struct pg *db, const char *name, struct err *e)
{
    char *q = PQescapeIdentifier(db->conn, name, strlen(name));
    if (!q) {
        fail_text(db, "quoting an identifier", PQerrorMessage(db->conn), NULL, "22021", e);
        return NULL;
    }
    char *r = strdup(q);
    PQfreemem(q);
    if (!r)
        ERR(e, E_NOMEM, "out of memory");
    return r;
}

void pg_test_pause(const char *var)
{
    const char *v = getenv(var);
    if (v && atoi(v) > 0)
        sleep((unsigned)atoi(v));
}

/* ---------- COPY ---------- */

static void drain(struct pg *db)
{
    PGresult *r;
    while ((r = PQgetResult(db->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        PQclear(r);
        if (s == PGRES_COPY_IN)
            PQputCopyEnd(db->conn, "abandoned");
        else if (s == PGRES_COPY_OUT || s == PGRES_COPY_BOTH)
            break;
        if (PQstatus(db->conn) == CONNECTION_BAD)
            break;
    }
}

int pg_copy_begin(struct pg *db, struct pg_copy *c, const char *sql, const char *what,
                  struct err *e)
{
    memset(c, 0, sizeof c[0]);
    c->db = db;
    c->what = what;
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        int st = fail_result(db, r, what, e);
        PQclear(r);
        drain(db);
        return st;
    }
    PQclear(r);
    c->cap = COPY_CHUNK + 65536;
    c->buf = malloc(c->cap);
    if (!c->buf) {
        pg_copy_abort(c, "out of memory");
        return ERR(e, E_NOMEM, "out of memory");
    }
    return E_OK;
}

static int flush(struct pg_copy *c, struct err *e)
{
    if (c->len == 0)
        return E_OK;
    if (PQputCopyData(c->db->conn, c->buf, (int)c->len) != 1) {
        int st = fail_text(c->db, c->what, PQerrorMessage(c->db->conn), NULL, NULL, e);
        pg_copy_abort(c, "send failed");
        return st;
    }
    c->sent_bytes += (long long)c->len;
    c->len = 0;
    return E_OK;
}

int pg_copy_put(struct pg_copy *c, const char *s, size_t n, struct err *e)
{
    while (n > 0) {
        size_t room = c->cap - c->len;
        size_t k = n < room ? n : room;
        memcpy(c->buf + c->len, s, k);
        c->len += k;
        s += k;
        n -= k;
        if (c->len >= COPY_CHUNK) {
            int st = flush(c, e);
            if (st != E_OK)
                return st;
        }
    }
    return E_OK;
}

int pg_copy_end(struct pg_copy *c, long long *rows, struct err *e)
{
    struct pg *db = c->db;
    int st = flush(c, e);
    free(c->buf);
    c->buf = NULL;
    if (st != E_OK)
        return st;
    /* Test hook: the rows are sent, the COPY is still open. */
    static int paused;
    if (!paused) {
        paused = 1;
        pg_test_pause("HEDUI_TEST_PAUSE_IN_COPY");
    }
    if (PQputCopyEnd(db->conn, NULL) != 1) {
        st = fail_text(db, c->what, PQerrorMessage(db->conn), NULL, NULL, e);
        drain(db);
        return st;
    }
    PGresult *r = PQgetResult(db->conn);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        st = fail_result(db, r, c->what, e);
    } else if (rows) {
        *rows = atoll(PQcmdTuples(r));
    }
    PQclear(r);
    /* Only when PQgetResult returns NULL is the command done. */
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (st == E_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = fail_result(db, r, c->what, e);
        PQclear(r);
    }
    return st;
}

void pg_copy_abort(struct pg_copy *c, const char *why)
{
    free(c->buf);
    c->buf = NULL;
    if (c->db && c->db->conn && PQstatus(c->db->conn) == CONNECTION_OK) {
        PQputCopyEnd(c->db->conn, why);
        drain(c->db);
    }
}

int pg_copy_out(struct pg *db, const char *sql, pg_row_fn row, void *ctx, const char *what,
                struct err *e)
{
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
        int st = fail_result(db, r, what, e);
        PQclear(r);
        drain(db);
        return st;
    }
    PQclear(r);
    int st = E_OK;
    for (;;) {
        char *buf = NULL;
        int n = PQgetCopyData(db->conn, &buf, 0);
        if (n > 0) {
            if (st == E_OK)
                st = row(ctx, buf, (size_t)n, e);   /* after an error: read on, discard */
            PQfreemem(buf);
            continue;
        }
        if (n == -2 && st == E_OK)
            st = fail_text(db, what, PQerrorMessage(db->conn), NULL, NULL, e);
        break;
    }
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (st == E_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            st = fail_result(db, r, what, e);
        PQclear(r);
    }
    return st;
}
