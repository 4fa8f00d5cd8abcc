
namespace LguestPS.Engine.Boot;

public enum KernelFormat { BzImage, Elf }
