/// What each step of `nip emulate`'s setup costs, estimated before it runs, so one progress bar
/// can give each step its share and move evenly. Costs are CPU nanoseconds per item, from a
/// `perf record` profile of the 30,000-node scale-free scenario (29,700 routers, 300 hosts,
/// 299 flows each, 24 MB of YAML; BENCHMARKS.md, *Setup time*).
public enum SetupEstimate {
    /// Each step of reading the topology file, in order, from the file's size.
    public static func reading(fileBytes: Int) -> [(step: TopologyParser.Step, cost: Double)] {
        TopologyParser.Step.allCases.map { ($0, Double(fileBytes) * nanosecondsPerByte[$0]!) }
    }

    /// The routing and tracing of a file of `fileBytes`, guessed before its topology is built:
    /// the profiled scenario's cost per byte.
    public static func guessedRest(fileBytes: Int) -> Double { Double(fileBytes) * restNanosecondsPerByte }

    /// Routing: a shortest-path search over every node for each destination (every node, or
    /// with host-only routing every host), and a route to each destination in every node;
    /// nothing to compute for static or dynamic routing.
    public static func routing(_ topology: Topology) -> Double {
        let destinations = switch topology.routing {
        case .shortestDelay: topology.nodes.count
        case .shortestDelayToHosts: topology.nodes.count { $0.kind == .host }
        case .static, .dynamic: 0
        }
        let visits = Double(destinations) * Double(topology.nodes.count)
        return visits * (nanosecondsPerSearchedNode + nanosecondsPerRoute)
    }

    /// Following every flow's route through the tables (for the flows that can never arrive).
    public static func tracing(_ topology: Topology) -> Double { Double(topology.flows.count) * nanosecondsPerTracedFlow }

    /// Steps of `costs` laid out one after the other on a bar from `start` to 1, each with a
    /// share in proportion to its cost: each step's start and share.
    public static func layout(_ costs: [Double], from start: Double) -> [(start: Double, share: Double)] {
        let total = costs.reduce(0, +)
        // Nothing estimated: equal shares.
        let shares = costs.map { total > 0 ? (1 - start) * $0 / total : (1 - start) / Double(costs.count) }
        return shares.indices.map { (start + shares[..<$0].reduce(0, +), shares[$0]) }
    }

    // Profile shares (CPU seconds) over the profiled scenario's bytes, searched nodes
    // (300 × 30,000), routes (as many) and flows (89,700).
    private static let nanosecondsPerByte: [TopologyParser.Step: Double] = [.reading: 5, .parsing: 48, .building: 67, .checking: 18]
    private static let nanosecondsPerSearchedNode = 240.0
    private static let nanosecondsPerRoute = 167.0
    private static let nanosecondsPerTracedFlow = 7_100.0
    private static let restNanosecondsPerByte = 178.0
}
