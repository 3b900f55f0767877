/// Which flows get a latency CDF plot (`cdf-FLOW.svg`) in a run's files: all of them, or
/// the first `count` in file order. A million flows' plots take longer to draw than the run
/// itself, and nobody opens them all; flows.csv and results.json still list every flow.
public enum FlowPlots: Sendable, Equatable {
    case all
    case first(Int)

    public static let none = FlowPlots.first(0)

    /// `all`, `none` or a count, as `nip emulate --flow-plots` takes it; nil for anything else.
    public init?(_ text: String) {
        switch text {
        case "all": self = .all
        case "none": self = .none
        default:
            guard let count = Int(text), count >= 0 else { return nil }
            self = .first(count)
        }
    }

    /// How many of `flows` flows are plotted.
    func count(of flows: Int) -> Int {
        switch self {
        case .all: flows
        case .first(let count): min(count, flows)
        }
    }
}
