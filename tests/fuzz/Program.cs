using LguestPS.Engine.Virtio.Net;
using SharpFuzz;

namespace LguestPS.Fuzz;

/*
 * lguest-fuzz <target>                    under afl-fuzz (bench/fuzz.sh): SharpFuzz's persistent loop
 * lguest-fuzz <target> --replay <file>... runs each input once, says which ones fail (how a finding is checked)
 * lguest-fuzz --seeds <dir>               writes the seed corpus, <dir>/<target>/<name>
 *
 * The net target makes a tap, so it runs only where it cannot touch the
 * host's network: in a network namespace of its own (unshare -n).
 */
public static class Program
{
    public static unsafe int Main(string[] args)
    {
        // The instrumented engine writes coverage through this pointer from its first instruction; afl-fuzz's
        // shared map replaces it inside Fuzzer.Run, and until then (or in --replay) a map of our own takes it.
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
        if (args.Length == 2 && args[0] == "--seeds")
        {
            foreach (var t in FuzzTargets.Names)
            {
                string dir = Directory.CreateDirectory(Path.Combine(args[1], t)).FullName;
                foreach (var (name, data) in Seeds.For(t)) File.WriteAllBytes(Path.Combine(dir, name), data);
            }
            return 0;
        }
        if (args.Length == 0)
        {
            Console.Error.WriteLine($"usage: lguest-fuzz <{string.Join('|', FuzzTargets.Names)}> [--replay <file>...] | --seeds <dir>");
            return 2;
        }
        var target = FuzzTargets.Create(args[0], OwnTap);
        if (args.Length > 1 && args[1] == "--replay")
        {
            int failed = 0;
            foreach (var f in args.Skip(2))
            {
                try { target.Run(File.ReadAllBytes(f)); }
                catch (Exception e) { failed++; Console.Error.WriteLine($"{f}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}"); }
            }
            Console.Error.WriteLine($"{args.Length - 2 - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        }
        var buffer = new byte[1 << 20];
        Fuzzer.Run(stream =>
        {
            int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            target.Run(buffer.AsSpan(0, n));
        });
        return 0;
    }

    private static TapDevice OwnTap()
    {
        // A namespace of its own has nothing but lo (and its /proc/self/net shows this thread's namespace).
        var links = File.ReadAllLines("/proc/self/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim());
        if (links.Any(l => l != "lo"))
            throw new InvalidOperationException("the net target makes a tap: run it in a network namespace of its own (unshare -n)");
        return TapDevice.Create(LguestPS.Engine.Virtio.Net.Ipv4Net.Parse("169.254.99.1", "fuzz"), null, "fuzz");
    }
}
