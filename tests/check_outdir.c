/* check_outdir.c - unit tests for out/outdir.c: the output directory.
 *
 * Owns: the outdir suite.  Through outdir.h only: the refusals (world-
 * writable sticky, home, foreign non-empty, --data inside, "/") create
 * nothing; an accepted shared directory keeps its inode, owner, group and
 * mode (setgid); the lock names its holder; a publish replaces hedui's
 * files, removes the stale ones, keeps the user's; an interrupted publish
 * is finished by the next prepare; stale temporary directories go, and a
 * symbolic link among them is not followed; more files open at once than
 * out_open keeps buffers for, and two threads writing at once.  Runs as
 * root or not: ownership is read with stat, never assumed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out/lists.h"
#include "out/outdir.h"
#include "testkit.h"
#include "tests.h"

/* ---------- helpers ---------- */

static char *base_dir(void)
{
    char *d = strdup("/tmp/hedui-outdir.XXXXXX");
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(mkdtemp(d));
    return d;
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put_file(const char *dir, const char *name, const char *text)
{
    char p[2400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *dir, const char *name)
{
    static char buf[4096];
    char p[2400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int exists(const char *dir, const char *name)
{
    char p[2400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Entries of dir, sorted, space-separated ("" if empty). */
static const char *listing(const char *dir)
{
    static char out[2048];
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | tr '\\n' ' '", dir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    return out;
}

/* One small run published into dir: each of names[] holding `text`,
 * then a manifest of hedui. */
static int publish(const char *dir, const char *const *names, const char *text,
                   struct err *e)
{
    struct outdir o;
    int st = out_prepare(&o, dir, NULL, e);
    if (st == E_OK)
        st = out_begin(&o, e);
    for (int i = 0; st == E_OK && names[i]; i++) {
        FILE *f = out_open(&o, names[i], e);
        if (!f) {
            st = e->code;
            break;
        }
        fputs(text, f);
        st = out_close(f, &o, names[i], e);
    }
    if (st == E_OK) {
        FILE *f = out_open(&o, "manifest.json", e);
        if (f) {
            fprintf(f, "{\n  \"tool\": \"hedui\",\n  \"run\": \"%s\"\n}\n", text);
            st = out_close(f, &o, "manifest.json", e);
        } else {
            st = e->code;
        }
    }
    if (st == E_OK)
        st = out_commit(&o, e);
    out_release(&o);
    return st;
}

static const char *const lists4[] = {"flags.csv", "review_queue.csv", "spotcheck.csv",
                                     "rejects.csv", NULL};

/* ---------- refusals ---------- */

START_TEST(test_refuse_sticky_world_writable)
{
    char *b = base_dir();
    char d[1100];
    snprintf(d, sizeof d, "%s/shared", b);
    ck_assert_int_eq(mkdir(d, 0700), 0);
    ck_assert_int_eq(chmod(d, 01777), 0);
    struct stat before, after;
    ck_assert_int_eq(stat(d, &before), 0);
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, d, NULL, &e), E_USAGE);
    out_release(&o);
    ck_assert_msg(strstr(e.msg, "world-writable with the sticky bit") != NULL, "%s", e.msg);
    ck_assert_int_eq(stat(d, &after), 0);
    ck_assert_uint_eq(after.st_mode, before.st_mode);
    ck_assert_uint_eq(after.st_uid, before.st_uid);
    ck_assert_uint_eq(after.st_ino, before.st_ino);
    ck_assert_str_eq(listing(d), "");   /* not even a lock file */
    rm_rf(b);
    free(b);
}
END_TEST

START_TEST(test_refuse_foreign_nonempty)
{
    char *b = base_dir();
    put_file(b, "thesis.txt", "mine\n");
    put_file(b, "flags.csv", "not hedui's\n");
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, b, NULL, &e), E_USAGE);
    out_release(&o);
    ck_assert_msg(strstr(e.msg, "holds no earlier hedui output") != NULL, "%s", e.msg);
    ck_assert_str_eq(listing(b), "flags.csv thesis.txt ");
    /* a manifest that is not hedui's does not make it ours */
    put_file(b, "manifest.json", "{\"tool\": \"other\"}\n");
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, b, NULL, &e), E_USAGE);
    out_release(&o);
    rm_rf(b);
    free(b);
}
END_TEST

