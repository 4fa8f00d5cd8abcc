using System.Buffers.Binary;
using LguestPS.Engine.Bus;
using LguestPS.Engine.Interop;
using LguestPS.Engine.Memory;
using LguestPS.Engine.Pci;
using LguestPS.Engine.Virtio.Rng;
using LguestPS.Engine.Virtio.Transport;

namespace LguestPS.Fuzz;

/*
 * The virtio-pci transport as a hostile driver sees it: configuration
 * cycles through 0xCF8/0xCFC (BARs, command register, capabilities, the
 * PCI_CFG window, MSI-X control) and BAR accesses of every width anywhere in
 * and around BAR0 (common configuration, notify, ISR, MSI-X table), in any
 * order, with any values: a queue enabled with garbage addresses, a status
 * driven backwards, BAR0 moved on top of something. The host side (doorbells,
 * MSI routes, INTx) is a recorder. No access may throw: a driver's mistakes
 * end in DEVICE_NEEDS_RESET or are ignored, never in an exception.
 */
public sealed class PciTarget : IFuzzTarget
{
    private const ulong BarBase = 0xC000_0000;
    private readonly GuestMemory _mem = new(1 << 20);

    public string Name => "pci";

    private sealed class Host : IVirtioHost, IMsiRouter, IIrqLine
    {
        private uint _next = 24;
        public void AddKick(ulong gpa, uint len, EventFd fd) { }
        public void RemoveKick(ulong gpa, uint len, EventFd fd) { }
        public IMsiRouter Msi => this;
        public IIrqLine Intx(int slot) => this;
        public uint Allocate() => _next++;
        public void Route(uint handle, ulong address, uint data) { }
        public void Fire(uint handle) { }
        public void Set(bool high) { }
    }

    public void Run(ReadOnlySpan<byte> data)
    {
        var input = new FuzzInput(data);
        _mem.Clear(0, 1 << 20);
        var mmio = new MmioBus();
        var pci = new PciRoot(mmio);
        using var fn = new VirtioPci(new RngDevice(), _mem, new Host(), BarBase);
        int slot = pci.Add(fn);
        Span<byte> buf = stackalloc byte[8];
        for (int op = 0; op < 512 && input.Left > 0; op++)
        {
            byte code = input.Byte();
            int size = 1 << (code >> 4 & 3);                         // 1, 2, 4, 8
            switch (code & 7)
            {
                case 0 or 1: // configuration cycle: address through 0xCF8, data through 0xCFC..0xCFF
                {
                    byte reg = input.Byte();
                    int width = Math.Min(size, 4);
                    int sl = (code & 8) != 0 ? input.Byte() & 31 : slot;
                    pci.Write(0, 4, 0x8000_0000u | (uint)(sl << 11) | (uint)(reg & 0xFC));
                    ushort port = (ushort)(4 + (reg & (4 - width)));
                    if ((code & 7) == 0) pci.Write(port, width, input.U32());
                    else pci.Read(port, width);
                    break;
                }
                case 2 or 3: // BAR0, where it is meant to be (common cfg, ISR, device, notify, MSI-X)
                case 4 or 5: // or anywhere the driver may have moved it to
                {
                    ulong addr = (code & 7) < 4 ? BarBase + (input.U16() & 0x7FFFu) : input.U32();
                    addr &= ~(ulong)(size - 1);
                    if ((code & 1) == 0)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(buf, input.U64());
                        mmio.Write(addr, buf[..size]);
                    }
                    else mmio.Read(addr, buf[..size]);
                    break;
                }
                default: // a common-configuration register by number, with a value: the short way through the state machine
                {
                    int reg = input.Byte() % 0x38;
                    int width = reg is 0x14 or 0x15 ? 1 : reg % 4 == 0 ? 4 : 2;
                    reg &= ~(width - 1);
                    BinaryPrimitives.WriteUInt32LittleEndian(buf, input.U32());
                    mmio.Write(BarBase + (ulong)reg, buf[..width]);
                    break;
                }
            }
        }
    }
}
