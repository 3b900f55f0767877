import ArgumentParser
import Dispatch
import Foundation
import Logging
import MallocInterposerSwift
import NewIPRuntime
import NewIPTopology

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a New IP node (host, router or gateway) on real sockets.",
        discussion: """
        Reads the node's configuration (docs/node.md), opens its interfaces (UDP underlay or raw Ethernet), \
        its application port and its control endpoint, and forwards until SIGINT or SIGTERM, then closes \
        everything and exits 0. Logs go to standard error.
        """)

    @Option(help: "The node's configuration file (YAML, docs/node.md).")
    var config: String

    @Option(help: "Override the log level (trace, debug, info, notice, warning, error).")
    var logLevel: String?

    @Flag(help: "Check the configuration and exit.")
    var check = false

    @Flag(help: "Time routing probes on Ethernet links when the node reads them, not by the kernel's receive time (to compare the two).")
    var loopTimestamps = false

    @Flag(help: .hidden)
    var countAllocations = false

    func run() throws {
        var nodeConfig: NodeConfig
        do { nodeConfig = try NodeConfig.load(path: config) } catch { throw ToolError(error.description) }
        if let logLevel { nodeConfig.logLevel = logLevel }
        if check {
            print("\(config): ok (\(nodeConfig.interfaces.count) interfaces, \(nodeConfig.routes.count) routes)")
            return
        }
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let node = Node(config: nodeConfig, logger: Logger(label: "newip.node"))
        node.kernelReceiveTimestamps = !loopTimestamps
        if countAllocations {
            // Every heap allocation of the process from here on, for `nip bench-node`.
            MallocInterposerSwift.reset()
            MallocInterposerSwift.hook()
            node.statusExtras = {
                let statistics = MallocInterposerSwift.getStatistics()
                return ["mallocs": statistics.mallocCount, "malloc_bytes": statistics.mallocBytesCount]
            }
        }
        // SIGINT/SIGTERM arrive on a dispatch queue (libdispatch takes them from the default
        // disposition, hence SIG_IGN); the node stops on its own loop and `run` returns, exit 0.
        // The sources must live until the node has stopped: an optimised build may otherwise
        // release them right after creation, and the signals would then be ignored.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { node.stop() }
            source.resume()
            return source
        }
        try withExtendedLifetime(sources) {
            do { try node.start() } catch { throw ToolError("cannot start node \(nodeConfig.name): \(error)") }
            try node.waitUntilStopped()
        }
    }
}
