using System.Runtime.InteropServices;

namespace LguestPS.Engine.Interop;

/*
 * A seccomp filter (Documentation/userspace-api/seccomp_filter.rst): a
 * classic BPF program the kernel runs on every system call, over struct
 * seccomp_data { int nr; __u32 arch; ... }. Ours is an allowlist, checked in
 * this order:
 *   - an architecture other than x86-64 (a 32-bit int 0x80 call, whose
 *     numbers mean other calls) kills the process outright;
 *   - an x32 call (number with bit 30 set) is forbidden;
 *   - a listed number is allowed; one on the refused list fails with
 *     EACCES (calls the runtime makes on its own and copes with failing);
 *     anything else is forbidden.
 * "Forbidden" is SECCOMP_RET_TRAP: the kernel sends SIGSYS, whose handler
 * (Native/sandbox.c) writes the exit event and ends the process, so a
 * sandbox violation is an exit reason, not a mystery death.
 */
public static class Seccomp
{
    // linux/filter.h, linux/bpf_common.h
    private const ushort LdWAbs = 0x00 | 0x00 | 0x20, JeqK = 0x05 | 0x10 | 0x00, JgeK = 0x05 | 0x30 | 0x00, RetK = 0x06 | 0x00;
    // linux/seccomp.h, linux/audit.h
    private const uint RetKillProcess = 0x80000000, RetTrap = 0x00030000, RetErrno = 0x00050000, RetAllow = 0x7fff0000;
    private const uint Eacces = 13;
    private const uint AuditArchX86_64 = 0xC000003E, X32Bit = 0x40000000;
    private const uint NrOffset = 0, ArchOffset = 4;

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public readonly record struct Instruction(ushort Code, byte Jt, byte Jf, uint K);

    /// <summary>
    /// The program that allows exactly <paramref name="allowed"/> and fails <paramref name="refused"/> with EACCES
    /// (x86-64 system call numbers); every other call traps.
    /// </summary>
    public static Instruction[] Allowlist(IEnumerable<int> allowed, IEnumerable<int>? refused = null)
    {
        var yes = allowed.Distinct().Order().ToArray();
        var no = (refused ?? []).Distinct().Except(yes).Order().ToArray();
        int n = yes.Length + no.Length;
        if (n > 250) throw new ArgumentException("too many system calls for 8-bit jumps", nameof(allowed));
        var p = new List<Instruction>
        {
            new(LdWAbs, 0, 0, ArchOffset),
            new(JeqK, 1, 0, AuditArchX86_64),
            new(RetK, 0, 0, RetKillProcess),
            new(LdWAbs, 0, 0, NrOffset),
            new(JgeK, (byte)n, 0, X32Bit), // to the trap below the lists
        };
        // Below the n comparisons: trap, errno, allow. A jump counts from the next instruction.
        for (int j = 0; j < yes.Length; j++) p.Add(new(JeqK, (byte)(n + 1 - j), 0, (uint)yes[j]));
        for (int j = yes.Length; j < n; j++) p.Add(new(JeqK, (byte)(n - j), 0, (uint)no[j - yes.Length]));
        p.Add(new(RetK, 0, 0, RetTrap));
        p.Add(new(RetK, 0, 0, RetErrno | Eacces));
        p.Add(new(RetK, 0, 0, RetAllow));
        return p.ToArray();
    }

    /// <summary>What the kernel would answer for system call <paramref name="nr"/> on <paramref name="arch"/>: allow, eacces, trap or kill.</summary>
    public static string Evaluate(Instruction[] program, int nr, uint arch = AuditArchX86_64)
    {
        uint a = 0;
        for (int pc = 0; pc < program.Length; pc++)
        {
            var i = program[pc];
            switch (i.Code)
            {
                case LdWAbs: a = i.K == NrOffset ? (uint)nr : arch; break;
                case JeqK: pc += a == i.K ? i.Jt : i.Jf; break;
                case JgeK: pc += a >= i.K ? i.Jt : i.Jf; break;
                case RetK: return i.K switch { RetAllow => "allow", RetTrap => "trap", RetKillProcess => "kill", RetErrno | Eacces => "eacces", _ => $"0x{i.K:x}" };
                default: throw new InvalidOperationException($"instruction 0x{i.Code:x} at {pc}");
            }
        }
        throw new InvalidOperationException("the program ran off its end");
    }

    /// <summary>
    /// Sets NO_NEW_PRIVS and installs the program: on every thread (<paramref name="allThreads"/>, TSYNC) or on
    /// the calling thread and those it creates from now on. Irreversible; a filter only ever adds to the ones before.
    /// </summary>
    // SAFETY: the kernel copies the pinned array of program.Length instructions during the call and keeps no pointer.
    public static unsafe void Install(Instruction[] program, bool allThreads)
    {
        int err;
        fixed (Instruction* p = program)
            err = Native.lguest_sandbox_install(p, (ushort)program.Length, allThreads ? 1 : 0);
        if (err != 0) throw new SysException("seccomp(SECCOMP_SET_MODE_FILTER)", err);
    }

    /// <summary>Routes SIGSYS to the reporter in Native/sandbox.c: the exit line (JSON or text), then exit with <paramref name="exitCode"/>.</summary>
    public static void ArmReporter(bool json, double secondsSinceStart, int exitCode)
    {
        int err = Native.lguest_sandbox_arm_reporter(json ? 1 : 0, secondsSinceStart, exitCode);
        if (err != 0) throw new SysException("sigaction(SIGSYS)", err);
    }

    /// <summary>Native/sandbox.c, linked into the Native AOT engine (LguestPS.Engine.csproj); absent from a JIT build.</summary>
    private static class Native
    {
        private const string Lib = "lguestnative";

        [DllImport(Lib)]
        // SAFETY: reads length instructions from code, which Install pins for the call.
        internal static extern unsafe int lguest_sandbox_install(Instruction* code, ushort length, int allThreads);

        [DllImport(Lib)]
        internal static extern int lguest_sandbox_arm_reporter(int json, double secondsSinceStart, int exitCode);
    }
}
