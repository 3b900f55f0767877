import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPJSON
import NewIPNode
import NewIPRuntime
import NewIPWire

/// Where a tool finds its node: `--node` (with `nip up`'s state) or `--control`.
struct NodeOptions: ParsableArguments {
    @Option(help: "A node of the topology started by `nip up`.")
    var node: String?

    @Option(help: "The node's control endpoint (host:port), for nodes not started by `nip up`.")
    var control: String?

    @Option(help: "The state folder of `nip up`.")
    var state = RunState.defaultDirectory

    @Option(help: "The file holding the node's token (its `auth-token`); default: the one `nip up` wrote, named in its state file.")
    var tokenFile: String?

    func target() throws -> NodeTarget {
        try NodeTarget.resolve(node: node, control: control, stateDirectory: state, tokenFile: tokenFile)
    }
}

/// An address as written (`0x02`), or a node of the running topology by name (`h2`, or
/// `h2:eth0` for one interface's address), as /etc/hosts and containerlab users expect.
func parseAddress(_ text: String, dialect: PacketDialect, stateDirectory: String) throws -> FrameworkAddress {
    if let address = dialect == .compact ? CompactAddress(text).map(FrameworkAddress.compact) : FrameworkAddress(text) {
        return address
    }
    guard let state = try? RunState.load(directory: stateDirectory) else {
        throw ToolError("`\(text)` is not a \(dialect == .compact ? "compact address (0x02)" : "framework address") "
                        + "and no topology runs from \(stateDirectory) to name nodes")
    }
    return try state.address(of: text)
}

func milliseconds(_ value: Nanoseconds) -> String { String(format: "%.3f", Double(value) / 1e6) }

struct PingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Ping a New IP address from a running node with the ping clause.",
        discussion: """
        Each request carries a ping clause (timestamp, hop count) and an unbounded LBF clause, so the \
        answer tells the round-trip time, the routers passed each way, and the delay routers charged on \
        the way out (experienced delay, ms) and per hop. Exits 1 when no answer came back.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Argument(help: "The destination address (0x02).")
    var destination: String

    @Option(name: .shortAndLong, help: "Requests to send.")
    var count = 3

    @Option(help: "Seconds between requests.")
    var interval = 0.2

    @Option(help: "Seconds to wait for answers after the last request.")
    var timeout = 2.0

    @Option(help: "A contract instead of the unbounded LBF clause: lbf:MIN-MAX or mdf:MAX (lbf:0-50ms).")
    var contract: String?

    mutating func validate() throws {
        guard count >= 1 && count <= 65535 else { throw ValidationError("--count must be 1…65535") }
        guard interval >= 0, timeout > 0 else { throw ValidationError("--interval and --timeout must be positive") }
        if let contract { _ = try Contract(parsing: contract) }
    }

    func run() throws {
        let target = try nodeOptions.target()
        let app = try target.requireApp()
        let (count, interval, timeout, destinationText, state) = (count, interval, timeout, destination, nodeOptions.state)
        let contract = contract.flatMap(Contract.init)
        let dropsBefore = firstHopDrops(target)
        let answers = try runBlocking { () -> [PingAnswer] in
            let pinger = try await Pinger.connect(node: app)
            let destination = try parseAddress(destinationText, dialect: pinger.dialect, stateDirectory: state)
            print("PING \(destination) from \(pinger.sourceAddress) (node \(target.name), \(pinger.dialect))")
            let probes = (1...count).map { (sequence: UInt16($0), ttl: PacketBuilder.defaultTTL) }
            let answers = try await pinger.run(destination: destination, probes: probes,
                                               interval: Nanoseconds(interval * 1e9), timeout: Nanoseconds(timeout * 1e9),
                                               contract: contract) { answer in
                print(Self.line(answer))
                fflush(nil)
            }
            await pinger.close()
            return answers
        }
        let replies = answers.filter { $0.type == ControlMessage.echoReply }
        let loss = 100.0 * Double(count - replies.count) / Double(count)
        var summary = "--- \(destination) ping: \(count) sent, \(replies.count) received, \(String(format: "%.0f", loss))% loss"
        if !replies.isEmpty {
            let rtts = replies.map(\.roundTrip)
            let average = rtts.reduce(0, +) / Nanoseconds(rtts.count)
            summary += ", rtt min/avg/max \(milliseconds(rtts.min()!))/\(milliseconds(average))/\(milliseconds(rtts.max()!)) ms"
        }
        print(summary)
        if answers.count < count, let before = dropsBefore, let after = firstHopDrops(target) {
            // Requests the first node refused (counted on its application port) get their reason.
            let refused = after.filter { $0.value > before[$0.key, default: 0] }.sorted { $0.key < $1.key }
            for (reason, total) in refused {
                let what = reason == DropReason.noRoute.label ? "no route to \(destination)" : reason.replacingOccurrences(of: "-", with: " ")
                print("\(what) at \(target.name): it dropped \(total - before[reason, default: 0]) of the requests (\(reason))")
            }
        }
        if replies.isEmpty { throw ExitCode(1) }
    }

    /// Packets the node dropped on its application port so far, by drop-reason label.
    func firstHopDrops(_ target: NodeTarget) -> [String: Int]? {
        try? ControlClient.request("GET", target.control, "/counters").read { counters throws(JSONValue.FieldError) in
            try counters.intMembers("interfaces", "app", "drops")
        }
    }

    static func line(_ answer: PingAnswer) -> String {
        let from = answer.responder?.description ?? "?"
        guard answer.type == ControlMessage.echoReply else {
            return "from \(from): seq=\(answer.sequence) hop limit exceeded after \(answer.forwardHops) hops"
        }
        var text = "reply from \(from): seq=\(answer.sequence) rtt=\(milliseconds(answer.roundTrip)) ms hops=\(answer.forwardHops)"
            + " (back \(answer.returnHops))"
        if let experienced = answer.forwardExperienced {
            text += " experienced=\(experienced) ms"
            if let perHop = answer.perHopExperienced { text += " (\(String(format: "%.2f", perHop)) ms/hop)" }
            if let back = answer.returnExperienced { text += " back=\(back) ms" }
        }
        return text
    }
}
