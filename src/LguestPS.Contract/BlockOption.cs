using System;

namespace LguestPS.Contract;

/*
 * One --block=<file>[,ro] option: a disk image and whether the guest may
 * write it. ",rw" says the default out loud, and is what lets a file whose
 * own name ends in ",ro" be a writable disk: only the last suffix is read.
 */
public sealed class BlockOption : IEquatable<BlockOption>
{
    private const string ReadOnlySuffix = ",ro", ReadWriteSuffix = ",rw";

    public BlockOption(string path, bool readOnly)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("a block device needs a file name", nameof(path));
        Path = path;
        ReadOnly = readOnly;
    }

    public string Path { get; }
    public bool ReadOnly { get; }

    /// <summary>Reads the value of one --block option.</summary>
    public static BlockOption Parse(string value)
    {
        bool ro = false;
        if (value.EndsWith(ReadOnlySuffix, StringComparison.Ordinal))
        {
            ro = true;
            value = value.Substring(0, value.Length - ReadOnlySuffix.Length);
        }
        else if (value.EndsWith(ReadWriteSuffix, StringComparison.Ordinal))
            value = value.Substring(0, value.Length - ReadWriteSuffix.Length);
        if (value.Length == 0)
            throw new CommandLineException(ErrorId.UsageError, "--block needs a file name, e.g. --block=disk.img or --block=disk.img,ro");
        return new BlockOption(value, ro);
    }

    /// <summary>The option's value, which <see cref="Parse"/> reads back as this.</summary>
    public string Format()
    {
        if (ReadOnly) return Path + ReadOnlySuffix;
        bool ambiguous = Path.EndsWith(ReadOnlySuffix, StringComparison.Ordinal) || Path.EndsWith(ReadWriteSuffix, StringComparison.Ordinal);
        return ambiguous ? Path + ReadWriteSuffix : Path;
    }

    /// <summary>The whole argument, e.g. <c>--block=/srv/d.img,ro</c>.</summary>
    public override string ToString() => "--" + OptionNames.Block + "=" + Format();

    public bool Equals(BlockOption? other) => other != null && other.Path == Path && other.ReadOnly == ReadOnly;
    public override bool Equals(object? obj) => Equals(obj as BlockOption);
    public override int GetHashCode() => Path.GetHashCode() ^ (ReadOnly ? 1 : 0);
}
