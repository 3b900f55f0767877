import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// A node with interfaces in several networks (ManyNets): New IP interfaces run the data
/// plane's `Router` as `RouterNode` does; plain IPv4 and IPv6 interfaces forward IP + UDP
/// packets (longest-prefix match on the same forwarding table, TTL or hop limit, the
/// interface's egress queue; no contracts, which IP packets do not carry).
///
/// A gateway (its topology node has a `GatewaySpec`) also translates with the data plane's
/// `Gateway`: a compact packet addressed to a name the gateway answers for (a `map` binding
/// or a `compact-prefix`) becomes IPv4 or IPv6 + UDP and is forwarded on the IP side; an IP
/// packet addressed to a name it answers for (a binding or its `ipv6-prefix`) becomes compact
/// + UDP and enters the router. Either way the hop count is decremented once here, as for
/// any forwarded packet. Packets the gateway cannot translate are dropped and counted by
/// reason in `translations`.
///
/// A packet's network is the network of the interface it arrived on (or was sent from).
public final class ManyNetsNode: NodeBehavior {
    public private(set) var router: Router<EgressQueue>
    public let dialect: PacketDialect
    public let networks: [Topology.Network]
    /// The data plane's translator; `nil` on a node that is not a gateway.
    public let gateway: Gateway?
    public private(set) var translationCounters = TranslationCounters()
    /// Egress queues of the IP interfaces (the router's queues serve the New IP ones).
    private var ipQueues: [EgressQueue]
    private var ipDrops = DropCounters()
    private let ownAddresses: Set<FrameworkAddress>

    public init(_ setup: NodeSetup) {
        router = Router(table: setup.table, queues: setup.queues, linkDelays: setup.linkDelays)
        dialect = setup.dialect
        networks = setup.networks
        ipQueues = setup.queues
        ownAddresses = Set(setup.node.interfaces.map(\.address))
        gateway = setup.node.kind == .gateway ? Gateway(mapping: setup.node.gateway?.mapping ?? GatewayMapping()) : nil
    }

    public var translations: TranslationCounters? { gateway == nil ? nil : translationCounters }

    public func send(_ packet: consuming PacketBuffer, from interface: Int, context: NodeContext) {
        arrive(consume packet, network: networks[interface], ingress: -1, context: context)
    }

    public func receive(_ packet: consuming PacketBuffer, on interface: Int, context: NodeContext) {
        arrive(consume packet, network: networks[interface], ingress: interface, context: context)
    }

    public func nextPacket(on interface: Int, context: NodeContext) -> PacketBuffer? {
        let discard = { (packet: consuming PacketBuffer, reason: DropReason) in context.drop(packet, reason: reason) }
        return networks[interface].isIP ? ipQueues[interface].dequeue(now: context.now, discarded: discard)
            : router.transmit(on: interface, now: context.now, discarded: discard)
    }

    public func nextTransmitTime(on interface: Int) -> Nanoseconds? {
        networks[interface].isIP ? ipQueues[interface].nextEligibleTime : router.nextTransmitTime(on: interface)
    }

    public func queuedPackets(on interface: Int) -> Int {
        networks[interface].isIP ? ipQueues[interface].packetCount : router.queues[interface].packetCount
    }

    public func queue(on interface: Int) -> QueueStatistics {
        let queue = networks[interface].isIP ? ipQueues[interface] : router.queues[interface]
        return QueueStatistics(packets: queue.packetCount, bytes: queue.byteCount, drops: queue.drops, trimming: queue.trimming)
    }

    public var drops: DropCounters {
        networks.indices.filter { networks[$0].isIP }.reduce(router.drops + ipDrops) { $0 + ipQueues[$1].drops }
    }

    private func arrive(_ packet: consuming PacketBuffer, network: Topology.Network, ingress: Int, context: NodeContext) {
        if network.isIP {
            forwardIP(consume packet, ipv6: network == .ipv6, ingress: ingress, context: context)
        } else {
            forwardNewIP(consume packet, ingress: ingress, translated: false, context: context)
        }
    }

    // MARK: New IP

