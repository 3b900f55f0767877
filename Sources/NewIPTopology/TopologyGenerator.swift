import NewIPDataPlane
import NewIPRandom
import NewIPWire

/// Standard topologies for experiments: chain, star, fat-tree, Barabási–Albert scale-free
/// graphs and grids, with hosts at the edges (routers in a grid) and flows between them. Interfaces are
/// `eth0`, `eth1`, … in the order links are made. Addresses are hierarchical: each router owns
/// a block of compact values (its `prefix`) holding its interfaces' addresses, then those of the
/// hosts linked to it alone, so routing needs one route per router, not per interface. Write
/// them out with `TopologyWriter.yaml`.
public enum TopologyGenerator {
    /// What every generated link and flow looks like.
    public struct Options: Sendable {
        public var seed: UInt64 = 1
        public var duration: Nanoseconds = 1_000_000_000
        public var dialect: PacketDialect = .compact
        public var rate = BitRate(bitsPerSecond: 1_000_000_000)
        public var delay: Nanoseconds = 1_000_000
        public var queue = QueueSpec()
        public var flowRate: TrafficRate = .packetsPerSecond(1000)
        public var packetSize = 1000
        /// When every flow starts sending.
        public var flowStart: Nanoseconds = 0
        /// Flows each host sends in a scale-free topology, to the hosts 1, 2, … after it.
        public var flowsPerHost = 1
        public var routing: Topology.Routing = .shortestDelay

        public init() {}

