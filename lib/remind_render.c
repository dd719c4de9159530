/*
 * remind_render.c: the reminders' templates and their rendering.  The
 * shipped templates (share/templates/NAME.LANGUAGE.txt, embedded by the
 * Makefile) and those of the configuration, which stand in for shipped
 * ones of the same name and language; each message rendered into a
 * buffer of its own from the template as it is, never changing the
 * template (B29: a template formatted in place carried the first
 * patient's text into every later message).
 *
 * Dates and times are written from the appointment's wall clock at its
 * location, with month and weekday names from the tables below (never
 * the process's locale), and the zone's abbreviation is the tz
 * database's for that instant (B08).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "remind_int.h"

/* ---- names of days and months, and how each language writes them ---- */

struct lang_names {
	const char	*tag;
	const char	*weekdays[7];	/* Monday first */
	const char	*months[12];
	const char	*confirm_hint;
};

static const struct lang_names langs[] = {
	{ "en",
	  { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	    "Saturday", "Sunday" },
	  { "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	  "Reply C to confirm, X to cancel." },
	{ "es",
	  { "lunes", "martes", "mi\xc3\xa9rcoles", "jueves", "viernes",
	    "s\xc3\xa1" "bado", "domingo" },
	  { "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
	    "agosto", "septiembre", "octubre", "noviembre", "diciembre" },
	  "Responda C para confirmar, X para cancelar." },
};

/* The names of language (its primary subtag), or NULL if we have none. */
static const struct lang_names *
lang_find(const char *language)
{
	size_t i, n;

	if (language == NULL)
		return NULL;
	n = strcspn(language, "-_");
	for (i = 0; i < PMS_NELEM(langs); i++)
		if (strlen(langs[i].tag) == n &&
		    strncasecmp(langs[i].tag, language, n) == 0)
			return &langs[i];
	return NULL;
}

/* "Thursday, March 20"; "jueves 20 de marzo"; else ISO. */
static void
date_fmt(const struct lang_names *l, int32_t days, char *buf, size_t size)
{
	int y, m, d, wd = pms_date_weekday(days);

	pms_date_split(days, &y, &m, &d);
	if (l == NULL)
		snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
	else if (strcmp(l->tag, "es") == 0)
		snprintf(buf, size, "%s %d de %s", l->weekdays[wd], d,
		    l->months[m - 1]);
	else
		snprintf(buf, size, "%s, %s %d", l->weekdays[wd],
		    l->months[m - 1], d);
}

/* "10:30 AM" in English, "10:30" elsewhere. */
static void
time_fmt(const struct lang_names *l, int32_t secs, char *buf, size_t size)
{
	int h = secs / 3600, mi = secs / 60 % 60;

	if (l != NULL && strcmp(l->tag, "en") == 0)
		snprintf(buf, size, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, mi,
		    h < 12 ? "AM" : "PM");
	else
		snprintf(buf, size, "%02d:%02d", h, mi);
}

/* ---- rendering ---- */

struct buf {
	char		*p;
	size_t		 n, cap;
	int		 nomem;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (b->nomem)
		return;
	if (b->n + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* The value of placeholder name (n bytes), or NULL if there is none. */
static const char *
value(const struct rm_vals *v, const char *name, size_t n, char *tmp,
    size_t size)
{
	const struct lang_names *l = lang_find(v->language);
	const char *s;

#define IS(k)	(n == sizeof(k) - 1 && memcmp(name, k, n) == 0)
	if (IS("preferred_name"))
		s = v->preferred_name != NULL && *v->preferred_name != '\0' ?
		    v->preferred_name : v->first_name;
	else if (IS("first_name"))
		s = v->first_name;
	else if (IS("provider"))
		s = v->provider;
	else if (IS("location"))
		s = v->location;
	else if (IS("address") || IS("location_address"))
		s = v->address;
	else if (IS("location_phone"))
		s = v->location_phone;
	else if (IS("practice"))
		s = v->practice;
	else if (IS("practice_phone"))
		s = v->practice_phone;
	else if (IS("type"))
		s = v->type;
	else if (IS("zone"))
		s = v->zone_abbr;
	else if (IS("date")) {
		date_fmt(l, v->days, tmp, size);
		s = tmp;
	} else if (IS("weekday")) {
		snprintf(tmp, size, "%s", (l != NULL ? l : &langs[0])->
		    weekdays[pms_date_weekday(v->days)]);
		s = tmp;
	} else if (IS("time")) {
		time_fmt(l, v->secs, tmp, size);
		s = tmp;
	} else if (IS("confirm_hint"))
		s = (l != NULL ? l : &langs[0])->confirm_hint;
	else
		return NULL;
#undef IS
	return s != NULL ? s : "";
}

/* A character of a placeholder's name. */
static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

enum pms_status
rm_render(const char *text, const char *what, const struct rm_vals *v,
    char **out)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *p = text, *e, *val;
	char tmp[128];
	size_t n;

	*out = NULL;
	put(&b, "", 0);
	while (*p != '\0') {
		e = p + strcspn(p, "{}");
		put(&b, p, (size_t)(e - p));
		p = e;
		if (*p == '\0')
			break;
		if (p[0] == p[1]) {		/* "{{" or "}}" */
			put(&b, p, 1);
			p += 2;
			continue;
		}
		/* a placeholder is a name in braces; any other brace is lone */
		if (*p == '}')
			goto lone;
		for (n = 1; name_char((unsigned char)p[n]); n++)
			;
		if (n == 1 || p[n] != '}')
			goto lone;
		e = p + n;
		if ((val = value(v, p + 1, n - 1, tmp, sizeof(tmp))) == NULL) {
			free(b.p);
			if (n - 1 > 32)
				return pms_seterr(PMS_ECONFIG, "template %s: an "
				    "unknown placeholder of %zu characters (see "
				    "pms-remind(1))", what, n - 1);
			return pms_seterr(PMS_ECONFIG, "template %s: unknown "
			    "placeholder {%.*s} (see pms-remind(1))", what,
			    (int)(n - 1), p + 1);
		}
		put(&b, val, strlen(val));
		p = e + 1;
	}
	if (b.nomem) {
		free(b.p);
		return pms_seterr(PMS_ENOMEM, "out of memory");
	}
	*out = b.p;
	return PMS_OK;
lone:
	free(b.p);
	return pms_seterr(PMS_ECONFIG, "template %s: a lone \"%c\" (write "
	    "\"%c%c\" for the brace itself)", what, *p, *p, *p);
}

enum pms_status
pms_remind_tpl_check(const char *text, const char *what)
{
	struct rm_vals v;
	enum pms_status st;
	char *out;

	memset(&v, 0, sizeof(v));
	if ((st = rm_render(text, what, &v, &out)) != PMS_OK)
		return st;
	free(out);
	return PMS_OK;
}

int
pms_remind_tpl_shipped(const char *name, const char *channel)
{
	struct rm_tpls t;
	int found;

	if (rm_tpls_load(&t, NULL) != PMS_OK)
		return 1;	/* cannot tell: not a mistake of the file's */
	found = rm_tpl_find(&t, name, channel, "en") != NULL;
	rm_tpls_release(&t);
	return found;
}

enum pms_status
rm_tpl_check(const struct rm_tpl *t)
{
	struct rm_vals v;
	enum pms_status st;
	char what[64], *out;

	memset(&v, 0, sizeof(v));
	v.language = t->language;
	snprintf(what, sizeof(what), "%s (%s)", t->name, t->language);
	if ((st = rm_render(t->body, what, &v, &out)) != PMS_OK)
		return st;
	free(out);
	if (t->subject == NULL)
		return PMS_OK;
	if ((st = rm_render(t->subject, what, &v, &out)) != PMS_OK)
		return st;
	free(out);
	return PMS_OK;
}

/* ---- GSM-7 (3GPP TS 23.038) ---- */

/* The default alphabet's characters beyond printable ASCII. */
static const unsigned gsm_basic[] = {
	0x0a, 0x0d, 0xa1, 0xa3, 0xa4, 0xa5, 0xa7, 0xbf, 0xc4, 0xc5, 0xc6,
	0xc7, 0xc9, 0xd1, 0xd6, 0xd8, 0xdc, 0xdf, 0xe0, 0xe4, 0xe5, 0xe6,
	0xe8, 0xe9, 0xec, 0xf1, 0xf2, 0xf6, 0xf8, 0xf9, 0xfc, 0x393, 0x394,
	0x398, 0x39b, 0x39e, 0x3a0, 0x3a3, 0x3a6, 0x3a8, 0x3a9,
};

/* The next code point of valid UTF-8 at *p. */
static unsigned
next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned c = s[0];
	int n = 0;

	if (c >= 0xf0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		n = 2;
	} else if (c >= 0xc0) {
		c &= 0x1f;
		n = 1;
	}
	for (s++; n > 0 && (*s & 0xc0) == 0x80; n--, s++)
		c = c << 6 | (*s & 0x3f);
	*p = s;
	return c;
}

size_t
rm_sms_length(const char *text, int *not_gsm)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t septets = 0, chars = 0, i;
	unsigned c;
	int basic;

	*not_gsm = 0;
	while (*p != '\0') {
		c = next_cp(&p);
		chars++;
		if (c != '`' && c >= 0x20 && c < 0x7f) {
			/* the extension table takes an escape and a septet */
			septets += strchr("^{}\\[~]|", (int)c) != NULL ? 2 : 1;
			continue;
		}
		if (c == 0x20ac || c == 0x0c) {		/* euro, form feed */
			septets += 2;
			continue;
		}
		for (i = 0, basic = 0; i < PMS_NELEM(gsm_basic); i++)
			if (gsm_basic[i] == c)
				basic = 1;
		if (basic)
			septets++;
		else
			*not_gsm = 1;
	}
	return *not_gsm ? chars : septets;
}

/* ---- the templates ---- */

static enum pms_status
tpl_add(struct rm_tpls *t, const char *name, const char *language,
    const char *channel, const char *subject, size_t sublen,
    const char *body, size_t bodylen)
{
	struct rm_tpl *nv, *x = NULL;
	size_t i;
	int isnew = 0;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0 &&
		    strcasecmp(t->v[i].language, language) == 0)
			x = &t->v[i];	/* the configuration's stands in */
	if (x == NULL) {
		if ((nv = realloc(t->v, (t->n + 1) * sizeof(*nv))) == NULL)
			return pms_seterr(PMS_ENOMEM, "out of memory");
		t->v = nv;
		x = &t->v[t->n++];
		isnew = 1;
	} else {
		free(x->subject);
		free(x->body);
		free(x->bad);
	}
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(x->language, sizeof(x->language), "%s", language);
	snprintf(x->channel, sizeof(x->channel), "%s", channel);
	if (subject != NULL && (x->subject = strndup(subject, sublen)) ==
	    NULL)
		goto nomem;
	if ((x->body = strndup(body, bodylen)) == NULL)
		goto nomem;
	return PMS_OK;
nomem:
	free(x->subject);
	x->subject = NULL;
	if (isnew)
		t->n--;
	else if ((x->body = strdup("")) == NULL) {
		/* leave no NULL body behind: drop the entry */
		*x = t->v[--t->n];
	}
	return pms_seterr(PMS_ENOMEM, "out of memory");
}

