/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json through jansson, and typed getters whose errors name the
 * field by its path in the document ("linux.namespaces[2].type"). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "oci.h"

/* jansson's error, with its line and column. Duplicate keys are refused: a
 * hostile config must not say one thing to a checker and another to us. */
static json_t *decode_error(const char *what, const json_error_t *e)
{
    oci_err("%s: line %d column %d: %s", what, e->line, e->column, e->text);
    return NULL;
}

static json_t *check_top(json_t *j, const char *what)
{
    if (!json_is_object(j)) {
        json_decref(j);
        oci_err("%s: the top level is not a JSON object", what);
        return NULL;
    }
    return j;
}

json_t *oci_config_load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        if (e.line == -1 && strstr(e.text, "unable to open"))
            oci_err("open %s: %s", path, strerror(errno ? errno : ENOENT));
        else
            decode_error(path, &e);
        return NULL;
    }
    return check_top(j, path);
}

json_t *oci_config_parse(const char *buf, size_t len)
{
    json_error_t e;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return decode_error("config.json", &e);
    return check_top(j, "config.json");
}

/* "path.key", or "key" at the top. */
static const char *join(char *buf, size_t size, const char *path, const char *key)
{
    snprintf(buf, size, "%s%s%s", path && *path ? path : "", path && *path ? "." : "", key);
    return buf;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int wrong_type(const char *path, const char *key, const char *want, const json_t *v)
{
    char name[512];
    return oci_err("config.json: %s: expected %s, got %s", join(name, sizeof(name), path, key),
                   want, type_name(v));
}

/* The value at key, NULL when missing or null (both mean "not set"). */
static json_t *get(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

int cfg_str(json_t *obj, const char *path, const char *key, const char **out)
{
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_string(v))
        return wrong_type(path, key, "a string", v);
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        char name[512];
        return oci_err("config.json: %s: contains a NUL byte", join(name, sizeof(name), path, key));
    }
    *out = json_string_value(v);
    return 0;
}

int cfg_bool(json_t *obj, const char *path, const char *key, bool *out)
{
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return wrong_type(path, key, "a boolean", v);
    *out = json_is_true(v);
    return 0;
}

int cfg_int(json_t *obj, const char *path, const char *key, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return wrong_type(path, key, "an integer", v);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        char name[512];
        return oci_err("config.json: %s: %lld is out of range (%lld to %lld)",
                       join(name, sizeof(name), path, key), (long long)n, (long long)min,
                       (long long)max);
    }
    *out = n;
    return 0;
}

int cfg_obj(json_t *obj, const char *path, const char *key, json_t **out)
{
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_object(v))
        return wrong_type(path, key, "an object", v);
    *out = v;
    return 0;
}

int cfg_arr(json_t *obj, const char *path, const char *key, json_t **out)
{
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_array(v))
        return wrong_type(path, key, "an array", v);
    *out = v;
    return 0;
}

int cfg_elem_str(json_t *arr, const char *path, size_t i, const char **out)
{
    json_t *v = json_array_get(arr, i);
    char name[512];
    snprintf(name, sizeof(name), "%s[%zu]", path, i);
    if (!json_is_string(v))
        return oci_err("config.json: %s: expected a string, got %s", name, type_name(v));
    if (strlen(json_string_value(v)) != json_string_length(v))
        return oci_err("config.json: %s: contains a NUL byte", name);
    *out = json_string_value(v);
    return 0;
}

int cfg_elem_obj(json_t *arr, const char *path, size_t i, json_t **out)
{
    json_t *v = json_array_get(arr, i);
    if (!json_is_object(v))
        return oci_err("config.json: %s[%zu]: expected an object, got %s", path, i, type_name(v));
    *out = v;
    return 0;
}

int cfg_refuse(json_t *obj, const char *path, const char *const *unsupported)
{
    for (size_t i = 0; unsupported[i]; i++) {
        json_t *v = json_object_get(obj, unsupported[i]);
        if (v && !json_is_null(v)) {
            char name[512];
            return oci_err("config.json: %s: not supported by nsbox-oci",
                           join(name, sizeof(name), path, unsupported[i]));
        }
    }
    return 0;
}

int cfg_refuse_nonempty(json_t *obj, const char *path, const char *key)
{
    json_t *v = json_object_get(obj, key);
    bool empty = !v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
                 (json_is_object(v) && json_object_size(v) == 0) ||
                 (json_is_string(v) && json_string_length(v) == 0);
    if (empty)
        return 0;
    char name[512];
    return oci_err("config.json: %s: not supported by nsbox-oci",
                   join(name, sizeof(name), path, key));
}

int cfg_string_map(json_t *obj, const char *path, const char *key, cfg_map_fn fn, void *ctx)
{
    json_t *map = NULL;
    if (cfg_obj(obj, path, key, &map) < 0)
        return -1;
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v)
    {
        char field[1100], name[512];
        snprintf(field, sizeof(field), "%s.%s", join(name, sizeof(name), path, key), k);
        if (!json_is_string(v))
            return oci_err("config.json: %s: expected a string", field);
        if (fn && fn(ctx, field, k, json_string_value(v)) < 0)
            return -1;
    }
    return 0;
}
