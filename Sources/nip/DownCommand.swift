import ArgumentParser
import Foundation
import NewIPRuntime

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every node `nip up` started.",
        discussion: """
        Asks each node to stop (SIGTERM: graceful shutdown), waits for the processes to exit, kills any \
        still running after --grace seconds, and removes the state file. Exits 0 when nothing is left running. \
        Given the topology file `nip up` was given, stops it only if that is what runs from --state.
        """)

    @Argument(help: "The topology file `nip up` was given (optional: a check that it is the one running).")
    var topology: String?

    @Option(help: "The state folder of `nip up`.")
    var state = RunState.defaultDirectory

    @Option(help: "Seconds to wait before killing a node that does not stop.")
    var grace = 5.0

    static func realPath(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }

    func run() throws {
        let runState: RunState
        do { runState = try RunState.load(directory: state) } catch {
            print("down: nothing to stop (\(error))")
            return
        }
        if let topology, Self.realPath(topology) != Self.realPath(runState.topology) {
            throw ToolError("the topology running from \(state) is \(runState.topology), not \(topology); "
                            + "give its --state folder, or no file")
        }
        try Self.stop(runState, state: state, grace: grace)
    }

    /// Stops the nodes of `runState` (started from `state`), reporting those that did not stop
    /// at SIGTERM, and removes its namespaces and state file; throws if any still runs.
    static func stop(_ runState: RunState, state: String, grace: Double) throws {
        let endings = ProcessControl.stop(runState.nodes + (runState.registrars ?? []), grace: grace)
        let left = endings.filter { $0.ending == .stillRunning }
        for (node, ending) in endings where ending != .stopped {
            let why = ending == .killed ? "did not stop within \(grace) s of SIGTERM; killed with SIGKILL" : ending.rawValue
            print("down: \(node.name) (pid \(node.pid)) \(why); its log: \(node.log)")
        }
        guard left.isEmpty else {
            throw ToolError("still running after SIGKILL: \(left.map { "\($0.node.name) (pid \($0.node.pid))" }.joined(separator: ", "))")
        }
        ProcessControl.deleteNamespaces(runState.namespaces ?? [])
        try? FileManager.default.removeItem(atPath: RunState.path(in: state))
        let counts = [ProcessControl.Ending.stopped, .killed, .alreadyDead].compactMap { kind -> String? in
            let count = endings.filter { $0.ending == kind }.count
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }
        let registrars = runState.registrars.map { " and \($0.count) registrar\($0.count == 1 ? "" : "s")" } ?? ""
        print("down: \(runState.nodes.count) nodes\(registrars) of \(runState.topology): \(counts.joined(separator: ", "))")
    }
}
