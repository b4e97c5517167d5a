/* validate_int.h -- what the validation runners share inside src/validate/: the
 * training table run with some calibration constants replaced (the holdout's refits),
 * and the calibration fields by name.  Not part of the public interface. */
#ifndef AIF_VALIDATE_INT_H
#define AIF_VALIDATE_INT_H

#include "aifsim/validate.h"

/* One calibration constant replaced for the rows whose accelerator is of family. */
typedef struct aif_calib_set {
    char family[AIF_NAME_MAX];
    const char *field;          /* an aif_calib_fields name */
    double value;
} aif_calib_set;

/* The value of calibration field `field` of cal (-1 when it names no numeric field). */
double aif_calib_get(const aif_calib *cal, const char *fld);
/* Sets it (rounded for a count); 0, or -1 when it names no numeric field. */
int aif_calib_put(aif_calib *cal, const char *fld, double value);

/* The training rows of text through the estimate (sim 0) or the simulation (sim 1),
 * each row of a family named in set run with that family's constants replaced. */
aif_rc aif_validate_train_text(const aif_catalog *c, const char *text, size_t len, const char *name, int sim,
                               const aif_calib_set *set, int n_set, aif_validation *out, aif_err *err);
/* The text of the table at path (NULL: the built-in train.csv) into *text (to free, or
 * NULL for the built-in one), its bytes and its name as shown in messages. */
aif_rc aif_validate_train_read(const char *path, const char **text, char **owned, size_t *len, char *shown,
                               size_t shown_len, aif_err *err);

#endif
