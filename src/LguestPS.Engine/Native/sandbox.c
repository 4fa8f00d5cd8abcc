/*
 * The two pieces of the sandbox (Sandbox/SeccompSandbox.cs) that C# cannot
 * do: install a seccomp filter on every thread at once (seccomp(2) has no C
 * library wrapper), and report a forbidden system call from inside the SIGSYS
 * handler, where only async-signal-safe calls may run: no allocation, no
 * locks, no managed code. So the report is formatted here, into a buffer on
 * the stack, with nothing but write(2) and _exit(2), both on the allowlist.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int report_json;
static int report_code;
static double report_time0;	/* seconds since the engine started, at arm time */
static struct timespec report_mono0;

static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s && at < cap)
		buf[at++] = *s++;
	return at;
}

static size_t put_uint(char *buf, size_t at, size_t cap, unsigned long v, int min_digits)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < min_digits);
	while (n && at < cap)
		buf[at++] = digits[--n];
	return at;
}

static void on_sigsys(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	char buf[512];
	size_t n = 0, cap = sizeof(buf) - 1;
	char what[160];
	size_t w = 0, wcap = sizeof(what) - 1;

	w = put(what, w, wcap, "the sandbox stopped a forbidden system call (number ");
	w = put_uint(what, w, wcap, (unsigned long)info->si_syscall, 1);
	w = put(what, w, wcap, ", see ausyscall(8)); this is a bug in lguest, please report it");
	what[w] = 0;

	if (report_json) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now); /* the vDSO: no system call */
		double t = report_time0 + (double)(now.tv_sec - report_mono0.tv_sec) +
			   (double)(now.tv_nsec - report_mono0.tv_nsec) / 1e9;
		unsigned long us = t > 0 ? (unsigned long)(t * 1e6) : 0;
		n = put(buf, n, cap, "{\"event\":\"exit\",\"time\":");
		n = put_uint(buf, n, cap, us / 1000000, 1);
		n = put(buf, n, cap, ".");
		n = put_uint(buf, n, cap, us % 1000000, 6);
		n = put(buf, n, cap, ",\"reason\":\"sandbox-violation\",\"code\":");
		n = put_uint(buf, n, cap, (unsigned long)report_code, 1);
		n = put(buf, n, cap, ",\"message\":\"");
		n = put(buf, n, cap, what);
		n = put(buf, n, cap, "\"}");
	} else {
		n = put(buf, n, cap, "lguest: ");
		n = put(buf, n, cap, what);
	}
	buf[n++] = '\n';
	ssize_t r = write(2, buf, n);
	(void)r;
	_exit(report_code);
}

/* Installs the SIGSYS reporter; json chooses the event line over the text line. 0, or an errno. */
int lguest_sandbox_arm_reporter(int json, double seconds_since_start, int exit_code)
{
	report_json = json;
	report_code = exit_code;
	report_time0 = seconds_since_start;
	clock_gettime(CLOCK_MONOTONIC, &report_mono0);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) == 0 ? 0 : errno;
}

/*
 * NO_NEW_PRIVS, then the filter. all_threads: on every thread of the process
 * (SECCOMP_FILTER_FLAG_TSYNC), else on the calling thread only (and the
 * threads it creates from now on). 0, or an errno (for TSYNC, a thread that
 * could not take it makes the call return its id: reported as ESRCH).
 */
int lguest_sandbox_install(const struct sock_filter *code, unsigned short length, int all_threads)
{
	struct sock_fprog prog = { .len = length, .filter = (struct sock_filter *)code };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return errno;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, all_threads ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog);
	if (r < 0)
		return errno;
	return r == 0 ? 0 : ESRCH;
}
