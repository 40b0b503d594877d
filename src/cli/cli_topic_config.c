/* sluice topic alter-config: changes to a topic's configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_topic.h"
#include "core/util.h"

/* ---- alter-config ---- */

static int check_alter_result(struct topic_run *t, rd_kafka_event_t *ev, const rd_kafka_ConfigResource_t **res,
                              size_t n)
{
    const char *name = t->opts.names[0];
    int rc = CLI_EXIT_OK;

    if (n != 1 || rd_kafka_ConfigResource_error(res[0])) {
        cli_error(&t->common, "cannot alter config of '%s': %s", name,
                  n == 1 ? cli_config_result_reason(res[0]) : "no result");
        rc = CLI_EXIT_ERROR;
    } else {
        printf("%s config of topic %s\n", t->opts.validate_only ? "validated new" : "altered", name);
    }
    rd_kafka_event_destroy(ev);
    return rc;
}

#if CLI_HAVE_INCREMENTAL_ALTER_CONFIGS

/* Sends only the changes; the broker keeps every other entry. */
int cli_topic_alter_config(struct topic_run *t)
{
    const struct topic_opts *o = &t->opts;
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, o->names[0]);
    rd_kafka_AdminOptions_t *ao;
    rd_kafka_event_t *ev;
    const rd_kafka_ConfigResource_t **res;
    size_t n = 0;

    for (size_t i = 0; i < o->nsets; i++) {
        const char *value = "";
        char *key = cli_split_kv(o->sets[i], &value);
        rd_kafka_error_t *err =
            rd_kafka_ConfigResource_add_incremental_config(cr, key, RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET, value);

        free(key);
        if (err) {
            cli_error(&t->common, "--set %s: %s", o->sets[i], rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rd_kafka_ConfigResource_destroy(cr);
            return CLI_EXIT_ERROR;
        }
    }
    for (size_t i = 0; i < o->ndeletes; i++) {
        rd_kafka_error_t *err = rd_kafka_ConfigResource_add_incremental_config(
            cr, o->deletes[i], RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE, NULL);

        if (err) {
            cli_error(&t->common, "--delete %s: %s", o->deletes[i], rd_kafka_error_string(err));
            rd_kafka_error_destroy(err);
            rd_kafka_ConfigResource_destroy(cr);
            return CLI_EXIT_ERROR;
        }
    }
    ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS);
    rd_kafka_IncrementalAlterConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = cli_topic_wait_result(t, "cannot alter config");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_IncrementalAlterConfigs_result_resources(rd_kafka_event_IncrementalAlterConfigs_result(ev), &n);
    return check_alter_result(t, ev, res, n);
}

#else /* !CLI_HAVE_INCREMENTAL_ALTER_CONFIGS */

/* The topic-level entries to send with AlterConfigs. */
struct config_set {
    char **names;
    char **values;
    size_t n;
};

static ssize_t config_set_find(const struct config_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return (ssize_t)i;
    return -1;
}

static void config_set_put(struct config_set *s, const char *name, const char *value)
{
    ssize_t i = config_set_find(s, name);

    if (i < 0) {
        i = (ssize_t)s->n++;
        s->names[i] = xstrdup(name);
    } else {
        free(s->values[i]);
    }
    s->values[i] = xstrdup(value);
}

static bool config_set_remove(struct config_set *s, const char *name)
{
    ssize_t i = config_set_find(s, name);

    if (i < 0)
        return false;
    free(s->names[i]);
    free(s->values[i]);
    s->n--;
    s->names[i] = s->names[s->n];
    s->values[i] = s->values[s->n];
    return true;
}

static void config_set_free(struct config_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->names[i]);
        free(s->values[i]);
    }
    free(s->names);
    free(s->values);
}

/* Whether a --delete list names KEY. */
static bool deletes_name(const char *const *deletes, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(deletes[i], key))
            return true;
    return false;
}

/* An entry set on the topic itself. Brokers answering DescribeConfigs v0
 * give no source, only is_default: a non-default, writable entry of
 * unknown source is then taken to be a topic override too. */
