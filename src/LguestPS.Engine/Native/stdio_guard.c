/*
 * The engine's first act, before the .NET runtime has run a line: make sure
 * descriptors 0, 1 and 2 are open.
 *
 * A parent may start us with any of them closed (`lguest ... <&- >&-`). The
 * kernel hands out the lowest free number, so the first descriptors the
 * runtime creates for itself (its signal-handling pipe, before Main) would
 * land on 0 or 1, and from then on "stdout" is that pipe: the guest's console
 * bytes are read back as signal numbers and the engine kills itself. A
 * ModuleInitializer in C# runs too late (after the runtime's pipe2), so this
 * is a C constructor linked into the Native AOT binary (LguestPS.Engine.csproj),
 * which the C library runs before main().
 *
 * A closed standard descriptor gets /dev/null, which reads as end of file and
 * swallows writes: what a closed one meant to whoever closed it. Should
 * /dev/null be missing (a bare container), the root directory holds the
 * number instead: reads and writes on it fail, as they would have on a closed
 * descriptor, and the number is still not free for anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

__attribute__((constructor(101))) static void lguest_stdio_guard(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue; /* open: leave it alone */
		/* 0..fd-1 are open by now, so the lowest free number is fd itself. */
		int got = open("/dev/null", O_RDWR);
		if (got < 0)
			got = open("/", O_RDONLY | O_DIRECTORY);
		if (got >= 0 && got != fd)
			close(got); /* cannot happen (see above); never leak one */
	}
}
