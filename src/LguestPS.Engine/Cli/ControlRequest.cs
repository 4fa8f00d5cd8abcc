using System.Buffers;
using System.Text;
using System.Text.Json;
using LguestPS.Contract;

namespace LguestPS.Engine.Cli;

/*
 * One control message read and one reply written (the format is the
 * contract's, Control). A request is whatever bytes a local process chose
 * to send: anything but one JSON object whose only field is a known "op"
 * string is refused with a reply that says what was wrong, never an
 * exception that escapes.
 */
public static class ControlRequest
{
    /// <summary>The operation a request asks for. Throws FormatException saying what is wrong with it.</summary>
    public static string Parse(ReadOnlySpan<byte> message)
    {
        string? op = null;
        try
        {
            var r = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 4 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
                throw new FormatException($"a request is one JSON object, like {{\"{Control.Op}\": \"{Control.Ops.Pause}\"}}");
            while (r.Read() && r.TokenType != JsonTokenType.EndObject)
            {
                string field = r.GetString()!;
                r.Read();
                if (field != Control.Op) throw new FormatException($"unknown field '{Clip(field)}': a request has only \"{Control.Op}\"");
                if (op != null) throw new FormatException($"\"{Control.Op}\" given twice");
                if (r.TokenType != JsonTokenType.String) throw new FormatException($"\"{Control.Op}\" must be a string");
                op = r.GetString()!;
            }
            if (r.Read()) throw new FormatException("one JSON object per request, and nothing after it");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not JSON: {e.Message}");
        }
        catch (InvalidOperationException e) // a value where a name should be, an unpaired surrogate, ...
        {
            throw new FormatException($"not a well-formed request: {e.Message}");
        }
        if (op is null) throw new FormatException($"no \"{Control.Op}\": say which operation ({string.Join(", ", Control.Ops.All)})");
        if (Array.IndexOf(Control.Ops.All, op) < 0)
            throw new FormatException($"unknown operation '{Clip(op)}': the operations are {string.Join(", ", Control.Ops.All)}");
        return op;
    }

    /// <summary>The reply: {"ok":true}, or {"ok":false,"error":...} when <paramref name="error"/> is not null.</summary>
    public static byte[] Reply(string? error)
    {
        var buf = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buf))
        {
            w.WriteStartObject();
            w.WriteBoolean(Control.Ok, error is null);
            if (error is not null) w.WriteString(Control.Error, Clip(error, Control.MaxMessage / 8));
            w.WriteEndObject();
        }
        return buf.WrittenSpan.ToArray();
    }

    /// <summary>Guest- or client-chosen text, cut short enough to quote in a reply.</summary>
    private static string Clip(string s, int max = 64) => s.Length <= max ? s : s[..max] + "...";
}
