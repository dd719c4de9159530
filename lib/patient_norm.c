/*
 * patient_norm.c: turning what people type into what the registry
 * keeps.  Names keep their accents, hyphens and apostrophes (typographic
 * ones made plain) and get a folded search key beside them (libunistring:
 * NFD, combining marks dropped, case folded); phones become E.164 in the
 * practice's country; dates are read in the form asked for, and a slash
 * date that could be read both ways is refused unless the form is given;
 * the rest (states, ZIP codes, sexes, consents, languages, SSNs) is
 * checked against its shape.  No message ever quotes the value.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "config.h"
#include "patient_int.h"

/* ---- UTF-8 ---- */

enum pms_status
pt_reerr(enum pms_status st, const char *what)
{
	char msg[512];

	pt_cpy(msg, sizeof(msg), pms_errmsg());
	return pms_seterr(st, "%s: %s", what, msg);
}

void
pt_cpy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (size == 0)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

size_t
pt_u8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Append the UTF-8 of uc to out[*n], keeping room for a NUL; 0 or -1. */
static int
put_uc(char *out, size_t size, size_t *n, ucs4_t uc)
{
	uint8_t buf[6];
	int len = u8_uctomb(buf, uc, (int)sizeof(buf));

	if (len <= 0 || *n + (size_t)len >= size)
		return -1;
	memcpy(out + *n, buf, (size_t)len);
	*n += (size_t)len;
	return 0;
}

static int
put_str(char *out, size_t size, size_t *n, const char *s)
{
	size_t len = strlen(s);

	if (*n + len >= size)
		return -1;
	memcpy(out + *n, s, len);
	*n += len;
	return 0;
}

/* Apostrophe-like characters that spreadsheets and phones put in names. */
static int
is_apostrophe(ucs4_t uc)
{
	return uc == 0x27 || uc == 0x2019 || uc == 0x2018 || uc == 0x02BC ||
	    uc == 0x0060 || uc == 0x00B4 || uc == 0x2032 || uc == 0x02B9;
}

static int
is_hyphen(ucs4_t uc)
{
	return uc == '-' || uc == 0x2010 || uc == 0x2011;
}

/*
 * Latin letters that have no decomposition, spelled out in ASCII (both
 * cases: the X12 names need the capitals, the keys the small ones).
 */
static const struct translit {
	ucs4_t		 uc;
	const char	*ascii;
} translits[] = {
	{ 0x00C6, "AE" }, { 0x00E6, "ae" }, { 0x00D0, "D" }, { 0x00F0, "d" },
	{ 0x00D8, "O" }, { 0x00F8, "o" }, { 0x00DE, "TH" }, { 0x00FE, "th" },
	{ 0x00DF, "ss" }, { 0x1E9E, "SS" }, { 0x0110, "D" }, { 0x0111, "d" },
	{ 0x0126, "H" }, { 0x0127, "h" }, { 0x0131, "i" }, { 0x0138, "k" },
	{ 0x0141, "L" }, { 0x0142, "l" }, { 0x014A, "N" }, { 0x014B, "n" },
	{ 0x0152, "OE" }, { 0x0153, "oe" }, { 0x0166, "T" }, { 0x0167, "t" },
	{ 0x017F, "s" }, { 0x0132, "IJ" }, { 0x0133, "ij" },
};

static const char *
translit(ucs4_t uc)
{
	size_t i;

	for (i = 0; i < PMS_NELEM(translits); i++)
		if (translits[i].uc == uc)
			return translits[i].ascii;
	return NULL;
}

static int
is_ascii(const char *s, size_t *n)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;
	*n = (size_t)(p - s);
	return 1;
}

/*
 * in in Unicode form nf (and case folded with fold), in buf when it
 * fits, else malloc'd: the caller frees the result when it is not buf.
 * NULL if in is not UTF-8 or out of memory.  ASCII is its own NFC and
 * NFD, and folds to lower case: done here, without libunistring, for
 * the speed of an import.
 */
static uint8_t *
u8_form(const char *in, uninorm_t nf, int fold, uint8_t *buf, size_t size,
    size_t *lenp)
{
	size_t n = strlen(in), i;

	if (is_ascii(in, &n)) {
		uint8_t *out = buf;

		if (n >= size && (out = malloc(n + 1)) == NULL)
			return NULL;
		for (i = 0; i < n; i++)
			out[i] = (uint8_t)(fold ?
			    tolower((unsigned char)in[i]) : in[i]);
		*lenp = n;
		return out;
	}
	if (u8_check((const uint8_t *)in, n) != NULL)
		return NULL;
	*lenp = size;
	if (fold)
		return u8_casefold((const uint8_t *)in, n, NULL, nf, buf,
		    lenp);
	return u8_normalize(nf, (const uint8_t *)in, n, buf, lenp);
}

enum pms_status
pms_name_key(const char *in, char *out, size_t size)
{
	uint8_t stack[512], *f;
	const uint8_t *p, *end;
	const char *t;
	size_t len, n = 0;
	ucs4_t uc;
	int space = 0, bad = 0;

	if (size == 0)
		return pms_seterr(PMS_EINTERNAL, "no room for a name key");
	out[0] = '\0';
	if ((f = u8_form(in, UNINORM_NFD, 1, stack, sizeof(stack), &len)) ==
	    NULL)
		return pms_seterr(PMS_EDATA, "not valid UTF-8");
	for (p = f, end = f + len; p < end && !bad;) {
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (is_apostrophe(uc) || uc == '.' || (uc >= 0x80 &&
		    uc_is_general_category(uc, UC_CATEGORY_M)))
			continue;
		if (uc < 0x80 ? isalnum((int)uc) :
		    uc_is_general_category(uc, UC_CATEGORY_L) ||
		    uc_is_general_category(uc, UC_CATEGORY_N)) {
			if (space && n > 0 && put_str(out, size, &n, " ") == -1)
				bad = 1;
			space = 0;
			if ((t = translit(uc)) != NULL)
				bad |= put_str(out, size, &n, t) == -1;
			else
				bad |= put_uc(out, size, &n, uc) == -1;
			continue;
		}
		space = 1;
	}
	if (f != stack)
		free(f);
	out[n] = '\0';
	if (bad)
		return pms_seterr(PMS_EDATA, "too long");
	return PMS_OK;
}

