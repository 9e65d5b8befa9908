/*
 * The loader's error list: every error of a file is kept with its position,
 * reported once, and printed sorted by position so the output reads top to
 * bottom, escaped so a hostile value cannot drive the terminal.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "esc.h"
#include "htab.h"
#include "xmem.h"

void
conf_err(struct conf_ctx *ctx, struct conf_pos pos, const char *fmt, ...)
{
	struct conf_err *e;
	va_list ap;
	char buf[1024];

	if (ctx->nerr >= CONF_MAX_ERRORS) {
		ctx->toomany = 1;
		return;
	}
	if (ctx->nerr == ctx->errcap) {
		ctx->errcap = ctx->errcap ? ctx->errcap * 2 : 16;
		ctx->errs = xreallocarray(ctx->errs, ctx->errcap,
		    sizeof(*ctx->errs));
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/*
	 * A value inherited by 100,000 devices is wrong once, where it is
	 * written: report each (position, message) pair once.
	 */
	if (ctx->seen != NULL) {
		char key[1100];
		int kl = snprintf(key, sizeof(key), "%u:%u:%s", pos.line,
		    pos.col, buf);

		if (kl < 0 || (size_t)kl >= sizeof(key))
			kl = (int)sizeof(key) - 1;
		if (htab_get(ctx->seen, key, (size_t)kl) != NULL)
			return;
		htab_put(ctx->seen, arena_strndup(ctx->arena, key, (size_t)kl),
		    (size_t)kl, ctx);
	}
	e = &ctx->errs[ctx->nerr];
	e->pos = pos;
	e->seq = (uint32_t)ctx->nerr;
	e->msg = xstrdup(buf);
	ctx->nerr++;
}

static int
conf_err_cmp(const void *a, const void *b)
{
	const struct conf_err *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Values from a device can hold any byte; errors are printed escaped. */
static void
conf_err_print(FILE *fp, const char *s)
{
	esc_term_fputs(s, fp);
}

void
conf_err_flush(struct conf_ctx *ctx)
{
	size_t i;

	if (ctx->nerr > 0)
		qsort(ctx->errs, ctx->nerr, sizeof(*ctx->errs), conf_err_cmp);
	for (i = 0; i < ctx->nerr; i++) {
		struct conf_err *e = &ctx->errs[i];

		if (ctx->errfp != NULL) {
			if (e->pos.line > 0)
				fprintf(ctx->errfp, "%s:%u:%u: ", ctx->file,
				    e->pos.line, e->pos.col);
			else
				fprintf(ctx->errfp, "%s: ", ctx->file);
			conf_err_print(ctx->errfp, e->msg);
			fputc('\n', ctx->errfp);
		}
		free(e->msg);
	}
	if (ctx->toomany && ctx->errfp != NULL)
		fprintf(ctx->errfp, "%s: too many errors (stopped after %d)\n",
		    ctx->file, CONF_MAX_ERRORS);
	free(ctx->errs);
	ctx->errs = NULL;
	ctx->nerr = ctx->errcap = 0;
}

