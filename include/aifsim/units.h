/* units.h -- what people type: quantities with units ("400Gb/s", "8GiB", "700 W")
 * parsed into SI base units, strict integers, and the did-you-mean that error
 * messages use.  The scenario binder reads every field through these; the
 * command line uses them for options that are not scenario fields. */
#ifndef AIFSIM_UNITS_H
#define AIFSIM_UNITS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of quantity a field can hold (see docs/CATALOGS.md, "Quantities"). */
typedef enum aif_qty {
    AIF_Q_BYTES, AIF_Q_BW, AIF_Q_POWER, AIF_Q_TIME, AIF_Q_MONEY, AIF_Q_COUNT, AIF_Q_FRACTION,
    AIF_Q_ENERGY,        /* J */
    AIF_Q_ENERGY_PRICE,  /* USD per J */
    AIF_Q_CARBON,        /* kg CO2e per J */
    AIF_Q_MASS           /* kg */
} aif_qty;

/* Bytes in a GiB: memory sizes are printed in it, as devices report them. */
#define AIF_GIB 1073741824.0

/* Parses text such as "400Gb/s" into SI base units (bytes, bytes/s, W, s, USD, 1).
 * Returns 0, or -1 with a reason (what was wrong and what is accepted) in why. */
int aif_parse_qty(const char *text, aif_qty kind, double *out, char *why, size_t n_why);
/* Examples of accepted spellings for a kind, for error messages. */
const char *aif_qty_examples(aif_qty kind);
/* A strict integer: digits with an optional sign and K/M/G/B/T suffix, no fraction left. */
int aif_parse_int(const char *text, long long *out, char *why, size_t n_why);

/* Index of the closest candidate to `word` if it is plausibly a misspelling, else -1. */
int aif_did_you_mean(const char *word, const char *const *cands, int n);

#ifdef __cplusplus
}
#endif
#endif
