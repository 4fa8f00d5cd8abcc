using System.Buffers.Binary;
using System.Text;

namespace LguestPS.Engine.Boot.Acpi;

/*L:230
 * A pocket AML writer. The DSDT is not data but a program in ACPI Machine
 * Language (ACPI 6.5, chapter 20) that the guest's interpreter runs to build
 * its namespace of devices; firmware writes it in ASL and compiles it with
 * iasl. We need a few dozen lines of it, so instead of shipping a compiled
 * blob nobody can read we build the bytes here, one grammar rule per method,
 * named as the ASL construct it stands for. Every object is a byte array;
 * containers take their contents and wrap them in a PkgLength.
 *
 * The tests hand the result to iasl's disassembler, and a real Linux runs
 * it, so a slip in an encoding shows up as an error in one or the other.
 */
public static class Aml
{
    // Opcodes, ACPI 6.5 section 20.3 (the table of AML byte encodings).
    private const byte ZeroOp = 0x00, OneOp = 0x01, NameOp = 0x08, BytePrefix = 0x0A, WordPrefix = 0x0B,
        DWordPrefix = 0x0C, StringPrefix = 0x0D, QWordPrefix = 0x0E, ScopeOp = 0x10, BufferOp = 0x11,
        PackageOp = 0x12, MethodOp = 0x14, DualNamePrefix = 0x2E, MultiNamePrefix = 0x2F, ExtOpPrefix = 0x5B,
        RootChar = 0x5C, ParentPrefixChar = 0x5E, StoreOp = 0x70, AndOp = 0x7B, NotifyOp = 0x86,
        IfOp = 0xA0, ReturnOp = 0xA4, NullName = 0x00;
    private const byte OpRegionOp = 0x80, FieldOp = 0x81, DeviceOp = 0x82; // after ExtOpPrefix

    public static readonly byte[] Zero = [ZeroOp], One = [OneOp];
    public static readonly byte[] Local0 = [0x60], Arg0 = [0x68];

    /// <summary>Operation region spaces (ACPI 6.5, 19.6.100): only the ones we use.</summary>
    public const byte SystemMemory = 0, SystemIo = 1;

    /// <summary>Field flags (19.6.48): ByteAcc, NoLock, Preserve.</summary>
    public const byte ByteAccNoLockPreserve = 0x01;

    /// <summary>An integer in the shortest encoding (20.2.3, ComputationalData).</summary>
    public static byte[] Int(ulong v) => v switch
    {
        0 => Zero,
        1 => One,
        <= 0xFF => [BytePrefix, (byte)v],
        <= 0xFFFF => Prefixed(WordPrefix, 2, v),
        <= 0xFFFF_FFFF => Prefixed(DWordPrefix, 4, v),
        _ => Prefixed(QWordPrefix, 8, v),
    };

    private static byte[] Prefixed(byte prefix, int size, ulong v)
    {
        var b = new byte[1 + size];
        b[0] = prefix;
        Span<byte> all = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(all, v);
        all[..size].CopyTo(b.AsSpan(1));
        return b;
    }

    /// <summary>A NUL-terminated ASCII string (String in 20.2.3).</summary>
    public static byte[] String(string s)
    {
        if (s.Any(c => c is < (char)1 or > (char)0x7F)) throw new ArgumentException($"AML strings are ASCII without NUL: '{s}'");
        return [StringPrefix, .. Encoding.ASCII.GetBytes(s), 0];
    }

    /*
     * EISAID("PNP0A03"), the ASL macro: a 32-bit integer holding three letters
     * of five bits each (A = 1) and four hex digits, stored big-endian in the
     * integer's little-endian bytes; the compressed form of a PNP id that
     * _HID and _CID accept (6.1.5).
     */
    public static byte[] EisaId(string id)
    {
        if (id.Length != 7 || !id[..3].All(char.IsAsciiLetterUpper) || !id[3..].All(char.IsAsciiHexDigit))
            throw new ArgumentException($"an EISA id is three capital letters and four hex digits, not '{id}'");
        uint vendor = (uint)((id[0] - 0x40) << 10 | (id[1] - 0x40) << 5 | (id[2] - 0x40));
        uint product = Convert.ToUInt32(id[3..], 16);
        uint bytes = (vendor >> 8) | (vendor & 0xFF) << 8 | (product >> 8) << 16 | (product & 0xFF) << 24;
        return Prefixed(DWordPrefix, 4, bytes);
    }

    /*
     * NameString (20.2.2): an optional root (\) or parent (^) prefix, then
     * segments of exactly four characters (shorter names are padded with
     * '_', as iasl does), one bare, two after DualNamePrefix, more after
     * MultiNamePrefix and a count.
     */
    public static byte[] Path(string path)
    {
        var b = new List<byte>();
        int i = 0;
        if (path.StartsWith('\\')) { b.Add(RootChar); i = 1; }
        else while (i < path.Length && path[i] == '^') { b.Add(ParentPrefixChar); i++; }
        string rest = path[i..];
        var segs = rest.Length == 0 ? [] : rest.Split('.');
        switch (segs.Length)
        {
            case 0: b.Add(NullName); break;
            case 1: break;
            case 2: b.Add(DualNamePrefix); break;
            default: b.Add(MultiNamePrefix); b.Add(checked((byte)segs.Length)); break;
        }
        foreach (var s in segs) b.AddRange(Seg(s));
        return [.. b];
    }

