/*
 * How a check plugs in: one file under cases/, ending in
 *
 *	GUEST_TEST(40, mything, run_mything, 0);
 *
 * The number orders the run when every test runs (two digits, sorted as
 * text); the name is what tests= selects and what the TEST line prints.
 * The linker collects these into one table (guest.ld, .guest_tests.*), so
 * main.c never lists tests.
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

#define GUEST_TEST(order, tname, fn, fl)                                         \
	static const struct guest_test guest_test_##tname                        \
		__attribute__((used, section(".guest_tests." #order), aligned(8))) = \
			{ #tname, fn, fl }

void ok(const char *fmt, ...) __printf(1, 2);
void fail(const char *fmt, ...) __printf(1, 2);

#endif
