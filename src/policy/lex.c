/* lex.c - the rules language's tokens (see ast.h).
 *
 * Owns: what a token is.  Names are ASCII letters, digits and '_'; numbers
 * are exact decimals ("12", "0.5", "7%"); a date is YYYY-MM-DD written
 * without spaces; strings are "..." or '...' and may hold {holes} that hold
 * strings in turn, so a string ends at its own closing quote outside any
 * hole.  `#` starts a comment to the end of the line.  Full-width
 * punctuation from a Chinese input method (，（）：；“”) is named with the
 * ASCII character to type instead.  Never: allocates outside the arena.
 */
#include <stdio.h>
#include <string.h>

#include "policy/ast.h"

static const struct {
    const char *w;
    int k;
} keywords[] = {
    {"and", K_AND}, {"or", K_OR}, {"not", K_NOT}, {"in", K_IN}, {"where", K_WHERE},
    {"if", K_IF}, {"then", K_THEN}, {"else", K_ELSE}, {"exists", K_EXISTS},
    {"any", K_ANY}, {"count", K_COUNT}, {"sum", K_SUM}, {"first", K_FIRST},
    {"distinct", K_DISTINCT}, {"latest", K_LATEST}, {"sorted", K_SORTED}, {"fires", K_FIRES}, {"each", K_EACH}, {"joined", K_JOINED},
    {"rule", K_RULE}, {"param", K_PARAM}, {"define", K_DEFINE}, {"let", K_LET},
    {"when", K_WHEN}, {"evidence", K_EVIDENCE}, {"key", K_KEY}, {"for", K_FOR},
    {"requires", K_REQUIRES}, {"off", K_OFF}, {"override", K_OVERRIDE},
    {"extends", K_EXTENDS}, {"true", K_TRUE}, {"false", K_FALSE},
};

int lex_keyword(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].w) == len && memcmp(keywords[i].w, s, len) == 0)
            return keywords[i].k;
    return T_IDENT;
}

const char *tok_name(int kind)
{
    static const char *const punct[] = {
        "end of file", "a name", "a number", "a date", "a string",
        "'('", "')'", "'{'", "'}'", "'['", "']'", "','", "':'", "';'", "'.'",
        "'+'", "'-'", "'*'", "'/'", "'='", "'!='", "'<'", "'<='", "'>'", "'>='", "'?\?'"};
    if (kind >= 0 && kind < (int)(sizeof punct / sizeof punct[0]))
        return punct[kind];
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (keywords[i].k == kind)
            return keywords[i].w;
    return "?";
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Length of the UTF-8 sequence at s (1 for a bad byte) and its code point. */
static int utf8_at(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || (size_t)len > n) {
        *cp = c;
        return 1;
    }
    unsigned v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return len;
}

/* The ASCII character a full-width one stands for, or 0. */
static int fullwidth_ascii(unsigned cp)
{
    switch (cp) {
    case 0xFF0C: case 0x3001: return ',';
    case 0xFF08: return '(';
    case 0xFF09: return ')';
    case 0xFF1A: return ':';
    case 0xFF1B: return ';';
    case 0x201C: case 0x201D: return '"';
    case 0x2018: case 0x2019: return '\'';
    case 0xFF1D: return '=';
    case 0xFF1E: return '>';
    case 0xFF1C: return '<';
    case 0x3000: return ' ';
    case 0xFF5B: return '{';
    case 0xFF5D: return '}';
    case 0x3002: return '.';
    }
    return 0;
}

/* Scan a string starting at its quote t[i]; returns the offset after its
 * closing quote, or `to` when it is not closed (*bad = 1).  Holes: '{' not
 * doubled opens one, which ends at its matching '}' and may hold strings. */
static uint32_t scan_string(const char *t, uint32_t i, uint32_t to, int *bad)
{
    char q = t[i++];
    while (i < to) {
        char c = t[i];
        if (c == '\n') {
            *bad = 1;
            return i;
        }
        if (c == '\\' && i + 1 < to && t[i + 1] != '\n') {
            i += 2;
            continue;
        }
        if (c == q)
            return i + 1;
        if (c == '{' && i + 1 < to && t[i + 1] == '{') {
            i += 2;
            continue;
        }
        if (c == '{') {
            int depth = 1;
            i++;
            while (i < to && depth > 0) {
                char h = t[i];
                if (h == '\n') {
                    *bad = 1;
                    return i;
                }
                if (h == '"' || h == '\'') {
                    i = scan_string(t, i, to, bad);
                    if (*bad)
                        return i;
                    continue;
                }
                if (h == '{')
                    depth++;
                else if (h == '}')
                    depth--;
                i++;
            }
            continue;
        }
        i++;
    }
    *bad = 1;
    return i;
}

/* The tokens of text [from, to) of file f, starting on line `line`.
 * Long because it is the lexer's one loop: one case per character class
 * (names, numbers, dates, strings with their {} holes, operators), each a
 * few lines, in the order a reader of the language's grammar expects. */
