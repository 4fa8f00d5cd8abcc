using System;
using System.IO;
using System.Security.Cryptography;

namespace LguestPS.Guest;

/// <summary>
/// Decodes base64 console lines into a file as they arrive and hashes what it
/// writes, so a large file never sits in memory, as text or as bytes. Lines
/// need not be a multiple of four characters long: a remainder waits for the
/// next line.
/// </summary>
internal sealed class Base64Sink : IDisposable
{
    private readonly Stream _out;
    private readonly SHA256 _sha = SHA256.Create();
    private string _carry = "";

    internal Base64Sink(Stream output) => _out = output;

    internal long Length { get; private set; }

    /// <summary>Decodes and writes a line; false if it is not base64 (console noise), and nothing of it is written.</summary>
    internal bool TryWrite(string line)
    {
        string text = _carry + line.Trim();
        int whole = text.Length - text.Length % 4;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Substring(0, whole));
        }
        catch (FormatException)
        {
            return false;
        }
        _carry = text.Substring(whole);
        _out.Write(bytes, 0, bytes.Length);
        _sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        Length += bytes.Length;
        return true;
    }

    /// <summary>Flushes the file and returns the SHA-256 of what was written (hex); a left-over partial group makes it "incomplete".</summary>
    internal string Finish()
    {
        _out.Flush();
        _sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
        return _carry.Length == 0 ? GuestFileCopy.Hex(_sha.Hash!) : "incomplete";
    }

    public void Dispose()
    {
        _out.Dispose();
        _sha.Dispose();
    }
}
