import NewIPDataPlane

/// What is wrong with a quantity, and how to write it instead.
public struct UnitProblem: Error, Sendable, CustomStringConvertible {
    public var problem: String
    public var fix: String

    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(problem) — \(fix)" }
}

/// Quantities with units, parsed exactly: `1.5ms` is 1 500 000 ns with no floating point,
/// so a topology means the same on every machine. Public for command-line options that take
/// the same units as topology files.
public enum Units {
    static let durationUnits: [(suffix: String, scale: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("min", 60_000_000_000),
    ]
    static let bitRateUnits: [(suffix: String, scale: Int64)] = [
        ("bps", 1), ("kbps", 1_000), ("Mbps", 1_000_000), ("Gbps", 1_000_000_000), ("Tbps", 1_000_000_000_000),
    ]
    static let packetRateUnits: [(suffix: String, scale: Int64)] = [("pps", 1), ("kpps", 1_000), ("Mpps", 1_000_000)]
    static let sizeUnits: [(suffix: String, scale: Int64)] = [("B", 1), ("kB", 1_000), ("KiB", 1_024)]

    /// `2s`, `500ms`, `1.5us`, `10ns`; a bare `0` is allowed. At most 2^61 ns (73 years),
    /// so sums of a few durations never overflow.
    public static func duration(_ text: String) throws(UnitProblem) -> Nanoseconds {
        if text == "0" { return 0 }
        let value = try quantity(text, units: durationUnits, what: "a duration", example: "500ms")
        guard value <= longestDuration else {
            throw UnitProblem(problem: "`\(text)` is longer than 73 years", fix: "use a shorter duration")
        }
        return value
    }

    public static let longestDuration: Nanoseconds = 1 << 61

    /// `100Mbps`, `1Gbps`, `64kbps` (decimal prefixes; case of the prefix does not matter).
    public static func bitRate(_ text: String) throws(UnitProblem) -> BitRate {
        let value = try quantity(text, units: bitRateUnits, what: "a bit rate", example: "100Mbps")
        guard value > 0 else { throw UnitProblem(problem: "rate `\(text)` is zero", fix: "give a positive rate such as 100Mbps") }
        return BitRate(bitsPerSecond: value)
    }

    /// A flow rate: packets (`1000pps`, `2.5kpps`) or bits (`10Mbps`) per second.
    public static func trafficRate(_ text: String) throws(UnitProblem) -> TrafficRate {
        try refuseExponent(text, example: "1000pps or 10Mbps")
        let lower = text.lowercased()
        if packetRateUnits.contains(where: { lower.hasSuffix($0.suffix.lowercased()) }) {
            let (number, suffix) = split(text)
            guard let scale = packetRateUnits.first(where: { $0.suffix.lowercased() == suffix.lowercased() })?.scale,
                  let value = Double(number), value > 0, value.isFinite else {
                throw UnitProblem(problem: "`\(text)` is not a packet rate",
                                  fix: "write a positive number and pps, kpps or Mpps, e.g. 1000pps")
            }
            return .packetsPerSecond(value * Double(scale))
        }
        do {
            return .bitsPerSecond(try bitRate(text).bitsPerSecond)
        } catch {
            throw UnitProblem(problem: "`\(text)` is neither a packet rate nor a bit rate",
                              fix: "write e.g. 1000pps or 10Mbps")
        }
    }

    /// Bytes: `1000`, `1500B`, `64kB` (1000), `4KiB` (1024).
    public static func bytes(_ text: String) throws(UnitProblem) -> Int {
        if let plain = Int(text), plain >= 0 { return plain }
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw UnitProblem(problem: "`\(text)` is too large (at most \(Int64.max) bytes)", fix: "use a smaller value")
        }
        return Int(try quantity(text, units: sizeUnits, what: "a size in bytes", example: "1500B"))
    }

