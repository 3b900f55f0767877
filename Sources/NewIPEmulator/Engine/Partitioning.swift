import NewIPDataPlane
import NewIPTopology

/// How a run's nodes are split among partitions that run side by side: balanced groups of
/// nodes in index order (weighed by their links and flows), never cutting a link whose delay is
/// or becomes 0. The smallest delay of a cut link is the lookahead: what one partition does
/// before `t + lookahead` cannot depend on what another does after `t`.
struct Partitioning {
    /// Per node, the partition that runs it.
    let owner: [Int]
    let count: Int
    /// Topology links whose ends are in different partitions.
    let cutLinks: [Int]
    /// The smallest delay a cut link ever has; `nil` when no link is cut.
    let lookahead: Nanoseconds?
    /// Why the run uses one partition though more threads were given (`nil` otherwise).
    let singleReason: String?

    /// Up to `parts` partitions of `topology`'s nodes.
    init(_ topology: Topology, parts: Int) {
        let nodes = topology.nodes.count
        singleReason = parts <= 1 ? nil : Self.sharedStateReason(topology)
        let parts = singleReason == nil ? max(1, min(parts, nodes)) : 1
        // Nodes joined by a zero-delay link stay together: each follows its group's lowest index.
        var root = Array(0..<nodes)
        func find(_ node: Int) -> Int {
            var node = node
            while root[node] != node { root[node] = root[root[node]]; node = root[node] }
            return node
        }
        for link in topology.links where Self.smallestDelay(link) == 0 {
            let (a, b) = (find(link.endpoints.0.node), find(link.endpoints.1.node))
            root[max(a, b)] = min(a, b)
        }
        var weight = topology.nodes.map { 1 + $0.interfaces.count }
        for flow in topology.flows {
            weight[flow.source.node] += 1
            weight[flow.destination.node] += 1
        }
        let total = weight.reduce(0, +)
        var group = Array(repeating: 0, count: nodes)
        var sum = 0
        for node in 0..<nodes {
            group[node] = min(parts - 1, sum * parts / max(total, 1))
            sum += weight[node]
        }
        // Groups left empty by the joined nodes are dropped, keeping the order.
        let used = Set((0..<nodes).map { group[find($0)] }).sorted()
        let number = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
        owner = (0..<nodes).map { number[group[find($0)]]! }
        count = max(used.count, 1)
        let owner = owner
        cutLinks = topology.links.indices.filter {
            owner[topology.links[$0].endpoints.0.node] != owner[topology.links[$0].endpoints.1.node]
        }
        lookahead = cutLinks.map { Self.smallestDelay(topology.links[$0]) }.min()
    }

    /// The smallest delay `link` has during the run (its `delay` schedule included).
    static func smallestDelay(_ link: Topology.Link) -> Nanoseconds {
        link.delayChanges.map(\.delay).reduce(link.delay, min)
    }

    /// Why `topology`'s run cannot be split: its drivers share state across nodes.
    private static func sharedStateReason(_ topology: Topology) -> String? {
        if !topology.domains.isEmpty { return "domains" }
        if topology.routing == .dynamic { return "routing: dynamic" }
        if topology.neighbours != nil { return "neighbours" }
        return nil
    }
}
