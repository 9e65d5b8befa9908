/*
 * memscan: does a running process hold a byte string anywhere in its
 * readable memory?  For the secret-hygiene test (run as root).
 * usage: memscan PID STRING; exit 0 found, 1 not found, 2 error.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK	(1 << 20)

static int
scan(int fd, unsigned long lo, unsigned long hi, const char *s, size_t sl,
    char *buf)
{
	unsigned long off;

	/* Chunks overlap by sl - 1 bytes so no match falls between two. */
	for (off = lo; off < hi; off += CHUNK) {
		size_t want = hi - off > CHUNK + sl ? CHUNK + sl : hi - off;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n <= 0)
			return 0;
		if (memmem(buf, (size_t)n, s, sl) != NULL)
			return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	char path[64], line[512], *buf;
	unsigned long lo, hi;
	char perm[8];
	FILE *maps;
	int fd, found = 0;

	if (argc != 3 || argv[2][0] == '\0') {
		fprintf(stderr, "usage: memscan pid string\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
	if ((maps = fopen(path, "r")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	if ((fd = open(path, O_RDONLY)) == -1 ||
	    (buf = malloc(CHUNK + strlen(argv[2]))) == NULL) {
		fclose(maps);
		return 2;
	}
	while (!found && fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3 ||
		    perm[0] != 'r' || strstr(line, "[vvar]") != NULL)
			continue;
		found = scan(fd, lo, hi, argv[2], strlen(argv[2]), buf);
	}
	free(buf);
	close(fd);
	fclose(maps);
	return found ? 0 : 1;
}
