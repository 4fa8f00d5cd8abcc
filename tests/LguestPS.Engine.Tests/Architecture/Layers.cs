namespace LguestPS.Engine.Tests.Architecture;

/*
 * The engine's layers as ../shared/DESIGN.md draws them, one namespace (and
 * folder) each, with a level: a layer may use the layers below its own level
 * and never one at its level or above. Then the "never" arrows, which close
 * doors the levels alone would leave open.
 *
 *   Diagnostics ← Interop ← Memory ← {Kvm, Boot, Bus, Chardev} ← {Pci, Platform} ← Virtio ← Vmm ← Cli
 *
 * LguestPS.Contract sits outside the picture: every layer may use it and it
 * uses nothing of the engine.
 */
public static class Layers
{
    public const string Engine = "LguestPS.Engine", Contract = "LguestPS.Contract";

    public static readonly IReadOnlyDictionary<string, int> Level = new Dictionary<string, int>
    {
        ["Diagnostics"] = 0,
        ["Interop"] = 1,
        ["Memory"] = 2,
        ["Kvm"] = 3, ["Boot"] = 3, ["Bus"] = 3, ["Chardev"] = 3,
        ["Pci"] = 4, ["Platform"] = 4,
        ["Virtio"] = 5,
        ["Vmm"] = 6,
        ["Cli"] = 7,
    };

    /// <summary>Forbidden even where the levels allow it: (from, to, why). "Virtio.*" means every device folder.</summary>
    public static readonly IReadOnlyList<(string From, string To, string Why)> Never =
    [
        ("Virtio", "Kvm", "a device never touches KVM: the Vmm hands it eventfds and interrupt callbacks"),
        ("Virtio", "Boot", "virtio asks Pci for INTx routing, never Boot (the MP table is handed the same wiring)"),
        ("Virtio", "Platform", "virtio devices and the legacy PC devices do not know each other"),
        ("Virtio.*", "Pci", "a device sees its queues, guest memory and an interrupt callback, never PCI"),
        ("Virtio.*", "Virtio.Transport", "a device never sees its transport"),
        ("Pci", "Kvm", "PCI is emulated config space; KVM is the Vmm's business"),
        ("Boot", "Kvm", "Boot is pure: it writes guest memory and returns a plan"),
        ("Memory", "Kvm", "guest memory is ours; KVM is told about it by the Kvm layer"),
        ("Cli", "Kvm", "the Vmm owns the machine, KVM included"),
    ];

    /// <summary>The device folders under Virtio (everything but the transport, the queue and Virtio's own root).</summary>
    public static bool IsDeviceFolder(string sub) =>
        sub.StartsWith("Virtio.", StringComparison.Ordinal) && sub is not ("Virtio.Transport" or "Virtio.Queue");

    /// <summary>The layer (first namespace part after LguestPS.Engine) of a namespace, or null outside the engine.</summary>
    public static string? LayerOf(string ns) =>
        ns.StartsWith(Engine + ".", StringComparison.Ordinal) ? ns[(Engine.Length + 1)..].Split('.')[0] : null;

    /// <summary>Why <paramref name="fromNs"/> may not use <paramref name="toNs"/>, or null when it may.</summary>
    public static string? Violation(string fromNs, string toNs)
    {
        if (fromNs == Contract || fromNs.StartsWith(Contract + ".", StringComparison.Ordinal))
            return toNs.StartsWith(Engine, StringComparison.Ordinal) ? "the contract uses nothing of the engine" : null;
        string? from = LayerOf(fromNs), to = LayerOf(toNs);
        if (from is null || to is null || fromNs == toNs) return null;
        if (!Level.ContainsKey(from)) return $"{from} is not a layer of DESIGN.md (add it to Layers.Level, and to the picture)";
        if (!Level.ContainsKey(to)) return $"{to} is not a layer of DESIGN.md";
        string fromSub = fromNs[(Engine.Length + 1)..], toSub = toNs[(Engine.Length + 1)..];
        foreach (var (f, t, why) in Never)
        {
            bool fromMatches = f.EndsWith(".*") ? IsDeviceFolder(fromSub) : from == f;
            bool toMatches = toSub == t || toSub.StartsWith(t + ".", StringComparison.Ordinal) || (t == to && !t.Contains('.'));
            if (fromMatches && toMatches) return why;
        }
        if (from == to) return null; // within a layer (Virtio's folders share one)
        return Level[to] >= Level[from] ? $"{from} (level {Level[from]}) may only use layers below it, and {to} is level {Level[to]}" : null;
    }
}
