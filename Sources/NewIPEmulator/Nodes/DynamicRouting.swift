import NewIPControl
import NewIPDataPlane
import NewIPNode
import NewIPRandom
import NewIPTopology
import NewIPWire

/// The emulator's driver of the routing protocol (`routing: dynamic`): one `DelayVectorRouting`
/// per node, on its New IP interfaces, run in virtual time.
///
/// Its datagrams are real packets: UDP to port 6696 with hop limit 1, from the interface's
/// address to the neighbour's, queued on the interface without a route lookup
/// (`NodeCore.send(_:onLink:now:)`), so they take link capacity, wait behind traffic and can be
/// lost. The neighbour's node delivers them to itself, and `receive` hands them to its core
/// with the time their first bit arrived (the link knows its rate), as a NIC's hardware
/// timestamp would. The event queue calls `run(node:)` at each core's deadline, and the
/// routes the cores choose go into the nodes' forwarding tables at once.
final class DynamicRouting {
    private var cores: [DelayVectorRouting]
    /// When each node's `.routing` event is scheduled (`nil`: none pending).
    private var scheduled: [Nanoseconds?]
    /// Per node and interface: its address, the neighbour's, and the directed links out and in.
    private let ends: [[(own: FrameworkAddress, peer: FrameworkAddress, out: Int, rate: BitRate)]]
    private(set) var events: [RoutingEvent] = []
    /// Per directed link: routing packets and bytes sent on it.
    private(set) var controlPackets: [Int]
    private(set) var controlBytes: [Int]
    /// Per node: whether it is crashed (its core neither runs nor hears anything).
    private var crashed: [Bool]
    /// Per node: its forwarding table and link delays as configured, which a restart brings back.
    private var configured: [(routes: [(prefix: RoutePrefix, route: Route)], linkDelays: [Nanoseconds])] = []

    init(topology: Topology, links: [EmulatedLink]) {
        var out: [Topology.InterfaceID: EmulatedLink] = [:]
        for link in links { out[link.from] = link }
        ends = topology.nodes.indices.map { node in
            topology.nodes[node].interfaces.indices.map { interface in
                let link = out[Topology.InterfaceID(node: node, interface: interface)]!
                return (topology.interface(link.from).address, topology.interface(link.to).address, link.index, link.rate)
            }
        }
        var linkOf: [Topology.InterfaceID: Int] = [:]
        for (index, link) in topology.links.enumerated() {
            linkOf[link.endpoints.0] = index
            linkOf[link.endpoints.1] = index
        }
        let authentication = topology.routingAuthentication
        cores = topology.nodes.enumerated().map { index, node in
            let interfaces = node.interfaces.indices.map { interface in
                let id = Topology.InterfaceID(node: index, interface: interface)
                let key = authentication == .hmac ? linkOf[id].map { EmulatedRoutingKeys.linkKey(seed: topology.seed, link: $0) } : nil
                return DelayVectorRouting.Interface(enabled: topology.network(of: id) == .newIP, key: key)
            }
            var configuration = DelayVectorRouting.Configuration(
                routerID: UInt64(index), interfaces: interfaces,
                prefixes: DelayVectorRouting.originated(block: node.prefix, addresses: node.interfaces.map(\.address)),
                forwards: node.kind.forwards)
            if authentication == .signature,
               let (signing, owned) = EmulatedRoutingKeys.signing(seed: topology.seed, node: node.name, prefixes: configuration.prefixes) {
                configuration.signing = signing
                configuration.prefixes = owned
            }
            configuration.maxPacketBytes = min(configuration.maxPacketBytes, (topology.links.map(\.mtu).min() ?? 1_500) - 64)
            configuration.apply(topology.routingDamping)
            return DelayVectorRouting(configuration, now: 0)
        }
        scheduled = Array(repeating: nil, count: topology.nodes.count)
        crashed = Array(repeating: false, count: topology.nodes.count)
        controlPackets = Array(repeating: 0, count: links.count)
        controlBytes = Array(repeating: 0, count: links.count)
    }

    /// Every node's first hellos and dumps go out at the start.
    func start(_ simulator: Simulator) {
        configured = simulator.behaviours.map { behaviour in
            let core = (behaviour as? CoreNode)?.core
            return (core?.routes ?? [], core?.router.linkDelays ?? [])
        }
        for node in cores.indices { schedule(node, simulator) }
    }

    /// `node` crashed: its core stops (its neighbours notice only when its hellos stop), and
    /// the routes it had learned are gone, each one an event.
    func crash(_ node: Int, simulator: Simulator) {
        crashed[node] = true
        scheduled[node] = nil
        var installed: [RoutePrefix: Route] = [:]
        for event in events where event.node == node { installed[event.prefix] = event.new }
        for (prefix, route) in installed.sorted(by: { $0.key < $1.key }) {
            events.append(RoutingEvent(time: simulator.now, node: node, prefix: prefix, old: route, new: nil))
        }
        guard let core = (simulator.behaviours[node] as? CoreNode)?.core else { return }
        for (prefix, _) in core.routes { core.remove(prefix) }
        for (prefix, route) in configured[node].routes { core.insert(route, for: prefix) }
        for (interface, delay) in configured[node].linkDelays.enumerated() { core.setLinkDelay(delay, on: interface) }
    }

