import NewIPDataPlane
import NewIPWire

/// A network to emulate: nodes with addressed interfaces, links between interfaces, routing,
/// and the traffic flows to send. Built by `TopologyParser` from YAML (docs/topology.md) or
/// by `TopologyGenerator` or in code; `problems()` says what keeps it from running, and the
/// parser, `Emulation` and the real deployment refuse it while there is any.
public struct Topology: Sendable {
    public var name: String
    /// The run's seed: every random stream (link loss, faults, traffic) derives from it.
    public var seed: UInt64
    /// Virtual time to run: events at or after it do not happen.
    public var duration: Nanoseconds
    public var dialect: PacketDialect
    public var routing: Routing
    /// `routing: dynamic`'s damping settings (`routing: {protocol: dynamic, hysteresis: 0s}`).
    public var routingDamping = RoutingDamping()
    /// `routing: dynamic`'s authentication (`routing: {protocol: dynamic, authentication: signature}`).
    public var routingAuthentication = RoutingAuthentication.none
    public var nodes: [Node]
    public var links: [Link]
    public var flows: [Flow]
    /// Administrative domains: whose packets first hops check, under which admission mode
    /// (docs/topology.md, *Governance*); none by default.
    public var domains: [Domain] = []
    /// Neighbour discovery on every compact interface (`neighbours:`, the node files' keys);
    /// `nil`: none, and no interface may form its address.
    public var neighbours: NodeConfig.Neighbours?
    /// Where the file wrote the run's settings (`duration`), for `problems()`.
    public var positions = SourcePositions()

    public init(name: String, seed: UInt64 = 1, duration: Nanoseconds, dialect: PacketDialect = .compact,
                routing: Routing = .shortestDelay, nodes: [Node] = [], links: [Link] = [], flows: [Flow] = []) {
        self.name = name
        self.seed = seed
        self.duration = duration
        self.dialect = dialect
        self.routing = routing
        self.nodes = nodes
        self.links = links
        self.flows = flows
    }

    /// Its size as commands report it: "3 nodes, 2 links, 1 flows".
    public var sizeText: String { "\(nodes.count) nodes, \(links.count) links, \(flows.count) flows" }

    public enum Routing: String, Sendable, CaseIterable {
        /// Dijkstra over link propagation delays fills every forwarding table, with LBF's
        /// `toDelay` and `toHops` for each destination; static routes are added on top.
        case shortestDelay = "shortest-delay"
        /// The same, but only toward hosts' addresses: routers are not destinations, so a
        /// large topology's tables hold one route per host instead of one per interface.
        case shortestDelayToHosts = "shortest-delay-hosts"
        /// Only the routes written in the file (and each node's own addresses).
        case `static`
        /// The nodes run the delay-vector routing protocol (NewIPControl) in the emulator:
        /// tables start as `static` ones and fill as the protocol converges.
        case dynamic
    }

    public enum NodeKind: String, Sendable, CaseIterable {
        case host, router, gateway

        /// Whether shortest-delay paths may pass through the node.
        public var forwards: Bool { self != .host }
    }

    /// An interface of a node, by indices.
    public struct InterfaceID: Hashable, Sendable {
        public var node: Int
        public var interface: Int

        public init(node: Int, interface: Int) {
            self.node = node
            self.interface = interface
        }
    }

    public struct Node: Sendable {
        public var name: String
        public var kind: NodeKind
        public var interfaces: [Interface]
        /// Static routes, installed after the computed ones (so they win for equal prefixes).
        public var routes: [StaticRoute]
        /// When the node is crashed (`faults: {crash: [2s, 3s]}`), in time order: it loses what
        /// it holds, drops what reaches it (`node-down`), sends nothing, and restarts with empty
        /// routing state; its neighbours notice by their hello hold time, not by carrier loss.
        public var crashes: [Range<Nanoseconds>] = []
        /// Where the node is defined, for errors found after parsing.
        public var location: SourceLocation? {
            get { positions.element }
            set { positions.element = newValue }
        }
        /// Where the file wrote the node and its `kind` key.
        public var positions: SourcePositions
        /// A gateway's address mapping (`kind: gateway` only).
        public var gateway: GatewaySpec?
        /// The compact prefix holding all the node's compact addresses (and those of hosts
        /// linked only to it): routing installs it once instead of one route per address.
        public var prefix: CompactAddressPrefix?

        public init(name: String, kind: NodeKind, interfaces: [Interface], routes: [StaticRoute] = [],
                    location: SourceLocation? = nil, gateway: GatewaySpec? = nil, prefix: CompactAddressPrefix? = nil) {
            self.name = name
            self.kind = kind
            self.interfaces = interfaces
            self.routes = routes
            self.positions = SourcePositions(location)
            self.gateway = gateway
            self.prefix = prefix
        }
    }

