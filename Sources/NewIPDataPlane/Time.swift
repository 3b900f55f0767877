/// Time in the data plane: nanoseconds on the caller's clock, always passed in.
///
/// The cores never read a clock, so the emulator can drive them with virtual time and a
/// runtime with a monotonic clock; both only have to agree on nanoseconds. Durations and
/// instants share the type: an instant is a duration since the caller's epoch.
public typealias Nanoseconds = Int64

/// Conversions between `Nanoseconds` and the units contracts use on the wire.
///
/// The max-delay and latency-based clauses carry their delays as `UInt16` milliseconds, as
/// the Network 2030 implementation does (0…65 535 ms); the ping clause carries a `UInt64`
/// timestamp in microseconds. Routers compute in nanoseconds and convert only at the
/// boundary, so rounding happens once per hop and nowhere else.
public enum WireTime {
    public static let nanosecondsPerMillisecond: Nanoseconds = 1_000_000
    public static let nanosecondsPerMicrosecond: Nanoseconds = 1_000

    /// A wire delay field in nanoseconds.
    @inlinable
    public static func nanoseconds(milliseconds: UInt16) -> Nanoseconds {
        Nanoseconds(milliseconds) * nanosecondsPerMillisecond
    }

    /// `nanoseconds` as a wire delay field: rounded to the nearest millisecond (half up), so
    /// the per-hop error is at most 0.5 ms and not always in the same direction, as
    /// truncation would be; clamped to 0…65 535 ms.
    @inlinable
    public static func milliseconds(_ nanoseconds: Nanoseconds) -> UInt16 {
        guard nanoseconds > 0 else { return 0 }
        let rounded = (nanoseconds + nanosecondsPerMillisecond / 2) / nanosecondsPerMillisecond
        return UInt16(clamping: rounded)
    }

    /// A time as a ping timestamp (microseconds, truncated; negative times clamp to 0).
    @inlinable
    public static func microseconds(_ nanoseconds: Nanoseconds) -> UInt64 {
        UInt64(clamping: nanoseconds / nanosecondsPerMicrosecond)
    }

    /// A ping timestamp in nanoseconds, clamped to what `Nanoseconds` holds.
    @inlinable
    public static func nanoseconds(microseconds: UInt64) -> Nanoseconds {
        let (product, overflow) = Nanoseconds(clamping: microseconds).multipliedReportingOverflow(by: nanosecondsPerMicrosecond)
        return overflow ? .max : product
    }
}

/// How long a link takes to put a packet on the wire.
public enum Serialisation {
    /// `bytes` at `bitsPerSecond`, rounded up to whole nanoseconds (a packet never finishes
    /// early), computed in 128 bits so no rate or size overflows.
    @inlinable
    public static func time(bytes: Int, bitsPerSecond: Int64) -> Nanoseconds {
        let (high, low) = (Int64(bytes) * 8).multipliedFullWidth(by: 1_000_000_000)
        let (quotient, remainder) = bitsPerSecond.dividingFullWidth((high, low))
        return remainder > 0 ? quotient + 1 : quotient
    }
}
