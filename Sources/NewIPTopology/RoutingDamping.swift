import NewIPDataPlane

/// How `routing: dynamic` damps route changes driven by measured delay, as written in
/// `routing: {protocol: dynamic, hysteresis: 0s, smoothing: 0, max-delay-step: none, route-hold: 10s}`; each
/// `nil` keeps the protocol's default (docs/topology.md, *Dynamic routing*).
public struct RoutingDamping: Sendable, Hashable {
    /// How long a slightly better route must stay best before it replaces the one in use
    /// (`0s`: at once).
    public var hysteresis: Nanoseconds?
    /// RFC 9616's smoothing of the delay samples: the weight kept on the old value, per mille
    /// (`0`: every sample taken as it is).
    public var smoothingRetain: Int64?
    /// The largest change of a link's smoothed delay per sample (`.max`: unbounded).
    public var maxDelayStep: Nanoseconds?
    /// Flap damping: how long a route that moved to another neighbour stays there while it
    /// works (`0s`: off, the default).
    public var routeHold: Nanoseconds?

    public init(hysteresis: Nanoseconds? = nil, smoothingRetain: Int64? = nil, maxDelayStep: Nanoseconds? = nil,
                routeHold: Nanoseconds? = nil) {
        self.hysteresis = hysteresis
        self.smoothingRetain = smoothingRetain
        self.maxDelayStep = maxDelayStep
        self.routeHold = routeHold
    }

    /// No setting written: the protocol's defaults.
    public var isDefault: Bool { self == RoutingDamping() }
}
