/* builtin.c -- aif_catalog_load_builtin: the built-in catalogs from the C data the
 * build generates (tools/catalog_gen.c writes build/builtin_catalog.c from
 * the data/ YAML files and validation/power.yaml through the same loader user files go
 * through), copied into a catalog of its own without parsing any YAML.  Kept apart
 * from catalog.c so that the generator links the loader without the data it makes. */
#include "scenario/catalog.h"

aif_rc aif_catalog_load_builtin(aif_catalog **out, aif_err *err)
{
    return aif_catalog_from_image(&aif_builtin_catalog, out, err);
}