    public struct Interface: Sendable {
        public var name: String
        public var address: FrameworkAddress
        /// Whether to write this interface's packets (both directions) to a pcapng file.
        public var capture: Bool
        /// How the host forms `address` by autoconfiguration (`suffix:`); `nil`: it is configured.
        /// `address` is then the one it will form, which routing and flows use.
        public var formation: AddressFormation?
        /// Where the file wrote the interface's name and its `address`.
        public var positions: SourcePositions

        public init(name: String, address: FrameworkAddress, capture: Bool = false, positions: SourcePositions = SourcePositions()) {
            self.name = name
            self.address = address
            self.capture = capture
            self.positions = positions
        }
    }

    public struct StaticRoute: Sendable {
        public var prefix: RoutePrefix
        /// Index into the node's interfaces.
        public var interface: Int
        /// Where the file wrote the route's prefix.
        public var location: SourceLocation?

        public init(prefix: RoutePrefix, interface: Int, location: SourceLocation? = nil) {
            self.prefix = prefix
            self.interface = interface
            self.location = location
        }
    }

    /// A full-duplex link: one emulated channel per direction, each with these parameters.
    public struct Link: Sendable {
        public var endpoints: (InterfaceID, InterfaceID)
        public var rate: BitRate
        /// One-way propagation delay (from the start, with a `delay` schedule).
        public var delay: Nanoseconds
        /// A `delay` schedule's later changes: from `at` on, the delay is `delay`; in time order.
        public var delayChanges: [(at: Nanoseconds, delay: Nanoseconds)] = []
        /// Probability that a packet is lost on the wire (after using the link's time).
        public var loss: Double
        public var mtu: Int
        /// The egress queue of each endpoint onto this link.
        public var queue: QueueSpec
        public var faults: FaultSpec
        /// Where the file wrote the link, its `endpoints` and each endpoint (`endpoints.0`, `endpoints.1`).
        public var positions = SourcePositions()

        public init(endpoints: (InterfaceID, InterfaceID), rate: BitRate, delay: Nanoseconds, loss: Double = 0,
                    mtu: Int = 1500, queue: QueueSpec = QueueSpec(), faults: FaultSpec = FaultSpec()) {
            self.endpoints = endpoints
            self.rate = rate
            self.delay = delay
            self.loss = loss
            self.mtu = mtu
            self.queue = queue
            self.faults = faults
        }
    }

    /// Fault injection on a link's receiving ends, each probability per packet, and the
    /// periods the link is down (both directions).
    public struct FaultSpec: Sendable {
        public var drop: Double
        /// Flip one random bit of the packet.
        public var corrupt: Double
        /// Down from each range's start to its end, in time order: a packet on the wire at any
        /// moment of one is lost, and the ends' nodes see the carrier go and come back.
        public var down: [Range<Nanoseconds>] = []

        public init(drop: Double = 0, corrupt: Double = 0) {
            self.drop = drop
            self.corrupt = corrupt
        }

        public var isActive: Bool { drop > 0 || corrupt > 0 }
    }

    public struct Flow: Sendable {
        public var name: String
        /// The interfaces whose addresses are the packets' source and destination; the
        /// source interface's node sends them.
        public var source: InterfaceID
        public var destination: InterfaceID
        public var pattern: TrafficPattern
        public var size: PacketSize
        public var start: Nanoseconds
        public var stop: Nanoseconds
        public var contract: FlowContract?
        /// A window to judge deliveries against when the packets carry no contract (a
        /// best-effort baseline for a contracted flow); `nil` to use the contract's.
        public var window: DelayWindow?
        /// Qualitative payload spec: chunks after the probe, significance 0 most important.
        public var chunks: [PayloadSpec.Chunk]
        /// The destination address the packets carry instead of the one `destination` is known
        /// by from the source's network (an address no gateway maps, to see the drop); `nil`
        /// for the usual one.
        public var destinationAddress: FrameworkAddress?
        /// The domains the packets must avoid, or the only ones they may cross; `nil`: any.
        public var pathConstraint: PathConstraint?
        /// Where the file wrote the flow and its keys (`name`, `to`, `size`, `stop`, ...).
        public var positions = SourcePositions()

