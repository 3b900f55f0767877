import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// A contract an application puts on its packets: clauses routers execute.
public enum Contract: Hashable, Sendable {
    /// Latency-based forwarding: deliver no earlier than `min`, no later than `max` end to end
    /// (`max` 0: no upper bound). Milliseconds on the wire.
    case latencyBased(min: Nanoseconds, max: Nanoseconds)
    /// Max-delay forwarding: drop once the experienced delay exceeds `max`.
    case maxDelay(Nanoseconds)

    /// The clause packets carry.
    public var clause: ContractClause {
        switch self {
        case .latencyBased(let min, let max):
            .latencyBased(LatencyBasedContract(minDelay: WireTime.milliseconds(min), maxDelay: WireTime.milliseconds(max)))
        case .maxDelay(let max):
            .maxDelay(MaxDelayContract(maxAllowedDelay: WireTime.milliseconds(max)))
        }
    }

    /// `lbf:MIN-MAX` (`lbf:0-50ms`) or `mdf:MAX` (`mdf:20ms`); `nil` when the text is not one.
    public init?(_ text: String) {
        guard let contract = try? Contract(parsing: text) else { return nil }
        self = contract
    }

    /// `lbf:MIN-MAX` (`lbf:0-50ms`: a unit written once applies to both; MAX 0: no upper
    /// bound) or `mdf:MAX` (`mdf:20ms`). The error says what is wrong with the text.
    public init(parsing text: String) throws(ToolError) {
        let form = "write lbf:MIN-MAX (e.g. lbf:5-20ms) or mdf:MAX (e.g. mdf:20ms)"
        func duration(_ part: String, _ role: String) throws(ToolError) -> Nanoseconds {
            do { return try Units.duration(part) } catch {
                throw ToolError("contract `\(text)`: the \(role) `\(part)` is not a duration (\(error)); \(form)")
            }
        }
        if text.hasPrefix("lbf:") {
            let parts = text.dropFirst(4).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ToolError("contract `\(text)`: a latency-based contract needs a window MIN-MAX; \(form)")
            }
            var minText = parts[0]
            if minText.allSatisfy(\.isNumber), let unit = ["ms", "us", "ns", "s"].first(where: { parts[1].hasSuffix($0) }) {
                minText += unit
            }
            let min = try duration(minText, "minimum"), max = try duration(parts[1], "maximum")
            guard max == 0 || min <= max else {
                throw ToolError("contract `\(text)`: the window's minimum \(UnitText.duration(min)) is above its maximum \(UnitText.duration(max)); write the smaller bound first")
            }
            self = .latencyBased(min: min, max: max)
        } else if text.hasPrefix("mdf:") {
            self = .maxDelay(try duration(String(text.dropFirst(4)), "maximum"))
        } else {
            throw ToolError("contract `\(text)` is neither latency-based nor max-delay; \(form)")
        }
    }
}