enum pms_status
pms_name_x12(const char *in, char *out, size_t size)
{
	uint8_t stack[512], *f;
	const uint8_t *p, *end;
	const char *t;
	size_t len, n = 0, i;
	ucs4_t uc;
	int space = 0, bad = 0;
	char c;

	if (size == 0)
		return pms_seterr(PMS_EINTERNAL, "no room for a name");
	out[0] = '\0';
	if ((f = u8_form(in, UNINORM_NFD, 0, stack, sizeof(stack), &len)) ==
	    NULL)
		return pms_seterr(PMS_EDATA, "not valid UTF-8");
	for (p = f, end = f + len; p < end && !bad;) {
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc_is_general_category(uc, UC_CATEGORY_M))
			continue;
		if (is_apostrophe(uc))
			uc = '\'';
		else if (is_hyphen(uc))
			uc = '-';
		if (uc == ' ' || uc == '\t' || uc == 0xA0 || uc == '\r' ||
		    uc == '\n') {
			/* a quoted newline of a spreadsheet cell: a blank */
			space = 1;
			continue;
		}
		t = NULL;
		if (uc < 0x80 && (isalnum((int)uc) || uc == '-' || uc == '.' ||
		    uc == '\'')) {
			c = (char)toupper((int)uc);
			if (space && n > 0)
				bad |= put_str(out, size, &n, " ") == -1;
			space = 0;
			if (n + 1 >= size)
				bad = 1;
			else
				out[n++] = c;
			continue;
		}
		if ((t = translit(uc)) == NULL)
			continue;	/* nothing X12 can carry */
		if (space && n > 0)
			bad |= put_str(out, size, &n, " ") == -1;
		space = 0;
		for (i = 0; t[i] != '\0' && !bad; i++) {
			if (n + 1 >= size)
				bad = 1;
			else
				out[n++] = (char)toupper((unsigned char)t[i]);
		}
	}
	if (f != stack)
		free(f);
	out[n] = '\0';
	if (bad)
		return pms_seterr(PMS_EDATA, "too long");
	for (i = 0; i < n; i++)
		if (isalnum((unsigned char)out[i]))
			return PMS_OK;
	return pms_seterr(PMS_EDATA, "no letter that X12 can carry");
}

/*
 * A name as the registry keeps it: NFC, typographic apostrophes and
 * hyphens made plain (*quotes counts the apostrophes changed), blanks
 * collapsed; letters (with their marks), spaces, hyphens, full stops
 * and apostrophes only, starting with a letter; at most max characters.
 */
static enum pms_status
name_clean(const char *in, size_t max, char *out, size_t size, int *quotes)
{
	uint8_t stack[512], *f;
	const uint8_t *p, *end;
	size_t len, n = 0, chars = 0;
	ucs4_t uc;
	int space = 0, digit = 0, other = 0, first = 1;
	enum pms_status st = PMS_OK;

	*quotes = 0;
	out[0] = '\0';
	if ((f = u8_form(in, UNINORM_NFC, 0, stack, sizeof(stack), &len)) ==
	    NULL)
		return pms_seterr(PMS_EDATA, "not valid UTF-8");
	for (p = f, end = f + len; p < end;) {
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc == ' ' || uc == '\t' || uc == 0xA0 || uc == '\r' ||
		    uc == '\n') {
			/* a quoted newline of a spreadsheet cell: a blank */
			space = 1;
			continue;
		}
		if (is_apostrophe(uc)) {
			if (uc != '\'')
				(*quotes)++;
			uc = '\'';
		} else if (is_hyphen(uc))
			uc = '-';
		if (uc == '\'' || uc == '-' || uc == '.') {
			/* punctuation, but not first */
			if (first)
				other = 1;
		} else if (uc < 0x80 ? isalpha((int)uc) != 0 :
		    uc_is_general_category(uc, UC_CATEGORY_L)) {
			first = 0;
		} else if (uc >= 0x80 &&
		    uc_is_general_category(uc, UC_CATEGORY_M) && !first) {
			/* a mark on the letter before it */
		} else if (uc < 0x80 ? isdigit((int)uc) != 0 :
		    uc_is_general_category(uc, UC_CATEGORY_N)) {
			digit = 1;
			continue;
		} else {
			other = 1;
			continue;
		}
		if (space && n > 0) {
			if (put_str(out, size, &n, " ") == -1)
				goto toolong;
			chars++;
		}
		space = 0;
		if (put_uc(out, size, &n, uc) == -1)
			goto toolong;
		chars++;
	}
	out[n] = '\0';
	if (digit && other)
		st = pms_seterr(PMS_EDATA, "digits and characters a name may "
		    "not have (letters, spaces, hyphens, full stops and "
		    "apostrophes only)");
	else if (digit)
		st = pms_seterr(PMS_EDATA, "digits are not allowed in a name");
	else if (other)
		st = pms_seterr(PMS_EDATA, "a character a name may not have "
		    "(letters, spaces, hyphens, full stops and apostrophes "
		    "only, starting with a letter)");
	else if (n == 0)
		st = pms_seterr(PMS_EDATA, "empty");
	else if (chars > max)
		st = pms_seterr(PMS_EDATA, "longer than %zu characters", max);
	goto out;
