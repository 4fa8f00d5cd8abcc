namespace LguestPS.Engine.Interop;

/// <summary>What kind of thing a path named: the S_IFMT part of st_mode.</summary>
public enum FileKind { Regular, Directory, CharDevice, BlockDevice, Fifo, Socket, Symlink, Unknown }