struct token *lex_range(struct lang *L, int f, uint32_t from, uint32_t to, uint32_t line,
                        int *ntok)
{
    const char *t = L->files[f].text;
    struct token *v = NULL;
    int n = 0;
    uint32_t i = from;
    for (;;) {
        /* white space and comments */
        while (i < to) {
            char c = t[i];
            if (c == '\n') {
                line++;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '#') {
                while (i < to && t[i] != '\n')
                    i++;
            } else {
                break;
            }
        }
        v = lang_grow(L, v, n, sizeof *v);
        if (!v) {
            *ntok = 0;
            return NULL;
        }
        struct token *k = &v[n];
        k->off = i;
        k->line = line;
        k->len = 0;
        if (i >= to) {
            k->kind = T_EOF;
            n++;
            break;
        }
        struct pos p = {(uint16_t)f, i, line, i, i + 1};
        unsigned char c = (unsigned char)t[i];
        uint32_t s = i;
        if (is_alpha(c)) {
            while (i < to && (is_alpha((unsigned char)t[i]) || is_digit((unsigned char)t[i])))
                i++;
            k->kind = (uint8_t)lex_keyword(t + s, i - s);
        } else if (is_digit(c)) {
            /* a date: 4 digits, '-', 2 digits, '-', 2 digits, then no digit */
            if (to - i >= 10 && is_digit(t[i + 1]) && is_digit(t[i + 2]) && is_digit(t[i + 3]) &&
                t[i + 4] == '-' && is_digit(t[i + 5]) && is_digit(t[i + 6]) && t[i + 7] == '-' &&
                is_digit(t[i + 8]) && is_digit(t[i + 9]) && (to - i == 10 || !is_digit(t[i + 10]))) {
                i += 10;
                k->kind = T_DATE;
            } else {
                while (i < to && is_digit((unsigned char)t[i]))
                    i++;
                if (i + 1 < to && t[i] == '.' && is_digit((unsigned char)t[i + 1])) {
                    i++;
                    while (i < to && is_digit((unsigned char)t[i]))
                        i++;
                }
                if (i < to && t[i] == '%')
                    i++;
                k->kind = T_NUMBER;
                if (i < to && is_alpha((unsigned char)t[i]))
                    lang_error(L, p, i - s + 1, "a number runs into a name here; put a space "
                                                "or an operator between them");
            }
        } else if (c == '"' || c == '\'') {
            int bad = 0;
            i = scan_string(t, i, to, &bad);
            k->kind = T_STRING;
            if (bad) {
                lang_error(L, p, 1, "this string is not closed on its line");
                lang_hint(L, "end it with %c (a { inside a string opens a hole: write {{ for "
                             "a brace)", c);
            }
        } else {
            i++;
            switch (c) {
            case '(': k->kind = T_LPAREN; break;
            case ')': k->kind = T_RPAREN; break;
            case '{': k->kind = T_LBRACE; break;
            case '}': k->kind = T_RBRACE; break;
            case '[': k->kind = T_LBRACK; break;
            case ']': k->kind = T_RBRACK; break;
            case ',': k->kind = T_COMMA; break;
            case ':': k->kind = T_COLON; break;
            case ';': k->kind = T_SEMI; break;
            case '.': k->kind = T_DOT; break;
            case '+': k->kind = T_PLUS; break;
            case '-': k->kind = T_MINUS; break;
            case '*': k->kind = T_STAR; break;
            case '/': k->kind = T_SLASH; break;
            case '=':
                k->kind = T_EQ;
                if (i < to && t[i] == '=') {
                    i++;
                    lang_error(L, p, 2, "'==' is written '=' here");
                }
                break;
            case '!':
                if (i < to && t[i] == '=') {
                    i++;
                    k->kind = T_NE;
                } else {
                    lang_error(L, p, 1, "unexpected '!'");
                    lang_hint(L, "write 'not' for negation and '!=' for 'differs from'");
                    continue;
                }
                break;
            case '<':
                k->kind = T_LT;
                if (i < to && t[i] == '=')
                    i++, k->kind = T_LE;
                else if (i < to && t[i] == '>')
                    i++, k->kind = T_NE;
                break;
            case '>':
                k->kind = T_GT;
                if (i < to && t[i] == '=')
                    i++, k->kind = T_GE;
                break;
            case '?':
                if (i < to && t[i] == '?') {
                    i++;
                    k->kind = T_QQ;
                    break;
                }
                /* fall through */
            default: {
                unsigned cp;
                int len = utf8_at((const unsigned char *)t + s, to - s, &cp);
                i = s + (uint32_t)len;
                int ascii = fullwidth_ascii(cp);
                if (ascii) {
                    lang_error(L, p, (uint32_t)len, "full-width '%.*s' is not part of the language",
                               len, t + s);
                    lang_hint(L, "type the ASCII '%c' instead (switch the input method to "
                                 "English)", ascii);
                } else if (cp >= 0x80) {
                    lang_error(L, p, (uint32_t)len, "unexpected character '%.*s'", len, t + s);
                    lang_hint(L, "names are ASCII letters, digits and _; Chinese text goes in "
                                 "quotes or after #");
                } else {
                    lang_error(L, p, 1, "unexpected character '%c'", c >= 32 && c < 127 ? c : '?');
                }
                continue;
            }
            }
        }
        k->len = i - s;
        n++;
    }
    *ntok = n;
    return v;
}
