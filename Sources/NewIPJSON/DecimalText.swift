/// Fixed-point text for fractional results: the same digits on every machine, never
/// exponent notation, so output files compare byte for byte.
public enum DecimalText {
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale: Double = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        var divisor: Int64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(scaled)" }
        let fraction = String(scaled % divisor)
        return "\(sign)\(scaled / divisor).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }
}
