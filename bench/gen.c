/*
 * bench-gen: a practice, made up, written as the files a practice would
 * bring to pms: its configuration and the spreadsheets exported from its
 * old system.  The benchmarks load these files through the programs' own
 * import paths, so loading them is itself a benchmark.
 *
 *   bench-gen [--seed N] [--size small|clinic|group] [--patients N]
 *       [--as-of YYYY-MM-DD] [--out DIR] [KIND ...]
 *   bench-gen --list | --version
 *
 * Output is a function of the options alone: the same seed gives the
 * same bytes on every machine and libc (our own PRNG, our own calendar,
 * no locale, no clock).  Every entity (patient 41, provider 3) is drawn
 * from a generator seeded by (seed, kind of entity, index), so any file
 * can recompute any entity it refers to without keeping the others in
 * memory: a file of a million rows is written in constant memory, and a
 * later file (appointments) finds patient 41's MRN again by making
 * patient 41's MRN again.
 *
 * Adding a file: write a function "static int write_KIND(const struct gen
 * *, FILE *)" that writes one file to the stream it is given (using the
 * entity makers below: patient_make, providers_make, ...; a new entity
 * gets a maker of the same shape, seeded by its own stream name), add a
 * row to kinds[] and bump GEN_VERSION.  An option the new file needs goes
 * into struct gen and longopts (a kind made from an input, such as an
 * 835 answering our own 837, is not written by default).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "pms.h"

/* Bump when the output for a given seed, size and date changes: the
 * benchmarks' cache of built stores is keyed by it. */
#define GEN_VERSION	4

#define GEN_DEFAULT_AS_OF	"2026-01-01"	/* not today: reproducible */

static const char *progname = "bench-gen";

/* ---- failure: the generator writes files or stops ---- */

static _Noreturn void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* snprintf that stops the program on truncation: every buffer here is
 * sized for what goes in it, so truncation is a bug. */
static void
fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		die(EX_SOFTWARE, "internal error: field too long for \"%s\"",
		    f);
}

/* ---- the PRNG: xoshiro256**, seeded through splitmix64 ---- */

