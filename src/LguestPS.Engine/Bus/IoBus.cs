using LguestPS.Engine.Diagnostics;

namespace LguestPS.Engine.Bus;

/*L:250
 * Port I/O dispatch. The guest's IN and OUT instructions arrive here from the
 * vCPU loop, one exit each, so the lookup must be cheap: a table with one
 * byte per port (64 KiB) names the device that owns it. A port nobody owns
 * reads as all-ones, as on real hardware where the bus floats high, and
 * swallows writes.
 */
public sealed class IoBus
{
    private readonly byte[] _owner = new byte[65536];           // 0 = nobody, else index+1 into _devices
    private readonly List<(ushort Base, string Name, IPortDevice Dev)> _devices = new();

    public void Register(ushort basePort, int count, string name, IPortDevice dev)
    {
        if (_devices.Count >= 255) throw new InvalidOperationException("too many port devices");
        for (int p = basePort; p < basePort + count; p++)
            if (_owner[p] != 0)
                throw new InvalidOperationException($"port 0x{p:x} claimed by both {_devices[_owner[p] - 1].Name} and {name}");
        _devices.Add((basePort, name, dev));
        for (int p = basePort; p < basePort + count; p++) _owner[p] = (byte)_devices.Count;
    }

    public uint Read(ushort port, int size)
    {
        int o = _owner[port];
        if (o == 0)
        {
            if (Log.IsVerbose) Log.Verbose($"unhandled port read: 0x{port:x4} ({size} bytes)");
            return size == 4 ? 0xFFFF_FFFF : (1u << (size * 8)) - 1;
        }
        var d = _devices[o - 1];
        return d.Dev.Read((ushort)(port - d.Base), size);
    }

    public void Write(ushort port, int size, uint value)
    {
        int o = _owner[port];
        if (o == 0)
        {
            if (Log.IsVerbose) Log.Verbose($"unhandled port write: 0x{port:x4} <- 0x{value:x} ({size} bytes)");
            return;
        }
        var d = _devices[o - 1];
        d.Dev.Write((ushort)(port - d.Base), size, value);
    }
}