        public init(name: String, source: InterfaceID, destination: InterfaceID, pattern: TrafficPattern,
                    size: PacketSize, start: Nanoseconds = 0, stop: Nanoseconds, contract: FlowContract? = nil,
                    chunks: [PayloadSpec.Chunk] = [], window: DelayWindow? = nil,
                    destinationAddress: FrameworkAddress? = nil) {
            self.destinationAddress = destinationAddress
            self.name = name
            self.source = source
            self.destination = destination
            self.pattern = pattern
            self.size = size
            self.start = start
            self.stop = stop
            self.contract = contract
            self.chunks = chunks
            self.window = window
        }

        /// The window deliveries are judged against: `window`, else the contract's.
        public var judgedWindow: DelayWindow? { window ?? contract?.window }
    }

    /// The interface `id` refers to.
    public func interface(_ id: InterfaceID) -> Interface { nodes[id.node].interfaces[id.interface] }

    /// `node:interface`, as endpoints are written.
    public func name(of id: InterfaceID) -> String { "\(nodes[id.node].name):\(interface(id).name)" }

    /// The network an interface is in (see `Network`).
    public func network(of id: InterfaceID) -> Network { Network(interface(id).address, dialect: dialect) }

    /// Whether node `index` can be a gateway: a compact topology, and a compact interface and
    /// an IP interface on the node.
    public func isGateway(_ index: Int) -> Bool {
        let networks = nodes[index].interfaces.map { Network($0.address, dialect: dialect) }
        return dialect == .compact && networks.contains(.newIP) && networks.contains(where: \.isIP)
    }

    /// Whether any interface speaks plain IP or any node is a gateway: the run then reports
    /// header bytes and translations (docs/topology.md, *ManyNets*).
    public var isManyNets: Bool {
        nodes.contains { node in
            node.kind == .gateway || node.interfaces.contains { Network($0.address, dialect: dialect) != .newIP }
        }
    }
}

extension Topology {
    /// What an interface speaks. In the compact dialect an interface with a compact address
    /// sends New IP; one with an IPv4 or IPv6 address sends plain IPv4 or IPv6 + UDP, with
    /// no New IP header. In the framework dialect every interface sends framework packets,
    /// whatever the address family.
    public enum Network: Hashable, Sendable, CaseIterable {
        case newIP, ipv4, ipv6

        public init(_ address: FrameworkAddress, dialect: PacketDialect) {
            switch (dialect, address) {
            case (.compact, .ipv4): self = .ipv4
            case (.compact, .ipv6): self = .ipv6
            default: self = .newIP
            }
        }

        /// `compact`, `framework`, `ipv4` or `ipv6`, as errors name it.
        public func name(dialect: PacketDialect) -> String {
            switch self {
            case .newIP: dialect == .compact ? "compact" : "framework"
            case .ipv4: "ipv4"
            case .ipv6: "ipv6"
            }
        }

        public var isIP: Bool { self != .newIP }

        /// The name with its article: "a compact", "an ipv6".
        func withArticle(dialect: PacketDialect) -> String { (isIP ? "an " : "a ") + name(dialect: dialect) }
    }

    /// How a gateway names hosts across its networks (docs/topology.md, *ManyNets*): static
    /// bindings of a compact address to an IPv4 or IPv6 address, an algorithmic IPv6 prefix
    /// that gives every compact address an IPv6 name, and compact prefixes the gateway
    /// claims in the island for the IP side.
    public struct GatewaySpec: Hashable, Sendable {
        public struct Binding: Hashable, Sendable {
            public var compact: CompactAddress
            /// An IPv4 or IPv6 address.
            public var ip: FrameworkAddress

            public init(compact: CompactAddress, ip: FrameworkAddress) {
                self.compact = compact
                self.ip = ip
            }
        }

        /// In file order; both directions (compact ↔ IP), all ports.
        public var bindings: [Binding]
        /// The embedding prefix of `GatewayMapping` (at most /64).
        public var ipv6Prefix: IPv6Prefix?
        /// Compact destinations under these prefixes are routed to the gateway, which
        /// translates them (or drops them as unmapped).
        public var compactPrefixes: [CompactAddressPrefix]

        public init(bindings: [Binding] = [], ipv6Prefix: IPv6Prefix? = nil, compactPrefixes: [CompactAddressPrefix] = []) {
            self.bindings = bindings
            self.ipv6Prefix = ipv6Prefix
            self.compactPrefixes = compactPrefixes
        }

        /// The data plane's mapping for these bindings and prefix.
        public var mapping: GatewayMapping {
            var mapping = GatewayMapping(ipv6Prefix: ipv6Prefix)
            for binding in bindings {
                switch binding.ip {
                case .ipv4(let address): mapping.bind(binding.compact, to: address)
                case .ipv6(let address): mapping.bind(binding.compact, to: address)
                default: break
                }
            }
            return mapping
        }
    }
}