/*
 * A shipped template: "Channel: sms" and "Subject: ..." lines, a blank
 * line, then the body (its last newline dropped).  A file of
 * share/templates/ that does not start with a Channel line is another
 * module's (a statement's), not a reminder's: it is left alone.
 */
static enum pms_status
tpl_shipped(struct rm_tpls *t, const struct pms_template_file *f)
{
	const char *p = (const char *)f->text, *end = p + f->len, *nl,
	    *subject = NULL, *dot;
	char name[PMS_CFG_CODE], language[PMS_PT_WORD], channel[16] = "";
	size_t sublen = 0, n;

	if (f->len < 9 || memcmp(f->text, "Channel: ", 9) != 0)
		return PMS_OK;
	/* NAME.LANGUAGE.txt */
	n = strlen(f->name);
	if ((dot = strchr(f->name, '.')) == NULL ||
	    (size_t)(dot - f->name) >= sizeof(name) || n < 4 ||
	    strcmp(f->name + n - 4, ".txt") != 0 ||
	    f->name + n - 4 <= dot + 1 ||
	    (size_t)(f->name + n - 4 - (dot + 1)) >= sizeof(language))
		return pms_seterr(PMS_EINTERNAL, "shipped template %s: bad "
		    "name", f->name);
	snprintf(name, sizeof(name), "%.*s", (int)(dot - f->name), f->name);
	snprintf(language, sizeof(language), "%.*s",
	    (int)(f->name + n - 4 - (dot + 1)), dot + 1);
	while (p < end && *p != '\n') {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (strncmp(p, "Channel: ", 9) == 0 &&
		    (size_t)(nl - p - 9) < sizeof(channel))
			snprintf(channel, sizeof(channel), "%.*s",
			    (int)(nl - p - 9), p + 9);
		else if (strncmp(p, "Subject: ", 9) == 0) {
			subject = p + 9;
			sublen = (size_t)(nl - subject);
		}
		p = nl + 1;
	}
	if (p >= end || (strcmp(channel, "sms") != 0 &&
	    strcmp(channel, "email") != 0))
		return pms_seterr(PMS_EINTERNAL, "shipped template %s: bad "
		    "header", f->name);
	p++;
	n = (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\n')
		n--;
	return tpl_add(t, name, language, channel, subject, sublen, p, n);
}

enum pms_status
rm_tpls_load(struct rm_tpls *t, json_t *config)
{
	const char *name, *lang, *chan, *subject, *body;
	enum pms_status st;
	unsigned i;
	size_t k;
	json_t *e;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < pms_ntemplate_files; i++)
		if ((st = tpl_shipped(t, &pms_template_files[i])) != PMS_OK)
			goto fail;
	json_array_foreach(config, k, e) {
		name = json_string_value(json_object_get(e, "name"));
		lang = json_string_value(json_object_get(e, "language"));
		chan = json_string_value(json_object_get(e, "channel"));
		subject = json_string_value(json_object_get(e, "subject"));
		body = json_string_value(json_object_get(e, "body"));
		if (name == NULL || chan == NULL || body == NULL)
			continue;
		if ((st = tpl_add(t, name, lang != NULL ? lang : "en", chan,
		    subject, subject != NULL ? strlen(subject) : 0, body,
		    strlen(body))) != PMS_OK)
			goto fail;
	}
	return PMS_OK;
fail:
	rm_tpls_release(t);
	return st;
}

void
rm_tpls_release(struct rm_tpls *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].subject);
		free(t->v[i].body);
		free(t->v[i].bad);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct rm_tpl *
rm_tpl_find(const struct rm_tpls *t, const char *name, const char *channel,
    const char *language)
{
	const struct rm_tpl *any = NULL, *primary = NULL, *en = NULL;
	size_t i, n = language != NULL ? strcspn(language, "-_") : 0;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].name, name) != 0 ||
		    strcmp(t->v[i].channel, channel) != 0)
			continue;
		if (language != NULL && *language != '\0' &&
		    strcasecmp(t->v[i].language, language) == 0)
			return &t->v[i];
		if (n > 0 && strlen(t->v[i].language) == n &&
		    strncasecmp(t->v[i].language, language, n) == 0)
			primary = &t->v[i];
		if (strcasecmp(t->v[i].language, "en") == 0)
			en = &t->v[i];
		if (any == NULL)
			any = &t->v[i];
	}
	return primary != NULL ? primary : en != NULL ? en : any;
}
