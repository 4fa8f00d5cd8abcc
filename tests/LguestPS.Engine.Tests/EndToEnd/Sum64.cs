using System.Buffers.Binary;

namespace LguestPS.Engine.Tests.EndToEnd;

/// <summary>
/// The test guest's checksum (tests/guest/README.md): cheap on an emulator
/// that runs 2.5 M instructions a second, because it eats 8 bytes a step.
/// </summary>
public static class Sum64
{
    private const ulong Mul = 0x9E3779B97F4A7C15;

    public static ulong Of(ReadOnlySpan<byte> data)
    {
        ulong h = (ulong)data.Length;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
            h = unchecked((ulong.RotateLeft(h, 7) ^ BinaryPrimitives.ReadUInt64LittleEndian(data[i..])) * Mul);
        if (i < data.Length)
        {
            Span<byte> last = stackalloc byte[8];
            data[i..].CopyTo(last);
            h = unchecked((ulong.RotateLeft(h, 7) ^ BinaryPrimitives.ReadUInt64LittleEndian(last)) * Mul);
        }
        return h;
    }

    public static string Hex(ReadOnlySpan<byte> data) => Of(data).ToString("x16");
}