toolong:
	out[0] = '\0';
	st = pms_seterr(PMS_EDATA, "longer than %zu characters", max);
out:
	if (f != stack)
		free(f);
	return st;
}

/* A line of text: valid UTF-8, NFC, no control characters, blanks
 * collapsed, at most max characters. */
static enum pms_status
text_clean(const char *in, size_t max, char *out, size_t size)
{
	uint8_t stack[512], *f;
	const uint8_t *p, *end;
	size_t len, n = 0, chars = 0;
	ucs4_t uc;
	int space = 0;
	enum pms_status st = PMS_OK;

	out[0] = '\0';
	if ((f = u8_form(in, UNINORM_NFC, 0, stack, sizeof(stack), &len)) ==
	    NULL)
		return pms_seterr(PMS_EDATA, "not valid UTF-8");
	for (p = f, end = f + len; p < end;) {
		p += u8_mbtouc(&uc, p, (size_t)(end - p));
		if (uc == ' ' || uc == '\t' || uc == 0xA0 || uc == '\r' ||
		    uc == '\n') {
			/* a quoted newline of a spreadsheet cell: a blank */
			space = 1;
			continue;
		}
		if (uc < 0x20 || uc == 0x7F || (uc >= 0x80 && uc < 0xA0) ||
		    uc == 0x2028 || uc == 0x2029) {
			st = pms_seterr(PMS_EDATA, "a control character");
			goto out;
		}
		if (space && n > 0) {
			if (put_str(out, size, &n, " ") == -1)
				goto toolong;
			chars++;
		}
		space = 0;
		if (put_uc(out, size, &n, uc) == -1)
			goto toolong;
		chars++;
	}
	out[n] = '\0';
	if (chars > max)
		goto toolong;
	goto out;
toolong:
	out[0] = '\0';
	st = pms_seterr(PMS_EDATA, "longer than %zu characters", max);
out:
	if (f != stack)
		free(f);
	return st;
}

/* ---- places ---- */

static const struct state {
	const char	*code;
	const char	*name;
} us_states[] = {
	{ "AL", "Alabama" }, { "AK", "Alaska" }, { "AZ", "Arizona" },
	{ "AR", "Arkansas" }, { "CA", "California" }, { "CO", "Colorado" },
	{ "CT", "Connecticut" }, { "DE", "Delaware" },
	{ "DC", "District of Columbia" }, { "FL", "Florida" },
	{ "GA", "Georgia" }, { "HI", "Hawaii" }, { "ID", "Idaho" },
	{ "IL", "Illinois" }, { "IN", "Indiana" }, { "IA", "Iowa" },
	{ "KS", "Kansas" }, { "KY", "Kentucky" }, { "LA", "Louisiana" },
	{ "ME", "Maine" }, { "MD", "Maryland" }, { "MA", "Massachusetts" },
	{ "MI", "Michigan" }, { "MN", "Minnesota" }, { "MS", "Mississippi" },
	{ "MO", "Missouri" }, { "MT", "Montana" }, { "NE", "Nebraska" },
	{ "NV", "Nevada" }, { "NH", "New Hampshire" }, { "NJ", "New Jersey" },
	{ "NM", "New Mexico" }, { "NY", "New York" },
	{ "NC", "North Carolina" }, { "ND", "North Dakota" }, { "OH", "Ohio" },
	{ "OK", "Oklahoma" }, { "OR", "Oregon" }, { "PA", "Pennsylvania" },
	{ "RI", "Rhode Island" }, { "SC", "South Carolina" },
	{ "SD", "South Dakota" }, { "TN", "Tennessee" }, { "TX", "Texas" },
	{ "UT", "Utah" }, { "VT", "Vermont" }, { "VA", "Virginia" },
	{ "WA", "Washington" }, { "WV", "West Virginia" },
	{ "WI", "Wisconsin" }, { "WY", "Wyoming" },
	{ "AS", "American Samoa" }, { "GU", "Guam" },
	{ "MP", "Northern Mariana Islands" }, { "PR", "Puerto Rico" },
	{ "VI", "U.S. Virgin Islands" }, { "VI", "Virgin Islands" },
	{ "UM", "U.S. Minor Outlying Islands" },
	{ "AA", "Armed Forces Americas" }, { "AE", "Armed Forces Europe" },
	{ "AP", "Armed Forces Pacific" },
};

/* Equal without regard to ASCII case, blanks and full stops. */
static int
loose_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '.')
			a++;
		while (*b == ' ' || *b == '.')
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

const char *
pms_us_state_code(const char *name)
{
	size_t i;

	if (name[0] != '\0' && name[1] != '\0' && name[2] == '\0') {
		/* a code: the common case, without the names */
		for (i = 0; i < PMS_NELEM(us_states); i++)
			if (toupper((unsigned char)name[0]) ==
			    us_states[i].code[0] &&
			    toupper((unsigned char)name[1]) ==
			    us_states[i].code[1])
				return us_states[i].code;
		return NULL;
	}
	for (i = 0; i < PMS_NELEM(us_states); i++)
		if (strcasecmp(us_states[i].code, name) == 0 ||
		    loose_eq(us_states[i].name, name))
			return us_states[i].code;
	return NULL;
}

/* ISO 3166 alpha-2 codes with their calling code and trunk prefix:
 * enough for a practice's patients; others give numbers with "+". */
