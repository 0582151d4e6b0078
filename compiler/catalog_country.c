/* catalog_country.c — ISO 3166-1 alpha-2 countries; see catalog.h. */
#include "compiler/catalog.h"

#include "compiler/suggest.h"
#include "compiler/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const struct catalog_country countries[] = {
#define CAT_COUNTRY(code, name, common) {code, name, common},
#include "compiler/catalog_countries.def"
};

/* Codes people use that ISO 3166-1 assigns elsewhere or not at all. */
static const struct {
    const char *wrong;
    const char *code;
} hints[] = {
    {"UK", "GB"}, /* United Kingdom */
    {"EL", "GR"}, /* Greece, as the EU abbreviates it */
};

const struct catalog_country *catalog_countries(size_t *n)
{
    *n = IDPC_ARRAY_LEN(countries);
    return countries;
}

const struct catalog_country *catalog_country_by_code(const char *code)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(countries); i++)
        if (strcmp(countries[i].code, code) == 0)
            return &countries[i];
    return NULL;
}

const struct catalog_country *catalog_country_by_name(const char *name)
{
    for (size_t i = 0; i < IDPC_ARRAY_LEN(countries); i++)
        if (strcasecmp(countries[i].name, name) == 0 ||
            strcasecmp(countries[i].common_name, name) == 0)
            return &countries[i];
    return NULL;
}

const char *catalog_country_suggest(const char *word)
{
    if (catalog_country_by_code(word))
        return NULL;
    if (strlen(word) == 2) {
        char up[3] = {(char)toupper((unsigned char)word[0]), (char)toupper((unsigned char)word[1]),
                      '\0'};
        for (size_t i = 0; i < IDPC_ARRAY_LEN(hints); i++)
            if (strcmp(up, hints[i].wrong) == 0)
                return hints[i].code;
        const struct catalog_country *c = catalog_country_by_code(up);
        return c ? c->code : NULL;
    }
    const struct catalog_country *c = catalog_country_by_name(word);
    if (c)
        return c->code;

    struct suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < IDPC_ARRAY_LEN(countries); i++) {
        suggest_add_as(&s, countries[i].name, countries[i].code);
        suggest_add_as(&s, countries[i].common_name, countries[i].code);
    }
    return suggest_result(&s);
}
