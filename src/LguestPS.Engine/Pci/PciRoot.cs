using LguestPS.Contract;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Pci;

/*L:310
 * Configuration mechanism #1: the guest writes a bus/device/function/register
 * address to port 0xCF8 and then reads or writes the data through
 * 0xCFC-0xCFF. We have one bus (0) with up to 32 devices, one function each;
 * anything else reads as all-ones, which is how a PCI bus says "nobody here".
 * Only 32-bit accesses to 0xCF8 are the address register: Linux's probe
 * pokes a byte at 0xCFB to see if that is so.
 */
public sealed class PciRoot : IPortDevice
{
    public const ushort ConfigAddressPort = 0xCF8;
    public const int MaxDevices = 32;
    private readonly PciFunction?[] _devices = new PciFunction?[MaxDevices];
    private uint _address;
    private readonly object _lock = new();

    private readonly MmioBus _mmio;

    public PciRoot(MmioBus mmio)
    {
        _mmio = mmio;
        _devices[0] = new PciHostBridge();
    }

    /// <summary>Places a function in the next free slot; returns its device number.</summary>
    public int Add(PciFunction fn)
    {
        for (int d = 1; d < MaxDevices; d++)
            if (_devices[d] is null)
            {
                _devices[d] = fn;
                fn.Attach(d, _mmio);
                return d;
            }
        throw new EngineException(ErrorId.InvalidArgument, $"no PCI slot left for {fn.Name}: at most {MaxDevices - 1} devices");
    }

    public IEnumerable<(int Slot, PciFunction Fn)> Devices =>
        _devices.Select((f, i) => (i, f)).Where(t => t.f is not null).Select(t => (t.i, t.f!));

    public uint Read(ushort offset, int size)
    {
        lock (_lock)
        {
            if (offset < 4)
                return offset == 0 && size == 4 ? _address : 0xFFFF_FFFF;
            var (fn, reg) = Target(offset - 4, size);
            return fn is null ? (size == 4 ? 0xFFFF_FFFF : (1u << (size * 8)) - 1) : fn.Read(reg, size);
        }
    }

    public void Write(ushort offset, int size, uint value)
    {
        lock (_lock)
        {
            if (offset < 4)
            {
                if (offset == 0 && size == 4) _address = value & 0x80FF_FFFC;
                return;
            }
            var (fn, reg) = Target(offset - 4, size);
            fn?.Write(reg, size, value);
        }
    }

    private (PciFunction? Fn, int Reg) Target(int byteInData, int size)
    {
        if ((_address & 0x8000_0000) == 0) return (null, 0);
        int bus = (int)(_address >> 16) & 0xFF, dev = (int)(_address >> 11) & 0x1F, func = (int)(_address >> 8) & 7;
        int reg = (int)(_address & 0xFC) + byteInData;
        if (bus != 0 || func != 0 || (reg & (size - 1)) != 0 || reg + size > PciFunction.ConfigSize) return (null, 0);
        return (_devices[dev], reg);
    }
}
