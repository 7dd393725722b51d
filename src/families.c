/* The registry: every family R can name (family$c_name). A new family adds
 * its table here, one line, and is then reachable from every entry point. */
#include "emix.h"
#include <string.h>

extern const emix_family emix_gaussian_family;
extern const emix_family emix_noise_family;
extern const emix_family emix_multinomial_family;

static const emix_family *const registry[] = {
    &emix_gaussian_family,
    &emix_noise_family,
    &emix_multinomial_family,
    NULL
};

const emix_family *emix_family_at(int i)
{
    int n = (int) (sizeof registry / sizeof *registry) - 1;
    return i >= 0 && i < n ? registry[i] : NULL;
}

const emix_family *emix_family_find(const char *name)
{
    for (int i = 0; registry[i]; i++) {
        if (strcmp(registry[i]->name, name) == 0) {
            return registry[i];
        }
    }
    return NULL;
}
