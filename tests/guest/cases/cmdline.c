/*
 * cmdline: did the command line arrive byte for byte? The test harness
 * ends it with guest.cmdsum=<16 hex digits>, the sum64 (README.md) of
 * everything before the single space that precedes it, so spaces, quotes
 * and lines of several KiB can all be checked without the guest knowing
 * what was sent. guest.cmdlen=<n>, if present, is strlen() of the whole line.
 */
#include "boot.h"
#include "lib.h"
#include "test.h"

#define SUM_KEY "guest.cmdsum="
#define SUM_KEY_LEN 13
#define SUM_ARG_LEN (SUM_KEY_LEN + 16)

static void run_cmdline(void)
{
	if (!boot.cmdline)
		return fail("no command line (cmd_line_ptr 0x%lx)", boot.cmdline_addr);
	const char *s = boot.cmdline;
	u64 len = boot.cmdline_len;

	size_t vlen;
	const char *v = cmdline_param("guest.cmdlen", &vlen);
	if (v) {
		u64 want;
		if (!parse_u64(v, vlen, &want))
			return fail("guest.cmdlen=%.*s is not a decimal number", (int)vlen, v);
		if (want != len)
			return fail("length %lu, expected %lu (guest.cmdlen)", len, want);
	}

	/* The checksum argument must be the very last thing on the line. */
	bool last = len >= SUM_ARG_LEN && !strncmp(s + len - SUM_ARG_LEN, SUM_KEY, SUM_KEY_LEN) &&
		    (len == SUM_ARG_LEN || s[len - SUM_ARG_LEN - 1] == ' ');
	if (!last) {
		if (cmdline_param("guest.cmdsum", &vlen))
			return fail("guest.cmdsum= is not the last argument (line ends \"%s\")",
				    s + (len > 40 ? len - 40 : 0));
		return ok("no guest.cmdsum=: %lu bytes, sum64 of all of it %016lx", len, sum64(s, len));
	}
	u64 want;
	if (!parse_hex64(s + len - 16, 16, &want))
		return fail("guest.cmdsum=%s is not 16 hex digits", s + len - 16);
	u64 prefix = len == SUM_ARG_LEN ? 0 : len - SUM_ARG_LEN - 1;
	u64 got = sum64(s, prefix);
	if (got != want)
		return fail("sum64 of the first %lu bytes is %016lx, expected %016lx", prefix, got, want);
	ok("%lu bytes, sum64 matches%s", len, v ? ", length matches guest.cmdlen" : "");
}
GUEST_TEST(40, cmdline, run_cmdline, 0);
