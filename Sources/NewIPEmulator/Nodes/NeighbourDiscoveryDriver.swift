import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// The emulator's driver of neighbour discovery (the topology's `neighbours:`): each node's
/// `NodeCore` runs the same `NeighbourDiscovery` real nodes run, on its compact interfaces, in
/// virtual time. Its solicitations, advertisements and hellos are real packets queued on the
/// link without a route lookup, so they take link capacity, wait behind traffic and are lost
/// to link loss, `down` periods and crashed nodes. The event queue calls `run(node:)` at each
/// core's deadline; what changed (neighbour states, addresses formed or refused) is recorded
/// with its virtual time.
final class NeighbourDiscoveryDriver {
    /// When each node's `.neighbours` event is scheduled (`nil`: none pending).
    private var scheduled: [Nanoseconds?]
    /// Per node: whether it is crashed (its discovery neither runs nor hears anything).
    private var crashed: [Bool]
    /// Per node: autoconfiguration decisions already recorded (the core keeps its latest few).
    private var decided: [Int]
    private(set) var events: [NeighbourEvent] = []

    /// Neighbour discovery packets are small: the pool's buffers must hold them even in a
    /// run whose flows send smaller packets.
    static let largestPacket = 128

    init(nodes: Int) {
        scheduled = Array(repeating: nil, count: nodes)
        crashed = Array(repeating: false, count: nodes)
        decided = Array(repeating: 0, count: nodes)
    }

    /// Node `index`'s neighbour discovery: on every compact interface; a router's hellos
    /// every `hello` offering its `prefix`; a host's `suffix` interface forms its address,
    /// from `publicKey` when the suffix is the key's.
    static func discovery(node: Topology.Node, index: Int, topology: Topology, publicKey: [UInt8]?) -> NeighbourDiscovery? {
        guard let settings = topology.neighbours, let interval = settings.hello, topology.dialect == .compact else { return nil }
        let hello = node.kind == .host ? nil : NeighbourDiscovery.Hello(interval: interval, holdTime: settings.holdTime!)
        return NeighbourDiscovery(interfaces: node.interfaces.indices.map { interface -> NeighbourDiscovery.Interface? in
            guard topology.network(of: Topology.InterfaceID(node: index, interface: interface)) == .newIP,
                  case .compact(let address) = node.interfaces[interface].address else { return nil }
            switch node.interfaces[interface].formation {
            case nil:
                return NeighbourDiscovery.Interface(address: address, hello: hello, prefix: hello == nil ? nil : node.prefix)
            case .suffix(let suffix):
                return NeighbourDiscovery.Interface(address: nil, suffix: suffix)
            case .key:
                return NeighbourDiscovery.Interface(address: nil, publicKey: publicKey)
            }
        }, now: 0)
    }

    /// Every node's first hellos go out at the start.
    func start(_ simulator: Simulator) {
        for node in scheduled.indices { settle(node, simulator) }
    }

    /// A node's `.neighbours` event: its timers, and what they send.
    func run(node: Int, simulator: Simulator) {
        guard scheduled[node] == simulator.now else { return }
        scheduled[node] = nil
        guard !crashed[node], let behaviour = simulator.behaviours[node] as? CoreNode else { return }
        behaviour.pollNeighbours(context: NodeContext(now: simulator.now, node: node, simulator: simulator))
        settle(node, simulator)
    }

    /// `node` crashed: its discovery stops where it is (what reaches it is lost meanwhile).
    func crash(_ node: Int) {
        crashed[node] = true
        scheduled[node] = nil
    }

    /// `node` restarts: its discovery catches up with the timers that ran out meanwhile.
    func restart(_ node: Int, simulator: Simulator) {
        crashed[node] = false
        settle(node, simulator)
    }

    /// Records what `node`'s discovery changed, and asks to run again at its deadline.
    func settle(_ node: Int, _ simulator: Simulator) {
        guard let core = (simulator.behaviours[node] as? CoreNode)?.core, let discovery = core.neighbourDiscovery else { return }
        let now = simulator.now
        for case .changed(let address, let interface, let from, let to) in core.takeNeighbourChanges() {
            events.append(NeighbourEvent(time: now, node: node, interface: interface, kind: .state(neighbour: address, from: from, to: to)))
        }
        let total = discovery.counters.addressesConfigured + discovery.counters.addressesRefused
        for event in discovery.events.suffix(min(total - decided[node], discovery.events.count)) {
            switch event {
            case .configured(let interface, let address, let router):
                events.append(NeighbourEvent(time: now, node: node, interface: interface, kind: .configured(address: address, router: router)))
            case .refused(let interface, let address, let reason):
                events.append(NeighbourEvent(time: now, node: node, interface: interface, kind: .refused(address: address, reason: reason)))
            }
        }
        decided[node] = total
        guard let deadline = core.neighbourDeadline else { return }
        let time = max(deadline, now)
        if let pending = scheduled[node], pending <= time { return }
        scheduled[node] = time
        simulator.events.schedule(.neighbours(node: node), at: time)
    }
}

/// A change neighbour discovery made on a node's interface, at a virtual time.
public struct NeighbourEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A neighbour changed state (`from` is `nil` when it is new).
        case state(neighbour: CompactAddress, from: NeighbourTable.State?, to: NeighbourTable.State)
        /// Autoconfiguration took `address`, formed in `router`'s prefix.
        case configured(address: CompactAddress, router: CompactAddress)
        /// Autoconfiguration refused `address` (`nil`: none could be formed), for `reason`.
        case refused(address: CompactAddress?, reason: String)
    }

    public var time: Nanoseconds
    public var node: Int
    public var interface: Int
    public var kind: Kind
}
