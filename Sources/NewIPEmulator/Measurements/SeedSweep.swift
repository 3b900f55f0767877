import NewIPJSON

/// What a multi-seed sweep (`nip emulate --seeds A..B`) measured: per flow and metric, the
/// mean over the seeds, the sample standard deviation and a 95 % confidence interval of the
/// mean (Student's t with n − 1 degrees of freedom). Pure arithmetic over the runs' flow
/// results; the same runs give the same bytes.
public struct SeedSweep: Sendable, Equatable {
    /// Mean, sample standard deviation (n − 1 in the denominator) and 95 % confidence
    /// interval of the mean of `n` samples; `sd` and the interval are `nil` below two
    /// samples, everything but `n` below one.
    public struct Estimate: Sendable, Equatable {
        public var n: Int
        public var mean: Double?
        public var sd: Double?
        public var low: Double?
        public var high: Double?

        public init(_ samples: [Double]) {
            n = samples.count
            guard n > 0 else { return }
            // Summed in the given order (the seeds' order), so the digits never vary.
            let mean = samples.reduce(0, +) / Double(n)
            self.mean = mean
            guard n > 1 else { return }
            let squares = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            let sd = (squares / Double(n - 1)).squareRoot()
            self.sd = sd
            let half = SeedSweep.tQuantile(degreesOfFreedom: n - 1) * sd / Double(n).squareRoot()
            low = mean - half
            high = mean + half
        }
    }

