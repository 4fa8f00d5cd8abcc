/*
 * How a check plugs in: one file under cases/, ending in
 *
 *	GUEST_TEST(40, mything, run_mything, 0);
 *
 * The number orders the run when every test runs (two digits, sorted as
 * text); the name is what tests= selects and what the TEST line prints.
 * The linker collects these into one table (guest.ld, .guest_tests.*), so
 * main.c never lists tests. A name that is not a C identifier (virtio-blk)
 * uses GUEST_TEST_AS(order, identifier, "name", fn, flags).
 *
 * A test reports exactly once, with ok() or fail(); both take printf-lite
 * formats and return void, so "return fail(...);" ends a test in one line
 * (GNU C allows a void expression there). ok's text, if any, appears in parentheses: it is where a test
 * says what it could not check.
 */
#ifndef TEST_H
#define TEST_H
#include "types.h"

struct guest_test {
	const char *name;
	void (*run)(void);
	unsigned flags;
};
#define TEST_INTERACTIVE 1	/* needs input: only with tests=all or by name */
#define TEST_EXPLICIT	 2	/* only by name: never in the default run or tests=all */
/* In the default run and tests=all only when bus 0 has a virtio device of
 * this type (virtio.h's VIRTIO_ID_*); by name it runs (and says what is
 * missing) regardless. */
#define TEST_NEEDS(virtio_type) ((unsigned)(virtio_type) << 8)
#define TEST_NEEDED_TYPE(flags) (((flags) >> 8) & 0xFF)

#define GUEST_TEST_AS(order, id, tname, fn, fl)                                  \
	static const struct guest_test guest_test_##id                           \
		__attribute__((used, section(".guest_tests." #order), aligned(8))) = \
			{ tname, fn, fl }
#define GUEST_TEST(order, tname, fn, fl) GUEST_TEST_AS(order, tname, #tname, fn, fl)

void ok(const char *fmt, ...) __printf(1, 2);
void fail(const char *fmt, ...) __printf(1, 2);

#endif
