import NewIPDataPlane

/// A route's cost: the one-way delay to the destination (the sum of the links' smoothed
/// delays) and the number of links, which latency-based forwarding needs as `toHops`.
///
/// Routes compare by delay, then hops: the hop count strictly grows along a path even over a
/// link measured at 0 ns, so the order is strictly monotone, as RFC 8966's feasibility
/// condition requires of a metric.
public struct RoutingMetric: Hashable, Sendable, Comparable {
    public var delay: Nanoseconds
    public var hops: Int

    public init(delay: Nanoseconds, hops: Int) {
        self.delay = delay
        self.hops = hops
    }

    /// A prefix this router originates.
    public static let zero = RoutingMetric(delay: 0, hops: 0)
    /// Unreachable: what a retraction carries.
    public static let infinite = RoutingMetric(delay: Nanoseconds(maxWireDelay), hops: Int(maxWireHops))

    /// The largest finite values the wire carries; the all-ones values mean "unreachable".
    static let maxWireDelay = UInt32.max
    static let maxWireHops = UInt8.max

    public var isInfinite: Bool { delay >= Nanoseconds(Self.maxWireDelay) || hops >= Int(Self.maxWireHops) }

    /// This metric one link further (`link` its delay); infinite when it no longer fits the wire.
    public func adding(link: Nanoseconds) -> RoutingMetric {
        guard !isInfinite else { return .infinite }
        let sum = RoutingMetric(delay: delay + max(link, 0), hops: hops + 1)
        return sum.isInfinite ? .infinite : sum
    }

    public static func < (a: RoutingMetric, b: RoutingMetric) -> Bool { (a.delay, a.hops) < (b.delay, b.hops) }
}

extension RoutingMetric: CustomStringConvertible {
    public var description: String { isInfinite ? "infinite" : "\(delay) ns/\(hops) hops" }
}