    /// A decimal number and a unit from `units` (matched without case: nobody means
    /// millibits), exactly.
    private static func quantity(_ text: String, units: [(suffix: String, scale: Int64)],
                                 what: String, example: String) throws(UnitProblem) -> Int64 {
        try refuseExponent(text, example: example)
        let (number, suffix) = split(text)
        let names = units.map(\.suffix)
        guard let unit = units.first(where: { $0.suffix.lowercased() == suffix.lowercased() }) else {
            if number.isEmpty {
                throw UnitProblem(problem: "`\(text)` is not \(what)", fix: "write a number and a unit, e.g. \(example)")
            }
            if suffix.isEmpty {
                let unit = example.drop { $0.isNumber || $0 == "." }
                throw UnitProblem(problem: "`\(text)` has no unit", fix: "write \(number) with a unit, e.g. \(number)\(unit)")
            }
            throw UnitProblem(problem: "unknown unit `\(suffix)` in `\(text)`\(Suggestion.hint(for: suffix, in: names))",
                              fix: "use one of \(names.joined(separator: ", "))")
        }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        let largest = "at most \(Int64.max / unit.scale)\(unit.suffix)"
        if parts.count <= 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), Int64(parts[0]) == nil {
            throw UnitProblem(problem: "`\(text)` is too large (\(largest))", fix: "use a smaller value")
        }
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : parts[0]),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && $0.isNumber }) else {
            throw UnitProblem(problem: "`\(number)` in `\(text)` is not a decimal number", fix: "write e.g. \(example)")
        }
        var value = whole.multipliedReportingOverflow(by: unit.scale)
        let fraction = parts.count == 2 ? Array(parts[1]) : []
        for (index, digit) in fraction.enumerated() {
            guard let d = digit.wholeNumberValue, d != 0 else { continue }
            // d × scale / 10^(index+1) must be whole: the quantity has a finest step.
            let divisor = index < 18 ? (0...index).reduce(Int64(1)) { product, _ in product * 10 } : 0
            let scaled = Int64(d) * unit.scale
            guard divisor != 0, scaled % divisor == 0 else {
                throw UnitProblem(problem: "`\(text)` is finer than the smallest step (1 \(units[0].suffix))",
                                  fix: "round it to a whole number of \(units[0].suffix)")
            }
            let sum = value.partialValue.addingReportingOverflow(scaled / divisor)
            value = (sum.partialValue, value.overflow || sum.overflow)
        }
        guard !value.overflow else { throw UnitProblem(problem: "`\(text)` is too large (\(largest))", fix: "use a smaller value") }
        return value.partialValue
    }

    /// Refuses `1e30bps`: the parser is exact and reads digits only, so the `e` would
    /// otherwise be taken for the start of an unknown unit.
    private static func refuseExponent(_ text: String, example: String) throws(UnitProblem) {
        let (number, rest) = split(text)
        guard !number.isEmpty, rest.first == "e" || rest.first == "E",
              rest.dropFirst().drop(while: { $0 == "+" || $0 == "-" }).first?.isNumber == true else { return }
        throw UnitProblem(problem: "exponent notation is not accepted in `\(text)`",
                          fix: "write the digits out with a unit, e.g. \(example), or use a larger unit")
    }

    /// The numeric part and the unit after it.
    private static func split(_ text: String) -> (number: String, unit: String) {
        let trimmed = text.trimmingSpaces
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        return (String(number), String(trimmed.dropFirst(number.count)).trimmingSpaces)
    }
}

/// Durations, rates and sizes written back in the units the parser reads (largest exact unit).
package enum UnitText {
    package static func duration(_ value: Nanoseconds) -> String {
        exact(value, units: [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1)])
    }

    static func bitRate(_ rate: BitRate) -> String {
        exact(rate.bitsPerSecond,
              units: [("Tbps", 1_000_000_000_000), ("Gbps", 1_000_000_000), ("Mbps", 1_000_000), ("kbps", 1_000), ("bps", 1)])
    }

    static func trafficRate(_ rate: TrafficRate) -> String {
        switch rate {
        case .bitsPerSecond(let bits): bitRate(BitRate(bitsPerSecond: bits))
        case .packetsPerSecond(let packets):
            packets == packets.rounded() && abs(packets) < 1e15 ? "\(Int64(packets))pps" : "\(packets)pps"
        }
    }

    private static func exact(_ value: Int64, units: [(String, Int64)]) -> String {
        if value == 0 { return "0" }
        let (name, scale) = units.first { value % $0.1 == 0 } ?? units[units.count - 1]
        return "\(value / scale)\(name)"
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        // Sliced rather than reversed twice: reversing copied every value a file holds.
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return String(self[first...last])
    }
}