static const struct country {
	const char	*code;
	const char	*cc;		/* calling code */
	const char	*trunk;		/* dropped from national numbers */
	const char	*name;
} countries[] = {
	{ "US", "1", "1", "United States" }, { "CA", "1", "1", "Canada" },
	{ "PR", "1", "1", "Puerto Rico" }, { "VI", "1", "1", NULL },
	{ "GU", "1", "1", "Guam" }, { "AS", "1", "1", NULL },
	{ "MP", "1", "1", NULL }, { "BS", "1", "1", "Bahamas" },
	{ "JM", "1", "1", "Jamaica" }, { "DO", "1", "1", NULL },
	{ "GB", "44", "0", "United Kingdom" }, { "IE", "353", "0", "Ireland" },
	{ "FR", "33", "0", "France" }, { "DE", "49", "0", "Germany" },
	{ "ES", "34", "", "Spain" }, { "IT", "39", "", "Italy" },
	{ "PT", "351", "", "Portugal" }, { "NL", "31", "0", "Netherlands" },
	{ "BE", "32", "0", "Belgium" }, { "LU", "352", "", "Luxembourg" },
	{ "CH", "41", "0", "Switzerland" }, { "AT", "43", "0", "Austria" },
	{ "SE", "46", "0", "Sweden" }, { "NO", "47", "", "Norway" },
	{ "DK", "45", "", "Denmark" }, { "FI", "358", "0", "Finland" },
	{ "IS", "354", "", "Iceland" }, { "PL", "48", "", "Poland" },
	{ "CZ", "420", "", NULL }, { "GR", "30", "", "Greece" },
	{ "AU", "61", "0", "Australia" }, { "NZ", "64", "0", "New Zealand" },
	{ "MX", "52", "", "Mexico" }, { "BR", "55", "0", "Brazil" },
	{ "AR", "54", "0", "Argentina" }, { "CO", "57", "", "Colombia" },
	{ "IN", "91", "0", "India" }, { "JP", "81", "0", "Japan" },
	{ "CN", "86", "0", "China" }, { "KR", "82", "0", NULL },
	{ "PH", "63", "0", "Philippines" }, { "ZA", "27", "0", NULL },
	{ "IL", "972", "0", "Israel" }, { "SG", "65", "", "Singapore" },
};

static const struct country *
country_find(const char *code)
{
	size_t i;

	for (i = 0; i < PMS_NELEM(countries); i++)
		if (strcasecmp(countries[i].code, code) == 0 ||
		    (countries[i].name != NULL &&
		    loose_eq(countries[i].name, code)))
			return &countries[i];
	return NULL;
}

/* Every officially assigned ISO 3166-1 alpha-2 code, two letters each,
 * in order (the iso-codes list of 2024; UK is not one: GB is). */
static const char iso3166[] =
	    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQ"
	    "BRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDM"
	    "DODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGS"
	    "GTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKN"
	    "KPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQ"
	    "MRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPM"
	    "PNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSV"
	    "SXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVI"
	    "VNVUWFWSYEYTZAZMZW";

int
pms_country_valid(const char *code)
{
	size_t lo = 0, hi = (sizeof(iso3166) - 1) / 2, mid;
	int c;

	if (strlen(code) != 2)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strncmp(code, iso3166 + 2 * mid, 2)) == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* ---- phones ---- */

/* The ten digits of a NANP number: NXX NXX XXXX. */
static int
nanp_valid(const char *d)
{
	size_t i;

	for (i = 0; i < 10; i++)
		if (!isdigit((unsigned char)d[i]))
			return 0;
	return d[10] == '\0' && d[0] >= '2' && d[3] >= '2' &&
	    !(d[1] == '1' && d[2] == '1');
}

enum pms_status
pms_phone_e164(const char *in, const char *country, char out[PMS_PT_PHONE])
{
	const struct country *c;
	char d[32];
	size_t n = 0, len;
	const char *p;
	int plus = 0;

	out[0] = '\0';
	for (p = in; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-' || *p == '.' || *p == '(' ||
		    *p == ')' || *p == '/' || *p == '\t')
			continue;
		if (*p == '+' && n == 0 && !plus) {
			plus = 1;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof(d))
				return pms_seterr(PMS_EDATA, "too many digits "
				    "for a phone number");
			d[n++] = *p;
			continue;
		}
		if (*p == 'x' || *p == 'X' || *p == '#' || *p == ',' ||
		    *p == ';' || strncasecmp(p, "ext", 3) == 0)
			return pms_seterr(PMS_EDATA, "an extension (pms keeps "
			    "none: the number alone, please)");
		return pms_seterr(PMS_EDATA, "not a phone number (digits, "
		    "spaces, dashes, dots, parentheses and a leading \"+\" "
		    "only)");
	}
	d[n] = '\0';
	if (n == 0)
		return pms_seterr(PMS_EDATA, "not a phone number: no digits");
	c = country_find(country != NULL ? country : "US");
	if (!plus && c != NULL) {
		/* the international prefix: 011 in NANP, 00 elsewhere */
		if (strcmp(c->cc, "1") == 0 && strncmp(d, "011", 3) == 0) {
			memmove(d, d + 3, n - 2);
			n -= 3;
			plus = 1;
		} else if (strncmp(d, "00", 2) == 0) {
			/* no national number starts with 00, in NANP none
			 * with 0 at all: the prefix of the rest of the world */
			memmove(d, d + 2, n - 1);
			n -= 2;
			plus = 1;
		}
	}
	if (plus) {
		if (d[0] == '0')
			return pms_seterr(PMS_EDATA, "not a phone number: no "
			    "country code starts with 0");
		if (d[0] == '1' && !nanp_valid(d + 1))
			return pms_seterr(PMS_EDATA, "not a phone number: a "
			    "+1 number has ten digits, the area code and "
			    "exchange not starting with 0 or 1");
		if (n < 8 || n > 15)
			return pms_seterr(PMS_EDATA, "not a phone number: "
			    "E.164 numbers have 8 to 15 digits");
		out[0] = '+';
		memcpy(out + 1, d, n + 1);	/* n <= 15: it fits */
		return PMS_OK;
	}
	if (c == NULL)
		return pms_seterr(PMS_EDATA, "not a phone number pms can read "
		    "for the country: write it with \"+\" and its country "
		    "code");
	if (strcmp(c->cc, "1") == 0) {
		p = n == 11 && d[0] == '1' ? d + 1 : d;
		if (!nanp_valid(p))
			return pms_seterr(PMS_EDATA, "not a phone number: ten "
			    "digits expected, the area code and exchange not "
			    "starting with 0 or 1");
		out[0] = '+';
		out[1] = '1';
		memcpy(out + 2, p, 10);
		out[12] = '\0';
		return PMS_OK;
	}
	p = d;
	len = strlen(c->trunk);
	if (len > 0 && strncmp(d, c->trunk, len) == 0)
		p += len;
	if (strlen(p) < 4 || strlen(c->cc) + strlen(p) > 15 ||
	    strlen(c->cc) + strlen(p) < 8)
		return pms_seterr(PMS_EDATA, "not a phone number: too few or "
		    "too many digits");
	if ((size_t)snprintf(out, PMS_PT_PHONE, "+%s%s", c->cc, p) >=
	    PMS_PT_PHONE) {
		out[0] = '\0';
		return pms_seterr(PMS_EDATA, "too many digits for a phone "
		    "number");
	}
	return PMS_OK;
}

