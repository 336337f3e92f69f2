/*
 * fuzz.h - what every libFuzzer target of fuzz/ shares: the entry point's
 * prototype (the warning flags want one) and FUZZ_CHECK, the oracle that
 * turns a broken invariant into a crash libFuzzer records.
 *
 * The targets run single-threaded inside libFuzzer; each input is processed
 * and everything it allocated is freed before the next, so LeakSanitizer
 * sees every leak.
 */
#ifndef OPENDTS_FUZZ_FUZZ_H
#define OPENDTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a finding: say which, and crash so libFuzzer saves
 * the input. */
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant \"%s\" broken: ", \
				__FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

#endif