struct rng {
	uint64_t	 s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* The generator of entity `index` of kind `stream` under `seed`. */
static void
rng_for(struct rng *r, uint64_t seed, const char *stream, uint64_t index)
{
	uint64_t x = seed ^ fnv1a(stream);
	int i;

	x = splitmix64(&x) ^ index;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

/* Uniform in [0, n), without modulo bias (Lemire). */
static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo, t;

	m = (unsigned __int128)rng_next(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		t = -n % n;
		while (lo < t) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Uniform in [lo, hi]. */
static long
rng_range(struct rng *r, long lo, long hi)
{
	return lo + (long)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* 1 with probability permille / 1000. */
static int
rng_chance(struct rng *r, unsigned permille)
{
	return rng_below(r, 1000) < permille;
}

/* An index into n entries, the first ones more often (names are not
 * uniform: there are more Smiths than Okafors). */
static size_t
rng_skewed(struct rng *r, size_t n)
{
	uint64_t a = rng_below(r, n), b = rng_below(r, n);

	return (size_t)(a < b ? a : b);
}

#define PICK(r, a)	((a)[rng_below((r), PMS_NELEM(a))])
#define PICK_SKEWED(r, a) ((a)[rng_skewed((r), PMS_NELEM(a))])

/* ---- the calendar: days since 1970-01-01, proleptic Gregorian ---- */

static int32_t
days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

static void
civil_from_days(int32_t z, int *yp, unsigned *mp, unsigned *dp)
{
	int era;
	unsigned doe, yoe, doy, mp0;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp0 = (5 * doy + 2) / 153;
	*dp = doy - (153 * mp0 + 2) / 5 + 1;
	*mp = mp0 < 10 ? mp0 + 3 : mp0 - 9;
	*yp = (int)yoe + era * 400 + (*mp <= 2);
}

/* ISO 8601: buf holds at least 11 bytes. */
static void
date_fmt(int32_t days, char *buf, size_t size)
{
	unsigned m, d;
	int y;

	civil_from_days(days, &y, &m, &d);
	fmt(buf, size, "%04d-%02u-%02u", y, m, d);
}

/* The number in s[0 .. n-1], all digits; -1 otherwise. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Parse YYYY-MM-DD strictly; -1 if it is not a date. */
static int
date_parse(const char *s, int32_t *days)
{
	int y, m, d, yy;
	unsigned mm, dd;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    (y = digits(s, 4)) < 0 || (m = digits(s + 5, 2)) < 1 || m > 12 ||
	    (d = digits(s + 8, 2)) < 1 || d > 31)
		return -1;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	civil_from_days(*days, &yy, &mm, &dd);
	return yy == y && mm == (unsigned)m && dd == (unsigned)d ? 0 : -1;
}

/* ---- the sizes and the run ---- */

struct size {
	const char	*name;
	unsigned	 locations;
	unsigned	 providers;
	unsigned	 years;		/* of history the practice brings */
	unsigned long	 patients;
	unsigned	 payers;
	unsigned	 types;		/* appointment types */
};

static const struct size sizes[] = {
	{ "small",	1,  2,  1,   1000,  4,  4 },
	{ "clinic",	2,  5,  2,  20000,  8,  8 },
	{ "group",	4, 20, 10, 200000, 16, 12 },
};

struct gen {
	uint64_t	 seed;
	const struct size *size;
	unsigned long	 patients;	/* --patients, else the size's */
	int		 have_patients;	/* --patients was given */
	int32_t		 as_of;		/* the practice's "today" */
	const char	*from;		/* era: the 837 to answer */
};

/* ---- what people, places and names are made of ---- */

struct city {
	const char	*name;
	const char	*state;
	unsigned	 zip;		/* the first of its ZIP codes */
	unsigned	 nzip;		/* how many follow */
	unsigned	 area;		/* telephone area code */
};

/* Mostly New England, where ZIP codes start with 0. */
static const struct city cities[] = {
	{ "Boston", "MA", 2108, 29, 617 },
	{ "Cambridge", "MA", 2138, 5, 617 },
	{ "Somerville", "MA", 2143, 3, 617 },
	{ "Brookline", "MA", 2445, 2, 617 },
	{ "Quincy", "MA", 2169, 3, 617 },
	{ "Newton", "MA", 2458, 11, 617 },
	{ "Medford", "MA", 2155, 1, 781 },
	{ "Worcester", "MA", 1601, 10, 508 },
	{ "Yonkers", "NY", 10701, 5, 914 },
	{ "Lowell", "MA", 1850, 5, 978 },
	{ "Springfield", "MA", 1103, 17, 413 },
	{ "Albany", "NY", 12203, 8, 518 },
	{ "Providence", "RI", 2903, 7, 401 },
	{ "Pawtucket", "RI", 2860, 2, 401 },
	{ "Hartford", "CT", 6103, 18, 860 },
	{ "New Haven", "CT", 6510, 10, 203 },
	{ "Stamford", "CT", 6901, 7, 203 },
	{ "Portland", "ME", 4101, 3, 207 },
	{ "Burlington", "VT", 5401, 8, 802 },
	{ "Manchester", "NH", 3101, 4, 603 },
	{ "Newark", "NJ", 7102, 13, 973 },
	{ "Miami", "FL", 33125, 10, 305 },
};

static const char *const streets[] = {
	"Main", "Oak", "Maple", "Washington", "Elm", "Pleasant", "High",
	"School", "Church", "Park", "Water", "Union", "Prospect", "Summer",
	"Cedar", "Pine", "Hillside", "Lincoln", "Franklin", "Chestnut",
	"Spring", "Highland", "Walnut", "Center", "Mill", "Bridge", "River",
	"Lake", "Commonwealth", "Beacon", "Tremont", "Massachusetts",
	"Saint James", "Martin Luther King Jr", "O'Connell", "Côte",
};

static const char *const street_kinds[] = {
	"St", "Street", "Ave", "Avenue", "Rd", "Road", "Ln", "Dr", "Ct",
	"Way", "Blvd", "Pl", "Ter", "Cir", "St.", "Ave.",
};

static const char *const female[] = {
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara",
	"Susan", "Jessica", "Sarah", "Karen", "Nancy", "Lisa", "Margaret",
	"Emily", "Michelle", "Ashley", "Dorothy", "Olivia", "Emma", "Ava",
	"Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper",
	"María", "Sofía", "Lucía", "Inés", "Mónica", "Zoë", "Renée",
	"Chloé", "Hélène", "Agnès", "Siobhán", "Niamh", "Aoife",
	"Anne-Marie",
	"Mary Ann", "Björk", "Ngọc Anh", "Mei", "Priya", "Fatima", "Aaliyah",
	"Yuki", "Ingrid", "Astrid", "Maëlle", "Léa", "Joana", "Conceição",
	"Nkechi", "Amara", "Keisha", "Dana", "Kim", "Lee",
};

static const char *const male[] = {
	"James", "Robert", "John", "Michael", "David", "William", "Richard",
	"Joseph", "Thomas", "Charles", "Christopher", "Daniel", "Matthew",
	"Anthony", "Mark", "Steven", "Paul", "Andrew", "Joshua", "Kevin",
	"Liam", "Noah", "Oliver", "Elijah", "Lucas", "Mason", "Ethan",
	"José", "Raúl", "Ramón", "André", "François", "Jérôme", "Søren",
	"Björn", "Jürgen", "Seán", "Ciarán", "Jean-Luc", "Jean-Pierre",
	"Juan Carlos", "Nuño", "João", "Thành", "Wei", "Arjun", "Mohammed",
	"Omar", "Kwame", "Chinedu", "Hiroshi", "Lars", "Mateus", "Dmitri",
	"Tyrone", "DeShawn", "Dana", "Kim", "Lee", "Jordan",
};

static const char *const surnames[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "García", "Miller",
	"Davis", "Rodríguez", "Martínez", "Hernández", "López", "González",
	"Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
	"Martin", "Lee", "Pérez", "Thompson", "White", "Harris", "Sánchez",
	"Clark", "Ramírez", "Lewis", "Robinson", "Walker", "Young", "Allen",
	"King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
	"Mitchell", "Carter", "Roberts", "Murphy", "Kelly", "Sullivan",
	"O'Brien", "O'Connor", "O'Neill", "D'Angelo", "D'Souza", "Fitzgerald",
	"MacDonald", "McCarthy", "Müller", "Schäfer", "Weiß", "Dubois",
	"Lefèvre", "Bélanger", "Côté", "Tremblay", "Gauthier", "Rossi",
	"Russo", "Esposito", "Ferreira", "Gonçalves", "Silva", "Santos",
	"Costa", "Nuñez", "Peña", "Çelik", "Yılmaz", "Øvergaard", "Åberg",
	"Kowalski", "Nowak", "Chen", "Wang", "Kim", "Park", "Patel", "Shah",
	"Singh", "Cohen", "Levy", "Okafor", "Adeyemi", "Mensah", "Haddad",
	"Khoury", "Ivanov", "Petrov", "De La Cruz", "Van der Berg", "St. John",
	"Da Silva", "Le", "Tran", "Pham", "Al-Sayed", "Ben-David",
};

static const char *const suffixes[] = { "Jr.", "Sr.", "II", "III", "Jr" };

struct nickname {
	const char	*name;
	const char	*nick;
};

static const struct nickname nicknames[] = {
	{ "William", "Bill" }, { "Robert", "Bob" }, { "James", "Jim" },
	{ "Michael", "Mike" }, { "Richard", "Rick" }, { "Joseph", "Joe" },
	{ "Thomas", "Tom" }, { "Elizabeth", "Liz" }, { "Margaret", "Peggy" },
	{ "Patricia", "Trish" }, { "Jennifer", "Jen" }, { "Susan", "Sue" },
	{ "Christopher", "Chris" }, { "Daniel", "Dan" }, { "Anthony", "Tony" },
	{ "Francois", "Frank" }, { "José", "Pepe" }, { "Siobhán", "Shiv" },
};

static const char *const email_domains[] = {
	"example.com", "example.net", "example.org", "mail.example.com",
	"post.example.net",
};

/* ---- text helpers ---- */

/*
 * A lowercase ASCII spelling of a name for e-mail addresses: letters of
 * Latin-1 lose their accents, ß becomes ss, anything else that is not a
 * letter or digit (spaces, apostrophes, hyphens, other scripts) is
 * dropped.
 */
static void
ascii_fold(const char *in, char *out, size_t size)
{
	/* U+00C0 .. U+00FF; '.' drops the letter */
	static const char latin1[] =
	    "aaaaaaaceeeeiiiidnooooo.ouuuuyts"
	    "aaaaaaaceeeeiiiidnooooo.ouuuuyty";
	const unsigned char *s = (const unsigned char *)in;
	size_t n = 0;
	unsigned cp;
	char c;

	for (; *s != '\0'; s++) {
		c = '\0';
		if (*s < 0x80) {
			if ((*s >= 'a' && *s <= 'z') ||
			    (*s >= '0' && *s <= '9'))
				c = (char)*s;
			else if (*s >= 'A' && *s <= 'Z')
				c = (char)(*s - 'A' + 'a');
		} else if ((*s & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
			cp = ((unsigned)(*s & 0x1f) << 6) | (s[1] & 0x3f);
			s++;
			if (cp == 0xdf && n + 2 < size) {
				out[n++] = 's';
				c = 's';
			} else if (cp >= 0xc0 && cp <= 0xff &&
			    latin1[cp - 0xc0] != '.')
				c = latin1[cp - 0xc0];
			else if (cp == 0x131)	/* dotless i */
				c = 'i';
		} else {
			while ((s[1] & 0xc0) == 0x80)
				s++;
		}
		if (c != '\0' && n + 1 < size)
			out[n++] = c;
	}
	out[n] = '\0';
}

/*
 * Copy a name, turning a straight apostrophe into a typographic one
 * (U+2019) when curly is set: spreadsheets and word processors do that
 * on their own, and the import must take both.
 */
static void
name_copy(const char *in, int curly, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (*in == '\'' && curly) {
			if (n + 3 >= size)
				break;
			memcpy(out + n, "\xe2\x80\x99", 3);
			n += 3;
		} else if (n + 1 < size)
			out[n++] = *in;
	}
	out[n] = '\0';
}

/* ---- people and places ---- */

struct address {
	char		 street[96];
	char		 street2[32];
	char		 city[32];
	char		 state[3];
	char		 zip[11];
	unsigned	 area;		/* telephone area code of the city */
};

/* An address in city c: a home (home: perhaps a PO Box or a flat), or
 * an office's street. */
static void
address_make(struct rng *r, const struct city *c, int home,
    struct address *a)
{
	const char *st = PICK_SKEWED(r, streets);
	const char *kind = PICK(r, street_kinds);
	long num = rng_chance(r, 700) ? rng_range(r, 1, 399) :
	    rng_range(r, 400, 9999);
	unsigned zip = c->zip + (unsigned)rng_below(r, c->nzip);

	a->street2[0] = '\0';
	if (home && rng_chance(r, 20))
		fmt(a->street, sizeof(a->street), "%s %ld",
		    rng_chance(r, 500) ? "PO Box" : "P.O. Box",
		    rng_range(r, 1, 2999));
	else if (home && rng_chance(r, 30))	/* the flat on the same line */
		fmt(a->street, sizeof(a->street), "%ld %s %s, Apt %ld", num,
		    st, kind, rng_range(r, 1, 40));
	else
		fmt(a->street, sizeof(a->street), "%ld %s %s", num, st, kind);
	if (home && rng_chance(r, 150)) {
		switch (rng_below(r, 5)) {
		case 0:
			fmt(a->street2, sizeof(a->street2), "Apt %ld%c",
			    rng_range(r, 1, 30), (char)('A' + rng_below(r, 4)));
			break;
		case 1:
			fmt(a->street2, sizeof(a->street2), "Unit %ld",
			    rng_range(r, 1, 200));
			break;
		case 2:
			fmt(a->street2, sizeof(a->street2), "Apt. %ld",
			    rng_range(r, 1, 12));
			break;
		case 3:
			fmt(a->street2, sizeof(a->street2), "#%ld",
			    rng_range(r, 1, 60));
			break;
		default:
			fmt(a->street2, sizeof(a->street2), "Fl %ld",
			    rng_range(r, 1, 5));
			break;
		}
	}
	fmt(a->city, sizeof(a->city), "%s", c->name);
	fmt(a->state, sizeof(a->state), "%s", c->state);
	if (rng_chance(r, 150))
		fmt(a->zip, sizeof(a->zip), "%05u-%04u", zip,
		    (unsigned)rng_below(r, 10000));
	else
		fmt(a->zip, sizeof(a->zip), "%05u", zip);
	a->area = c->area;
}

/* A telephone number in one of the forms people type; 555 exchanges. */
static void
phone_make(struct rng *r, unsigned area, char *buf, size_t size)
{
	unsigned line = (unsigned)rng_below(r, 10000);

	switch (rng_below(r, 10)) {
	case 0:
	case 1:
	case 2:
		fmt(buf, size, "(%03u) 555-%04u", area, line);
		break;
	case 3:
	case 4:
	case 5:
		fmt(buf, size, "%03u-555-%04u", area, line);
		break;
	case 6:
		fmt(buf, size, "%03u.555.%04u", area, line);
		break;
	case 7:
		fmt(buf, size, "%03u555%04u", area, line);
		break;
	case 8:
		fmt(buf, size, "+1 %03u 555 %04u", area, line);
		break;
	default:
		fmt(buf, size, "1-%03u-555-%04u", area, line);
		break;
	}
}

struct person {
	char		 first[48];
	char		 middle[48];
	char		 last[96];
	char		 suffix[8];
	char		 preferred[24];
	char		 sex;		/* F, M, U */
	int32_t		 dob;
};

/* A given name for a person of that sex (either for U). */
static const char *
given_name(struct rng *r, char sex)
{
	if (sex == 'F' || (sex == 'U' && rng_chance(r, 500)))
		return PICK_SKEWED(r, female);
	return PICK_SKEWED(r, male);
}

/* A person born between as_of - max_age and as_of - min_age years. */
static void
person_make(struct rng *r, int32_t as_of, unsigned min_age,
    unsigned max_age, struct person *p)
{
	unsigned s = (unsigned)rng_below(r, 1000);
	const char *first, *mid;
	int curly;
	size_t i;
	unsigned age;

	p->sex = s < 510 ? 'F' : s < 995 ? 'M' : 'U';
	first = given_name(r, p->sex);
	fmt(p->first, sizeof(p->first), "%s", first);
	p->middle[0] = '\0';
	if (rng_chance(r, 550)) {
		do
			mid = given_name(r, p->sex);
		while (mid == first);
		if (rng_chance(r, 180)) {	/* an initial: one character */
			for (i = 1; ((unsigned char)mid[i] & 0xc0) == 0x80; i++)
				;
			fmt(p->middle, sizeof(p->middle), "%.*s%s", (int)i,
			    mid, rng_chance(r, 500) ? "." : "");
		} else
			fmt(p->middle, sizeof(p->middle), "%s", mid);
	}
	curly = rng_chance(r, 200);
	if (rng_chance(r, 40)) {	/* a double-barrelled name */
		char a[48], b[48];

		name_copy(PICK_SKEWED(r, surnames), curly, a, sizeof(a));
		name_copy(PICK_SKEWED(r, surnames), curly, b, sizeof(b));
		fmt(p->last, sizeof(p->last), "%s-%s", a, b);
	} else
		name_copy(PICK_SKEWED(r, surnames), curly, p->last,
		    sizeof(p->last));
	p->suffix[0] = '\0';
	if (p->sex == 'M' && rng_chance(r, 30))
		fmt(p->suffix, sizeof(p->suffix), "%s", PICK(r, suffixes));
	p->preferred[0] = '\0';
	for (i = 0; i < PMS_NELEM(nicknames); i++)
		if (strcmp(first, nicknames[i].name) == 0 &&
		    rng_chance(r, 300))
			fmt(p->preferred, sizeof(p->preferred), "%s",
			    nicknames[i].nick);
	/* ages: children, adults, older adults in about a practice's mix */
	s = (unsigned)rng_below(r, 100);
	age = s < 22 ? (unsigned)rng_range(r, 0, 17) : s < 82 ?
	    (unsigned)rng_range(r, 18, 64) : (unsigned)rng_range(r, 65, 99);
	if (age < min_age)
		age = min_age;
	if (age > max_age)
		age = max_age;
	p->dob = as_of - (int32_t)(age * 365 + age / 4) -
	    (int32_t)rng_below(r, 365);
}

/* A valid NPI: 9 digits starting with 1 or 2 (a person) and the Luhn
 * check digit computed over the prefix 80840 and those digits. */
static void
npi_make(struct rng *r, char out[11])
{
	char full[16];
	unsigned sum = 0, d;
	int i, dbl;

	out[0] = (char)('1' + rng_below(r, 2));
	for (i = 1; i < 9; i++)
		out[i] = (char)('0' + rng_below(r, 10));
	out[9] = '\0';
	fmt(full, sizeof(full), "80840%s", out);
	/* from the right, the digit next to the check digit is doubled */
	for (i = (int)strlen(full) - 1, dbl = 1; i >= 0; i--, dbl = !dbl) {
		d = (unsigned)(full[i] - '0');
		if (dbl && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	out[9] = (char)('0' + (10 - sum % 10) % 10);
	out[10] = '\0';
}

/* ---- the practice's entities ---- */

#define MAX_ENTITIES	64

struct location {
	char		 code[16];
	char		 name[64];
	struct address	 addr;
	char		 phone[24];
	const char	*tz;
	const char	*pos;		/* place of service */
	unsigned	 rooms;
};

static const char *const location_codes[] = {
	"main", "north", "south", "west", "east", "downtown", "harbor",
	"hill",
};

/* The city of a location in another time zone. */
static const struct city far_city = { "Chicago", "IL", 60601, 14, 312 };

/*
 * Locations: the first is the main office in Boston, the others in
 * cities of their own; with four or more, the last is in Chicago, so
 * that a group's schedule spans two time zones.
 */
static size_t
locations_make(const struct gen *g, struct location *l)
{
	struct rng r;
	size_t i, n = g->size->locations;
	uint64_t off;
	int far;

	rng_for(&r, g->seed, "locations", 0);
	off = rng_below(&r, PMS_NELEM(cities) - 1);
	for (i = 0; i < n; i++) {
		rng_for(&r, g->seed, "location", i);
		far = i > 0 && i + 1 == n && n > 3;
		fmt(l[i].code, sizeof(l[i].code), "%s", location_codes[i]);
		address_make(&r, far ? &far_city : i == 0 ? &cities[0] :
		    &cities[1 + (off + i) % (PMS_NELEM(cities) - 1)], 0,
		    &l[i].addr);
		if (rng_chance(&r, 500))
			fmt(l[i].addr.street2, sizeof(l[i].addr.street2),
			    "Suite %ld", rng_range(&r, 100, 450));
		fmt(l[i].name, sizeof(l[i].name), "Riverside %s %s",
		    i == 0 ? "Main" : l[i].addr.city,
		    i == 0 ? "Office" : "Clinic");
		fmt(l[i].phone, sizeof(l[i].phone), "+1 %03u 555 %04u",
		    l[i].addr.area, 100 + (unsigned)i);
		l[i].tz = far ? "America/Chicago" : "America/New_York";
		l[i].pos = "11";
		l[i].rooms = (unsigned)rng_range(&r, 2, 6);
	}
	return n;
}

struct provider {
	char		 code[24];
	struct person	 p;
	const char	*credential;
	const char	*taxonomy;
	char		 npi[11];
	unsigned	 location;	/* index of the location they work at */
};

struct specialty {
	const char	*credential;
	const char	*taxonomy;	/* NUCC code */
};

static const struct specialty specialties[] = {
	{ "MD", "207Q00000X" },		/* family medicine */
	{ "MD", "207R00000X" },		/* internal medicine */
	{ "DO", "207Q00000X" },
	{ "MD", "208000000X" },		/* pediatrics */
	{ "NP", "363LF0000X" },		/* nurse practitioner, family */
	{ "PA", "363A00000X" },		/* physician assistant */
	{ "MD", "207V00000X" },		/* obstetrics and gynecology */
};

/* Providers, with codes that are unique (the last name, then with the
 * first initial, then a number) and distinct NPIs. */
static size_t
providers_make(const struct gen *g, struct provider *pv)
{
	struct rng r;
	const struct specialty *sp;
	size_t i, j, n = g->size->providers;
	char base[24], folded[64];
	int clash, k;

	for (i = 0; i < n; i++) {
		rng_for(&r, g->seed, "provider", i);
		person_make(&r, g->as_of, 30, 64, &pv[i].p);
		if (pv[i].p.sex == 'U')
			pv[i].p.sex = 'F';
		pv[i].p.suffix[0] = '\0';
		pv[i].p.preferred[0] = '\0';
		sp = &specialties[i < 2 ? 0 : rng_below(&r,
		    PMS_NELEM(specialties))];
		pv[i].credential = sp->credential;
		pv[i].taxonomy = sp->taxonomy;
		pv[i].location = (unsigned)(i % g->size->locations);
		do {
			npi_make(&r, pv[i].npi);
			for (j = 0, clash = 0; j < i; j++)
				clash |= strcmp(pv[j].npi, pv[i].npi) == 0;
		} while (clash);
		ascii_fold(pv[i].p.last, folded, sizeof(folded));
		folded[12] = '\0';
		fmt(base, sizeof(base), "%s", folded[0] != '\0' ? folded :
		    "provider");
		fmt(pv[i].code, sizeof(pv[i].code), "%s", base);
		for (k = 0;; k++) {
			for (j = 0, clash = 0; j < i; j++)
				clash |= strcmp(pv[j].code, pv[i].code) == 0;
			if (!clash)
				break;
			if (k == 0) {
				ascii_fold(pv[i].p.first, folded,
				    sizeof(folded));
				fmt(pv[i].code, sizeof(pv[i].code), "%s-%c",
				    base, folded[0] != '\0' ? folded[0] : 'x');
			} else
				fmt(pv[i].code, sizeof(pv[i].code), "%s%d",
				    base, k + 1);
		}
	}
	return n;
}

struct appt_type {
	const char	*code;
	const char	*name;
	unsigned	 minutes;
	const char	*codes;		/* default procedure codes, YAML flow */
	int		 overlap;
};

/* The first size->types of these. */
static const struct appt_type appt_types[] = {
	{ "followup", "Follow-up visit", 20, "[\"99213\"]", 0 },
	{ "newpatient", "New patient visit", 40, "[\"99203\"]", 0 },
	{ "physical", "Annual physical", 30, "[\"99396\"]", 0 },
	{ "phone", "Telephone call", 5, "[]", 1 },
	{ "wellchild", "Well-child visit", 30, "[\"99392\"]", 0 },
	{ "sick", "Same-day sick visit", 15, "[\"99212\"]", 0 },
	{ "telehealth", "Video visit", 20, "[\"99213\"]", 0 },
	{ "flushot", "Flu shot", 10, "[\"90686\", \"90471\"]", 1 },
	{ "complex", "Complex follow-up", 40, "[\"99215\"]", 0 },
	{ "procedure", "Office procedure", 30, "[\"11102\"]", 0 },
	{ "prenatal", "Prenatal visit", 20, "[\"99213\"]", 0 },
	{ "counsel", "Counselling", 50, "[\"99404\"]", 0 },
};

struct payer {
	char		 code[24];
	char		 name[64];
	char		 payer_id[8];
	const char	*filing;	/* claim filing indicator */
	unsigned	 timely_days;
	int		 prior_auth;
};

static const char *const payer_words[] = {
	"Acme", "Harbor", "Summit", "Pioneer", "Liberty", "Granite", "Beacon",
	"Keystone", "Evergreen", "Cardinal", "Meridian", "Horizon", "Bayside",
	"Northern", "Patriot", "Lighthouse",
};

static const char *const payer_kinds[] = {
	"Health Plan", "Health", "Care", "Mutual", "Insurance", "Benefits",
};

/* Payers: Medicare and Medicaid, then commercial plans. */
static size_t
payers_make(const struct gen *g, struct payer *py)
{
	static const char *const filing[] = { "CI", "CI", "CI", "BL", "HM" };
	static const unsigned days[] = { 90, 90, 120, 180, 365 };
	struct rng r;
	size_t i, n = g->size->payers;
	char folded[32];

	for (i = 0; i < n; i++) {
		rng_for(&r, g->seed, "payer", i);
		if (i == 0) {
			fmt(py[i].code, sizeof(py[i].code), "medicare");
			fmt(py[i].name, sizeof(py[i].name), "Medicare Part B");
			py[i].filing = "MB";
		} else if (i == 1) {
			fmt(py[i].code, sizeof(py[i].code), "medicaid");
			fmt(py[i].name, sizeof(py[i].name), "Medicaid");
			py[i].filing = "MC";
		} else {
			const char *w = payer_words[(i - 2) %
			    PMS_NELEM(payer_words)];

			fmt(py[i].name, sizeof(py[i].name), "%s %s", w,
			    PICK(&r, payer_kinds));
			ascii_fold(w, folded, sizeof(folded));
			fmt(py[i].code, sizeof(py[i].code), "%s", folded);
			py[i].filing = PICK(&r, filing);
		}
		/* payer ids keep their leading zeros */
		fmt(py[i].payer_id, sizeof(py[i].payer_id), "%05u",
		    (unsigned)(i * 7001 + rng_below(&r, 7000)) % 100000);
		py[i].timely_days = i < 2 ? 365 : PICK(&r, days);
		py[i].prior_auth = i >= 2 && rng_chance(&r, 250);
	}
	return n;
}

struct patient {
	char		 mrn[12];
	struct person	 p;
	struct address	 addr;
	char		 phone[24];
	char		 mobile[24];
	char		 email[96];
	const char	*contact;	/* preferred channel */
	int		 sms_ok;
	int		 email_ok;
	const char	*language;
	int32_t		 first_visit;
	const char	*status;
};

/*
 * Patient i (0 .. patients-1).  The MRN is i through a bijection of the
 * 8-digit numbers, so MRNs are unique, look unordered and one in ten
 * starts with 0.
 */
/* Patient i's MRN alone: what patient_make() gives it. */
static void
patient_mrn(const struct gen *g, uint64_t i, char *buf, size_t size)
{
	struct rng r;
	uint64_t off;

	rng_for(&r, g->seed, "patient-mrn", 0);
	off = rng_below(&r, 100000000);
	fmt(buf, size, "%08llu", (unsigned long long)
	    ((i * 31415927u + off) % 100000000u));
}

static void
patient_make(const struct gen *g, uint64_t i, struct patient *pt)
{
	static const char *const langs[] = {
		"en", "en", "en", "en", "en", "en", "en", "en", "en", "en",
		"en", "en", "en", "en", "en", "en", "es", "es", "es", "pt",
		"fr", "vi", "zh", "ht",
	};
	struct rng r;
	char f[48], l[96];
	int32_t age_days, since;
	unsigned mon, day;
	int year;

	patient_mrn(g, i, pt->mrn, sizeof(pt->mrn));
	rng_for(&r, g->seed, "patient", i);
	person_make(&r, g->as_of, 0, 99, &pt->p);
	address_make(&r, &PICK_SKEWED(&r, cities), 1, &pt->addr);
	pt->phone[0] = pt->mobile[0] = pt->email[0] = '\0';
	if (rng_chance(&r, 550))
		phone_make(&r, pt->addr.area, pt->phone, sizeof(pt->phone));
	if (rng_chance(&r, 850))
		phone_make(&r, rng_chance(&r, 900) ? pt->addr.area :
		    PICK(&r, cities).area, pt->mobile, sizeof(pt->mobile));
	if (rng_chance(&r, 700)) {
		ascii_fold(pt->p.first, f, sizeof(f));
		ascii_fold(pt->p.last, l, sizeof(l));
		switch (rng_below(&r, 4)) {
		case 0:
			fmt(pt->email, sizeof(pt->email), "%s.%s@%s", f, l,
			    PICK(&r, email_domains));
			break;
		case 1:
			fmt(pt->email, sizeof(pt->email), "%s%s%ld@%s", f, l,
			    rng_range(&r, 1, 99), PICK(&r, email_domains));
			break;
		case 2:
			fmt(pt->email, sizeof(pt->email), "%c.%s@%s", f[0], l,
			    PICK(&r, email_domains));
			break;
		default:		/* the year of birth, as people do */
			civil_from_days(pt->p.dob, &year, &mon, &day);
			fmt(pt->email, sizeof(pt->email), "%s_%s%02d@%s", l, f,
			    year % 100, PICK(&r, email_domains));
			break;
		}
		if (rng_chance(&r, 50))		/* typed with capitals */
			pt->email[0] = (char)(pt->email[0] - 'a' + 'A');
	}
	pt->sms_ok = pt->mobile[0] != '\0' && rng_chance(&r, 700);
	pt->email_ok = pt->email[0] != '\0' && rng_chance(&r, 800);
	pt->contact = pt->sms_ok ? "sms" : pt->email_ok ? "email" :
	    pt->phone[0] != '\0' || pt->mobile[0] != '\0' ? "phone" : "mail";
	pt->language = PICK(&r, langs);
	age_days = g->as_of - pt->p.dob;
	since = age_days < 15 * 365 ? age_days : 15 * 365;
	pt->first_visit = g->as_of - (int32_t)rng_below(&r,
	    (uint64_t)since + 1);
	pt->status = "active";
	if (age_days > 60 * 365 && rng_chance(&r, 30))
		pt->status = "deceased";
	else if (rng_chance(&r, 80))
		pt->status = "inactive";
}

/* ---- writing ---- */

/* One CSV cell: quoted when it holds a comma, a quote, CR or LF, or
 * starts or ends with a space; inner quotes doubled. */
static void
csv_cell(FILE *f, const char *s, int last)
{
	size_t n = strlen(s);

	if (strpbrk(s, ",\"\r\n") != NULL ||
	    (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))) {
		fputc('"', f);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

/* A YAML double-quoted scalar. */
static void
yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* key: a mapping of an address's fields, at indent. */
static void
yaml_address(FILE *f, const char *indent, const char *key,
    const struct address *a)
{
	fprintf(f, "%s%s:\n%s  street: ", indent, key, indent);
	yq(f, a->street);
	if (a->street2[0] != '\0') {
		fprintf(f, "\n%s  street2: ", indent);
		yq(f, a->street2);
	}
	fprintf(f, "\n%s  city: ", indent);
	yq(f, a->city);
	fprintf(f, "\n%s  state: ", indent);
	yq(f, a->state);
	fprintf(f, "\n%s  zip: ", indent);
	yq(f, a->zip);
	fputc('\n', f);
}

/* practice.yaml: the configuration pms-admin config load reads. */
static int
write_config(const struct gen *g, FILE *f)
{
	struct location loc[MAX_ENTITIES];
	struct provider pv[MAX_ENTITIES];
	struct payer py[MAX_ENTITIES];
	struct address billing, payto;
	struct rng r;
	size_t i, n;
	char npi[11];

	rng_for(&r, g->seed, "practice", 0);
	npi_make(&r, npi);
	locations_make(g, loc);
	fprintf(f, "# A practice made up by bench-gen %d (seed %llu, size "
	    "%s).\n", GEN_VERSION, (unsigned long long)g->seed,
	    g->size->name);
	fprintf(f, "practice:\n  name: \"Riverside Family Medicine\"\n"
	    "  npi: \"%s\"\n  entity_type: organization\n"
	    "  taxonomy: \"207Q00000X\"\n", npi);
	fprintf(f, "  ein: \"%02ld-%07ld\"\n", rng_range(&r, 10, 99),
	    rng_range(&r, 0, 9999999));
	fprintf(f, "  phone: \"%s\"\n", loc[0].phone);
	fputs("  country: US\n  time_zone: America/New_York\n", f);
	/* the 837 wants ZIP+4 for the billing address, a street */
	billing = loc[0].addr;
	fmt(billing.zip, sizeof(billing.zip), "%.5s%04u", loc[0].addr.zip,
	    (unsigned)rng_below(&r, 10000));
	yaml_address(f, "  ", "address", &billing);
	memset(&payto, 0, sizeof(payto));
	fmt(payto.street, sizeof(payto.street), "PO Box %ld",
	    rng_range(&r, 100, 999));
	fmt(payto.city, sizeof(payto.city), "%s", loc[0].addr.city);
	fmt(payto.state, sizeof(payto.state), "%s", loc[0].addr.state);
	fmt(payto.zip, sizeof(payto.zip), "%.5s%04u", loc[0].addr.zip,
	    (unsigned)rng_below(&r, 10000));
	yaml_address(f, "  ", "pay_to", &payto);

	fputs("trading_partner:\n"
	    "  isa01: \"00\"\n  isa02: \"\"\n  isa03: \"00\"\n  isa04: \"\"\n"
	    "  sender_qualifier: ZZ\n  sender_id: \"RIVERSIDE01\"\n"
	    "  receiver_qualifier: ZZ\n  receiver_id: \"CLEARHOUSE1\"\n"
	    "  usage: T\n  gs_sender: \"RIVERSIDE01\"\n"
	    "  gs_receiver: \"CLEARHOUSE1\"\n"
	    "  submitter:\n    name: \"Riverside Family Medicine\"\n"
	    "    contact: \"Billing Office\"\n    phone: \"6175550100\"\n"
	    "    email: \"billing@example.org\"\n"
	    "  receiver_name: \"Example Clearinghouse\"\n"
	    "  first_control_number: 1\n", f);

	fputs("locations:\n", f);
	for (i = 0; i < g->size->locations; i++) {
		fprintf(f, "  - code: %s\n    name: ", loc[i].code);
		yq(f, loc[i].name);
		fputc('\n', f);
		yaml_address(f, "    ", "address", &loc[i].addr);
		fprintf(f, "    time_zone: %s\n    place_of_service: \"%s\"\n"
		    "    phone: \"%s\"\n    rooms: [", loc[i].tz, loc[i].pos,
		    loc[i].phone);
		for (n = 0; n < loc[i].rooms; n++)
			fprintf(f, "%s%zu", n > 0 ? ", " : "", n + 1);
		fputs("]\n", f);
	}

	n = providers_make(g, pv);
	fputs("providers:\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "  - code: %s\n    first_name: ", pv[i].code);
		yq(f, pv[i].p.first);
		fputs("\n    last_name: ", f);
		yq(f, pv[i].p.last);
		fprintf(f, "\n    credential: %s\n    npi: \"%s\"\n"
		    "    taxonomy: \"%s\"\n    locations: [%s]\n",
		    pv[i].credential, pv[i].npi, pv[i].taxonomy,
		    loc[pv[i].location].code);
	}

	fputs("appointment_types:\n", f);
	for (i = 0; i < g->size->types; i++) {
		const struct appt_type *t = &appt_types[i];

		fprintf(f, "  - code: %s\n    name: ", t->code);
		yq(f, t->name);
		fprintf(f, "\n    length: %um\n    codes: %s\n"
		    "    may_overlap: %s\n", t->minutes, t->codes,
		    t->overlap ? "true" : "false");
	}

	n = payers_make(g, py);
	fputs("payers:\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "  - code: %s\n    name: ", py[i].code);
		yq(f, py[i].name);
		fprintf(f, "\n    payer_id: \"%s\"\n    filing_indicator: %s\n"
		    "    timely_filing_days: %u\n"
		    "    prior_auth_required: %s\n", py[i].payer_id,
		    py[i].filing, py[i].timely_days,
		    py[i].prior_auth ? "true" : "false");
	}

	fputs("schedule:\n  late_cancel_notice: 24h\n  slot_step: 15m\n"
	    "billing:\n  contractual_writeoffs: [CO-45, CO-253, CO-24]\n"
	    "  informational: [OA-23]\n"
	    "  no_show_fee: { code: \"NOSHOW\", price: \"25.00\" }\n"
	    "  late_cancel_fee: { code: \"LATEC\", price: \"15.00\" }\n"
	    "  statement: { due_days: 30, min_balance: \"5.00\" }\n"
	    "reminders:\n  quiet_hours:\n"
	    "    sms: { from: \"20:00\", to: \"08:00\" }\n"
	    "    email: { from: \"22:00\", to: \"06:00\" }\n"
	    "  retry: { max_attempts: 3, backoff: 15m }\n"
	    "  rules:\n    - name: two-days\n      types: all\n"
	    "      before: 48h\n      channel: sms\n"
	    "      template: reminder-sms\n", f);
	return 0;
}

/* patients.csv: the registry as an old system exports it. */
static int
write_patients(const struct gen *g, FILE *f)
{
	struct patient pt;
	char dob[16], first[16];
	uint64_t i;

	fputs("mrn,first_name,middle_name,last_name,suffix,preferred_name,"
	    "dob,sex,street,street2,city,state,zip,phone,mobile_phone,email,"
	    "preferred_contact,sms_consent,email_consent,language,"
	    "first_visit,status\n", f);
	for (i = 0; i < g->patients; i++) {
		patient_make(g, i, &pt);
		date_fmt(pt.p.dob, dob, sizeof(dob));
		date_fmt(pt.first_visit, first, sizeof(first));
		csv_cell(f, pt.mrn, 0);
		csv_cell(f, pt.p.first, 0);
		csv_cell(f, pt.p.middle, 0);
		csv_cell(f, pt.p.last, 0);
		csv_cell(f, pt.p.suffix, 0);
		csv_cell(f, pt.p.preferred, 0);
		csv_cell(f, dob, 0);
		fputc(pt.p.sex, f);
		fputc(',', f);
		csv_cell(f, pt.addr.street, 0);
		csv_cell(f, pt.addr.street2, 0);
		csv_cell(f, pt.addr.city, 0);
		csv_cell(f, pt.addr.state, 0);
		csv_cell(f, pt.addr.zip, 0);
		csv_cell(f, pt.phone, 0);
		csv_cell(f, pt.mobile, 0);
		csv_cell(f, pt.email, 0);
		csv_cell(f, pt.contact, 0);
		csv_cell(f, pt.sms_ok ? "yes" : "no", 0);
		csv_cell(f, pt.email_ok ? "yes" : "no", 0);
		csv_cell(f, pt.language, 0);
		csv_cell(f, first, 0);
		csv_cell(f, pt.status, 1);
		if (ferror(f))
			return -1;
	}
	return 0;
}

/*
 * appointments.csv: the old system's book, in pms-schedule(1)'s import
 * columns, day by day (as such exports come, and so that the importer
 * meets each day's time zone offsets once): the size's years of history
 * up to --as-of and eight weeks beyond it.  Each provider works Monday
 * to Friday, 08:00-12:00 and 13:00-17:30 at their location, with a few
 * days away; their days are mostly full (half of the visits follow-ups),
 * of the types that do not overlap: about a million rows for the group.
 * A patient sees one provider (i % providers), so that no patient is in
 * two places at once.  Before --as-of: completed, about
 * 8% no-shows, 7% cancelled (by the patient, some late, or by the
 * practice) and a few left booked; after it: booked, some confirmed,
 * some cancelled.
 */
static int
write_appointments(const struct gen *g, FILE *f)
{
	static const int32_t sessions[][2] = { { 8 * 60, 12 * 60 },
	    { 13 * 60, 17 * 60 + 30 } };
	struct location loc[MAX_ENTITIES];
	struct provider pv[MAX_ENTITIES];
	const struct appt_type *types[PMS_NELEM(appt_types)];
	const struct appt_type *t;
	struct rng r;
	size_t np, nt = 0, i, si;
	uint64_t id = 0, per, pi;
	int32_t d, first, last, m;
	unsigned mon, day;
	int year, roll;
	char mrn[16], conf[32];
	const char *status, *by;

	locations_make(g, loc);
	np = providers_make(g, pv);
	for (i = 0; i < g->size->types; i++)
		if (!appt_types[i].overlap)
			types[nt++] = &appt_types[i];
	fputs("source_id,mrn,provider,location,type,start,status,"
	    "cancelled_by,confirmed_at\n", f);
	if (g->patients < np || nt == 0)
		return ferror(f) ? -1 : 0;
	per = g->patients / np;
	first = g->as_of - (int32_t)(g->size->years * 365);
	last = g->as_of + 8 * 7;
	for (d = first; d < last; d++) {
		if ((d + 3) % 7 >= 5)		/* 1970-01-01 was a Thursday */
			continue;
		civil_from_days(d, &year, &mon, &day);
		for (i = 0; i < np; i++) {
			rng_for(&r, g->seed, "appointments",
			    (uint64_t)d * MAX_ENTITIES + i);
			if (rng_chance(&r, 30))
				continue;	/* away that day */
			for (si = 0; si < PMS_NELEM(sessions); si++) {
				for (m = sessions[si][0];; ) {
					/* half of them follow-ups */
					t = rng_chance(&r, 500) ? types[0] :
					    types[rng_skewed(&r, nt)];
					if (m + (int32_t)t->minutes >
					    sessions[si][1])
						break;
					if (!rng_chance(&r, 950)) {
						m += (int32_t)t->minutes;
						continue;
					}
					pi = rng_below(&r, per) * np + i;
					patient_mrn(g, pi, mrn, sizeof(mrn));
					roll = (int)rng_below(&r, 1000);
					by = "";
					conf[0] = '\0';
					if (d < g->as_of) {
						if (roll < 80)
							status = "no-show";
						else if (roll < 150) {
							status = roll < 100 ?
							    "late-cancel" :
							    "cancelled";
							by = roll < 130 ?
							    "patient" :
							    "practice";
						} else if (roll < 155)
							status = "booked";
						else
							status = "completed";
					} else if (roll < 60) {
						status = "cancelled";
						by = "patient";
					} else {
						status = "booked";
						if (roll < 460)
							fmt(conf, sizeof(conf),
							    "%04d-%02u-%02uT1"
							    "5:00:00Z", year,
							    mon, day);
					}
					fprintf(f, "A%08llu,%s,%s,%s,%s,"
					    "%04d-%02u-%02uT%02d:%02d,%s,%s,"
					    "%s\n", (unsigned long long)++id,
					    mrn, pv[i].code,
					    loc[pv[i].location].code, t->code,
					    year, mon, day, m / 60, m % 60,
					    status, by, conf);
					m += (int32_t)t->minutes;
					/* now and then a gap */
					if (rng_chance(&r, 100))
						m += 5 * (int32_t)rng_range(&r,
						    1, 3);
				}
			}
		}
		if (ferror(f))
			return -1;
	}
	return 0;
}

/*
 * The insurance of patient i, as pms-patient policy import reads it:
 * none for one in eight (self-pay); Medicare from 65, some with a
 * Medicaid or commercial secondary; otherwise Medicaid for some, a
 * commercial plan for the rest, a child on a parent's plan, a spouse on
 * the other's.  One stream per patient ("policy"), so that the patients
 * file does not move.
 */
static int
write_policies(const struct gen *g, FILE *f)
{
	static const char mbi_alpha[] = "ACDEFGHJKMNPQRTUVWXY";
	struct payer py[64];
	struct patient pt;
	struct person sub;
	struct rng r;
	size_t np, k;
	uint64_t i;
	int32_t from;
	long age;
	char member[24], group[12], fromb[16], subdob[16], sex[2];
	const char *prim, *rel;
	int second;

	np = payers_make(g, py);
	fputs("mrn,payer,priority,member_id,group_number,relationship,"
	    "subscriber_last_name,subscriber_first_name,subscriber_dob,"
	    "subscriber_sex,effective_from,effective_to\n", f);
	for (i = 0; i < g->patients; i++) {
		patient_make(g, i, &pt);
		rng_for(&r, g->seed, "policy", i);
		if (!rng_chance(&r, 875))
			continue;
		age = (g->as_of - pt.p.dob) / 365;
		from = g->as_of - (int32_t)rng_below(&r, 6 * 365);
		if (from < pt.p.dob)
			from = pt.p.dob;
		date_fmt(from, fromb, sizeof(fromb));
		rel = "self";
		group[0] = '\0';
		second = 0;
		if (age >= 65 || np < 3) {
			prim = py[0].code;	/* Medicare: an MBI */
			for (k = 0; k < 11; k++)
				member[k] = k == 0 || k == 3 || k == 6 ||
				    k == 9 || k == 10 ? (char)('1' +
				    rng_below(&r, 9)) : mbi_alpha[rng_below(&r,
				    sizeof(mbi_alpha) - 1)];
			member[11] = '\0';
			second = rng_chance(&r, 350);
		} else if (rng_chance(&r, 180)) {
			prim = py[1].code;	/* Medicaid */
			fmt(member, sizeof(member), "%s%08llu", pt.addr.state,
			    (unsigned long long)rng_below(&r, 100000000));
		} else {
			prim = py[2 + rng_below(&r, np - 2)].code;
			/* member ids keep their leading zeros */
			fmt(member, sizeof(member), "%c%c%c%09llu",
			    'A' + (int)rng_below(&r, 26),
			    'A' + (int)rng_below(&r, 26),
			    'A' + (int)rng_below(&r, 26),
			    (unsigned long long)rng_below(&r, 1000000000));
			if (rng_chance(&r, 800))
				fmt(group, sizeof(group), "G%05u",
				    (unsigned)rng_below(&r, 100000));
			if (age < 18)
				rel = "child";
			else if (rng_chance(&r, 150))
				rel = "spouse";
		}
		csv_cell(f, pt.mrn, 0);
		csv_cell(f, prim, 0);
		csv_cell(f, "primary", 0);
		csv_cell(f, member, 0);
		csv_cell(f, group, 0);
		csv_cell(f, rel, 0);
		if (strcmp(rel, "self") != 0) {
			person_make(&r, g->as_of, strcmp(rel, "child") == 0 ?
			    (unsigned)age + 18 : 18, 64, &sub);
			date_fmt(sub.dob, subdob, sizeof(subdob));
			sex[0] = sub.sex;
			sex[1] = '\0';
			csv_cell(f, pt.p.last, 0);
			csv_cell(f, sub.first, 0);
			csv_cell(f, subdob, 0);
			csv_cell(f, sex, 0);
		} else {
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
		}
		csv_cell(f, fromb, 0);
		csv_cell(f, "", 1);
		if (second && np >= 2) {
			csv_cell(f, pt.mrn, 0);
			csv_cell(f, np > 2 && rng_chance(&r, 500) ?
			    py[2 + rng_below(&r, np - 2)].code : py[1].code, 0);
			csv_cell(f, "secondary", 0);
			fmt(member, sizeof(member), "S%010llu",
			    (unsigned long long)rng_below(&r, 10000000000ULL));
			csv_cell(f, member, 0);
			csv_cell(f, "", 0);
			csv_cell(f, "self", 0);
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
			csv_cell(f, "", 0);
			csv_cell(f, fromb, 0);
			csv_cell(f, "", 1);
		}
		if (ferror(f))
			return -1;
	}
	return 0;
}

/* ---- billing: the fee schedule, charges and payments ---- */

/* The procedure codes of the appointment types, priced, and a few a
 * visit adds. */
static const struct fee {
	const char	*code;
	const char	*what;
	const char	*price;
} fees[] = {
	{ "99203", "New patient visit", "180.00" },
	{ "99212", "Office visit, short", "75.00" },
	{ "99213", "Office visit", "100.00" },
	{ "99215", "Office visit, complex", "210.00" },
	{ "99392", "Well-child visit", "160.00" },
	{ "99396", "Annual physical", "220.00" },
	{ "99404", "Counselling", "120.00" },
	{ "90686", "Flu vaccine", "30.00" },
	{ "90471", "Vaccine given", "25.00" },
	{ "11102", "Skin biopsy", "190.00" },
	{ "36415", "Blood draw", "15.00" },
	{ "81002", "Urinalysis", "12.34" },
};

/* Common diagnoses, ICD-10-CM without the dot. */
static const char *const dxs[] = {
	"I10", "E119", "J069", "M545", "Z0000", "E785", "F419", "K219",
	"J209", "R51", "N390", "Z23",
};

/* fees.csv: the default fee schedule (pms-bill fees import). */
static int
write_fees(const struct gen *g, FILE *f)
{
	size_t i;

	(void)g;
	fputs("schedule,code,description,price\n", f);
	for (i = 0; i < PMS_NELEM(fees); i++) {
		csv_cell(f, "default", 0);
		csv_cell(f, fees[i].code, 0);
		csv_cell(f, fees[i].what, 0);
		csv_cell(f, fees[i].price, 1);
	}
	return ferror(f) ? -1 : 0;
}

/* The first procedure code of appointment type t ("" if none). */
static void
type_code(const struct appt_type *t, char *buf, size_t size)
{
	const char *p = strchr(t->codes, '"'), *q;

	buf[0] = '\0';
	if (p == NULL || (q = strchr(p + 1, '"')) == NULL)
		return;
	fmt(buf, size, "%.*s", (int)(q - p - 1), p + 1);
}

/*
 * Charge j of patient i, and whether a payment goes with it: the
 * visits of a patient are drawn from their own generator, so charges.csv
 * and payments.csv agree without either keeping the other.  Returns the
 * number of charges of patient i when j is out of range.
 */
struct charge {
	char		 date[16];
	char		 code[8];
	char		 second[8];	/* a line added to the visit, or "" */
	const char	*provider;
	const char	*location;
	const char	*dx;
	int		 paid;		/* the patient paid at the desk */
	unsigned	 copay;		/* in dollars */
	const char	*method;
};

static unsigned
charges_of(const struct gen *g, uint64_t i)
{
	struct rng r;

	rng_for(&r, g->seed, "charges", i);
	return (unsigned)rng_below(&r, (g->size->years * 2) / 5 + 3);
}

static void
charge_make(const struct gen *g, uint64_t i, unsigned j,
    const struct provider *pv, size_t npv, const struct location *loc,
    struct charge *c)
{
	static const char *const methods[] = { "card", "card", "cash",
	    "check" };
	const struct appt_type *t;
	struct rng r;
	size_t k;

	rng_for(&r, g->seed, "charge", i * 64 + j);
	memset(c, 0, sizeof(*c));
	date_fmt(g->as_of - 1 - (int32_t)rng_below(&r,
	    (uint64_t)g->size->years * 365), c->date, sizeof(c->date));
	do
		t = &appt_types[rng_below(&r, g->size->types)];
	while (strcmp(t->codes, "[]") == 0);
	type_code(t, c->code, sizeof(c->code));
	if (rng_chance(&r, 150))
		fmt(c->second, sizeof(c->second), "%s",
		    rng_chance(&r, 500) ? "36415" : "81002");
	k = (size_t)rng_below(&r, npv);
	c->provider = pv[k].code;
	c->location = loc[pv[k].location].code;
	c->dx = dxs[rng_below(&r, PMS_NELEM(dxs))];
	c->paid = rng_chance(&r, 600);
	c->copay = 10 + 5 * (unsigned)rng_below(&r, 9);
	c->method = methods[rng_below(&r, PMS_NELEM(methods))];
}

/* charges.csv: the visits of the practice's history, one line each
 * and sometimes a second (pms-bill charge records). */
static int
write_charges(const struct gen *g, FILE *f)
{
	struct location loc[MAX_ENTITIES];
	struct provider pv[MAX_ENTITIES];
	struct patient pt;
	struct charge c;
	size_t npv;
	uint64_t i;
	unsigned j, n;
	char sid[32];

	locations_make(g, loc);
	npv = providers_make(g, pv);
	fputs("source_id,mrn,date_of_service,provider,location,code,units,"
	    "dx\n", f);
	for (i = 0; i < g->patients; i++) {
		if ((n = charges_of(g, i)) == 0)
			continue;
		patient_make(g, i, &pt);
		for (j = 0; j < n; j++) {
			charge_make(g, i, j, pv, npv, loc, &c);
			fmt(sid, sizeof(sid), "C%llu-%u", (unsigned long long)i,
			    j);
			fprintf(f, "%s,%s,%s,%s,%s,%s,1,%s\n", sid, pt.mrn,
			    c.date, c.provider, c.location, c.code, c.dx);
			if (c.second[0] != '\0')
				fprintf(f, "%s-2,%s,%s,%s,%s,%s,1,%s\n", sid,
				    pt.mrn, c.date, c.provider, c.location,
				    c.second, c.dx);
		}
		if (ferror(f))
			return -1;
	}
	return 0;
}

/* payments.csv: copays taken at the desk on the day of a visit
 * (pms-bill pay records). */
static int
write_payments(const struct gen *g, FILE *f)
{
	struct location loc[MAX_ENTITIES];
	struct provider pv[MAX_ENTITIES];
	struct patient pt;
	struct charge c;
	size_t npv;
	uint64_t i;
	unsigned j, n;

	locations_make(g, loc);
	npv = providers_make(g, pv);
	fputs("source_id,mrn,amount,method,ref,received_on\n", f);
	for (i = 0; i < g->patients; i++) {
		if ((n = charges_of(g, i)) == 0)
			continue;
		patient_make(g, i, &pt);
		for (j = 0; j < n; j++) {
			charge_make(g, i, j, pv, npv, loc, &c);
			if (!c.paid)
				continue;
			fprintf(f, "P%llu-%u,%s,%u.00,%s,%s%llu%u,%s\n",
			    (unsigned long long)i, j, pt.mrn, c.copay, c.method,
			    strcmp(c.method, "check") == 0 ? "chk " : "slip ",
			    (unsigned long long)i, j, c.date);
		}
		if (ferror(f))
			return -1;
	}
	return 0;
}

/* ---- era: an 835 answering our own 837 ---- */

/*
 * The era kind reads an 837P that pms-claim export wrote (--from) and
 * answers it as the payers would: one transaction set per payer, each
 * line allowed 60 to 90 per cent of its charge (the rest CO-45, the
 * contractual write-off), of the allowed the patient's part (PR-1 a
 * deductible, PR-2 coinsurance or PR-3 a copay), the first line of the
 * second claim denied (CO-50), and a last set, a later payment, that
 * reverses the first claim (CLP02 22, every amount negated) and pays it
 * again at a higher allowance.  It reads the 837 with a scanner of its
 * own, not lib/x12.c, so that the remittance does not depend on the
 * code it tests; the file is read once per payer and once more, never
 * held in memory.  Amounts are integer cents from the 837's decimal
 * text to the 835's.
 */

#define ERA_SEG_MAX	4096	/* our own 837's segments are short */
#define ERA_ELEMS	40
#define ERA_PAYERS	64
#define ERA_LINES	50

struct era_scan {
	FILE		*f;
	char		 el, comp, term;
	char		 buf[ERA_SEG_MAX];
	char		*e[ERA_ELEMS];	/* e[0] the id */
	int		 n;
	unsigned long	 segno;
};

/* The next segment into s->e; 0 at the end, 1 with one. */
static int
era_next(struct era_scan *s)
{
	size_t len = 0;
	int c;
	char *p;

	while ((c = getc(s->f)) != EOF && (c == '\r' || c == '\n' ||
	    c == ' ' || c == '\t'))
		;
	if (c == EOF)
		return 0;
	do {
		if (c == s->term)
			break;
		if (c == '\r' || c == '\n')
			continue;
		if (len + 1 >= sizeof(s->buf))
			die(EX_DATAERR, "--from: segment %lu: too long for an "
			    "837 of pms's", s->segno + 1);
		s->buf[len++] = (char)c;
	} while ((c = getc(s->f)) != EOF);
	s->buf[len] = '\0';
	s->segno++;
	s->n = 0;
	for (p = s->buf; s->n < ERA_ELEMS; ) {
		s->e[s->n++] = p;
		if ((p = strchr(p, s->el)) == NULL)
			break;
		*p++ = '\0';
	}
	return 1;
}

/* Element i of the segment, "" past its end. */
static const char *
era_el(const struct era_scan *s, int i)
{
	return i < s->n ? s->e[i] : "";
}

static int
era_is(const struct era_scan *s, const char *id)
{
	return strcmp(s->e[0], id) == 0;
}

/* Open the 837 and take its delimiters from the ISA. */
static void
era_open(struct era_scan *s, FILE *f)
{
	char isa[107];

	memset(s, 0, sizeof(*s));
	s->f = f;
	if (fseek(f, 0, SEEK_SET) != 0 || fread(isa, 1, 106, f) != 106 ||
	    strncmp(isa, "ISA", 3) != 0)
		die(EX_DATAERR, "--from: not an X12 interchange (no ISA)");
	s->el = isa[3];
	s->comp = isa[104];
	s->term = isa[105];
	if (fseek(f, 0, SEEK_SET) != 0)
		die(EX_IOERR, "--from: %s", strerror(errno));
}

/* An X12 amount ("125", "40.5", "-0.25") in cents; dies on another. */
static int64_t
era_cents(const char *s)
{
	int64_t v = 0, frac = 0;
	int neg = 0, nd = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		die(EX_DATAERR, "--from: an amount that is not one");
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && nd < 2; s++, nd++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		die(EX_DATAERR, "--from: an amount that is not one");
	if (nd == 1)
		frac *= 10;
	v = v * 100 + frac;
	return neg ? -v : v;
}

/* Cents as X12 writes them: "125", "40.5", "-0.25". */
static void
era_amount(int64_t c, char buf[32])
{
	int64_t a = c < 0 ? -c : c;
	const char *sign = c < 0 ? "-" : "";

	if (a % 100 == 0)
		fmt(buf, 32, "%s%lld", sign, (long long)(a / 100));
	else if (a % 10 == 0)
		fmt(buf, 32, "%s%lld.%lld", sign, (long long)(a / 100),
		    (long long)(a % 100 / 10));
	else
		fmt(buf, 32, "%s%lld.%02lld", sign, (long long)(a / 100),
		    (long long)(a % 100));
}

struct era_line {
	char		 code[64];	/* "99213:25" */
	int64_t		 charge;
	char		 units[16];
	char		 dos[16];	/* CCYYMMDD */
	char		 control[64];	/* REF*6R */
	/* the adjudication */
	int64_t		 allowed, pr, paid;
	int		 pr_reason;	/* 1, 2, 3; 0 none */
	int		 denied;
};

struct era_claim {
	unsigned long	 index;		/* in the file, from 0 */
	char		 clm01[32];
	int64_t		 charge;
	char		 pos[4];
	char		 filing[4];
	char		 last[64], first[40], member[84];
	char		 payer[84];	/* the payer's id */
	size_t		 n;
	struct era_line	 lines[ERA_LINES];
};

/* What the whole 837 says once: its envelope and its payers. */
struct era_file {
	char		 isa05[4], isa06[20], isa07[4], isa08[20];
	char		 isa13[12], usage;
	char		 gs02[20], gs03[20];
	int32_t		 day;		/* GS04 */
	char		 payee[64], npi[16];
	size_t		 npayers;
	char		 payer_id[ERA_PAYERS][84];
	char		 payer_name[ERA_PAYERS][64];
	unsigned long	 claims;
};

/* Adjudicate claim c as its payer would, the same on every pass. */
static void
era_adjudicate(const struct gen *g, struct era_claim *c, int again)
{
	struct rng r;
	size_t i;
	int kind;
	long pct;

	rng_for(&r, g->seed, "era", c->index);
	kind = (int)rng_below(&r, 3) + 1;
	for (i = 0; i < c->n; i++) {
		struct era_line *l = &c->lines[i];

		pct = rng_range(&r, 60, 90) + (again ? 8 : 0);
		if (pct > 100)
			pct = 100;
		l->denied = c->index == 1 && i == 0 && !again;
		l->pr_reason = 0;
		l->allowed = l->pr = l->paid = 0;
		if (l->denied)
			continue;
		l->allowed = l->charge * pct / 100;
		if (kind == 2)
			l->pr = l->allowed / 5;
		else if (i == 0)
			l->pr = l->allowed < (kind == 1 ? 5000 : 2500) ?
			    l->allowed : (kind == 1 ? 5000 : 2500);
		if (l->pr > 0)
			l->pr_reason = kind;
		l->paid = l->allowed - l->pr;
	}
}

static void
era_totals(const struct era_claim *c, int64_t *paid, int64_t *pr)
{
	size_t i;

	*paid = *pr = 0;
	for (i = 0; i < c->n; i++) {
		*paid += c->lines[i].paid;
		*pr += c->lines[i].pr;
	}
}

/*
 * Scan the 837 for its claims, one at a time, to fn: the envelope and
 * payers into ef (first pass) as they come.  fn's nonzero stops.
 */
static void
era_claims(struct era_scan *s, struct era_file *ef, int (*fn)(void *,
    struct era_claim *), void *arg)
{
	static struct era_claim c;
	char sub_last[64] = "", sub_first[40] = "", sub_member[84] = "";
	char payer[84] = "", filing[4] = "";
	char d[16], iso[12];
	const char *v;
	size_t i;
	int in_claim = 0;

	memset(&c, 0, sizeof(c));
	ef->claims = 0;
	while (era_next(s)) {
		if (era_is(s, "ISA") && ef->isa06[0] == '\0') {
			fmt(ef->isa05, sizeof(ef->isa05), "%s", era_el(s, 5));
			fmt(ef->isa06, sizeof(ef->isa06), "%s", era_el(s, 6));
			fmt(ef->isa07, sizeof(ef->isa07), "%s", era_el(s, 7));
			fmt(ef->isa08, sizeof(ef->isa08), "%s", era_el(s, 8));
			fmt(ef->isa13, sizeof(ef->isa13), "%s", era_el(s, 13));
			ef->usage = era_el(s, 15)[0] == 'P' ? 'P' : 'T';
			continue;
		}
		if (era_is(s, "GS") && ef->gs02[0] == '\0') {
			fmt(ef->gs02, sizeof(ef->gs02), "%s", era_el(s, 2));
			fmt(ef->gs03, sizeof(ef->gs03), "%s", era_el(s, 3));
			v = era_el(s, 4);
			if (strlen(v) != 8)
				die(EX_DATAERR, "--from: GS04 is not a date");
			fmt(iso, sizeof(iso), "%.4s-%.2s-%.2s", v, v + 4, v + 6);
			if (date_parse(iso, &ef->day) != 0)
				die(EX_DATAERR, "--from: GS04 is not a date");
			continue;
		}
		if (in_claim && (era_is(s, "HL") || era_is(s, "SE") ||
		    era_is(s, "CLM"))) {
			in_claim = 0;
			c.index = ef->claims++;
			if (fn != NULL && fn(arg, &c) != 0)
				return;
		}
		if (era_is(s, "HL") && strcmp(era_el(s, 3), "22") == 0) {
			sub_last[0] = sub_first[0] = sub_member[0] = '\0';
		} else if (era_is(s, "SBR")) {
			fmt(filing, sizeof(filing), "%.3s", era_el(s, 9));
		} else if (era_is(s, "NM1")) {
			v = era_el(s, 1);
			if (strcmp(v, "IL") == 0 || strcmp(v, "QC") == 0) {
				fmt(sub_last, sizeof(sub_last), "%.60s",
				    era_el(s, 3));
				fmt(sub_first, sizeof(sub_first), "%.35s",
				    era_el(s, 4));
				if (strcmp(v, "IL") == 0)
					fmt(sub_member, sizeof(sub_member),
					    "%.80s", era_el(s, 9));
			} else if (strcmp(v, "PR") == 0) {
				fmt(payer, sizeof(payer), "%.80s", era_el(s, 9));
				for (i = 0; i < ef->npayers; i++)
					if (strcmp(ef->payer_id[i], payer) == 0)
						break;
				if (i == ef->npayers) {
					if (i == ERA_PAYERS)
						die(EX_DATAERR, "--from: more "
						    "than %d payers",
						    ERA_PAYERS);
					fmt(ef->payer_id[i], 84, "%s", payer);
					fmt(ef->payer_name[i], 64, "%.60s",
					    era_el(s, 3));
					ef->npayers++;
				}
			} else if (strcmp(v, "85") == 0 &&
			    ef->payee[0] == '\0') {
				fmt(ef->payee, sizeof(ef->payee), "%.60s",
				    era_el(s, 3));
				fmt(ef->npi, sizeof(ef->npi), "%.10s",
				    era_el(s, 9));
			}
		} else if (era_is(s, "CLM")) {
			memset(&c, 0, sizeof(c));
			in_claim = 1;
			fmt(c.clm01, sizeof(c.clm01), "%.20s", era_el(s, 1));
			c.charge = era_cents(era_el(s, 2));
			fmt(c.pos, sizeof(c.pos), "%.2s", era_el(s, 5));
			fmt(c.filing, sizeof(c.filing), "%s", filing);
			fmt(c.last, sizeof(c.last), "%s", sub_last);
			fmt(c.first, sizeof(c.first), "%s", sub_first);
			fmt(c.member, sizeof(c.member), "%s", sub_member);
			fmt(c.payer, sizeof(c.payer), "%s", payer);
		} else if (in_claim && era_is(s, "SV1")) {
			struct era_line *l;
			char *p;

			if (c.n == ERA_LINES)
				die(EX_DATAERR, "--from: claim of more than "
				    "%d lines", ERA_LINES);
			l = &c.lines[c.n++];
			memset(l, 0, sizeof(*l));
			v = era_el(s, 1);
			if ((p = strchr(v, s->comp)) == NULL)
				die(EX_DATAERR, "--from: SV101 is not HC:code");
			fmt(l->code, sizeof(l->code), "%.60s", p + 1);
			for (p = l->code; *p != '\0'; p++)
				if (*p == s->comp)
					*p = ':';
			l->charge = era_cents(era_el(s, 2));
			fmt(l->units, sizeof(l->units), "%.10s", era_el(s, 4));
		} else if (in_claim && c.n > 0 && era_is(s, "DTP") &&
		    strcmp(era_el(s, 1), "472") == 0) {
			fmt(d, sizeof(d), "%.8s", era_el(s, 3));
			fmt(c.lines[c.n - 1].dos, 16, "%s", d);
		} else if (in_claim && c.n > 0 && era_is(s, "REF") &&
		    strcmp(era_el(s, 1), "6R") == 0) {
			fmt(c.lines[c.n - 1].control, 64, "%.50s",
			    era_el(s, 2));
		}
	}
	if (in_claim) {
		c.index = ef->claims++;
		if (fn != NULL)
			fn(arg, &c);
	}
}

/* Writing the 835: segments counted for SE. */
struct era_out {
	FILE		*f;
	unsigned long	 n;		/* segments of the set */
	const struct gen *g;
	const char	*payer;		/* the set's payer id */
	int64_t		 total;		/* its claims' payments */
	unsigned long	 claims;
	int		 write;		/* 0: count only */
	int		 reverse;	/* the last set: claim 0 again */
	struct era_claim first;		/* claim 0, kept for it */
	int		 have_first;
};

static void era_seg(struct era_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
era_seg(struct era_out *o, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vfprintf(o->f, f, ap);
	va_end(ap);
	fputs("~\n", o->f);
	o->n++;
}

static const char *
era_clp06(const char *filing)
{
	if (strcmp(filing, "MA") == 0 || strcmp(filing, "MB") == 0 ||
	    strcmp(filing, "MC") == 0)
		return filing;
	return "12";
}

/* A claim's CLP loop: sign -1 writes its reversal. */
static void
era_write_claim(struct era_out *o, const struct era_claim *c, int sign,
    const char *status, const char *pcn)
{
	char a[32], b[32], p[32], al[32];
	int64_t paid, pr;
	size_t i;

	era_totals(c, &paid, &pr);
	era_amount(sign * c->charge, a);
	era_amount(sign * paid, b);
	era_amount(sign * pr, p);
	era_seg(o, "CLP*%s*%s*%s*%s*%s*%s*%s*%s*1", c->clm01, status, a, b,
	    pr != 0 ? p : "", era_clp06(c->filing), pcn, c->pos);
	era_seg(o, "NM1*QC*1*%s*%s****MI*%s", c->last, c->first, c->member);
	for (i = 0; i < c->n; i++) {
		const struct era_line *l = &c->lines[i];

		era_amount(sign * l->charge, a);
		era_amount(sign * l->paid, b);
		era_seg(o, "SVC*HC:%s*%s*%s**%s", l->code, a, b, l->units);
		era_seg(o, "DTM*472*%s", l->dos);
		if (l->denied) {
			era_seg(o, "CAS*CO*50*%s", a);
		} else {
			if (l->charge != l->allowed) {
				era_amount(sign * (l->charge - l->allowed), a);
				era_seg(o, "CAS*CO*45*%s", a);
			}
			if (l->pr != 0) {
				era_amount(sign * l->pr, a);
				era_seg(o, "CAS*PR*%d*%s", l->pr_reason, a);
			}
		}
		if (l->control[0] != '\0')
			era_seg(o, "REF*6R*%s", l->control);
		era_amount(sign * l->allowed, al);
		era_seg(o, "AMT*B6*%s", al);
	}
}

static int
era_each(void *arg, struct era_claim *c)
{
	struct era_out *o = arg;
	char pcn[32];
	int64_t paid, pr;

	if (c->index == 0 && !o->have_first) {
		o->first = *c;
		o->have_first = 1;
	}
	if (strcmp(c->payer, o->payer) != 0)
		return 0;
	era_adjudicate(o->g, c, 0);
	era_totals(c, &paid, &pr);
	o->total += paid;
	o->claims++;
	if (o->write) {
		fmt(pcn, sizeof(pcn), "E%07lu", c->index + 1);
		era_write_claim(o, c, 1, paid == 0 ? "4" : "1", pcn);
	}
	return 0;
}

/* The set's header: BPR, TRN, DTM, the payer and the payee. */
static void
era_header(struct era_out *o, const struct era_file *ef, size_t payer,
    unsigned st, int32_t day, int64_t total, const char *trace)
{
	char iso[12], d[12], a[32];

	date_fmt(day, iso, sizeof(iso));
	fmt(d, sizeof(d), "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
	era_amount(total, a);
	o->n = 0;
	era_seg(o, "ST*835*%04u", st);
	if (total > 0)
		era_seg(o, "BPR*I*%s*C*CHK************%s", a, d);
	else
		era_seg(o, "BPR*H*0*C*NON************%s", d);
	era_seg(o, "TRN*1*%s*1512345678", trace);
	era_seg(o, "DTM*405*%s", d);
	era_seg(o, "N1*PR*%s", ef->payer_name[payer]);
	era_seg(o, "N3*PO BOX 1000");
	era_seg(o, "N4*COLUMBUS*OH*43215");
	era_seg(o, "PER*BL*EDI SUPPORT*TE*8005550199");
	era_seg(o, "N1*PE*%s*XX*%s", ef->payee, ef->npi);
	era_seg(o, "LX*1");
}

static int
write_era(const struct gen *g, FILE *out)
{
	struct era_scan s;
	struct era_file ef;
	struct era_out o;
	struct era_claim again;
	char trace[32], pcn[32], d[12];
	int64_t paid0, pr0, paid1, pr1;
	size_t p;
	unsigned st = 0;
	FILE *in;

	if (g->from == NULL)
		die(EX_USAGE, "era: --from BATCH.837 names the claims to "
		    "answer");
	if ((in = fopen(g->from, "r")) == NULL)
		die(EX_NOINPUT, "--from: %s: %s", g->from, strerror(errno));
	memset(&ef, 0, sizeof(ef));
	era_open(&s, in);
	era_claims(&s, &ef, NULL, NULL);
	if (ef.claims == 0 || ef.isa06[0] == '\0' || ef.gs02[0] == '\0')
		die(EX_DATAERR, "--from: no claim in the file");
	date_fmt(ef.day + 14, d, sizeof(d));
	fprintf(out, "ISA*00*          *00*          *%s*%s*%s*%s*%.2s%.2s%.2s"
	    "*0900*^*00501*%s*0*%c*:~\n", ef.isa07, ef.isa08, ef.isa05,
	    ef.isa06, d + 2, d + 5, d + 8, ef.isa13, ef.usage);
	fprintf(out, "GS*HP*%s*%s*%.4s%.2s%.2s*0900*%lu*X*005010X221A1~\n",
	    ef.gs03, ef.gs02, d, d + 5, d + 8, strtoul(ef.isa13, NULL, 10));
	memset(&o, 0, sizeof(o));
	o.f = out;
	o.g = g;
	for (p = 0; p < ef.npayers; p++) {
		/* a pass for the set's total, a pass to write it */
		o.payer = ef.payer_id[p];
		o.total = 0;
		o.claims = 0;
		o.write = 0;
		era_open(&s, in);
		era_claims(&s, &ef, era_each, &o);
		if (o.claims == 0)
			continue;
		fmt(trace, sizeof(trace), "CHK%s%02zu", ef.isa13, p + 1);
		era_header(&o, &ef, p, ++st, ef.day + 14, o.total, trace);
		o.write = 1;
		o.total = 0;
		o.claims = 0;
		era_open(&s, in);
		era_claims(&s, &ef, era_each, &o);
		era_seg(&o, "SE*%lu*%04u", o.n + 1, st);
	}
	/* two weeks on, the first claim reversed and paid again */
	if (o.have_first) {
		era_adjudicate(g, &o.first, 0);
		era_totals(&o.first, &paid0, &pr0);
		again = o.first;
		era_adjudicate(g, &again, 1);
		era_totals(&again, &paid1, &pr1);
		for (p = 0; p < ef.npayers; p++)
			if (strcmp(ef.payer_id[p], o.first.payer) == 0)
				break;
		fmt(trace, sizeof(trace), "CHK%sR", ef.isa13);
		era_header(&o, &ef, p, ++st, ef.day + 28, paid1 - paid0,
		    trace);
		fmt(pcn, sizeof(pcn), "E%07lu", o.first.index + 1);
		era_write_claim(&o, &o.first, -1, "22", pcn);
		fmt(pcn, sizeof(pcn), "E%07luR", o.first.index + 1);
		era_write_claim(&o, &again, 1, "1", pcn);
		era_seg(&o, "SE*%lu*%04u", o.n + 1, st);
	}
	fprintf(out, "GE*%u*%lu~\n", st, strtoul(ef.isa13, NULL, 10));
	fprintf(out, "IEA*1*%s~\n", ef.isa13);
	if (ferror(in))
		die(EX_IOERR, "--from: %s: read error", g->from);
	fclose(in);
	return 0;
}

/* ---- the kinds of file, and main ---- */

struct kind {
	const char	*name;
	const char	*file;		/* written into --out DIR */
	int		(*write)(const struct gen *, FILE *);
	int		 by_default;	/* written when no kind is named; 0
					 * for a kind that needs an input */
	const char	*what;
};

static const struct kind kinds[] = {
	{ "config", "practice.yaml", write_config, 1,
	    "the practice's configuration (pms.yaml(5))" },
	{ "patients", "patients.csv", write_patients, 1,
	    "the patient registry, as a spreadsheet" },
	{ "policies", "policies.csv", write_policies, 1,
	    "the patients' insurance (pms-patient policy import)" },
	{ "appointments", "appointments.csv", write_appointments, 1,
	    "the old system's book: years of appointments" },
	{ "fees", "fees.csv", write_fees, 1,
	    "the fee schedule (pms-bill fees import)" },
	{ "charges", "charges.csv", write_charges, 1,
	    "the visits' charges (pms-bill charge)" },
	{ "payments", "payments.csv", write_payments, 1,
	    "copays taken at the desk (pms-bill pay)" },
	{ "era", "remit.835", write_era, 0,
	    "an 835 answering the claims of --from BATCH.837" },
};

static _Noreturn void
usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs("usage: bench-gen [--seed n] [--size small|clinic|group] "
	    "[--patients n] [--as-of yyyy-mm-dd] [--from batch.837] "
	    "[--out dir] [kind ...]\n"
	    "       bench-gen --list | --version | --help\n", f);
	exit(status);
}

/* Write one kind into dir: a temp file, renamed when complete. */
static void
write_kind(const struct gen *g, const struct kind *k, const char *dir)
{
	char path[4096], tmp[4200];
	FILE *f;
	static char buf[1 << 16];

	fmt(path, sizeof(path), "%s/%s", dir, k->file);
	fmt(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	if (k->write(g, f) != 0 || fflush(f) == EOF || ferror(f)) {
		fclose(f);
		unlink(tmp);
		die(EX_IOERR, "%s: write error", tmp);
	}
	if (fclose(f) == EOF || rename(tmp, path) != 0) {
		unlink(tmp);
		die(EX_IOERR, "%s: %s", path, strerror(errno));
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "seed",	required_argument,	NULL, 's' },
		{ "size",	required_argument,	NULL, 'z' },
		{ "patients",	required_argument,	NULL, 'p' },
		{ "as-of",	required_argument,	NULL, 'a' },
		{ "out",	required_argument,	NULL, 'o' },
		{ "from",	required_argument,	NULL, 'f' },
		{ "list",	no_argument,		NULL, 'l' },
		{ "version",	no_argument,		NULL, 'V' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	struct gen g;
	const char *dir = ".", *size = "small", *as_of = GEN_DEFAULT_AS_OF;
	unsigned long long v;
	char *end;
	int ch, i, want[PMS_NELEM(kinds)], any = 0;
	size_t k;

	memset(&g, 0, sizeof(g));
	g.seed = 1;
	while ((ch = getopt_long(argc, argv, "s:z:p:a:o:f:lVh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'p':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || (ch == 'p' && v > 100000000))
				die(EX_USAGE, "--%s: not a number in range: "
				    "\"%s\"", ch == 's' ? "seed" : "patients",
				    optarg);
			if (ch == 's')
				g.seed = v;
			else {
				g.patients = (unsigned long)v;
				g.have_patients = 1;
			}
			break;
		case 'z':
			size = optarg;
			break;
		case 'a':
			as_of = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'f':
			g.from = optarg;
			break;
		case 'l':
			for (k = 0; k < PMS_NELEM(kinds); k++)
				printf("%-12s %-16s %s\n", kinds[k].name,
				    kinds[k].file, kinds[k].what);
			return EX_OK;
		case 'V':
			printf("bench-gen %d\n", GEN_VERSION);
			return EX_OK;
		case 'h':
			usage(EX_OK);
		default:
			usage(EX_USAGE);
		}
	}
	for (k = 0; k < PMS_NELEM(sizes); k++)
		if (strcmp(size, sizes[k].name) == 0)
			g.size = &sizes[k];
	if (g.size == NULL)
		die(EX_USAGE, "--size: unknown size \"%s\" (small, clinic, "
		    "group)", size);
	if (!g.have_patients)
		g.patients = g.size->patients;
	if (date_parse(as_of, &g.as_of) != 0)
		die(EX_USAGE, "--as-of: not a date (YYYY-MM-DD): \"%s\"",
		    as_of);
	memset(want, 0, sizeof(want));
	for (i = optind; i < argc; i++) {
		for (k = 0; k < PMS_NELEM(kinds); k++)
			if (strcmp(argv[i], kinds[k].name) == 0)
				break;
		if (k == PMS_NELEM(kinds))
			die(EX_USAGE, "unknown kind of file \"%s\" (--list "
			    "shows them)", argv[i]);
		want[k] = any = 1;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die(EX_CANTCREAT, "%s: %s", dir, strerror(errno));
	for (k = 0; k < PMS_NELEM(kinds); k++)
		if (any ? want[k] : kinds[k].by_default)
			write_kind(&g, &kinds[k], dir);
	return EX_OK;
}
