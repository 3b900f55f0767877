/// Who to hand a packet to on an interface: opaque to the data plane, meaningful to the
/// device layer (a link-layer address, an emulator node number, a socket id).
public struct NeighbourID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
}

/// Where a forwarded packet leaves: an interface index and the neighbour on that interface.
public struct NextHop: Hashable, Sendable {
    public var interface: Int
    public var neighbour: NeighbourID

    @inlinable
    public init(interface: Int, neighbour: NeighbourID) {
        self.interface = interface
        self.neighbour = neighbour
    }

    /// The next hop of routes to this node's own addresses: deliver, don't forward.
    public static let local = NextHop(interface: -1, neighbour: NeighbourID(rawValue: 0))

    public var isLocal: Bool { interface < 0 }
}

/// A forwarding-table entry: the next hop, and what latency-based forwarding needs to know
/// about the rest of the path to the destination.
public struct Route: Hashable, Sendable {
    public var nextHop: NextHop
    /// Minimum delay from this router to the destination over the rest of the path (links
    /// and the routers after this one; queueing here excluded), LBF's `fib_todelay`.
    public var toDelay: Nanoseconds
    /// Number of queues from here to the destination, this router's included, LBF's
    /// `fib_tohops`: the remaining slack is shared among them. 0 is read as 1 (this is the
    /// only queue left), so a route without path knowledge gives the packet all its slack.
    public var toHops: Int

    @inlinable
    public init(nextHop: NextHop, toDelay: Nanoseconds = 0, toHops: Int = 1) {
        self.nextHop = nextHop
        self.toDelay = toDelay
        self.toHops = toHops
    }
}
