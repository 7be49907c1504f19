/* write.c - stage 7: CSV lists and the manifest, published atomically.
 *
 * Owns: output formats (UTF-8, no BOM, LF, header row, RFC 4180 quoting
 * only where needed) and the publish protocol described in write.h.  Must
 * never reorder or filter rows (they arrive sorted) and never leave a
 * partial file under a final name.
 */
#include "out/write.h"

#include <dirent.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/fileio.h"

static int mkdir_p(const char *path)
{
    return fileio_mkdir_p(path, 0755);
}

/* Outputs hedui writes into the directory (the old copies are deleted on
 * publish; anything else found there is carried over to the new one). */
static const char *const own_names[] = {"flags.csv", "review_queue.csv", "spotcheck.csv",
                                        "rejects.csv", "manifest.json", "changes.csv",
                                        "report.html", "fingerprints.csv", NULL};

static int is_own(const char *name)
{
    for (int i = 0; own_names[i]; i++)
        if (strcmp(own_names[i], name) == 0)
            return 1;
    return 0;
}

int out_begin(struct outdir *o, const char *dir, struct err *e)
{
    memset(o, 0, sizeof *o);
    char buf[1024];
    if (strlen(dir) == 0 || strlen(dir) >= sizeof buf - 1)
        return ERR(e, E_USAGE, "bad output directory path '%s'", dir);
    snprintf(buf, sizeof buf, "%s", dir);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (mkdir_p(buf) != 0)
        return ERR(e, E_WRITE, "cannot create output directory %s: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return ERR(e, E_WRITE, "output path %s is not a directory", buf);
    char *real = realpath(buf, NULL);
    if (!real)
        return ERR(e, E_WRITE, "cannot resolve output directory %s: %s", buf, strerror(errno));
    if (strcmp(real, "/") == 0 || strlen(real) >= sizeof o->dir) {
        free(real);
        return ERR(e, E_USAGE, "refusing to publish into %s: give a directory of its own", buf);
    }
    snprintf(o->dir, sizeof o->dir, "%s", real);
    free(real);
    char *slash = strrchr(o->dir, '/');
    snprintf(o->tmp, sizeof o->tmp, "%.*s/.%s.hedui-tmp-XXXXXX", (int)(slash - o->dir),
             o->dir, slash + 1);
    if (!mkdtemp(o->tmp))
        return ERR(e, E_WRITE, "cannot create a temporary directory beside %s: %s", o->dir,
                   strerror(errno));
    chmod(o->tmp, 0700);
    o->open = 1;
    return E_OK;
}

/* Remove a directory that holds only plain files (ours). */
static void remove_flat_dir(const char *path)
{
    fileio_remove_flat_dir(path);
}

void out_abort(struct outdir *o)
{
    if (!o->open)
        return;
    remove_flat_dir(o->tmp);
    o->open = 0;
}

int out_fsync_dir(const char *dir)
{
    return fileio_fsync_dir(dir);
}

int out_commit(struct outdir *o, const char *const *names, int n, struct err *e)
{
    (void)names;
    (void)n;
    char parent[1024];
    snprintf(parent, sizeof parent, "%s", o->dir);
    *strrchr(parent, '/') = '\0';
    if (parent[0] == '\0')
        snprintf(parent, sizeof parent, "/");
    if (out_fsync_dir(o->tmp) != 0)
        return ERR(e, E_WRITE, "cannot sync directory %s: %s", o->tmp, strerror(errno));
    if (getenv("HEDUI_TEST_PAUSE_BEFORE_PUBLISH"))
        sleep((unsigned)atoi(getenv("HEDUI_TEST_PAUSE_BEFORE_PUBLISH")));
    /* the one atomic step */
    int swapped = 1;
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->dir, RENAME_EXCHANGE) != 0) {
        if (errno != ENOENT)
            return ERR(e, E_WRITE, "cannot publish %s (swap with %s): %s", o->dir, o->tmp,
                       strerror(errno));
        if (rename(o->tmp, o->dir) != 0)
            return ERR(e, E_WRITE, "cannot publish %s: %s", o->dir, strerror(errno));
        swapped = 0;
    }
    o->open = 0;
    if (out_fsync_dir(parent) != 0)
        return ERR(e, E_WRITE, "cannot sync directory %s: %s", parent, strerror(errno));
    if (swapped) {
        /* o->tmp now holds the previous run: carry over what is not ours,
         * then delete the old outputs */
        DIR *dp = opendir(o->tmp);
        if (dp) {
            struct dirent *de;
            char from[2300], to[2300];
            while ((de = readdir(dp)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
                    is_own(de->d_name))
                    continue;
                snprintf(from, sizeof from, "%s/%s", o->tmp, de->d_name);
                snprintf(to, sizeof to, "%s/%s", o->dir, de->d_name);
                if (rename(from, to) != 0)
                    fprintf(stderr, "hedui: warning: could not carry %s over to %s: %s\n",
                            from, to, strerror(errno));
            }
            closedir(dp);
        }
        remove_flat_dir(o->tmp);
    }
    return E_OK;
}

