import NewIPDataPlane
import NewIPFiles
import NewIPTopology

/// A topology ready to run: checked, routed, with a behaviour for every node.
///
/// ```swift
/// var topology = try TopologyParser.load(path: "Examples/chain.yaml")
/// topology.seed = 7
/// let results = try Emulation(topology: topology).run()
/// try results.write(to: "out")
/// ```
///
/// `run` starts from scratch each time, so two runs of one emulation give identical results.
public struct Emulation {
    public let topology: Topology
    public let components: EmulatorComponents
    /// Each node's forwarding table, as routing computed it.
    public let tables: [ForwardingTable]
    private let templates: [PacketTemplate]
    /// The domains made concrete (secrets, first hops, keys); `nil` without `domains`.
    private let governance: Governance?
    /// Record every egress queue's depth over virtual time (`LinkResult.queueDepth`,
    /// `queue-depth.csv`); off by default, and then it costs nothing.
    public var recordsQueueDepth = false

    /// Refuses a topology with problems (`Topology.problems()`, the checks the parser and
    /// `nip up` make too, so one built in code is refused as a file would be) and node kinds
    /// the components have no behaviour for. Routing searches paths and inserts routes on `threads`
    /// threads (the tables are the same on any number); `routingProgress` hears the share of the routing
    /// done (for a progress bar on a large topology).
    public init(topology: Topology, components: EmulatorComponents = .standard, threads: Int = ParallelMap.cores,
                routingProgress: ((Double) -> Void)? = nil) throws(TopologyError) {
        let problems = topology.problems().map(\.diagnostic) + Self.kindsWithoutBehaviour(in: topology, components: components)
        guard problems.isEmpty else { throw TopologyError(problems) }
        self.init(checkedAlready: topology, components: components, threads: threads, routingProgress: routingProgress)
    }

    /// `init(topology:)` for a topology the parser checked already: only the node kinds are.
    public init(checked: CheckedTopology, components: EmulatorComponents = .standard, threads: Int = ParallelMap.cores,
                routingProgress: ((Double) -> Void)? = nil) throws(TopologyError) {
        let problems = Self.kindsWithoutBehaviour(in: checked.topology, components: components)
        guard problems.isEmpty else { throw TopologyError(problems) }
        self.init(checkedAlready: checked.topology, components: components, threads: threads, routingProgress: routingProgress)
    }

    private static func kindsWithoutBehaviour(in topology: Topology, components: EmulatorComponents) -> [TopologyDiagnostic] {
        topology.nodes.enumerated().filter { components.behaviors[$0.element.kind] == nil }.map { index, node in
            TopologyProblem(.node(index), at: node.location, place: "\(topology.name): node `\(node.name)`",
                            "no behaviour is registered for `kind: \(node.kind.rawValue)` (node `\(node.name)`)",
                            fix: "use kind router, or register a \(node.kind.rawValue) behaviour in EmulatorComponents").diagnostic
        }
    }

    private init(checkedAlready topology: Topology, components: EmulatorComponents, threads: Int, routingProgress: ((Double) -> Void)?) {
        // Self-certifying domains: members' addresses come from their keys, not from the file.
        let topology = Governance.selfCertified(topology)
        var templates: [PacketTemplate] = []
        let governance = Governance(topology: topology)
        for (index, flow) in topology.flows.enumerated() {
            // `problems()` built each template once already.
            do throws(UnitProblem) {
                if let governance {
                    templates.append(try governance.template(flow: index, in: topology))
                } else {
                    templates.append(try PacketTemplate(flow: flow, in: topology))
                }
            } catch {
                preconditionFailure("flow `\(flow.name)`: \(error.problem), though Topology.problems() found nothing")
            }
        }
        self.topology = topology
        self.components = components
        self.templates = templates
        self.governance = governance
        tables = RoutingTables.tables(for: topology, threads: threads, progress: routingProgress)
    }

    /// Runs the topology for its duration in virtual time. `progress` is called now and then
    /// with the fraction of the duration done (for a progress bar; it must not affect results).
    /// Captures are kept in memory (`EmulationResults.captures`). With `threads` above 1 the
    /// nodes are split into up to that many partitions run side by side (`Partitioning`: not
    /// a run with domains, dynamic routing or neighbour discovery); the results are the same.
    /// The partitions' threads call different nodes' behaviours at once: behaviours from custom
    /// `components` must then share no mutable state across nodes.
    public func run(threads: Int = 1, progress: ((Double) -> Void)? = nil) -> EmulationResults {
        // Without a capture folder nothing touches the file system, so nothing can throw.
        try! simulate(threads: threads, progress: progress, captureFolder: nil)
    }

    /// `run`, with the captures written to `folder` as they grow (`capture-<node>-<interface>.pcapng`,
    /// not in `EmulationResults.captures`), so a long captured run needs no memory for them.
    public func run(threads: Int = 1, progress: ((Double) -> Void)? = nil,
                    streamingCapturesTo folder: String) throws(FileProblem) -> EmulationResults {
        try simulate(threads: threads, progress: progress, captureFolder: folder)
    }

    private func simulate(threads: Int, progress: ((Double) -> Void)?, captureFolder: String?) throws(FileProblem) -> EmulationResults {
        var queues = topology.nodes.map { node in Array(repeating: EgressQueue(QueueSpec()), count: node.interfaces.count) }
        var delays = topology.nodes.map { node in Array(repeating: Nanoseconds(0), count: node.interfaces.count) }
        for link in topology.links {
            for end in [link.endpoints.0, link.endpoints.1] {
                queues[end.node][end.interface] = EgressQueue(link.queue, linkBitsPerSecond: link.rate.bitsPerSecond)
                delays[end.node][end.interface] = link.delay
            }
        }
        let behaviours = topology.nodes.enumerated().map { index, node -> any NodeBehavior in
            let networks = node.interfaces.indices.map { topology.network(of: Topology.InterfaceID(node: index, interface: $0)) }
            return components.behaviors[node.kind]!(NodeSetup(index: index, node: node, dialect: topology.dialect, table: tables[index],
                                                              queues: queues[index], linkDelays: delays[index], networks: networks,
                                                              sourceAuthentication: governance?.sourceAuthentication(node: index),
                                                              borderPolicy: governance?.borderPolicy(node: index, in: topology),
                                                              pathConstraints: governance?.pathConstraints(node: index),
                                                              neighbourDiscovery: NeighbourDiscoveryDriver.discovery(
                                                                  node: node, index: index, topology: topology,
                                                                  publicKey: governance?.identities[index]?.publicKey)))
        }
        let run = try PartitionedRun(topology: topology, behaviours: behaviours, templates: templates, governance: governance,
                                     captureFolder: captureFolder, parts: threads)
        if recordsQueueDepth { for link in run.links { link.statistics.depth = QueueDepthSeries() } }
        let duration = Double(max(topology.duration, 1))
        run.run(progress: progress.map { report in { now in report(Double(now) / duration) } })
        for capture in run.captures { try capture.device.finish() }
        return EmulationResults(run)
    }
}