/* ---- dates ---- */

/* pms_date_fmt without printf, for the speed of an import. */
static void
date_iso(int32_t days, char *out, size_t size)
{
	int y, m, d;

	if (size < PMS_DATE_BUFSZ)
		return;
	pms_date_split(days, &y, &m, &d);
	if (y < 1000 || y > 9999) {
		pms_date_fmt(days, out);
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* "a/b/yyyy" (or with "." or "-"): the two small numbers, 1 if so. */
static int
slash_date(const char *s, int *a, int *b)
{
	int n1 = 0, n2 = 0, y = 0, k;
	const char *p = s;
	char sep;

	while (*p == ' ')
		p++;
	for (k = 0; isdigit((unsigned char)*p) && k < 3; k++, p++)
		n1 = n1 * 10 + (*p - '0');
	if (k == 0 || k > 2 || (*p != '/' && *p != '.' && *p != '-'))
		return 0;
	sep = *p++;
	for (k = 0; isdigit((unsigned char)*p) && k < 3; k++, p++)
		n2 = n2 * 10 + (*p - '0');
	if (k == 0 || k > 2 || *p++ != sep)
		return 0;
	for (k = 0; isdigit((unsigned char)*p) && k < 5; k++, p++)
		y = y * 10 + (*p - '0');
	while (*p == ' ')
		p++;
	if (k != 4 || *p != '\0')
		return 0;
	*a = n1;
	*b = n2;
	return 1;
}

/* Only digits and at most one ".": a number. */
static int
is_number(const char *s)
{
	int dot = 0, dig = 0;

	for (; *s == ' '; s++)
		;
	for (; *s != '\0' && *s != ' '; s++) {
		if (*s == '.' && !dot)
			dot = 1;
		else if (isdigit((unsigned char)*s))
			dig = 1;
		else
			return 0;
	}
	for (; *s == ' '; s++)
		;
	return dig && *s == '\0';
}

static const char *
form_name(enum pms_date_form f)
{
	return f == PMS_DATE_MDY ? "MM/DD/YYYY" : f == PMS_DATE_DMY ?
	    "DD/MM/YYYY" : f == PMS_DATE_EXCEL ? "Excel serial" : "ISO";
}

/*
 * A date in the form of d (none given: ISO, or a slash date that can be
 * read one way only and the same way as the others of the input).
 */
static enum pms_status
date_value(const char *in, struct pt_dates *d, unsigned long line,
    int32_t *days)
{
	struct pt_dates none = { PMS_DATE_ISO, PMS_DATE_ISO, 0 };
	enum pms_date_form f;
	int a, b;

	if (d == NULL)
		d = &none;
	if (d->form != PMS_DATE_ISO)
		return pms_date_parse(in, d->form, days);
	if (pms_date_parse(in, PMS_DATE_ISO, days) == PMS_OK)
		return PMS_OK;
	if (slash_date(in, &a, &b)) {
		if (a > 12 && b <= 12)
			f = PMS_DATE_DMY;
		else if (b > 12 && a <= 12)
			f = PMS_DATE_MDY;
		else if (a == b)
			f = d->seen != PMS_DATE_ISO ? d->seen : PMS_DATE_MDY;
		else if (a > 12)
			return pms_seterr(PMS_EDATA, "not a valid date");
		else
			return pms_seterr(PMS_EDATA, "ambiguous date: day and "
			    "month could be either way round (give "
			    "--date-format mdy or dmy)");
		if (d->seen != PMS_DATE_ISO && d->seen != f) {
			if (d->seen_line > 0)
				return pms_seterr(PMS_EDATA, "a date written "
				    "%s, but line %lu has %s (give "
				    "--date-format mdy or dmy)", form_name(f),
				    d->seen_line, form_name(d->seen));
			return pms_seterr(PMS_EDATA, "a date written %s, "
			    "another %s (give --date-format mdy or dmy)",
			    form_name(f), form_name(d->seen));
		}
		if (a != b && d->seen == PMS_DATE_ISO) {
			d->seen = f;
			d->seen_line = line;
		}
		return pms_date_parse(in, f, days);
	}
	if (is_number(in))
		return pms_seterr(PMS_EDATA, "a number, not a date (for "
		    "spreadsheet serials give --date-format excel)");
	return pms_seterr(PMS_EDATA, "not a valid date (expected YYYY-MM-DD)");
}

/* ---- the rest ---- */

static enum pms_status
word_value(const char *in, const char *const *words, const char *const
    *values, const char *what, char *out, size_t size)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(in, words[i]) == 0) {
			pt_cpy(out, size, values[i]);
			return PMS_OK;
		}
	return pms_seterr(PMS_EDATA, "expected %s", what);
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

static enum pms_status
zip_value(const char *in, const char *country, char *out, size_t size,
    const char **warn)
{
	size_t n = strlen(in), i;

	if (country == NULL || strcmp(country, "US") == 0) {
		if (n == 5 && all_digits(in, 5)) {
			pt_cpy(out, size, in);
			return PMS_OK;
		}
		if (n == 10 && in[5] == '-') {
			for (i = 0; i < 10; i++)
				if (i != 5 && !isdigit((unsigned char)in[i]))
					break;
			if (i == 10) {
				pt_cpy(out, size, in);
				return PMS_OK;
			}
		}
		if (n == 9 && all_digits(in, 9)) {
			snprintf(out, size, "%.5s-%s", in, in + 5);
			return PMS_OK;
		}
		if ((n == 4 && all_digits(in, 4)) || (n == 8 &&
		    all_digits(in, 8))) {
			/* kept as typed: padding would guess */
			*warn = "a ZIP code of 4 digits: a leading zero lost "
			    "in a spreadsheet? kept as it is";
			pt_cpy(out, size, in);
			return PMS_OK;
		}
		return pms_seterr(PMS_EDATA, "not a ZIP code (5 digits, or "
		    "5-4)");
	}
	if (n > 15)
		return pms_seterr(PMS_EDATA, "longer than 15 characters");
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)in[i]) && in[i] != ' ' &&
		    in[i] != '-')
			return pms_seterr(PMS_EDATA, "not a postal code "
			    "(letters, digits, spaces and hyphens)");
	pt_cpy(out, size, in);
	return PMS_OK;
}

