import NewIPControl
import NewIPDataPlane
import NewIPTopology

/// What the routing protocol did in a `routing: dynamic` run: every route change with its
/// virtual time, the routing packets and bytes on each link direction, each node's counters
/// and its forwarding table at the end.
public struct RoutingResult: Sendable {
    public var events: [RoutingEvent]
    /// Per link direction, in `EmulationResults.links` order.
    public var controlPackets: [Int]
    public var controlBytes: [Int]
    public var counters: [RoutingCounters]
    /// Each node's table when the run stopped.
    public var tables: [[(prefix: RoutePrefix, route: Route)]]
    /// Each node's link delays per interface when the run stopped, as latency-based forwarding
    /// charges them (measured where a neighbour was heard, the file's elsewhere).
    public var linkDelays: [[Nanoseconds]]
    private let nodeNames: [String]
    private let linkNames: [(from: String, to: String)]

    init(_ routing: DynamicRouting, _ simulator: Simulator) {
        events = routing.events
        controlPackets = routing.controlPackets
        controlBytes = routing.controlBytes
        counters = routing.statistics
        tables = simulator.behaviours.map { ($0 as? CoreNode)?.core.routes ?? [] }
        linkDelays = simulator.behaviours.map { ($0 as? CoreNode)?.core.router.linkDelays ?? [] }
        nodeNames = simulator.topology.nodes.map(\.name)
        linkNames = simulator.links.map { (simulator.topology.name(of: $0.from), simulator.topology.name(of: $0.to)) }
    }

    /// `routing-events.csv`: one row per change; a next hop is the neighbour's node name, `-`
    /// for none.
    var eventsCSV: String {
        func hop(_ route: Route?) -> [String] {
            guard let route else { return ["-", "", ""] }
            return [nodeNames[Int(route.nextHop.neighbour.rawValue)], String(route.toDelay), String(route.toHops)]
        }
        return CSVText.table(
            header: ["time_ns", "node", "prefix", "old_next_hop", "old_delay_ns", "old_hops", "new_next_hop", "new_delay_ns", "new_hops"],
            rows: events.map { [String($0.time), nodeNames[$0.node], $0.prefix.description] + hop($0.old) + hop($0.new) })
    }

    /// `routing-links.csv`: the routing packets and bytes each link direction carried.
    var linksCSV: String {
        CSVText.table(header: ["from", "to", "control_packets", "control_bytes"],
                      rows: linkNames.indices.map { [linkNames[$0].from, linkNames[$0].to, String(controlPackets[$0]), String(controlBytes[$0])] })
    }
}
