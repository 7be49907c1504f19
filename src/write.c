/* write.c - stage 7: CSV lists and the manifest, published atomically.
 *
 * Owns: output formats (UTF-8, no BOM, LF, header row, RFC 4180 quoting
 * only where needed) and the publish protocol described in write.h.  Must
 * never reorder or filter rows (they arrive sorted) and never leave a
 * partial file under a final name.
 */
#include "write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"

static int mkdir_p(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int out_begin(struct outdir *o, const char *dir, struct err *e)
{
    memset(o, 0, sizeof *o);
    if (strlen(dir) >= sizeof o->dir - 1)
        return ERR(e, E_USAGE, "output directory path too long: %s", dir);
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    if (mkdir_p(dir) != 0)
        return ERR(e, E_IO, "cannot create output directory %s: %s", dir, strerror(errno));
    snprintf(o->tmp, sizeof o->tmp, "%s/.hedui-tmp-XXXXXX", dir);
    if (!mkdtemp(o->tmp))
        return ERR(e, E_IO, "cannot create a temporary directory in %s: %s", dir,
                   strerror(errno));
    o->open = 1;
    return E_OK;
}

void out_abort(struct outdir *o)
{
    if (!o->open)
        return;
    DIR *dp = opendir(o->tmp);
    if (dp) {
        struct dirent *de;
        char path[1200];
        while ((de = readdir(dp)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", o->tmp, de->d_name);
            unlink(path);
        }
        closedir(dp);
    }
    rmdir(o->tmp);
    o->open = 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

int out_commit(struct outdir *o, const char *const *names, int n, struct err *e)
{
    char from[1200], to[1200];
    snprintf(to, sizeof to, "%s/manifest.json", o->dir);
    if (unlink(to) != 0 && errno != ENOENT)
        return ERR(e, E_IO, "cannot remove the old manifest %s: %s", to, strerror(errno));
    if (fsync_dir(o->dir) != 0)
        return ERR(e, E_IO, "cannot sync directory %s: %s", o->dir, strerror(errno));
    for (int i = 0; i < n; i++) {
        snprintf(from, sizeof from, "%s/%s", o->tmp, names[i]);
        snprintf(to, sizeof to, "%s/%s", o->dir, names[i]);
        if (i == n - 1 && fsync_dir(o->dir) != 0)
            return ERR(e, E_IO, "cannot sync directory %s: %s", o->dir, strerror(errno));
        if (rename(from, to) != 0)
            return ERR(e, E_IO, "cannot rename %s to %s: %s", from, to, strerror(errno));
    }
    if (fsync_dir(o->dir) != 0)
        return ERR(e, E_IO, "cannot sync directory %s: %s", o->dir, strerror(errno));
    rmdir(o->tmp);
    o->open = 0;
    return E_OK;
}

/* ---------- files ---------- */

static FILE *open_out(struct outdir *o, const char *name, struct err *e)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", o->tmp, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        ERR(e, E_IO, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        ERR(e, E_IO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    static const size_t bufsz = 1 << 20;
    setvbuf(f, NULL, _IOFBF, bufsz);
    return f;
}

static int close_out(FILE *f, struct outdir *o, const char *name, struct err *e)
{
    int bad = ferror(f);
    if (fflush(f) != 0)
        bad = 1;
    int er = errno;
    if (!bad && fsync(fileno(f)) != 0) {
        bad = 1;
        er = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        er = errno;
    }
    if (bad)
        return ERR(e, E_IO, "cannot write %s/%s: %s", o->tmp, name, strerror(er));
    return E_OK;
}

void csv_put(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

int write_flags(struct outdir *o, const struct eval_result *r, struct err *e)
{
    FILE *f = open_out(o, "flags.csv", e);
    if (!f)
        return e->code;
    fputs("rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence\n", f);
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
        csv_put(f, g->evidence, 1);
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

static int cmp_reject(const void *a, const void *b)
{
    const struct reject *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->reason, y->reason);
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
            qsort(rj, fs->rejects.n, sizeof *rj, cmp_reject);
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

static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

int write_manifest(struct outdir *o, const struct manifest_info *m, struct err *e)
{
    FILE *f = open_out(o, "manifest.json", e);
    if (!f)
        return e->code;
    const struct dataset *d = m->d;
    fputs("{\n  \"tool\": ", f);
    jstr(f, "hedui");
    fputs(",\n  \"tool_version\": ", f);
    jstr(f, m->version);
    fputs(",\n  \"as_of\": ", f);
    jstr(f, m->as_of);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"rules\": {\"dir\": ", m->seed);
    jstr(f, m->rules_dir);
    fputs(", \"version\": ", f);
    jstr(f, m->policy->version);
    fputs(", \"policy_xxh64\": ", f);
    jstr(f, m->policy->hash);
    fputs("},\n  \"inputs\": [\n", f);
    int first = 1;
    for (int i = 0; i < N_INPUT; i++) {
        const struct filestat *fs = &d->files[i];
        fprintf(f, "%s    {\"file\": ", first ? "" : ",\n");
        first = 0;
        jstr(f, fs->name);
        if (!fs->present) {
            fputs(", \"present\": false}", f);
            continue;
        }
        fputs(", \"present\": true, \"path\": ", f);
        jstr(f, fs->path);
        fprintf(f, ", \"from_rules_dir\": %s, \"bytes\": %lld, \"xxh128\": ",
                fs->from_rules ? "true" : "false", fs->bytes);
        jstr(f, fs->checksum);
        fputs(", \"encoding\": ", f);
        jstr(f, fs->encoding ? fs->encoding : "");
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
        jstr(f, m->skipped[i]);
    }
    fputs("],\n  \"counts\": {", f);
    for (int r = 0; r < N_RULES; r++) {
        fprintf(f, "%s\n    ", r ? "," : "");
        jstr(f, rule_names[r]);
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
        jstr(f, h->id);
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
        jstr(f, m->stage_names[i]);
        fprintf(f, ": %.1f", m->stage_ms[i]);
    }
    fputs("}\n}\n", f);
    return close_out(f, o, "manifest.json", e);
}
