/*
 * tfsm_bench: parse FILE with TEMPLATE N times in one process and print
 * the median of 5 rounds as "ns_per_parse ROWS", the C side of
 * bench/bench-tfsm.sh (bench/tfsm_baseline.py is the Python side).  The
 * template is compiled once, as a worker does.
 * usage: tfsm_bench TEMPLATE FILE N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tfsm.h"

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct tfsm_tpl *t;
	struct tfsm_res *r;
	enum tfsm_fail why;
	char err[512], *buf;
	double round[5], t0;
	size_t len, rows = 0;
	long n, i, k;
	FILE *fp;

	if (argc != 4 || (n = atol(argv[3])) <= 0) {
		fputs("usage: tfsm_bench TEMPLATE FILE N\n", stderr);
		return 64;
	}
	if ((t = tfsm_load(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 78;
	}
	if ((fp = fopen(argv[2], "r")) == NULL || fseek(fp, 0, SEEK_END) != 0 ||
	    (len = (size_t)ftell(fp), rewind(fp), (buf = malloc(len + 1)) ==
	    NULL) || fread(buf, 1, len, fp) != len) {
		perror(argv[2]);
		return 1;
	}
	fclose(fp);
	for (k = 0; k < 5; k++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			if ((r = tfsm_parse(t, buf, len, NULL, &why, err,
			    sizeof(err))) == NULL) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			rows = tfsm_nrows(r);
			tfsm_res_free(r);
		}
		round[k] = (now_ns() - t0) / (double)n;
	}
	qsort(round, 5, sizeof(round[0]), cmp);
	printf("%.0f %zu\n", round[2], rows);
	free(buf);
	tfsm_free(t);
	return 0;
}