/* ---------- files ---------- */

#define OUT_BUF_BYTES ((size_t)1 << 20)

static FILE *open_out(struct outdir *o, const char *name, struct err *e)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->tmp, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        ERR(e, E_WRITE, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        ERR(e, E_WRITE, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    /* one write(2) per MiB (glibc ignores a size given without a buffer and
     * would use 4 KiB), and no stream lock per character: each file is
     * written by one thread */
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    /* files of one run may be written by two threads at once
     * (pipeline_publish_dir): the table of buffers is shared */
    int slot = -1;
#pragma omp critical(hedui_out_bufs)
    for (int i = 0; i < OUT_MAX_BUFS && slot < 0; i++)
        if (!o->buf_file[i]) {
            o->buf_file[i] = f;
            slot = i;
        }
    char *buf = slot >= 0 ? malloc(OUT_BUF_BYTES) : NULL;
    int ok = buf && setvbuf(f, buf, _IOFBF, OUT_BUF_BYTES) == 0;
    if (!ok)
        free(buf);   /* stdio's own buffer then: slower, still right */
#pragma omp critical(hedui_out_bufs)
    if (slot >= 0) {
        o->buf[slot] = ok ? buf : NULL;
        if (!ok)
            o->buf_file[slot] = NULL;
    }
    return f;
}

static void free_buf(struct outdir *o, FILE *f)
{
    char *buf = NULL;
#pragma omp critical(hedui_out_bufs)
    for (int i = 0; i < OUT_MAX_BUFS; i++)
        if (o->buf_file[i] == f) {
            buf = o->buf[i];
            o->buf[i] = NULL;
            o->buf_file[i] = NULL;
        }
    free(buf);
}

static int close_out(FILE *f, struct outdir *o, const char *name, struct err *e)
{
    int er = 0;
    int bad = fileio_close_synced(f, &er) != 0;
    free_buf(o, f);
    if (bad)
        return ERR(e, E_WRITE, "cannot write %s/%s: %s", o->tmp, name, strerror(er));
    return E_OK;
}

FILE *out_open(struct outdir *o, const char *name, struct err *e)
{
    return open_out(o, name, e);
}

int out_close(FILE *f, struct outdir *o, const char *name, struct err *e)
{
    return close_out(f, o, name, e);
}

int write_flags(struct outdir *o, const struct eval_result *r, struct err *e)
{
    return write_flags_ext(o, r, NULL, NULL, NULL, e);
}

int write_flags_ext(struct outdir *o, const struct eval_result *r, const char *extra_header,
                    void (*extra)(FILE *f, size_t i, void *ctx), void *ctx, struct err *e)
{
    FILE *f = open_out(o, "flags.csv", e);
    if (!f)
        return e->code;
    fprintf(f, "rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence%s\n",
            extra ? extra_header : "");
    /* severity comes from the policy at evaluation time; stored per rule */
    for (size_t i = 0; i < r->n_flags; i++) {
        const struct flag *g = &r->flags[i];
        csv_put(f, rule_names[g->rule], 0);
        csv_put(f, kind_names[rule_kinds[g->rule]], 0);
        csv_put(f, severity_names[g->severity], 0);
        csv_put(f, g->household_id, 0);
        csv_put(f, g->hukou_no, 0);
        csv_put(f, g->id_no, 0);
        csv_put(f, g->region, 0);
        csv_put(f, g->evidence, extra == NULL);
        if (extra)
            extra(f, i, ctx);
    }
    return close_out(f, o, "flags.csv", e);
}

int write_queue(struct outdir *o, const struct ranked *r, struct err *e)
{
    FILE *f = open_out(o, "review_queue.csv", e);
    if (!f)
        return e->code;
    fputs("township_code,rank,household_id,hukou_no,score,rule_ids\n", f);
    char num[32];
    for (size_t i = 0; i < r->n_queue; i++) {
        const struct queue_row *q = &r->queue[i];
        csv_put(f, q->township, 0);
        snprintf(num, sizeof num, "%ld", q->rank);
        csv_put(f, num, 0);
        csv_put(f, q->household_id, 0);
        csv_put(f, q->hukou_no, 0);
        snprintf(num, sizeof num, "%d", q->score);
        csv_put(f, num, 0);
        csv_put(f, q->rule_ids, 1);
    }
    return close_out(f, o, "review_queue.csv", e);
}

int write_spot(struct outdir *o, const struct ranked *r, struct err *e)
{
    FILE *f = open_out(o, "spotcheck.csv", e);
    if (!f)
        return e->code;
    fputs("township_code,program,household_id,reason\n", f);
    for (size_t i = 0; i < r->n_spot; i++) {
        const struct spot_row *s = &r->spot[i];
        csv_put(f, s->township, 0);
        csv_put(f, program_names[s->program], 0);
        csv_put(f, s->household_id, 0);
        csv_put(f, s->reason, 1);
    }
    return close_out(f, o, "spotcheck.csv", e);
}

static int cmp_file_idx(const void *a, const void *b)
{
    return strcmp(input_file_names[*(const int *)a], input_file_names[*(const int *)b]);
}

int write_rejects(struct outdir *o, const struct dataset *d, struct err *e)
{
    FILE *f = open_out(o, "rejects.csv", e);
    if (!f)
        return e->code;
    fputs("file,line,reason\n", f);
    int order[N_INPUT];
    for (int i = 0; i < N_INPUT; i++)
        order[i] = i;
    qsort(order, N_INPUT, sizeof order[0], cmp_file_idx);
    char num[32];
    for (int k = 0; k < N_INPUT; k++) {
        const struct filestat *fs = &d->files[order[k]];
        struct reject *rj = fs->rejects.v;
        if (fs->rejects.n > 1)
            qsort(rj, fs->rejects.n, sizeof *rj, reject_cmp);
        for (size_t i = 0; i < fs->rejects.n; i++) {
            csv_put(f, fs->name, 0);
            snprintf(num, sizeof num, "%lld", rj[i].line);
            csv_put(f, num, 0);
            csv_put(f, rj[i].reason, 1);
        }
    }
    return close_out(f, o, "rejects.csv", e);
}

/* ---------- manifest (JSON) ---------- */

int write_manifest(struct outdir *o, const struct manifest_info *m, struct err *e)
{
    FILE *f = open_out(o, "manifest.json", e);
    if (!f)
        return e->code;
    const struct dataset *d = m->d;
    fputs("{\n  \"tool\": ", f);
    json_put_str(f, "hedui");
    fputs(",\n  \"tool_version\": ", f);
    json_put_str(f, m->version);
    fputs(",\n  \"as_of\": ", f);
    json_put_str(f, m->as_of);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"rules\": {\"dir\": ", m->seed);
    json_put_str(f, m->rules_dir);
    fputs(", \"version\": ", f);
    json_put_str(f, m->policy->version);
    fputs(", \"policy_xxh64\": ", f);
    json_put_str(f, m->policy->hash);
    fputs("},\n  \"inputs\": [\n", f);
    int first = 1;
    for (int i = 0; i < N_INPUT; i++) {
        const struct filestat *fs = &d->files[i];
        fprintf(f, "%s    {\"file\": ", first ? "" : ",\n");
        first = 0;
        json_put_str(f, fs->name);
        if (!fs->present) {
            fputs(", \"present\": false}", f);
            continue;
        }
        fputs(", \"present\": true, \"path\": ", f);
        json_put_str(f, fs->path);
        fprintf(f, ", \"from_rules_dir\": %s, \"bytes\": %lld, \"xxh128\": ",
                fs->from_rules ? "true" : "false", fs->bytes);
        json_put_str(f, fs->checksum);
        fputs(", \"encoding\": ", f);
        json_put_str(f, fs->encoding ? fs->encoding : "");
        fprintf(f, ", \"bom\": %s, \"data_rows\": %lld, \"accepted\": %lld, \"rejected\": %zu, "
                   "\"merged_duplicates\": %lld, \"id_normalised\": {\"white_space\": %u, "
                   "\"full_width\": %u, \"lower_x\": %u, \"15_to_18\": %u}}",
                fs->had_bom ? "true" : "false", fs->data_rows, fs->accepted, fs->rejects.n,
                fs->dropped_dupes, fs->id_flags_seen[0], fs->id_flags_seen[1],
                fs->id_flags_seen[2], fs->id_flags_seen[3]);
    }
    fputs("\n  ],\n  \"rules_skipped\": [", f);
    for (int i = 0; m->skipped && m->skipped[i]; i++) {
        fputs(i ? ", " : "", f);
        json_put_str(f, m->skipped[i]);
    }
    fputs("],\n  \"counts\": {", f);
    for (int r = 0; r < N_RULES; r++) {
        fprintf(f, "%s\n    ", r ? "," : "");
        json_put_str(f, rule_names[r]);
        fprintf(f, ": %zu", m->er->rule_count[r]);
    }
    fprintf(f, "\n  },\n  \"outputs\": {\"flags.csv\": %zu, \"review_queue.csv\": %zu, "
               "\"spotcheck.csv\": %zu},\n",
            m->er->n_flags, m->rk->n_queue, m->rk->n_spot);
    fputs("  \"no_standard\": {\"households\": [", f);
    for (size_t i = 0; i < m->er->n_no_std_households; i++) {
        const struct household *h =
            &VEC_AT(d->households, struct household, m->er->no_std_households[i]);
        fputs(i ? ", " : "", f);
        json_put_str(f, h->id);
    }
    fputs("], \"candidates_lines\": [", f);
    for (size_t i = 0; i < m->er->n_no_std_candidates; i++) {
        const struct candidate *c =
            &VEC_AT(d->candidates, struct candidate, m->er->no_std_candidates[i]);
        fprintf(f, "%s%lld", i ? ", " : "", c->line);
    }
    fprintf(f, "]},\n  \"candidates_skipped_not_normal_in_hukou\": %lld,\n",
            m->er->candidates_skipped_not_in_hukou);
    fprintf(f, "  \"timings\": {\"threads\": %d, \"peak_rss_kb\": %lld", m->threads,
            m->peak_rss_kb);
    for (int i = 0; i < m->n_stages; i++) {
        fputs(", ", f);
        json_put_str(f, m->stage_names[i]);
        fprintf(f, ": %.1f", m->stage_ms[i]);
    }
    fputs("}\n}\n", f);
    return close_out(f, o, "manifest.json", e);
}