START_TEST(test_refuse_home_and_root)
{
    char *b = base_dir();
    char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", b, 1);
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, b, NULL, &e), E_USAGE);
    out_release(&o);
    ck_assert_msg(strstr(e.msg, "is a home directory") != NULL, "%s", e.msg);
    ck_assert_str_eq(listing(b), "");
    if (old)
        setenv("HOME", old, 1);
    free(old);
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, "/", NULL, &e), E_USAGE);
    out_release(&o);
    rm_rf(b);
    free(b);
}
END_TEST

START_TEST(test_refuse_data_inside)
{
    char *b = base_dir();
    char data[1100], out[1100];
    snprintf(data, sizeof data, "%s/feeds", b);
    ck_assert_int_eq(mkdir(data, 0700), 0);
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, b, data, &e), E_USAGE);   /* contains --data */
    out_release(&o);
    ck_assert_msg(strstr(e.msg, "contains the data directory") != NULL, "%s", e.msg);
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, data, data, &e), E_USAGE);   /* is --data */
    out_release(&o);
    ck_assert_msg(strstr(e.msg, "is the data directory") != NULL, "%s", e.msg);
    /* beside it is fine */
    snprintf(out, sizeof out, "%s/out", b);
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, out, data, &e), E_OK);
    out_release(&o);
    rm_rf(b);
    free(b);
}
END_TEST

/* ---------- a shared directory stays as it is ---------- */

START_TEST(test_shared_dir_kept)
{
    char *b = base_dir();
    char d[1100];
    snprintf(d, sizeof d, "%s/auditors", b);
    ck_assert_int_eq(mkdir(d, 0700), 0);
    /* a setgid group directory of another group, if we may (root) */
    gid_t g = getgid() == 0 ? 4242 : getgid();
    if (chown(d, (uid_t)-1, g) != 0)
        g = getgid();
    ck_assert_int_eq(chmod(d, 02770), 0);
    struct stat before, after;
    ck_assert_int_eq(stat(d, &before), 0);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(publish(d, lists4, "run1", &e), E_OK);
    ck_assert_int_eq(publish(d, lists4, "run2", &e), E_OK);
    ck_assert_int_eq(stat(d, &after), 0);
    ck_assert_uint_eq(after.st_ino, before.st_ino);
    ck_assert_uint_eq(after.st_mode, before.st_mode);
    ck_assert_uint_eq(after.st_uid, before.st_uid);
    ck_assert_uint_eq(after.st_gid, before.st_gid);
    ck_assert_uint_eq(after.st_gid, g);
    /* new files take the directory's group (setgid), and are 0600 */
    char p[2400];
    struct stat fst;
    snprintf(p, sizeof p, "%s/flags.csv", d);
    ck_assert_int_eq(stat(p, &fst), 0);
    ck_assert_uint_eq(fst.st_gid, g);
    ck_assert_uint_eq(fst.st_mode & 07777, 0600);
    ck_assert_str_eq(read_file(d, "flags.csv"), "run2");
    rm_rf(b);
    free(b);
}
END_TEST

/* ---------- the lock ---------- */