static bool is_topic_override(const rd_kafka_ConfigEntry_t *e)
{
    rd_kafka_ConfigSource_t src = rd_kafka_ConfigEntry_source(e);

    if (src == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
        return true;
    return src == RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG && !rd_kafka_ConfigEntry_is_default(e) &&
           !rd_kafka_ConfigEntry_is_read_only(e);
}

/* Copies the topic's current overrides, except those about to change. A
 * sensitive override has no readable value and could not be sent back,
 * so it makes the change impossible. */
static bool take_current_overrides(struct topic_run *t, const rd_kafka_ConfigResource_t *cr, struct config_set *s)
{
    const struct topic_opts *o = &t->opts;
    size_t n = 0;
    const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(cr, &n);

    s->names = xcalloc(n + o->nsets + 1, sizeof(*s->names));
    s->values = xcalloc(n + o->nsets + 1, sizeof(*s->values));
    for (size_t i = 0; i < n; i++) {
        const char *name = rd_kafka_ConfigEntry_name(entries[i]);
        const char *value = rd_kafka_ConfigEntry_value(entries[i]);

        if (!is_topic_override(entries[i]))
            continue;
        if (!value) {
            if (cli_topic_sets_name(o->sets, o->nsets, name) || deletes_name(o->deletes, o->ndeletes, name))
                continue;
            cli_error(&t->common,
                      "topic override '%s' has a hidden value that "
                      "AlterConfigs would lose; not altering",
                      name);
            return false;
        }
        config_set_put(s, name, value);
    }
    return true;
}

/* Applies --delete, then --set. Deleting an entry the topic does not set
 * changes nothing, as with IncrementalAlterConfigs; it is only noted. */
static void apply_changes(struct topic_run *t, struct config_set *s)
{
    const struct topic_opts *o = &t->opts;

    for (size_t i = 0; i < o->ndeletes; i++)
        if (!config_set_remove(s, o->deletes[i]))
            cli_error(&t->common, "note: '%s' is not set on topic '%s'", o->deletes[i], o->names[0]);
    for (size_t i = 0; i < o->nsets; i++) {
        const char *value = "";
        char *key = cli_split_kv(o->sets[i], &value);

        config_set_put(s, key, value);
        free(key);
    }
}

static int send_alter_configs(struct topic_run *t, const struct config_set *s)
{
    rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t->opts.names[0]);
    rd_kafka_AdminOptions_t *ao = cli_topic_admin_options(t, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    rd_kafka_event_t *ev;
    const rd_kafka_ConfigResource_t **res;
    size_t n = 0;

    for (size_t i = 0; i < s->n; i++)
        rd_kafka_ConfigResource_set_config(cr, s->names[i], s->values[i]);
    rd_kafka_AlterConfigs(t->rk, &cr, 1, ao, t->queue);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_ConfigResource_destroy(cr);
    ev = cli_topic_wait_result(t, "cannot alter config");
    if (!ev)
        return CLI_EXIT_ERROR;
    res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
    return check_alter_result(t, ev, res, n);
}

/* AlterConfigs replaces the topic's whole set of overrides, reverting any
 * entry not sent to its default. So: read the current overrides, apply the
 * changes, and send the complete result. Not atomic: a change made by
 * someone else between the read and the write is lost. */
int cli_topic_alter_config(struct topic_run *t)
{
    const rd_kafka_ConfigResource_t *current = NULL;
    rd_kafka_event_t *ev = cli_topic_describe_configs(t, t->opts.names[0], &current);
    struct config_set s = {NULL, NULL, 0};
    int rc = CLI_EXIT_ERROR;

    if (!ev)
        return CLI_EXIT_ERROR;
    if (take_current_overrides(t, current, &s)) {
        apply_changes(t, &s);
        rc = send_alter_configs(t, &s);
    }
    config_set_free(&s);
    rd_kafka_event_destroy(ev);
    return rc;
}

#endif /* CLI_HAVE_INCREMENTAL_ALTER_CONFIGS */
