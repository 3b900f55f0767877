import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// The emulator's driver of a `NodeCore`: every host, router and gateway of a topology runs
/// the same node logic the real nodes run, fed with virtual time; what the core delivers is
/// recorded against its flow, what it drops is charged to its flow.
public final class CoreNode: NodeBehavior {
    public let core: NodeCore
    /// Per interface: whether it forms its address by autoconfiguration (`suffix:`), so the
    /// node's packets from it are dropped (`no-address`) until it has.
    private let formsAddress: [Bool]
    /// What the node refused to send itself (`no-address`).
    private var sendDrops = DropCounters()

    public init(_ setup: NodeSetup) {
        let node = setup.node
        formsAddress = node.interfaces.map { $0.formation != nil }
        // An address still to be formed is nobody's yet: not the node's own, and not routed to
        // it until neighbour discovery takes it.
        let configured = node.interfaces.map { $0.formation == nil ? $0.address : nil }
        var table = setup.table
        for interface in node.interfaces where interface.formation != nil { _ = table.remove(RoutePrefix(exactly: interface.address)) }
        core = NodeCore(NodeCore.Setup(
            dialect: setup.dialect, forwards: node.kind.forwards, networks: setup.networks.map(InterfaceNetwork.init), table: table,
            queues: setup.queues, linkDelays: setup.linkDelays, ownAddresses: configured.compactMap { $0 },
            interfaceAddresses: configured,
            gateway: node.kind == .gateway ? node.gateway?.mapping ?? GatewayMapping() : nil,
            sourceAuthentication: setup.sourceAuthentication, borderPolicy: setup.borderPolicy,
            pathConstraints: setup.pathConstraints, neighbourDiscovery: setup.neighbourDiscovery))
    }

    public func send(_ packet: consuming PacketBuffer, from interface: Int, context: NodeContext) {
        if formsAddress[interface], core.neighbourDiscovery?.interfaces[interface]?.address == nil {
            sendDrops.record(.noAddress)
            context.drop(packet, reason: .noAddress)
            return
        }
        handle(core.send(consume packet, from: interface, now: context.now), context)
    }

    public func receive(_ packet: consuming PacketBuffer, on interface: Int, context: NodeContext) {
        handle(core.receive(consume packet, on: interface, now: context.now), context)
    }

    /// Neighbour discovery's timers due now: what they send goes on the links.
    func pollNeighbours(context: NodeContext) {
        core.poll(now: context.now, newBuffer: context.newPacket) { handle($0, context) }
    }

    public func nextPacket(on interface: Int, context: NodeContext) -> PacketBuffer? {
        core.transmit(on: interface, now: context.now) { packet, reason in context.drop(packet, reason: reason) }
    }

    public func nextTransmitTime(on interface: Int) -> Nanoseconds? { core.nextTransmitTime(on: interface) }

    public func queuedPackets(on interface: Int) -> Int { core.queuedPackets(on: interface) }

    public func queue(on interface: Int) -> QueueStatistics {
        let queue = core.queue(on: interface)
        return QueueStatistics(packets: queue.packetCount, bytes: queue.byteCount, drops: queue.drops, trimming: queue.trimming)
    }

    public var drops: DropCounters { core.drops + sendDrops }

    public var translations: TranslationCounters? { core.gateway == nil ? nil : core.translations }

    public var sourceProofs: SourceProofCounters? { core.sourceAuthentication == nil ? nil : core.sourceProofs }

    public func revoke(_ source: FrameworkAddress) -> Bool { core.revoke(source) }

    public var policyCounters: BorderPolicy.Counters? { core.borderPolicy?.counters }

    public func replacePolicyRules(_ rules: [BorderPolicy.Rule]) -> BorderPolicy.Counters? { core.replacePolicyRules(rules) }

    private func handle(_ arrival: NodeCore.Arrival, _ context: NodeContext) {
        switch arrival {
        case .queued(let egress): context.packetQueued(on: egress)
        case .delivered(let packet, .neighbourDiscovery): context.neighbourDiscoveryTook(packet)
        case .delivered(let packet, _): context.deliver(packet)
        case .dropped(let reason, let packet): context.drop(packet, reason: reason)
        }
        if core.hasAnswers { core.poll(now: context.now, newBuffer: context.newPacket) { handle($0, context) } }
    }
}