START_TEST(test_lock_names_holder)
{
    char *b = base_dir();
    struct outdir o1, o2;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o1, b, NULL, &e), E_OK);
    ck_assert_int_eq(out_begin(&o1, &e), E_OK);
    const char *before = strdup(listing(b));
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o2, b, NULL, &e), E_WRITE);
    out_release(&o2);
    char pid[40];
    snprintf(pid, sizeof pid, "(pid %ld, started 2", (long)getpid());
    ck_assert_msg(strstr(e.msg, "is in use by another hedui run") && strstr(e.msg, pid),
                  "%s", e.msg);
    ck_assert_msg(strstr(e.msg, "nothing was changed") != NULL, "%s", e.msg);
    /* the holder's temporary directory is still there: nothing touched */
    ck_assert_str_eq(listing(b), before);
    free((void *)before);
    out_release(&o1);
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o2, b, NULL, &e), E_OK);   /* free again */
    out_release(&o2);
    /* run_lock on another directory (--state) */
    char st[1100];
    snprintf(st, sizeof st, "%s/state", b);
    struct run_lock l1, l2;
    ck_assert_int_eq(run_lock_take(&l1, st, "--state", &e), E_OK);
    err_init(&e);
    ck_assert_int_eq(run_lock_take(&l2, st, "--state", &e), E_WRITE);
    ck_assert_msg(strstr(e.msg, "--state") && strstr(e.msg, pid), "%s", e.msg);
    run_lock_release(&l1);
    err_init(&e);
    ck_assert_int_eq(run_lock_take(&l2, st, "--state", &e), E_OK);
    run_lock_release(&l2);
    rm_rf(b);
    free(b);
}
END_TEST

/* a symbolic link in place of the lock file is refused, not followed */
START_TEST(test_lock_symlink_not_followed)
{
    char *b = base_dir();
    char target[1200], link[1200];
    snprintf(target, sizeof target, "%s/precious", b);
    put_file(b, "precious", "keep me\n");
    char d[1100];
    snprintf(d, sizeof d, "%s/out", b);
    ck_assert_int_eq(mkdir(d, 0700), 0);
    snprintf(link, sizeof link, "%s/" OUT_LOCK_NAME, d);
    ck_assert_int_eq(symlink(target, link), 0);
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_ne(out_prepare(&o, d, NULL, &e), E_OK);
    out_release(&o);
    ck_assert_str_eq(read_file(b, "precious"), "keep me\n");
    rm_rf(b);
    free(b);
}
END_TEST

/* ---------- publish ---------- */

