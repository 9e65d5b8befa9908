/*
 * esc: bytes from devices and fleet files made safe for a terminal, a
 * JSON string or a Prometheus label.  Device output can hold any byte:
 * control characters, escape sequences, C1 controls, bidirectional
 * overrides and invalid UTF-8 never leave naut raw.
 */
#ifndef NAUT_ESC_H
#define NAUT_ESC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Length (1-4) of the valid UTF-8 sequence at p, 0 if invalid; *cp gets
 * the code point.  p is NUL-terminated. */
size_t	esc_utf8(const char *p, uint32_t *cp);
/* A code point a terminal shows rather than acts on. */
int	esc_cp_printable(uint32_t cp);
/* For a terminal or a text log: printable UTF-8 kept, control bytes and
 * invalid bytes as \xNN, other non-printable code points as \u{NNNN}.
 * Always NUL-terminates; cuts at a whole escape.  Returns the length. */
size_t	esc_term(char *dst, size_t dsz, const char *src);
/* The same, written to fp without a length limit. */
void	esc_term_fputs(const char *src, FILE *fp);
/* Inside a JSON string: ", \ and controls escaped, invalid UTF-8 bytes as
 * U+FFFD, non-printable code points as \uNNNN.  Returns the length. */
size_t	esc_json(char *dst, size_t dsz, const char *src);
/* A Prometheus label value: \, " and newline escaped, invalid UTF-8 as
 * U+FFFD (the format is UTF-8), control characters as U+FFFD too. */
void	esc_prom_label(const char *src, FILE *fp);

#endif
