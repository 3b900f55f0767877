import NewIPDataPlane
import NewIPTopology

/// How a run's nodes are split among partitions that run side by side: connected regions of
/// about equal weight (1 + links + flows per node, within `tolerancePercent`) with few links
/// between them, never cutting a link whose delay is or becomes 0. The smallest delay of a cut
/// link is the lookahead: what one partition does before `t + lookahead` cannot depend on what
/// another does after `t`. Every packet on a cut link crosses at a window's barrier, so the
/// fewer cut links the less the partitions wait and copy.
struct Partitioning {
    /// Per node, the partition that runs it (partitions numbered by their lowest node).
    let owner: [Int]
    let count: Int
    /// Topology links whose ends are in different partitions.
    let cutLinks: [Int]
    /// The smallest delay a cut link ever has; `nil` when no link is cut.
    let lookahead: Nanoseconds?
    /// Why the run uses one partition though more threads were given (`nil` otherwise).
    let singleReason: String?
    /// How much heavier than the mean a partition may grow to cut fewer links.
    static let tolerancePercent = 3

    /// Up to `parts` partitions of `topology`'s nodes (no more than there are units).
    init(_ topology: Topology, parts: Int) {
        let nodes = topology.nodes.count
        singleReason = parts <= 1 ? nil : Self.sharedStateReason(topology)
        // Nodes joined by a zero-delay link are one unit: each follows its unit's lowest index.
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
        // Units numbered in the order of their lowest node.
        var unitOfRoot = Array(repeating: -1, count: nodes)
        var unit = Array(repeating: 0, count: nodes)
        var units = 0
        for node in 0..<nodes {
            let root = find(node)
            if unitOfRoot[root] < 0 { unitOfRoot[root] = units; units += 1 }
            unit[node] = unitOfRoot[root]
        }
        let parts = singleReason == nil ? max(1, min(parts, units)) : 1
        let part = parts > 1 ? Self.split(topology, unit: unit, units: units, parts: parts) : Array(repeating: 0, count: units)
        // Parts numbered by their lowest unit; one left empty (by heavy units) is dropped.
        var number = Array(repeating: -1, count: parts)
        var count = 0
        for owner in part where number[owner] < 0 {
            number[owner] = count
            count += 1
        }
        owner = unit.map { number[part[$0]] }
        self.count = max(count, 1)
        let owner = owner
        cutLinks = topology.links.indices.filter {
            owner[topology.links[$0].endpoints.0.node] != owner[topology.links[$0].endpoints.1.node]
        }
        lookahead = cutLinks.map { Self.smallestDelay(topology.links[$0]) }.min()
    }

    /// Per unit (`unit`: per node, its unit), its part of `parts`: regions grown from far-apart
    /// seeds and runs of consecutive units, each refined, whichever cuts fewer links (the
    /// regions at a tie).
    private static func split(_ topology: Topology, unit: [Int], units: Int, parts: Int) -> [Int] {
        var weight = Array(repeating: 0, count: units)
        for (node, spec) in topology.nodes.enumerated() { weight[unit[node]] += 1 + spec.interfaces.count }
        for flow in topology.flows {
            weight[unit[flow.source.node]] += 1
            weight[unit[flow.destination.node]] += 1
        }
        let graph = PartitionGraph(weight: weight, links: topology.links.map { (unit[$0.endpoints.0.node], unit[$0.endpoints.1.node]) })
        let limit = graph.weightLimit(parts: parts, tolerancePercent: tolerancePercent)
        let splits = [graph.grown(parts: parts), graph.consecutive(parts: parts)].map { graph.refined($0, parts: parts, limit: limit) }
        return splits.min { graph.cut($0) < graph.cut($1) }!
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