static enum pms_status
email_value(const char *in, char *out, size_t size)
{
	const char *at = strchr(in, '@'), *p;
	size_t n = strlen(in);

	if (n > 254)
		return pms_seterr(PMS_EDATA, "longer than 254 characters");
	if (at == NULL || at == in || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    in[n - 1] == '.')
		return pms_seterr(PMS_EDATA, "not an e-mail address");
	for (p = in; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',' ||
		    *p == ';' || *p == '<' || *p == '>' || *p == '"')
			return pms_seterr(PMS_EDATA, "not an e-mail address");
	pt_cpy(out, size, in);
	return PMS_OK;
}

static const struct language {
	const char	*name;
	const char	*tag;
} languages[] = {
	{ "english", "en" }, { "spanish", "es" }, { "espanol", "es" },
	{ "español", "es" }, { "french", "fr" }, { "portuguese", "pt" },
	{ "chinese", "zh" }, { "mandarin", "zh" }, { "cantonese", "yue" },
	{ "vietnamese", "vi" }, { "russian", "ru" }, { "arabic", "ar" },
	{ "german", "de" }, { "italian", "it" }, { "haitian creole", "ht" },
	{ "korean", "ko" }, { "japanese", "ja" }, { "polish", "pl" },
	{ "tagalog", "tl" }, { "hindi", "hi" }, { "greek", "el" },
	{ "somali", "so" }, { "cape verdean creole", "kea" },
	{ "dutch", "nl" }, { "hebrew", "he" }, { "turkish", "tr" },
	{ "ukrainian", "uk" }, { "persian", "fa" }, { "farsi", "fa" },
	{ "urdu", "ur" }, { "bengali", "bn" }, { "punjabi", "pa" },
	{ "swahili", "sw" }, { "amharic", "am" }, { "hmong", "hmn" },
	{ "khmer", "km" }, { "lao", "lo" }, { "thai", "th" },
	{ "nepali", "ne" }, { "tamil", "ta" }, { "telugu", "te" },
	{ "gujarati", "gu" }, { "american sign language", "ase" },
};

/* A language tag ("en", "pt-BR", "yue") or the English name of one. */
static enum pms_status
lang_value(const char *in, char *out, size_t size)
{
	const char *p;
	size_t i, k;

	for (p = in, k = 0; isalpha((unsigned char)*p); p++, k++)
		;
	if (k < 2 || k > 3 || (*p != '\0' && *p != '-' && *p != '_')) {
		for (i = 0; i < PMS_NELEM(languages); i++)
			if (strcasecmp(in, languages[i].name) == 0) {
				pt_cpy(out, size, languages[i].tag);
				return PMS_OK;
			}
		goto bad;
	}
	while (*p == '-' || *p == '_') {
		for (p++, k = 0; isalnum((unsigned char)*p); p++, k++)
			;
		if (k < 2 || k > 8)
			goto bad;
	}
	if (*p != '\0' || strlen(in) >= size)
		goto bad;
	/* "pt_br" and "PT-br" both as "pt-BR" */
	for (i = 0, k = 0; in[i] != '\0'; i++) {
		if (in[i] == '-' || in[i] == '_') {
			out[i] = '-';
			k++;
		} else
			out[i] = (char)(k == 0 ? tolower((unsigned char)in[i]) :
			    toupper((unsigned char)in[i]));
	}
	out[i] = '\0';
	return PMS_OK;
bad:
	return pms_seterr(PMS_EDATA, "not a language (a tag such as \"en\" "
	    "or \"pt-BR\", or its English name)");
}

