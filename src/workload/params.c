/* params.c -- a catalog model's published parameter counts checked against the counts
 * its architecture gives (transformer.c), so that a wrong layer count, hidden size or
 * vocabulary in a user catalog shows at load, at the line of the figure.
 *
 * Tolerance AIF_PARAMS_TOLERANCE (5%): published counts are rounded to the name a model
 * is known by, and the widest such rounding in common use is Llama 2 7B, which has
 * 6.74B parameters (Touvron et al. 2023, "Llama 2", Table 1 and the released config):
 * 3.9% under its name.  Every built-in model agrees within 3% (tests/test_catalog.c);
 * a real mistake (a 70B figure on an 8B shape, a missing MoE expert count) is far
 * outside 5%.  A layer count off by one in 80 is not caught: the check is for figures
 * that disagree, not a proof of the shape.  `active_params` is not checked: published
 * active counts differ in what they include (gpt-oss-120b's 5.1B leaves out the
 * embeddings; the computed count has them). */
#include "scenario/catalog.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdio.h>

aif_rc aif_catalog_check_params(const aif_catalog *c, aif_err *err)
{
    for (int i = 0; i < aif_catalog_n_models(c); i++) {
        const aif_model *m = aif_catalog_model(c, i);
        const char *file;
        int line, col;
        if (m->params <= 0 || !aif_catalog_param_claim(c, i, 0, &file, &line, &col))
            continue;
        double computed = aif_model_params(m);
        if (fabs(computed / m->params - 1) <= AIF_PARAMS_TOLERANCE)
            continue;
        char path[AIF_NAME_MAX + 16];
        snprintf(path, sizeof path, "models.%s.params", m->name);
        return aif_err_set(err, AIF_EINPUT, file, line, col, path,
                           "published %.3gB, but the architecture gives %.3gB parameters (%+.0f%%; accepted: within "
                           "%.0f%%, the rounding of published names): check layers, hidden, heads, ffn and vocab%s, "
                           "or leave params out", m->params / 1e9, computed / 1e9, (m->params / computed - 1) * 100,
                           AIF_PARAMS_TOLERANCE * 100, m->moe.experts ? " and moe" : "");
    }
    return AIF_OK;
}
