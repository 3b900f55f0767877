import NewIPDataPlane

/// How big a piece of work is, estimated before it starts, so a command can refuse one
/// that would run for days or exhaust memory or disk (unless forced).
public struct WorkEstimate: Sendable, Equatable {
    /// Discrete events the emulator would process.
    public var events: Double = 0
    /// Bytes written to files.
    public var outputBytes: Double = 0
    /// Peak memory.
    public var memoryBytes: Double = 0

    public init(events: Double = 0, outputBytes: Double = 0, memoryBytes: Double = 0) {
        self.events = events
        self.outputBytes = outputBytes
        self.memoryBytes = memoryBytes
    }

    public static let eventLimit = 50e6
    public static let outputLimit = 2e9
    public static let memoryLimit = 16e9

    /// The limits this estimate exceeds, as one phrase (`about 6.0 G events (limit 50.0 M)`),
    /// or nil within all of them.
    public var excess: String? {
        var parts: [String] = []
        if events > Self.eventLimit { parts.append("about \(Self.count(events, "events")) (limit \(Self.count(Self.eventLimit)))") }
        if outputBytes > Self.outputLimit { parts.append("about \(Self.count(outputBytes, "B")) of output (limit \(Self.count(Self.outputLimit, "B")))") }
        if memoryBytes > Self.memoryLimit { parts.append("about \(Self.count(memoryBytes, "B")) of memory (limit \(Self.count(Self.memoryLimit, "B")))") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// `12.3 M events`, `4.0 GB`, `512 B`: a rough quantity with a decimal prefix and `unit`
    /// (a word after a space, a symbol joined to the prefix).
    public static func count(_ value: Double, _ unit: String = "") -> String {
        let prefixes: [(String, Double)] = [("E", 1e18), ("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)]
        let word = unit.count > 1 ? " \(unit)" : unit
        guard value < 1e21 else { return "more than 1000 E\(word)" }
        for (name, scale) in prefixes where value >= scale {
            let scaled = value / scale
            return (scaled >= 1000 ? "\(Int(scaled.rounded()))" : formatted(scaled)) + " \(name)\(word)"
        }
        return "\(Int(max(value, 0).rounded()))" + (unit.isEmpty ? "" : " \(unit)")
    }

    private static func formatted(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }
}

// Bytes per item, on the high side: what a node, interface, link or flow costs as YAML text
// and in memory, and a route in a table. Checked on debug builds: a generated star of 200 000
// hosts is 72.8 MB of YAML in 340 MB resident (estimated 76 MB and 440 MB); emulating a star
// of 1000 hosts (2 M routes) peaks at 384 MB resident (estimated 400 MB).
private let yamlBytesPerNode = 40.0, yamlBytesPerInterface = 50.0, yamlBytesPerLink = 110.0, yamlBytesPerFlow = 130.0
private let memoryBytesPerNode = 600.0, memoryBytesPerInterface = 120.0, memoryBytesPerLink = 200.0, memoryBytesPerFlow = 400.0
private let memoryBytesPerRoute = 200.0

extension TopologyGenerator {
    /// The standard shapes, by the names `nip topology generate` takes.
    public enum Shape: String, Sendable, CaseIterable {
        case chain, star, fatTree = "fat-tree", scaleFree = "scale-free", grid
    }

    /// Nodes, links and flows of a generated topology, from its shape alone (nothing is built).
    public static func counts(_ shape: Shape, size: Double, hosts: Double, attachments: Double, flowsPerHost: Double,
                              flows: Double = 0) -> (nodes: Double, links: Double, flows: Double) {
        switch shape {
        case .chain: (size + 2, size + 1, 1)
        case .star: (size + 1, size, size)
        case .fatTree: (size * size * 5 / 4 + size * size * size / 4, size * size * size * 3 / 4, size * size * size / 4)
        case .scaleFree: (size + hosts, attachments * size + hosts, hosts * flowsPerHost)
        case .grid: (size * size, 2 * size * (size - 1), flows)
        }
    }

    /// What generating and writing such a topology takes.
    public static func estimate(nodes: Double, links: Double, flows: Double) -> WorkEstimate {
        let interfaces = 2 * links
        let yaml = nodes * yamlBytesPerNode + interfaces * yamlBytesPerInterface + links * yamlBytesPerLink + flows * yamlBytesPerFlow
        let model = nodes * memoryBytesPerNode + interfaces * memoryBytesPerInterface + links * memoryBytesPerLink
            + flows * memoryBytesPerFlow
        // The text is built whole before it is written.
        return WorkEstimate(outputBytes: yaml, memoryBytes: model + 2 * yaml)
    }
}

extension WorkEstimate {
    /// The routing tables `Emulation` builds for `topology`: every forwarding node holds a
    /// route to every node's prefix or address (fewer with host-only routing). Checked before
    /// building them.
    public init(routing topology: Topology) {
        let nodes = Double(topology.nodes.count)
        // A node with a prefix takes one route for its compact addresses.
        func destinations(_ node: Topology.Node) -> Int {
            guard node.prefix != nil else { return node.interfaces.count }
            return 1 + node.interfaces.count { if case .compact = $0.address { false } else { true } }
        }
        let destinations = Double(topology.nodes.reduce(0) { total, node in
            topology.routing == .shortestDelayToHosts && node.kind != .host ? total : total + destinations(node)
        })
        self.init(memoryBytes: nodes * memoryBytesPerNode + nodes * destinations * memoryBytesPerRoute)
    }
}

/// A flow the routing cannot deliver: its packets stop at `end`.
public struct UndeliverableFlow: Sendable, Equatable, CustomStringConvertible {
    public var flow: String
    public var source: String
    public var destination: String
    /// The node where the route ends.
    public var end: String
    /// Why it ends there.
    public var reason: String

    public init(flow: String, source: String, destination: String, end: String, reason: String) {
        (self.flow, self.source, self.destination, self.end, self.reason) = (flow, source, destination, end, reason)
    }

    public var description: String {
        "flow `\(flow)` from \(source) to \(destination) can never be delivered: the route ends at \(end) (\(reason))"
    }
}