    private static byte[] Seg(string s)
    {
        bool lead = s.Length > 0 && (char.IsAsciiLetterUpper(s[0]) || s[0] == '_');
        if (!lead || s.Length > 4 || !s.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException($"'{s}' is not an AML name segment (1-4 of A-Z, 0-9, _; not starting with a digit)");
        return Encoding.ASCII.GetBytes(s.PadRight(4, '_'));
    }

    /*
     * PkgLength (20.2.4): the length of what follows the opcode, itself
     * included. Up to 63 it fits the lead byte's low six bits; beyond, bits
     * 7:6 of the lead byte count the extra bytes (1-3), its low nibble holds
     * bits 3:0 and each extra byte the next eight.
     */
    internal static byte[] PkgLength(int contentLength)
    {
        for (int extra = 0; extra <= 3; extra++)
        {
            int total = contentLength + 1 + extra;
            if (extra == 0 ? total <= 0x3F : total < 1 << (4 + 8 * extra))
                return Encode(total, extra);
        }
        throw new ArgumentOutOfRangeException(nameof(contentLength), "an AML package is at most 256 MiB");
    }

    /// <summary>A field unit's width in bits: the PkgLength encoding of a plain number, not counting itself.</summary>
    private static byte[] FieldWidth(int bits)
    {
        for (int extra = 0; extra <= 3; extra++)
            if (extra == 0 ? bits <= 0x3F : bits < 1 << (4 + 8 * extra))
                return Encode(bits, extra);
        throw new ArgumentOutOfRangeException(nameof(bits));
    }

    private static byte[] Encode(int value, int extra)
    {
        if (extra == 0) return [(byte)value];
        var b = new byte[1 + extra];
        b[0] = (byte)(extra << 6 | (value & 0xF));
        for (int k = 1; k <= extra; k++) b[k] = (byte)(value >> (4 + 8 * (k - 1)));
        return b;
    }

    private static byte[] Wrapped(ReadOnlySpan<byte> opcode, params byte[][] parts)
    {
        byte[] content = [.. parts.SelectMany(p => p)];
        return [.. opcode, .. PkgLength(content.Length), .. content];
    }

    /// <summary>Name(name, value).</summary>
    public static byte[] Name(string name, byte[] value) => [NameOp, .. Path(name), .. value];

    /// <summary>Scope(path) { terms }.</summary>
    public static byte[] Scope(string path, params byte[][] terms) => Wrapped([ScopeOp], [Path(path), .. terms]);

    /// <summary>Device(name) { terms }.</summary>
    public static byte[] Device(string name, params byte[][] terms) => Wrapped([ExtOpPrefix, DeviceOp], [Path(name), .. terms]);

    /// <summary>Method(name, args, Serialized|NotSerialized) { terms }, at sync level 0.</summary>
    public static byte[] Method(string name, int args, bool serialized, params byte[][] terms)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(args, 7);
        byte flags = (byte)(args | (serialized ? 1 << 3 : 0));
        return Wrapped([MethodOp], [Path(name), [flags], .. terms]);
    }

    /// <summary>Package() { elements } (at most 255: NumElements is one byte).</summary>
    public static byte[] Package(params byte[][] elements) =>
        Wrapped([PackageOp], [[checked((byte)elements.Length)], .. elements]);

    /// <summary>Buffer() { bytes }: the size, then the bytes.</summary>
    public static byte[] Buffer(byte[] bytes) => Wrapped([BufferOp], Int((ulong)bytes.Length), bytes);

    /// <summary>OperationRegion(name, space, offset, length).</summary>
    public static byte[] OperationRegion(string name, byte space, ulong offset, ulong length) =>
        [ExtOpPrefix, OpRegionOp, .. Path(name), space, .. Int(offset), .. Int(length)];

    /// <summary>Field(region, flags) { name, bits, ... }: named units laid out from bit 0.</summary>
    public static byte[] Field(string region, byte flags, params (string Name, int Bits)[] units) =>
        Wrapped([ExtOpPrefix, FieldOp], [Path(region), [flags], .. units.Select(u => (byte[])[.. Seg(u.Name), .. FieldWidth(u.Bits)])]);

    /// <summary>If(predicate) { terms }.</summary>
    public static byte[] If(byte[] predicate, params byte[][] terms) => Wrapped([IfOp], [predicate, .. terms]);

    /// <summary>And(a, b): the value only, stored nowhere.</summary>
    public static byte[] And(byte[] a, byte[] b) => [AndOp, .. a, .. b, NullName];

    /// <summary>Store(source, destination), i.e. destination = source.</summary>
    public static byte[] Store(byte[] source, byte[] destination) => [StoreOp, .. source, .. destination];

    /// <summary>Notify(object, value).</summary>
    public static byte[] Notify(string path, byte value) => [NotifyOp, .. Path(path), .. Int(value)];

    /// <summary>Return(value).</summary>
    public static byte[] Return(byte[] value) => [ReturnOp, .. value];
}
