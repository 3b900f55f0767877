import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// What a node does with packets: a plug-in, so the data plane's router, a gateway or a
/// test double can drive a node. The emulator calls it with the time; the behaviour owns
/// the node's egress queues (one per interface) and hands packets over when a device is
/// free to send. Packets are passed `consuming`, so rewriting one in place never copies
/// its storage.
public protocol NodeBehavior: AnyObject {
    /// A packet one of the node's flows sends from `interface`'s address (which tells its
    /// network on a node with several).
    func send(_ packet: consuming PacketBuffer, from interface: Int, context: NodeContext)
    /// A packet arrived on `interface`.
    func receive(_ packet: consuming PacketBuffer, on interface: Int, context: NodeContext)
    /// The next packet to put on `interface`, which is free to send now.
    func nextPacket(on interface: Int, context: NodeContext) -> PacketBuffer?
    /// When `nextPacket(on:)` will have one; `nil` when nothing waits.
    func nextTransmitTime(on interface: Int) -> Nanoseconds?
    /// The egress queue of `interface`.
    func queue(on interface: Int) -> QueueStatistics
    /// Packets waiting in `interface`'s queue (asked after every transmission, so cheaper than
    /// `queue(on:)`); by default `queue(on:).packets`.
    func queuedPackets(on interface: Int) -> Int
    /// Every drop the node decided, queues included.
    var drops: DropCounters { get }
    /// A gateway's translations; `nil` (the default) for other nodes.
    var translations: TranslationCounters? { get }
    /// A domain's first hop: what its source check let through (drops are in `drops`); `nil`
    /// (the default) for other nodes.
    var sourceProofs: SourceProofCounters? { get }
    /// A domain's first hop refuses `source` from now on (the emulator calls it at the
    /// revocation's checkpoint); `false` (the default) when the node checks no sources.
    func revoke(_ source: FrameworkAddress) -> Bool
    /// A domain's border: what its policy's rules decided so far; `nil` (the default) for other nodes.
    var policyCounters: BorderPolicy.Counters? { get }
    /// A domain's border puts `rules` in force from now on (the emulator calls it at a policy
    /// change) and returns what the previous rules decided; `nil` (the default) when the node is no border.
    func replacePolicyRules(_ rules: [BorderPolicy.Rule]) -> BorderPolicy.Counters?
}

extension NodeBehavior {
    public func queuedPackets(on interface: Int) -> Int { queue(on: interface).packets }

    public var translations: TranslationCounters? { nil }

    public var sourceProofs: SourceProofCounters? { nil }

    public func revoke(_ source: FrameworkAddress) -> Bool { false }

    public var policyCounters: BorderPolicy.Counters? { nil }

    public func replacePolicyRules(_ rules: [BorderPolicy.Rule]) -> BorderPolicy.Counters? { nil }
}

/// An egress queue's state and what it dropped and trimmed so far.
public struct QueueStatistics: Sendable {
    public var packets: Int
    public var bytes: Int
    public var drops: DropCounters
    public var trimming: TrimmingCounters

    public init(packets: Int, bytes: Int, drops: DropCounters, trimming: TrimmingCounters) {
        self.packets = packets
        self.bytes = bytes
        self.drops = drops
        self.trimming = trimming
    }
}

/// What a behaviour may do during one call: the time, and the ways a packet leaves it
/// other than through a device.
public struct NodeContext {
    public let now: Nanoseconds
    public let node: Int
    /// Not checked `unowned`: that costs reference-count atomics at every context made and
    /// every call through it, several per event; a context lives only during a call from its
    /// simulator, which outlives the call.
    unowned(unsafe) let simulator: Simulator

    /// The packet is for this node: the emulator records it against its flow.
    public func deliver(_ packet: PacketBuffer) { simulator.deliver(packet, at: node) }

    /// The node dropped the packet (it is also counted in `NodeBehavior.drops`); the
    /// emulator charges the drop to the packet's flow.
    public func drop(_ packet: PacketBuffer, reason: DropReason) { simulator.discard(packet, reason, node: node) }

    /// An empty buffer from the emulator's pool, for a packet the node makes itself (an answer).
    public func newPacket() -> PacketBuffer { simulator.newPacket() }

    /// Neighbour discovery took the packet (a solicitation or advertisement): it is no
    /// delivery, and what it changed is recorded at this time.
    public func neighbourDiscoveryTook(_ packet: PacketBuffer) { simulator.neighbourDiscoveryTook(packet, at: node) }

    /// A packet now waits in `interface`'s queue: the emulator asks for it once the device is free.
    public func packetQueued(on interface: Int) {
        simulator.wake(Topology.InterfaceID(node: node, interface: interface))
    }
}