    /// The two-sided 95 % quantile of Student's t (its 0.975 quantile) for 1…30 degrees of
    /// freedom, to four decimals; beyond 30 the normal's 1.96.
    public static let tTable: [Double] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ]

    public static func tQuantile(degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom >= 1, "t needs at least one degree of freedom")
        return degreesOfFreedom <= tTable.count ? tTable[degreesOfFreedom - 1] : 1.96
    }

    /// The metrics summarised, in the order they are written.
    public enum Metric: String, CaseIterable, Sendable {
        /// Delivered packets over sent ones (runs that sent nothing are left out).
        case deliveredShare = "delivered_share"
        /// On-time packets over sent ones (flows with a window only).
        case onTimeShare = "on_time_share"
        /// Packets delivered by the window's max over sent ones (flows with a window only).
        case byDeadlineShare = "by_deadline_share"
        /// Median and 99th percentile one-way delay of delivered packets, ns (runs that
        /// delivered nothing are left out).
        case latencyP50 = "latency_p50_ns"
        case latencyP99 = "latency_p99_ns"

        /// The name in printed tables.
        public var label: String {
            switch self {
            case .deliveredShare: "delivered"
            case .onTimeShare: "on time"
            case .byDeadlineShare: "by deadline"
            case .latencyP50: "p50"
            case .latencyP99: "p99"
            }
        }

        var isShare: Bool { self == .deliveredShare || self == .onTimeShare || self == .byDeadlineShare }

        /// The metric's value in one run of `flow`, if it has one.
        func value(_ flow: FlowResult) -> Double? {
            switch self {
            case .deliveredShare: flow.sent > 0 ? Double(flow.delivered) / Double(flow.sent) : nil
            case .onTimeShare: flow.window != nil && flow.sent > 0 ? Double(flow.onTime) / Double(flow.sent) : nil
            case .byDeadlineShare: flow.window != nil && flow.sent > 0 ? Double(flow.byDeadline) / Double(flow.sent) : nil
            case .latencyP50: flow.latency.map { Double($0.p50) }
            case .latencyP99: flow.latency.map { Double($0.p99) }
            }
        }
    }

    public struct Flow: Sendable, Equatable {
        public var name: String
        public var from: String
        public var to: String
        /// Runs that had the flow.
        public var n: Int
        /// One estimate per metric, in `Metric.allCases` order.
        public var estimates: [Estimate]

        public func estimate(_ metric: Metric) -> Estimate { estimates[Metric.allCases.firstIndex(of: metric)!] }
    }

    /// The topology's name.
    public var name: String
    /// The seeds run, in order.
    public var seeds: [UInt64]
    /// In the order of the first run's flows (then any only later runs had).
    public var flows: [Flow]

    /// The values each run needs to keep for the summary (not its CDFs or captures).
    public struct Run: Sendable {
        public var seed: UInt64
        var flows: [(name: String, from: String, to: String, values: [Double?])]

        public init(_ results: EmulationResults) {
            seed = results.seed
            flows = results.flows.map { flow in (flow.name, flow.from, flow.to, Metric.allCases.map { $0.value(flow) }) }
        }
    }

    public init(name: String, runs: [Run]) {
        self.name = name
        seeds = runs.map(\.seed)
        var order: [String] = []
        var found: [String: (from: String, to: String, n: Int, samples: [[Double]])] = [:]
        for run in runs {
            for flow in run.flows {
                if found[flow.name] == nil {
                    order.append(flow.name)
                    found[flow.name] = (flow.from, flow.to, 0, Array(repeating: [], count: Metric.allCases.count))
                }
                found[flow.name]!.n += 1
                for (index, value) in flow.values.enumerated() {
                    if let value { found[flow.name]!.samples[index].append(value) }
                }
            }
        }
        flows = order.map { name in
            let flow = found[name]!
            return Flow(name: name, from: flow.from, to: flow.to, n: flow.n, estimates: flow.samples.map(Estimate.init))
        }
    }

    /// Fixed decimals: shares to six, nanoseconds to three.
    static func text(_ value: Double?, _ metric: Metric) -> String? {
        value.map { DecimalText.fixed($0, digits: metric.isShare ? 6 : 3) }
    }

    /// `summary.json`: the name, seeds, confidence level, t table note and per flow its
    /// metrics' `n`, `mean`, `sd`, `ci95_low`, `ci95_high` (`null` where undefined).
    public var json: JSONValue {
        func number(_ value: Double?, _ metric: Metric) -> JSONValue {
            value.map { .decimal($0, digits: metric.isShare ? 6 : 3) } ?? .null
        }
        return .members([
            "name": .string(name),
            "seeds": .array(seeds.map { .unsigned($0) }),
            "confidence": .decimal(0.95, digits: 2),
            "interval": .string("mean ± t(0.975, n−1) · sd / √n; t from a table for n−1 = 1…30, 1.96 beyond"),
            "flows": .array(flows.map { flow in
                .members([
                    "name": .string(flow.name), "from": .string(flow.from), "to": .string(flow.to), "n": .int(flow.n),
                    "metrics": .members(Dictionary(uniqueKeysWithValues: Metric.allCases.map { metric in
                        let estimate = flow.estimate(metric)
                        return (metric.rawValue, JSONValue.members([
                            "n": .int(estimate.n), "mean": number(estimate.mean, metric), "sd": number(estimate.sd, metric),
                            "ci95_low": number(estimate.low, metric), "ci95_high": number(estimate.high, metric),
                        ]))
                    })),
                ])
            }),
        ])
    }

    /// `summary.csv`: one row per flow and metric (empty cells where undefined).
    public var csv: String {
        CSVText.table(header: ["flow", "from", "to", "metric", "n", "mean", "sd", "ci95_low", "ci95_high"],
                      rows: flows.flatMap { flow in
                          Metric.allCases.map { metric in
                              let estimate = flow.estimate(metric)
                              return [flow.name, flow.from, flow.to, metric.rawValue, String(estimate.n)]
                                  + [estimate.mean, estimate.sd, estimate.low, estimate.high].map { Self.text($0, metric) ?? "" }
                          }
                      })
    }

    /// Rows for a printed table: flow, metric, n, mean, sd, 95 % CI; shares in %, latencies in ms.
    public var tableRows: [[String]] {
        func shown(_ value: Double?, _ metric: Metric) -> String {
            guard let value else { return "-" }
            return metric.isShare ? DecimalText.fixed(value * 100, digits: 2) + " %" : DecimalText.fixed(value / 1e6, digits: 3) + " ms"
        }
        return flows.flatMap { flow in
            Metric.allCases.map { metric in
                let estimate = flow.estimate(metric)
                let interval = estimate.low.map { "[\(shown($0, metric)), \(shown(estimate.high, metric))]" } ?? "-"
                return [flow.name, metric.label, String(estimate.n), shown(estimate.mean, metric), shown(estimate.sd, metric), interval]
            }
        }
    }
}
