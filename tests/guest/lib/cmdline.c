/*
 * The kernel command line, split as Linux's next_arg() splits it: blanks
 * separate arguments, double quotes group ("a b"=c, a="b c"), and a quote
 * pair around a whole argument or around its value is not part of it.
 *
 * One pass at start-up remembers the arguments this guest cares about
 * (tests= and guest.*); everything else is somebody else's business, and a
 * 2000-byte line should not be rescanned for every lookup at 0.4 us an
 * instruction.
 */
#include "lib.h"

#define MAX_OURS 32

struct arg {
	const char *key, *val;
	u16 klen, vlen;
};

static const char *cmdline = "";
static struct arg ours[MAX_OURS];
static unsigned nours;

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void remember(const char *a, const char *b)
{
	if (*a == '"') {		/* "key=value" */
		a++;
		if (b > a && b[-1] == '"')
			b--;
	}
	const char *eq = a;
	while (eq < b && *eq != '=')
		eq++;
	if (eq == b)
		return;
	bool want = (eq - a == 5 && !strncmp(a, "tests", 5)) || (eq - a > 6 && !strncmp(a, "guest.", 6));
	if (!want || nours == MAX_OURS)
		return;
	const char *v = eq + 1, *ve = b;
	if (v < ve && *v == '"') {	/* key="value" */
		v++;
		if (ve > v && ve[-1] == '"')
			ve--;
	}
	ours[nours++] = (struct arg){ a, v, (u16)(eq - a), (u16)(ve - v) };
}

void cmdline_set(const char *s)
{
	cmdline = s ? s : "";
	nours = 0;
	const char *p = cmdline;
	for (;;) {
		while (blank(*p))
			p++;
		if (!*p)
			break;
		const char *start = p;
		bool quoted = false;
		for (; *p; p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (!quoted && blank(*p))
				break;
		}
		remember(start, p);
	}
}

const char *cmdline_get(void)
{
	return cmdline;
}

const char *cmdline_param(const char *key, size_t *len)
{
	size_t klen = strlen(key);
	for (unsigned i = nours; i-- > 0;) {	/* the last one wins, as in Linux */
		if (ours[i].klen == klen && !strncmp(ours[i].key, key, klen)) {
			*len = ours[i].vlen;
			return ours[i].val;
		}
	}
	return NULL;
}
