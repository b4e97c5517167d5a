/* test_yaml.c -- the located YAML tree: positions, rejections, path setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario/yaml.h"

#include <stdio.h>
#include <stdlib.h>
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

/* Defect: the duplicate-key check scanned the whole mapping per key (80,000 keys took
 * 21 s).  A generated 80,000-key mapping parses, every key found; its duplicate at
 * the end is still caught, at its line. */
static void test_large_mapping(void **state)
{
    (void)state;
    enum { N = 80000 };
    size_t cap = (size_t)N * 24 + 64, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(t + len, cap - len, "key%d: %d\n", i, i);
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(t, len, "big.yaml", &d, &root, &e), AIF_OK);
    assert_int_equal(root->n, N);
    assert_string_equal(ynode_get(root, "key79999")->s, "79999");
    ydoc_free(d);
    len += (size_t)snprintf(t + len, cap - len, "key40000: again\n");
    assert_int_equal(ydoc_parse(t, len, "big.yaml", &d, &root, &e), AIF_EINPUT);
    assert_int_equal(e.line, N + 1);
    assert_non_null(strstr(e.msg, "duplicate key"));
    free(t);
}

/* Over the stated limits: an error naming the limit, not a long run. */
static void test_limits(void **state)
{
    (void)state;
    size_t len = (size_t)AIF_YAML_MAX_BYTES + 1;
    char *t = malloc(len);
    assert_non_null(t);
    memset(t, '#', len);
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(t, len, "huge.yaml", &d, &root, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "over the limit of 16777216 bytes"));
    free(t);
    /* more values than AIF_YAML_MAX_NODES in a few MB: a flow list of zeros */
    size_t n = (size_t)AIF_YAML_MAX_NODES + 10;
    t = malloc(n * 2 + 16);
    assert_non_null(t);
    len = (size_t)sprintf(t, "a: [");
    for (size_t i = 0; i < n; i++) {
        t[len++] = '0';
        t[len++] = ',';
    }
    t[len++] = ']';
    assert_int_equal(ydoc_parse(t, len, "many.yaml", &d, &root, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "more than 1000000 values"));
    free(t);
}

/* Defect: --set took only scalars.  A YAML flow value is parsed into the tree at the
 * path, every node naming the option; an empty value and broken YAML are errors
 * naming the option. */
static void test_set_flow(void **state)
{
    (void)state;
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse("", 0, "s.yaml", &d, &root, &e), AIF_OK);
    const char *opt = "--set facility.demand_response";
    assert_int_equal(ynode_set_path(d, root, "facility.demand_response",
                                    "[{start: 10d, duration: 4h, action: pause}]", opt, &e), AIF_OK);
    ynode *dr = ynode_get(ynode_get(root, "facility"), "demand_response");
    assert_non_null(dr);
    assert_int_equal(dr->kind, Y_SEQ);
    assert_int_equal(dr->n, 1);
    assert_int_equal(dr->kids[0]->kind, Y_MAP);
    assert_string_equal(ynode_get(dr->kids[0], "action")->s, "pause");
    assert_string_equal(ynode_get(dr->kids[0], "action")->origin, opt);
    assert_int_equal(ynode_get(dr->kids[0], "action")->line, 0);
    assert_int_equal(ynode_set_path(d, root, "cost", "{power_price: 0.1}", "--set cost", &e), AIF_OK);
    assert_int_equal(ynode_get(root, "cost")->kind, Y_MAP);
    assert_int_equal(ynode_set_path(d, root, "facility.x", "[{a: 1", "--set facility.x", &e), AIF_EINPUT);
    assert_string_equal(e.file, "--set facility.x");
    assert_non_null(strstr(e.msg, "YAML syntax error"));
    assert_int_equal(ynode_set_path(d, root, "name", "", "--set name", &e), AIF_EINPUT);
    assert_string_equal(e.file, "--set name");
    assert_non_null(strstr(e.msg, "empty value"));
    /* a plain value is still one scalar, brackets inside it or not */
    assert_int_equal(ynode_set_path(d, root, "name", "a [b]", "--set name", &e), AIF_OK);
    assert_string_equal(ynode_get(root, "name")->s, "a [b]");
    ydoc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions), cmocka_unit_test(test_rejections), cmocka_unit_test(test_set_path),
        cmocka_unit_test(test_empty), cmocka_unit_test(test_large_mapping), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_set_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