START_TEST(test_publish_replaces_ours_keeps_theirs)
{
    char *b = base_dir();
    char d[1100];
    snprintf(d, sizeof d, "%s/out", b);
    struct err e;
    err_init(&e);
    static const char *const with_changes[] = {"flags.csv", "changes.csv", NULL};
    ck_assert_int_eq(publish(d, with_changes, "run1", &e), E_OK);
    struct stat st;
    ck_assert_int_eq(stat(d, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);   /* created by us: ours */
    put_file(d, "notes.txt", "the auditors'\n");
    ck_assert_int_eq(publish(d, lists4, "run2", &e), E_OK);
    ck_assert_str_eq(read_file(d, "flags.csv"), "run2");
    ck_assert_str_eq(read_file(d, "rejects.csv"), "run2");
    ck_assert_int_eq(exists(d, "changes.csv"), 0);   /* the previous run's, gone */
    ck_assert_str_eq(read_file(d, "notes.txt"), "the auditors'\n");
    ck_assert_ptr_nonnull(strstr(read_file(d, "manifest.json"), "run2"));
    ck_assert_str_eq(listing(d), ".hedui.lock flags.csv manifest.json notes.txt rejects.csv "
                                 "review_queue.csv spotcheck.csv ");
    rm_rf(b);
    free(b);
}
END_TEST

/* The state after a kill between steps 3 and 5: no manifest, some files
 * new, the rest in .hedui-publish.  The next prepare finishes it. */
START_TEST(test_roll_forward)
{
    char *b = base_dir();
    char d[1100], pd[1200];
    snprintf(d, sizeof d, "%s/out", b);
    struct err e;
    err_init(&e);
    static const char *const with_changes[] = {"flags.csv", "spotcheck.csv", "changes.csv",
                                               NULL};
    ck_assert_int_eq(publish(d, with_changes, "old", &e), E_OK);
    put_file(d, "notes.txt", "theirs\n");
    /* interrupted: manifest removed, flags.csv moved, the rest waiting */
    snprintf(pd, sizeof pd, "%s/" OUT_PUBLISH_NAME, d);
    ck_assert_int_eq(mkdir(pd, 0700), 0);
    char man[1200];
    snprintf(man, sizeof man, "%s/manifest.json", d);
    ck_assert_int_eq(unlink(man), 0);
    put_file(d, "flags.csv", "new");
    put_file(pd, "spotcheck.csv", "new");
    put_file(pd, "manifest.json", "{\n  \"tool\": \"hedui\",\n  \"run\": \"new\"\n}\n");
    put_file(pd, ".hedui-files", "flags.csv\nspotcheck.csv\nmanifest.json\n");
    /* and a stale temporary directory, with a symbolic link beside it
     * pointing at a directory whose file must survive */
    char tmp[1200], victim[1200], lnk[1200];
    snprintf(tmp, sizeof tmp, "%s/" OUT_TMP_PREFIX "stale1", d);
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    put_file(tmp, "flags.csv", "half");
    snprintf(victim, sizeof victim, "%s/victim", b);
    ck_assert_int_eq(mkdir(victim, 0700), 0);
    put_file(victim, "passwd", "root\n");
    snprintf(lnk, sizeof lnk, "%s/" OUT_TMP_PREFIX "evil", d);
    ck_assert_int_eq(symlink(victim, lnk), 0);

    struct outdir o;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, d, NULL, &e), E_OK);
    out_release(&o);
    ck_assert_str_eq(read_file(d, "flags.csv"), "new");
    ck_assert_str_eq(read_file(d, "spotcheck.csv"), "new");
    ck_assert_ptr_nonnull(strstr(read_file(d, "manifest.json"), "\"new\""));
    ck_assert_int_eq(exists(d, "changes.csv"), 0);
    ck_assert_int_eq(exists(d, OUT_PUBLISH_NAME), 0);
    ck_assert_int_eq(exists(d, OUT_TMP_PREFIX "stale1"), 0);
    ck_assert_str_eq(read_file(d, "notes.txt"), "theirs\n");
    ck_assert_str_eq(read_file(victim, "passwd"), "root\n");
    rm_rf(b);
    free(b);
}
END_TEST

/* Only hedui's file names are published; a manifest is required. */
START_TEST(test_commit_checks_names)
{
    char *b = base_dir();
    char d[1100];
    snprintf(d, sizeof d, "%s/out", b);
    struct outdir o;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(&o, d, NULL, &e), E_OK);
    ck_assert_int_eq(out_begin(&o, &e), E_OK);
    FILE *f = out_open(&o, "flags.csv", &e);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(out_close(f, &o, "flags.csv", &e), E_OK);
    ck_assert_int_eq(out_commit(&o, &e), E_INTERNAL);   /* no manifest */
    out_release(&o);
    ck_assert_str_eq(listing(d), ".hedui.lock ");
    rm_rf(b);
    free(b);
}
END_TEST

/* ---------- files and buffers ---------- */

/* An outdir in a fresh temporary directory (*dir, and out for its path). */
static void begin_out(char **dir, char *out, size_t out_size, struct outdir *od)
{
    *dir = base_dir();
    snprintf(out, out_size, "%s/out", *dir);
    struct err e;
    err_init(&e);
    ck_assert_int_eq(out_prepare(od, out, NULL, &e), E_OK);
    ck_assert_int_eq(out_begin(od, &e), E_OK);
}

static void end_out(char *dir, const char *out, struct outdir *od)
{
    out_release(od);
    ck_assert_str_eq(listing(out), ".hedui.lock ");   /* the temporary directory gone */
    rm_rf(dir);
    free(dir);
}

