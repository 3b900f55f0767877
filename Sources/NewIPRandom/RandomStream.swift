/// Seeded pseudo-random numbers: one independent stream per link and per flow.
///
/// A stream's seed is derived from the run's seed and the stream's name (not its position),
/// so adding a flow or a link never changes the numbers any other one draws. The generator
/// is xoshiro256** seeded through SplitMix64, as its authors recommend; both are fixed
/// algorithms, so a seed gives the same numbers on every machine and Swift version.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The stream called `name` in a run seeded with `seed`.
    public init(seed: UInt64, name: String) {
        var mixer = SplitMix64(seed: seed ^ Self.fnv1a(name))
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotate(state.3, 45)
        return result
    }

    /// Uniform in [0, 1), 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `true` with probability `p`; draws nothing when `p` is 0, so a lossless link keeps
    /// its stream untouched.
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && nextUnit() < p
    }

    /// Uniform in `range`, without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        guard span != 0 else { return Int(truncatingIfNeeded: next()) }
        var product = next().multipliedFullWidth(by: span)
        if product.low < span {
            let threshold = (0 &- span) % span
            while product.low < threshold { product = next().multipliedFullWidth(by: span) }
        }
        return range.lowerBound + Int(product.high)
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { x << k | x >> (64 - k) }

    /// FNV-1a: a fixed hash of the name (Swift's `Hasher` is reseeded every process).
    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
