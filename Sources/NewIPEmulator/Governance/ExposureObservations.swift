import NewIPWire

/// What each flow's packets showed each node they reached, as the emulator's packet
/// inspector read them off the wire on arrival (docs/topology.md, *Exposure report*): the
/// source addresses they carried, whether they carried a source authenticator and which
/// public key, and how many payload bytes were readable.
struct ExposureObservations {
    struct Seen {
        var source: FrameworkAddress?
        var authenticated: Bool
        /// The sender's public key, when the authenticator carries one.
        var key: [UInt8]?
        var payloadBytes: Int
    }

    /// One flow at one node.
    struct Record {
        var packets = 0
        var sources: Set<FrameworkAddress> = []
        var authenticated = 0
        var keys: Set<[UInt8]> = []
        var payloadBytes = 0
        /// The interfaces the packets arrived on.
        var interfaces: Set<Int> = []
        /// When the node first saw the flow (the path's order).
        var order = 0
        /// Packets the node refused, by reason.
        var refused: [String: Int] = [:]
    }

    /// [flow][node]
    private(set) var records: [[Record?]]
    private var arrivals = 0

    init(flows: Int, nodes: Int) {
        records = Array(repeating: Array(repeating: nil, count: nodes), count: flows)
    }

    /// Node `node` dropped one of `flow`'s packets that it had seen arrive.
    mutating func refused(flow: Int, node: Int, reason: String) {
        records[flow][node]?.refused[reason, default: 0] += 1
    }

    mutating func record(_ seen: Seen, flow: Int, node: Int, interface: Int) {
        var record = records[flow][node] ?? Record(order: arrivals)
        if records[flow][node] == nil { arrivals += 1 }
        record.packets += 1
        if let source = seen.source { record.sources.insert(source) }
        if seen.authenticated { record.authenticated += 1 }
        if let key = seen.key { record.keys.insert(key) }
        record.payloadBytes += seen.payloadBytes
        record.interfaces.insert(interface)
        records[flow][node] = record
    }
}
