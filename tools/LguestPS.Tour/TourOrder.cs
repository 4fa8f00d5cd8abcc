namespace LguestPS.Tour;

/*
 * The order the tour is read in: parts, each a list of files under
 * src/LguestPS.Engine, and within a file its stops from top to bottom. It
 * starts where the program starts, climbs the layers from guest memory up
 * (DESIGN.md's picture, left to right), puts the machine together in the
 * Vmm, and ends back at the command line with the terminal and the
 * privilege drop. A file with a stop must be listed here (the tests say so).
 */
public static class TourOrder
{
    public static readonly IReadOnlyList<(string Part, string[] Files)> Parts =
    [
        ("Where it starts", ["Cli/Program.cs"]),
        ("Guest memory", ["Memory/Layout.cs", "Memory/GuestMemory.cs", "Memory/GuestIoVec.cs"]),
        ("KVM", ["Kvm/KvmSystem.cs", "Kvm/KvmVcpu.cs", "Kvm/GsiRouting.cs"]),
        ("Loading a kernel", [
            "Boot/ImageFile.cs", "Boot/KernelImage.cs", "Boot/SetupHeader.cs", "Boot/BzImage.cs", "Boot/ElfImage.cs",
            "Boot/InitrdImage.cs", "Boot/ZeroPage.cs", "Boot/E820.cs", "Boot/PageTables.cs", "Boot/Gdt.cs",
            "Boot/CpuState.cs", "Boot/MpTable.cs", "Boot/Acpi/AcpiTables.cs", "Boot/Acpi/Fadt.cs", "Boot/Acpi/Madt.cs",
            "Boot/Acpi/Dsdt.cs", "Boot/Acpi/Aml.cs", "Boot/BootLoader.cs"]),
        ("Ports, the UART and PCI", [
            "Bus/IoBus.cs", "Platform/Serial8250.cs", "Platform/AcpiPowerDevice.cs", "Platform/I8042.cs", "Pci/PciFunction.cs", "Pci/MsiX.cs",
            "Pci/PciRoot.cs", "Pci/PvPanicDevice.cs"]),
        ("The virtqueue", [
            "Virtio/Queue/VirtqAbi.cs", "Virtio/Queue/Virtqueue.cs", "Virtio/Queue/ActiveRing.cs", "Virtio/Queue/DescChain.cs",
            "Virtio/Queue/ChainReader.cs", "Virtio/Queue/ChainWriter.cs", "Virtio/Queue/Virtqueue.Pop.cs",
            "Virtio/Queue/VirtqueueViolation.cs", "Virtio/Queue/Virtqueue.Used.cs"]),
        ("Devices and their transport", [
            "Virtio/IVirtioDevice.cs", "Virtio/DeviceWorker.cs", "Virtio/Polling.cs",
            "Virtio/Transport/VirtioPci.cs", "Virtio/Transport/VirtioPci.Common.cs"]),
        ("The devices", [
            "Virtio/Rng/RngDevice.cs", "Virtio/Console/ConsoleDevice.cs", "Virtio/Block/BlockDevice.cs", "Virtio/Block/DiskFile.cs", "Virtio/Block/DiskLock.cs",
            "Virtio/Net/TapDevice.cs", "Virtio/Net/NetDevice.cs", "Virtio/Net/NetDevice.Receive.cs"]),
        ("The machine", [
            "Vmm/Machine.cs", "Vmm/HostQuirks.cs", "Vmm/Board.cs", "Vmm/ConsoleMux.cs", "Vmm/VirtioHost.cs",
            "Vmm/CpuSetup.cs", "Vmm/VcpuRunner.cs", "Vmm/PauseGate.cs"]),
        ("Back at the command line", ["Cli/StdioConsole.cs", "Cli/ControlServer.cs", "Cli/PrivilegeDrop.cs", "Cli/StopSignals.cs", "Cli/ParentLink.cs", "Cli/Sandbox.cs"]),
    ];

    public static IEnumerable<string> Files => Parts.SelectMany(p => p.Files);
}
