using System;
using System.Collections.Generic;

namespace LguestPS.Contract;

/// <summary>The error ids as the words on the wire, and how a start-up that fails with one ends.</summary>
public static class ErrorIds
{
    /// <summary>Every id, in declaration order (the members are numbered from 0 without gaps).</summary>
    public static IReadOnlyList<ErrorId> All { get; } = Enumerate();

    private static List<ErrorId> Enumerate()
    {
        var ids = new List<ErrorId>();
        for (int i = 0; Enum.IsDefined(typeof(ErrorId), i); i++) ids.Add((ErrorId)i);
        return ids;
    }

    /// <summary>The id as the `error` event writes it: its name, e.g. <c>KernelNotFound</c>.</summary>
    public static string Name(this ErrorId id) => id.ToString();

    /// <summary>The id with this name, or null for a word the contract does not know.</summary>
    public static ErrorId? FromName(string? name)
    {
        foreach (var id in All)
            if (id.ToString() == name) return id;
        return null;
    }

    /// <summary>
    /// The exit of an engine that fails with this id before the guest runs: a malformed command line is
    /// `usage` (the usage text follows), a host without a working KVM is `kvm-error`, the rest `error`.
    /// </summary>
    public static ExitReason ExitOf(this ErrorId id) => id switch
    {
        ErrorId.UsageError => ExitReason.Usage,
        ErrorId.KvmUnavailable or ErrorId.KvmFailed => ExitReason.KvmError,
        _ => ExitReason.Error,
    };
}
