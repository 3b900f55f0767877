import NewIPControl
import NewIPDataPlane
import NewIPJSON
import NewIPTopology

/// The classic delay-metric oscillation experiment: `routing: dynamic` on a topology where one
/// router has two paths to a destination and a load that one path cannot carry. The measured
/// delay includes the queue in front of the link, so the path in use grows longer and the other
/// one wins; the traffic moves, the queues swap, and an undamped metric flips the route back and
/// forth. Each variant sets the protocol's damping (`RoutingDamping`); a run counts the watched
/// route's next-hop changes while the load runs.
public struct RouteFlapStudy: Sendable {
    public struct Variant: Sendable {
        public var name: String
        public var damping: RoutingDamping

        public init(name: String, damping: RoutingDamping) {
            self.name = name
            self.damping = damping
        }
    }

    /// No damping, the hysteresis alone, RFC 9616's smoothing and bounded step alone, the
    /// protocol's defaults (both), and both with a 10 s route hold (flap damping).
    public static let variants = [
        Variant(name: "undamped", damping: RoutingDamping(hysteresis: 0, smoothingRetain: 0, maxDelayStep: .max)),
        Variant(name: "hysteresis 1 s", damping: RoutingDamping(hysteresis: nil, smoothingRetain: 0, maxDelayStep: .max)),
        Variant(name: "RFC 9616 smoothing", damping: RoutingDamping(hysteresis: 0, smoothingRetain: nil, maxDelayStep: nil)),
        Variant(name: "both (default)", damping: RoutingDamping()),
        Variant(name: "both + route hold 10 s", damping: RoutingDamping(routeHold: 10_000_000_000)),
    ]

    /// The watched route at one moment: its next hop's interface (`nil`: no route) and delay.
    public struct RouteState: Sendable, Equatable {
        public var time: Nanoseconds
        public var interface: Int?
        public var delay: Nanoseconds?
    }

    public struct Run: Sendable {
        public var variant: String
        public var seed: UInt64
        /// Next-hop changes of the watched route inside the window (a loss or a return counts too).
        public var flaps: Int
        public var flapsPerMinute: Double
        /// The watched route's changes over the whole run.
        public var route: [RouteState]
        public var sent: Int
        public var delivered: Int
        public var dropped: Int
        /// Median one-way delay of the delivered packets.
        public var p50: Nanoseconds?
    }

    public let topology: Topology
    /// The router whose route is watched, and the destination's prefix.
    public let node: Int
    public let prefix: RoutePrefix
    /// When the load runs: flaps are counted from its start to the end of the run.
    public let window: Range<Nanoseconds>

    /// Watches `router`'s route to the first flow's destination, from the flow's start on.
    public init(topology: Topology, router: String) throws(StudyError) {
        guard topology.routing == .dynamic else { throw StudyError("the topology's routing is `\(topology.routing.rawValue)`: write `routing: dynamic`") }
        guard let node = topology.nodes.firstIndex(where: { $0.name == router }) else {
            throw StudyError("the topology has no node `\(router)`: name one of \(topology.nodes.map(\.name).joined(separator: ", "))")
        }
        guard let flow = topology.flows.first else { throw StudyError("the topology has no flow: add the load whose destination the route leads to") }
        self.topology = topology
        self.node = node
        prefix = RoutePrefix(exactly: topology.interface(flow.destination).address)
        window = flow.start..<topology.duration
    }

    /// One emulation of `variant` with `seed`.
    public func run(_ variant: Variant, seed: UInt64) throws -> Run {
        var topology = topology
        topology.seed = seed
        topology.routingDamping = variant.damping
        let results = try Emulation(topology: topology).run()
        let route = results.routing!.events.filter { $0.node == node && $0.prefix == prefix }
            .map { RouteState(time: $0.time, interface: $0.new?.nextHop.interface, delay: $0.new?.toDelay) }
        let flaps = Self.flaps(route, in: window)
        let flow = results.flows[0]
        return Run(variant: variant.name, seed: seed, flaps: flaps,
                   flapsPerMinute: Double(flaps) * 60e9 / Double(window.upperBound - window.lowerBound),
                   route: route, sent: flow.sent, delivered: flow.delivered, dropped: flow.drops.map(\.count).reduce(0, +),
                   p50: flow.latency?.p50)
    }

    /// Changes of next hop (to another one, or to none and back) inside `window`; changes of
    /// the delay alone are not flaps.
    static func flaps(_ route: [RouteState], in window: Range<Nanoseconds>) -> Int {
        var previous: Int?? = .none
        var count = 0
        for state in route {
            if let before = previous, before != state.interface, window.contains(state.time) { count += 1 }
            previous = .some(state.interface)
        }
        return count
    }

    /// Every run, and per variant the mean, least and most flaps per minute over the seeds.
    public func json(_ runs: [Run]) -> JSONValue {
        let names = runs.map(\.variant).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func number(_ value: Double) -> JSONValue { .decimal(value, digits: 2) }
        return .object([
            ("topology", .string(topology.name)),
            ("router", .string(topology.nodes[node].name)),
            ("prefix", .string(prefix.description)),
            ("window_ns", .array([.int(Int(window.lowerBound)), .int(Int(window.upperBound))])),
            ("variants", .array(names.map { name in
                let mine = runs.filter { $0.variant == name }
                let rates = mine.map(\.flapsPerMinute)
                // The settings in force: the variant's, or the protocol's defaults.
                let damping = Self.variants.first { $0.name == name }?.damping ?? RoutingDamping()
                let defaults = DelayVectorRouting.Configuration(routerID: 0, interfaces: [], prefixes: [])
                let step = damping.maxDelayStep ?? defaults.maxDelayStep
                return .object([
                    ("name", .string(name)),
                    ("hysteresis_ns", .int(Int(damping.hysteresis ?? defaults.settleTime))),
                    ("smoothing_retain_per_mille", .int(Int(damping.smoothingRetain ?? defaults.smoothingRetain))),
                    ("max_delay_step_ns", step == .max ? .string("none") : .int(Int(step))),
                    ("route_hold_ns", .int(Int(damping.routeHold ?? defaults.switchHoldTime))),
                    ("flaps_per_minute", .object([("mean", number(rates.reduce(0, +) / Double(max(rates.count, 1)))),
                                                  ("min", number(rates.min() ?? 0)), ("max", number(rates.max() ?? 0))])),
                    ("runs", .array(mine.map { run in
                        .object([("seed", .unsigned(run.seed)), ("flaps", .int(run.flaps)), ("flaps_per_minute", number(run.flapsPerMinute)),
                                 ("sent", .int(run.sent)), ("delivered", .int(run.delivered)), ("dropped", .int(run.dropped)),
                                 ("p50_ns", run.p50.map { .int(Int($0)) } ?? .null)])
                    })),
                ])
            })),
        ])
    }

    /// The watched route's delay over `span`, one step line per run given (e.g. one seed of
    /// each variant); a gap where there is no route.
    public func svg(_ runs: [Run], span: Range<Nanoseconds>) -> String {
        RouteDelayPlot(title: "\(topology.nodes[node].name)'s route to \(prefix): delay in use (\(topology.name))",
                       series: runs.map { (name: $0.variant, details: ["seed \($0.seed): \(DecimalText.fixed($0.flapsPerMinute, digits: 1)) flaps/min"], route: $0.route) },
                       span: span).svg
    }
}

/// A study that cannot run, with what to change.
public struct StudyError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
