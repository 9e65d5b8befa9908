/*
 * Python re (3.11, what textfsm uses) to PCRE2.  Templates are written for
 * Python, and PCRE2 reads some of the same text differently, so this is a
 * real parser of Python's syntax that writes an equivalent PCRE2 pattern,
 * and rejects what Python rejects or what PCRE2 cannot mean the same way
 * (shared/DEPENDENCIES.md B2):
 *  - (?P<name>) becomes a plain group: PCRE2 limits names to 32 bytes
 *    (textfsm allows 48), so names are kept in a table instead;
 *  - \Z becomes \z, {,n} becomes {0,n}, \v is only VT, \uXXXX and
 *    \UXXXXXXXX become \x{...}, \s also takes \x1c-\x1f as Python's does;
 *  - a [ inside a class is a literal (PCRE2 would read [:digit:]);
 *  - PCRE-only syntax (\z \h \G \Q \p \k \g \x{..} (?<n>) (?R) ...) is
 *    rejected, as are variable-width lookbehinds, global flags anywhere but
 *    the start (3.11), group references to groups not yet defined.
 * Every literal inside a class is written as \x{...}, so no class syntax
 * of PCRE2 can leak in.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfsm_int.h"
#include "xmem.h"

#define RX_DEPTH_MAX	200	/* PCRE2's parens limit is 250 */
#define RX_REPEAT_MAX	65535	/* PCRE2's largest {m,n} */
#define W_INF		SIZE_MAX

struct rx_w {			/* match width, W_INF: unbounded */
	size_t	lo, hi;
};

