namespace LguestPS.Engine.Bus;

/// <summary>An interrupt line as a device sees it: it can only be raised or lowered. Devices never see KVM.</summary>
public interface IIrqLine
{
    void Set(bool high);
}
