/* lists.c - the lists of a run and the manifest, as CSV and JSON.
 *
 * Owns: output formats (UTF-8, no BOM, LF, header row, RFC 4180 quoting
 * only where needed) and the order of the manifest's fields.  Must never
 * reorder or filter rows (they arrive sorted); where the bytes go is the
 * caller's (a FILE *) or outdir.c's (write_*).
 */
#include "out/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "out/nostd.h"

void lists_flag_header(FILE *f, const char *extra_header)
{
    fprintf(f, "rule_id,kind,severity,household_id,hukou_no,id_no,region_code,evidence%s\n",
            extra_header ? extra_header : "");
}

void lists_flag_row(FILE *f, const struct flag *g, int last)
{
    /* severity comes from the policy at evaluation time; stored per flag */
    csv_put(f, rule_names[g->rule], 0);
    csv_put(f, kind_names[rule_kinds[g->rule]], 0);
    csv_put(f, severity_names[g->severity], 0);
    csv_put(f, g->household_id, 0);
    csv_put(f, g->hukou_no, 0);
    csv_put(f, g->id_no, 0);
    csv_put(f, g->region, 0);
    csv_put(f, g->evidence, last);
}

void lists_flags(FILE *f, const struct eval_result *r, const char *extra_header,
                 void (*extra)(FILE *f, size_t i, void *ctx), void *ctx)
{
    lists_flag_header(f, extra ? extra_header : NULL);
    for (size_t i = 0; i < r->n_flags; i++) {
        lists_flag_row(f, &r->flags[i], extra == NULL);
        if (extra)
            extra(f, i, ctx);
    }
}

void lists_queue(FILE *f, const struct ranked *r)
{
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
}

void lists_spot(FILE *f, const struct ranked *r)
{
    fputs("township_code,program,household_id,reason\n", f);
    for (size_t i = 0; i < r->n_spot; i++) {
        const struct spot_row *s = &r->spot[i];
        csv_put(f, s->township, 0);
        csv_put(f, program_names[s->program], 0);
        csv_put(f, s->household_id, 0);
        csv_put(f, s->reason, 1);
    }
}

static int cmp_file_idx(const void *a, const void *b)
{
    return strcmp(input_file_names[*(const int *)a], input_file_names[*(const int *)b]);
}

void lists_rejects(FILE *f, const struct dataset *d)
{
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
}

/* ---------- manifest (JSON) ---------- */


void lists_manifest(FILE *f, const struct run_summary *m, const struct feed_drop *drops,
                    int n_drops)
{
    const struct dataset *d = m->d;
    char as_of[11];
    date_format(m->as_of, as_of);
    fputs("{\n  \"tool\": ", f);
    json_put_str(f, "hedui");
    fputs(",\n  \"tool_version\": ", f);
    json_put_str(f, m->version);
    fputs(",\n  \"as_of\": ", f);
    json_put_str(f, as_of);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"rules\": {\"dir\": ", m->seed);
    json_put_str(f, m->rules_dir);
    fputs(", \"version\": ", f);
    json_put_str(f, m->policy->version);
    fputs(", \"policy_xxh64\": ", f);
    json_put_str(f, m->policy->hash);
    if (m->er->by.policy_hash[0]) {   /* the rules language's policy that judged */
        fputs(", \"pack\": ", f);
        json_put_str(f, m->er->by.policy_name);
        fputs(", \"policy_hash\": ", f);
        json_put_str(f, m->er->by.policy_hash);
    }
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
    fputs("],\n  \"accepted_drops\": [", f);
    for (int i = 0; i < n_drops; i++) {
        const struct feed_drop *dr = &drops[i];
        fprintf(f, "%s{\"file\": ", i ? ", " : "");
        json_put_str(f, input_file_names[dr->file]);
        fprintf(f, ", \"data_rows\": %lld, \"previous_data_rows\": %lld}", dr->data_rows,
                dr->prev_rows);
    }
    fputs("],\n  \"counts\": {", f);
    for (int r = 0; r < n_rules; r++) {
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
    fputs("], \"by_region\": [", f);
    for (size_t i = 0; i < m->n_no_std_regions; i++) {
        const struct nostd_region *g = &m->no_std_regions[i];
        fputs(i ? ", {\"region_code\": " : "{\"region_code\": ", f);
        json_put_str(f, g->region);
        fputs(", \"area_type\": ", f);
        json_put_str(f, g->area);
        fprintf(f, ", \"households\": %lld, \"candidates\": %lld}", g->households,
                g->candidates);
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
}

/* ---------- into an output directory ---------- */

int write_flags(struct outdir *o, const struct eval_result *r, struct err *e)
{
    FILE *f = out_open(o, output_file_names[OF_FLAGS], e);
    if (!f)
        return e->code;
    lists_flags(f, r, NULL, NULL, NULL);
    return out_close(f, o, output_file_names[OF_FLAGS], e);
}

int write_flags_ext(struct outdir *o, const struct eval_result *r, const char *extra_header,
                    void (*extra)(FILE *f, size_t i, void *ctx), void *ctx, struct err *e)
{
    FILE *f = out_open(o, output_file_names[OF_FLAGS], e);
    if (!f)
        return e->code;
    lists_flags(f, r, extra_header, extra, ctx);
    return out_close(f, o, output_file_names[OF_FLAGS], e);
}

int write_queue(struct outdir *o, const struct ranked *r, struct err *e)
{
    FILE *f = out_open(o, output_file_names[OF_QUEUE], e);
    if (!f)
        return e->code;
    lists_queue(f, r);
    return out_close(f, o, output_file_names[OF_QUEUE], e);
}

int write_spot(struct outdir *o, const struct ranked *r, struct err *e)
{
    FILE *f = out_open(o, output_file_names[OF_SPOT], e);
    if (!f)
        return e->code;
    lists_spot(f, r);
    return out_close(f, o, output_file_names[OF_SPOT], e);
}

int write_rejects(struct outdir *o, const struct dataset *d, struct err *e)
{
    FILE *f = out_open(o, output_file_names[OF_REJECTS], e);
    if (!f)
        return e->code;
    lists_rejects(f, d);
    return out_close(f, o, output_file_names[OF_REJECTS], e);
}

int write_rejects_as(struct outdir *o, const char *name, const struct dataset *d,
                     struct err *e)
{
    FILE *f = out_open(o, name, e);
    if (!f)
        return e->code;
    lists_rejects(f, d);
    return out_close(f, o, name, e);
}

int write_manifest(struct outdir *o, const struct run_summary *s, const struct feed_drop *drops,
                   int n_drops, char **text, struct err *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return ERR(e, E_NOMEM, "out of memory while writing manifest.json");
    lists_manifest(m, s, drops, n_drops);
    if (fclose(m) != 0 || !buf) {
        free(buf);
        return ERR(e, E_NOMEM, "out of memory while writing manifest.json");
    }
    FILE *f = out_open(o, output_file_names[OF_MANIFEST], e);
    if (!f) {
        free(buf);
        return e->code;
    }
    fwrite(buf, 1, len, f);   /* a short write shows in out_close's check */
    int st = out_close(f, o, output_file_names[OF_MANIFEST], e);
    if (st == E_OK && text)
        *text = buf;
    else
        free(buf);
    return st;
}
