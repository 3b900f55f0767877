import NewIPDataPlane
import NewIPWire

/// A node's configuration (docs/node.md): what `nip node --config` reads (`NodeFileParser`)
/// and what `nip up` writes for each node of a topology (`yaml`).
public struct NodeConfig: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        /// Sends and receives; never forwards a packet that arrives from the network for someone else.
        case host
        /// Forwards.
        case router
        /// Forwards, and translates compact New IP + UDP to and from IPv4/IPv6 + UDP on its
        /// `tun` interface (the data plane's `Gateway`).
        case gateway
    }

    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port` or `[v6]:port`.
        public init?(_ text: String) {
            let host: Substring, port: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
            self.host = String(host)
            self.port = number
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public enum Link: Sendable, Equatable {
        /// New IP packets as UDP payloads between two sockets.
        case udp(local: Endpoint, peer: Endpoint)
        /// Ethernet frames on a Linux interface (AF_PACKET), to `peer` or broadcast; the device
        /// lives in network namespace `namespace` (`ip netns` name), or in the node's own.
        case ethernet(device: String, peer: EthernetAddress?, namespace: String? = nil)
        /// A gateway's IP side: a Linux TUN device the node creates (in `namespace`, or its own),
        /// brings up with the interface's address, and routes `routes` into; IPv4 and IPv6
        /// packets cross it without a link header.
        case tun(device: String, namespace: String? = nil, routes: [RoutePrefix] = [], mtu: Int = 1500)

        public var isTun: Bool {
            if case .tun = self { return true }
            return false
        }
    }

    /// An interface's egress queue: the same specification as a topology link's.
    public typealias Queue = QueueSpec

    public struct Interface: Sendable, Equatable {
        public var name: String
        public var address: FrameworkAddress?
        public var link: Link
        /// Propagation delay of the link, charged to delay clauses on departure.
        public var delay: Nanoseconds
        public var queue: Queue
        /// The link's rate (`nil`: as fast as the socket), spent by the node when `emulateLink`.
        public var rate: BitRate?
        /// The link's loss probability, applied by the node when `emulateLink`.
        public var loss: Double
        /// The node itself spends the link's rate (serialisation), delay (propagation) and loss
        /// on what it sends (UDP links only; docs/node.md): the emulator's link, on loopback.
        public var emulateLink: Bool

        public init(name: String, address: FrameworkAddress?, link: Link, delay: Nanoseconds = 0, queue: Queue = Queue(),
                    rate: BitRate? = nil, loss: Double = 0, emulateLink: Bool = false) {
            self.name = name
            self.address = address
            self.link = link
            self.delay = delay
            self.queue = queue
            self.rate = rate
            self.loss = loss
            self.emulateLink = emulateLink
        }
    }

    public struct StaticRoute: Sendable, Equatable {
        public var prefix: RoutePrefix
        public var interface: String
        public var toDelay: Nanoseconds
        public var toHops: Int

        public init(prefix: RoutePrefix, interface: String, toDelay: Nanoseconds = 0, toHops: Int = 1) {
            self.prefix = prefix
            self.interface = interface
            self.toDelay = toDelay
            self.toHops = toHops
        }
    }

    public var name: String
    public var role: Role
    public var dialect: PacketDialect
    /// Node-wide addresses besides the interfaces' own (all delivered locally).
    public var addresses: [FrameworkAddress]
    public var interfaces: [Interface]
    public var routes: [StaticRoute]
    /// HTTP control and metrics endpoint (keep it on loopback).
    public var control: Endpoint
    /// The application port: the host socket API and `nip send/listen/ping` talk to the node here.
    public var app: Endpoint?
    public var pingHops: PingHopPolicy
    /// At most one log line per interval for each kind of repeated problem.
    public var logInterval: Nanoseconds
    public var logLevel: String
    /// Datagrams per `recvmmsg` call and reads per wake-up.
    public var readBatch: Int
    /// A gateway's names for hosts on the other side (`map`, `ipv6-prefix`).
    public var mapping: GatewayMapping?
    /// Source authentication: a first hop's checks, or a host's enrolment (`security:`).
    public var security: Security? = nil
    /// A domain border's policy (`border:`).
    public var border: Border? = nil
    /// Routes for packets carrying a sender's path constraint (`path-routes:`).
    public var pathRoutes: [PathRoutes] = []
    /// Neighbour discovery and address autoconfiguration (`neighbours:`); `nil`: none.
    public var neighbours: Neighbours? = nil
    /// The routing protocol on the node's interfaces (`routing:`); `nil`: static routes only.
    public var routing: Routing? = nil
    /// The file holding the bearer token (mode 0600) that the control endpoint (every request
    /// but `GET /metrics`) and the application port require (`auth-token:`); `nil`: none required.
    public var authToken: String? = nil
    /// A host whose applications may send from any source address (`spoofer: true`): the
    /// attacker of an experiment, as a topology domain's `spoofers` are. Off, the application
    /// port refuses a packet whose source is not the node's own (`foreign-source`).
    public var spoofer = false

    public init(name: String, role: Role = .router, dialect: PacketDialect = .compact, addresses: [FrameworkAddress] = [],
                interfaces: [Interface], routes: [StaticRoute] = [], control: Endpoint, app: Endpoint? = nil,
                pingHops: PingHopPolicy = .counting(limit: 64), logInterval: Nanoseconds = 10_000_000_000,
                logLevel: String = "info", readBatch: Int = 64, mapping: GatewayMapping? = nil) {
        self.name = name
        self.role = role
        self.dialect = dialect
        self.addresses = addresses
        self.interfaces = interfaces
        self.routes = routes
        self.control = control
        self.app = app
        self.pingHops = pingHops
        self.logInterval = logInterval
        self.logLevel = logLevel
        self.readBatch = readBatch
        self.mapping = mapping
    }

    /// Every address this node owns: node-wide ones and the interfaces'.
    public var localAddresses: [FrameworkAddress] { addresses + interfaces.compactMap(\.address) }

    /// The bytes of each of a node's packet buffers, and the headroom kept in front of a
    /// packet for headers it gains: the difference is the largest packet, so a tun's largest MTU.
    public static let packetBufferBytes = 2048
    public static let packetHeadroom = 64
}
