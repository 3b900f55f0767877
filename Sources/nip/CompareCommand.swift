import ArgumentParser
import Foundation
import NewIPJSON
import NewIPRuntime
import NewIPTopology

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results folders flow by flow.",
        discussion: """
        Reads DIR_A/results.json and DIR_B/results.json (written by `nip emulate` or `nip run`) and prints, \
        per flow (matched by name), sent, delivered, on time, unaccounted, drops by reason and the p50/p99 \
        one-way latency of both, with the difference B − A. A is the reference: a count is past the tolerance \
        when |B − A| > --tolerance × A (any difference when A is 0); a latency when |B − A| exceeds \
        --latency-tolerance, a duration (2ms) or a share of A's value (10%). Exits 1 naming every flow and \
        field past its tolerance, and every flow found in one folder only.
        """)

    @Argument(help: "The reference results folder.")
    var first: String

    @Argument(help: "The results folder compared with it.")
    var second: String

    @Option(help: "Largest relative difference of a count, as a percentage of A's (10%).")
    var tolerance = "10%"

    @Option(help: "Largest difference of a latency: a duration (2ms) or a percentage of A's (10%).")
    var latencyTolerance = "2ms"

    @Flag(help: "Print a Markdown table instead of aligned text.")
    var markdown = false

    func run() throws {
        let countLimit = try Self.percentage(tolerance, option: "--tolerance")
        let latencyLimit: ResultsComparison.LatencyLimit
        if latencyTolerance.hasSuffix("%") {
            latencyLimit = .relative(try Self.percentage(latencyTolerance, option: "--latency-tolerance"))
        } else {
            do { latencyLimit = .absolute(try Units.duration(latencyTolerance)) } catch {
                throw ToolError("--latency-tolerance: \(error)")
            }
        }
        let comparison = ResultsComparison(try ResultsFile(folder: first), try ResultsFile(folder: second),
                                           countLimit: countLimit, latencyLimit: latencyLimit)
        print(markdown ? comparison.markdown : comparison.text, terminator: "")
        let problems = comparison.problems(tolerance: tolerance, latencyTolerance: latencyTolerance)
        guard problems.isEmpty else {
            throw ToolError("\(first) and \(second) differ past the tolerance:\n  " + problems.joined(separator: "\n  "))
        }
    }

    /// `10%` as 0.1.
    static func percentage(_ text: String, option: String) throws -> Double {
        guard text.hasSuffix("%"), let value = Double(text.dropLast()), value >= 0, value.isFinite else {
            throw ToolError("\(option): `\(text)` is not a percentage — write it like 10%")
        }
        return value / 100
    }
}

/// The per-flow figures of a results.json that `nip compare` compares.
struct ResultsFile {
    struct Flow {
        var name: String
        var path: String
        /// (field, value) in print order; latencies in ns.
        var counts: [(field: String, value: Int)]
        var latencies: [(field: String, value: Int?)]
    }

    let path: String
    let flows: [Flow]

    init(folder: String) throws {
        path = folder + "/results.json"
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ToolError("\(path): cannot read it (\(error.localizedDescription)); give a folder written by `nip emulate` or `nip run`")
        }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw ToolError("\(path): \(error); give a folder written by `nip emulate` or `nip run`")
        }
        do {
            self.flows = try Self.flows(root)
        } catch {
            throw ToolError("\(path): \(error); give a folder written by `nip emulate` or `nip run`")
        }
    }

    /// The flows of a results file; a missing or mistyped field names the flow and the field (`flows[2].sent`).
    private static func flows(_ root: JSONValue) throws(JSONValue.FieldError) -> [Flow] {
        var flows: [Flow] = []
        for (index, flow) in try root.array("flows").enumerated() {
            do throws(JSONValue.FieldError) {
                let name = try flow.string("name")
                var counts = try ["sent", "delivered", "on_time", "unaccounted"].map { field throws(JSONValue.FieldError) in
                    (field, try flow.int(field))
                }
                // A flow that dropped nothing may leave `drops` out.
                let drops = try flow.optionalField("drops") == nil ? [:] : try flow.intMembers("drops")
                counts += drops.keys.sorted().map { ("drops." + $0, drops[$0]!) }
                // No `latency_ns` when nothing was delivered.
                let latency = try flow.optionalField("latency_ns")
                let latencies = try ["p50", "p99"].map { field throws(JSONValue.FieldError) in
                    (field, try latency.map { value throws(JSONValue.FieldError) in
                        do throws(JSONValue.FieldError) { return try value.int(field) } catch { throw error.inside("latency_ns") }
                    })
                }
                let from = try flow.optionalString("from") ?? "?", to = try flow.optionalString("to") ?? "?"
                flows.append(Flow(name: name, path: "\(from)→\(to)", counts: counts, latencies: latencies))
            } catch { throw error.inside("flows[\(index)]") }
        }
        return flows
    }
}

