using System.Runtime.InteropServices;
using Tmds.Linux;
using static LguestPS.Engine.Interop.KvmApi;

namespace LguestPS.Engine.Kvm;

/// <summary>
/// The signal that kicks a vCPU thread out of KVM_RUN. It needs a handler
/// (an ignored signal would not interrupt the ioctl); the handler does nothing.
/// </summary>
public static class KickSignal
{
    public const int Number = 10; // SIGUSR1
    private static PosixSignalRegistration? _registration;

    public static void Install() =>
        _registration ??= PosixSignalRegistration.Create((PosixSignal)Number, ctx => ctx.Cancel = true);
}
