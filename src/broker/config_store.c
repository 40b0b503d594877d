#include "broker/config_store.h"
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/slog.h"
#include "log/fileio.h"

#define STORE_FILE "broker-config.json"

static const char *const layer_names[2] = {[DYN_CLUSTER_DEFAULT] = "cluster_default", [DYN_BROKER] = "broker"};

int config_store_save(const struct config *c, const char *dir)
{
    json_t *doc = json_pack("{s:i}", "version", 2);
    for (int layer = 0; layer < 2; layer++) {
        json_t *cfg = json_object();
        for (int i = 0; i < P__COUNT; i++)
            if (c->dynamic[layer][i].text)
                json_object_set_new(cfg, broker_prop_defs[i].name, json_string(c->dynamic[layer][i].text));
        json_object_set_new(doc, layer_names[layer], cfg);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    int rc = text ? fileio_write_atomic(path, text, strlen(text)) : -1;
    if (rc != 0)
        log_error("config", "cannot write dynamic configs", "file=%s error=\"%s\"", path, strerror(errno));
    free(text);
    return rc;
}

int config_store_load(struct config *c, const char *dir, char *err, size_t errlen)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        snprintf(err, errlen, "cannot read %s: %s (line %d)", path, je.text, je.line);
        return -1;
    }
    for (int layer = 0; layer < 2; layer++) {
        const char *key;
        json_t *val;
        json_object_foreach(json_object_get(doc, layer_names[layer]), key, val) {
            char e2[300] = "not a dynamic property";
            int id = broker_prop_find(key);
            if (id < 0 || !broker_prop_defs[id].dynamic || !json_is_string(val) ||
                !config_set_dynamic(c, (enum dynamic_layer)layer, (enum broker_prop)id, json_string_value(val), e2,
                                    sizeof(e2)))
                log_warn("config", "ignoring stored dynamic config", "name=%s error=\"%s\"", key, e2);
        }
    }
    json_decref(doc);
    return 0;
}
