import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

// The one file that touches the node core's forwarding API (NodeCore, queues, PacketBuffer
// life cycle): when that API shifts, this is what changes.

/// What the node core did with a received packet; a delivered or dropped buffer is handed
/// over (a drop's for "hop limit exceeded" replies), then given back with `recycle`.
typealias Arrival = NodeCore.Arrival

/// The node's data plane: the `NodeCore` the emulator runs too (one `EgressQueue` per
/// interface, hosts that never forward others' packets), a pool of packet buffers so the
/// steady state allocates none, and the route table edits the control endpoint makes.
///
/// A gateway's TUN interface is the host's stack to the core (`InterfaceNetwork.hostIP`): the
/// core translates what comes in there and what leaves by it, as the emulator's core does
/// between its IP and New IP interfaces.
struct NodeDataPlane {
    let core: NodeCore
    private let pool: BufferPool
    static let bufferCapacity = NodeConfig.packetBufferBytes
    static let headroom = NodeConfig.packetHeadroom
    let poolLimit: Int

    init(config: NodeConfig, sourceAuthentication: SourceAuthentication? = nil, borderPolicy: BorderPolicy? = nil,
         selfCertifyingKey: [UInt8]? = nil, certifiedAddress: FrameworkAddress? = nil) {
        var table = ForwardingTable()
        for address in config.localAddresses { table.insert(Route(nextHop: .local), for: RoutePrefix(exactly: address)) }
        let index = Dictionary(uniqueKeysWithValues: config.interfaces.enumerated().map { ($1.name, $0) })
        for route in config.routes {
            let interface = index[route.interface]!
            // Names routed into a gateway's TUN device are names it answers for: the core
            // translates what is addressed to them, as the emulator's gateway does.
            let onward = config.interfaces[interface].link.isTun ? Route(nextHop: .local)
                : Self.makeRoute(interface: interface, toDelay: route.toDelay, toHops: route.toHops)
            table.insert(onward, for: route.prefix)
        }
        // A gateway's TUN device is the host's stack: whatever leaves as IPv4 or IPv6 goes there.
        for (interface, entry) in config.interfaces.enumerated() where entry.link.isTun {
            for prefix in [RoutePrefix.ipv4(IPv4Prefix(address: .any, length: 0)!), .ipv6(IPv6Prefix(address: .unspecified, length: 0)!)] {
                table.insert(Self.makeRoute(interface: interface, toDelay: 0, toHops: 1), for: prefix)
            }
        }
        core = NodeCore(NodeCore.Setup(
            dialect: config.dialect, forwards: config.role != .host,
            networks: config.interfaces.map { $0.link.isTun ? .hostIP : .newIP }, table: table,
            queues: config.interfaces.map { EgressQueue($0.queue, reserving: $0.queue.limits.packets ?? 1024) },
            linkDelays: config.interfaces.map(\.delay), ownAddresses: config.localAddresses,
            interfaceAddresses: config.interfaces.map(\.address),
            gateway: config.role == .gateway ? config.mapping ?? GatewayMapping() : nil, pingHops: config.pingHops,
            sourceAuthentication: sourceAuthentication, borderPolicy: borderPolicy,
            // A router honours the path constraints it has routes for (`path-routes:`) and
            // refuses other constrained packets (`path-constraint`) rather than forward them
            // as if they carried none.
            pathConstraints: config.role == .host ? nil : Self.pathConstraintRouting(config),
            neighbourDiscovery: Self.neighbourDiscovery(config, selfCertifyingKey: selfCertifyingKey,
                                                                                 certifiedAddress: certifiedAddress)))
        let queued = config.interfaces.reduce(0) { $0 + ($1.queue.limits.packets ?? 1024) }
        poolLimit = max(1024, queued + 1024)
        pool = BufferPool(limit: poolLimit, preallocate: min(poolLimit, 4096))
    }