    private func forwardNewIP(_ packet: consuming PacketBuffer, ingress: Int, translated: Bool, context: NodeContext) {
        switch router.receive(consume packet, dialect: dialect, ingress: ingress, now: context.now) {
        case .forward(let egress, _, _): context.packetQueued(on: egress)
        case .drop(let reason, let packet): context.drop(packet, reason: reason)
        case .deliver(var packet):
            guard let gateway, !isOwn(compactDestinationOf: packet) else { return context.deliver(packet) }
            guard !translated else { return fail(.loop, packet, context) }
            // A name the gateway answers for: over to the IP side.
            let family: Gateway.IPFamily
            do throws(GatewayError) { family = try gateway.compactToIP(&packet) } catch {
                return fail(TranslationFailure(error), packet, context)
            }
            translationCounters.compactToIP += 1
            forwardIP(consume packet, ipv6: family == .ipv6, ingress: ingress, translated: true, context: context)
        }
    }

    private func isOwn(compactDestinationOf packet: PacketBuffer) -> Bool {
        packet.withUnsafeBytes { bytes in
            guard let view = try? CompactHeaderView(bytes) else { return true }
            return ownAddresses.contains(.compact(view.destination))
        }
    }

    // MARK: IP

    /// Validates the IP header, delivers, translates or forwards: hop limit (TTL) decremented,
    /// then the egress interface's queue.
    private func forwardIP(_ packet: consuming PacketBuffer, ipv6: Bool, ingress: Int, translated: Bool = false,
                           context: NodeContext) {
        let now = context.now
        guard let header = packet.withUnsafeBytes({ bytes in IPHeader(bytes, ipv6: ipv6) }) else {
            return dropIP(packet, .malformed, context)
        }
        if header.length < packet.count { packet.removeLast(packet.count - header.length) }
        packet.metadata = PacketMetadata(arrival: now, ingress: ingress, contracts: ContractLocations())
        guard let route = router.engine.table.lookup(header.destination) else { return dropIP(packet, .noRoute, context) }
        if route.nextHop.isLocal {
            guard let gateway, !ownAddresses.contains(header.destination) else { return context.deliver(packet) }
            guard !translated else { return fail(.loop, packet, context) }
            // A name the gateway answers for: over to the island.
            do throws(GatewayError) {
                if ipv6 { try gateway.ipv6ToCompact(&packet) } else { try gateway.ipv4ToCompact(&packet) }
            } catch {
                return fail(TranslationFailure(error), packet, context)
            }
            translationCounters.ipToCompact += 1
            return forwardNewIP(consume packet, ingress: ingress, translated: true, context: context)
        }
        let egress = route.nextHop.interface
        guard networks[egress] == (ipv6 ? .ipv6 : .ipv4) else { return dropIP(packet, .noRoute, context) }
        let alive = packet.withUnsafeMutableBytes { bytes -> Bool in
            let field = ipv6 ? 7 : 8
            guard bytes[field] > 1 else { return false }
            bytes[field] -= 1
            if !ipv6 { IPv4Header.refreshChecksum(in: bytes) }
            return true
        }
        guard alive else { return dropIP(packet, .ttlExpired, context) }
        switch ipQueues[egress].enqueue(consume packet, now: now) {
        case .accepted: context.packetQueued(on: egress)
        case .dropped(let reason, let refused): context.drop(refused, reason: reason)
        }
    }

    private func dropIP(_ packet: consuming PacketBuffer, _ reason: DropReason, _ context: NodeContext) {
        ipDrops.record(reason)
        context.drop(packet, reason: reason)
    }

    private func fail(_ failure: TranslationFailure, _ packet: consuming PacketBuffer, _ context: NodeContext) {
        translationCounters.record(failure)
        context.drop(packet, reason: failure.dropReason)
    }
}

/// What IP forwarding needs from an IPv4 or IPv6 header.
struct IPHeader {
    var destination: FrameworkAddress
    /// Header and payload: link padding after it is cut.
    var length: Int
    /// The header alone (IPv4 options included).
    var headerLength: Int
    /// Whether UDP follows the header.
    var isUDP: Bool

    init?(_ bytes: UnsafeRawBufferPointer, ipv6: Bool) {
        if ipv6 {
            guard let header = try? IPv6Header(parsing: bytes) else { return nil }
            destination = .ipv6(header.destination)
            headerLength = IPv6Header.encodedLength
            length = IPv6Header.encodedLength + header.payloadLength
            isUDP = header.nextHeader == 17
        } else {
            guard let header = try? IPv4Header(parsing: bytes) else { return nil }
            destination = .ipv4(header.destination)
            headerLength = Int(bytes[0] & 0x0F) * 4
            length = headerLength + header.payloadLength
            isUDP = header.protocolNumber == 17
        }
    }
}