/// Two results files side by side, flow by flow.
struct ResultsComparison {
    enum LatencyLimit {
        case absolute(Int64)
        case relative(Double)
    }

    struct Row {
        var flow: String
        var field: String
        var first: String
        var second: String
        var difference: String
        var past: Bool
    }

    var rows: [Row] = []
    /// Flows in one file only: (name, the file it is missing from).
    var unmatched: [(flow: String, missingFrom: String)] = []

    init(_ a: ResultsFile, _ b: ResultsFile, countLimit: Double, latencyLimit: LatencyLimit) {
        // By name, once: runs with tens of thousands of flows compare in linear time.
        let second = Dictionary(b.flows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let firstNames = Set(a.flows.map(\.name))
        for flow in a.flows {
            guard let other = second[flow.name] else {
                unmatched.append((flow.name, b.path))
                continue
            }
            let name = "\(flow.name) (\(flow.path))"
            // Drop reasons seen on either side; a reason missing on one side counts 0 there.
            var fields = flow.counts.map(\.field)
            fields += other.counts.map(\.field).filter { !fields.contains($0) }
            for field in fields {
                let x = flow.counts.first { $0.field == field }?.value ?? 0
                let y = other.counts.first { $0.field == field }?.value ?? 0
                let past = Double(abs(y - x)) > countLimit * Double(x) || (x == 0 && y != 0)
                rows.append(Row(flow: name, field: field, first: String(x), second: String(y),
                                difference: Self.signed(y - x) + (x == 0 ? "" : String(format: " (%+.1f %%)", Double(y - x) / Double(x) * 100)),
                                past: past))
            }
            for (field, x) in flow.latencies {
                let y = other.latencies.first { $0.field == field }?.value ?? nil
                guard let x, let y else {
                    rows.append(Row(flow: name, field: field + " ms", first: Self.milliseconds(x), second: Self.milliseconds(y),
                                    difference: "-", past: (x == nil) != (y == nil)))
                    continue
                }
                let past = switch latencyLimit {
                case .absolute(let limit): Int64(abs(y - x)) > limit
                case .relative(let share): Double(abs(y - x)) > share * Double(x)
                }
                rows.append(Row(flow: name, field: field + " ms", first: Self.milliseconds(x), second: Self.milliseconds(y),
                                difference: (y >= x ? "+" : "-") + Self.milliseconds(abs(y - x)), past: past))
            }
        }
        for flow in b.flows where !firstNames.contains(flow.name) {
            unmatched.append((flow.name, a.path))
        }
    }

    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : String(value) }

    /// Nanoseconds as milliseconds with µs precision.
    static func milliseconds(_ value: Int?) -> String {
        guard let value else { return "-" }
        return String(format: "%.3f", Double(value) / 1e6)
    }

    private var table: [[String]] {
        rows.map { [$0.flow, $0.field, $0.first, $0.second, $0.difference, $0.past ? "PAST" : "ok"] }
    }

    private static let header = ["flow", "field", "A", "B", "B − A", ""]

    var text: String {
        let widths = Self.header.indices.map { column in
            ([Self.header] + table).map { $0[column].count }.max() ?? 0
        }
        return ([Self.header] + table).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }.joined() + unmatched.map { "flow \($0.flow): missing from \($0.missingFrom)\n" }.joined()
    }

    var markdown: String {
        "| " + Self.header.dropLast().joined(separator: " | ") + " |\n"
            + "|" + String(repeating: "---|", count: Self.header.count - 1) + "\n"
            + rows.map { "| " + [$0.flow, $0.field, $0.first, $0.second, $0.difference].joined(separator: " | ") + " |\n" }.joined()
            + unmatched.map { "| \($0.flow) | missing from \($0.missingFrom) | | | |\n" }.joined()
    }

    /// One line per field past its tolerance and per unmatched flow.
    func problems(tolerance: String, latencyTolerance: String) -> [String] {
        rows.filter(\.past).map { row in
            let limit = row.field.hasSuffix(" ms") ? "--latency-tolerance \(latencyTolerance)" : "--tolerance \(tolerance)"
            return "flow \(row.flow), \(row.field): \(row.first) vs \(row.second), past \(limit)"
        } + unmatched.map { "flow \($0.flow): missing from \($0.missingFrom)" }
    }
}
