/// A pcapng interface's timestamp unit (`if_tsresol`): 10^-exponent or
/// 2^-exponent seconds.
struct TimestampResolution: Hashable, Sendable {
    var binary: Bool
    var exponent: UInt8

    /// Microseconds: the unit when an interface has no `if_tsresol` option.
    static let microseconds = TimestampResolution(binary: false, exponent: 6)

    /// Decodes the option byte: the top bit selects base 2, the rest is the exponent.
    init(optionByte: UInt8) {
        self.init(binary: optionByte & 0x80 != 0, exponent: optionByte & 0x7F)
    }

    init(binary: Bool, exponent: UInt8) {
        self.binary = binary
        self.exponent = exponent
    }

    /// `units` of this resolution in nanoseconds, or `nil` if that overflows `Int64`.
    func nanoseconds(_ units: UInt64) -> Int64? {
        binary ? binaryNanoseconds(units) : decimalNanoseconds(units)
    }

    private func decimalNanoseconds(_ units: UInt64) -> Int64? {
        if exponent <= 9 {
            let (product, overflow) = units.multipliedReportingOverflow(by: Self.powerOfTen(9 - exponent))
            return overflow ? nil : Int64(exactly: product)
        }
        // 10^20 and above exceed UInt64, so every representable count is 0 ns.
        let divisorExponent = exponent - 9
        return divisorExponent > 19 ? 0 : Int64(exactly: units / Self.powerOfTen(divisorExponent))
    }

    /// units × 10^9 / 2^exponent, through a 128-bit product so no precision is lost.
    private func binaryNanoseconds(_ units: UInt64) -> Int64? {
        let (high, low) = units.multipliedFullWidth(by: 1_000_000_000)
        let shift = Int(exponent)
        let result: UInt64
        switch shift {
        case 0:
            guard high == 0 else { return nil }
            result = low
        case 1..<64:
            guard high >> shift == 0 else { return nil }
            result = low >> shift | high << (64 - shift)
        default:
            result = high >> (shift - 64)
        }
        return Int64(exactly: result)
    }

    private static func powerOfTen(_ exponent: UInt8) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value &*= 10 }
        return value
    }
}
