/* test_yaml.c -- the located YAML tree: positions, rejections, path setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario/yaml.h"

#include <string.h>

static void test_positions(void **state)
{
    (void)state;
    const char *t = "a: 1\nb:\n  c: hello\n  d: [1, 2]\n";
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(t, strlen(t), "x.yaml", &d, &root, &e), AIF_OK);
    ynode *b = ynode_get(root, "b");
    assert_non_null(b);
    ynode *c = ynode_get(b, "c");
    assert_string_equal(c->s, "hello");
    assert_int_equal(c->line, 3);
    assert_int_equal(c->col, 6);
    assert_int_equal(c->key_line, 3);
    assert_int_equal(ynode_get(b, "d")->kind, Y_SEQ);
    assert_int_equal(ynode_get(b, "d")->n, 2);
    ydoc_free(d);
}

static void reject(const char *t, int line, const char *needle)
{
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(t, strlen(t), "bad.yaml", &d, &root, &e), AIF_EINPUT);
    assert_string_equal(e.file, "bad.yaml");
    assert_int_equal(e.line, line);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void test_rejections(void **state)
{
    (void)state;
    reject("a: 1\na: 2\n", 2, "duplicate key");
    reject("a: &x 1\nb: *x\n", 1, "anchors");
    reject("a: [1, 2\n", 2, "YAML syntax error");
    reject("- 1\n- 2\n", 1, "mapping");
    reject("a: 1\n---\nb: 2\n", 2, "more than one");
    reject("a: !!int 3\n", 1, "tags");
    reject("? [1]\n: 2\n", 1, "plain name");
}

static void test_set_path(void **state)
{
    (void)state;
    const char *t = "model: llama3-8b\n";
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(t, strlen(t), "s.yaml", &d, &root, &e), AIF_OK);
    assert_int_equal(ynode_set_path(d, root, "model.layers", "4", "--layers", &e), AIF_OK);
    assert_int_equal(ynode_set_path(d, root, "train.tp", "8", "--tp", &e), AIF_OK);
    ynode *m = ynode_get(root, "model");
    assert_int_equal(m->kind, Y_MAP);
    assert_string_equal(ynode_get(m, "base")->s, "llama3-8b");
    assert_string_equal(ynode_get(m, "layers")->s, "4");
    assert_string_equal(ynode_get(m, "layers")->origin, "--layers");
    assert_string_equal(ynode_get(ynode_get(root, "train"), "tp")->s, "8");
    /* a later setting of the same path replaces the earlier one */
    assert_int_equal(ynode_set_path(d, root, "train.tp", "4", "--tp", &e), AIF_OK);
    assert_string_equal(ynode_get(ynode_get(root, "train"), "tp")->s, "4");
    assert_int_equal(ynode_set_path(d, root, "train..tp", "4", "--set", &e), AIF_EINPUT);
    ydoc_free(d);
}

static void test_empty(void **state)
{
    (void)state;
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse("", 0, "e.yaml", &d, &root, &e), AIF_OK);
    assert_int_equal(root->kind, Y_MAP);
    assert_int_equal(root->n, 0);
    ydoc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions), cmocka_unit_test(test_rejections), cmocka_unit_test(test_set_path),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
