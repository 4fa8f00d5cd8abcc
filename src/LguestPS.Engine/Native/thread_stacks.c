/*
 * Thread stacks of 1 MiB for every thread the process starts: ours (vCPUs,
 * device workers, console, control), the .NET runtime's, and the one its
 * native signal handling starts with pthread_create(NULL attributes).
 *
 * glibc sizes a thread's stack after RLIMIT_STACK, 8 MiB on most systems.
 * Where transparent huge pages are "always" (Debian's kernels), the first
 * touch of the top of such a stack can be served by a whole 2 MiB huge page,
 * as the stack's mapping holds aligned 2 MiB ranges: measured at the test
 * guest's READY under KVM, the engine's memory beyond guest RAM came out at
 * 5.0-5.2 MiB or 7.0-7.2 MiB from one run to the next, the difference one
 * such page. A 1 MiB mapping holds no aligned 2 MiB range, so it never gets
 * one. The engine's deepest stack is a few pages: nothing recurses over
 * guest data.
 *
 * Set here, a C constructor that runs before the runtime starts any thread
 * (as Native/stdio_guard.c does its work), because pthread's process-wide
 * default is the one setting every thread creator honours. A .NET thread
 * can still be given more with DOTNET_Thread_DefaultStackSize.
 */
#define _GNU_SOURCE
#include <pthread.h>

__attribute__((constructor(102))) static void lguest_thread_stacks(void)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return;
	if (pthread_attr_setstacksize(&attr, 1u << 20) == 0)
		pthread_setattr_default_np(&attr);
	pthread_attr_destroy(&attr);
}