    /// `node` restarts: a fresh core with no neighbours or routes, a random sequence number for
    /// its own routes and a packet counter from the clock (neighbours remember its old one).
    func restart(_ node: Int, simulator: Simulator) {
        crashed[node] = false
        var configuration = cores[node].configuration
        var random = RandomStream(seed: simulator.topology.seed, name: "routing/\(simulator.topology.nodes[node].name)/restart@\(simulator.now)")
        configuration.firstSeqno = UInt16(random.nextInt(in: 0...Int(UInt16.max)))
        configuration.firstPacketCounter = UInt64(simulator.now)
        cores[node] = DelayVectorRouting(configuration, now: simulator.now)
        schedule(node, simulator)
    }

    /// A node's `.routing` event: its timers, and what it sends.
    func run(node: Int, simulator: Simulator) {
        guard scheduled[node] == simulator.now else { return }
        scheduled[node] = nil
        let transmissions = cores[node].poll(now: simulator.now)
        send(transmissions, from: node, simulator)
        settle(node, simulator)
    }

    /// Takes a routing packet delivered to `node`; `false` when the packet is not one.
    func receive(_ packet: PacketBuffer, at node: Int, simulator: Simulator) -> Bool {
        let interface = packet.metadata.ingress
        guard interface >= 0, interface < ends[node].count else { return false }
        let dialect = simulator.topology.dialect
        let now = simulator.now
        let firstBit = now - ends[node][interface].rate.serialisation(bytes: packet.count)
        let taken = packet.withUnsafeBytes { bytes -> Bool in
            guard let datagram = NodeCore.routingDatagram(in: bytes, dialect: dialect) else { return false }
            cores[node].receive(UnsafeRawBufferPointer(rebasing: bytes[datagram]), on: interface, now: now, timestamp: firstBit)
            return true
        }
        if taken { settle(node, simulator) }
        return taken
    }

    /// `link` lost or regained its carrier: the nodes at both ends see it at once (as a real
    /// interface reports carrier loss), so their cores drop or greet the neighbour.
    func carrier(of link: Topology.Link, up: Bool, simulator: Simulator) {
        for end in [link.endpoints.0, link.endpoints.1] where !crashed[end.node] {
            if up { cores[end.node].interfaceUp(end.interface, now: simulator.now) } else { cores[end.node].interfaceDown(end.interface, now: simulator.now) }
            settle(end.node, simulator)
        }
    }

    /// Counters of each node's core.
    var statistics: [RoutingCounters] { cores.map(\.statistics) }

    private func send(_ transmissions: [RoutingTransmission], from node: Int, _ simulator: Simulator) {
        let dialect = simulator.topology.dialect
        guard let core = (simulator.behaviours[node] as? CoreNode)?.core else { return }
        for transmission in transmissions {
            let end = ends[node][transmission.interface]
            guard let bytes = NodeCore.routingPacket(transmission.datagram, from: end.own, to: end.peer, dialect: dialect) else { continue }
            var buffer = simulator.newPacket()
            if buffer.capacity - buffer.initialHeadroom < bytes.count { buffer = PacketBuffer(bytes: [], headroom: PacketPool.headroom, tailroom: bytes.count) }
            buffer.receive { space in
                bytes.withUnsafeBytes { space.copyMemory(from: $0) }
                return bytes.count
            }
            controlPackets[end.out] += 1
            controlBytes[end.out] += bytes.count
            switch core.send(buffer, onLink: transmission.interface, now: simulator.now) {
            case .queued(let egress): simulator.wake(Topology.InterfaceID(node: node, interface: egress))
            case .dropped(let reason, let packet): simulator.discard(packet, reason, node: node)
            case .delivered(let packet, _): simulator.discard(packet, .noRoute, node: node)
            }
        }
    }

    /// Installs the routes the core changed and the link delays it measured (latency-based
    /// forwarding charges them to contracts), and asks to run again at its deadline.
    private func settle(_ node: Int, _ simulator: Simulator) {
        if let core = (simulator.behaviours[node] as? CoreNode)?.core {
            for change in core.follow(&cores[node]) {
                events.append(RoutingEvent(time: change.time, node: node, prefix: change.prefix, old: change.old, new: change.new))
            }
        } else {
            _ = cores[node].takeRouteChanges()
        }
        schedule(node, simulator)
    }

    private func schedule(_ node: Int, _ simulator: Simulator) {
        let deadline = max(cores[node].nextDeadline, simulator.now)
        if let pending = scheduled[node], pending <= deadline { return }
        scheduled[node] = deadline
        simulator.events.schedule(.routing(node: node), at: deadline)
    }
}

/// A forwarding-table change the routing protocol made on a node, at a virtual time.
public struct RoutingEvent: Hashable, Sendable {
    public var time: Nanoseconds
    public var node: Int
    public var prefix: RoutePrefix
    /// The route before and after (`nil`: none).
    public var old: Route?
    public var new: Route?
}