    /// The node file's `path-routes:` as the core's per-constraint tables.
    static func pathConstraintRouting(_ config: NodeConfig) -> PathConstraintRouting {
        let index = Dictionary(uniqueKeysWithValues: config.interfaces.enumerated().map { ($1.name, $0) })
        var tables: [PathConstraintItem: ForwardingTable] = [:]
        for entry in config.pathRoutes {
            var table = ForwardingTable()
            for route in entry.routes {
                table.insert(makeRoute(interface: index[route.interface]!, toDelay: route.toDelay, toHops: route.toHops), for: route.prefix)
            }
            tables[entry.constraint] = table
        }
        return PathConstraintRouting(tables: tables)
    }

    /// The node file's `neighbours:` as the core's neighbour discovery, on every compact
    /// interface with an address. Over the UDP underlay an interface's link-layer address is
    /// its local endpoint (IPv4 address and port, 6 bytes, as long as a MAC); its first hellos
    /// go out at the first poll. An interface without an address forms one from `suffix`, or
    /// from the self-certifying host's key when there is no suffix; an enrolled host refuses
    /// a formed address its certificate does not name (`certifiedAddress`).
    static func neighbourDiscovery(_ config: NodeConfig, selfCertifyingKey: [UInt8]? = nil,
                                   certifiedAddress: FrameworkAddress? = nil) -> NeighbourDiscovery? {
        guard let neighbours = config.neighbours, config.dialect == .compact else { return nil }
        let hello = neighbours.hello.map { NeighbourDiscovery.Hello(interval: $0, holdTime: neighbours.holdTime!) }
        return NeighbourDiscovery(interfaces: config.interfaces.map { interface in
            guard !interface.link.isTun else { return nil }
            // An interface without an address takes one by autoconfiguration (`suffix:`).
            var address: CompactAddress?
            if case .compact(let configured)? = interface.address { address = configured }
            let key = neighbours.suffix == nil ? selfCertifyingKey : nil
            var certified: CompactAddress?
            if case .compact(let address)? = certifiedAddress { certified = address }
            guard address != nil || neighbours.suffix != nil || key != nil else { return nil }
            var linkLayer: [UInt8] = []
            if case .udp(let local, _) = interface.link, let ip = IPv4Address(local.host) {
                linkLayer = (0..<4).map { UInt8(truncatingIfNeeded: ip.rawValue >> (24 - 8 * $0)) } + [UInt8(local.port >> 8), UInt8(local.port & 0xFF)]
            }
            return NeighbourDiscovery.Interface(address: address, linkLayerAddress: linkLayer, hello: hello, prefix: neighbours.prefix,
                                                suffix: address == nil ? neighbours.suffix : nil, publicKey: address == nil ? key : nil,
                                                certified: address == nil ? certified : nil)
        }, now: 0)
    }

    /// Buffers currently out of the pool (in queues or held by the caller).
    var buffersOut: Int { pool.out }

    // MARK: Buffers

    /// A buffer holding a copy of `bytes`, or `nil` when they do not fit one.
    mutating func buffer(copying bytes: UnsafeRawBufferPointer) -> PacketBuffer? {
        guard bytes.count <= Self.bufferCapacity - Self.headroom else { return nil }
        var buffer = pool.take()
        buffer.receive { space in
            space.copyMemory(from: bytes)
            return bytes.count
        }
        return buffer
    }

    /// Takes a buffer back for reuse.
    func recycle(_ buffer: consuming PacketBuffer) { pool.put(buffer) }

    // MARK: Forwarding

    /// Runs the arrival pipeline. `fromNetwork` is false for packets the node's applications send.
    mutating func receive(_ packet: consuming PacketBuffer, ingress: Int, fromNetwork: Bool, now: Nanoseconds) -> Arrival {
        fromNetwork ? core.receive(consume packet, on: ingress, now: now) : core.send(consume packet, from: nil, now: now)
    }