static enum pms_status
ssn_value(const char *in, char *out, size_t size)
{
	char d[10];
	size_t n = 0;
	const char *p;

	for (p = in; *p != '\0'; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (!isdigit((unsigned char)*p) || n == 9)
			return pms_seterr(PMS_EDATA, "not a social security "
			    "number (nine digits)");
		d[n++] = *p;
	}
	if (n != 9)
		return pms_seterr(PMS_EDATA, "not a social security number "
		    "(nine digits)");
	d[9] = '\0';
	pt_cpy(out, size, d);
	return PMS_OK;
}

static enum pms_status
mrn_value(const char *in, size_t max, char *out, size_t size)
{
	const unsigned char *p;
	size_t n;

	if (u8_check((const uint8_t *)in, strlen(in)) != NULL)
		return pms_seterr(PMS_EDATA, "not valid UTF-8");
	for (p = (const unsigned char *)in; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return pms_seterr(PMS_EDATA, "a control character");
	/* blanks around it are no part of it, wherever it is typed */
	while (*in == ' ')
		in++;
	for (n = strlen(in); n > 0 && in[n - 1] == ' '; n--)
		;
	if (n == 0)
		return pms_seterr(PMS_EDATA, "only blanks");
	if (n > max || n >= size)
		return pms_seterr(PMS_EDATA, "longer than %zu bytes", max);
	memcpy(out, in, n);
	out[n] = '\0';
	return PMS_OK;
}

enum pms_status
pt_mrn_norm(const char *in, char out[PMS_PT_MRN])
{
	return mrn_value(in, PMS_PT_MRN - 1, out, PMS_PT_MRN);
}

void
pt_now(char buf[PMS_PT_STAMP])
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(buf, PMS_PT_STAMP, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum pms_status
pt_env_load(struct pms_store *s, struct pt_env *e)
{
	struct pms_practice p;
	enum pms_status st;

	snprintf(e->country, sizeof(e->country), "US");
	snprintf(e->zone, sizeof(e->zone), "UTC");
	st = pms_practice_get(s, &p);
	if (st == PMS_OK) {
		if (p.country[0] != '\0')
			snprintf(e->country, sizeof(e->country), "%s",
			    p.country);
		if (p.time_zone[0] != '\0')
			snprintf(e->zone, sizeof(e->zone), "%s", p.time_zone);
	} else if (st != PMS_ECONFIG)
		return st;
	return pms_today(e->zone, &e->today);
}

static const char *const sex_words[] = { "f", "female", "w", "woman",
    "m", "male", "man", "x", "nonbinary", "non-binary", "other", "o", "u",
    "unknown", NULL };
static const char *const sex_vals[] = { "F", "F", "F", "F", "M", "M", "M",
    "X", "X", "X", "X", "X", "U", "U" };
static const char *const contact_words[] = { "sms", "text", "email",
    "e-mail", "phone", "call", "mail", "post", "letter", "none", NULL };
static const char *const contact_vals[] = { "sms", "sms", "email",
    "email", "phone", "phone", "mail", "mail", "mail", "none" };
static const char *const bool_words[] = { "yes", "y", "true", "t", "1",
    "no", "n", "false", "f", "0", NULL };
static const char *const bool_vals[] = { "1", "1", "1", "1", "1", "0",
    "0", "0", "0", "0" };
static const char *const status_words[] = { "active", "a", "inactive",
    "i", "deceased", "d", "dead", NULL };
static const char *const status_vals[] = { "active", "active", "inactive",
    "inactive", "deceased", "deceased", "deceased" };
static const char *const rel_words[] = { "spouse", "parent", "mother",
    "father", "child", "guardian", "legal guardian", "other", NULL };
static const char *const rel_vals[] = { "spouse", "parent", "parent",
    "parent", "child", "guardian", "guardian", "other" };
static const char *const subrel_words[] = { "self", "18", "spouse", "01",
    "child", "19", "other", "g8", NULL };
static const char *const subrel_vals[] = { "self", "self", "spouse",
    "spouse", "child", "child", "other", "other" };
static const char *const prio_words[] = { "primary", "p", "1",
    "secondary", "s", "2", "tertiary", "t", "3", NULL };
static const char *const prio_vals[] = { "1", "1", "1", "2", "2", "2",
    "3", "3", "3" };

/* The day n years before today (the 28th for a 29 February). */
static int32_t
years_before(int32_t today, int n)
{
	int32_t days;
	int y, m, d;

	pms_date_split(today, &y, &m, &d);
	if (pms_date_make(y - n, m, d, &days) != PMS_OK &&
	    pms_date_make(y - n, m, 28, &days) != PMS_OK)
		return INT32_MIN;
	return days;
}

/* No one living, or born, or dead, is more than this many years back. */
#define PT_YEARS_MAX	130

enum pms_status
pt_value(const struct pt_field *f, const char *in, const struct pt_env *env,
    struct pt_dates *dates, unsigned long line, char *out, size_t size,
    const char **notice, const char **warn)
{
	const char *code;
	struct pms_local l;
	int32_t days;
	enum pms_status st;
	enum pms_date_form form;
	int quotes;
	char buf[PMS_PT_STAMP];

	out[0] = '\0';
	switch (f->kind) {
	case K_MRN:
		return mrn_value(in, f->max, out, size);
	case K_NAME:
		if ((st = name_clean(in, f->max, out, size, &quotes)) ==
		    PMS_OK && quotes > 0)
			*notice = "typographic apostrophe made plain";
		return st;
	case K_TEXT:
		return text_clean(in, f->max, out, size);
	case K_ID:
		if ((st = text_clean(in, f->max, out, size)) != PMS_OK)
			return st;
		/* it goes into claims as it is: an X12 separator in it
		 * would cut the segment where the payer reads it */
		if (strpbrk(out, "*~:^|") != NULL)
			return pms_seterr(PMS_EDATA, "a character a claim "
			    "cannot carry (* ~ : ^ |)");
		return PMS_OK;
	case K_DATE:
		if ((st = date_value(in, dates, line, &days)) != PMS_OK)
			return st;
		if (days > env->today)
			return pms_seterr(PMS_EDATA, "a date in the future");
		if (days < years_before(env->today, PT_YEARS_MAX))
			return pms_seterr(PMS_EDATA, "a date more than %d "
			    "years ago", PT_YEARS_MAX);
		date_iso(days, out, size);
		return PMS_OK;
	case K_DAY:
		if ((st = date_value(in, dates, line, &days)) != PMS_OK)
			return st;
		date_iso(days, out, size);
		return PMS_OK;
	case K_STAMP:
		form = dates != NULL ? dates->form : PMS_DATE_ISO;
		if (strchr(in, ':') == NULL && !(form == PMS_DATE_EXCEL &&
		    strchr(in, '.') != NULL && is_number(in))) {
			if ((st = date_value(in, dates, line, &days)) !=
			    PMS_OK)
				return st;
			if (days > env->today)
				return pms_seterr(PMS_EDATA, "a date in the "
				    "future");
			date_iso(days, out, size);
			return PMS_OK;
		}
		if ((st = pms_local_parse(in, form, &l)) != PMS_OK)
			return st;
		if (l.has_offset)
			return pms_seterr(PMS_EDATA, "a time with an offset: "
			    "give the practice's wall-clock time");
		if (l.days > env->today)
			return pms_seterr(PMS_EDATA, "a date in the future");
		l.has_offset = 0;
		pms_local_fmt(&l, buf);
		pt_cpy(out, size, buf);
		return PMS_OK;
	case K_SEX:
		return word_value(in, sex_words, sex_vals, "F, M, X or U",
		    out, size);
	case K_STATE:
		if ((code = pms_us_state_code(in)) != NULL) {
			pt_cpy(out, size, code);
			return PMS_OK;
		}
		if (strcmp(env->country, "US") == 0)
			return pms_seterr(PMS_EDATA, "not a US state (its "
			    "two-letter code or name)");
		return text_clean(in, f->max, out, size);
	case K_ZIP:
		return zip_value(in, env->country, out, size, warn);
	case K_COUNTRY:
		{
			const struct country *c = country_find(in);
			char cc[3];

			if (c == NULL && strlen(in) == 2) {
				cc[0] = (char)toupper((unsigned char)in[0]);
				cc[1] = (char)toupper((unsigned char)in[1]);
				cc[2] = '\0';
				if (pms_country_valid(cc)) {
					pt_cpy(out, size, cc);
					return PMS_OK;
				}
				if (strcmp(cc, "UK") == 0)
					return pms_seterr(PMS_EDATA, "not a "
					    "country code: the United "
					    "Kingdom's is GB (ISO 3166)");
			}
			if (c == NULL)
				return pms_seterr(PMS_EDATA, "not a country "
				    "(its ISO 3166 two-letter code)");
			pt_cpy(out, size, c->code);
			return PMS_OK;
		}
	case K_PHONE:
		return pms_phone_e164(in, env->country, out);
	case K_EMAIL:
		return email_value(in, out, size);
	case K_CONTACT:
		return word_value(in, contact_words, contact_vals,
		    "sms, email, phone, mail or none", out, size);
	case K_BOOL:
		return word_value(in, bool_words, bool_vals, "yes or no", out,
		    size);
	case K_LANG:
		return lang_value(in, out, size);
	case K_STATUS:
		return word_value(in, status_words, status_vals,
		    "active, inactive or deceased", out, size);
	case K_SSN:
		return ssn_value(in, out, size);
	case K_REL:
		return word_value(in, rel_words, rel_vals,
		    "spouse, parent, child, guardian or other", out, size);
	case K_SUBREL:
		return word_value(in, subrel_words, subrel_vals,
		    "self, spouse, child or other", out, size);
	case K_PRIORITY:
		return word_value(in, prio_words, prio_vals,
		    "primary, secondary or tertiary", out, size);
	case K_CODE:
		if (strlen(in) > f->max)
			return pms_seterr(PMS_EDATA, "not a code of the "
			    "configuration");
		pt_cpy(out, size, in);
		return PMS_OK;
	}
	return pms_seterr(PMS_EINTERNAL, "unknown kind of field");
}

void
pt_store(const struct pt_field *f, void *base, const char *val)
{
	char *p = (char *)base + f->off;


	if (f->size == 0 && f->kind == K_PRIORITY)
		*(int *)(void *)p = val != NULL && val[0] >= '1' &&
		    val[0] <= '3' ? val[0] - '0' : 1;
	else if (f->size == 0)
		*(int *)(void *)p = val != NULL && strcmp(val, "1") == 0;
	else
		pt_cpy(p, f->size, val != NULL ? val : "");
}

const char *
pt_text(const struct pt_field *f, const void *base, char *buf, size_t size)
{
	const char *p = (const char *)base + f->off;

	if (f->size == 0) {
		/* booleans and priorities: one digit */
		if (size >= 2) {
			buf[0] = (char)('0' + *(const int *)(const void *)p %
			    10);
			buf[1] = '\0';
		}
		return buf;
	}
	return p;
}
