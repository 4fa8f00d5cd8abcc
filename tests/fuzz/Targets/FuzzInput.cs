namespace LguestPS.Fuzz;

/// <summary>
/// The fuzzer's bytes, read front to back as the numbers a target needs; zeros once they run out, so every
/// input is a valid one and AFL's mutations of a byte move exactly one decision.
/// </summary>
public ref struct FuzzInput(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _pos;

    public int Left => _bytes.Length - _pos;
    public byte Byte() => _pos < _bytes.Length ? _bytes[_pos++] : (byte)0;
    public ushort U16() => (ushort)(Byte() | Byte() << 8);
    public uint U32() => U16() | (uint)U16() << 16;
    public ulong U64() => U32() | (ulong)U32() << 32;
    public bool Bit() => (Byte() & 1) != 0;

    /// <summary>The next n bytes (fewer at the end).</summary>
    public ReadOnlySpan<byte> Take(int n)
    {
        n = Math.Clamp(n, 0, Left);
        var s = _bytes.Slice(_pos, n);
        _pos += n;
        return s;
    }

    /// <summary>Everything not read yet.</summary>
    public ReadOnlySpan<byte> Rest() => Take(Left);
}
