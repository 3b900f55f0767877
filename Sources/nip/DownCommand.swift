import ArgumentParser
import Foundation
import NewIPRuntime

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every node `nip up` started.",
        discussion: """
        Asks each node to stop (SIGTERM: graceful shutdown), waits for the processes to exit, kills any \
        still running after --grace seconds, and removes the state file. Exits 0 when nothing is left running.
        """)

    @Option(help: "The state folder of `nip up`.")
    var state = RunState.defaultDirectory

    @Option(help: "Seconds to wait before killing a node that does not stop.")
    var grace = 5.0

    func run() throws {
        let runState: RunState
        do { runState = try RunState.load(directory: state) } catch {
            print("down: nothing to stop (\(error))")
            return
        }
        let left = ProcessControl.stopAll(runState.nodes, grace: grace)
        if left.isEmpty {
            ProcessControl.deleteNamespaces(runState.namespaces ?? [])
            try? FileManager.default.removeItem(atPath: RunState.path(in: state))
            print("down: stopped \(runState.nodes.count) nodes of \(runState.topology)")
        } else {
            throw ToolError("still running after SIGKILL: \(left.map { "\($0.name) (pid \($0.pid))" }.joined(separator: ", "))")
        }
    }
}