        /// ns-3's grid scenario: 100 Mbps / 1 ms links, and flows of 1 Mbps of 512-byte UDP
        /// payloads — 244.140625 packets/s of 542 bytes on ns-3's wire — from 100 ms on.
        public static var grid: Options {
            var options = Options()
            options.rate = BitRate(bitsPerSecond: 100_000_000)
            options.flowRate = .packetsPerSecond(1_000_000 / (512 * 8))
            options.packetSize = 542
            options.flowStart = 100_000_000
            return options
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// h1 — r1 — … — rn — h2, one flow h1 → h2: n routers, n + 2 nodes, n + 1 links.
    public static func chain(routers: Int, options: Options = Options()) throws(Failure) -> Topology {
        try check(.chain, size: routers)
        var build = Builder(name: "chain-\(routers)", options: options)
        let first = build.node("h1", .host)
        let routerNodes = (1...routers).map { build.node("r\($0)", .router) }
        let last = build.node("h2", .host)
        for (a, b) in zip([first] + routerNodes, routerNodes + [last]) { build.link(a, b) }
        build.flow(from: first, to: last)
        return build.finished()
    }

    /// One router and n hosts around it; host i sends to host i + 1 (the last to the first).
    public static func star(hosts: Int, options: Options = Options()) throws(Failure) -> Topology {
        try check(.star, size: hosts)
        var build = Builder(name: "star-\(hosts)", options: options)
        let hub = build.node("hub", .router)
        let leaves = (1...hosts).map { build.node("h\($0)", .host) }
        for leaf in leaves { build.link(leaf, hub) }
        for (index, leaf) in leaves.enumerated() { build.flow(from: leaf, to: leaves[(index + 1) % hosts]) }
        return build.finished()
    }

    /// The k-ary fat tree (Al-Fares et al.): (k/2)² core switches, k pods of k/2
    /// aggregation and k/2 edge switches, k³/4 hosts; k³/4 · 3 links. Host i sends to host
    /// i + k³/8, in another pod.
    public static func fatTree(k: Int, options: Options = Options()) throws(Failure) -> Topology {
        try check(.fatTree, size: k)
        let half = k / 2
        var build = Builder(name: "fat-tree-\(k)", options: options)
        let cores = (0..<half * half).map { build.node("c\($0)", .router) }
        var hosts: [Int] = []
        for pod in 0..<k {
            let aggregation = (0..<half).map { build.node("a\(pod)-\($0)", .router) }
            let edges = (0..<half).map { build.node("e\(pod)-\($0)", .router) }
            for (index, switchNode) in aggregation.enumerated() {
                for core in 0..<half { build.link(switchNode, cores[index * half + core]) }
                for edge in edges { build.link(edge, switchNode) }
            }
            for (index, edge) in edges.enumerated() {
                for host in 0..<half {
                    let node = build.node("h\(pod)-\(index)-\(host)", .host)
                    build.link(node, edge)
                    hosts.append(node)
                }
            }
        }
        for (index, host) in hosts.enumerated() { build.flow(from: host, to: hosts[(index + hosts.count / 2) % hosts.count]) }
        return build.finished()
    }

    /// A Barabási–Albert graph of n routers: m + 1 routers fully meshed, then each new one
    /// links to m distinct routers picked with probability proportional to their degree
    /// (from a stream of the seed). `hosts` hosts hang off random routers; host i sends to
    /// host i + 1. Links: m(m + 1)/2 + (n − m − 1)·m between routers, plus one per host.
    public static func scaleFree(routers: Int, attachments m: Int = 2, hosts: Int = 2,
                                 options: Options = Options()) throws(Failure) -> Topology {
        try check(.scaleFree, size: routers, hosts: hosts, attachments: m, flowsPerHost: options.flowsPerHost)
        var random = RandomStream(seed: options.seed, name: "generator/scale-free")
        var build = Builder(name: "scale-free-\(routers)", options: options)
        let routerNodes = (0..<routers).map { build.node("r\($0)", .router) }
        // Each router appears once per link end: a uniform pick from it is degree-proportional.
        var ends: [Int] = []
        for a in 0...m {
            for b in (a + 1)..<(m + 1) {
                build.link(routerNodes[a], routerNodes[b])
                ends += [a, b]
            }
        }
        for new in (m + 1)..<routers {
            var targets: [Int] = []
            while targets.count < m {
                let pick = ends[random.nextInt(in: 0...(ends.count - 1))]
                if !targets.contains(pick) { targets.append(pick) }
            }
            for target in targets {
                build.link(routerNodes[new], routerNodes[target])
                ends += [new, target]
            }
        }
        let hostNodes = (1...hosts).map { build.node("h\($0)", .host) }
        for host in hostNodes { build.link(host, routerNodes[random.nextInt(in: 0...(routers - 1))]) }
        for (index, host) in hostNodes.enumerated() {
            for offset in 1...options.flowsPerHost { build.flow(from: host, to: hostNodes[(index + offset) % hosts]) }
        }
        return build.finished()
    }

    /// The side × side grid of routers of ns-3's grid scenario (`ns3-grid.cc`): router
    /// `r<row>-<column>` links to its right and lower neighbours, in row-major order, so
    /// interfaces are numbered as ns-3 numbers the devices; 2·side·(side − 1) links. `flows`
    /// flows between random pairs, each from a router's first interface to another's first
    /// interface, drawn as ns-3 draws them: two uniform router indices a and b, and b + 1
    /// (mod side²) when they are equal. The draws come from the seed's stream, not ns-3's
    /// MRG32k3a, so the pairs are the same rule but not the same pairs as ns-3's.
    public static func grid(side: Int, flows: Int, options: Options = Options.grid) throws(Failure) -> Topology {
        try check(.grid, size: side, flows: flows)
        var random = RandomStream(seed: options.seed, name: "generator/grid")
        var build = Builder(name: "grid-\(side)", options: options)
        let routers = (0..<side * side).map { build.node("r\($0 / side)-\($0 % side)", .router) }
        for index in routers.indices {
            if index % side + 1 < side { build.link(routers[index], routers[index + 1]) }
            if index / side + 1 < side { build.link(routers[index], routers[index + side]) }
        }
        for flow in 0..<flows {
            let a = random.nextInt(in: 0...(routers.count - 1))
            var b = random.nextInt(in: 0...(routers.count - 1))
            if a == b { b = (b + 1) % routers.count }
            // Pairs may repeat, so the index names the flow.
            build.flow(from: routers[a], to: routers[b], name: "f\(flow)")
        }
        return build.finished()
    }

    /// Whether the generator can make `shape` of `size` (the other values matter for scale-free
    /// graphs only), without building it.
    public static func check(_ shape: Shape, size: Int, hosts: Int = 2, attachments m: Int = 2, flowsPerHost: Int = 1,
                             flows: Int = 1) throws(Failure) {
        switch shape {
        case .chain:
            guard size >= 1 else { throw Failure(description: "a chain needs at least 1 router, not \(size)") }
        case .star:
            guard size >= 2 else { throw Failure(description: "a star needs at least 2 hosts, not \(size)") }
        case .fatTree:
            guard size >= 2, size % 2 == 0 else { throw Failure(description: "a fat tree needs an even k ≥ 2, not \(size)") }
        case .scaleFree:
            guard m >= 1, size > m else { throw Failure(description: "a scale-free graph needs m ≥ 1 and more than m routers") }
            guard hosts >= 2 else { throw Failure(description: "a scale-free topology needs at least 2 hosts, not \(hosts)") }
            guard flowsPerHost >= 1, flowsPerHost < hosts else {
                throw Failure(description: "flows per host must be between 1 and hosts − 1 (\(hosts - 1)), not \(flowsPerHost)")
            }
        case .grid:
            guard size >= 2 else { throw Failure(description: "a grid needs a side of at least 2, not \(size)") }
            guard flows >= 0 else { throw Failure(description: "a grid needs 0 or more flows, not \(flows)") }
        }
    }

    /// Adds nodes, numbered interfaces, links and flows to a topology; `finished` addresses them.
    private struct Builder {
        private(set) var topology: Topology
        let options: Options

        init(name: String, options: Options) {
            self.options = options
            topology = Topology(name: name, seed: options.seed, duration: options.duration, dialect: options.dialect,
                                routing: options.routing)
        }

        mutating func node(_ name: String, _ kind: Topology.NodeKind) -> Int {
            topology.nodes.append(Topology.Node(name: name, kind: kind, interfaces: []))
            return topology.nodes.count - 1
        }

        mutating func link(_ a: Int, _ b: Int) {
            topology.links.append(Topology.Link(endpoints: (interface(on: a), interface(on: b)), rate: options.rate,
                                                delay: options.delay, queue: options.queue))
        }

        mutating func flow(from source: Int, to destination: Int, name: String? = nil) {
            let name = name ?? "\(topology.nodes[source].name)-to-\(topology.nodes[destination].name)"
            topology.flows.append(Topology.Flow(name: name, source: Topology.InterfaceID(node: source, interface: 0),
                                                destination: Topology.InterfaceID(node: destination, interface: 0),
                                                pattern: .constant(options.flowRate), size: .fixed(options.packetSize),
                                                start: options.flowStart, stop: options.duration))
        }

        private mutating func interface(on node: Int) -> Topology.InterfaceID {
            let index = topology.nodes[node].interfaces.count
            topology.nodes[node].interfaces.append(Topology.Interface(name: "eth\(index)", address: .compact(.any)))
            return Topology.InterfaceID(node: node, interface: index)
        }

        /// The topology with hierarchical addresses. Every node but a host linked to one router
        /// alone owns a block of 2^k consecutive compact values (k: bits for the most slots a
        /// block needs) and a prefix matching exactly that block; slots go to the owner's
        /// interfaces, then to its hosts' in node order. Blocks are numbered in node order in
        /// the shortest encoding that holds them all, aligned so the block is a bit prefix of
        /// the encoded bytes (1-byte values up to 220, else the 3-, 5- or 7-byte forms).
        func finished() -> Topology {
            var topology = topology
            var peers = topology.nodes.map { Array(repeating: -1, count: $0.interfaces.count) }
            for link in topology.links {
                let (a, b) = link.endpoints
                peers[a.node][a.interface] = b.node
                peers[b.node][b.interface] = a.node
            }
            // A host's home: the one router all its links go to.
            let home = topology.nodes.indices.map { node -> Int? in
                guard topology.nodes[node].kind == .host, let first = peers[node].first, first >= 0,
                      topology.nodes[first].kind != .host, peers[node].allSatisfy({ $0 == first }) else { return nil }
                return first
            }
            var members: [[Int]] = topology.nodes.indices.map { home[$0] == nil ? [$0] : [] }
            for node in topology.nodes.indices { if let owner = home[node] { members[owner].append(node) } }
            let owners = topology.nodes.indices.filter { home[$0] == nil }
            let slots = owners.map { members[$0].reduce(0) { $0 + topology.nodes[$1].interfaces.count } }.max() ?? 1
            let bits = Int.bitWidth - (max(slots, 1) - 1).leadingZeroBitCount
            let first = Self.firstBlock(blocks: owners.count, bits: bits)
            for (block, owner) in owners.enumerated() {
                let base = (UInt64(block) + first) << bits
                let start = CompactAddress(value: base)!
                topology.nodes[owner].prefix = CompactAddressPrefix(start, length: 8 * start.encodedLength - bits)!
                var slot: UInt64 = 0
                for member in members[owner] {
                    for index in topology.nodes[member].interfaces.indices {
                        topology.nodes[member].interfaces[index].address = .compact(CompactAddress(value: base + slot)!)
                        slot += 1
                    }
                }
            }
            return topology
        }

        /// The first block number of the shortest encoding whose aligned blocks of 2^bits
        /// values hold `blocks` blocks.
        private static func firstBlock(blocks: Int, bits: Int) -> UInt64 {
            let size = UInt64(1) << bits
            // (smallest value, largest value) of the 1-, 3-, 5- and 7-byte forms.
            let forms: [(low: UInt64, high: UInt64)] = [(1, 220), (5120, 0xFFFF), (0x1_0000, 0xFFFF_FFFF), (0x1_0000_0000, 0xFFFF_FFFF_FFFF)]
            for form in forms {
                let first = (form.low + size - 1) / size
                if (first + UInt64(blocks)) * size - 1 <= form.high { return first }
            }
            preconditionFailure("\(blocks) blocks of \(size) addresses do not fit in 7-byte compact addresses")
        }
    }
}
