namespace LguestPS.Engine.Chardev;

/*
 * The host side of the guest's character devices: where the bytes a guest
 * writes to its UART or virtio console go. Both devices write through this,
 * and the Vmm decides where it leads (the process's stdout, tagged so input
 * follows the console the guest last spoke on); tests give a buffer.
 */
/// <summary>Where a device's console output goes (stdout, a test buffer...).</summary>
public interface IConsoleSink
{
    void Write(ReadOnlySpan<byte> data);
}