struct rx_p {
	const char	*s;
	size_t		 n, i;
	struct tfsm_buf	 out;
	uint32_t	 ngroups;
	char		**names;
	struct rx_w	*gw;	/* width of each closed group */
	unsigned char	*gopen;
	size_t		 gcap;
	int		 verbose, ascii, depth, lookbehind;
	int		 content;	/* something before: no global flags */
	uint32_t	 maxcond;	/* highest (?(N)...) */
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static int
fail(struct rx_p *p, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	if (p->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s at position %zu", msg, p->i);
	p->failed = 1;
	return -1;
}

static size_t
wadd(size_t a, size_t b)
{
	return a == W_INF || b == W_INF || a > W_INF - b ? W_INF : a + b;
}

static size_t
wmul(size_t a, size_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a == W_INF || b == W_INF || a > W_INF / b ? W_INF : a * b;
}

static int
peek(const struct rx_p *p, size_t k)
{
	return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1;
}

/* Decode one code point (the input is valid UTF-8: checked by callers). */
static uint32_t
getcp(struct rx_p *p)
{
	const unsigned char *u = (const unsigned char *)p->s + p->i;
	size_t l = 1, k;
	uint32_t cp = u[0];

	if (cp >= 0xf0)
		l = 4, cp &= 0x07;
	else if (cp >= 0xe0)
		l = 3, cp &= 0x0f;
	else if (cp >= 0xc0)
		l = 2, cp &= 0x1f;
	if (p->i + l > p->n)
		l = p->n - p->i;
	for (k = 1; k < l; k++)
		cp = cp << 6 | (u[k] & 0x3f);
	p->i += l;
	return cp;
}

/* Python's verbose mode: whitespace and # comments between tokens. */
static void
skip_ignorable(struct rx_p *p)
{
	for (;;) {
		if (p->verbose && p->i < p->n && strchr(" \t\n\r\v\f",
		    p->s[p->i]) != NULL && p->s[p->i] != '\0') {
			p->i++;
		} else if (p->verbose && peek(p, 0) == '#') {
			while (p->i < p->n && p->s[p->i] != '\n')
				p->i++;
		} else if (peek(p, 0) == '(' && peek(p, 1) == '?' &&
		    peek(p, 2) == '#') {
			while (p->i < p->n && p->s[p->i] != ')')
				p->i++;
			if (p->i >= p->n) {
				fail(p, "missing ), unterminated comment");
				return;
			}
			p->i++;
		} else
			return;
	}
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly n hex digits (Python's \x, \u, \U). */
static int
hexn(struct rx_p *p, int n, uint32_t *cp)
{
	int k, h;

	*cp = 0;
	for (k = 0; k < n; k++) {
		if ((h = hexval(peek(p, 0))) < 0)
			return fail(p, "incomplete escape");
		*cp = *cp << 4 | (uint32_t)h;
		p->i++;
	}
	if (*cp > 0x10ffff)
		return fail(p, "bad escape (code point out of range)");
	if (*cp >= 0xd800 && *cp <= 0xdfff)
		return fail(p, "surrogate code point cannot match UTF-8 text");
	return 0;
}

static int
isoct(int c)
{
	return c >= '0' && c <= '7';
}

/* The escapes that mean one code point both inside and outside a class;
 * 1 with *cp set, 0 if s[i] is not one of them, -1 on error.  i is past
 * the backslash. */
static int
escape_cp(struct rx_p *p, int inclass, uint32_t *cp)
{
	int c = peek(p, 0);
	const char *simple = "a\007f\014n\nr\rt\tv\013\\\\";
	const char *q;

	if (c < 0)
		return fail(p, "bad escape (end of pattern)");
	if (inclass && c == 'b') {
		p->i++;
		*cp = 8;
		return 1;
	}
	for (q = simple; *q != '\0'; q += 2)
		if (c == q[0]) {
			p->i++;
			*cp = (unsigned char)q[1];
			return 1;
		}
	p->i++;
	switch (c) {
	case 'x':
		return hexn(p, 2, cp) == 0 ? 1 : -1;
	case 'u':
		return hexn(p, 4, cp) == 0 ? 1 : -1;
	case 'U':
		return hexn(p, 8, cp) == 0 ? 1 : -1;
	case 'N':
		return fail(p, "\\N{...} named characters are not supported");
	}
	p->i--;
	return 0;
}

/* Octal escape of up to three digits starting at s[i]. */
static int
octal(struct rx_p *p, int max, uint32_t *cp)
{
	int k;

	*cp = 0;
	for (k = 0; k < max && isoct(peek(p, 0)); k++)
		*cp = *cp * 8 + (uint32_t)(p->s[p->i++] - '0');
	if (*cp > 0377)
		return fail(p, "octal escape value outside of range 0-0o377");
	return 0;
}

static void
emit_cp(struct rx_p *p, uint32_t cp)
{
	tfsm_buf_printf(&p->out, "\\x{%x}", cp);
}

/* One member of a class: a code point, or a category written to cat. */
static int
class_item(struct rx_p *p, int *iscat, uint32_t *cp, const char **cat)
{
	int c, r;

	*iscat = 0;
	if (peek(p, 0) != '\\') {
		*cp = getcp(p);
		return 0;
	}
	p->i++;
	if ((r = escape_cp(p, 1, cp)) != 0)
		return r < 0 ? -1 : 0;
	c = peek(p, 0);
	*iscat = 1;
	switch (c) {
	case 'd': *cat = "\\d"; break;
	case 'D': *cat = "\\D"; break;
	case 'w': *cat = "\\w"; break;
	case 'W': *cat = "\\W"; break;
	/* Python's \s has \x1c-\x1f, PCRE2's has not (ASCII mode: neither). */
	case 's': *cat = p->ascii ? "\\s" : "\\s\\x{1c}-\\x{1f}"; break;
	case 'S': *cat = "\\S"; break;
	default:
		*iscat = 0;
		if (isoct(c))
			return octal(p, 3, cp);
		if ((c >= '0' && c <= '9') || (c < 0x80 && ((c | 0x20) >= 'a'
		    && (c | 0x20) <= 'z')))
			return fail(p, "bad escape \\%c", c);
		*cp = getcp(p);
		return 0;
	}
	p->i++;
	return 0;
}

static void
emit_item(struct rx_p *p, int iscat, uint32_t cp, const char *cat)
{
	if (iscat)
		tfsm_buf_adds(&p->out, cat);
	else
		emit_cp(p, cp);
}

/* [...]: Python reads a [ inside as a literal, ranges only between code
 * points, a ] first in the set as a literal. */
static int
parse_class(struct rx_p *p)
{
	const char *cat1 = NULL, *cat2 = NULL;
	uint32_t cp1, cp2;
	int first = 1, c1, c2;

	p->i++;
	tfsm_buf_addc(&p->out, '[');
	if (peek(p, 0) == '^') {
		p->i++;
		tfsm_buf_addc(&p->out, '^');
	}
	for (;;) {
		if (p->i >= p->n)
			return fail(p, "unterminated character set");
		if (peek(p, 0) == ']' && !first) {
			p->i++;
			break;
		}
		first = 0;
		if (class_item(p, &c1, &cp1, &cat1) != 0)
			return -1;
		if (peek(p, 0) != '-') {
			emit_item(p, c1, cp1, cat1);
			continue;
		}
		if (p->i + 1 >= p->n)
			return fail(p, "unterminated character set");
		if (peek(p, 1) == ']') {
			emit_item(p, c1, cp1, cat1);
			emit_cp(p, '-');
			p->i += 2;
			break;
		}
		p->i++;
		if (class_item(p, &c2, &cp2, &cat2) != 0)
			return -1;
		if (c1 || c2 || cp2 < cp1)
			return fail(p, "bad character range");
		emit_cp(p, cp1);
		tfsm_buf_addc(&p->out, '-');
		emit_cp(p, cp2);
	}
	tfsm_buf_addc(&p->out, ']');
	return 0;
}

static int
check_groupref(struct rx_p *p, uint32_t g)
{
	if (g == 0 || g > p->ngroups)
		return fail(p, "invalid group reference %u", g);
	if (p->gopen[g])
		return fail(p, "cannot refer to an open group");
	if (p->lookbehind != 0 && g >= (uint32_t)p->lookbehind)
		return fail(p, "cannot refer to group defined in the same "
		    "lookbehind subpattern");
	return 0;
}

/* A backslash outside a class.  *rep: whether a quantifier may follow. */
static int
parse_escape(struct rx_p *p, struct rx_w *w, int *rep)
{
	uint32_t cp, g;
	int c, r;

	p->i++;
	w->lo = w->hi = 1;
	if ((r = escape_cp(p, 0, &cp)) != 0) {
		if (r > 0)
			emit_cp(p, cp);
		return r < 0 ? -1 : 0;
	}
	c = peek(p, 0);
	if (c == 'A' || c == 'Z' || c == 'b' || c == 'B') {
		p->i++;
		tfsm_buf_printf(&p->out, "\\%c", c == 'Z' ? 'z' : c);
		w->lo = w->hi = 0;
		*rep = 0;
		return 0;
	}
	if (c == 'd' || c == 'D' || c == 'w' || c == 'W' || c == 's' ||
	    c == 'S') {
		p->i++;
		if ((c == 's' || c == 'S') && !p->ascii)
			tfsm_buf_adds(&p->out, c == 's' ? "[\\s\\x{1c}-\\x{1f}]" :
			    "[^\\s\\x{1c}-\\x{1f}]");
		else
			tfsm_buf_printf(&p->out, "\\%c", c);
		return 0;
	}
	if (c == '0') {
		p->i++;
		if (octal(p, 2, &cp) != 0)
			return -1;
		emit_cp(p, cp);
		return 0;
	}
	if (c >= '1' && c <= '9') {
		p->i++;
		g = (uint32_t)(c - '0');
		if (peek(p, 0) >= '0' && peek(p, 0) <= '9') {
			if (isoct(c) && isoct(peek(p, 0)) && isoct(peek(p, 1))) {
				p->i--;
				if (octal(p, 3, &cp) != 0)
					return -1;
				emit_cp(p, cp);
				return 0;
			}
			g = g * 10 + (uint32_t)(p->s[p->i++] - '0');
		}
		if (check_groupref(p, g) != 0)
			return -1;
		tfsm_buf_printf(&p->out, "\\g{%u}", g);
		*w = p->gw[g];
		return 0;
	}
	if (c < 0x80 && (c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return fail(p, "bad escape \\%c", c);
	emit_cp(p, getcp(p));
	return 0;
}

/* A quantifier as Python sees one at s[i]: 1 with its bounds and length,
 * 0 if none ("{" not followed by a valid repeat is a literal). */
static int
quant_at(const struct rx_p *p, size_t *len, size_t *mn, size_t *mx)
{
	size_t j = p->i + 1, lo = 0, hi = W_INF;
	int c = peek(p, 0), nlo = 0, nhi = 0, comma = 0;

	*len = 1;
	if (c == '*' || c == '+' || c == '?') {
		*mn = c == '+' ? 1 : 0;
		*mx = c == '?' ? 1 : W_INF;
		return 1;
	}
	if (c != '{' || j >= p->n || p->s[j] == '}')
		return 0;
	for (; j < p->n && p->s[j] >= '0' && p->s[j] <= '9'; j++, nlo++)
		lo = lo > RX_REPEAT_MAX ? lo : lo * 10 + (size_t)(p->s[j] - '0');
	if (j < p->n && p->s[j] == ',') {
		comma = 1;
		hi = 0;
		for (j++; j < p->n && p->s[j] >= '0' && p->s[j] <= '9';
		    j++, nhi++)
			hi = hi > RX_REPEAT_MAX ? hi : hi * 10 +
			    (size_t)(p->s[j] - '0');
	}
	if (j >= p->n || p->s[j] != '}')
		return 0;
	if (!comma)
		hi = lo;
	else if (nhi == 0)
		hi = W_INF;
	*mn = nlo ? lo : 0;
	*mx = hi;
	*len = j + 1 - p->i;
	return 1;
}

static int
parse_quant(struct rx_p *p, struct rx_w *w, int rep)
{
	size_t len, mn, mx;

	skip_ignorable(p);
	if (!quant_at(p, &len, &mn, &mx))
		return 0;
	if (!rep)
		return fail(p, "nothing to repeat");
	if (mx != W_INF && mn > mx)
		return fail(p, "min repeat greater than max repeat");
	if (mn > RX_REPEAT_MAX || (mx != W_INF && mx > RX_REPEAT_MAX))
		return fail(p, "the repetition number is too large");
	p->i += len;
	if (mn == 0 && mx == W_INF)
		tfsm_buf_addc(&p->out, '*');
	else if (mn == 1 && mx == W_INF)
		tfsm_buf_addc(&p->out, '+');
	else if (mn == 0 && mx == 1)
		tfsm_buf_addc(&p->out, '?');
	else if (mx == W_INF)
		tfsm_buf_printf(&p->out, "{%zu,}", mn);
	else
		tfsm_buf_printf(&p->out, "{%zu,%zu}", mn, mx);
	if (peek(p, 0) == '?' || peek(p, 0) == '+')
		tfsm_buf_addc(&p->out, p->s[p->i++]);
	w->lo = wmul(w->lo, mn);
	w->hi = wmul(w->hi, mx);
	skip_ignorable(p);
	if (quant_at(p, &len, &mn, &mx))
		return fail(p, "multiple repeat");
	return 0;
}

static int	parse_alt(struct rx_p *, struct rx_w *);
static int	parse_seq(struct rx_p *, struct rx_w *);

/* The rest of a group after its opening: the pattern and the ")". */
static int
body(struct rx_p *p, struct rx_w *w)
{
	if (++p->depth > RX_DEPTH_MAX)
		return fail(p, "too deeply nested");
	if (parse_alt(p, w) != 0)
		return -1;
	if (peek(p, 0) != ')')
		return fail(p, "missing ), unterminated subpattern");
	p->i++;
	p->depth--;
	tfsm_buf_addc(&p->out, ')');
	return 0;
}

static int
isident(const char *s, size_t n)
{
	size_t k;
	unsigned char c;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (k = 0; k < n; k++) {
		c = (unsigned char)s[k];
		/* Non-ASCII: Python allows most letters; trust them. */
		if (!(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
		    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return 0;
	}
	return 1;
}

static uint32_t
group_byname(const struct rx_p *p, const char *s, size_t n)
{
	uint32_t g;

	for (g = 1; g <= p->ngroups; g++)
		if (p->names[g] != NULL && strlen(p->names[g]) == n &&
		    memcmp(p->names[g], s, n) == 0)
			return g;
	return 0;
}

/* A name up to the terminator t; its start in *s, length in *n. */
static int
read_name(struct rx_p *p, char t, const char **s, size_t *n)
{
	const char *e = memchr(p->s + p->i, t, p->n - p->i);

	if (e == NULL)
		return fail(p, "missing %c, unterminated name", t);
	*s = p->s + p->i;
	*n = (size_t)(e - *s);
	p->i += *n + 1;
	if (*n == 0)
		return fail(p, "missing group name");
	return 0;
}

static int
capture(struct rx_p *p, const char *name, size_t nlen, struct rx_w *w)
{
	uint32_t g;

	if (name != NULL && !isident(name, nlen))
		return fail(p, "bad character in group name '%.*s'",
		    (int)nlen, name);
	if (name != NULL && group_byname(p, name, nlen) != 0)
		return fail(p, "redefinition of group name '%.*s'", (int)nlen,
		    name);
	g = ++p->ngroups;
	if (g >= p->gcap) {
		p->gcap = p->gcap * 2 + 8;
		p->names = xreallocarray(p->names, p->gcap, sizeof(*p->names));
		p->gw = xreallocarray(p->gw, p->gcap, sizeof(*p->gw));
		p->gopen = xreallocarray(p->gopen, p->gcap, 1);
	}
	p->names[g] = name != NULL ? strndup(name, nlen) : NULL;
	if (name != NULL && p->names[g] == NULL)
		abort();
	p->gopen[g] = 1;
	tfsm_buf_addc(&p->out, '(');
	if (body(p, w) != 0)
		return -1;
	p->gopen[g] = 0;
	p->gw[g] = *w;
	return 0;
}

/* (?(name or number)yes|no) */
static int
conditional(struct rx_p *p, struct rx_w *w)
{
	const char *s;
	size_t n, k;
	uint32_t g = 0;
	struct rx_w no = { 0, 0 };

	if (read_name(p, ')', &s, &n) != 0)
		return -1;
	if (isident(s, n)) {
		if ((g = group_byname(p, s, n)) == 0)
			return fail(p, "unknown group name '%.*s'", (int)n, s);
	} else {
		for (k = 0; k < n; k++) {
			if (s[k] < '0' || s[k] > '9')
				return fail(p, "bad character in group name");
			g = g > 65535 ? g : g * 10 + (uint32_t)(s[k] - '0');
		}
		if (g == 0)
			return fail(p, "bad group number");
		if (g > 65535)
			return fail(p, "invalid group reference %u", g);
	}
	if (g > (uint32_t)p->lookbehind && p->lookbehind != 0)
		return fail(p, "cannot refer to group defined in the same "
		    "lookbehind subpattern");
	tfsm_buf_printf(&p->out, "(?(%u)", g);
	if (++p->depth > RX_DEPTH_MAX)
		return fail(p, "too deeply nested");
	if (parse_seq(p, w) != 0)
		return -1;
	if (peek(p, 0) == '|') {
		p->i++;
		tfsm_buf_addc(&p->out, '|');
		if (parse_seq(p, &no) != 0)
			return -1;
		if (peek(p, 0) == '|')
			return fail(p, "conditional backref with more than two "
			    "branches");
	}
	p->depth--;
	if (peek(p, 0) != ')')
		return fail(p, "missing ), unterminated subpattern");
	p->i++;
	tfsm_buf_addc(&p->out, ')');
	w->lo = w->lo < no.lo ? w->lo : no.lo;
	w->hi = w->hi > no.hi ? w->hi : no.hi;
	/* Python accepts a forward reference; the end checks it exists. */
	if (g > p->maxcond)
		p->maxcond = g;
	return 0;
}

/* (?aiLmsux-imsx) and (?...:...).  Python 3.11 takes global flags only at
 * the very start; textfsm rules start with ^, so in practice only the
 * scoped form is usable. */
static int
flags(struct rx_p *p, struct rx_w *w, int *rep)
{
	char on[8] = "", off[8] = "";
	size_t non = 0, noff = 0;
	int c, neg = 0, verbose = p->verbose, x_on = 0, x_off = 0, a = 0;
	int u = 0, r;

	while ((c = peek(p, 0)) >= 0 && (strchr("aiLmsux", c) != NULL ||
	    (c == '-' && !neg)) && c != '\0') {
		p->i++;
		if (c == '-') {
			neg = 1;
			continue;
		}
		if (c == 'L')
			return fail(p, "bad inline flag: cannot use 'L' flag "
			    "with a str pattern");
		if (neg && (c == 'a' || c == 'u'))
			return fail(p, "bad inline flag: cannot turn off flags "
			    "'a', 'u' and 'L'");
		if (c == 'x')
			*(neg ? &x_off : &x_on) = 1;
		else if (c == 'a')
			a = 1;
		else if (c == 'u')
			u = 1;
		else if (strchr(neg ? off : on, c) == NULL) {
			if (neg && strchr(on, c) != NULL)
				return fail(p, "bad inline flag: flag turned "
				    "on and off");
			(neg ? off : on)[neg ? noff++ : non++] = (char)c;
		}
	}
	if (a && u)
		return fail(p, "bad inline flag: flags 'a', 'u' and 'L' are "
		    "incompatible");
	if (x_on && x_off)
		return fail(p, "bad inline flag: flag turned on and off");
	if (peek(p, 0) == ')') {
		p->i++;
		if (neg)
			return fail(p, "missing :");
		if (p->content || p->depth > 0)
			return fail(p, "global flags not at the start of the "
			    "expression");
		if (non > 0)
			tfsm_buf_printf(&p->out, "(?%s)", on);
		p->verbose |= x_on;
		p->ascii |= a;
		*rep = 0;
		w->lo = w->hi = 0;
		return 0;
	}
	if (peek(p, 0) != ':')
		return fail(p, "missing -, : or )");
	p->i++;
	if (a)
		return fail(p, "scoped (?a:...) is not supported");
	if (non == 0 && noff == 0 && !x_on && !x_off && !u)
		return fail(p, "missing flag");
	tfsm_buf_printf(&p->out, "(?%s%s%s:", on, noff ? "-" : "", off);
	p->verbose = x_on ? 1 : x_off ? 0 : p->verbose;
	r = body(p, w);
	p->verbose = verbose;
	return r;
}

static int
parse_group(struct rx_p *p, struct rx_w *w, int *rep)
{
	const char *s;
	size_t n;
	uint32_t g;
	int c, lb, r;

	p->i++;
	if (peek(p, 0) != '?')
		return capture(p, NULL, 0, w);
	p->i++;
	c = peek(p, 0);
	if (c == 'P') {
		p->i++;
		c = peek(p, 0);
		p->i++;
		if (c == '<') {
			if (read_name(p, '>', &s, &n) != 0)
				return -1;
			return capture(p, s, n, w);
		}
		if (c != '=')
			return fail(p, "unknown extension ?P%c", c);
		if (read_name(p, ')', &s, &n) != 0)
			return -1;
		if (!isident(s, n))
			return fail(p, "bad character in group name");
		if ((g = group_byname(p, s, n)) == 0)
			return fail(p, "unknown group name '%.*s'", (int)n, s);
		if (check_groupref(p, g) != 0)
			return -1;
		tfsm_buf_printf(&p->out, "\\g{%u}", g);
		*w = p->gw[g];
		return 0;
	}
	if (c == ':' || c == '=' || c == '!' || c == '>') {
		p->i++;
		tfsm_buf_printf(&p->out, "(?%c", c);
		r = body(p, w);
		if (c == '=' || c == '!')
			w->lo = w->hi = 0;
		return r;
	}
	if (c == '<') {
		p->i++;
		c = peek(p, 0);
		if (c != '=' && c != '!')
			return fail(p, "unknown extension ?<%c", c);
		p->i++;
		tfsm_buf_printf(&p->out, "(?<%c", c);
		lb = p->lookbehind;
		p->lookbehind = (int)p->ngroups + 1;
		r = body(p, w);
		p->lookbehind = lb;
		if (r == 0 && w->lo != w->hi)
			return fail(p, "look-behind requires fixed-width pattern");
		w->lo = w->hi = 0;
		return r;
	}
	if (c == '(') {
		p->i++;
		return conditional(p, w);
	}
	if (c >= 0 && c != '\0' && strchr("aiLmsux-", c) != NULL)
		return flags(p, w, rep);
	return fail(p, "unknown extension ?%c", c < 0 ? ' ' : c);
}

static int
parse_atom(struct rx_p *p, struct rx_w *w, int *rep)
{
	int c = peek(p, 0);

	*rep = 1;
	w->lo = w->hi = 1;
	switch (c) {
	case '(':
		return parse_group(p, w, rep);
	case '[':
		return parse_class(p);
	case '\\':
		return parse_escape(p, w, rep);
	case '.':
		p->i++;
		tfsm_buf_addc(&p->out, '.');
		return 0;
	case '^':
	case '$':
		p->i++;
		tfsm_buf_addc(&p->out, (char)c);
		w->lo = w->hi = 0;
		*rep = 0;
		return 0;
	}
	if (c >= 0x80 || c == '_' || c == ' ' || (c >= '0' && c <= '9') ||
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
		size_t at = p->i;

		getcp(p);
		tfsm_buf_add(&p->out, p->s + at, p->i - at);
	} else
		emit_cp(p, getcp(p));
	return 0;
}

static int
parse_seq(struct rx_p *p, struct rx_w *w)
{
	struct rx_w iw;
	size_t len, mn, mx;
	int rep, c, flagsgroup;

	w->lo = w->hi = 0;
	for (;;) {
		skip_ignorable(p);
		if (p->failed)
			return -1;
		if ((c = peek(p, 0)) < 0 || c == '|' || c == ')')
			return 0;
		if (quant_at(p, &len, &mn, &mx))
			return fail(p, "nothing to repeat");
		flagsgroup = c == '(' && peek(p, 1) == '?' &&
		    peek(p, 2) >= 0 && peek(p, 2) != '\0' &&
		    strchr("aiLmsux-", peek(p, 2)) != NULL;
		if (parse_atom(p, &iw, &rep) != 0 || parse_quant(p, &iw,
		    rep) != 0)
			return -1;
		if (!flagsgroup || p->depth > 0)
			p->content = 1;
		w->lo = wadd(w->lo, iw.lo);
		w->hi = wadd(w->hi, iw.hi);
	}
}

static int
parse_alt(struct rx_p *p, struct rx_w *w)
{
	struct rx_w bw;

	if (parse_seq(p, w) != 0)
		return -1;
	while (peek(p, 0) == '|') {
		p->i++;
		p->content = 1;
		tfsm_buf_addc(&p->out, '|');
		if (parse_seq(p, &bw) != 0)
			return -1;
		w->lo = w->lo < bw.lo ? w->lo : bw.lo;
		w->hi = w->hi > bw.hi ? w->hi : bw.hi;
	}
	return 0;
}

int
tfsm_rx_translate(const char *py, size_t len, struct tfsm_rx *rx, char *err,
    size_t errlen)
{
	struct rx_p p;
	struct rx_w w;
	int rc = -1;

	memset(rx, 0, sizeof(*rx));
	memset(&p, 0, sizeof(p));
	p.s = py;
	p.n = len;
	p.err = err;
	p.errlen = errlen;
	if (!tfsm_utf8_valid(py, len)) {
		snprintf(err, errlen, "invalid UTF-8 in regular expression");
		return -1;
	}
	if (parse_alt(&p, &w) != 0)
		goto out;
	if (p.i < p.n) {
		fail(&p, "unbalanced parenthesis");
		goto out;
	}
	if (p.maxcond > p.ngroups) {
		fail(&p, "invalid group reference %u", p.maxcond);
		goto out;
	}
	tfsm_buf_addc(&p.out, '\0');
	rx->rx_pat = p.out.b;
	rx->rx_len = p.out.len - 1;
	p.out.b = NULL;
	rx->rx_ngroups = p.ngroups;
	rx->rx_names = p.names;
	p.names = NULL;
	rx->rx_ascii = p.ascii;
	rc = 0;
out:
	if (p.names != NULL) {
		for (uint32_t g = 1; g <= p.ngroups; g++)
			free(p.names[g]);
		free(p.names);
	}
	free(p.out.b);
	free(p.gw);
	free(p.gopen);
	if (rc == 0 && rx->rx_names == NULL)
		rx->rx_names = xcalloc(1, sizeof(char *));
	return rc;
}

void
tfsm_rx_clear(struct tfsm_rx *rx)
{
	uint32_t g;

	if (rx->rx_names != NULL)
		for (g = 1; g <= rx->rx_ngroups; g++)
			free(rx->rx_names[g]);
	free(rx->rx_names);
	free(rx->rx_pat);
	memset(rx, 0, sizeof(*rx));
}

/* Anchored at compile time: an ANCHORED match option would drop JIT (B1).
 * UTF+UCP give Python's Unicode \d \w \s \b; the text is valid UTF-8
 * (sanitised), so matching skips the UTF check. */
pcre2_code *
tfsm_rx_compile(const struct tfsm_rx *rx, char *err, size_t errlen)
{
	pcre2_compile_context *cc;
	pcre2_code *re;
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int ec;
	uint32_t opt = PCRE2_UTF | PCRE2_ANCHORED | PCRE2_NEVER_BACKSLASH_C |
	    PCRE2_NO_UTF_CHECK;

	if (!rx->rx_ascii)
		opt |= PCRE2_UCP;
	if ((cc = pcre2_compile_context_create(NULL)) == NULL)
		abort();
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	re = pcre2_compile((PCRE2_SPTR)rx->rx_pat, rx->rx_len, opt, &ec, &off,
	    cc);
	pcre2_compile_context_free(cc);
	if (re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "PCRE2 rejects the translation: %s",
		    (char *)msg);
		return NULL;
	}
	/* Without JIT (no support, or out of memory) the interpreter runs
	 * it, under the same limits. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}
