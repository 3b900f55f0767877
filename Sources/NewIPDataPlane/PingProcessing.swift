import NewIPWire

/// How routers treat the ping clause's `hops` field.
///
/// The framework header has no TTL, so the ping clause's hop field is the only loop guard a
/// framework packet can carry; both readings guard against loops.
public enum PingHopPolicy: Hashable, Sendable {
    /// `hops` counts routers passed: each one adds 1 and drops the packet once it would
    /// exceed `limit`.
    case counting(limit: UInt16)
    /// `hops` is what is left, as in the Network 2030 XDP router, which subtracts 1 per
    /// router: a router drops the packet that arrives with 0 (the reference wraps it to 65535).
    case remaining
}

/// The in-band ping clause (code, hops, timestamp in microseconds).
public enum PingProcessing {
    /// `hops` after a router forwards the packet, or `nil` when the hop limit is reached.
    @inlinable
    public static func forwarded(hops: UInt16, policy: PingHopPolicy) -> UInt16? {
        switch policy {
        case .counting(let limit): hops < limit ? hops + 1 : nil
        case .remaining: hops > 0 ? hops - 1 : nil
        }
    }

    /// A request sent at `now`, with the starting hop value (0 to count, the limit to count down).
    @inlinable
    public static func request(at now: Nanoseconds, hops: UInt16 = 0) -> PingContract {
        PingContract(code: PingContract.request, hops: hops, timestamp: WireTime.microseconds(now))
    }

    /// The reply a destination sends: the request's timestamp echoed, `hops` as given.
    @inlinable
    public static func reply(to request: PingContract, hops: UInt16 = 0) -> PingContract {
        PingContract(code: PingContract.reply, hops: hops, timestamp: request.timestamp)
    }

    /// Round-trip time of a reply received at `now` (the timestamp is the request's sending
    /// time on this clock).
    @inlinable
    public static func roundTripTime(of reply: PingContract, receivedAt now: Nanoseconds) -> Nanoseconds {
        now - WireTime.nanoseconds(microseconds: reply.timestamp)
    }
}
