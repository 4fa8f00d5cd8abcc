using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace LguestPS.Client;

/*
 * A small reader for the one JSON shape the engine writes on stderr: one
 * object per line whose values are strings, numbers, booleans, null or arrays
 * of those (docs/engine.md "JSON events"). The module carries no JSON library
 * of its own: PowerShell already loads one, and a second copy in a module is
 * the classic source of assembly conflicts. Objects nest too, for safety.
 */
internal static class JsonLine
{
    /// <summary>Parses one line; null when it is not a JSON object (a crash message, a stray print).</summary>
    internal static Dictionary<string, object?>? TryParseObject(string line)
    {
        try
        {
            int i = 0;
            SkipSpace(line, ref i);
            if (i >= line.Length || line[i] != '{') return null;
            var value = ParseValue(line, ref i);
            SkipSpace(line, ref i);
            return i == line.Length ? value as Dictionary<string, object?> : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static object? ParseValue(string s, ref int i)
    {
        SkipSpace(s, ref i);
        if (i >= s.Length) throw new FormatException("unexpected end");
        char c = s[i];
        switch (c)
        {
            case '{': return ParseObject(s, ref i);
            case '[': return ParseArray(s, ref i);
            case '"': return ParseString(s, ref i);
            case 't': Expect(s, ref i, "true"); return true;
            case 'f': Expect(s, ref i, "false"); return false;
            case 'n': Expect(s, ref i, "null"); return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(s, ref i);
                throw new FormatException($"unexpected '{c}'");
        }
    }

    private static Dictionary<string, object?> ParseObject(string s, ref int i)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        i++; // {
        SkipSpace(s, ref i);
        if (i < s.Length && s[i] == '}') { i++; return result; }
        while (true)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length || s[i] != '"') throw new FormatException("expected a name");
            string name = ParseString(s, ref i);
            SkipSpace(s, ref i);
            if (i >= s.Length || s[i] != ':') throw new FormatException("expected ':'");
            i++;
            result[name] = ParseValue(s, ref i);
            SkipSpace(s, ref i);
            if (i >= s.Length) throw new FormatException("unterminated object");
            if (s[i] == ',') { i++; continue; }
            if (s[i] == '}') { i++; return result; }
            throw new FormatException("expected ',' or '}'");
        }
    }

    private static List<object?> ParseArray(string s, ref int i)
    {
        var result = new List<object?>();
        i++; // [
        SkipSpace(s, ref i);
        if (i < s.Length && s[i] == ']') { i++; return result; }
        while (true)
        {
            result.Add(ParseValue(s, ref i));
            SkipSpace(s, ref i);
            if (i >= s.Length) throw new FormatException("unterminated array");
            if (s[i] == ',') { i++; continue; }
            if (s[i] == ']') { i++; return result; }
            throw new FormatException("expected ',' or ']'");
        }
    }

    private static string ParseString(string s, ref int i)
    {
        var sb = new StringBuilder();
        i++; // opening quote
        while (true)
        {
            if (i >= s.Length) throw new FormatException("unterminated string");
            char c = s[i++];
            if (c == '"') return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (i >= s.Length) throw new FormatException("unterminated escape");
            char e = s[i++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (i + 4 > s.Length) throw new FormatException("short \\u escape");
                    sb.Append((char)int.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: throw new FormatException($"bad escape '\\{e}'");
            }
        }
    }

    private static double ParseNumber(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && "+-0123456789.eE".IndexOf(s[i]) >= 0) i++;
        if (!double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            throw new FormatException("bad number");
        return d;
    }

    private static void Expect(string s, ref int i, string word)
    {
        if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0) throw new FormatException($"expected {word}");
        i += word.Length;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    }
}
