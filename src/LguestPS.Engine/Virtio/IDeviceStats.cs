
namespace LguestPS.Engine.Virtio;

/// <summary>A device that can say what it did, for --verbose at exit (and tests that check a driver used it).</summary>
public interface IDeviceStats
{
    string Stats { get; }
}