/* od's file `name` holds exactly the lines "i-0" .. "i-(lines-1)". */
static void check_lines(const struct outdir *od, const char *name, int i, int lines)
{
    char path[1300], line[64], want[64];
    snprintf(path, sizeof path, "%s/%s", od->tmp, name);
    FILE *r = fopen(path, "r");
    ck_assert_ptr_nonnull(r);
    int l = 0;
    while (fgets(line, sizeof line, r)) {
        snprintf(want, sizeof want, "%d-%d\n", i, l);
        ck_assert_str_eq(line, want);
        l++;
    }
    ck_assert_int_eq(l, lines);
    fclose(r);
}

/* Six files open at once (out_open keeps buffers for four; the others
 * use stdio's own), written interleaved, each larger than one buffer. */
START_TEST(test_out_files_beyond_buffers)
{
    char *dir, out[1200];
    struct outdir od;
    begin_out(&dir, out, sizeof out, &od);
    struct err e;
    err_init(&e);
    enum { NF = 6, LINES = 120000 };
    FILE *f[NF];
    char name[NF][24];
    for (int i = 0; i < NF; i++) {
        snprintf(name[i], sizeof name[i], "f%d.csv", i);
        f[i] = out_open(&od, name[i], &e);
        ck_assert_ptr_nonnull(f[i]);
    }
    char v[32];
    for (int l = 0; l < LINES; l++)
        for (int i = 0; i < NF; i++) {
            snprintf(v, sizeof v, "%d-%d", i, l);
            csv_put(f[i], v, 1);
        }
    for (int i = NF - 1; i >= 0; i--)
        ck_assert_int_eq(out_close(f[i], &od, name[i], &e), E_OK);
    for (int i = 0; i < NF; i++)
        check_lines(&od, name[i], i, LINES);
    end_out(dir, out, &od);
}
END_TEST

/* Two threads opening, writing and closing files of one outdir at once
 * (as pipeline_publish_dir does): every file whole and its own. */
START_TEST(test_out_files_two_threads)
{
    char *dir, out[1200];
    struct outdir od;
    begin_out(&dir, out, sizeof out, &od);
    enum { NF = 12, LINES = 30000 };
    int ok[NF] = {0};
#pragma omp parallel for num_threads(2) schedule(dynamic, 1)
    for (int i = 0; i < NF; i++) {
        char name[24], v[32];
        struct err te;
        err_init(&te);
        snprintf(name, sizeof name, "t%d.csv", i);
        FILE *f = out_open(&od, name, &te);
        if (!f)
            continue;
        for (int l = 0; l < LINES; l++) {
            snprintf(v, sizeof v, "%d-%d", i, l);
            csv_put(f, v, 1);
        }
        ok[i] = out_close(f, &od, name, &te) == E_OK;
    }
    for (int i = 0; i < NF; i++) {
        ck_assert_msg(ok[i], "file %d", i);
        char name[24];
        snprintf(name, sizeof name, "t%d.csv", i);
        check_lines(&od, name, i, LINES);
    }
    for (int i = 0; i < OUT_MAX_BUFS; i++)
        ck_assert_ptr_null(od.buf_file[i]);   /* every buffer given back */
    end_out(dir, out, &od);
}
END_TEST

Suite *outdir_suite(void)
{
    Suite *s = suite_create("outdir");
    TCase *tc = tcase_create("refuse");
    tcase_add_test(tc, test_refuse_sticky_world_writable);
    tcase_add_test(tc, test_refuse_foreign_nonempty);
    tcase_add_test(tc, test_refuse_home_and_root);
    tcase_add_test(tc, test_refuse_data_inside);
    suite_add_tcase(s, tc);
    tc = tcase_create("publish");
    tcase_add_test(tc, test_shared_dir_kept);
    tcase_add_test(tc, test_lock_names_holder);
    tcase_add_test(tc, test_lock_symlink_not_followed);
    tcase_add_test(tc, test_publish_replaces_ours_keeps_theirs);
    tcase_add_test(tc, test_roll_forward);
    tcase_add_test(tc, test_commit_checks_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_test(tc, test_out_files_beyond_buffers);
    tcase_add_test(tc, test_out_files_two_threads);
    suite_add_tcase(s, tc);
    return s;
}
