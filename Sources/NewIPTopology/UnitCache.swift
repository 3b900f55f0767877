import NewIPDataPlane

/// `Units`' parsers remembering the answer for each text: a large topology repeats a few
/// rates, sizes and durations (`10pps`, `100ms`) across a million flows. Each reader has its
/// own, so it is never shared between threads.
final class UnitCache {
    /// Enough for every distinct quantity a generated file writes; a file of all-different
    /// values stops adding here rather than growing without bound.
    private static let capacity = 4096
    private var durations: [String: Result<Nanoseconds, UnitProblem>] = [:]
    private var bitRates: [String: Result<BitRate, UnitProblem>] = [:]
    private var trafficRates: [String: Result<TrafficRate, UnitProblem>] = [:]
    private var sizes: [String: Result<Int, UnitProblem>] = [:]

    func duration(_ text: String) throws(UnitProblem) -> Nanoseconds { try remembered(text, in: &durations, Units.duration) }
    func bitRate(_ text: String) throws(UnitProblem) -> BitRate { try remembered(text, in: &bitRates, Units.bitRate) }
    func trafficRate(_ text: String) throws(UnitProblem) -> TrafficRate { try remembered(text, in: &trafficRates, Units.trafficRate) }
    func bytes(_ text: String) throws(UnitProblem) -> Int { try remembered(text, in: &sizes, Units.bytes) }

    private func remembered<T>(_ text: String, in answers: inout [String: Result<T, UnitProblem>],
                               _ parse: (String) throws(UnitProblem) -> T) throws(UnitProblem) -> T {
        if let known = answers[text] { return try known.get() }
        let answer = Result { () throws(UnitProblem) -> T in try parse(text) }
        if answers.count < Self.capacity { answers[text] = answer }
        return try answer.get()
    }
}
