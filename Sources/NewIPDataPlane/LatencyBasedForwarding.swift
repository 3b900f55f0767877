import NewIPWire

/// Latency-based forwarding: the local queuing window of a packet with an end-to-end delay
/// window `[min, max]`, exactly as NEWIP.md states it:
///
///     lmin = max(0, min − (experienced + todelay)) / tohops
///     lmax = (max − (experienced + todelay)) / tohops
///
/// The packet may leave from arrival + lmin (no early delivery) until arrival + lmax. When
/// `max − (experienced + todelay)` is negative the packet cannot arrive in time and is
/// dropped early (the sign is tested before dividing, so integer division cannot round a
/// small negative slack to 0). Delays are milliseconds on the wire and nanoseconds here;
/// `todelay` and `tohops` come from the router's route, not from the packet.
public enum LatencyBasedForwarding {
    /// A local queuing window, relative to arrival.
    public struct Budget: Hashable, Sendable {
        /// lmin: hold the packet at least this long.
        public var earliest: Nanoseconds
        /// lmax: send it within this long; `.max` for no upper bound.
        public var latest: Nanoseconds

        public init(earliest: Nanoseconds, latest: Nanoseconds) {
            self.earliest = earliest
            self.latest = latest
        }
    }

    /// The window, or `nil` when the packet cannot make its deadline.
    ///
    /// `toHops` ≤ 0 counts as 1: with no queue after this one, this queue gets all the
    /// slack (the Network 2030 queue discipline drops such packets instead, which makes a
    /// last hop without path knowledge drop everything). `maxDelay` 0 means no upper bound,
    /// as in that discipline's best-effort case; `minDelay > maxDelay` cannot be met and
    /// yields `nil`.
    @inlinable
    public static func budget(minDelay: Nanoseconds, maxDelay: Nanoseconds?, experienced: Nanoseconds,
                              toDelay: Nanoseconds, toHops: Int) -> Budget? {
        let hops = Nanoseconds(Swift.max(1, toHops))
        let committed = experienced + toDelay
        let earliest = Swift.max(0, minDelay - committed) / hops
        guard let maxDelay else { return Budget(earliest: earliest, latest: .max) }
        let slack = maxDelay - committed
        guard slack >= 0, minDelay <= maxDelay else { return nil }
        return Budget(earliest: earliest, latest: slack / hops)
    }

    /// The window for a wire clause forwarded along `route`.
    @inlinable
    public static func budget(for contract: LatencyBasedContract, route: Route) -> Budget? {
        budget(minDelay: WireTime.nanoseconds(milliseconds: contract.minDelay),
               maxDelay: contract.maxDelay == 0 ? nil : WireTime.nanoseconds(milliseconds: contract.maxDelay),
               experienced: WireTime.nanoseconds(milliseconds: contract.experiencedDelay),
               toDelay: route.toDelay, toHops: route.toHops)
    }

    /// The window without early drop: the same bounds, but a packet that cannot make its
    /// deadline gets one that has already passed (a negative `latest`) instead of `nil`.
    @inlinable
    public static func budget(minDelay: Nanoseconds, maxDelay: Nanoseconds?, experienced: Nanoseconds,
                              toDelay: Nanoseconds, toHops: Int, earlyDrop: Bool) -> Budget? {
        if let budget = budget(minDelay: minDelay, maxDelay: maxDelay, experienced: experienced, toDelay: toDelay, toHops: toHops) {
            return budget
        }
        guard !earlyDrop, let maxDelay else { return nil }
        let hops = Nanoseconds(Swift.max(1, toHops))
        let committed = experienced + toDelay
        // Negative slack: round away from zero, so the deadline is strictly in the past.
        let slack = maxDelay - committed
        let latest = slack >= 0 ? -1 : -((-slack + hops - 1) / hops)
        return Budget(earliest: Swift.max(0, minDelay - committed) / hops, latest: latest)
    }

    /// `budget(for:route:)` without early drop when `earlyDrop` is `false`.
    @inlinable
    public static func budget(for contract: LatencyBasedContract, route: Route, earlyDrop: Bool) -> Budget? {
        budget(minDelay: WireTime.nanoseconds(milliseconds: contract.minDelay),
               maxDelay: contract.maxDelay == 0 ? nil : WireTime.nanoseconds(milliseconds: contract.maxDelay),
               experienced: WireTime.nanoseconds(milliseconds: contract.experiencedDelay),
               toDelay: route.toDelay, toHops: route.toHops, earlyDrop: earlyDrop)
    }

    /// The clause as it leaves: `experiencedDelay` plus the time here and the link delay.
    @inlinable
    public static func departing(_ contract: LatencyBasedContract, spentHere: Nanoseconds,
                                 linkDelay: Nanoseconds) -> LatencyBasedContract {
        var result = contract
        result.experiencedDelay = WireTime.milliseconds(
            WireTime.nanoseconds(milliseconds: contract.experiencedDelay) + spentHere + linkDelay)
        return result
    }
}

extension Nanoseconds {
    /// `self + other`, `.max` instead of overflowing (deadlines of "no upper bound").
    func saturatingAdd(_ other: Nanoseconds) -> Nanoseconds {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
