import NewIPDataPlane
import NewIPTopology

/// The scheduled faults from the topology file (links' `faults: {down: …}` periods, nodes'
/// `faults: {crash: …}` periods), in time order, and when each link was down and each node
/// crashed. A link's `delay` schedule is no event: each direction takes its next delay when it
/// next finishes a packet (`EmulatedLink`).
struct FaultSchedules {
    enum Change {
        case down(link: Int)
        case up(link: Int)
        case crash(node: Int)
        case restart(node: Int)

        /// The node whose handler applies the change, in its partition: a link's first end for
        /// a link's change (a down period acts on the receiving halves themselves; only
        /// routing, which runs in one partition, hears of it).
        func node(in topology: Topology) -> Int {
            switch self {
            case .down(let link), .up(let link): topology.links[link].endpoints.0.node
            case .crash(let node), .restart(let node): node
            }
        }
    }

    /// Every change with its time, sorted by time (links before nodes, file order at a tie).
    let changes: [(at: Nanoseconds, change: Change)]
    /// Per topology link, its down periods.
    private let down: [[Range<Nanoseconds>]]
    let hasDownPeriods: Bool
    /// Per node, its crash periods.
    private let crashes: [[Range<Nanoseconds>]]
    let hasCrashes: Bool

    init(_ topology: Topology) {
        var changes: [(at: Nanoseconds, change: Change)] = []
        for (index, link) in topology.links.enumerated() {
            for period in link.faults.down { changes += [(period.lowerBound, .down(link: index)), (period.upperBound, .up(link: index))] }
        }
        for (index, node) in topology.nodes.enumerated() {
            for period in node.crashes { changes += [(period.lowerBound, .crash(node: index)), (period.upperBound, .restart(node: index))] }
        }
        self.changes = changes.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        down = topology.links.map(\.faults.down)
        hasDownPeriods = down.contains { !$0.isEmpty }
        crashes = topology.nodes.map(\.crashes)
        hasCrashes = crashes.contains { !$0.isEmpty }
    }

    /// Whether topology link `link` was down at any moment of `span`: a packet on the wire
    /// then is lost.
    func wasDown(_ link: Int, during span: ClosedRange<Nanoseconds>) -> Bool {
        down[link].contains { $0.lowerBound <= span.upperBound && span.lowerBound < $0.upperBound }
    }

    /// Whether `node` crashed at any moment of `span` (a packet it was serialising then is cut).
    func crashed(_ node: Int, during span: ClosedRange<Nanoseconds>) -> Bool {
        crashes[node].contains { $0.lowerBound <= span.upperBound && span.lowerBound < $0.upperBound }
    }
}