    /// The next packet `interface` may send at `now`; hand it back with `recycle` once sent.
    /// Packets dropped on the way out (late in the LBF queue, past their max delay) go back to
    /// the pool, and `dropped` hears why.
    mutating func transmit(on interface: Int, now: Nanoseconds, dropped: (DropReason, PacketBuffer) -> Void) -> PacketBuffer? {
        let pool = pool
        return core.transmit(on: interface, now: now) { packet, reason in
            dropped(reason, packet)
            pool.put(packet)
        }
    }

    /// Sends the answers the core built (echo replies, hop-limit answers, neighbour discovery's
    /// packets and those its timers owe at `now`) in pool buffers.
    func poll(now: Nanoseconds, _ handle: (Arrival) -> Void) {
        guard core.hasAnswers || core.neighbourDeadline.map({ $0 <= now }) == true else { return }
        let pool = pool
        core.poll(now: now, newBuffer: { pool.take() }, handle)
    }

    /// A link-scoped packet (the routing protocol's) for the neighbour on `interface`, queued
    /// there without a route lookup; `nil` when it does not fit a buffer.
    mutating func send(_ bytes: [UInt8], onLink interface: Int, now: Nanoseconds) -> Arrival? {
        guard let packet = bytes.withUnsafeBytes({ buffer(copying: $0) }) else { return nil }
        return core.send(packet, onLink: interface, now: now)
    }

    /// When `interface` has a packet to send next (`nil`: empty).
    func nextTransmitTime(on interface: Int) -> Nanoseconds? { core.nextTransmitTime(on: interface) }

    // MARK: Observation

    func queueDepth(_ interface: Int) -> (packets: Int, bytes: Int) {
        let queue = core.queue(on: interface)
        return (queue.packetCount, queue.byteCount)
    }

    /// Tail drops of the interface's queue (late drops are reported by `transmit`).
    func queueFullDrops(_ interface: Int) -> Int { core.queue(on: interface).drops[.queueFull] }

    func isLatencyBased(_ interface: Int) -> Bool { core.queue(on: interface).isLatencyBased }

    // MARK: Routes

    var routes: [(prefix: RoutePrefix, route: Route)] { core.routes }

    @discardableResult
    mutating func insert(_ route: Route, for prefix: RoutePrefix) -> Route? { core.insert(route, for: prefix) }

    @discardableResult
    mutating func remove(_ prefix: RoutePrefix) -> Route? { core.remove(prefix) }

    static func makeRoute(interface: Int, toDelay: Nanoseconds, toHops: Int) -> Route {
        Route(nextHop: NextHop(interface: interface, neighbour: NeighbourID(rawValue: 0)), toDelay: toDelay, toHops: toHops)
    }

    static func isLocal(_ route: Route) -> Bool { route.nextHop.isLocal }
}

/// Packet buffers allocated once and reused: a class, so the queues' `discarded` callbacks can
/// give buffers back while the router is being mutated.
final class BufferPool {
    private var buffers: [PacketBuffer] = []
    private let limit: Int
    private(set) var out = 0

    init(limit: Int, preallocate: Int) {
        self.limit = limit
        buffers.reserveCapacity(limit)
        for _ in 0..<preallocate { buffers.append(PacketBuffer(capacity: NodeDataPlane.bufferCapacity, headroom: NodeDataPlane.headroom)) }
    }

    func take() -> PacketBuffer {
        out += 1
        return buffers.popLast() ?? PacketBuffer(capacity: NodeDataPlane.bufferCapacity, headroom: NodeDataPlane.headroom)
    }

    func put(_ buffer: consuming PacketBuffer) {
        out -= 1
        if buffers.count < limit { buffers.append(buffer) }
    }
}

/// Reads the packet's metadata the runtime reports on (whether a departing packet has an LBF deadline).
extension PacketBuffer {
    var hasDeadline: Bool { metadata.deadline != .max }
}
