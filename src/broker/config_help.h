/* `sluice serve --help`: the property table printed by area, wrapped to
 * 80 columns, without the properties that only tests use. */
#ifndef SLUICE_CONFIG_HELP_H
#define SLUICE_CONFIG_HELP_H
#include <stdbool.h>
#include <stdio.h>

void config_print_help(FILE *out);
/* Properties named sluice.test.* exist for the test suite only. */
bool config_prop_hidden(const char *name);
#endif
