import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPEmulator

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Work with topology files.",
        subcommands: [GenerateTopology.self])
}

struct GenerateTopology: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a standard topology as YAML (chain, star, fat-tree, scale-free).",
        discussion: """
        Examples: `nip topology generate chain --size 5`, `nip topology generate fat-tree --size 4`, \
        `nip topology generate scale-free --size 1000 --hosts 200 --output big.yaml`. Hosts send to each \
        other at --flow-rate; every link has --rate, --delay and a FIFO queue.
        """)

    enum Shape: String, ExpressibleByArgument, CaseIterable {
        case chain, star, fatTree = "fat-tree", scaleFree = "scale-free"
    }

    @Argument(help: "chain | star | fat-tree | scale-free")
    var shape: Shape

    @Option(help: "Routers in a chain or scale-free graph, hosts of a star, k of a fat-tree.")
    var size: Int

    @Option(help: "Hosts attached to a scale-free graph.")
    var hosts = 2

    @Option(help: "Flows each host sends in a scale-free graph (to the next hosts).")
    var flowsPerHost = 1

    @Option(help: "Links each new router makes in a scale-free graph.")
    var attachments = 2

    @Option(help: "Link rate, e.g. 1Gbps.")
    var rate = "1Gbps"

    @Option(help: "Link propagation delay, e.g. 1ms.")
    var delay = "1ms"

    @Option(help: "Rate of each host's flow, e.g. 1000pps or 10Mbps.")
    var flowRate = "1000pps"

    @Option(help: "Packet size of the flows in bytes.")
    var packetSize = 1000

    @Option(help: "Virtual duration, e.g. 1s.")
    var duration = "1s"

    @Option(help: "Seed written into the file (and used to draw a scale-free graph).")
    var seed: UInt64 = 1

    @Option(help: "shortest-delay (routes to every address) or shortest-delay-hosts (only to hosts: smaller tables).")
    var routing = "shortest-delay"

    @Option(help: "compact or framework.")
    var dialect = DialectArgument.compact

    @Option(help: "Write here instead of standard output.")
    var output: String?

    func run() throws {
        var options = TopologyGenerator.Options()
        do throws(UnitProblem) {
            options.rate = try Units.bitRate(rate)
            options.delay = try Units.duration(delay)
            options.flowRate = try Units.trafficRate(flowRate)
            options.duration = try Units.duration(duration)
        } catch {
            throw ValidationError("\(error.problem) — \(error.fix)")
        }
        options.packetSize = packetSize
        options.flowsPerHost = flowsPerHost
        options.seed = seed
        guard let routing = Topology.Routing(rawValue: routing), routing != .static else {
            throw ValidationError("--routing is shortest-delay or shortest-delay-hosts, not \(routing)")
        }
        options.routing = routing
        options.dialect = dialect.value
        let topology: Topology
        do {
            switch shape {
            case .chain: topology = try TopologyGenerator.chain(routers: size, options: options)
            case .star: topology = try TopologyGenerator.star(hosts: size, options: options)
            case .fatTree: topology = try TopologyGenerator.fatTree(k: size, options: options)
            case .scaleFree: topology = try TopologyGenerator.scaleFree(routers: size, attachments: attachments, hosts: hosts, options: options)
            }
        } catch {
            throw ValidationError(error.description)
        }
        let yaml = TopologyWriter.yaml(topology)
        guard let output else {
            print(yaml, terminator: "")
            return
        }
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        FileHandle.standardError.write(Data("wrote \(output): \(topology.nodes.count) nodes, \(topology.links.count) links, \(topology.flows.count) flows\n".utf8))
    }
}
