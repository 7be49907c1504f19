/* page.h - GET / of `hedui serve`: the caseworker's page, in Chinese.
 *
 * One self-contained page (no external resource: no font, image, script
 * or style from anywhere else) where a caseworker enters an applying
 * household (its fields, and the members' ID numbers, names, relations,
 * declared incomes, work abilities and disability grades; a block copied
 * from a spreadsheet can be pasted and is split into member rows), sends
 * it to POST /v1/check on the same origin, and reads the verdict (无发现 /
 * 需复核 / 疑似不符合条件), why it needs review, and each finding's Chinese
 * rule name and evidence.  Nothing is stored in the browser.
 *
 * The page is served with a Content-Security-Policy that allows its one
 * inline script and its one inline style by their SHA-256 (computed here
 * when the page is built), fetches to the same origin only, and nothing
 * else (no frames, forms posting elsewhere, images or base URL).
 *
 * Owns: the page's markup, style and script, and its CSP.  Never: holds
 * data of a household (the answer is rendered by the page's script with
 * textContent, never as markup).
 */
#ifndef ENGINE_SERVE_PAGE_H
#define ENGINE_SERVE_PAGE_H

#include <stddef.h>

#include "base/err.h"

struct serve_page {
    char *html;                /* malloc'd */
    size_t len;
    char csp[600];             /* the Content-Security-Policy header's value */
};

/* Assemble the page and its CSP.  E_OK, E_NOMEM or E_INTERNAL (hashing). */
int page_build(struct serve_page *p, struct err *e);
void page_free(struct serve_page *p);

#endif
